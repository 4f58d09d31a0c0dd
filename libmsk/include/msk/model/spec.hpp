// msk/model/spec.hpp — the editable model specification, as read from a model file.
//
// A ModelSpec is plain data that keeps where each entity came from (file and line), so that
// compile() can name the culprit of any inconsistency. compile() turns it into an immutable Model.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "msk/spine/segment.hpp"

namespace msk {

/// Where an entity was defined: file name and 1-based line (0 when unknown, e.g. an override).
struct SourceLocation {
  std::string file;
  int line = 0;
};

/// Joint connecting a body to its parent. A revolute joint turns by the angle
/// ratio * q + offset about its axis, q being the value of its coordinate: the joint defines the
/// coordinate (named after the joint, or `coordinate`) unless an earlier joint already did, in
/// which case it follows that coordinate (a coupled joint, e.g. one level of a spinal rhythm).
struct JointSpec {
  std::string name;                            ///< joint name, e.g. "r_elbow_flex"
  std::string type = "weld";                   ///< "weld" (fixed) or "revolute"
  std::string coordinate;                      ///< coordinate driving the joint; "" = name
  double ratio = 1.0;                          ///< joint angle per unit of coordinate [1]
  double offset = 0.0;                         ///< joint angle at coordinate 0 [rad]
  std::array<double, 3> axis{0.0, 0.0, 1.0};   ///< rotation axis in the parent frame [1]
  std::array<double, 3> location_in_parent{};  ///< joint centre in the parent frame [m]
  std::array<double, 3> location_in_child{};   ///< joint centre in the child frame [m]
  /// Orientation of the child frame relative to the parent frame at joint angle 0, as body-fixed
  /// x-y-z Euler angles [rad] (OpenSim's convention); the joint rotation comes before it:
  /// R_child = R_parent Rot(axis, angle) R_xyz(orientation).
  std::array<double, 3> orientation{};
  std::array<double, 2> range{-3.14159, 3.14159};  ///< coordinate range [rad]
  double default_value = 0.0;                      ///< default coordinate [rad]
  double damping = 0.0;                            ///< viscous joint damping [N m s/rad]
  double limit_stiffness = 1.0;                    ///< range-limit moment scale k1 [N m]
  double limit_sharpness = 20.0;                   ///< range-limit exponential rate k2 [1/rad]
};

/// A rigid body attached to its parent ("ground" or another body) by a joint.
struct BodySpec {
  std::string name;
  std::string parent = "ground";
  JointSpec joint;
  double mass = 0.0;                ///< [kg]
  std::array<double, 3> com{};      ///< centre of mass in the body frame [m]
  std::array<double, 6> inertia{};  ///< Ixx Iyy Izz Ixy Ixz Iyz about the COM [kg m^2]
  SourceLocation loc;
};

/// A point of a muscle path, fixed in a body frame. A conditional point (OpenSim's
/// ConditionalPathPoint) belongs to the path only while a coordinate is within a range.
struct PathPointSpec {
  std::string body;               ///< "ground" or a body name
  std::array<double, 3> point{};  ///< location in the body frame [m]
  std::string active_coordinate;  ///< "" = always active; else the coordinate of the condition
  std::array<double, 2> active_range{};  ///< the point is active for q in [min, max] [rad]
};

/// A smooth surface fixed in a body that muscle paths wrap over (see docs/theory/geometry.md).
struct WrapSurfaceSpec {
  std::string name;
  std::string body = "ground";     ///< "ground" or a body name
  std::string type = "cylinder";   ///< "cylinder" (axis = local z) or "sphere"
  std::array<double, 3> centre{};  ///< origin of the surface frame in the body frame [m]
  /// Orientation of the surface frame in the body frame, body-fixed x-y-z Euler angles [rad]
  /// (OpenSim's xyz_body_rotation).
  std::array<double, 3> xyz_body_rotation{};
  double radius = 0.0;  ///< [m]
  /// Cylinder length [m]: a path whose two tangent points both lie beyond length/2 from the centre
  /// along the axis does not wrap. 0 = infinite.
  double length = 0.0;
  /// Side the path must pass on to wrap: "all", or "+x", "-x", "+y", "-y" (and "+z", "-z" for a
  /// sphere) in the surface frame (OpenSim's quadrant).
  std::string side = "all";
  SourceLocation loc;
};

/// A muscle path wrapping over a surface: the first segment between consecutive active path points
/// from_point..to_point (0-based path indices) whose straight line would pass through the surface
/// on its wrapping side is replaced by the shortest path around the surface.
struct PathWrapSpec {
  std::string surface;  ///< name of a wrap surface of the model
  int from_point = 0;   ///< first path point of the range [index]
  int to_point = -1;    ///< last path point of the range [index]; -1 = the last point
};

/// A law attached to an entity (a muscle, a pair or a spinal level) in a role: the law's registry
/// name, an optional preset of its parameters and explicit values (law/registry.hpp). Model files
/// write them under `laws:` ({ROLE: LAW}, {ROLE: {law: LAW, preset: NAME, FIELD: VALUE}} or
/// {ROLE: none}); the legacy keys `tone`, `viscoelastic`, `thixotropy`, `activation_time_constant`,
/// ... are read into the same form (docs/guide/model_files.md).
struct LawSpec {
  std::string role;                      ///< e.g. "reflex"
  std::string law;                       ///< registry name; "" = the role's default; "none" = off
  std::string preset;                    ///< a preset of the law's parameters ("" = defaults)
  std::map<std::string, double> values;  ///< explicit parameter values, by parameter name
  std::string field;                     ///< field path for errors, e.g. "muscles[3=BIClong].tone"
  /// Field path of each explicit value (for errors naming the key that was set).
  std::map<std::string, std::string> value_fields;
  SourceLocation loc;
};

/// The LawSpec of `role` in `laws`, added (with the role's default law) when absent.
LawSpec& law_spec_of(std::vector<LawSpec>& laws, const std::string& role);

/// One muscle-tendon unit.
struct MuscleSpec {
  std::string name;
  double max_isometric_force = 0.0;      ///< F0 [N]
  double optimal_fibre_length = 0.0;     ///< L_opt [m]
  double tendon_slack_length = 0.0;      ///< L_s [m]
  double pennation_at_optimal = 0.0;     ///< alpha_0 [rad]
  double max_contraction_velocity = 10;  ///< v_max [L_opt/s]
  double fibre_damping = 0.1;            ///< beta [1] (compliant tendon only)
  std::string curves = "degroote2016";   ///< "degroote2016" or "thelen2003"
  // Thelen 2003 shape parameters (used when curves == "thelen2003")
  double thelen_kshape_active = 0.45;
  double thelen_kshape_passive = 5.0;
  double thelen_fmax_muscle_strain = 0.6;
  double thelen_fmax_tendon_strain = 0.04;
  double thelen_af = 0.25;
  double thelen_flen = 1.4;
  std::vector<PathPointSpec> path;
  std::vector<PathWrapSpec> wrap;  ///< wrap surfaces of the path, applied in this order
  /// Laws by role (activation, tendon, reflex, depression, viscoelasticity, thixotropy, ...);
  /// roles not listed take the registry's default (law/registry.hpp).
  std::vector<LawSpec> laws;
  SourceLocation loc;
};

/// A named group of muscles (e.g. "erector_spinae"): overrides can address all of them at once
/// ("groups.erector_spinae.tone": "hypertonic"), and results report them together.
struct MuscleGroupSpec {
  std::string name;
  std::vector<std::string> muscles;
  SourceLocation loc;
};

/// An agonist/antagonist pair about one joint coordinate.
struct PairSpec {
  std::string name;
  std::string joint;                     ///< coordinate name
  std::vector<std::string> agonists;     ///< muscle names
  std::vector<std::string> antagonists;  ///< muscle names
  std::vector<LawSpec> laws;             ///< laws by role (inhibition: reciprocal_inhibition)
  SourceLocation loc;
};

/// A spinal level (motion segment) at the revolute joint of its upper vertebra
/// (docs/theory/spine.md). The joint's axis must be the lower body's z axis, either way; flexion is
/// the rotation that moves the upper vertebra anteriorly (+x forward, +y up, +z to the right, as in
/// OpenSim).
struct SegmentSpec {
  std::string name;   ///< level name, e.g. "L4-L5"
  std::string joint;  ///< name of the revolute joint of the upper vertebra's body
  /// Direction of the disc axis (normal to its mid-plane) in the lower body's frame at joint angle
  /// 0 (the model's geometry), as its tilt from +y towards +x [rad]; it turns with half the angle.
  double axis_tilt = 0.0;
  double hydration = 1.0;  ///< initial disc fluid content [1] (1 = fully hydrated, unloaded)
  std::string region;      ///< "lumbar", "cervical", ...: which posture angle drives the level
  /// Share of its region's flexion the level takes in a posture (the rhythm) [1].
  double rhythm = 0.0;
  spine::SegmentParams params;
  std::vector<LawSpec> laws;  ///< laws by role (fluid: the disc fluid law)
  SourceLocation loc;
};

/// The person a model stands for. Masses, lengths and strengths in the file are those of the
/// reference person; a different mass or height scales them at load time (docs/theory/spine.md,
/// "Scaling").
struct SubjectSpec {
  double reference_mass = 0.0;    ///< body mass the file's values describe [kg] (0: no scaling)
  double reference_height = 0.0;  ///< stature the file's values describe [m]
  double mass = 0.0;              ///< body mass of the person simulated [kg]
  double height = 0.0;            ///< stature of the person simulated [m]
};

/// How postures (docs/theory/posture.md) apply to the model.
struct PostureSpec {
  /// The body the model's ground stands for: "thigh" (the femur: gravity follows the thigh's
  /// inclination, the pelvis turns on the hip), "pelvis" (gravity follows the pelvic tilt) or
  /// "thorax" (gravity follows the pelvic tilt plus lumbar and thoracic flexion).
  std::string ground = "pelvis";
  std::string load_body;             ///< body the arms and hand loads act on ("" for none)
  std::array<double, 3> shoulder{};  ///< shoulder centre (both sides) in load_body's frame [m]
  double arm_mass = 0.0;             ///< both arms [kg]
  double arm_length = 0.0;           ///< shoulder to hand [m]
  double arm_com_fraction = 0.45;    ///< arm centre of mass from the shoulder [1 of arm_length]
  std::string load_reference;        ///< segment whose centre hand distances are measured from
  std::string hip_coordinate;        ///< coordinate set by the posture's hip flexion ("" none)
  std::string knee_coordinate;       ///< coordinate set by the posture's knee flexion ("" none)
  std::string head_coordinate;       ///< coordinate set by the posture's head flexion ("" none)
  /// Body whose inclination in the world is a posture's task (trunk_flexion, e.g. the thorax).
  std::string trunk_body;
  /// Body whose inclination in the world is a posture's gaze task (gaze_flexion, e.g. the head).
  std::string gaze_body;
  /// Body that rests on a seat, and the contact point (the ischial tuberosities) in its frame [m]:
  /// with seat support the body is balanced about that point ("" none).
  std::string seat_body;
  std::array<double, 3> seat_point{};
  /// Balance over the feet (a posture's `balance`): the body the feet hang from (e.g. the shanks)
  /// and the ankles' centre in its frame [m]; the centre of pressure lies pressure_offset [m] in
  /// front of the ankles, horizontally in the world (the feet stay flat); the mass [kg] and centre
  /// of mass [m, ground frame] of the model's ground when it is part of the person (the thighs)
  /// ("" none).
  std::string feet_body;
  std::array<double, 3> ankle_point{};
  double pressure_offset = 0.0;
  double ground_mass = 0.0;
  std::array<double, 3> ground_com{};
  /// Coordinates the equilibrium poses but does not balance (supported from outside the model).
  std::vector<std::string> prescribed;
  SourceLocation loc;
};

/// The whole editable model.
struct ModelSpec {
  std::string name;
  std::string description;
  std::array<double, 3> gravity{0.0, -9.80665, 0.0};  ///< [m/s^2] in the ground frame
  std::vector<BodySpec> bodies;
  std::vector<WrapSurfaceSpec> wrap_surfaces;
  std::vector<MuscleSpec> muscles;
  std::vector<MuscleGroupSpec> groups;
  std::vector<PairSpec> pairs;
  std::vector<SegmentSpec> segments;  ///< spinal levels, from the bottom up
  /// Model-wide laws by domain ("muscles", "pairs", "segments") and role, applied to every entity
  /// that does not name its own law for the role (`law_defaults:` in model files).
  std::map<std::string, std::vector<LawSpec>> law_defaults;
  SubjectSpec subject;
  PostureSpec posture;
  /// What an import approximated or left out (e.g. an OpenSim element msk does not model), one
  /// sentence each, naming the element. Empty for a hand-written model.
  std::vector<std::string> warnings;
  std::string text;  ///< the YAML text the spec was read from (after overrides)
  std::string file;  ///< the file name ("<string>" for text)
};

}  // namespace msk
