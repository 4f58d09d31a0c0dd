// msk/sim/data.hpp — the reusable workspace: every intermediate the physics computes.
//
// Fields are grouped by the function that fills them. make_data() sizes everything once; the
// compute_* functions only write into it, so a simulation allocates nothing per step.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/muscle/muscle_tendon.hpp"

namespace msk {

struct Data {
  // compute_kinematics
  std::vector<Eigen::Matrix3d> body_rotation;  ///< body frame to ground, per body
  std::vector<Eigen::Vector3d> body_position;  ///< body origin in ground [m], per body
  std::vector<Eigen::Vector3d> dof_axis;       ///< joint axis in ground, per dof
  std::vector<Eigen::Vector3d> dof_origin;     ///< joint centre in ground [m], per dof

  // compute_muscle_geometry
  Eigen::VectorXd mtu_length;    ///< [m], size n_muscles
  Eigen::VectorXd mtu_velocity;  ///< [m/s], size n_muscles
  Eigen::MatrixXd moment_arm;    ///< r = -dl/dq [m], n_muscles x n_dofs

  // compute_derivatives: neural drive
  Eigen::VectorXd voluntary_excitation;  ///< [1], size n_muscles
  Eigen::VectorXd reflex_excitation;     ///< [1] after depression and inhibition
  Eigen::VectorXd reflex_drive;          ///< [1] raw reflex target g [l - lambda + mu v]+
  Eigen::VectorXd pad_factor;            ///< [1] reflex gain factor 1 - D c2 (1 - s)
  Eigen::VectorXd excitation;            ///< [1] total, clamped to [0, 1]

  // compute_derivatives: muscle mechanics
  std::vector<muscle::MuscleTendonState> mtu;  ///< per muscle
  Eigen::VectorXd passive_force;  ///< passive fibre force incl. viscoelastic branches [N]
  Eigen::VectorXd muscle_force;   ///< tendon force incl. viscoelastic branches [N]

  // compute_derivatives: joint torques and dynamics
  Eigen::VectorXd muscle_moment;     ///< [N m], size n_dofs
  Eigen::VectorXd passive_moment;    ///< range limits and damping [N m], size n_dofs
  Eigen::VectorXd examiner_torque;   ///< [N m], size n_dofs
  Eigen::VectorXd resisting_torque;  ///< tissue torque opposing the examiner [N m], size n_dofs
  Eigen::MatrixXd mass_matrix;       ///< [kg m^2], n_dofs x n_dofs
  Eigen::VectorXd bias;              ///< Coriolis, centrifugal and gravity terms [N m]
  Eigen::VectorXd qdd;               ///< [rad/s^2]
  Eigen::VectorXd xdot;              ///< state derivative, size n_states
};

/// A workspace sized for the model.
Data make_data(const Model& model);

}  // namespace msk
