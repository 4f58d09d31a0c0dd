#include "msk/laws/muscle/tendon.hpp"

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

namespace {

/// The tissue force beside the fibre, tension-only: at least minus the elastic passive force at
/// the fibre length the tissue laws saw.
double tension_only(const muscle::MuscleTendonParams& p, double parallel, double fibre_length) {
  if (parallel >= 0.0) return parallel;
  const double elastic =
      p.max_isometric_force *
      std::max(0.0, muscle::passive_force_length(p.curves, fibre_length / p.optimal_fibre_length));
  return std::max(parallel, -elastic);
}

LawInfo tendon_info(bool compliant) {
  LawInfo x;
  x.name = compliant ? "compliant_tendon" : "rigid_tendon";
  x.role = "tendon";
  x.domain = LawDomain::Muscle;
  x.stage = LawStage::Mechanics;
  x.summary = compliant ? "elastic tendon: the fibre length is a state (damped equilibrium)"
                        : "inextensible tendon: the fibre length follows the path";
  x.equation = compliant
                   ? "(a f_L(l) f_V(v) + f_PE(l) + beta v) cos(alpha) = f_T(l_T), solved for v"
                   : "l = sqrt((l_MT - L_s)^2 + (L_opt sin alpha_0)^2)";
  x.citation = "Millard et al. 2013, J Biomech Eng 135:021005; De Groote et al. 2016";
  if (compliant) x.states = {{"fibre_length", "m", "fibre length"}};
  return x;
}

}  // namespace

const std::vector<ParamField<NoParams>>& RigidTendon::fields() {
  static const std::vector<ParamField<NoParams>> f;
  return f;
}

const LawInfo& RigidTendon::info() const {
  static const LawInfo i = tendon_info(false);
  return i;
}

void RigidTendon::publish(LawContext& c) const {
  const auto& params = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = params[static_cast<std::size_t>(i)];
    // The series laws' creep lengthens the tendon: the fibre gets the rest of the path.
    const double path = c.data.mtu_length[i] - c.data.series_elongation[i];
    c.data.fibre_length[i] = std::hypot(std::max(path - p.tendon_slack_length, 0.0),
                                        p.optimal_fibre_length * std::sin(p.pennation_at_optimal));
  }
}

void RigidTendon::evaluate(LawContext& c) const {
  const auto& params = c.model.muscle_params();
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = params[static_cast<std::size_t>(i)];
    const double extra = tension_only(p, d.parallel_force[i], d.fibre_length[i]);
    muscle::MuscleTendonState& mt = d.mtu[static_cast<std::size_t>(i)];
    muscle::compute_rigid_tendon(p, d.mtu_length[i] - d.series_elongation[i], d.mtu_velocity[i],
                                 d.activation[i], mt, extra);
    d.passive_force[i] = mt.passive_fibre_force + extra;
    d.muscle_force[i] = mt.tendon_force;
  }
}

const std::vector<ParamField<NoParams>>& CompliantTendon::fields() {
  static const std::vector<ParamField<NoParams>> f;
  return f;
}

const LawInfo& CompliantTendon::info() const {
  static const LawInfo i = tendon_info(true);
  return i;
}

void CompliantTendon::initial_state(const LawContext& c, double* x) const {
  // The fibre starts in static equilibrium with the tendon at the rest activation.
  const auto& params = c.model.muscle_params();
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    x[state_index(k, 0)] = muscle::equilibrium_fibre_length(
        params[static_cast<std::size_t>(i)], c.data.mtu_length[i] - c.data.series_elongation[i],
        c.data.activation[i]);
  }
}

void CompliantTendon::publish(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k)
    c.data.fibre_length[entity(k)] = c.x[state_index(k, 0)];
}

void CompliantTendon::evaluate(LawContext& c) const {
  const auto& params = c.model.muscle_params();
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int i = entity(k);
    const auto& p = params[static_cast<std::size_t>(i)];
    const double lf = c.x[state_index(k, 0)];
    const double extra = tension_only(p, d.parallel_force[i], lf);
    muscle::MuscleTendonState& mt = d.mtu[static_cast<std::size_t>(i)];
    c.xdot[state_index(k, 0)] =
        muscle::compute_compliant_tendon(p, d.mtu_length[i] - d.series_elongation[i],
                                         d.mtu_velocity[i], d.activation[i], lf, mt, extra);
    d.passive_force[i] = mt.passive_fibre_force + extra;
    d.muscle_force[i] = mt.tendon_force;
  }
}

}  // namespace msk::laws
