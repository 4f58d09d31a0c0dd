#include "msk/sim/state.hpp"

#include <algorithm>

#include "msk/error.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/rhs.hpp"

namespace msk {

Data make_data(const Model& m) {
  Data d;
  d.q.setZero(m.n_dofs);
  d.body_rotation.assign(m.n_bodies, Eigen::Matrix3d::Identity());
  d.body_position.assign(m.n_bodies, Eigen::Vector3d::Zero());
  d.dof_axis.assign(m.n_dofs, Eigen::Vector3d::UnitZ());
  d.dof_origin.assign(m.n_dofs, Eigen::Vector3d::Zero());
  d.joint_axis.assign(m.n_bodies, Eigen::Vector3d::UnitZ());
  d.joint_origin.assign(m.n_bodies, Eigen::Vector3d::Zero());
  d.mtu_length.setZero(m.n_muscles);
  d.mtu_velocity.setZero(m.n_muscles);
  d.moment_arm.setZero(m.n_muscles, m.n_dofs);
  d.path_point_ground.resize(m.n_muscles);
  d.path_wrapped_by.resize(m.n_muscles);
  d.wrap_active.resize(m.n_muscles);
  d.wrap_arc_length.resize(m.n_muscles);
  d.wrap_tangent_in.resize(m.n_muscles);
  d.wrap_tangent_out.resize(m.n_muscles);
  for (int i = 0; i < m.n_muscles; ++i) {
    const std::size_t n_wraps = m.muscle_wraps[i].size();
    d.path_point_ground[i].assign(m.muscle_path_point[i].size(), Eigen::Vector3d::Zero());
    d.path_wrapped_by[i].assign(m.muscle_path_point[i].size(), -1);
    d.wrap_active[i].assign(n_wraps, false);
    d.wrap_arc_length[i].assign(n_wraps, 0.0);
    d.wrap_tangent_in[i].assign(n_wraps, Eigen::Vector3d::Zero());
    d.wrap_tangent_out[i].assign(n_wraps, Eigen::Vector3d::Zero());
  }
  d.voluntary_excitation.setZero(m.n_muscles);
  d.reflex_excitation.setZero(m.n_muscles);
  d.reflex_drive.setZero(m.n_muscles);
  d.pad_factor.setOnes(m.n_muscles);
  d.excitation.setZero(m.n_muscles);
  d.mtu.assign(m.n_muscles, muscle::MuscleTendonState{});
  d.passive_force.setZero(m.n_muscles);
  d.muscle_force.setZero(m.n_muscles);
  d.muscle_moment.setZero(m.n_dofs);
  d.passive_moment.setZero(m.n_dofs);
  d.examiner_torque.setZero(m.n_dofs);
  d.resisting_torque.setZero(m.n_dofs);
  d.mass_matrix.setZero(m.n_dofs, m.n_dofs);
  d.bias.setZero(m.n_dofs);
  d.qdd.setZero(m.n_dofs);
  d.xdot.setZero(m.layout.n_states);
  d.joint_muscle_force.assign(m.n_bodies, Eigen::Matrix3Xd::Zero(3, m.n_muscles));
  d.joint_muscle_moment.assign(m.n_bodies, Eigen::Matrix3Xd::Zero(3, m.n_muscles));
  d.joint_moment_arm.setZero(m.n_muscles, m.n_bodies);
  d.joint_reaction_force.assign(m.n_bodies, Eigen::Vector3d::Zero());
  d.joint_reaction_moment.assign(m.n_bodies, Eigen::Vector3d::Zero());
  d.segment.assign(m.n_segments, spine::SegmentLoads{});
  d.segment_shear.setZero(m.n_segments);
  d.segment_disc_axis.assign(m.n_segments, Eigen::Vector3d::UnitY());
  return d;
}

State make_initial_state(const Model& m, const Eigen::VectorXd& angles) {
  const StateLayout& L = m.layout;
  State s;
  s.time = 0.0;
  s.x.setZero(L.n_states);
  Eigen::VectorXd q(m.n_dofs);
  if (angles.size() == 0) {
    for (int d = 0; d < m.n_dofs; ++d)
      q[d] = m.dof_default[d];
  } else {
    if (angles.size() != m.n_dofs)
      throw InvalidArgument("angles: expected size " + std::to_string(m.n_dofs) + ", got " +
                            std::to_string(angles.size()));
    q = angles;
  }
  s.x.segment(L.q_offset, m.n_dofs) = q;
  Data data = make_data(m);
  Eigen::VectorXd activation;
  compute_rest_excitation(m, q, data, activation);
  for (int i = 0; i < m.n_muscles; ++i) {
    s.x[L.reflex[i]] = activation[i];
    activation[i] = std::max(activation[i], m.muscle_min_activation[i]);  // activation floor
    s.x[L.activation[i]] = activation[i];
    // A rested muscle starts with its thixotropic bonds formed.
    s.x[L.thixotropy[i]] = m.muscle_thixotropy[i].enabled ? 1.0 : 0.0;
    if (L.fibre_length[i] >= 0)
      s.x[L.fibre_length[i]] =
          muscle::equilibrium_fibre_length(m.muscle_params[i], data.mtu_length[i], activation[i]);
  }
  for (int k = 0; k < m.n_segments; ++k)
    s.x[L.hydration[k]] = m.segment_hydration[k];
  return s;
}

}  // namespace msk
