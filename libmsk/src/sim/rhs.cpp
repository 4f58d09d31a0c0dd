#include "msk/sim/rhs.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "msk/sim/dynamics.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/kinematics.hpp"

namespace msk {

namespace {

/// Voluntary excitation of muscle i in the current phase: from the phase's time series (linear
/// interpolation in the time since the phase start), or the phase's target ramped over rise_s.
double voluntary_excitation(const Drive& drive, int i, double t, int n_muscles) {
  if (drive.phase == nullptr) return 0.0;
  const std::vector<double>& times = drive.phase->excitation_time;
  if (!times.empty()) {
    const std::vector<double>& table = drive.phase->excitation_table;
    const double s = t - drive.phase_start;
    if (s <= times.front()) return table[i];
    if (s >= times.back()) return table[(times.size() - 1) * n_muscles + i];
    const std::size_t k =
        static_cast<std::size_t>(std::upper_bound(times.begin(), times.end(), s) - times.begin()) -
        1;
    const double w = (s - times[k]) / (times[k + 1] - times[k]);
    return (1.0 - w) * table[k * n_muscles + i] + w * table[(k + 1) * n_muscles + i];
  }
  if (drive.phase->voluntary.empty()) return 0.0;
  const double target = drive.phase->voluntary[i];
  if (target <= 0.0) return 0.0;
  const double rise = drive.phase->rise_s;
  const double ramp = rise > 0.0 ? std::clamp((t - drive.phase_start) / rise, 0.0, 1.0) : 1.0;
  return target * ramp;
}

/// Resets the ports the laws accumulate into.
void reset_ports(const Model& m, Data& data) {
  data.series_elongation.setZero();
  data.parallel_force.setZero();
  data.stretch_tolerance.setOnes();
  data.reflex_threshold_shift.setZero();
  data.reflex_gain.setOnes();
  data.reflex_inhibition.setZero();
  data.reflex_drive.setZero();
  data.reflex_excitation.setZero();
  for (int k = 0; k < m.n_segments(); ++k)
    data.segment_hydration[k] = m.segment_hydration()[static_cast<std::size_t>(k)];
}

/// Runs evaluate() of every law of one stage, in model order.
void run_stage(const Model& m, LawStage stage, LawContext& context) {
  for (int l : m.law_order()) {
    const Law& law = m.law(l);
    if (law.info().stage == stage) law.evaluate(context);
  }
}

}  // namespace

void compute_derivatives(const Model& m, const Drive& drive, double t, const Eigen::VectorXd& x,
                         Data& data) {
  const StateLayout& L = m.layout();
  const int nd = m.n_dofs();
  const Eigen::VectorXd q = x.segment(L.q_offset, nd);
  const Eigen::VectorXd qd = x.segment(L.qd_offset, nd);
  Eigen::VectorXd& xdot = data.xdot;

  // 1. Geometry: body poses, muscle-tendon lengths, velocities, moment arms.
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, qd, data);

  // 2. Voluntary drive; the laws publish what their states imply.
  for (int i = 0; i < m.n_muscles(); ++i)
    data.voluntary_excitation[i] = voluntary_excitation(drive, i, t, m.n_muscles());
  reset_ports(m, data);
  LawContext context{m, data, t, x.data(), xdot.data()};
  for (int l : m.law_order())
    m.law(l).publish(context);

  // 3. Muscle laws by stage; the total excitation, clamped, between the reflex and activation.
  run_stage(m, LawStage::Mechanics, context);
  run_stage(m, LawStage::Series, context);  // published before the mechanics, rates after them
  run_stage(m, LawStage::Tissue, context);
  run_stage(m, LawStage::Modulation, context);
  run_stage(m, LawStage::Reflex, context);
  for (int i = 0; i < m.n_muscles(); ++i)
    data.excitation[i] =
        std::clamp(data.voluntary_excitation[i] + data.reflex_excitation[i], 0.0, 1.0);
  run_stage(m, LawStage::Activation, context);

  // 4. Joint torques: muscles, range limits and damping, and the spinal levels' passive moments
  //    (their compression from the quasi-static joint reactions: gravity, muscles and the
  //    velocity terms, without the accelerations, which depend on these moments).
  data.muscle_moment.noalias() = data.moment_arm.transpose() * data.muscle_force;
  for (int d = 0; d < nd; ++d)
    data.passive_moment[d] = coordinate_limit_moment(m, d, q[d]) - m.dof_damping()[d] * qd[d];
  data.segment_moment.setZero();
  if (m.n_segments() > 0) {
    compute_joint_muscle_geometry(m, data);
    compute_joint_reactions(m, m.gravity(), data.muscle_force, {}, qd, Eigen::VectorXd::Zero(nd),
                            data);
    compute_segment_loads(m, data.segment_hydration, data);
    for (int k = 0; k < m.n_segments(); ++k) {
      const int b = m.segment_body()[k];
      const int d = m.body_dof()[b];
      // Flexion-sense moment to the joint axis (sign), to the coordinate (ratio); the level's
      // damping on its flexion rate ratio * qd.
      const double ratio = m.joint_ratio()[b];
      const double moment = ratio * m.segment_flexion_sign()[k] * data.segment[k].moment;
      data.segment_moment[d] += moment;
      data.passive_moment[d] += moment - m.segment_params()[k].disc.damping * ratio * ratio * qd[d];
    }
    run_stage(m, LawStage::Segment, context);
  }
  data.tau = data.muscle_moment + data.passive_moment;

  // 5. Rigid-body dynamics with the examiner's coordinates (driven at speed * weight, held at
  //    rest) following the examiner: M_ff qdd_f = tau_f - bias_f (qdd = 0 for the constrained
  //    ones), examiner torque = (M qdd + bias - tau)_c on each constrained coordinate c.
  compute_mass_matrix(m, data);
  compute_bias(m, qd, data);
  std::vector<char>& constrained = data.constrained;
  std::fill(constrained.begin(), constrained.end(), 0);
  if (drive.phase != nullptr) {
    for (int d : drive.phase->driven)
      constrained[static_cast<std::size_t>(d)] = 1;
    for (int d : drive.phase->held)
      constrained[static_cast<std::size_t>(d)] = 1;
  }
  data.examiner_torque.setZero();
  std::vector<int>& free = data.free_dofs;
  free.clear();
  for (int d = 0; d < nd; ++d)
    if (!constrained[static_cast<std::size_t>(d)]) free.push_back(d);
  if (static_cast<int>(free.size()) == nd) {
    data.qdd = data.mass_matrix.ldlt().solve(data.tau - data.bias);
  } else {
    data.qdd.setZero();
    const int nf = static_cast<int>(free.size());
    if (nf > 0) {
      Eigen::MatrixXd mff(nf, nf);
      Eigen::VectorXd rhs(nf);
      for (int a = 0; a < nf; ++a) {
        rhs[a] = data.tau[free[a]] - data.bias[free[a]];
        for (int b = 0; b < nf; ++b)
          mff(a, b) = data.mass_matrix(free[a], free[b]);
      }
      const Eigen::VectorXd qf = mff.ldlt().solve(rhs);
      for (int a = 0; a < nf; ++a)
        data.qdd[free[a]] = qf[a];
    }
    for (int d = 0; d < nd; ++d)
      if (constrained[static_cast<std::size_t>(d)])
        data.examiner_torque[d] =
            data.mass_matrix.row(d).dot(data.qdd) + data.bias[d] - data.tau[d];
  }
  // Tissue torque resisting the examiner's motion in the stretch direction.
  const double direction = drive.direction < 0.0 ? -1.0 : 1.0;
  for (int d = 0; d < nd; ++d)
    data.resisting_torque[d] =
        -direction *
        (data.muscle_moment[d] + coordinate_limit_moment(m, d, q[d]) + data.segment_moment[d]);

  for (int d = 0; d < nd; ++d) {
    xdot[L.q_offset + d] = qd[d];
    xdot[L.qd_offset + d] = data.qdd[d];
  }
  if (drive.phase != nullptr) {
    const Phase& phase = *drive.phase;
    for (std::size_t j = 0; j < phase.driven.size(); ++j)
      xdot[L.q_offset + phase.driven[j]] = drive.speed * phase.weight[j];
    for (int d : phase.held)
      xdot[L.q_offset + d] = 0.0;
  }
}

double coordinate_limit_moment(const Model& m, int d, double q) {
  const double k1 = m.dof_limit_stiffness()[d];
  const double k2 = m.dof_limit_sharpness()[d];
  const double lo = std::min(k2 * (m.dof_range_min()[d] - q), 50.0);
  const double hi = std::min(k2 * (q - m.dof_range_max()[d]), 50.0);
  return k1 * (std::exp(lo) - std::exp(hi));
}

void compute_rest_activation(const Model& m, const Eigen::VectorXd& q, Data& data,
                             Eigen::VectorXd& activation) {
  // Steady reflex at rest: u = sum of the laws' rest excitation at the fibre length l(u), solved
  // by fixed-point iteration (the fibre length depends on u only through tendon stretch).
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), data);
  activation.setZero(m.n_muscles());
  for (int i = 0; i < m.n_muscles(); ++i) {
    const auto& p = m.muscle_params()[static_cast<std::size_t>(i)];
    const auto& attached = m.muscle_laws(i);
    muscle::MuscleTendonState& mt = data.mtu[static_cast<std::size_t>(i)];
    auto excitation_at = [&](double norm_length) {
      double u = 0.0;
      for (const auto& [l, k] : attached)
        u += m.law(l).rest_excitation(m, data, k, norm_length);
      return std::clamp(u, 0.0, 1.0);
    };
    double u = 0.0;
    if (p.tendon != muscle::TendonModel::Compliant) {
      // Rigid tendon: the fibre length does not depend on activation; the fixed point is the
      // steady excitation itself.
      muscle::compute_rigid_tendon(p, data.mtu_length[i], 0.0, 0.0, mt);
      u = excitation_at(mt.norm_fibre_length);
    } else {
      for (int it = 0; it < 50; ++it) {
        const double norm_length =
            muscle::equilibrium_fibre_length(p, data.mtu_length[i], u) / p.optimal_fibre_length;
        const double next = excitation_at(norm_length);
        if (std::abs(next - u) < 1e-12) break;
        u = 0.5 * (u + next);
      }
      mt.fibre_length = muscle::equilibrium_fibre_length(p, data.mtu_length[i], u);
      mt.norm_fibre_length = mt.fibre_length / p.optimal_fibre_length;
      mt.fibre_velocity = 0.0;
    }
    data.excitation[i] = u;
    double a = u;
    for (const auto& [l, k] : attached)
      if (m.law_role(l) == "activation") a = m.law(l).rest_activation(k, u);
    data.activation[i] = a;
    activation[i] = a;
  }
}

}  // namespace msk
