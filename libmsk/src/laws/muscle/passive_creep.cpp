#include "msk/laws/muscle/passive_creep.hpp"

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

namespace {

/// Elastic passive stress f_PE [1] at normalised length l, tension-only.
double stress(const muscle::MuscleTendonParams& p, double l) {
  return std::max(0.0, muscle::passive_force_length(p.curves, l));
}

}  // namespace

double passive_creep_rate(const PassiveCreepParams& p, double passive_stress, double shift) {
  // Target proportional to the passive stress beyond the habitual; faster towards it while
  // creeping than back.
  const double target = p.creep_gain * std::max(passive_stress, 0.0);
  const double tau = target > shift ? p.creep_time_constant : p.recovery_time_constant;
  return (target - shift) / tau;
}

const std::vector<ParamField<PassiveCreepParams>>& PassiveCreep::fields() {
  static const std::vector<ParamField<PassiveCreepParams>> f = {
      {"creep_gain", &PassiveCreepParams::creep_gain, "L_opt", 0.0, 2.0,
       "calibration: with the quasi-linear branches, a 30-40 % torque drop in a 90 s stretch "
       "(Magnusson et al. 1996) and a 10-20 % stiffness drop after minutes of stretching (Ryan "
       "et al. 2008; Mizuno et al. 2013)",
       "c_p, target slack shift per unit of elastic passive stress beyond the habitual"},
      {"creep_time_constant", &PassiveCreepParams::creep_time_constant, "s", 1e-3, 1e6,
       "calibration: Magnusson et al. 1996 (the drop continues to 90 s)",
       "tau_c, time constant of the creep under stretch"},
      {"recovery_time_constant", &PassiveCreepParams::recovery_time_constant, "s", 1e-3, 1e7,
       "calibration: stiffness back within 10 min after 2 min of stretching and within 20 min "
       "after 4-8 min (Ryan et al. 2008), within 15 min (Mizuno et al. 2013)",
       "tau_r, time constant of the recovery"},
  };
  return f;
}

const LawInfo& PassiveCreep::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "passive_creep";
    x.role = "passive_creep";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Tissue;
    x.summary = "slack length of the passive muscle creeps under stretch, recovers over minutes";
    x.equation =
        "Delta_inf = c_p [f_PE(l~ - Delta) - f_PE(l~_ref)]+; dDelta/dt = (Delta_inf - Delta)/tau, "
        "tau = tau_c if "
        "Delta_inf > Delta else tau_r; passive force += F0 (f_PE(l~ - Delta) - f_PE(l~))";
    x.citation =
        "Ryan et al. 2008, J Orthop Sports Phys Ther 38:632; Mizuno et al. 2013, Scand J Med "
        "Sci Sports 23:23; Magnusson et al. 1996, Scand J Med Sci Sports 6:323";
    x.hypothesis = "H5";
    x.params = param_infos<PassiveCreepParams>(fields());
    x.states = {{"passive_slack_shift", "L_opt", "slack shift of the passive elastic curve"}};
    x.channels = {{"passive_slack_shift", "L_opt", "slack shift of the passive elastic curve"}};
    return x;
  }();
  return i;
}

void PassiveCreep::initial_state(const LawContext& c, double* x) const {
  // The fixed point Delta = c_p [f_PE(l~ - Delta) - f_PE(l~_ref)]+ at the rest fibre length
  // (0 at the habitual length and shorter).
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    const double l = c.data.mtu[static_cast<std::size_t>(i)].norm_fibre_length;
    const double habitual = stress(p, c.data.reflex_reference_length[i]);
    const double gain = params_[static_cast<std::size_t>(k)].creep_gain;
    double shift = 0.0;
    for (int it = 0; it < 50; ++it) {
      const double next = gain * std::max(0.0, stress(p, l - shift) - habitual);
      if (std::abs(next - shift) < 1e-13) break;
      shift = next;
    }
    x[state_index(k, 0)] = shift;
  }
}

void PassiveCreep::publish(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    const double l = c.data.fibre_length[i] / p.optimal_fibre_length;
    const double shift = c.x[state_index(k, 0)];
    c.data.parallel_force[i] += p.max_isometric_force * (stress(p, l - shift) - stress(p, l));
  }
}

void PassiveCreep::evaluate(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    const double l = c.data.mtu[static_cast<std::size_t>(i)].norm_fibre_length;
    const double shift = c.x[state_index(k, 0)];
    const double beyond = stress(p, l - shift) - stress(p, c.data.reflex_reference_length[i]);
    c.xdot[state_index(k, 0)] =
        passive_creep_rate(params_[static_cast<std::size_t>(k)], beyond, shift);
  }
}

void PassiveCreep::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = c.x[state_index(k, 0)];
}

}  // namespace msk::laws
