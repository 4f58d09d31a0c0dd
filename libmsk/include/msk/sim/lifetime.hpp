// msk/sim/lifetime.hpp — days to decades of a person's schedule: the slow states integrated over
// the bouts of a scenario, each bout's loads from the posture equilibrium at the current slow
// state (DESIGN.md §1; docs/theory/lifetime.md).
//
// Per level: disc fluid and viscoelastic creep (laws/lifetime/disc_fluid_two_phase.hpp), fatigue
// damage and load doses (laws/lifetime/spine_damage.hpp), the degeneration index under H23
// (laws/lifetime/degeneration_progression.hpp). Per muscle: optimal fibre length
// (laws/lifetime/sarcomere_adaptation.hpp), strength in a neural and a morphological compartment
// (laws/lifetime/strength_adaptation.hpp) and the carry-over of sessions
// (laws/lifetime/session_effects.hpp). Within a bout the loads are constant: the slow ODE is
// integrated over the bout with Boost.Odeint (Dormand-Prince 5(4), adaptive).
//
// Equilibria are cached per posture and snapshot of the slow states the equilibrium sees. The
// snapshot holds each level's hydration rounded to the centre of its `hydration_bucket`, and the
// muscles' optimal length ratios (and under H20 tone shifts) and strength ratios (rounded to
// the centre of their `strength_bucket`) of the muscle snapshot, renewed as a whole when any
// ratio moves more than `length_bucket` from it or any strength ratio enters another bucket. Each
// snapshot's model is made once by Model::with_parameters. The error this makes is the change of
// the loads across one bucket (docs/theory/lifetime.md §2 gives the measured figure).
//
// The results stream to an HDF5 results file (io/recorder.hpp format, /meta@kind = "lifetime"):
// one row per day (time = end of the day [s]) with per-level, per-group and whole-body channels
// (docs/guide/python.md "Lifetime" lists them); the file is flushed after a day at most every
// flush_interval_s of wall time and at the end, so a killed run leaves every day up to the last
// flush readable. Memory does not grow with the duration.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "msk/laws/lifetime/degeneration_progression.hpp"
#include "msk/laws/lifetime/disc_fluid_two_phase.hpp"
#include "msk/laws/lifetime/sarcomere_adaptation.hpp"
#include "msk/laws/lifetime/session_effects.hpp"
#include "msk/laws/lifetime/spine_damage.hpp"
#include "msk/laws/lifetime/strength_adaptation.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/scenario.hpp"
#include "msk/sim/session_outcome.hpp"

namespace msk {

/// A programme of sessions (or rest days) on a calendar.
struct Intervention {
  /// "pir" (post-isometric relaxation), "stretch" (static stretching), "strengthen" (loaded
  /// contractions of the muscles at `intensity` for `duration` seconds per session),
  /// "posture_retraining" (on its days, `fraction` of the time of every held bout in the posture
  /// preset `from_posture` is spent in `to_posture` instead) or "rest" (the day follows the
  /// scenario's day template `rest_day` instead of its week).
  std::string kind;
  /// Muscles or muscle groups treated (pir, stretch, strengthen).
  std::vector<std::string> muscles;
  int first_day = 0;   ///< first day of the programme (0 = the run's first day)
  int last_day = -1;   ///< last day (inclusive); -1: to the end of the run
  int every_days = 1;  ///< a session every this many days [1], >= 1
  /// Time one session holds the muscles stretched (pir, stretch) or contracted under load
  /// (strengthen: the loaded contraction time, e.g. 3 sets of 10 repetitions of 3 s = 90 s) [s]
  double duration = 300.0;
  /// strengthen: activation of the treated muscles during the loaded time [fraction of MVC]
  double intensity = 0.75;
  /// What one session leaves per muscle (compute_session_outcome); muscles not listed there
  /// carry nothing over beyond the session itself.
  SessionOutcome outcome;
  std::string rest_day;      ///< rest: the day template to follow
  std::string from_posture;  ///< posture_retraining: the preset retrained (e.g. sitting_slouched)
  std::string to_posture;    ///< posture_retraining: the preset taught (e.g. sitting_straight)
  double fraction = 0.5;     ///< posture_retraining: share of the bouts' time changed [1]
};

/// Settings of simulate_lifetime.
struct LifetimeOptions {
  double duration_days = 365.0;  ///< length of the run [days], whole days, >= 1
  std::vector<Intervention> interventions;
  std::string out;  ///< results file to write ("" for none)
  /// The file is flushed after a day when this much wall time has passed since the last flush
  /// [s] (0: after every day); a killed run loses at most the days of the last interval. A
  /// flush costs about 20 ms on the lumbar model's 90 channels.
  double flush_interval_s = 1.0;
  /// Continue the run in `out` from its checkpoint (written with every flush at
  /// /state/lifetime_checkpoint): its finished days are kept, the rest simulated, and the file
  /// ends up the same as an uninterrupted run's. The model, scenario, seed and record_muscles
  /// must be those of the run that wrote it. Without the file, the run starts from day 0.
  bool resume = false;
  std::int64_t seed = -1;       ///< seed of the day-to-day variation (-1: the scenario's)
  bool record_muscles = false;  ///< also channels per muscle (optimal length and strength ratios)
  /// What the model's optimal fibre lengths are adapted to at the start: "scenario" (the person
  /// has lived the scenario's week for long: the sarcomere law's reference fibre length is each
  /// muscle's weighted mean over the week, so an unchanged life changes nothing) or "standing"
  /// (relaxed standing: any life away from it adapts the muscles).
  std::string adapted_to = "scenario";
  laws::DiscFluidTwoPhaseParams disc;
  laws::SarcomereAdaptationParams sarcomere;
  laws::SpineDamageParams damage;
  laws::SessionEffectsParams sessions;
  laws::StrengthAdaptationParams strength;
  laws::DegenerationProgressionParams degeneration;  ///< H23, off by default
  /// Whole-spine stature change over the modelled levels' height change [1]: the other discs
  /// change in proportion to their height (assumption; docs/theory/lifetime.md §3).
  double stature_factor = 2.6;
  double hydration_bucket = 0.02;  ///< snapshot renewal threshold of hydration [1]
  double length_bucket = 0.02;     ///< ... of the optimal length ratio [1]
  /// Bucket of the strength ratio F_max / F_max,0 [1]: the snapshot applies each muscle's ratio
  /// rounded to its bucket's centre (an unchanged week moves single muscles by up to 3 %, which
  /// then applies nothing) and is renewed when one enters another bucket
  double strength_bucket = 0.05;
  /// Bucket of the degeneration index's change from the model's [1]: the snapshot applies the
  /// model's index plus the change rounded to the bucket's centre (H23)
  double degeneration_bucket = 0.02;
  double relative_tolerance = 1e-6;  ///< of the slow ODE (Odeint)
  double absolute_tolerance = 1e-9;
  EquilibriumOptions equilibrium;  ///< how the bouts' equilibria are solved
  /// Called after each day with (days done, days in all); return false to stop the run early.
  std::function<bool(int, int)> progress;
};

/// What simulate_lifetime leaves in memory (the days themselves are in the file).
struct LifetimeResult {
  int n_days = 0;                            ///< days simulated
  std::string path;                          ///< results file ("" when none)
  std::vector<double> hydration;             ///< final H per level [1]
  std::vector<double> creep;                 ///< final u per level [m]
  std::vector<double> fatigue_damage;        ///< final Miner's sum per level [1]
  std::vector<double> degeneration;          ///< final degeneration index per level [1]
  std::vector<double> optimal_length_ratio;  ///< final rho per muscle [1]
  std::vector<double> tolerance;             ///< final carried-over tolerance per muscle [1]
  std::vector<double> strength_ratio;        ///< final s = s_n s_m per muscle [1]
  double lifft_damage = 0.0;                 ///< LiFFT damage of all the run's lifts [1]
  double last_day_stature_loss = 0.0;  ///< morning to bedtime stature loss of the last day [m]
  int n_equilibria = 0;                ///< equilibria solved
  int n_cache_hits = 0;                ///< bouts served from the cache
  int n_snapshots = 0;                 ///< slow-state snapshots (models) used
  bool stopped = false;                ///< the progress callback stopped the run
};

/// Runs a lifetime (see the header comment).
/// @throws InvalidArgument for bad options (unknown muscles or groups, bad calendar)
/// @throws ModelError when the scenario names a day template that does not exist
/// @throws SimulationError naming the day and bout whose equilibrium fails
/// @throws IoError when the results file cannot be written
LifetimeResult simulate_lifetime(const Model& model, const Scenario& scenario,
                                 const LifetimeOptions& options = {});

/// The channels a lifetime results file holds for `model` (name, units, description).
struct LifetimeChannel {
  std::string name, units, description;
};
std::vector<LifetimeChannel> lifetime_channels(const Model& model, bool record_muscles);

}  // namespace msk
