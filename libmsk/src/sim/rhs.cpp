#include "msk/sim/rhs.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "msk/muscle/activation.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/sim/dynamics.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/kinematics.hpp"

namespace msk {

namespace {

double positive(double v) {
  return v > 0.0 ? v : 0.0;
}

/// Smooth indicator in [0, 1] of a voluntary contraction: 0 below half the threshold, 1 above
/// 1.5 times it (C1 smoothstep), so that the ODE right-hand side stays continuous.
double contraction_indicator(double voluntary, double threshold) {
  if (threshold <= 0.0) return voluntary > 0.0 ? 1.0 : 0.0;
  const double s = std::clamp((voluntary / threshold - 0.5), 0.0, 1.0);
  return s * s * (3.0 - 2.0 * s);
}

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

double limit_moment(const Model& m, int d, double q) {
  return coordinate_limit_moment(m, d, q);
}

/// Raw tonic stretch reflex drive: g [l~ - lambda + mu v~]+ (Feldman's lambda model; the
/// velocity v~ in optimal fibre lengths per second).
double reflex_drive(const ToneSpec& tone, double norm_length, double norm_velocity_lopt) {
  return tone.gain *
         positive(norm_length - tone.threshold + tone.velocity_sensitivity * norm_velocity_lopt);
}

}  // namespace

void compute_derivatives(const Model& m, const Drive& drive, double t, const Eigen::VectorXd& x,
                         Data& data) {
  const StateLayout& L = m.layout;
  const int nd = m.n_dofs;
  const Eigen::VectorXd q = x.segment(L.q_offset, nd);
  const Eigen::VectorXd qd = x.segment(L.qd_offset, nd);
  Eigen::VectorXd& xdot = data.xdot;

  // 1. Geometry: body poses, muscle-tendon lengths, velocities, moment arms.
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, qd, data);

  // 2. Voluntary drive and the opposite-group drive that inhibits each muscle's reflex.
  for (int i = 0; i < m.n_muscles; ++i)
    data.voluntary_excitation[i] = voluntary_excitation(drive, i, t, m.n_muscles);
  Eigen::VectorXd inhibition = Eigen::VectorXd::Zero(m.n_muscles);
  for (int k = 0; k < m.n_pairs; ++k) {
    // Reciprocal inhibition: the mean voluntary drive of one side, times k_RI, is subtracted
    // from the reflex of every muscle of the other side (subtractive form, cf. Geyer & Herr).
    auto mean_drive = [&](const std::vector<int>& group) {
      double s = 0.0;
      for (int i : group)
        s += data.voluntary_excitation[i];
      return group.empty() ? 0.0 : s / static_cast<double>(group.size());
    };
    const double k_ri = m.pair_reciprocal_inhibition[k];
    const double ag = mean_drive(m.pair_agonists[k]), ant = mean_drive(m.pair_antagonists[k]);
    for (int i : m.pair_antagonists[k])
      inhibition[i] = std::max(inhibition[i], k_ri * ag);
    for (int i : m.pair_agonists[k])
      inhibition[i] = std::max(inhibition[i], k_ri * ant);
  }

  // 3. Muscles: mechanics, neural states, activation.
  for (int i = 0; i < m.n_muscles; ++i) {
    const auto& p = m.muscle_params[i];
    const ToneSpec& tone = m.muscle_tone[i];
    const ViscoelasticSpec& ve = m.muscle_visco[i];
    const double a = x[L.activation[i]];
    const double h1 = x[L.visco1[i]], h2 = x[L.visco2[i]];
    muscle::MuscleTendonState& mt = data.mtu[i];
    // Viscoelastic fibre force [N]. The tissue is tension-only: when a released branch overshoots,
    // the total passive force (elastic + branches) is held at zero, not pushed negative.
    const ThixotropySpec& th = m.muscle_thixotropy[i];
    const double bonds = x[L.thixotropy[i]];
    double extra = 0.0;
    if (ve.enabled || th.enabled) {
      const double lopt_i = p.optimal_fibre_length;
      const double fibre_length =
          L.fibre_length[i] >= 0
              ? x[L.fibre_length[i]]
              : std::hypot(std::max(data.mtu_length[i] - p.tendon_slack_length, 0.0),
                           lopt_i * std::sin(p.pennation_at_optimal));
      const double elastic =
          p.max_isometric_force *
          std::max(0.0, muscle::passive_force_length(p.curves, fibre_length / lopt_i));
      const double branches = ve.enabled ? h1 + h2 : 0.0;
      const double thixotropic = th.enabled ? th.stiffening * bonds * elastic : 0.0;
      extra = std::max(branches + thixotropic, -elastic);
    }
    if (L.fibre_length[i] >= 0) {
      const double lf = x[L.fibre_length[i]];
      xdot[L.fibre_length[i]] = muscle::compute_compliant_tendon(
          p, data.mtu_length[i], data.mtu_velocity[i], a, lf, mt, extra);
    } else {
      muscle::compute_rigid_tendon(p, data.mtu_length[i], data.mtu_velocity[i], a, mt, extra);
    }
    data.passive_force[i] = mt.passive_fibre_force + extra;
    data.muscle_force[i] = mt.tendon_force;

    // Quasi-linear viscoelastic branches on the elastic passive curve (Fung QLV as a generalised
    // Maxwell model): dh_k/dt = k_k dF_pe/dt - h_k / tau_k.
    const double lopt = p.optimal_fibre_length;
    const double norm_velocity_lopt = mt.fibre_velocity / lopt;  // [L_opt/s]
    if (ve.enabled) {
      const double dfpe = p.max_isometric_force *
                          muscle::passive_force_length_derivative(p.curves, mt.norm_fibre_length) *
                          norm_velocity_lopt;
      xdot[L.visco1[i]] = ve.branch_gain[0] * dfpe - h1 / ve.branch_time_constant[0];
      xdot[L.visco2[i]] = ve.branch_gain[1] * dfpe - h2 / ve.branch_time_constant[1];
    } else {
      xdot[L.visco1[i]] = -h1;
      xdot[L.visco2[i]] = -h2;
    }

    // Thixotropy (hypothesis, after Lakie & Robson 1988; Proske & Morgan): bonds form at rest with
    // tau_form and break with movement, ds/dt = (1 - s)/tau_form - k_break s |v~|.
    xdot[L.thixotropy[i]] = th.enabled ? (1.0 - bonds) / th.formation_time_constant -
                                             th.breaking_rate * bonds * std::abs(norm_velocity_lopt)
                                       : -bonds;

    // Post-activation depression: two first-order stages charged by a voluntary contraction and
    // recovering with tau each after it (fits Moore & Kukulka 1991); it acts only while the
    // muscle is relaxed (suppressed by ongoing voluntary activation).
    const double s =
        contraction_indicator(data.voluntary_excitation[i], tone.pad_voluntary_threshold);
    const double c1 = x[L.pad_stage1[i]], c2 = x[L.pad_stage2[i]];
    const double tau1 = s > c1 ? tone.pad_rise_time_constant : tone.pad_recovery_time_constant;
    const double tau2 = c1 > c2 ? tone.pad_rise_time_constant : tone.pad_recovery_time_constant;
    xdot[L.pad_stage1[i]] = (s - c1) / tau1;
    xdot[L.pad_stage2[i]] = (c1 - c2) / tau2;
    data.pad_factor[i] = 1.0 - tone.pad_depth * std::clamp(c2, 0.0, 1.0) * (1.0 - s);

    // Tonic stretch reflex with a first-order lag standing for the loop delay.
    data.reflex_drive[i] = reflex_drive(tone, mt.norm_fibre_length, norm_velocity_lopt);
    const double r = x[L.reflex[i]];
    xdot[L.reflex[i]] = (data.reflex_drive[i] * data.pad_factor[i] - r) / tone.reflex_time_constant;
    data.reflex_excitation[i] = positive(r - inhibition[i]);

    // Total excitation, clamped, and activation dynamics (Thelen 2003); below the muscle's
    // activation floor the excitation drives activation to the floor.
    data.excitation[i] =
        std::clamp(data.voluntary_excitation[i] + data.reflex_excitation[i], 0.0, 1.0);
    xdot[L.activation[i]] =
        muscle::activation_derivative(std::max(data.excitation[i], m.muscle_min_activation[i]), a,
                                      m.muscle_tau_act[i], m.muscle_tau_deact[i]);
  }

  // 4. Joint torques: muscles, range limits and damping, and the spinal levels' passive moments
  //    (their compression from the quasi-static joint reactions: gravity, muscles and the
  //    velocity terms, without the accelerations, which depend on these moments).
  data.muscle_moment.noalias() = data.moment_arm.transpose() * data.muscle_force;
  for (int d = 0; d < nd; ++d)
    data.passive_moment[d] = limit_moment(m, d, q[d]) - m.dof_damping[d] * qd[d];
  Eigen::VectorXd segment_moment = Eigen::VectorXd::Zero(nd);
  if (m.n_segments > 0) {
    compute_joint_muscle_geometry(m, data);
    compute_joint_reactions(m, m.gravity, data.muscle_force, {}, qd, Eigen::VectorXd::Zero(nd),
                            data);
    Eigen::VectorXd hydration(m.n_segments);
    for (int k = 0; k < m.n_segments; ++k)
      hydration[k] = x[L.hydration[k]];
    compute_segment_loads(m, hydration, data);
    for (int k = 0; k < m.n_segments; ++k) {
      const int b = m.segment_body[k];
      const int d = m.body_dof[b];
      // Flexion-sense moment to the joint axis (sign), to the coordinate (ratio); the level's
      // damping on its flexion rate ratio * qd.
      const double ratio = m.joint_ratio[b];
      segment_moment[d] += ratio * m.segment_flexion_sign[k] * data.segment[k].moment;
      data.passive_moment[d] += ratio * m.segment_flexion_sign[k] * data.segment[k].moment -
                                m.segment_params[k].disc.damping * ratio * ratio * qd[d];
      xdot[L.hydration[k]] = data.segment[k].hydration_rate;
    }
  }
  const Eigen::VectorXd tau = data.muscle_moment + data.passive_moment;

  // 5. Rigid-body dynamics with the driven coordinate (if any) following the examiner:
  //    M_ff qdd_f = tau_f - bias_f - M_fd qdd_d, qdd_d = 0; examiner torque = (M qdd + bias -
  //    tau)_d.
  compute_mass_matrix(m, data);
  compute_bias(m, qd, data);
  const int driven = (drive.phase != nullptr && drive.phase->dof >= 0) ? drive.phase->dof : -1;
  data.examiner_torque.setZero();
  if (driven < 0) {
    data.qdd = data.mass_matrix.ldlt().solve(tau - data.bias);
  } else {
    std::vector<int> free;
    for (int d = 0; d < nd; ++d)
      if (d != driven) free.push_back(d);
    data.qdd.setZero();
    const int nf = static_cast<int>(free.size());
    if (nf > 0) {
      Eigen::MatrixXd mff(nf, nf);
      Eigen::VectorXd rhs(nf);
      for (int a = 0; a < nf; ++a) {
        rhs[a] = tau[free[a]] - data.bias[free[a]];
        for (int b = 0; b < nf; ++b)
          mff(a, b) = data.mass_matrix(free[a], free[b]);
      }
      const Eigen::VectorXd qf = mff.ldlt().solve(rhs);
      for (int a = 0; a < nf; ++a)
        data.qdd[free[a]] = qf[a];
    }
    data.examiner_torque[driven] =
        data.mass_matrix.row(driven).dot(data.qdd) + data.bias[driven] - tau[driven];
  }
  // Tissue torque resisting the examiner's motion in the stretch direction.
  const double direction = drive.direction < 0.0 ? -1.0 : 1.0;
  for (int d = 0; d < nd; ++d)
    data.resisting_torque[d] =
        -direction * (data.muscle_moment[d] + limit_moment(m, d, q[d]) + segment_moment[d]);

  for (int d = 0; d < nd; ++d) {
    xdot[L.q_offset + d] = qd[d];
    xdot[L.qd_offset + d] = data.qdd[d];
  }
  if (driven >= 0) xdot[L.q_offset + driven] = drive.speed;
}

double coordinate_limit_moment(const Model& m, int d, double q) {
  const double k1 = m.dof_limit_stiffness[d];
  const double k2 = m.dof_limit_sharpness[d];
  const double lo = std::min(k2 * (m.dof_range_min[d] - q), 50.0);
  const double hi = std::min(k2 * (q - m.dof_range_max[d]), 50.0);
  return k1 * (std::exp(lo) - std::exp(hi));
}

void compute_rest_excitation(const Model& m, const Eigen::VectorXd& q, Data& data,
                             Eigen::VectorXd& activation) {
  // Steady reflex at rest: a = r = g [l~(a) - lambda]+ solved by fixed-point iteration (the fibre
  // length depends on activation only through tendon stretch).
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs), data);
  activation.setZero(m.n_muscles);
  for (int i = 0; i < m.n_muscles; ++i) {
    const auto& p = m.muscle_params[i];
    double a = 0.0;
    if (p.tendon != muscle::TendonModel::Compliant) {
      // Rigid tendon: the fibre length does not depend on activation; the fixed point is the
      // reflex drive itself.
      muscle::MuscleTendonState mt;
      muscle::compute_rigid_tendon(p, data.mtu_length[i], 0.0, 0.0, mt);
      activation[i] =
          std::clamp(reflex_drive(m.muscle_tone[i], mt.norm_fibre_length, 0.0), 0.0, 1.0);
      continue;
    }
    for (int it = 0; it < 50; ++it) {
      double norm_length;
      if (p.tendon == muscle::TendonModel::Compliant) {
        norm_length =
            muscle::equilibrium_fibre_length(p, data.mtu_length[i], a) / p.optimal_fibre_length;
      } else {
        muscle::MuscleTendonState mt;
        muscle::compute_rigid_tendon(p, data.mtu_length[i], 0.0, a, mt);
        norm_length = mt.norm_fibre_length;
      }
      const double next = std::clamp(reflex_drive(m.muscle_tone[i], norm_length, 0.0), 0.0, 1.0);
      if (std::abs(next - a) < 1e-12) break;
      a = 0.5 * (a + next);
    }
    activation[i] = a;
  }
}

}  // namespace msk
