#include "msk/laws/neural/stretch_depression.hpp"

#include <algorithm>

#include "msk/sim/data.hpp"

namespace msk::laws {

double stretch_depression_rate(const StretchDepressionParams& p, double stretch, double z) {
  // Graded, saturating target; quicker onset than offset.
  const double s = std::max(stretch, 0.0);
  const double target = p.depth * s / (s + p.half_stretch);
  const double tau = target > z ? p.onset_time_constant : p.offset_time_constant;
  return (target - z) / tau;
}

const std::vector<ParamField<StretchDepressionParams>>& StretchReflexDepression::fields() {
  static const std::vector<ParamField<StretchDepressionParams>> f = {
      {"depth", &StretchDepressionParams::depth, "1", 0.0, 1.0,
       "H-reflex about 30 % of control 2 s after a slow stretch (NEURO_PARAMETERS.md §3)",
       "D_s, largest depression of the reflex gain"},
      {"half_stretch", &StretchDepressionParams::half_stretch, "L_opt", 1e-4, 2.0,
       "assumption (no human value found)",
       "s_50, stretch beyond the reference length that gives half of D_s"},
      {"onset_time_constant", &StretchDepressionParams::onset_time_constant, "s", 1e-3, 600.0,
       "assumption: depression present within 2 s of a slow stretch (NEURO_PARAMETERS.md §3)",
       "tau_on, time constant of the onset"},
      {"offset_time_constant", &StretchDepressionParams::offset_time_constant, "s", 1e-3, 600.0,
       "assumption: the depression lasts 10-15 s after a stretch (NEURO_PARAMETERS.md §3) and "
       "recovers quickly once the stretch stops (Guissard et al. 1988)",
       "tau_off, time constant of the recovery"},
  };
  return f;
}

const LawInfo& StretchReflexDepression::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "stretch_reflex_depression";
    x.role = "stretch_depression";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Modulation;
    x.summary = "the stretch reflex is depressed during a sustained stretch and for seconds after";
    x.equation =
        "s = [l~ - l~_ref]+; z_inf = D_s s/(s + s_50); dz/dt = (z_inf - z)/tau, tau = tau_on if "
        "z_inf > z else tau_off; reflex gain *= 1 - z";
    x.citation =
        "Etnyre & Abraham 1986, Electroencephalogr Clin Neurophysiol 63:174; Guissard, "
        "Duchateau & Hainaut 1988, Eur J Appl Physiol 58:47";
    x.hypothesis = "H16";
    x.params = param_infos<StretchDepressionParams>(fields());
    x.states = {{"stretch_depression", "1", "depression z of the reflex gain by stretch"}};
    x.channels = {{"stretch_depression_factor", "1", "reflex gain factor 1 - z from stretch"}};
    return x;
  }();
  return i;
}

void StretchReflexDepression::initial_state(const LawContext& c, double* x) const {
  // At rest the depression has settled on the rest length's stretch.
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const StretchDepressionParams& p = params_[static_cast<std::size_t>(k)];
    const double s = std::max(c.data.mtu[static_cast<std::size_t>(i)].norm_fibre_length -
                                  c.data.reflex_reference_length[i],
                              0.0);
    x[state_index(k, 0)] = p.depth * s / (s + p.half_stretch);
  }
}

void StretchReflexDepression::evaluate(LawContext& c) const {
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const double stretch =
        d.mtu[static_cast<std::size_t>(i)].norm_fibre_length - d.reflex_reference_length[i];
    const double z = c.x[state_index(k, 0)];
    c.xdot[state_index(k, 0)] =
        stretch_depression_rate(params_[static_cast<std::size_t>(k)], stretch, z);
    d.reflex_gain[i] *= 1.0 - std::clamp(z, 0.0, 1.0);
  }
}

void StretchReflexDepression::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = 1.0 - std::clamp(c.x[state_index(k, 0)], 0.0, 1.0);
}

double StretchReflexDepression::rest_gain(const Model&, const Data& data, int k,
                                          double norm_fibre_length, double) const {
  const StretchDepressionParams& p = params_[static_cast<std::size_t>(k)];
  const double s = std::max(norm_fibre_length - data.reflex_reference_length[entity(k)], 0.0);
  return 1.0 - p.depth * s / (s + p.half_stretch);
}

}  // namespace msk::laws
