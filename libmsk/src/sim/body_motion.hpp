// Private: the forward pass of the recursive Newton-Euler algorithm (the motion of every body),
// shared by inverse_dynamics (dynamics.cpp) and compute_joint_reactions (joint_loads.cpp).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk::detail {

/// How every body moves, in ground: per body (size model.n_bodies()), parents before children.
/// The reference point of a body is its joint centre (a point of the parent as well). The vectors
/// are the caller's (e.g. Data::work's, sized once: no allocation per call).
struct BodyMotion {
  std::vector<Eigen::Vector3d>& omega;    ///< angular velocity [rad/s]
  std::vector<Eigen::Vector3d>& alpha;    ///< angular acceleration [rad/s^2]
  std::vector<Eigen::Vector3d>& ref;      ///< joint centre [m]
  std::vector<Eigen::Vector3d>& acc_ref;  ///< linear acceleration of the joint centre [m/s^2]
  std::vector<Eigen::Vector3d>& com;      ///< centre of mass [m]
  std::vector<Eigen::Vector3d>& acc_com;  ///< linear acceleration of the centre of mass [m/s^2]
};

/// Forward pass: from the root bodies out, each body turns with its parent plus its own joint
/// (ratio_b a_b qd_d), and its joint centre accelerates as the parent's point it is:
///   w_b = w_p + ratio_b a_b qd_d,
///   alpha_b = alpha_p + ratio_b a_b qdd_d + w_p x (ratio_b a_b qd_d),
///   acc_ref_b = acc_ref_p + alpha_p x r + w_p x (w_p x r),  r = ref_b - ref_p,
///   acc_com_b = acc_ref_b + alpha_b x c + w_b x (w_b x c),  c = com_b - ref_b,
/// with acc_ref of a root body equal to `ground_acc` (inverse_dynamics passes -g there, so that
/// gravity enters as an acceleration of the ground; the joint loads pass zero and add the weights
/// apart). Needs compute_kinematics for the coordinates.
/// @param qd          coordinate speeds [rad/s], size n_dofs
/// @param qdd         coordinate accelerations [rad/s^2], size n_dofs
/// @param ground_acc  acceleration of the ground frame [m/s^2]
void compute_body_motion(const Model& model, const Data& data, const Eigen::VectorXd& qd,
                         const Eigen::VectorXd& qdd, const Eigen::Vector3d& ground_acc,
                         BodyMotion& motion);

}  // namespace msk::detail
