#include "msk/sim/kinematics.hpp"

#include <Eigen/Geometry>

namespace msk {

void compute_kinematics(const Model& model, const Eigen::VectorXd& q, Data& data) {
  for (int b = 0; b < model.n_bodies; ++b) {
    const int p = model.body_parent[b];
    const Eigen::Matrix3d parent_rotation =
        p < 0 ? Eigen::Matrix3d::Identity() : data.body_rotation[p];
    const Eigen::Vector3d parent_position = p < 0 ? Eigen::Vector3d::Zero() : data.body_position[p];
    // Joint rotation about the axis fixed in the parent frame (identity for a weld).
    const int d = model.body_dof[b];
    Eigen::Matrix3d joint_rotation = Eigen::Matrix3d::Identity();
    if (d >= 0) joint_rotation = Eigen::AngleAxisd(q[d], model.joint_axis[b]).toRotationMatrix();
    const Eigen::Vector3d origin =
        parent_position + parent_rotation * model.joint_location_in_parent[b];
    data.body_rotation[b] = parent_rotation * joint_rotation;
    data.body_position[b] = origin - data.body_rotation[b] * model.joint_location_in_child[b];
    if (d >= 0) {
      data.dof_axis[d] = parent_rotation * model.joint_axis[b];
      data.dof_origin[d] = origin;
    }
  }
}

Eigen::Vector3d point_in_ground(const Data& data, int body, const Eigen::Vector3d& point) {
  if (body < 0) return point;
  return data.body_position[body] + data.body_rotation[body] * point;
}

void compute_muscle_geometry(const Model& model, const Eigen::VectorXd& qd, Data& data) {
  data.moment_arm.setZero();
  for (int i = 0; i < model.n_muscles; ++i) {
    const auto& bodies = model.muscle_path_body[i];
    const auto& points = model.muscle_path_point[i];
    double length = 0.0;
    Eigen::Vector3d a = point_in_ground(data, bodies[0], points[0]);
    for (std::size_t k = 1; k < points.size(); ++k) {
      const Eigen::Vector3d b = point_in_ground(data, bodies[k], points[k]);
      const Eigen::Vector3d seg = b - a;
      const double seg_length = seg.norm();
      length += seg_length;
      if (seg_length > 1e-12) {
        const Eigen::Vector3d e = seg / seg_length;
        // dl/dq_j = e . (dp_b/dq_j - dp_a/dq_j), dp/dq_j = a_j x (p - o_j) if p moves with q_j.
        for (int d = 0; d < model.n_dofs; ++d) {
          const auto& moves = model.body_moves_with_dof[d];
          const bool a_moves = bodies[k - 1] >= 0 && moves[bodies[k - 1]];
          const bool b_moves = bodies[k] >= 0 && moves[bodies[k]];
          if (a_moves == b_moves) continue;  // both fixed or both rigidly moving: no change
          const Eigen::Vector3d& axis = data.dof_axis[d];
          const Eigen::Vector3d& o = data.dof_origin[d];
          double dl = 0.0;
          if (b_moves) dl += e.dot(axis.cross(b - o));
          if (a_moves) dl -= e.dot(axis.cross(a - o));
          data.moment_arm(i, d) -= dl;
        }
      }
      a = b;
    }
    data.mtu_length[i] = length;
  }
  data.mtu_velocity.noalias() = -data.moment_arm * qd;
}

}  // namespace msk
