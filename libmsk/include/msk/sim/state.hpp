// msk/sim/state.hpp — the ODE state: time and the state vector laid out by Model::layout().
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "msk/model/model.hpp"

namespace msk {

/// Plain data: time and the state vector (size model.layout().n_states). A state carries over from
/// one episode to the next (EpisodeOptions::initial_state) and round-trips through results files
/// (io/reader.hpp, read_final_state).
struct State {
  double time = 0.0;  ///< [s]
  Eigen::VectorXd x;  ///< see StateLayout for the meaning of each entry
};

/// The state at the model's default coordinates (or `angles`), at rest: every muscle's activation
/// and reflex at their steady state for that posture (a hypertonic muscle starts semi-contracted),
/// compliant fibres at equilibrium, the viscoelastic branches relaxed, the discs at the model's
/// hydration. Each law writes its own states (Law::initial_state), from the neural command
/// outward: activation, reflex, modulation, tissue, mechanics, then the levels.
/// @param angles  coordinate values [rad], size model.n_dofs(); empty for the defaults
State make_initial_state(const Model& model, const Eigen::VectorXd& angles = Eigen::VectorXd());

/// A state of `model` from values named by state name (e.g. from a results file of an earlier
/// episode): every state of the model must be named, in any order; extra names are an error.
/// @throws InvalidArgument naming the first missing or unknown state
State state_from_named(const Model& model, double time, const std::vector<std::string>& names,
                       const std::vector<double>& values);

/// Checks that a state fits a model (size, finite entries). @throws InvalidArgument
void check_state(const Model& model, const State& state);

}  // namespace msk
