// msk/sim/data.hpp — the reusable workspace: every intermediate the physics computes.
//
// Fields are grouped by the function that fills them. make_data() sizes everything once; the
// compute_* functions only write into it, so a simulation allocates nothing per step.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/point_load.hpp"
#include "msk/spine/segment.hpp"

namespace msk {

struct Data {
  // compute_kinematics
  Eigen::VectorXd q;                           ///< coordinates it was called with [rad]
  std::vector<Eigen::Matrix3d> body_rotation;  ///< body frame to ground, per body
  std::vector<Eigen::Vector3d> body_position;  ///< body origin in ground [m], per body
  std::vector<Eigen::Vector3d> dof_axis;       ///< axis of the joint defining each dof, in ground
  std::vector<Eigen::Vector3d> dof_origin;     ///< its joint centre in ground [m], per dof
  std::vector<Eigen::Vector3d> joint_axis;     ///< joint axis in ground, per body (revolute)
  std::vector<Eigen::Vector3d> joint_origin;   ///< joint centre in ground [m], per body

  // compute_muscle_geometry
  Eigen::VectorXd mtu_length;    ///< [m], size n_muscles
  Eigen::VectorXd mtu_velocity;  ///< [m/s], size n_muscles
  Eigen::MatrixXd moment_arm;    ///< r = -dl/dq [m], n_muscles x n_dofs
  /// Per muscle and path point: the point in ground [m] (valid for active points).
  std::vector<std::vector<Eigen::Vector3d>> path_point_ground;
  /// Per muscle and path point: the wrap that replaced the segment starting there, or -1.
  std::vector<std::vector<int>> path_wrapped_by;
  /// Per muscle and wrap: whether the path wraps over the surface, and the path length on it [m].
  std::vector<std::vector<bool>> wrap_active;
  std::vector<std::vector<double>> wrap_arc_length;
  /// Per muscle and wrap: the tangent points where the path meets and leaves the surface, in
  /// ground [m] (valid when wrap_active).
  std::vector<std::vector<Eigen::Vector3d>> wrap_tangent_in, wrap_tangent_out;

  // compute_joint_muscle_geometry (joint_loads.hpp)
  /// Per body: force on the joint's subtree per newton of each muscle's tension, 3 x n_muscles.
  std::vector<Eigen::Matrix3Xd> joint_muscle_force;
  /// Per body: moment about the joint centre per newton of tension [m], 3 x n_muscles.
  std::vector<Eigen::Matrix3Xd> joint_muscle_moment;
  /// Moment arm of each muscle about each body's joint [m], n_muscles x n_bodies (0 for welds).
  Eigen::MatrixXd joint_moment_arm;

  // compute_joint_reactions
  std::vector<Eigen::Vector3d> joint_reaction_force;   ///< per body, on its subtree [N], ground
  std::vector<Eigen::Vector3d> joint_reaction_moment;  ///< per body, about its joint [N m]

  // compute_segment_loads
  std::vector<spine::SegmentLoads> segment;        ///< per segment
  Eigen::VectorXd segment_shear;                   ///< anterior shear per segment [N]
  std::vector<Eigen::Vector3d> segment_disc_axis;  ///< disc axis per segment, in ground [1]

  // Ports: what laws publish and read (law/law.hpp; docs/guide/extending.md). Per muscle unless
  // said otherwise; the right-hand side resets them before every evaluation.
  Eigen::VectorXd voluntary_excitation;  ///< [1] from the protocol (core)
  Eigen::VectorXd activation;            ///< a [1] (activation law, publish)
  /// Extra length of the series elastic tissue (tendon and aponeurosis creep) [m], taken off the
  /// path before the tendon law (series laws, publish; 0 without them).
  Eigen::VectorXd series_elongation;
  Eigen::VectorXd fibre_length;    ///< fibre length before the mechanics [m] (tendon law)
  Eigen::VectorXd parallel_force;  ///< passive tissue force beside the fibre [N] (tissue)
  /// Stretch tolerance: the torque the person tolerates in a stretch of this muscle, over the
  /// examiner's baseline barrier torque [1] (tolerance law, publish; 1 without it).
  Eigen::VectorXd stretch_tolerance;
  /// Reference fibre length the tone threshold lambda is set from [L_opt] (set before a run:
  /// the rigid-tendon fibre length at the model's default coordinates).
  Eigen::VectorXd reflex_reference_length;
  Eigen::VectorXd reflex_threshold_shift;  ///< added to lambda [L_opt] (modulation laws)
  Eigen::VectorXd reflex_gain;             ///< multiplies the reflex drive [1] (modulation)
  Eigen::VectorXd reflex_inhibition;       ///< subtracted from the reflex excitation [1]
  /// How long the present posture has been held [s] when the statics ask for the steady reflex
  /// (the habituation law's rest gain); 0 for a state at rest just taken.
  double hold_duration = 0.0;
  Eigen::VectorXd reflex_drive;       ///< raw reflex target [1] (reflex law)
  Eigen::VectorXd reflex_excitation;  ///< after depression and inhibition [1] (reflex law)
  Eigen::VectorXd excitation;         ///< total, clamped to [0, 1] (core)
  Eigen::VectorXd segment_hydration;  ///< disc fluid content per level [1] (fluid law)
  /// Forces the trunk's elements apply to bodies (trunk-stage laws, e.g. intra-abdominal
  /// pressure), ground frame; joint reactions, the levels' loads and the dynamics include them.
  /// Capacity reserved by make_data (appending a few allocates nothing).
  std::vector<PointLoad> trunk_loads;
  /// Intra-abdominal pressure per level whose moment drives it [Pa] (abdominal pressure law;
  /// 0 elsewhere and without it), size n_segments.
  Eigen::VectorXd abdominal_pressure;

  // compute_derivatives: muscle mechanics (tendon laws)
  std::vector<muscle::MuscleTendonState> mtu;  ///< per muscle
  Eigen::VectorXd passive_force;               ///< passive fibre force incl. parallel tissue [N]
  Eigen::VectorXd muscle_force;                ///< tendon force incl. parallel tissue [N]

  // compute_derivatives: joint torques and dynamics
  Eigen::VectorXd muscle_moment;     ///< [N m], size n_dofs
  Eigen::VectorXd passive_moment;    ///< range limits and damping [N m], size n_dofs
  Eigen::VectorXd segment_moment;    ///< spinal levels' passive moments [N m], size n_dofs
  Eigen::VectorXd trunk_moment;      ///< generalised forces of trunk_loads [N m], size n_dofs
  Eigen::VectorXd examiner_torque;   ///< [N m], size n_dofs
  Eigen::VectorXd resisting_torque;  ///< tissue torque opposing the examiner [N m], size n_dofs
  Eigen::MatrixXd mass_matrix;       ///< [kg m^2], n_dofs x n_dofs
  Eigen::VectorXd bias;              ///< Coriolis, centrifugal and gravity terms [N m]
  Eigen::VectorXd qdd;               ///< [rad/s^2]
  std::vector<char> constrained;     ///< per dof: driven or held by the examiner (1) or free (0)
  Eigen::VectorXd xdot;              ///< state derivative, size n_states
  Eigen::VectorXd tau;               ///< generalised forces [N m], size n_dofs
  Eigen::VectorXd qd;                ///< coordinate speeds it was called with [rad/s], n_dofs

  // Scratch space, sized by make_data so that the functions above allocate nothing per call.
  // Contents are meaningless between calls.
  struct Workspace {
    /// compute_bias and compute_joint_reactions, per body (ground frame): angular velocity and
    /// acceleration, joint-centre position and acceleration, centre of mass and its acceleration,
    /// force and moment of the backward pass.
    std::vector<Eigen::Vector3d> omega, alpha, ref, acc_ref, com, acc_com, force, moment;
    std::vector<Eigen::Vector3d> sub_force, sub_moment;
    Eigen::Matrix3Xd jac_linear, jac_angular;  ///< compute_mass_matrix: 3 x n_dofs
    Eigen::VectorXd zero_dofs;                 ///< zeros, size n_dofs
    Eigen::LDLT<Eigen::MatrixXd> mass_ldlt;    ///< factor of the mass matrix, n_dofs square
    /// With one coordinate driven by the examiner: the other coordinates, their mass matrix
    /// (n_dofs - 1 square), its factor, and their generalised force, then accelerations.
    std::vector<int> free_dofs;
    Eigen::MatrixXd mass_free;
    Eigen::LDLT<Eigen::MatrixXd> free_ldlt;
    Eigen::VectorXd rhs_free;
    /// Where each LawStage starts in Model::law_order (which is sorted by stage), and its end:
    /// size 1 + the number of stages.
    std::vector<int> stage_begin;
    /// For a straight path piece from a point of body a to a point of body b (-1: ground): the
    /// revolute joints j that move exactly one of the two, in decreasing j, and whether that one
    /// is b. Pair (a, b) is entry (a + 1) (n_bodies + 1) + b + 1 of crossing_begin, its joints
    /// crossing_joint[crossing_begin[pair] .. crossing_begin[pair + 1]).
    std::vector<int> crossing_begin, crossing_joint;
    std::vector<char> crossing_moves_b;
  } work;
};

/// A workspace sized for the model.
Data make_data(const Model& model);

}  // namespace msk
