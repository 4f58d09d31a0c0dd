#include "msk/laws/lifetime/sarcomere_adaptation.hpp"

#include <algorithm>
#include <cmath>

#include "msk/error.hpp"

namespace msk::laws {

namespace {

/// softplus(x; w) = w log(1 + exp(x / w)), computed without overflow.
double softplus(double x, double w) {
  const double z = x / w;
  return w * (z > 30.0 ? z : std::log1p(std::exp(z)));
}

}  // namespace

const std::vector<ParamField<SarcomereAdaptationParams>>& sarcomere_adaptation_fields() {
  using P = SarcomereAdaptationParams;
  static const std::vector<ParamField<P>> f = {
      {"time_constant", &P::time_constant, "s", 3600.0, 1e9,
       "calibration: Tabary et al. 1972 (change complete within ~4 weeks, and back within ~4 "
       "weeks); Williams & Goldspink 1978",
       "tau, time constant of serial sarcomere adaptation"},
      {"min_ratio", &P::min_ratio, "1", 0.1, 1.0,
       "Tabary et al. 1972 (-40 % sarcomeres immobilised shortened)",
       "rho_min, smallest L_opt / L_opt,0"},
      {"max_ratio", &P::max_ratio, "1", 1.0, 3.0,
       "Tabary et al. 1972 (+20 % sarcomeres immobilised lengthened)",
       "rho_max, largest L_opt / L_opt,0"},
      {"bound_width", &P::bound_width, "1", 1e-4, 0.2, "numerical: smoothness of the bound",
       "width over which the bound saturates"},
      {"activity_weighting", &P::activity_weighting, "1", 0.0, 1.0,
       "hypothesis H21 (docs/theory/hypotheses.md)",
       "switch: 1 weights a bout's time by the muscle's activation, 0 counts time alone"},
      {"activation_weight", &P::activation_weight, "1", 0.0, 100.0,
       "hypothesis H21: assumption (active hours count double at full activation)",
       "c_a, extra weight of an hour per unit activation"},
  };
  return f;
}

const LawInfo& sarcomere_adaptation_info() {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "sarcomere_adaptation";
    x.role = "sarcomere_number";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Tissue;
    x.time_scale = TimeScale::Lifetime;
    x.summary = "optimal fibre length (serial sarcomere number) follows the habitual fibre length";
    x.equation = "drho/dt = (1 + c_a a) (S(l/l_ref) - rho)/tau, rho = L_opt/L_opt,0";
    x.citation = "Tabary et al. 1972; Williams & Goldspink 1978";
    x.hypothesis = "H21 (activity weighting)";
    x.params = param_infos<SarcomereAdaptationParams>(sarcomere_adaptation_fields());
    x.states = {{"optimal_length_ratio", "1", "L_opt / L_opt,0"}};
    x.channels = x.states;
    return x;
  }();
  return i;
}

void validate(const SarcomereAdaptationParams& p) {
  check_fields("sarcomere_adaptation", sarcomere_adaptation_fields(), p);
  if (!(p.min_ratio < p.max_ratio))
    throw InvalidArgument("sarcomere_adaptation.min_ratio: expected < max_ratio, got " +
                          std::to_string(p.min_ratio));
}

double sarcomere_target(const SarcomereAdaptationParams& p, double fibre_ratio) {
  // Smooth clamp: rho_min + softplus(x - rho_min) - softplus(x - rho_max).
  const double w = p.bound_width;
  return p.min_ratio + softplus(fibre_ratio - p.min_ratio, w) -
         softplus(fibre_ratio - p.max_ratio, w);
}

double sarcomere_weight(const SarcomereAdaptationParams& p, double activation) {
  return 1.0 + p.activity_weighting * p.activation_weight * std::clamp(activation, 0.0, 1.0);
}

double sarcomere_rate(const SarcomereAdaptationParams& p, double ratio, double fibre_ratio,
                      double activation) {
  return sarcomere_weight(p, activation) * (sarcomere_target(p, fibre_ratio) - ratio) /
         p.time_constant;
}

double sarcomere_ratio_after(const SarcomereAdaptationParams& p, double ratio, double fibre_ratio,
                             double activation, double duration) {
  const double target = sarcomere_target(p, fibre_ratio);
  return target +
         (ratio - target) * std::exp(-duration * sarcomere_weight(p, activation) / p.time_constant);
}

}  // namespace msk::laws
