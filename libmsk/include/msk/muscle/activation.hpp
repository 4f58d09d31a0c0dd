// msk/muscle/activation.hpp — first-order muscle activation dynamics.
//
// Thelen 2003 (J Biomech Eng 125:70), in the form used by OpenSim's
// FirstOrderMuscleActivationDynamics / MuscleFirstOrderActivationDynamicModel:
//   da/dt = (u - a) / tau(u, a),
//   tau = tau_act (0.5 + 1.5 a)     if u > a   (activation),
//   tau = tau_deact / (0.5 + 1.5 a) otherwise  (deactivation).
#pragma once

namespace msk::muscle {

/// Time derivative of muscle activation.
/// @param excitation  neural excitation u [-]; clamped to [0, 1]
/// @param activation  activation a [-]; the time constant uses a clamped to [0, 1] (an integrator
///                    may overshoot the bounds slightly), the difference u - a uses a as given
/// @param tau_act     activation time constant [s], > 0 (commonly 0.015)
/// @param tau_deact   deactivation time constant [s], > 0 (commonly 0.050-0.060)
/// @return da/dt [1/s]
/// @throws msk::InvalidArgument if an argument is not finite or a time constant is not > 0
double activation_derivative(double excitation, double activation, double tau_act,
                             double tau_deact);

}  // namespace msk::muscle
