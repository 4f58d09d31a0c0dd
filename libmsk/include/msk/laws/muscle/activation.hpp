// msk/laws/muscle/activation.hpp — first-order muscle activation dynamics (law
// "first_order_activation", role "activation").
//
// Thelen 2003 (J Biomech Eng 125:70), in the form of OpenSim's FirstOrderMuscleActivationDynamics:
//   da/dt = (u* - a) / tau(u*, a),   u* = max(u, a_min),
//   tau = tau_act (0.5 + 1.5 a)     if u* > a   (activation),
//   tau = tau_deact / (0.5 + 1.5 a) otherwise  (deactivation),
// with u the total excitation and a_min an activation floor (OpenSim 4's Thelen2003Muscle uses
// 0.01; 0 for none). State: activation a [1]. Ports: publishes data.activation; reads
// data.excitation.
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

/// Time derivative of muscle activation [1/s].
/// @param excitation  neural excitation u [1]; clamped to [0, 1]
/// @param activation  activation a [1]; the time constant uses a clamped to [0, 1] (an integrator
///                    may overshoot the bounds slightly), the difference u - a uses a as given
/// @param tau_act     activation time constant [s], > 0 (commonly 0.015)
/// @param tau_deact   deactivation time constant [s], > 0 (commonly 0.050-0.060)
/// @throws msk::InvalidArgument if an argument is not finite or a time constant is not > 0
double activation_derivative(double excitation, double activation, double tau_act,
                             double tau_deact);

struct ActivationParams {
  double activation_time_constant = 0.015;    ///< tau_act [s] (Thelen 2003)
  double deactivation_time_constant = 0.060;  ///< tau_deact [s] (Thelen 2003)
  double minimum_activation = 0.0;            ///< a_min [1] (0: none; OpenSim 4 uses 0.01)
};

class FirstOrderActivation : public LawWith<FirstOrderActivation, ActivationParams> {
 public:
  static const std::vector<ParamField<ActivationParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
  double rest_activation(int k, double excitation) const override;
};

}  // namespace msk::laws
