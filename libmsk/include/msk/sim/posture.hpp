// msk/sim/posture.hpp — a static body posture: how the trunk, neck and hands are placed and
// where gravity points (docs/theory/posture.md).
//
// A posture is defined relative to the model's neutral (relaxed standing) posture: the pelvis is
// tilted by pelvic_tilt (anterior positive), the lumbar and cervical regions are flexed by
// lumbar_flexion and neck_flexion (shared between the levels of the region by the model's rhythm,
// unless level_flexion names a level's angle), the body lies or stands (orientation), and the hands
// may hold a load at a horizontal distance in front of the model's load reference level. Angles in
// radians, lengths in metres, masses in kilograms.
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
/// standing_flexed, sitting_relaxed, sitting_straight, sitting_slouched, sitting_flexed_max,
/// lift_round_back, lift_bent_knees, lift_close.
std::vector<std::string> posture_preset_names();

/// A bundled posture (kinematics and sources: docs/theory/posture.md). The lifts hold
/// `load_mass` kg (NaN: 20 kg); the other postures ignore it unless it is given.
/// @throws InvalidArgument for an unknown name
Posture posture_preset(const std::string& name,
                       double load_mass = std::numeric_limits<double>::quiet_NaN());

/// Checks every field (finite, within plausible bounds: angles within 120 degrees, loads within
/// 500 kg, distances within 2 m). @throws InvalidArgument naming the field
void validate(const Posture& posture);

}  // namespace msk
