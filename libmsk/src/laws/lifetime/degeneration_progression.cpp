#include "msk/laws/lifetime/degeneration_progression.hpp"

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

const std::vector<ParamField<DegenerationProgressionParams>>& degeneration_progression_fields() {
  using P = DegenerationProgressionParams;
  static const std::vector<ParamField<P>> f = {
      {"enabled", &P::enabled, "1", 0.0, 1.0, "hypothesis H23 (docs/theory/hypotheses.md)",
       "switch: 1 the degeneration index grows with damage and load, 0 it stays the model's"},
      {"fatigue_rate", &P::fatigue_rate, "1", 0.0, 100.0,
       "hypothesis H23: assumption (a Miner's sum of 1, the expected fatigue failure of an "
       "in-vitro segment, takes a healthy disc to D = 0.39, about Pfirrmann grade 2.6)",
       "k_f, growth of -ln(1 - D) per unit of Miner's sum"},
      {"load_rate", &P::load_rate, "1/s", 0.0, 1e-3,
       "hypothesis H23: assumption (8 h a day 1 kN above the threshold for 10 years: D from 0 "
       "to 0.25, one Pfirrmann grade)",
       "k_s, growth of -ln(1 - D) per second of load drive"},
      {"load_threshold", &P::load_threshold, "N", 0.0, 1e5,
       "hypothesis H23: assumption (about twice the L4-L5 compression of relaxed standing)",
       "C_th, compression above which a sustained load degenerates the disc"},
      {"load_width", &P::load_width, "N", 1.0, 1e4, "numerical: smoothness of the threshold",
       "w, width over which the load drive rises at the threshold"},
      {"load_reference", &P::load_reference, "N", 1.0, 1e5, "scale of the load drive",
       "C_ref, compression above the threshold that gives a drive of 1"},
      {"strength_loss", &P::strength_loss, "1", 0.0, 0.9,
       "hypothesis H23: assumption (segment strength follows bone density and endplate area "
       "more than the disc's grade; Brinckmann et al. 1989, recalled, not re-verified)",
       "c_S, fraction of the ultimate strength lost at D = 1"},
  };
  return f;
}

const LawInfo& degeneration_progression_info() {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "degeneration_progression";
    x.role = "degeneration";
    x.domain = LawDomain::Segment;
    x.stage = LawStage::Segment;
    x.time_scale = TimeScale::Lifetime;
    x.summary =
        "disc degeneration index grows with fatigue damage and sustained load above a threshold";
    x.equation =
        "dD/dt = (1 - D)(k_f dM/dt + k_s softplus(C - C_th; w)/C_ref); S_u(D) = S_u (1 - c_S D)";
    x.citation = "Adams & Roughley 2006 (for); Battie et al. 2009, Sambrook et al. 1999 (against)";
    x.hypothesis = "H23";
    x.params = param_infos<DegenerationProgressionParams>(degeneration_progression_fields());
    x.states = {{"degeneration", "1", "D, the level's degeneration index"}};
    x.channels = x.states;
    return x;
  }();
  return i;
}

void validate(const DegenerationProgressionParams& p) {
  check_fields("degeneration_progression", degeneration_progression_fields(), p);
}

double degeneration_load_drive(const DegenerationProgressionParams& p, double compression) {
  return softplus(compression - p.load_threshold, p.load_width) / p.load_reference;
}

double degeneration_rate(const DegenerationProgressionParams& p, double degeneration,
                         double miner_rate, double compression) {
  if (p.enabled <= 0.0) return 0.0;
  return (1.0 - degeneration) * (p.fatigue_rate * std::max(miner_rate, 0.0) +
                                 p.load_rate * degeneration_load_drive(p, compression));
}

double degeneration_after(const DegenerationProgressionParams& p, double degeneration,
                          double miner_increment, double compression, double duration) {
  if (p.enabled <= 0.0) return degeneration;
  const double exponent = p.fatigue_rate * std::max(miner_increment, 0.0) +
                          p.load_rate * degeneration_load_drive(p, compression) * duration;
  return 1.0 - (1.0 - degeneration) * std::exp(-exponent);
}

double degeneration_strength_factor(const DegenerationProgressionParams& p, double degeneration) {
  if (p.enabled <= 0.0) return 1.0;
  return 1.0 - p.strength_loss * std::clamp(degeneration, 0.0, 1.0);
}

}  // namespace msk::laws
