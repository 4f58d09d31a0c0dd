// msk/model/model.hpp — the compiled, immutable Model.
//
// compile() checks a ModelSpec for consistency (names resolve, parents come first, paths attach to
// bodies, pairs name existing muscles and a revolute joint) and lays parameters out in flat arrays
// indexed by body, coordinate (dof), muscle and pair. A Model never changes after compile(); a
// parameter study compiles new Models.
#pragma once

#include <Eigen/Core>
#include <array>
#include <string>
#include <vector>

#include "msk/model/spec.hpp"
#include "msk/muscle/muscle_tendon.hpp"

namespace msk {

/// Where each state variable lives in the state vector x (see docs/theory/integrator.md).
struct StateLayout {
  int n_states = 0;
  int q_offset = 0;                ///< coordinates q [rad], size n_dofs
  int qd_offset = 0;               ///< coordinate speeds [rad/s], size n_dofs
  std::vector<int> activation;     ///< per muscle: activation a [1]
  std::vector<int> fibre_length;   ///< per muscle: fibre length [m] (compliant tendon), else -1
  std::vector<int> reflex;         ///< per muscle: lagged reflex excitation r [1]
  std::vector<int> pad_stage1;     ///< per muscle: post-activation depression, stage 1 [1]
  std::vector<int> pad_stage2;     ///< per muscle: post-activation depression, stage 2 [1]
  std::vector<int> visco1;         ///< per muscle: viscoelastic branch 1 force [N]
  std::vector<int> visco2;         ///< per muscle: viscoelastic branch 2 force [N]
  std::vector<int> thixotropy;     ///< per muscle: thixotropic bond fraction s [1]
  std::vector<int> hydration;      ///< per segment: disc fluid content [1]
  std::vector<std::string> names;  ///< size n_states, e.g. "muscle.BIClong.activation"
  std::vector<std::string> laws;   ///< size n_states, the law that integrates the state
};

/// An output channel recorded by the episode integrator.
struct ChannelSpec {
  std::string name;         ///< e.g. "muscle.BIClong.force"
  std::string units;        ///< e.g. "N"
  std::string description;  ///< one line
};

/// The compiled model. All vectors are indexed as their names say (body, dof, muscle, pair).
struct Model {
  std::string name;
  std::string description;
  std::string file;  ///< file it was loaded from, "<string>" otherwise
  std::string text;  ///< model text after overrides
  Eigen::Vector3d gravity = Eigen::Vector3d(0.0, -9.80665, 0.0);  ///< [m/s^2]

  // Bodies, parents before children. Parent -1 is ground.
  int n_bodies = 0;
  std::vector<std::string> body_names;
  std::vector<int> body_parent;
  std::vector<int> body_dof;                ///< coordinate of the body's joint, -1 for a weld
  std::vector<Eigen::Vector3d> joint_axis;  ///< unit axis in the parent frame
  std::vector<double> joint_ratio;          ///< joint angle = ratio q + offset [1]
  std::vector<double> joint_offset;         ///< [rad]
  std::vector<Eigen::Vector3d> joint_location_in_parent;  ///< [m]
  std::vector<Eigen::Vector3d> joint_location_in_child;   ///< [m]
  /// Child frame relative to the parent frame at joint angle 0 (identity unless `orientation`).
  std::vector<Eigen::Matrix3d> joint_orientation;
  std::vector<double> body_mass;              ///< [kg]
  std::vector<Eigen::Vector3d> body_com;      ///< [m] in the body frame
  std::vector<Eigen::Matrix3d> body_inertia;  ///< [kg m^2] about the COM, body frame
  /// body_moves_with_dof[d][b]: body b moves with coordinate d.
  std::vector<std::vector<bool>> body_moves_with_dof;
  /// body_moves_with_joint[j][b]: body b is body j or a descendant, and j's joint is revolute.
  std::vector<std::vector<bool>> body_moves_with_joint;

  // Coordinates (one per revolute joint).
  int n_dofs = 0;
  std::vector<std::string> dof_names;
  std::vector<int> dof_body;                 ///< body whose joint defines the coordinate
  std::vector<std::vector<int>> dof_joints;  ///< bodies whose joint angle follows the coordinate
  std::vector<double> dof_range_min, dof_range_max;  ///< [rad]
  std::vector<double> dof_default;                   ///< [rad]
  std::vector<double> dof_damping;                   ///< [N m s/rad]
  std::vector<double> dof_limit_stiffness;           ///< [N m]
  std::vector<double> dof_limit_sharpness;           ///< [1/rad]

  // Muscles.
  int n_muscles = 0;
  std::vector<std::string> muscle_names;
  std::vector<muscle::MuscleTendonParams> muscle_params;
  std::vector<double> muscle_tau_act, muscle_tau_deact;  ///< [s]
  std::vector<double> muscle_min_activation;             ///< activation floor [1]
  std::vector<ToneSpec> muscle_tone;                     ///< thresholds resolved to absolute values
  std::vector<double> muscle_habitual_norm_fibre_length;  ///< at the default posture [L_opt]
  std::vector<ViscoelasticSpec> muscle_visco;
  std::vector<ThixotropySpec> muscle_thixotropy;
  std::vector<std::vector<int>> muscle_path_body;               ///< -1 = ground
  std::vector<std::vector<Eigen::Vector3d>> muscle_path_point;  ///< [m] in the body frame
  /// Conditional path points: the coordinate of the condition (-1: always active) and its range.
  std::vector<std::vector<int>> muscle_path_active_dof;
  std::vector<std::vector<std::array<double, 2>>> muscle_path_active_range;  ///< [rad]
  /// Wraps of each muscle path, in order: surface index and path point range.
  struct PathWrap {
    int surface = 0;
    int from_point = 0;
    int to_point = 0;
  };
  std::vector<std::vector<PathWrap>> muscle_wraps;
  std::vector<std::string> muscle_curves;  ///< curve set name, per muscle
  std::vector<std::string> muscle_tendon;  ///< "rigid" / "compliant", per muscle

  // Wrap surfaces.
  enum class WrapType { Cylinder, Sphere };
  int n_wrap_surfaces = 0;
  std::vector<std::string> wrap_names;
  std::vector<WrapType> wrap_type;
  std::vector<int> wrap_body;                  ///< -1 = ground
  std::vector<Eigen::Vector3d> wrap_centre;    ///< [m] in the body frame
  std::vector<Eigen::Matrix3d> wrap_rotation;  ///< surface frame to body frame
  std::vector<double> wrap_radius;             ///< [m]
  std::vector<double> wrap_length;             ///< cylinder length [m], 0 = infinite
  std::vector<int> wrap_side_axis;             ///< 0, 1, 2 (x, y, z) or -1 for all sides
  std::vector<double> wrap_side_sign;          ///< +1 or -1

  // Muscle groups.
  std::vector<std::string> group_names;
  std::vector<std::vector<int>> group_muscles;  ///< muscle indices per group

  // Agonist/antagonist pairs.
  int n_pairs = 0;
  std::vector<std::string> pair_names;
  std::vector<int> pair_dof;
  std::vector<std::vector<int>> pair_agonists, pair_antagonists;
  std::vector<double> pair_reciprocal_inhibition;  ///< k_RI [1]

  // Spinal levels (segments), bottom up (docs/theory/spine.md).
  int n_segments = 0;
  std::vector<std::string> segment_names;
  std::vector<spine::SegmentParams> segment_params;
  std::vector<int> segment_body;  ///< body whose joint is the level (the upper vertebra)
  /// +1 when a positive joint angle is flexion (joint axis -z), -1 when it is extension (+z).
  std::vector<double> segment_flexion_sign;
  std::vector<Eigen::Vector3d> segment_axis;  ///< disc axis in the lower body's frame at neutral
  std::vector<double> segment_hydration;      ///< initial disc fluid content [1]
  /// body_segment[b]: the segment at body b's joint, or -1.
  std::vector<int> body_segment;
  std::vector<std::string> segment_region;  ///< e.g. "lumbar" ("" when none)
  std::vector<double> segment_rhythm;       ///< share of the region's flexion [1]

  /// How postures apply (PostureSpec, resolved to indices; -1 / -2 when absent).
  struct PostureMap {
    bool ground_is_thorax = false;
    int load_body = -2;                                  ///< -2: none
    Eigen::Vector3d shoulder = Eigen::Vector3d::Zero();  ///< in load_body's frame [m]
    double arm_mass = 0.0;                               ///< [kg]
    double arm_length = 0.0;                             ///< [m]
    double arm_com_fraction = 0.45;                      ///< [1]
    int load_reference = -1;                             ///< segment index
    int hip_dof = -1;
    int head_dof = -1;
    std::vector<bool> dof_prescribed;  ///< per coordinate: posed, not balanced
  } posture;

  /// Whom the model stands for (after scaling: mass and height are the person's).
  SubjectSpec subject;

  StateLayout layout;
  std::vector<ChannelSpec> channels;
  /// What the model's import approximated or left out (ModelSpec::warnings), one sentence each.
  std::vector<std::string> warnings;

  int find_dof(const std::string& name) const;      ///< -1 when absent
  int find_muscle(const std::string& name) const;   ///< -1 when absent
  int find_body(const std::string& name) const;     ///< -1 for ground, -2 when absent
  int find_segment(const std::string& name) const;  ///< -1 when absent
};

/// Checks and compiles a spec. @throws ModelError naming file, line and field.
Model compile(const ModelSpec& spec);

/// Loads and compiles a model file: msk YAML, or an OpenSim model when the path ends in ".osim"
/// (see docs/guide/opensim.md). @throws ModelError
Model load_model(const std::string& path, const std::string& overrides_json = "");

/// Parses and compiles model text. @throws ModelError
Model load_model_text(const std::string& text, const std::string& file = "<string>",
                      const std::string& overrides_json = "");

}  // namespace msk
