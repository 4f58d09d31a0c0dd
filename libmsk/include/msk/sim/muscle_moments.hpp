// msk/sim/muscle_moments.hpp — muscle forces and the joint moments they make at a held posture.
//
// Quasi-static (every speed zero) and with rigid tendons whatever the model's tendon law: each
// muscle's fibre length follows from its musculotendon length (constant-thickness pennation), its
// force is F0 (a f_L + f_PE) cos(alpha), and its moment about coordinate d is r_id F_i with
// r_id = -dl_i/dq_d. With zero activations this is the passive moment the muscles make at a posture
// (the joint's passive moment-angle curve as far as muscles make it; docs/theory/posture.md).
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"

namespace msk {

/// What muscle_moments returns (model order of muscles and coordinates).
struct MuscleMoments {
  Eigen::VectorXd mtu_length;         ///< [m], n_muscles
  Eigen::VectorXd norm_fibre_length;  ///< fibre length / L_opt [1], n_muscles
  Eigen::VectorXd passive_force;      ///< tendon force of the passive fibres [N], n_muscles
  Eigen::VectorXd force;              ///< tendon force at the given activations [N], n_muscles
  Eigen::MatrixXd moment_arm;         ///< r = -dl/dq [m], n_muscles x n_dofs
  Eigen::VectorXd moment;             ///< sum_i r_i force_i per coordinate [N m], n_dofs
};

/// Muscle forces and moments at coordinates q [rad] (size n_dofs) with activations a [1] (size
/// n_muscles, each in [0, 1]; zeros for the passive moments).
/// @throws InvalidArgument for a q or a of the wrong size, or a non-finite entry
MuscleMoments muscle_moments(const Model& model, const Eigen::VectorXd& q,
                             const Eigen::VectorXd& activation);

}  // namespace msk
