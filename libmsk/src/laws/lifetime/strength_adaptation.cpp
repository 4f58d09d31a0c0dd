#include "msk/laws/lifetime/strength_adaptation.hpp"

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

struct Compartment {
  double gain_rate, time_constant, max;
};

Compartment compartment(const StrengthAdaptationParams& p, StrengthCompartment c) {
  if (c == StrengthCompartment::Neural)
    return {p.neural_gain_rate, p.neural_time_constant, p.neural_max};
  return {p.morphological_gain_rate, p.morphological_time_constant, p.morphological_max};
}

}  // namespace

const std::vector<ParamField<StrengthAdaptationParams>>& strength_adaptation_fields() {
  using P = StrengthAdaptationParams;
  static const std::vector<ParamField<P>> f = {
      {"enabled", &P::enabled, "1", 0.0, 1.0, "switch",
       "1: strength follows use and training; 0: every muscle keeps the model's strength"},
      {"training_threshold", &P::training_threshold, "1", 0.0, 0.95,
       "assumption within the 40-60 % MVC of loads that drive strength gains in untrained "
       "adults (ACSM 2009 position stand: 60-70 % 1RM for novices, recalled, not re-verified)",
       "a_th, activation above which a bout trains the muscle [fraction of MVC]"},
      {"threshold_width", &P::threshold_width, "1", 1e-4, 0.2,
       "numerical: smoothness of the threshold",
       "w, width over which the training stimulus rises at the threshold"},
      {"overload_margin", &P::overload_margin, "1", 0.0, 0.5,
       "assumption: the overload principle (gains need loads beyond the habitual; ACSM 2009, "
       "recalled, not re-verified), margin not fitted",
       "m_o, how far above its habitual peak activation a muscle must work to train"},
      {"neural_gain_rate", &P::neural_gain_rate, "1/s", 0.0, 1.0,
       "calibration: Narici et al. 1989 (MVC +20.8 % with CSA +8.5 % after 60 days; case "
       "narici1989_training)",
       "k_n, neural gain rate per second of maximal training stimulus"},
      {"neural_time_constant", &P::neural_time_constant, "s", 86400.0, 1e9,
       "assumption: neural gains mostly within the first 3-5 weeks (Moritani & deVries 1979)",
       "tau_n, time constant of the neural compartment's return to its use target"},
      {"neural_max", &P::neural_max, "1", 1.0, 3.0,
       "assumption: iEMG +42 % after 60 days of training (Narici et al. 1989)",
       "s_n,max, largest neural ratio training drives toward"},
      {"morphological_gain_rate", &P::morphological_gain_rate, "1/s", 0.0, 1.0,
       "calibration: Narici et al. 1989 (quadriceps CSA +8.5 % after 60 days; case "
       "narici1989_training)",
       "k_m, morphological gain rate per second of maximal training stimulus"},
      {"morphological_time_constant", &P::morphological_time_constant, "s", 86400.0, 1e10,
       "assumption: hypertrophy over months (Narici et al. 1996: CSA still rising at 6 months); "
       "checked against the CSA lost in bed rest (Marusic et al. 2021)",
       "tau_m, time constant of the morphological compartment's return to its use target"},
      {"morphological_max", &P::morphological_max, "1", 1.0, 5.0,
       "assumption: long-term hypertrophy well beyond Narici et al. 1996's +18.8 % in 6 months",
       "s_m,max, largest cross-sectional area ratio training drives toward"},
      {"use_slope", &P::use_slope, "1", 0.0, 5.0,
       "calibration: McDonnell et al. in Marusic et al. 2021 (10 days of bed rest: knee "
       "extensor MVC -14.5 %; case mcdonnell_bed_rest_strength)",
       "d, change of the use target per unit of relative use"},
      {"use_floor", &P::use_floor, "1", 1e-5, 0.2,
       "assumption: activation that counts as no use (a muscle at rest)",
       "a_0, added to the activation in the relative use (a + a_0) / u_ref"},
      {"min_ratio", &P::min_ratio, "1", 0.05, 1.0,
       "assumption: strength does not fall below half in disuse within the model's range",
       "T_min, lower bound of the use target"},
      {"max_use_ratio", &P::max_use_ratio, "1", 1.0, 5.0,
       "assumption: sub-threshold use above the habitual raises strength by at most 20 %",
       "T_max, upper bound of the use target"},
      {"bound_width", &P::bound_width, "1", 1e-4, 0.2, "numerical: smoothness of the bound",
       "width over which the use target saturates at its bounds"},
  };
  return f;
}

const LawInfo& strength_adaptation_info() {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "strength_adaptation";
    x.role = "strength";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Tissue;
    x.time_scale = TimeScale::Lifetime;
    x.summary =
        "maximal isometric force follows training and use in a neural and a morphological "
        "compartment";
    x.equation =
        "F_max = s_n s_m F_max,0; ds/dt = k g(a) (s_max - s) + (T(a) - s)/tau per compartment, "
        "g(a) = softplus(a - a_th; w)/(1 - a_th), T(a) = S(1 + d ((a + a_0)/u_ref - 1))";
    x.citation =
        "Moritani & deVries 1979; Narici et al. 1989; Narici et al. 1996; Marusic et al. 2021";
    x.hypothesis = "";
    x.params = param_infos<StrengthAdaptationParams>(strength_adaptation_fields());
    x.states = {{"strength_neural", "1", "s_n, neural compartment of F_max / F_max,0"},
                {"strength_morphological", "1",
                 "s_m, morphological compartment (cross-sectional area ratio)"}};
    x.channels = {{"strength_ratio", "1", "s = s_n s_m = F_max / F_max,0"},
                  {"strength_neural", "1", "s_n"},
                  {"strength_morphological", "1", "s_m"}};
    return x;
  }();
  return i;
}

void validate(const StrengthAdaptationParams& p) {
  check_fields("strength_adaptation", strength_adaptation_fields(), p);
  if (!(p.min_ratio < p.max_use_ratio))
    throw InvalidArgument("strength_adaptation.min_ratio: expected < max_use_ratio, got " +
                          std::to_string(p.min_ratio));
}

double strength_training_threshold(const StrengthAdaptationParams& p, double habitual_peak) {
  return std::min(0.95, std::max(p.training_threshold, habitual_peak + p.overload_margin));
}

double strength_stimulus(const StrengthAdaptationParams& p, double activation) {
  const double a = std::clamp(activation, 0.0, 1.0);
  return softplus(a - p.training_threshold, p.threshold_width) / (1.0 - p.training_threshold);
}

double strength_use_target(const StrengthAdaptationParams& p, double activation,
                           double use_reference) {
  const double a = std::clamp(activation, 0.0, 1.0);
  const double x = 1.0 + p.use_slope * ((a + p.use_floor) / use_reference - 1.0);
  // Smooth clamp to [T_min, T_max].
  return p.min_ratio + softplus(x - p.min_ratio, p.bound_width) -
         softplus(x - p.max_use_ratio, p.bound_width);
}

double strength_rate(const StrengthAdaptationParams& p, StrengthCompartment c, double ratio,
                     double activation, double use_reference) {
  if (p.enabled <= 0.0) return 0.0;
  const Compartment k = compartment(p, c);
  return k.gain_rate * strength_stimulus(p, activation) * (k.max - ratio) +
         (strength_use_target(p, activation, use_reference) - ratio) / k.time_constant;
}

double strength_ratio_after(const StrengthAdaptationParams& p, StrengthCompartment c, double ratio,
                            double activation, double use_reference, double duration) {
  if (p.enabled <= 0.0) return ratio;
  const Compartment k = compartment(p, c);
  const double drive = k.gain_rate * strength_stimulus(p, activation);
  const double lambda = drive + 1.0 / k.time_constant;
  const double target =
      (drive * k.max + strength_use_target(p, activation, use_reference) / k.time_constant) /
      lambda;
  return target + (ratio - target) * std::exp(-lambda * duration);
}

namespace {

/// Checks a week of bouts; returns its total duration [s].
double week_duration(const std::vector<double>& activations, const std::vector<double>& durations,
                     const char* where) {
  if (activations.size() != durations.size())
    throw InvalidArgument(std::string(where) + ": expected as many durations as activations, got " +
                          std::to_string(durations.size()) + " and " +
                          std::to_string(activations.size()));
  double total = 0.0;
  for (double d : durations)
    total += std::max(d, 0.0);
  if (!(total > 0.0))
    throw InvalidArgument(std::string(where) + ": expected durations that add up to some time");
  return total;
}

}  // namespace

double strength_use_reference(const StrengthAdaptationParams& p,
                              const std::vector<double>& activations,
                              const std::vector<double>& durations) {
  week_duration(activations, durations, "strength_use_reference");
  // The week's mean use target minus 1 (times its duration): decreasing in u_ref.
  const auto excess = [&](double u) {
    double f = 0.0;
    for (std::size_t j = 0; j < activations.size(); ++j)
      f += std::max(durations[j], 0.0) * (strength_use_target(p, activations[j], u) - 1.0);
    return f;
  };
  double lo = std::log(1e-6), hi = std::log(1e3);
  for (int it = 0; it < 200 && hi - lo > 1e-13; ++it) {
    const double mid = 0.5 * (lo + hi);
    (excess(std::exp(mid)) > 0.0 ? lo : hi) = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

double strength_adapted_ratio(const StrengthAdaptationParams& p, StrengthCompartment c,
                              const std::vector<double>& activations,
                              const std::vector<double>& durations, double use_reference) {
  const double total = week_duration(activations, durations, "strength_adapted_ratio");
  if (p.enabled <= 0.0) return 1.0;
  const Compartment k = compartment(p, c);
  double drive = 0.0, target = 0.0;
  for (std::size_t j = 0; j < activations.size(); ++j) {
    const double w = std::max(durations[j], 0.0) / total;
    drive += w * k.gain_rate * strength_stimulus(p, activations[j]);
    target += w * strength_use_target(p, activations[j], use_reference);
  }
  return (drive * k.max + target / k.time_constant) / (drive + 1.0 / k.time_constant);
}

}  // namespace msk::laws
