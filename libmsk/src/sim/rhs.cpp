#include "msk/sim/rhs.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "msk/error.hpp"
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
  data.abdominal_pressure.setZero();
  for (int k = 0; k < m.n_segments(); ++k)
    data.segment_hydration[k] = m.segment_hydration()[static_cast<std::size_t>(k)];
}

/// The state of law l that most likely made it refuse its input: a non-finite one, else the
/// smallest length [m] (lengths must stay positive), else the law's first state; "" without
/// states.
std::string suspect_state(const Model& m, int l, const double* x) {
  const Law& law = m.law(l);
  const StateLayout& L = m.layout();
  if (law.n_states() == 0 || law.n_entities() == 0) return "";
  int best = law.state_index(0, 0);
  double smallest = std::numeric_limits<double>::infinity();
  for (int k = 0; k < law.n_entities(); ++k) {
    for (int j = 0; j < law.n_states(); ++j) {
      const int s = law.state_index(k, j);
      if (!std::isfinite(x[s])) return L.names[static_cast<std::size_t>(s)];
      if (L.units[static_cast<std::size_t>(s)] == "m" && x[s] < smallest) {
        smallest = x[s];
        best = s;
      }
    }
  }
  return L.names[static_cast<std::size_t>(best)];
}

/// A law refused its input (InvalidArgument): a SimulationError naming the time, the law and the
/// state that most likely left its domain (a trial stage of a step too long, usually).
[[noreturn]] void law_failed(const Model& m, int l, const LawContext& context,
                             const InvalidArgument& error) {
  std::string channel = suspect_state(m, l, context.x);
  if (channel.empty()) channel = "<" + m.law(l).info().role + ">";
  throw SimulationError(context.t, channel, m.law(l).info().name,
                        std::string("the law refused its input: ") + error.what());
}

/// Runs evaluate() of every law of one stage, in model order (Model::law_order is sorted by stage;
/// Data::work.stage_begin says where each stage starts in it).
void run_stage(const Model& m, LawStage stage, LawContext& context) {
  const std::vector<int>& order = m.law_order();
  const std::vector<int>& begin = context.data.work.stage_begin;
  const int s = static_cast<int>(stage);
  for (int n = begin[static_cast<std::size_t>(s)]; n < begin[static_cast<std::size_t>(s) + 1];
       ++n) {
    const int l = order[static_cast<std::size_t>(n)];
    try {
      m.law(l).evaluate(context);
    } catch (const InvalidArgument& error) {
      law_failed(m, l, context, error);
    }
  }
}

}  // namespace

void compute_derivatives(const Model& m, const Drive& drive, double t, const Eigen::VectorXd& x,
                         Data& data) {
  const StateLayout& L = m.layout();
  const int nd = m.n_dofs();
  // q and qd live in the workspace: nothing is allocated per call.
  data.q = x.segment(L.q_offset, nd);
  data.qd = x.segment(L.qd_offset, nd);
  const Eigen::VectorXd& q = data.q;
  const Eigen::VectorXd& qd = data.qd;
  Eigen::VectorXd& xdot = data.xdot;

  // 1. Geometry: body poses, muscle-tendon lengths, velocities, moment arms.
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, qd, data);

  // 2. Voluntary drive; the laws publish what their states imply.
  for (int i = 0; i < m.n_muscles(); ++i)
    data.voluntary_excitation[i] = voluntary_excitation(drive, i, t, m.n_muscles());
  reset_ports(m, data);
  LawContext context{m, data, t, x.data(), xdot.data()};
  for (int l : m.law_order()) {
    try {
      m.law(l).publish(context);
    } catch (const InvalidArgument& error) {
      law_failed(m, l, context, error);
    }
  }

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
  data.trunk_moment.setZero();
  data.trunk_loads.clear();
  if (m.n_segments() > 0) {
    compute_joint_muscle_geometry(m, data);
    // The trunk's elements (from the muscles' forces and moment arms); everything below
    // includes their forces.
    run_stage(m, LawStage::Trunk, context);
    add_point_load_torques(m, data, data.trunk_loads, data.trunk_moment);
    compute_joint_reactions(m, m.gravity(), data.muscle_force, data.trunk_loads, qd,
                            data.work.zero_dofs, data);
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
  data.tau = data.muscle_moment + data.passive_moment + data.trunk_moment;

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
  Data::Workspace& w = data.work;
  w.free_dofs.clear();
  for (int d = 0; d < nd; ++d)
    if (!constrained[static_cast<std::size_t>(d)]) w.free_dofs.push_back(d);
  if (static_cast<int>(w.free_dofs.size()) == nd) {
    data.qdd = data.tau - data.bias;
    w.mass_ldlt.compute(data.mass_matrix);
    w.mass_ldlt.solveInPlace(data.qdd);
  } else {
    data.qdd.setZero();
    const int nf = static_cast<int>(w.free_dofs.size());
    if (nf > 0) {
      // Sized once per set of constrained coordinates (a phase's), not per call.
      if (w.mass_free.rows() != nf) {
        w.mass_free.resize(nf, nf);
        w.rhs_free.resize(nf);
      }
      for (int a = 0; a < nf; ++a) {
        w.rhs_free[a] = data.tau[w.free_dofs[a]] - data.bias[w.free_dofs[a]];
        for (int b = 0; b < nf; ++b)
          w.mass_free(a, b) = data.mass_matrix(w.free_dofs[a], w.free_dofs[b]);
      }
      w.free_ldlt.compute(w.mass_free);
      w.free_ldlt.solveInPlace(w.rhs_free);
      for (int a = 0; a < nf; ++a)
        data.qdd[w.free_dofs[a]] = w.rhs_free[a];
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

void set_tone_reference(const Model& m, const Eigen::VectorXd& q, Data& data) {
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), data);
  for (int i = 0; i < m.n_muscles(); ++i) {
    const auto& p = m.muscle_params()[static_cast<std::size_t>(i)];
    data.reflex_reference_length[i] =
        std::hypot(std::max(data.mtu_length[i] - p.tendon_slack_length, 0.0),
                   p.optimal_fibre_length * std::sin(p.pennation_at_optimal)) /
        p.optimal_fibre_length;
  }
}

void compute_rest_activation(const Model& m, const Eigen::VectorXd& q, Data& data,
                             Eigen::VectorXd& activation) {
  // Steady reflex at rest: u = [sum of the laws' rest excitation x the modulators' steady gain
  // - inhibition]+ at the fibre length l(u), solved by fixed-point iteration (the fibre length
  // depends on u only through tendon stretch).
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), data);
  activation.setZero(m.n_muscles());
  for (int i = 0; i < m.n_muscles(); ++i) {
    const auto& p = m.muscle_params()[static_cast<std::size_t>(i)];
    const auto& attached = m.muscle_laws(i);
    muscle::MuscleTendonState& mt = data.mtu[static_cast<std::size_t>(i)];
    auto excitation_at = [&](double norm_length) {
      double drive = 0.0;
      for (const auto& [l, k] : attached)
        drive += m.law(l).rest_excitation(m, data, k, norm_length);
      double gain = 1.0;
      for (const auto& [l, k] : attached)
        gain *= m.law(l).rest_gain(m, data, k, norm_length, drive);
      return std::clamp(drive * gain - data.reflex_inhibition[i], 0.0, 1.0);
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
