// msk/sim/session_outcome.hpp — what a session of stretching or PIR leaves behind, per muscle:
// the record the lifetime layer consumes (DESIGN.md §3 "Interventions").
//
// A session is an episode (or a chain of episodes) on a model; compare the state it ended in with
// the state before it. For each muscle that carries the session laws the record gives the change
// of
//   - the tolerated torque (stretch_tolerance: x, a fraction of the examiner's baseline torque),
//   - tone: the reflex gain factor of post-activation depression and stretch depression (the
//     product of their factors; <= 0 means a depressed reflex), and the threshold shift the
//     modulation laws hold (none of msk's own laws shifts it after a session),
//   - the passive state: the passive slack shift (passive_creep, L_opt and m) and the tendon
//     creep elongation (tendon_creep, m), whose sum is the change of the muscle-tendon unit's
//     resting length,
// and how long each lasts: the time at rest until the change falls to 10 % of its value, from the
// law's recovery time constant (tau ln 10 for a first-order recovery; 3.89 tau for the two-stage
// depression). A mechanism whose law is off gives 0 and lasts 0 s.
#pragma once

#include <string>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/sim/state.hpp"

namespace msk {

/// The outcome of a session for one muscle. Changes are after minus before.
struct MuscleOutcome {
  std::string muscle;
  double tolerance_change = 0.0;     ///< rise of the tolerated torque over the baseline [1]
  double tolerance_lasts_s = 0.0;    ///< [s] time at rest to 10 % of the change
  double reflex_gain_change = 0.0;   ///< change of the reflex gain factor (depressions) [1]
  double reflex_lasts_s = 0.0;       ///< [s]
  double passive_slack_shift = 0.0;  ///< change of the passive slack length [L_opt]
  double passive_lasts_s = 0.0;      ///< [s]
  double tendon_elongation = 0.0;    ///< change of the tendon creep elongation [m]
  double tendon_lasts_s = 0.0;       ///< [s]
  /// Change of the muscle-tendon unit's resting (slack) length: passive slack shift times L_opt
  /// plus tendon elongation [m].
  double resting_length_change = 0.0;
};

/// What a session left behind.
struct SessionOutcome {
  double time_before = 0.0;            ///< [s]
  double time_after = 0.0;             ///< [s]
  std::vector<MuscleOutcome> muscles;  ///< one per muscle of the model, in model order
};

/// Compares two states of the same model (e.g. the rest state before a session and the
/// final_state of its last episode).
/// @throws InvalidArgument when a state does not fit the model
SessionOutcome compute_session_outcome(const Model& model, const State& before, const State& after);

}  // namespace msk
