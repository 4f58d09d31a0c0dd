#include "msk/laws/neural/post_activation_depression.hpp"

#include <algorithm>

#include "msk/sim/data.hpp"

namespace msk::laws {

void depression_rates(const DepressionParams& p, double voluntary, double c1, double c2,
                      double rate[2]) {
  // Stage 1 charged in proportion to the voluntary excitation, stage 2 following it; both
  // recover with tau_PAD.
  const double u = std::clamp(voluntary, 0.0, 1.0);
  rate[0] = u * (1.0 - c1) / p.charge_time_constant - c1 / p.recovery_time_constant;
  rate[1] = (c1 - c2) / p.recovery_time_constant;
}

const std::vector<ParamField<DepressionParams>>& PostActivationDepression::fields() {
  static const std::vector<ParamField<DepressionParams>> f = {
      {"depth", &DepressionParams::depth, "1", 0.0, 1.0,
       "calibration: Moore & Kukulka 1991 (H-reflex -83 % at 0.1-1 s after 65-75 % MVC)",
       "D, depth of the depression when fully charged"},
      {"recovery_time_constant", &DepressionParams::recovery_time_constant, "s", 1e-3, 600.0,
       "calibration: Moore & Kukulka 1991 (-30 % at 5 s, -10 % at 10 s)",
       "tau_PAD, recovery time constant of each stage"},
      {"charge_time_constant", &DepressionParams::charge_time_constant, "s", 1e-3, 600.0,
       "calibration: Moore & Kukulka 1991, with a 5 s contraction assumed (the abstract gives "
       "none); the grading by intensity below 65 % MVC is an assumption (no data at 10-25 % MVC)",
       "tau_u, time to charge stage 1 at full voluntary excitation"},
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
    x.summary = "reflex depression for seconds after a contraction, graded by effort and length";
    x.equation =
        "dc1/dt = u (1 - c1)/tau_u - c1/tau_PAD, dc2/dt = (c1 - c2)/tau_PAD; reflex gain *= 1 - "
        "D c2";
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

void PostActivationDepression::evaluate(LawContext& c) const {
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const DepressionParams& p = params_[static_cast<std::size_t>(k)];
    const double c1 = c.x[state_index(k, 0)], c2 = c.x[state_index(k, 1)];
    double rate[2];
    depression_rates(p, d.voluntary_excitation[i], c1, c2, rate);
    c.xdot[state_index(k, 0)] = rate[0];
    c.xdot[state_index(k, 1)] = rate[1];
    d.reflex_gain[i] *= 1.0 - p.depth * std::clamp(c2, 0.0, 1.0);
  }
}

void PostActivationDepression::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k) {
    const DepressionParams& p = params_[static_cast<std::size_t>(k)];
    row[channel_index(k, 0)] = 1.0 - p.depth * std::clamp(c.x[state_index(k, 1)], 0.0, 1.0);
  }
}

}  // namespace msk::laws
