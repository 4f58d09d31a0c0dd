#include "msk/laws/muscle/thixotropy.hpp"

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

const std::vector<ParamField<ThixotropyParams>>& Thixotropy::fields() {
  static const std::vector<ParamField<ThixotropyParams>> f = {
      {"stiffening", &ThixotropyParams::stiffening, "1", 0.0, 10.0,
       "hypothesis H6; order of magnitude from Lakie & Robson 1988",
       "k_thix, gain of the elastic passive force with every bond formed"},
      {"formation_time_constant", &ThixotropyParams::formation_time_constant, "s", 1e-3, 1e7,
       "hypothesis H6; stiffening continues >= 30 min at rest (Lakie & Robson 1988)",
       "tau_form, time constant of bond formation at rest"},
      {"breaking_rate", &ThixotropyParams::breaking_rate, "1/L_opt", 0.0, 1e4, "hypothesis H6",
       "k_break, bonds broken per optimal fibre length travelled"},
  };
  return f;
}

const LawInfo& Thixotropy::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "thixotropy";
    x.role = "thixotropy";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Tissue;
    x.summary = "history-dependent stiffening of relaxed muscle (bonds form at rest)";
    x.equation = "ds/dt = (1 - s)/tau_form - k_break s |v/L_opt|; passive force += k_thix s F_PE";
    x.citation = "Lakie & Robson 1988, Q J Exp Physiol 73:127; Proske & Morgan 1999";
    x.hypothesis = "H6";
    x.params = param_infos<ThixotropyParams>(fields());
    x.states = {{"thixotropic_bonds", "1", "thixotropic bond fraction s"}};
    x.channels = {{"thixotropic_bonds", "1", "thixotropic bond fraction s"}};
    return x;
  }();
  return i;
}

void Thixotropy::initial_state(const LawContext&, double* x) const {
  for (int k = 0; k < n_entities(); ++k)
    x[state_index(k, 0)] = 1.0;  // a rested muscle has its bonds formed
}

void Thixotropy::publish(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    const double elastic =
        p.max_isometric_force *
        std::max(0.0, muscle::passive_force_length(
                          p.curves, c.data.fibre_length[i] / p.optimal_fibre_length));
    c.data.parallel_force[i] +=
        params_[static_cast<std::size_t>(k)].stiffening * c.x[state_index(k, 0)] * elastic;
  }
}

void Thixotropy::evaluate(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const ThixotropyParams& p = params_[static_cast<std::size_t>(k)];
    const double v = c.data.mtu[static_cast<std::size_t>(i)].fibre_velocity /
                     muscles[static_cast<std::size_t>(i)].optimal_fibre_length;
    const double s = c.x[state_index(k, 0)];
    c.xdot[state_index(k, 0)] =
        (1.0 - s) / p.formation_time_constant - p.breaking_rate * s * std::abs(v);
  }
}

void Thixotropy::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = c.x[state_index(k, 0)];
}

}  // namespace msk::laws
