// msk/sim/rhs.hpp — the right-hand side of the episode ODE.
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/protocol.hpp"

namespace msk {

/// What the current phase imposes, evaluated by compute_derivatives.
struct Drive {
  const Phase* phase = nullptr;  ///< nullptr: everything free, no voluntary drive
  double phase_start = 0.0;      ///< [s]
  double speed = 0.0;            ///< signed speed of the driven coordinate [rad/s]
  double direction = 1.0;        ///< direction of the last stretch (+1/-1), for resisting torque
};

/// Evaluates the state derivative xdot = f(t, x) and every intermediate into data (excitations,
/// muscle forces, moments, examiner torque). Equations and sources: docs/theory/.
/// @param x  state, size model.layout.n_states
void compute_derivatives(const Model& model, const Drive& drive, double t, const Eigen::VectorXd& x,
                         Data& data);

/// Range-limit moment of coordinate d at q [N m]: k1 (exp(-k2 (q - qmin)) - exp(k2 (q - qmax))), a
/// numerical stand-in for the end of the range (capsule, bone contact), not a tissue law.
double coordinate_limit_moment(const Model& model, int d, double q);

/// The muscles' steady reflex drive at rest for coordinates q (used for initial states).
void compute_rest_excitation(const Model& model, const Eigen::VectorXd& q, Data& data,
                             Eigen::VectorXd& activation);

}  // namespace msk
