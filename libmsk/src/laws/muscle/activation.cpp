#include "msk/laws/muscle/activation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "msk/error.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

namespace {

void check(const char* name, double value, bool positive) {
  const bool ok = std::isfinite(value) && (!positive || value > 0.0);
  if (ok) return;
  std::ostringstream message;
  message.precision(17);
  message << name << ": expected " << (positive ? "finite and > 0" : "finite") << ", got " << value;
  throw InvalidArgument(message.str());
}

}  // namespace

double activation_derivative(double excitation, double activation, double tau_act,
                             double tau_deact) {
  check("excitation", excitation, false);
  check("activation", activation, false);
  check("tau_act", tau_act, true);
  check("tau_deact", tau_deact, true);

  // Excitation is bounded to [0, 1]; the time constant sees a bounded activation.
  const double u = std::clamp(excitation, 0.0, 1.0);
  const double a_bounded = std::clamp(activation, 0.0, 1.0);
  const double shape = 0.5 + 1.5 * a_bounded;

  // Thelen 2003, activation dynamics: tau = tau_act (0.5 + 1.5 a) if u > a,
  //                                   tau = tau_deact / (0.5 + 1.5 a) otherwise
  const double tau = (u > activation) ? tau_act * shape : tau_deact / shape;
  return (u - activation) / tau;
}

const std::vector<ParamField<ActivationParams>>& FirstOrderActivation::fields() {
  static const std::vector<ParamField<ActivationParams>> f = {
      {"activation_time_constant", &ActivationParams::activation_time_constant, "s", 1e-4, 1.0,
       "Thelen 2003; OpenSim default 0.015 s", "tau_act, time constant of activation"},
      {"deactivation_time_constant", &ActivationParams::deactivation_time_constant, "s", 1e-4, 1.0,
       "Thelen 2003; OpenSim defaults 0.05-0.06 s", "tau_deact, time constant of deactivation"},
      {"minimum_activation", &ActivationParams::minimum_activation, "1", 0.0, 0.5,
       "OpenSim 4 Thelen2003Muscle (0.01); 0 in msk's own models",
       "a_min, activation floor: excitation below it drives activation to it"},
  };
  return f;
}

const LawInfo& FirstOrderActivation::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "first_order_activation";
    x.role = "activation";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Activation;
    x.summary = "first-order activation dynamics with faster activation than deactivation";
    x.equation =
        "da/dt = (u* - a)/tau, u* = max(u, a_min), tau = tau_act (0.5 + 1.5 a) if u* > a, "
        "tau_deact / (0.5 + 1.5 a) otherwise";
    x.citation = "Thelen 2003, J Biomech Eng 125:70";
    x.params = param_infos<ActivationParams>(fields());
    x.states = {{"activation", "1", "activation a"}};
    x.channels = {{"activation", "1", "activation a"}};
    return x;
  }();
  return i;
}

double FirstOrderActivation::rest_activation(int k, double excitation) const {
  // At rest the activation equals the steady excitation, or the floor.
  return std::max(excitation, params_[static_cast<std::size_t>(k)].minimum_activation);
}

void FirstOrderActivation::initial_state(const LawContext& c, double* x) const {
  for (int k = 0; k < n_entities(); ++k)
    x[state_index(k, 0)] = c.data.activation[entity(k)];
}

void FirstOrderActivation::publish(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k)
    c.data.activation[entity(k)] = c.x[state_index(k, 0)];
}

void FirstOrderActivation::evaluate(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k) {
    const ActivationParams& p = params_[k];
    const int i = entity(k);
    c.xdot[state_index(k, 0)] = activation_derivative(
        std::max(c.data.excitation[i], p.minimum_activation), c.x[state_index(k, 0)],
        p.activation_time_constant, p.deactivation_time_constant);
  }
}

void FirstOrderActivation::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = c.x[state_index(k, 0)];
}

}  // namespace msk::laws
