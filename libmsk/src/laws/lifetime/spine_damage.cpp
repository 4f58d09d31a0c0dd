#include "msk/laws/lifetime/spine_damage.hpp"

#include <cmath>
#include <limits>

#include "msk/error.hpp"

namespace msk::laws {

const std::vector<ParamField<SpineDamageParams>>& spine_damage_fields() {
  using P = SpineDamageParams;
  static const std::vector<ParamField<P>> f = {
      {"ultimate_strength", &P::ultimate_strength, "N", 100.0, 5e4,
       "Brinckmann, Biggemann & Hilweg 1989 (in-vitro lumbar strengths of a few kN to over "
       "10 kN); 5 kN a middle-aged segment (assumption)",
       "S_u, ultimate compressive strength of the segment"},
      {"sn_slope", &P::sn_slope, "1", 0.01, 1.0,
       "calibration: Brinckmann et al. 1988 (about half of the segments failed within 5000 cycles "
       "at 40-50 % of S_u)",
       "b, fall of the fatigue strength per decade of cycles (fraction of S_u)"},
      {"lifft_a", &P::lifft_a, "1", 1.0, 1e9,
       "Gallagher et al. 2017 (LiFFT; value as recalled, not re-verified)",
       "a, cycles to failure of a lift with no load moment"},
      {"lifft_b", &P::lifft_b, "1/(N m)", 0.0, 10.0,
       "Gallagher et al. 2017 (LiFFT; value as recalled, not re-verified)",
       "b_L, fall of the log cycles to failure per N m of peak load moment"},
      {"lifft_c0", &P::lifft_c0, "1", -100.0, 100.0,
       "Gallagher et al. 2017 (LiFFT; value as recalled, not re-verified)",
       "c_0, intercept of the high-risk job logistic model"},
      {"lifft_c1", &P::lifft_c1, "1", -100.0, 100.0,
       "Gallagher et al. 2017 (LiFFT; value as recalled, not re-verified)",
       "c_1, slope of the high-risk job logistic model per decade of CD"},
  };
  return f;
}

const LawInfo& spine_damage_info() {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "spine_damage";
    x.role = "damage";
    x.domain = LawDomain::Segment;
    x.stage = LawStage::Segment;
    x.time_scale = TimeScale::Lifetime;
    x.summary = "fatigue damage (Miner, Brinckmann S-N), LiFFT lifting damage and load doses";
    x.equation =
        "D += 1/N(C), log10 N = (1 - C/S_u)/b; CD += 1/(a exp(-b_L PLM)); "
        "P = logistic(c_0 + c_1 log10 CD)";
    x.citation = "Brinckmann, Biggemann & Hilweg 1988; Miner 1945; Gallagher et al. 2017";
    x.params = param_infos<SpineDamageParams>(spine_damage_fields());
    x.states = {{"fatigue_damage", "1", "Miner's sum of the level"},
                {"sustained_dose", "N s", "time integral of the compression"},
                {"facet_dose", "N s", "time integral of the facet force"},
                {"nerve_root_risk_time", "s", "time integral of the nerve-root risk"},
                {"stenosis_time", "s", "time with the foramen at or below its threshold"}};
    x.channels = x.states;
    return x;
  }();
  return i;
}

void validate(const SpineDamageParams& p) {
  check_fields("spine_damage", spine_damage_fields(), p);
}

double cycles_to_failure(const SpineDamageParams& p, double compression) {
  if (compression <= 0.0) return std::numeric_limits<double>::infinity();
  // Brinckmann 1988 S-N line: S/S_u = 1 - b log10 N.
  return std::pow(10.0, (1.0 - compression / p.ultimate_strength) / p.sn_slope);
}

double fatigue_damage_per_cycle(const SpineDamageParams& p, double compression) {
  return compression <= 0.0 ? 0.0 : 1.0 / cycles_to_failure(p, compression);
}

double lifft_damage_per_lift(const SpineDamageParams& p, double peak_load_moment) {
  return 1.0 / (p.lifft_a * std::exp(-p.lifft_b * std::max(peak_load_moment, 0.0)));
}

double lifft_high_risk_probability(const SpineDamageParams& p, double cumulative_damage) {
  if (cumulative_damage <= 0.0) return 0.0;
  const double z = p.lifft_c0 + p.lifft_c1 * std::log10(cumulative_damage);
  return 1.0 / (1.0 + std::exp(-z));
}

}  // namespace msk::laws
