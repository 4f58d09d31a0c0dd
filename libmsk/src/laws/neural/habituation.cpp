#include "msk/laws/neural/habituation.hpp"

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

namespace {

/// The static drive of the reflex laws of muscle i at its present fibre length [1].
double static_drive(const Model& m, const Data& d, int i) {
  double drive = 0.0;
  const double l = d.mtu[static_cast<std::size_t>(i)].norm_fibre_length;
  for (const auto& [l_index, k] : m.muscle_laws(i))
    drive += m.law(l_index).rest_excitation(m, d, k, l);
  return drive;
}

}  // namespace

double habituation_target(const HabituationParams& p, double drive) {
  const double D = std::max(drive, 0.0);
  return p.fraction * D / (D + p.half_drive);
}

const std::vector<ParamField<HabituationParams>>& PosturalHabituation::fields() {
  static const std::vector<ParamField<HabituationParams>> f = {
      {"fraction", &HabituationParams::fraction, "1", 0.0, 1.0,
       "assumption: reflexive EMG decays but persists through a held flexion (Solomonow et al. "
       "2003); no human value found",
       "f, largest fraction of the tonic reflex drive that fades in a held posture"},
      {"half_drive", &HabituationParams::half_drive, "1", 1e-4, 1.0,
       "assumption: the scale of resting tone (a few % of maximum)",
       "D_50, static reflex drive that gives half of f"},
      {"time_constant", &HabituationParams::time_constant, "s", 1.0, 36000.0,
       "multifidus EMG fell within the first 3 min of a static flexion (cat; Solomonow et al. "
       "2003, J Electromyogr Kinesiol 13:381)",
       "tau_h, time constant of the habituation and of its recovery"},
  };
  return f;
}

const LawInfo& PosturalHabituation::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "postural_habituation";
    x.role = "habituation";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Modulation;
    x.summary = "the tonic stretch reflex habituates to a held posture over minutes";
    x.equation =
        "D = static reflex drive; h_inf = f D/(D + D_50); dh/dt = (h_inf - h)/tau_h; reflex gain "
        "*= 1 - h; held T from rest: h = h_inf (1 - exp(-T/tau_h))";
    x.citation =
        "Solomonow et al. 2003, J Electromyogr Kinesiol 13:381; Rothwell et al. 1986, Exp Brain "
        "Res 63:197";
    x.hypothesis = "H18";
    x.params = param_infos<HabituationParams>(fields());
    x.states = {{"habituation", "1", "habituated fraction h of the tonic reflex drive"}};
    x.channels = {{"habituation_factor", "1", "reflex gain factor 1 - h from habituation"}};
    return x;
  }();
  return i;
}

void PosturalHabituation::initial_state(const LawContext&, double* x) const {
  // A posture just taken: nothing has habituated yet.
  for (int k = 0; k < n_entities(); ++k)
    x[state_index(k, 0)] = 0.0;
}

void PosturalHabituation::evaluate(LawContext& c) const {
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const HabituationParams& p = params_[static_cast<std::size_t>(k)];
    const double h = c.x[state_index(k, 0)];
    c.xdot[state_index(k, 0)] =
        (habituation_target(p, static_drive(c.model, d, i)) - h) / p.time_constant;
    d.reflex_gain[i] *= 1.0 - std::clamp(h, 0.0, 1.0);
  }
}

void PosturalHabituation::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = 1.0 - std::clamp(c.x[state_index(k, 0)], 0.0, 1.0);
}

double PosturalHabituation::rest_gain(const Model&, const Data& data, int k, double,
                                      double drive) const {
  const HabituationParams& p = params_[static_cast<std::size_t>(k)];
  const double held = std::max(data.hold_duration, 0.0);
  return 1.0 - habituation_target(p, drive) * (1.0 - std::exp(-held / p.time_constant));
}

}  // namespace msk::laws
