#include "msk/laws/muscle/viscoelasticity.hpp"

#include "msk/model/model.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

const std::vector<ParamField<ViscoelasticityParams>>& QlvViscoelasticity::fields() {
  static const std::vector<ParamField<ViscoelasticityParams>> f = {
      {"gain_1", &ViscoelasticityParams::gain_1, "1", 0.0, 10.0,
       "calibration: Magnusson et al. 1996 (30-40 % drop in 90 s)",
       "g_1, share of the elastic force step carried by branch 1"},
      {"time_constant_1", &ViscoelasticityParams::time_constant_1, "s", 1e-3, 1e6,
       "calibration: Magnusson et al. 1996 (most of the drop within 15-45 s)",
       "tau_1, relaxation time of branch 1"},
      {"gain_2", &ViscoelasticityParams::gain_2, "1", 0.0, 10.0,
       "calibration: Magnusson et al. 1996", "g_2, share carried by branch 2"},
      {"time_constant_2", &ViscoelasticityParams::time_constant_2, "s", 1e-3, 1e6,
       "calibration: Magnusson et al. 1996", "tau_2, relaxation time of branch 2"},
  };
  return f;
}

const LawInfo& QlvViscoelasticity::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "qlv_viscoelasticity";
    x.role = "viscoelasticity";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Tissue;
    x.summary = "stress relaxation of the passive fibre force (two Maxwell branches)";
    x.equation = "dh_k/dt = g_k F0 f_PE'(l~) v/L_opt - h_k/tau_k; passive force += h_1 + h_2";
    x.citation = "Fung 1981 (QLV); Magnusson et al. 1996, Scand J Med Sci Sports 6:323";
    x.params = param_infos<ViscoelasticityParams>(fields());
    x.states = {{"viscoelastic_force1", "N", "force of viscoelastic branch 1"},
                {"viscoelastic_force2", "N", "force of viscoelastic branch 2"}};
    return x;
  }();
  return i;
}

void QlvViscoelasticity::publish(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k)
    c.data.parallel_force[entity(k)] += c.x[state_index(k, 0)] + c.x[state_index(k, 1)];
}

void QlvViscoelasticity::evaluate(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    const ViscoelasticityParams& v = params_[static_cast<std::size_t>(k)];
    const auto& mt = c.data.mtu[static_cast<std::size_t>(i)];
    // Rate of the elastic passive force along the fibre [N/s].
    const double dfpe = p.max_isometric_force *
                        muscle::passive_force_length_derivative(p.curves, mt.norm_fibre_length) *
                        mt.fibre_velocity / p.optimal_fibre_length;
    const int s1 = state_index(k, 0), s2 = state_index(k, 1);
    c.xdot[s1] = v.gain_1 * dfpe - c.x[s1] / v.time_constant_1;
    c.xdot[s2] = v.gain_2 * dfpe - c.x[s2] / v.time_constant_2;
  }
}

}  // namespace msk::laws
