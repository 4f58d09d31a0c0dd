// msk/sim/kinematics.hpp — body poses and muscle path geometry.
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk {

/// Poses of every body and joint frame for coordinates q. A revolute joint turns by
/// ratio q_d + offset about its axis.
/// @param q  coordinates [rad], size model.n_dofs
/// Fills data.q, body_rotation, body_position, joint_axis, joint_origin, dof_axis, dof_origin.
void compute_kinematics(const Model& model, const Eigen::VectorXd& q, Data& data);

/// Muscle-tendon lengths, velocities and moment arms along the path points (the active ones, for
/// conditional points), with segments wrapped over the model's wrap surfaces (wrapping.hpp).
/// Needs compute_kinematics first. Moment arms are exact derivatives of the path length:
/// r_id = -dl_i/dq_d = -sum_pieces e_s . sum_{joints j driven by q_d} ratio_j (a_j x (p_b - o_j)
/// - a_j x (p_a - o_j)) over the straight pieces a-b of the path (for a wrapped segment: the end
/// point to its tangent point, the tangent point held fixed in the surface's body), counting the
/// points that move with joint j.
/// @param qd  coordinate speeds [rad/s], size model.n_dofs
/// Fills data.mtu_length, mtu_velocity (= -r qd), moment_arm, path_point_ground, wrap_active,
/// wrap_arc_length, wrap_tangent_in, wrap_tangent_out.
void compute_muscle_geometry(const Model& model, const Eigen::VectorXd& qd, Data& data);

/// Position of a point fixed in a body, in ground [m] (body -1 is ground). Needs kinematics.
Eigen::Vector3d point_in_ground(const Data& data, int body, const Eigen::Vector3d& point);

}  // namespace msk
