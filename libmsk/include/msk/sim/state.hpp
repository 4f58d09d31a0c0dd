// msk/sim/state.hpp — the ODE state: time and the state vector laid out by Model::layout.
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"

namespace msk {

/// Plain data: time and the state vector (size model.layout.n_states).
struct State {
  double time = 0.0;  ///< [s]
  Eigen::VectorXd x;  ///< see StateLayout for the meaning of each entry
};

/// The state at the model's default coordinates, at rest, with every muscle's activation and
/// reflex at their steady state for that posture (a hypertonic muscle starts semi-contracted),
/// compliant fibres at equilibrium and the viscoelastic branches relaxed.
/// @param angles  coordinate values [rad], size model.n_dofs; empty for the defaults
State make_initial_state(const Model& model, const Eigen::VectorXd& angles = Eigen::VectorXd());

}  // namespace msk
