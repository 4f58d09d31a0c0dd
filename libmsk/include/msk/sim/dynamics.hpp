// msk/sim/dynamics.hpp — rigid-body dynamics of the tree of revolute joints.
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk {

/// Joint-space mass matrix M(q) [kg m^2], n_dofs x n_dofs, from the body Jacobians:
/// M = sum_b m_b Jv_b' Jv_b + Jw_b' I_b Jw_b. Needs compute_kinematics. Fills data.mass_matrix.
void compute_mass_matrix(const Model& model, Data& data);

/// Inverse dynamics by recursive Newton-Euler: the joint torques [N m] that produce
/// accelerations qdd at (q, qd) under gravity. Needs compute_kinematics for q.
/// @param qd   [rad/s], size n_dofs
/// @param qdd  [rad/s^2], size n_dofs
Eigen::VectorXd inverse_dynamics(const Model& model, const Data& data, const Eigen::VectorXd& qd,
                                 const Eigen::VectorXd& qdd, bool with_gravity = true);

/// Bias torques C(q, qd) qd + g(q) [N m] = inverse_dynamics(q, qd, 0). Fills data.bias.
void compute_bias(const Model& model, const Eigen::VectorXd& qd, Data& data);

}  // namespace msk
