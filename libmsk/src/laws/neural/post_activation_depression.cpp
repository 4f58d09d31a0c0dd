#include "msk/laws/neural/post_activation_depression.hpp"

#include <algorithm>

#include "msk/sim/data.hpp"

namespace msk::laws {

const std::vector<ParamField<DepressionParams>>& PostActivationDepression::fields() {
  static const std::vector<ParamField<DepressionParams>> f = {
      {"depth", &DepressionParams::depth, "1", 0.0, 1.0,
       "calibration: Moore & Kukulka 1991 (H-reflex -83 % at 0.1-1 s)", "D, depth of depression"},
      {"recovery_time_constant", &DepressionParams::recovery_time_constant, "s", 1e-3, 600.0,
       "calibration: Moore & Kukulka 1991 (-30 % at 5 s, -10 % at 10 s)",
       "time constant of each recovery stage"},
      {"rise_time_constant", &DepressionParams::rise_time_constant, "s", 1e-3, 600.0,
       "model assumption", "time constant of conditioning during a contraction"},
      {"voluntary_threshold", &DepressionParams::voluntary_threshold, "1", 0.0, 1.0,
       "model assumption", "u_v, voluntary excitation that counts as a contraction"},
  };
  return f;
}

const LawInfo& PostActivationDepression::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "post_activation_depression";
    x.role = "depression";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Modulation;
    x.summary = "reflex depression for seconds after a voluntary contraction";
    x.equation = "dc1/dt = (s - c1)/tau, dc2/dt = (c1 - c2)/tau; reflex gain *= 1 - D c2 (1 - s)";
    x.citation = "Moore & Kukulka 1991, Phys Ther 71:321 (fit)";
    x.hypothesis = "H3";
    x.params = param_infos<DepressionParams>(fields());
    x.states = {{"pad_stage1", "1", "post-activation depression, stage 1"},
                {"pad_stage2", "1", "post-activation depression, stage 2"}};
    x.channels = {{"pad_factor", "1", "reflex gain factor from post-activation depression"}};
    return x;
  }();
  return i;
}

double PostActivationDepression::contraction_indicator(double voluntary, double threshold) {
  // C1 smoothstep from half to 1.5 times the threshold, so that the right-hand side stays
  // continuous.
  if (threshold <= 0.0) return voluntary > 0.0 ? 1.0 : 0.0;
  const double s = std::clamp((voluntary / threshold - 0.5), 0.0, 1.0);
  return s * s * (3.0 - 2.0 * s);
}

void PostActivationDepression::evaluate(LawContext& c) const {
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const DepressionParams& p = params_[static_cast<std::size_t>(k)];
    const double s = contraction_indicator(d.voluntary_excitation[i], p.voluntary_threshold);
    const double c1 = c.x[state_index(k, 0)], c2 = c.x[state_index(k, 1)];
    const double tau1 = s > c1 ? p.rise_time_constant : p.recovery_time_constant;
    const double tau2 = c1 > c2 ? p.rise_time_constant : p.recovery_time_constant;
    c.xdot[state_index(k, 0)] = (s - c1) / tau1;
    c.xdot[state_index(k, 1)] = (c1 - c2) / tau2;
    d.reflex_gain[i] *= 1.0 - p.depth * std::clamp(c2, 0.0, 1.0) * (1.0 - s);
  }
}

void PostActivationDepression::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k) {
    const DepressionParams& p = params_[static_cast<std::size_t>(k)];
    const double s =
        contraction_indicator(c.data.voluntary_excitation[entity(k)], p.voluntary_threshold);
    row[channel_index(k, 0)] =
        1.0 - p.depth * std::clamp(c.x[state_index(k, 1)], 0.0, 1.0) * (1.0 - s);
  }
}

}  // namespace msk::laws
