#include "msk/laws/neural/stretch_tolerance.hpp"

#include <algorithm>

#include "msk/model/model.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

double stretch_tolerance_rate(const StretchToleranceParams& p, double stimulus, double x) {
  // Charged by the stretch towards x_max, fading at rest.
  return p.rate * std::max(stimulus, 0.0) * (p.max_increase - x) - x / p.decay_time_constant;
}

const std::vector<ParamField<StretchToleranceParams>>& StretchTolerance::fields() {
  static const std::vector<ParamField<StretchToleranceParams>> f = {
      {"rate", &StretchToleranceParams::rate, "1/s", 0.0, 1e4,
       "calibration: peak passive moment tolerated +14 % after contract-relax (Kay et al. 2020)",
       "k_s, rise of the tolerance per second and unit of stretch stimulus"},
      {"max_increase", &StretchToleranceParams::max_increase, "1", 0.0, 10.0,
       "assumption: the tolerated torque at most 1.5 times the baseline in one session",
       "x_max, largest fractional rise of the tolerated torque"},
      {"decay_time_constant", &StretchToleranceParams::decay_time_constant, "s", 1e-3, 1e8,
       "calibration: range gained still present at 30 min (Mizuno et al. 2013), mostly gone "
       "within tens of minutes (Depino et al. 2000; Spernoga et al. 2001); uncertain",
       "tau_tol, time constant of the fading at rest"},
      {"contraction_weight", &StretchToleranceParams::contraction_weight, "1", 0.0, 100.0,
       "hypothesis H15 (contraction-induced hypoalgesia); 0: off",
       "w_a, stimulus per unit of active stress a f_L"},
  };
  return f;
}

const LawInfo& StretchTolerance::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "stretch_tolerance";
    x.role = "tolerance";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Tissue;
    x.summary = "the torque a person tolerates in a stretch rises with stretching, fades at rest";
    x.equation =
        "s = [f_PE(l~) - f_PE(l~_ref)]+ + w_a a f_L; dx/dt = k_s s (x_max - x) - x/tau_tol; "
        "tolerated torque = T_b (1 + x)";
    x.citation =
        "Magnusson et al. 1996, J Physiol 497:291; Weppler & Magnusson 2010, Phys Ther 90:438; "
        "Kay et al. 2020, Scand J Med Sci Sports 30:74";
    x.hypothesis = "H15";
    x.params = param_infos<StretchToleranceParams>(fields());
    x.states = {{"stretch_tolerance", "1", "fractional rise x of the tolerated torque"}};
    x.channels = {{"tolerance_factor", "1", "tolerated torque over the baseline, 1 + x"}};
    return x;
  }();
  return i;
}

void StretchTolerance::publish(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k)
    c.data.stretch_tolerance[entity(k)] += c.x[state_index(k, 0)];
}

void StretchTolerance::evaluate(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  const Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    const StretchToleranceParams& law = params_[static_cast<std::size_t>(k)];
    const auto& mt = d.mtu[static_cast<std::size_t>(i)];
    // Stimulus: elastic passive stress beyond the habitual length's, plus (hypothesis) the
    // active stress of a contraction.
    const double habitual =
        std::max(0.0, muscle::passive_force_length(p.curves, d.reflex_reference_length[i]));
    const double stimulus = std::max(0.0, mt.passive_force_length - habitual) +
                            law.contraction_weight * d.activation[i] * mt.active_force_length;
    c.xdot[state_index(k, 0)] = stretch_tolerance_rate(law, stimulus, c.x[state_index(k, 0)]);
  }
}

void StretchTolerance::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = 1.0 + c.x[state_index(k, 0)];
}

}  // namespace msk::laws
