#include "msk/laws/muscle/tendon_creep.hpp"

#include <algorithm>

#include "msk/model/model.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

double tendon_creep_rate(const TendonCreepParams& p, double slack_length, double force_norm,
                         double elongation) {
  // Target proportional to the tendon tension; faster towards it while creeping than back.
  const double target = p.creep_strain * slack_length * std::max(force_norm, 0.0);
  const double tau = target > elongation ? p.creep_time_constant : p.recovery_time_constant;
  return (target - elongation) / tau;
}

const std::vector<ParamField<TendonCreepParams>>& TendonCreep::fields() {
  static const std::vector<ParamField<TendonCreepParams>> f = {
      {"creep_strain", &TendonCreepParams::creep_strain, "1", 0.0, 0.2,
       "assumption: 1 % of the slack length at F0 held long, of the order of tendon creep strains; "
       "it predicts the 10-21 % drop of muscle-tendon stiffness after maximal contract-relax "
       "(Kay et al. 2015), see docs/theory/pir.md",
       "c_T, creep strain of the series tissue at a tendon force of F0 held long"},
      {"creep_time_constant", &TendonCreepParams::creep_time_constant, "s", 1e-3, 1e5,
       "assumption: seconds, so that contractions of 3-6 s creep the tendon and 1 s ones little "
       "(Kubo et al. 2001)",
       "tau_c, time constant of creep under load"},
      {"recovery_time_constant", &TendonCreepParams::recovery_time_constant, "s", 1e-3, 1e6,
       "assumption: minutes, like the recovery of muscle-tendon stiffness (10-20 min; Ryan et al. "
       "2008)",
       "tau_r, time constant of the recovery once unloaded"},
  };
  return f;
}

const LawInfo& TendonCreep::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "tendon_creep";
    x.role = "tendon_creep";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Series;
    x.summary = "creep of tendon and aponeurosis under sustained tension, slow recovery";
    x.equation =
        "delta_inf = c_T L_s [F_T]+/F0; d delta/dt = (delta_inf - delta)/tau, tau = tau_c if "
        "delta_inf > delta else tau_r; path seen by the tendon law -= delta";
    x.citation =
        "Kubo et al. 2001, J Appl Physiol 91:277; Kay, Husbands-Beasley & Blazevich 2015, Med "
        "Sci Sports Exerc 47:2181";
    x.hypothesis = "H14";
    x.params = param_infos<TendonCreepParams>(fields());
    x.states = {{"tendon_elongation", "m", "creep elongation of tendon and aponeurosis"}};
    x.channels = {{"tendon_elongation", "m", "creep elongation of tendon and aponeurosis"}};
    return x;
  }();
  return i;
}

void TendonCreep::initial_state(const LawContext& c, double* x) const {
  // The fixed point delta = c_T L_s F_T(delta) / F0 at the rest activation (a few iterations:
  // the tension barely changes with delta).
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    const TendonCreepParams& law = params_[static_cast<std::size_t>(k)];
    double delta = 0.0;
    for (int it = 0; it < 20; ++it) {
      const double path = c.data.mtu_length[i] - delta;
      muscle::MuscleTendonState mt;
      if (p.tendon == muscle::TendonModel::Compliant) {
        const double lf = muscle::equilibrium_fibre_length(p, path, c.data.activation[i]);
        muscle::compute_compliant_tendon(p, path, 0.0, c.data.activation[i], lf, mt);
      } else {
        muscle::compute_rigid_tendon(p, path, 0.0, c.data.activation[i], mt);
      }
      const double next =
          law.creep_strain * p.tendon_slack_length * mt.tendon_force / p.max_isometric_force;
      if (std::abs(next - delta) < 1e-12) break;
      delta = next;
    }
    x[state_index(k, 0)] = delta;
    c.data.series_elongation[i] = delta;  // the tendon law's initial state reads it
  }
}

void TendonCreep::publish(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k)
    c.data.series_elongation[entity(k)] += c.x[state_index(k, 0)];
}

void TendonCreep::evaluate(LawContext& c) const {
  const auto& muscles = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = muscles[static_cast<std::size_t>(i)];
    c.xdot[state_index(k, 0)] =
        tendon_creep_rate(params_[static_cast<std::size_t>(k)], p.tendon_slack_length,
                          c.data.muscle_force[i] / p.max_isometric_force, c.x[state_index(k, 0)]);
  }
}

void TendonCreep::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = c.x[state_index(k, 0)];
}

}  // namespace msk::laws
