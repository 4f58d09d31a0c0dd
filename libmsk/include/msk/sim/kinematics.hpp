// msk/sim/kinematics.hpp — body poses and muscle path geometry.
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk {

/// Poses of every body and joint frame for coordinates q.
/// @param q  coordinates [rad], size model.n_dofs
/// Fills data.body_rotation, body_position, dof_axis, dof_origin.
void compute_kinematics(const Model& model, const Eigen::VectorXd& q, Data& data);

/// Muscle-tendon lengths, velocities and moment arms along the path points. Needs
/// compute_kinematics first. Moment arms are exact derivatives of the polyline length:
/// r_ij = -dl_i/dq_j = -sum_segments e_s . (a_j x (p_b - o_j) - a_j x (p_a - o_j)) for the points
/// that move with q_j.
/// @param qd  coordinate speeds [rad/s], size model.n_dofs
/// Fills data.mtu_length, mtu_velocity (= -r qd), moment_arm.
void compute_muscle_geometry(const Model& model, const Eigen::VectorXd& qd, Data& data);

/// Position of a point fixed in a body, in ground [m] (body -1 is ground). Needs kinematics.
Eigen::Vector3d point_in_ground(const Data& data, int body, const Eigen::Vector3d& point);

}  // namespace msk
