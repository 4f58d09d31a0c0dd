#include "msk/sim/joint_loads.hpp"

#include <Eigen/Geometry>
#include <cmath>

#include "msk/error.hpp"
#include "path_pieces.hpp"

namespace msk {

void compute_joint_muscle_geometry(const Model& model, Data& data) {
  for (int b = 0; b < model.n_bodies(); ++b) {
    data.joint_muscle_force[b].setZero();
    data.joint_muscle_moment[b].setZero();
  }
  for (int i = 0; i < model.n_muscles(); ++i) {
    // A piece a-b pulls its end in the subtree towards the other end with the muscle's tension.
    detail::visit_path_pieces(
        model, data, i,
        [&](const Eigen::Vector3d& a, int body_a, const Eigen::Vector3d& b, int body_b) {
          const Eigen::Vector3d seg = b - a;
          const double length = seg.norm();
          if (length <= 1e-12) return;
          const Eigen::Vector3d e = seg / length;
          for (int j = std::max(body_a, body_b); j >= 0; --j) {
            if (model.body_dof()[j] < 0) continue;
            const auto& moves = model.body_moves_with_joint()[j];
            const bool a_in = body_a >= 0 && moves[body_a];
            const bool b_in = body_b >= 0 && moves[body_b];
            if (a_in == b_in) continue;
            const Eigen::Vector3d& p = a_in ? a : b;
            const Eigen::Vector3d pull = a_in ? e : Eigen::Vector3d(-e);
            data.joint_muscle_force[j].col(i) += pull;
            data.joint_muscle_moment[j].col(i) += (p - data.joint_origin[j]).cross(pull);
          }
        });
  }
  for (int b = 0; b < model.n_bodies(); ++b) {
    if (model.body_dof()[b] < 0) {
      data.joint_moment_arm.col(b).setZero();
      continue;
    }
    data.joint_moment_arm.col(b) = data.joint_muscle_moment[b].transpose() * data.joint_axis[b];
  }
}

void compute_joint_reactions(const Model& model, const Eigen::Vector3d& gravity,
                             const Eigen::VectorXd& muscle_force,
                             const std::vector<PointLoad>& loads, const Eigen::VectorXd& qd,
                             const Eigen::VectorXd& qdd, Data& data) {
  const int nb = model.n_bodies();
  if (muscle_force.size() != model.n_muscles() || qd.size() != model.n_dofs() ||
      qdd.size() != model.n_dofs())
    throw InvalidArgument(
        "compute_joint_reactions: expected sizes n_muscles = " + std::to_string(model.n_muscles()) +
        ", n_dofs = " + std::to_string(model.n_dofs()));
  // Forward pass: angular velocity and acceleration of each body and the linear acceleration of
  // its centre of mass, in ground (as in inverse_dynamics, without the gravity trick).
  std::vector<Eigen::Vector3d> omega(nb), alpha(nb), acc_ref(nb), ref(nb), com(nb), acc_com(nb);
  for (int b = 0; b < nb; ++b) {
    const int p = model.body_parent()[b];
    const Eigen::Vector3d w_p = p < 0 ? Eigen::Vector3d::Zero() : omega[p];
    const Eigen::Vector3d al_p = p < 0 ? Eigen::Vector3d::Zero() : alpha[p];
    ref[b] = data.body_position[b] + data.body_rotation[b] * model.joint_location_in_child()[b];
    acc_ref[b] = Eigen::Vector3d::Zero();
    if (p >= 0) {
      const Eigen::Vector3d r = ref[b] - ref[p];
      acc_ref[b] = acc_ref[p] + al_p.cross(r) + w_p.cross(w_p.cross(r));
    }
    omega[b] = w_p;
    alpha[b] = al_p;
    const int d = model.body_dof()[b];
    if (d >= 0) {
      const Eigen::Vector3d axis = model.joint_ratio()[b] * data.joint_axis[b];
      omega[b] += axis * qd[d];
      alpha[b] += axis * qdd[d] + w_p.cross(axis * qd[d]);
    }
    com[b] = data.body_position[b] + data.body_rotation[b] * model.body_com()[b];
    const Eigen::Vector3d c = com[b] - ref[b];
    acc_com[b] = acc_ref[b] + alpha[b].cross(c) + omega[b].cross(omega[b].cross(c));
  }
  // What each body needs (mass times acceleration minus gravity) and the point loads, per body:
  // force and moment about the ground origin.
  std::vector<Eigen::Vector3d> need_f(nb), need_m(nb);
  for (int b = 0; b < nb; ++b) {
    const Eigen::Matrix3d inertia =
        data.body_rotation[b] * model.body_inertia()[b] * data.body_rotation[b].transpose();
    const Eigen::Vector3d f = model.body_mass()[b] * (acc_com[b] - gravity);
    need_f[b] = f;
    need_m[b] = com[b].cross(f) + inertia * alpha[b] + omega[b].cross(inertia * omega[b]);
  }
  for (const PointLoad& l : loads) {
    if (l.body < 0) continue;
    if (l.body >= nb) throw InvalidArgument("PointLoad.body: expected a body index");
    const Eigen::Vector3d p = data.body_position[l.body] + data.body_rotation[l.body] * l.point;
    need_f[l.body] -= l.force;
    need_m[l.body] -= p.cross(l.force);
  }
  // Backward pass: accumulate over subtrees (children come after their parents), then subtract
  // the muscles' pull on the subtree and move the moment to the joint centre.
  std::vector<Eigen::Vector3d> sub_f = need_f, sub_m = need_m;
  for (int b = nb - 1; b >= 0; --b) {
    const int p = model.body_parent()[b];
    if (p >= 0) {
      sub_f[p] += sub_f[b];
      sub_m[p] += sub_m[b];
    }
  }
  for (int b = 0; b < nb; ++b) {
    if (model.body_dof()[b] < 0) {
      data.joint_reaction_force[b].setZero();
      data.joint_reaction_moment[b].setZero();
      continue;
    }
    const Eigen::Vector3d& o = data.joint_origin[b];
    const Eigen::Vector3d f_muscle = data.joint_muscle_force[b] * muscle_force;
    const Eigen::Vector3d m_muscle = data.joint_muscle_moment[b] * muscle_force;
    data.joint_reaction_force[b] = sub_f[b] - f_muscle;
    // Moment about o of the subtree's needs: M_origin - o x F.
    data.joint_reaction_moment[b] = sub_m[b] - o.cross(sub_f[b]) - m_muscle;
  }
}

void compute_segment_loads(const Model& model, const Eigen::VectorXd& hydration, Data& data) {
  if (hydration.size() != model.n_segments())
    throw InvalidArgument("hydration: expected size " + std::to_string(model.n_segments()) +
                          ", got " + std::to_string(hydration.size()));
  for (int k = 0; k < model.n_segments(); ++k) {
    const int b = model.segment_body()[k];
    const int d = model.body_dof()[b];
    const int parent = model.body_parent()[b];
    const double joint_angle = model.joint_ratio()[b] * data.q[d] + model.joint_offset()[b];
    const double theta = model.segment_flexion_sign()[k] * joint_angle;
    // The disc axis: fixed in the lower body at neutral, turned by half the joint angle.
    const Eigen::Matrix3d lower =
        parent < 0 ? Eigen::Matrix3d::Identity() : data.body_rotation[parent];
    const Eigen::Vector3d axis =
        Eigen::AngleAxisd(0.5 * joint_angle, model.joint_axis()[b]) * model.segment_axis()[k];
    const Eigen::Vector3d n = (lower * axis).normalized();
    const Eigen::Vector3d lateral = lower * Eigen::Vector3d::UnitZ();
    const Eigen::Vector3d anterior = n.cross(lateral).normalized();
    const Eigen::Vector3d& reaction = data.joint_reaction_force[b];
    data.segment_disc_axis[k] = n;
    // The lower vertebra pushes the upper one along +n with the compression; the loads push the
    // upper vertebra forward with the shear the joint resists.
    data.segment_shear[k] = -reaction.dot(anterior);
    spine::compute_segment(model.segment_params()[k], theta, reaction.dot(n), data.segment_shear[k],
                           hydration[k], data.segment[k]);
  }
}

}  // namespace msk
