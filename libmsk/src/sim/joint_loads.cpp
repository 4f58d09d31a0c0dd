#include "msk/sim/joint_loads.hpp"

#include <Eigen/Geometry>
#include <cmath>

#include "body_motion.hpp"
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
          // The joints that move exactly one end (Data::work, decreasing joint order).
          const Data::Workspace& w = data.work;
          const std::size_t pair =
              static_cast<std::size_t>((body_a + 1) * (model.n_bodies() + 1) + body_b + 1);
          for (int n = w.crossing_begin[pair]; n < w.crossing_begin[pair + 1]; ++n) {
            const int j = w.crossing_joint[static_cast<std::size_t>(n)];
            const bool a_in = w.crossing_moves_b[static_cast<std::size_t>(n)] == 0;
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
    data.joint_moment_arm.col(b).noalias() =
        data.joint_muscle_moment[b].transpose() * data.joint_axis[b];
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
  // Per-body buffers of the workspace (no allocation per call).
  Data::Workspace& w = data.work;
  std::vector<Eigen::Vector3d>&omega = w.omega, &alpha = w.alpha, &acc_ref = w.acc_ref,
  &ref = w.ref, &com = w.com, &acc_com = w.acc_com;
  // Forward pass: angular velocity and acceleration of each body and the linear acceleration of
  // its centre of mass, in ground (as in inverse_dynamics, with the weights added below instead
  // of a ground acceleration).
  detail::BodyMotion motion{omega, alpha, ref, acc_ref, com, acc_com};
  detail::compute_body_motion(model, data, qd, qdd, Eigen::Vector3d::Zero(), motion);
  // What each body needs (mass times acceleration minus gravity) and the point loads, per body:
  // force and moment about the ground origin.
  std::vector<Eigen::Vector3d>&sub_f = w.sub_force, &sub_m = w.sub_moment;
  for (int b = 0; b < nb; ++b) {
    const Eigen::Matrix3d inertia =
        data.body_rotation[b] * model.body_inertia()[b] * data.body_rotation[b].transpose();
    const Eigen::Vector3d f = model.body_mass()[b] * (acc_com[b] - gravity);
    sub_f[b] = f;
    sub_m[b] = com[b].cross(f) + inertia * alpha[b] + omega[b].cross(inertia * omega[b]);
  }
  for (const PointLoad& l : loads) {
    if (l.body < 0) continue;
    if (l.body >= nb) throw InvalidArgument("PointLoad.body: expected a body index");
    const Eigen::Vector3d p = data.body_position[l.body] + data.body_rotation[l.body] * l.point;
    sub_f[l.body] -= l.force;
    sub_m[l.body] -= p.cross(l.force);
  }
  // Backward pass: accumulate over subtrees (children come after their parents), then subtract
  // the muscles' pull on the subtree and move the moment to the joint centre.
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

void add_point_load_torques(const Model& model, const Data& data,
                            const std::vector<PointLoad>& loads, Eigen::VectorXd& tau) {
  for (const PointLoad& l : loads) {
    if (l.body < 0) continue;
    if (l.body >= model.n_bodies()) throw InvalidArgument("PointLoad.body: expected a body index");
    const Eigen::Vector3d p = data.body_position[l.body] + data.body_rotation[l.body] * l.point;
    for (int j = 0; j < model.n_bodies(); ++j) {
      const int d = model.body_dof()[j];
      if (d < 0 || !model.body_moves_with_joint()[j][l.body]) continue;
      tau[d] += model.joint_ratio()[j] *
                data.joint_axis[j].dot((p - data.joint_origin[j]).cross(l.force));
    }
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
