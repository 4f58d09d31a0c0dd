#include "msk/laws/neural/stretch_reflex.hpp"

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

namespace {

double positive(double v) {
  return v > 0.0 ? v : 0.0;
}

}  // namespace

double static_reflex_drive(const StretchReflexParams& p, double norm_fibre_length, double lambda) {
  const double e = p.gain * (norm_fibre_length - lambda);
  return e > 0.0 ? p.saturation * std::tanh(e / p.saturation) : e;
}

const std::vector<ParamField<StretchReflexParams>>& TonicStretchReflex::fields() {
  static const std::vector<ParamField<StretchReflexParams>> f = {
      {"threshold_offset", &StretchReflexParams::threshold_offset, "L_opt", -1.0, 3.0,
       "model assumption (docs/theory/neural.md): normal tone has no reflex at rest",
       "lambda minus the reference fibre length"},
      {"threshold", &StretchReflexParams::threshold, "L_opt", 0.2, 3.0,
       "none: set only to fix lambda absolutely",
       "absolute threshold lambda (NaN: from the reference and the offset)", true},
      {"gain", &StretchReflexParams::gain, "1/L_opt", 0.0, 100.0,
       "model assumption (docs/theory/neural.md)", "g, excitation per L_opt beyond the threshold"},
      {"velocity_sensitivity", &StretchReflexParams::velocity_sensitivity, "s", 0.0, 2.0,
       "order of 0.05-0.3 s (Levin & Feldman 1994; NEURO_PARAMETERS.md §1a, uncertain)",
       "mu, velocity sensitivity of the threshold"},
      {"time_constant", &StretchReflexParams::time_constant, "s", 1e-4, 1.0,
       "M1 latency 20-30 ms (Lee & Tatton 1975; NEURO_PARAMETERS.md §1b)",
       "tau_r, first-order lag standing for the reflex loop delay"},
      {"saturation", &StretchReflexParams::saturation, "1", 1e-3, 1.0,
       "1 (no ceiling below full excitation) by default; the spine models set 0.1: resting "
       "back-muscle activity in chronic low back pain stays within a few % to about 10 % of "
       "maximum (NEURO_PARAMETERS.md §6; docs/theory/neural.md), an assumption",
       "s, ceiling of the static (length) part of the reflex drive"},
  };
  return f;
}

const LawInfo& TonicStretchReflex::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "tonic_stretch_reflex";
    x.role = "reflex";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Reflex;
    x.summary = "tonic stretch reflex (Feldman's lambda model): tone as a length threshold";
    x.equation =
        "rho = [S(g (l~ - (lambda + dlambda))) + g mu v~]+, S(e) = s tanh(e/s) for e > 0; "
        "dr/dt = (G rho - r)/tau_r; excitation [r - I]+; lambda = l~_ref + threshold_offset";
    x.citation = "Feldman 1986, J Mot Behav 18:17; St-Onge et al. 1997; Levin & Feldman 1994";
    x.hypothesis = "H1";
    x.params = param_infos<StretchReflexParams>(fields());
    x.states = {{"reflex_excitation", "1", "lagged reflex drive r"},
                {"tone_reference_length", "L_opt",
                 "reference fibre length l~_ref of the threshold (the posture the episode "
                 "started in; constant within an episode)"}};
    x.channels = {{"reflex_excitation", "1",
                   "stretch-reflex excitation after depression and reciprocal inhibition"}};
    x.presets = {
        {"hypertonic",
         {{"threshold_offset", -0.02}, {"gain", 3.0}, {"velocity_sensitivity", 0.10}}},
        {"normal", {{"threshold_offset", 0.5}, {"gain", 2.0}, {"velocity_sensitivity", 0.06}}},
        {"hypotonic", {{"threshold_offset", 0.8}, {"gain", 1.0}, {"velocity_sensitivity", 0.03}}},
    };
    return x;
  }();
  return i;
}

double TonicStretchReflex::threshold(const Data& data, int k) const {
  const StretchReflexParams& p = params_[static_cast<std::size_t>(k)];
  return std::isnan(p.threshold) ? data.reflex_reference_length[entity(k)] + p.threshold_offset
                                 : p.threshold;
}

double TonicStretchReflex::rest_excitation(const Model&, const Data& data, int k,
                                           double norm_fibre_length) const {
  return positive(static_reflex_drive(params_[static_cast<std::size_t>(k)], norm_fibre_length,
                                      threshold(data, k)));
}

void TonicStretchReflex::initial_state(const LawContext& c, double* x) const {
  // At rest the lag has settled on the steady drive.
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    x[state_index(k, 0)] =
        std::clamp(rest_excitation(c.model, c.data, k,
                                   c.data.mtu[static_cast<std::size_t>(i)].norm_fibre_length),
                   0.0, 1.0);
    // The central command's reference: the fibre length in the posture the episode starts in.
    x[state_index(k, 1)] = c.data.reflex_reference_length[i];
  }
}

void TonicStretchReflex::publish(LawContext& c) const {
  // The reference carries over with the state (a chained episode keeps the first one's).
  for (int k = 0; k < n_entities(); ++k)
    c.data.reflex_reference_length[entity(k)] = c.x[state_index(k, 1)];
}

void TonicStretchReflex::evaluate(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const StretchReflexParams& p = params_[static_cast<std::size_t>(k)];
    const auto& mt = d.mtu[static_cast<std::size_t>(i)];
    const double v = mt.fibre_velocity / muscles[static_cast<std::size_t>(i)].optimal_fibre_length;
    const double lambda = threshold(d, k) + d.reflex_threshold_shift[i];
    const double drive = positive(static_reflex_drive(p, mt.norm_fibre_length, lambda) +
                                  p.gain * p.velocity_sensitivity * v);
    d.reflex_drive[i] += drive;
    const double r = c.x[state_index(k, 0)];
    c.xdot[state_index(k, 0)] = (drive * d.reflex_gain[i] - r) / p.time_constant;
    c.xdot[state_index(k, 1)] = 0.0;  // set by the central command, constant in an episode
    d.reflex_excitation[i] += positive(r - d.reflex_inhibition[i]);
  }
}

void TonicStretchReflex::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] =
        positive(c.x[state_index(k, 0)] - c.data.reflex_inhibition[entity(k)]);
}

}  // namespace msk::laws
