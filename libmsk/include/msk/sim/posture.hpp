// msk/sim/posture.hpp — a static body posture: how the trunk, neck and hands are placed and
// where gravity points (docs/theory/posture.md).
//
// A posture states a task relative to the model's neutral (relaxed standing) geometry: how the
// body is supported (feet, seat or bed), the thighs' and knees' angles, the trunk's inclination in
// the world, a load in the hands and how long the posture is held. In the equilibrium's task mode
// the pelvis and the spinal levels then follow from gravity, the passive tissues and tone
// (docs/theory/posture.md); the nominal angles below (pelvic tilt, region flexions shared by the
// model's rhythm, level_flexion) are where the search starts, what the fixed mode imposes, and the
// shape an instructed task prefers. Angles in radians, lengths in metres, masses in kilograms.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <vector>

namespace msk {

struct Posture {
  std::string name = "custom";
  /// "upright", "supine" (lying on the back), "prone" (on the front) or "side" (gravity across the
  /// sagittal plane).
  std::string orientation = "upright";
  /// Whether a support (a bed) carries the weight of every body, so that the spine carries only
  /// muscle and tissue forces: true for lying postures (the presets set it from orientation).
  bool supported = false;
  /// What carries the body: "feet" (standing: the pelvis turns on the hips), "seat" (the pelvis
  /// rests on its ischial tuberosities and is balanced about them), "bed" (lying: the support
  /// carries every weight); "" = from orientation (upright: feet, else bed).
  std::string support;
  /// Forward inclination of the thighs from vertical [rad] (standing 0, sitting about pi/2); NaN:
  /// hip_flexion - pelvic_tilt.
  double thigh_flexion = std::numeric_limits<double>::quiet_NaN();
  double knee_flexion = 0.0;  ///< knee flexion [rad] (models with a knee coordinate)
  /// Standing balanced: in the task mode, on a model with feet (`posture.feet_body`), the thighs'
  /// inclination is not stated but found, so that the body's weight (with the thighs', the feet's,
  /// the arms' and the load's) has no moment about the feet's centre of pressure; thigh_flexion
  /// is where that search starts. Needs support "feet".
  bool balance = false;
  /// Task: forward inclination of the model's trunk body (e.g. the thorax) in the world from its
  /// inclination in the model's geometry [rad]; NaN: pelvic_tilt + lumbar_flexion +
  /// thoracic_flexion (the nominal angles').
  double trunk_flexion = std::numeric_limits<double>::quiet_NaN();
  /// Task: forward inclination of the model's gaze body (e.g. the head) in the world from its
  /// inclination in the model's geometry [rad]; NaN: the nominal angles' (level and head flexions
  /// added to the ground's inclination).
  double gaze_flexion = std::numeric_limits<double>::quiet_NaN();
  /// Whether the task instructs the spine's shape (e.g. "sit up straight", a lifting technique):
  /// then the equilibrium prefers the nominal angles (posture preference, hypothesis H11); a
  /// relaxed task lets the shape follow from the tissues.
  bool instructed = false;
  /// How long the posture is held [s]: tone habituates over minutes (docs/theory/neural.md).
  double hold_duration = 600.0;
  double pelvic_tilt = 0.0;       ///< anterior pelvic tilt from relaxed standing [rad]
  double lumbar_flexion = 0.0;    ///< flexion of the lumbar region from neutral [rad]
  double thoracic_flexion = 0.0;  ///< flexion of the thorax over L1 (cervical models) [rad]
  double neck_flexion = 0.0;      ///< flexion of the cervical region (C2-T1) from neutral [rad]
  double head_flexion = 0.0;      ///< flexion of the head on C2 [rad]
  double hip_flexion = 0.0;       ///< hip flexion (thighs on the pelvis) [rad]
  /// Per level: its flexion from neutral [rad], replacing its rhythm share of the region's.
  std::map<std::string, double> level_flexion;
  double load_mass = 0.0;  ///< mass held in both hands [kg]
  /// Horizontal distance of the hands in front of the load reference level's centre [m]; NaN:
  /// the arms hang and nothing is held.
  double hand_distance = std::numeric_limits<double>::quiet_NaN();
  double hand_height = 0.0;  ///< height of the hands above that centre [m] (drawing only)
  /// Disc fluid content of every level [1]; NaN: the model's values.
  double hydration = std::numeric_limits<double>::quiet_NaN();
  std::string source;  ///< where the kinematics come from
};

/// The names of the bundled postures: lying_supine, lying_prone, lying_side, standing_relaxed,
/// standing_flexed, standing_flexed_full, sitting_relaxed, sitting_straight, sitting_slouched,
/// sitting_flexed_max, lift_round_back, lift_bent_knees, lift_close.
std::vector<std::string> posture_preset_names();

/// A bundled posture (kinematics and sources: docs/theory/posture.md). The lifts hold
/// `load_mass` kg (NaN: 20 kg); the other postures ignore it unless it is given.
/// @throws InvalidArgument for an unknown name
Posture posture_preset(const std::string& name,
                       double load_mass = std::numeric_limits<double>::quiet_NaN());

/// Checks every field (finite, within plausible bounds: angles within 120 degrees, loads within
/// 500 kg, distances within 2 m). @throws InvalidArgument naming the field
void validate(const Posture& posture);

/// The posture's support: posture.support, or "feet" upright and "bed" lying when it is "".
std::string posture_support(const Posture& posture);
/// The thighs' forward inclination [rad]: thigh_flexion, or hip_flexion - pelvic_tilt.
double posture_thigh_flexion(const Posture& posture);
/// The trunk's target inclination [rad]: trunk_flexion, or the nominal angles' sum.
double posture_trunk_flexion(const Posture& posture);

}  // namespace msk
