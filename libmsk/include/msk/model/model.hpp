// msk/model/model.hpp — the compiled, immutable Model.
//
// compile() checks a ModelSpec for consistency (names resolve, parents come first, paths attach to
// bodies, pairs name existing muscles and a revolute joint), attaches the laws every entity uses
// (law/registry.hpp) and lays out their states and channels. A Model never changes after
// compile(): its accessors are read-only. A parameter study makes new Models, either from text
// (load_model with overrides) or, without recompiling, with with_parameters(), which copies only
// the parameter blocks it changes (the topology, geometry and names are shared).
#pragma once

#include <Eigen/Core>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "msk/law/law.hpp"
#include "msk/law/registry.hpp"
#include "msk/model/spec.hpp"
#include "msk/muscle/muscle_tendon.hpp"

namespace msk {

/// Where each state variable lives in the state vector x (see docs/theory/integrator.md).
struct StateLayout {
  int n_states = 0;
  int q_offset = 0;                ///< coordinates q [rad], size n_dofs
  int qd_offset = 0;               ///< coordinate speeds [rad/s], size n_dofs
  std::vector<std::string> names;  ///< size n_states, e.g. "muscle.BIClong.activation"
  std::vector<std::string> units;  ///< size n_states, e.g. "1"
  std::vector<std::string> laws;   ///< size n_states, the law that integrates the state
};

/// An output channel recorded by the episode integrator.
struct ChannelSpec {
  std::string name;         ///< e.g. "muscle.BIClong.force"
  std::string units;        ///< e.g. "N"
  std::string description;  ///< one line
};

/// A parameter of a compiled model that with_parameters() can change (see Model::parameter).
struct ParameterRef {
  enum class Block { Muscle, Segment, Hydration, Law };
  Block block = Block::Muscle;
  int index = 0;   ///< muscle or segment index, or law index (Block::Law)
  int entity = 0;  ///< the law's entity (Block::Law)
  int field = 0;   ///< field within the block
};

/// Per wrap of a muscle path: surface index and path point range.
struct PathWrap {
  int surface = 0;
  int from_point = 0;
  int to_point = 0;
};

enum class WrapType { Cylinder, Sphere };

/// How postures apply (PostureSpec, resolved to indices; -1 / -2 when absent).
struct PostureMap {
  bool ground_is_thorax = false;
  bool ground_is_thigh = false;  ///< the ground is the femur: gravity follows the thigh
  int load_body = -2;            ///< -2: none
  Eigen::Vector3d shoulder = Eigen::Vector3d::Zero();  ///< in load_body's frame [m]
  double arm_mass = 0.0;                               ///< [kg]
  double arm_length = 0.0;                             ///< [m]
  double arm_com_fraction = 0.45;                      ///< [1]
  int load_reference = -1;                             ///< segment index
  int hip_dof = -1;
  int knee_dof = -1;
  int head_dof = -1;
  int trunk_body = -2;                                    ///< -2: none
  int gaze_body = -2;                                     ///< -2: none
  int seat_body = -2;                                     ///< -2: none
  Eigen::Vector3d seat_point = Eigen::Vector3d::Zero();   ///< in seat_body's frame [m]
  int feet_body = -2;                                     ///< -2: none (no balance over the feet)
  Eigen::Vector3d ankle_point = Eigen::Vector3d::Zero();  ///< ankles' centre, feet_body [m]
  double pressure_offset = 0.0;  ///< centre of pressure in front of the ankles [m]
  double ground_mass = 0.0;      ///< mass of the ground body [kg]
  Eigen::Vector3d ground_com = Eigen::Vector3d::Zero();  ///< its centre of mass [m]
  std::vector<bool> dof_prescribed;                      ///< per coordinate: posed, not balanced
};

/// How a core channel's value is computed (see episode.cpp, record_core_channels).
struct CoreChannel {
  enum class Kind {
    JointAngle,
    JointVelocity,
    JointMuscleMoment,
    ExaminerTorque,
    ResistingTorque,
    MuscleExcitation,
    MuscleVoluntary,
    MuscleFibreLength,
    MuscleNormFibreLength,
    MuscleFibreVelocity,
    MuscleMtuLength,
    MuscleForce,
    MusclePassiveForce,
    MuscleMomentArm,
    MuscleMoment,
    PairCci,
    PairNetMoment,
    PairAgonistMoment,
    PairAntagonistMoment,
    SegmentAngle,
    SegmentCompression,
    SegmentShear,
    SegmentDiscForce,
    SegmentPressure,
    SegmentFacetForce,
    SegmentFacetShare,
    SegmentLigamentForce,
    SegmentDiscHeight,
    SegmentForamenHeight,
    SegmentMoment,
    SegmentHydration,
    SegmentPosteriorDiscHeight,
    SegmentDiscShear,
    SegmentFacetShear,
    SegmentForamenWidth,
    SegmentForamenArea,
    SegmentNerveRootRisk,
    SegmentDegeneration,
    RegionAngle,
    RegionResistingTorque,
    RegionExaminerTorque
  };
  Kind kind;
  int entity = 0;  ///< coordinate, muscle, pair, segment or region index
  int sub = 0;     ///< coordinate of a per-coordinate muscle channel
  int index = 0;   ///< position in the recorded row
};

namespace detail {

/// Everything about a model that with_parameters() never changes: topology, geometry, names,
/// the laws' attachment and layout. Shared between a model and the models made from it.
struct ModelStructure {
  std::string name, description;
  std::string file = "<string>";
  std::string text;
  Eigen::Vector3d gravity = Eigen::Vector3d(0.0, -9.80665, 0.0);

  int n_bodies = 0;
  std::vector<std::string> body_names;
  std::vector<int> body_parent, body_dof;
  std::vector<Eigen::Vector3d> joint_axis;
  std::vector<double> joint_ratio, joint_offset;
  std::vector<Eigen::Vector3d> joint_location_in_parent, joint_location_in_child;
  std::vector<Eigen::Matrix3d> joint_orientation;
  std::vector<double> body_mass;
  std::vector<Eigen::Vector3d> body_com;
  std::vector<Eigen::Matrix3d> body_inertia;
  std::vector<std::vector<bool>> body_moves_with_dof, body_moves_with_joint;

  int n_dofs = 0;
  std::vector<std::string> dof_names;
  std::vector<int> dof_body;
  std::vector<std::vector<int>> dof_joints;
  std::vector<double> dof_range_min, dof_range_max, dof_default, dof_damping;
  std::vector<double> dof_limit_stiffness, dof_limit_sharpness;

  int n_muscles = 0;
  std::vector<std::string> muscle_names;
  std::vector<std::vector<int>> muscle_path_body;
  std::vector<std::vector<Eigen::Vector3d>> muscle_path_point;
  std::vector<std::vector<int>> muscle_path_active_dof;
  std::vector<std::vector<std::array<double, 2>>> muscle_path_active_range;
  std::vector<std::vector<PathWrap>> muscle_wraps;
  std::vector<std::string> muscle_curves, muscle_tendon;

  int n_wrap_surfaces = 0;
  std::vector<std::string> wrap_names;
  std::vector<WrapType> wrap_type;
  std::vector<int> wrap_body;
  std::vector<Eigen::Vector3d> wrap_centre;
  std::vector<Eigen::Matrix3d> wrap_rotation;
  std::vector<double> wrap_radius, wrap_length;
  std::vector<int> wrap_side_axis;
  std::vector<double> wrap_side_sign;

  std::vector<std::string> group_names;
  std::vector<std::vector<int>> group_muscles;

  int n_pairs = 0;
  std::vector<std::string> pair_names;
  std::vector<int> pair_dof;
  std::vector<std::vector<int>> pair_agonists, pair_antagonists;

  int n_segments = 0;
  std::vector<std::string> segment_names;
  std::vector<int> segment_body;
  std::vector<double> segment_flexion_sign;
  std::vector<Eigen::Vector3d> segment_axis;
  std::vector<int> body_segment;
  std::vector<std::string> segment_region;
  std::vector<double> segment_rhythm;
  /// Spinal regions (the levels' `region:`), in order of first appearance: the coordinates of
  /// their levels and the levels' rhythm normalised to sum 1 (equal shares without a rhythm).
  std::vector<std::string> region_names;
  std::vector<std::vector<int>> region_dofs;
  std::vector<std::vector<double>> region_weights;

  PostureMap posture;
  SubjectSpec subject;
  std::vector<std::string> warnings;

  /// Muscle-tendon lengths at the default coordinates [m] (geometry only).
  std::vector<double> default_mtu_length;

  StateLayout layout;
  std::vector<ChannelSpec> channels;
  std::vector<CoreChannel> core_channels;

  std::vector<std::string> law_roles;  ///< per law: the role it fills
  std::vector<int> law_order;          ///< law indices sorted by stage (stable)
  /// Per domain entity: (law index, the law's entity index k) of every law attached to it.
  std::vector<std::vector<std::pair<int, int>>> muscle_laws, pair_laws, segment_laws;
  std::shared_ptr<const LawRegistry> registry;

  std::unordered_map<std::string, int> muscle_index, segment_index, dof_index, body_index,
      pair_index, group_index;
};

}  // namespace detail

/// The compiled model. Indexed as the accessor names say (body, dof, muscle, pair, segment).
class Model {
 public:
  Model();

  // Identity.
  const std::string& name() const { return s_->name; }
  const std::string& description() const { return s_->description; }
  const std::string& file() const { return s_->file; }  ///< "<string>" when read from text
  const std::string& text() const { return s_->text; }  ///< model text after overrides
  const Eigen::Vector3d& gravity() const { return s_->gravity; }  ///< [m/s^2], ground frame

  // Bodies, parents before children. Parent -1 is ground.
  int n_bodies() const { return s_->n_bodies; }
  const std::vector<std::string>& body_names() const { return s_->body_names; }
  const std::vector<int>& body_parent() const { return s_->body_parent; }
  /// Coordinate of the body's joint, -1 for a weld.
  const std::vector<int>& body_dof() const { return s_->body_dof; }
  /// Joint axis (unit) in the parent frame, per body.
  const std::vector<Eigen::Vector3d>& joint_axis() const { return s_->joint_axis; }
  /// Joint angle = ratio q + offset [1], per body.
  const std::vector<double>& joint_ratio() const { return s_->joint_ratio; }
  const std::vector<double>& joint_offset() const { return s_->joint_offset; }  ///< [rad]
  const std::vector<Eigen::Vector3d>& joint_location_in_parent() const {
    return s_->joint_location_in_parent;
  }  ///< [m]
  const std::vector<Eigen::Vector3d>& joint_location_in_child() const {
    return s_->joint_location_in_child;
  }  ///< [m]
  /// Child frame relative to the parent frame at joint angle 0.
  const std::vector<Eigen::Matrix3d>& joint_orientation() const { return s_->joint_orientation; }
  const std::vector<double>& body_mass() const { return s_->body_mass; }         ///< [kg]
  const std::vector<Eigen::Vector3d>& body_com() const { return s_->body_com; }  ///< [m] body
  const std::vector<Eigen::Matrix3d>& body_inertia() const { return s_->body_inertia; }  ///< COM
  /// body_moves_with_dof()[d][b]: body b moves with coordinate d.
  const std::vector<std::vector<bool>>& body_moves_with_dof() const {
    return s_->body_moves_with_dof;
  }
  /// body_moves_with_joint()[j][b]: body b is body j or a descendant, and j's joint is revolute.
  const std::vector<std::vector<bool>>& body_moves_with_joint() const {
    return s_->body_moves_with_joint;
  }

  // Coordinates (one per revolute joint that defines one).
  int n_dofs() const { return s_->n_dofs; }
  const std::vector<std::string>& dof_names() const { return s_->dof_names; }
  const std::vector<int>& dof_body() const { return s_->dof_body; }
  /// Bodies whose joint angle follows the coordinate.
  const std::vector<std::vector<int>>& dof_joints() const { return s_->dof_joints; }
  const std::vector<double>& dof_range_min() const { return s_->dof_range_min; }  ///< [rad]
  const std::vector<double>& dof_range_max() const { return s_->dof_range_max; }  ///< [rad]
  const std::vector<double>& dof_default() const { return s_->dof_default; }      ///< [rad]
  const std::vector<double>& dof_damping() const { return s_->dof_damping; }      ///< [N m s/rad]
  const std::vector<double>& dof_limit_stiffness() const { return s_->dof_limit_stiffness; }
  const std::vector<double>& dof_limit_sharpness() const { return s_->dof_limit_sharpness; }

  // Muscles.
  int n_muscles() const { return s_->n_muscles; }
  const std::vector<std::string>& muscle_names() const { return s_->muscle_names; }
  /// Mechanical parameters of each muscle-tendon unit (F0, L_opt, L_s, pennation, curves).
  const std::vector<muscle::MuscleTendonParams>& muscle_params() const { return *muscle_params_; }
  const std::vector<std::vector<int>>& muscle_path_body() const { return s_->muscle_path_body; }
  const std::vector<std::vector<Eigen::Vector3d>>& muscle_path_point() const {
    return s_->muscle_path_point;
  }  ///< [m] in the body frame
  /// Conditional path points: coordinate of the condition (-1: always active) and its range.
  const std::vector<std::vector<int>>& muscle_path_active_dof() const {
    return s_->muscle_path_active_dof;
  }
  const std::vector<std::vector<std::array<double, 2>>>& muscle_path_active_range() const {
    return s_->muscle_path_active_range;
  }  ///< [rad]
  const std::vector<std::vector<PathWrap>>& muscle_wraps() const { return s_->muscle_wraps; }
  const std::vector<std::string>& muscle_curves() const { return s_->muscle_curves; }
  const std::vector<std::string>& muscle_tendon() const { return s_->muscle_tendon; }
  /// Muscle-tendon lengths at the default coordinates [m].
  const std::vector<double>& default_mtu_length() const { return s_->default_mtu_length; }

  // Wrap surfaces.
  int n_wrap_surfaces() const { return s_->n_wrap_surfaces; }
  const std::vector<std::string>& wrap_names() const { return s_->wrap_names; }
  const std::vector<WrapType>& wrap_type() const { return s_->wrap_type; }
  const std::vector<int>& wrap_body() const { return s_->wrap_body; }  ///< -1 = ground
  const std::vector<Eigen::Vector3d>& wrap_centre() const { return s_->wrap_centre; }  ///< [m]
  const std::vector<Eigen::Matrix3d>& wrap_rotation() const { return s_->wrap_rotation; }
  const std::vector<double>& wrap_radius() const { return s_->wrap_radius; }  ///< [m]
  const std::vector<double>& wrap_length() const { return s_->wrap_length; }  ///< [m], 0 = inf
  const std::vector<int>& wrap_side_axis() const { return s_->wrap_side_axis; }
  const std::vector<double>& wrap_side_sign() const { return s_->wrap_side_sign; }

  // Muscle groups.
  const std::vector<std::string>& group_names() const { return s_->group_names; }
  const std::vector<std::vector<int>>& group_muscles() const { return s_->group_muscles; }

  // Agonist/antagonist pairs.
  int n_pairs() const { return s_->n_pairs; }
  const std::vector<std::string>& pair_names() const { return s_->pair_names; }
  const std::vector<int>& pair_dof() const { return s_->pair_dof; }
  const std::vector<std::vector<int>>& pair_agonists() const { return s_->pair_agonists; }
  const std::vector<std::vector<int>>& pair_antagonists() const { return s_->pair_antagonists; }

  // Spinal levels (segments), bottom up (docs/theory/spine.md).
  int n_segments() const { return s_->n_segments; }
  const std::vector<std::string>& segment_names() const { return s_->segment_names; }
  const std::vector<spine::SegmentParams>& segment_params() const { return *segment_params_; }
  /// Body whose joint is the level (the upper vertebra).
  const std::vector<int>& segment_body() const { return s_->segment_body; }
  /// +1 when a positive joint angle is flexion (joint axis -z), -1 when it is extension (+z).
  const std::vector<double>& segment_flexion_sign() const { return s_->segment_flexion_sign; }
  /// Disc axis in the lower body's frame at neutral.
  const std::vector<Eigen::Vector3d>& segment_axis() const { return s_->segment_axis; }
  /// Initial (and equilibrium default) disc fluid content per level [1].
  const std::vector<double>& segment_hydration() const { return *segment_hydration_; }
  /// body_segment()[b]: the segment at body b's joint, or -1.
  const std::vector<int>& body_segment() const { return s_->body_segment; }
  const std::vector<std::string>& segment_region() const { return s_->segment_region; }
  const std::vector<double>& segment_rhythm() const { return s_->segment_rhythm; }
  /// Spinal regions: names, the coordinates of their levels and their shares of the region's
  /// motion (the levels' rhythm, summing to 1). An examiner moves a region by these shares
  /// (sim/protocol.hpp); the region's angle is the sum of its coordinates.
  const std::vector<std::string>& region_names() const { return s_->region_names; }
  const std::vector<std::vector<int>>& region_dofs() const { return s_->region_dofs; }
  const std::vector<std::vector<double>>& region_weights() const { return s_->region_weights; }
  int find_region(const std::string& name) const;  ///< -1 when absent

  const PostureMap& posture() const { return s_->posture; }
  /// Whom the model stands for (after scaling: mass and height are the person's).
  const SubjectSpec& subject() const { return s_->subject; }
  /// What the model's import approximated or left out, one sentence each.
  const std::vector<std::string>& warnings() const { return s_->warnings; }

  // Laws, states and channels.
  const StateLayout& layout() const { return s_->layout; }
  const std::vector<ChannelSpec>& channels() const { return s_->channels; }
  const std::vector<CoreChannel>& core_channels() const { return s_->core_channels; }
  int n_laws() const { return static_cast<int>(laws_.size()); }
  const Law& law(int l) const { return *laws_[static_cast<std::size_t>(l)]; }
  const std::string& law_role(int l) const { return s_->law_roles[static_cast<std::size_t>(l)]; }
  /// Law indices in the order the right-hand side runs them (by stage, then model order).
  const std::vector<int>& law_order() const { return s_->law_order; }
  /// (law index, the law's entity index) of every law attached to muscle i.
  const std::vector<std::pair<int, int>>& muscle_laws(int i) const {
    return s_->muscle_laws[static_cast<std::size_t>(i)];
  }
  const std::vector<std::pair<int, int>>& pair_laws(int k) const {
    return s_->pair_laws[static_cast<std::size_t>(k)];
  }
  const std::vector<std::pair<int, int>>& segment_laws(int k) const {
    return s_->segment_laws[static_cast<std::size_t>(k)];
  }
  /// The law filling `role` for an entity of `domain`, or -1; sets *k to its entity index.
  int find_law(LawDomain domain, int entity, const std::string& role, int* k = nullptr) const;
  /// The registry the model was loaded with (to load variants of its text with the same laws).
  const std::shared_ptr<const LawRegistry>& registry() const { return s_->registry; }

  // Lookups.
  int find_dof(const std::string& name) const;      ///< -1 when absent
  int find_muscle(const std::string& name) const;   ///< -1 when absent
  int find_body(const std::string& name) const;     ///< -1 for ground, -2 when absent
  int find_segment(const std::string& name) const;  ///< -1 when absent
  int find_pair(const std::string& name) const;     ///< -1 when absent
  int find_group(const std::string& name) const;    ///< -1 when absent

  // Parameters without recompiling (docs/guide/python.md, "Parameters").
  /// Resolves a dotted parameter name, as in overrides: "muscles.NAME.FIELD" (max_isometric_force,
  /// optimal_fibre_length, tendon_slack_length, pennation_at_optimal, max_contraction_velocity,
  /// fibre_damping, or a law parameter such as tone.gain, activation_time_constant or
  /// laws.ROLE.FIELD), "segments.NAME.disc.FIELD" (and facet., foramen., neutral_angle,
  /// hydration, laws.ROLE.FIELD), "pairs.NAME.reciprocal_inhibition". Groups expand with
  /// parameters() below.
  /// @throws InvalidArgument naming the part that does not resolve and the valid names
  ParameterRef parameter(const std::string& name) const;
  /// Every parameter a name resolves to: a single one, or one per member for
  /// "groups.GROUP.FIELD".
  std::vector<ParameterRef> parameters(const std::string& name) const;
  /// Current value of a parameter [its unit].
  double parameter_value(const ParameterRef& ref) const;
  /// Names of every settable parameter (one per entity and field), in a stable order.
  std::vector<std::string> parameter_names() const;
  /// A model with the given parameters changed; blocks that do not change are shared.
  /// @throws InvalidArgument for a value outside the parameter's range
  Model with_parameters(const std::vector<std::pair<ParameterRef, double>>& changes) const;
  /// Same by name (groups expand to their members).
  Model with_parameters(const std::map<std::string, double>& changes) const;

 private:
  friend Model compile(const ModelSpec& spec, std::shared_ptr<const LawRegistry> registry);
  std::shared_ptr<const detail::ModelStructure> s_;
  std::shared_ptr<const std::vector<muscle::MuscleTendonParams>> muscle_params_;
  std::shared_ptr<const std::vector<spine::SegmentParams>> segment_params_;
  std::shared_ptr<const std::vector<double>> segment_hydration_;
  std::vector<std::shared_ptr<const Law>> laws_;
};

/// Checks and compiles a spec with the laws of `registry` (nullptr: builtin_laws()).
/// @throws ModelError naming file, line and field.
Model compile(const ModelSpec& spec, std::shared_ptr<const LawRegistry> registry = nullptr);

/// How load_model reads a model.
struct LoadOptions {
  /// Dotted paths to values, e.g. {"muscles.BIClong.tone": "hypertonic"} (strings are YAML).
  std::map<std::string, std::string> overrides;
  /// The same as one JSON (or YAML) mapping; applied after `overrides`.
  std::string overrides_json;
  /// Who gave the overrides (e.g. "run.yaml: overrides"), "<overrides>" by default. An override
  /// the model refuses is reported as a ModelError with this as its file and the key as given,
  /// quoted, as its field ("run.yaml: overrides: 'groups.extensors.tone': expected one of
  /// hypertonic, normal, hypotonic, got 'hypertonik'; did you mean 'hypertonic'?").
  std::string overrides_source = "<overrides>";
  /// Laws the model may name (nullptr: builtin_laws()).
  std::shared_ptr<const LawRegistry> laws;
};

/// Loads and compiles a model: a bundled model by name ("elbow", "lumbar", "cervical": see
/// bundled_model_names()), an msk YAML file, or an OpenSim model (a path ending in ".osim", see
/// docs/guide/opensim.md). @throws ModelError naming file, line and field; for a refused override,
/// LoadOptions::overrides_source and the key (docs/guide/errors.md)
Model load_model(const std::string& name_or_path, const LoadOptions& options = {});
/// Same with overrides as a JSON mapping. @throws ModelError
Model load_model(const std::string& name_or_path, const std::string& overrides_json);

/// Parses and compiles model text. @throws ModelError
Model load_model_text(const std::string& text, const std::string& file = "<string>",
                      const LoadOptions& options = {});
Model load_model_text(const std::string& text, const std::string& file,
                      const std::string& overrides_json);

/// Names of the models bundled with msk (the files found in bundled_model_directory()).
std::vector<std::string> bundled_model_names();
/// Where bundled models are looked up: $MSK_MODEL_PATH if set, else the installed
/// share/msk/models, else the source tree's models/ (for builds that are not installed).
std::string bundled_model_directory();

}  // namespace msk
