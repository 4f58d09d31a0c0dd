// msk/sim/joint_loads.hpp — what each joint carries: muscle, gravity, inertial and external loads.
//
// The subtree of a revolute joint is the joint's body and every body that moves with it. The joint
// transmits to its subtree the force and moment that balance everything else acting on it:
//   F_j = sum_{b in subtree} m_b (a_b - g) - sum_i T_i f_ij - sum_loads F_l,
//   M_j = sum_b [(c_b - o_j) x m_b (a_b - g) + I_b alpha_b + w_b x I_b w_b]
//         - sum_i T_i m_ij - sum_loads (p_l - o_j) x F_l,
// about the joint centre o_j, in ground, with T_i the muscle tensions and f_ij, m_ij the force and
// moment muscle i exerts on the subtree per newton of tension (sum over the path pieces that leave
// the subtree of the unit vector from the subtree's point towards the other point).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/point_load.hpp"

namespace msk {

/// Per unit muscle tension: the force and the moment about the joint centre that each muscle
/// exerts on each revolute joint's subtree, and its moment arm about each joint (the moment along
/// the joint axis; -dl/d(joint angle)). Needs compute_muscle_geometry.
/// Fills data.joint_muscle_force, joint_muscle_moment (per body, 3 x n_muscles; zero for welds)
/// and joint_moment_arm (n_muscles x n_bodies) [m].
void compute_joint_muscle_geometry(const Model& model, Data& data);

/// Force and moment each revolute joint transmits to its subtree (see the header comment) [N, N m,
/// ground frame, moment about the joint centre]. Needs compute_kinematics and
/// compute_joint_muscle_geometry.
/// @param gravity       gravity in the ground frame [m/s^2] (model.gravity for an episode)
/// @param muscle_force  tendon force per muscle [N], size n_muscles
/// @param loads         point loads on bodies
/// @param qd            coordinate speeds [rad/s], size n_dofs
/// @param qdd           coordinate accelerations [rad/s^2], size n_dofs (zeros: quasi-static)
/// Fills data.joint_reaction_force and joint_reaction_moment (per body; zero for welds).
void compute_joint_reactions(const Model& model, const Eigen::Vector3d& gravity,
                             const Eigen::VectorXd& muscle_force,
                             const std::vector<PointLoad>& loads, const Eigen::VectorXd& qd,
                             const Eigen::VectorXd& qdd, Data& data);

/// Generalised forces of point loads: for each coordinate d, the sum over the revolute joints j it
/// turns (joint angle = ratio_j q_d + offset) and the loads on bodies that move with j of
/// ratio_j axis_j . ((p - o_j) x F) [N m]. Needs compute_kinematics. Adds to `tau` (size n_dofs);
/// allocates nothing.
void add_point_load_torques(const Model& model, const Data& data,
                            const std::vector<PointLoad>& loads, Eigen::VectorXd& tau);

/// Loads of every spinal level from the joint reactions: the level's flexion angle, compression
/// along the disc axis (the disc axis turns with half the level's angle), anterior shear, and the
/// disc/facet/ligament balance, shear shares and foramen of spine::compute_segment. Needs
/// compute_joint_reactions.
/// @param hydration  disc fluid content per segment [1], size n_segments
/// Fills data.segment, segment_shear and segment_disc_axis.
void compute_segment_loads(const Model& model, const Eigen::VectorXd& hydration, Data& data);

}  // namespace msk
