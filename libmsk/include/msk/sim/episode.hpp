// msk/sim/episode.hpp — the episode integrator (fast layer: milliseconds to hours).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/sim/protocol.hpp"
#include "msk/sim/state.hpp"

namespace msk {

/// A threshold-crossing event on a recorded channel.
struct EventSpec {
  std::string name;        ///< recorded as event label "event:<name>"
  std::string channel;     ///< a channel of Model::channels, e.g. "joint.r_elbow_flex.angle"
  double threshold = 0.0;  ///< in the channel's units
  int direction = 0;       ///< +1 rising, -1 falling, 0 both
  bool terminal = false;   ///< true: the episode ends at the first crossing
};

/// Integrator settings.
struct EpisodeOptions {
  std::string stepper = "dopri5";  ///< "dopri5" (explicit, adaptive) or "rosenbrock4" (stiff)
  double rtol = 1e-6;              ///< relative tolerance [1]
  double atol = 1e-8;              ///< absolute tolerance [state units]
  double output_dt = 0.01;         ///< spacing of recorded rows [s]
  /// Explicit output times [s], increasing; when non-empty they replace the output_dt grid.
  std::vector<double> output_times;
  std::vector<EventSpec> events;            ///< threshold crossings to locate and record
  double max_step = 0.05;                   ///< largest step [s]
  double initial_step = 1e-4;               ///< first trial step [s]
  std::size_t max_steps = 10000000;         ///< step limit over the whole episode
  std::string output_path;                  ///< HDF5 file to write ("" for none)
  std::uint64_t seed = 0;                   ///< recorded in /meta (episodes are deterministic)
  std::map<std::string, std::string> meta;  ///< extra /meta attributes
  /// Start from this state (e.g. the final_state of an earlier episode) instead of rest at the
  /// protocol's initial angles; the protocol must then set no initial angles. Times continue from
  /// initial_state->time.
  std::optional<State> initial_state;
  /// Called with (t, t_end) at most every progress_interval_s of wall time and at the end;
  /// returning false cancels the run (msk::Error "cancelled"). May be empty.
  std::function<bool(double, double)> progress;
  double progress_interval_s = 0.2;  ///< [s] of wall time
};

/// Reads options from YAML or JSON text: {stepper, rtol, atol, output_dt, output_times, max_step,
/// initial_step, max_steps, seed, events: [{name, channel, threshold, direction, terminal}]};
/// absent fields keep their defaults.
/// @throws ModelError naming file, line and field
EpisodeOptions parse_episode_options(const std::string& text,
                                     const std::string& file = "<options>");

/// Work counters of one run.
struct EpisodeStats {
  std::size_t steps = 0;           ///< accepted steps
  std::size_t rhs_calls = 0;       ///< right-hand-side evaluations (Jacobian columns included)
  std::size_t jacobian_calls = 0;  ///< Jacobian evaluations (stiff stepper)
  /// Steps retried shorter because a trial stage left the states' domain (e.g. a fibre length
  /// below zero at a loose tolerance).
  std::size_t retries = 0;
  double wall_time_s = 0.0;  ///< [s]
  std::string stepper;
};

/// What an episode produced. values is row-major, n_times x n_channels.
struct EpisodeResult {
  std::vector<double> time;  ///< [s]
  std::vector<ChannelSpec> channels;
  std::vector<double> values;       ///< row-major (n_times, n_channels)
  std::vector<double> event_times;  ///< [s]
  /// Labels: phase labels (pir_start, pir_cycle_start:<k>), barrier:<joint or region>,
  /// barrier_exceeded:<joint or region> (a stretch that starts past its barrier; also a warning),
  /// range_limit:<...>, stretch_timeout:<...>, event:<name>.
  std::vector<std::string> event_labels;
  /// What the run noticed and went on with, each "t = <time> s: <message>" (e.g. a stretch that
  /// starts past its barrier). Library code never prints: the caller decides.
  std::vector<std::string> warnings;
  EpisodeStats stats;
  State final_state;                     ///< the state the episode ended in
  std::vector<std::string> state_names;  ///< names of final_state.x (Model::layout().names)
  std::string output_path;
  std::size_t n_times() const { return time.size(); }
  std::size_t n_channels() const { return channels.size(); }
  /// The column of a channel; throws InvalidArgument for an unknown name.
  std::vector<double> channel(const std::string& name) const;
};

/// The recorded row at (t, x): every channel of model.channels(), in that order, as an episode
/// records it, from the workspace that compute_derivatives (sim/rhs.hpp) filled at (t, x).
/// @param x    state, size model.layout().n_states
/// @param row  out: size model.channels().size()
void compute_channels(const Model& model, Data& data, const Eigen::VectorXd& x, double t,
                      double* row);

/// Integrates the model through the protocol's phases from the protocol's initial posture at rest
/// (or from options.initial_state). The state it ends in is result.final_state and, in the file,
/// /state/final.
/// Records every channel of model.channels at multiples of output_dt, at phase ends and at
/// events, into the result and (if output_path is set) an HDF5 file flushed as it goes.
/// A trial stage that leaves the states' domain (a non-finite state, or a law that refuses its
/// input, such as a negative fibre length) makes the step retry shorter; only when no step down to
/// 1e-12 of the time helps does the run stop.
/// @throws SimulationError (time, channel, law) on a non-finite state, a state a law refuses, a
///         step-size failure or the step limit; the file keeps every row recorded before the fault.
/// @throws ModelError for a protocol that names unknown joints or muscles
/// @throws Error "cancelled" when the progress callback returns false
EpisodeResult simulate_episode(const Model& model, const Protocol& protocol,
                               const EpisodeOptions& options = {});

}  // namespace msk
