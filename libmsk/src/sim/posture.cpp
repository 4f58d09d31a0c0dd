#include "msk/sim/posture.hpp"

#include <cmath>

#include "msk/error.hpp"

namespace msk {

namespace {

constexpr double kDeg = M_PI / 180.0;

// Kinematics of the bundled postures, relative to relaxed standing. Sources, per field, in
// docs/theory/posture.md: AnyBody AMMR's reconstruction of the Wilke et al. 1999/2001 postures
// (AMMR Application/Validation/WilkeSpinalDiscPressure: PelvisRotZ, PelvisThoraxExtension, hip
// flexion), Endo et al. 2012 (standing to sitting: lordosis -16.6 deg, posterior pelvic tilt
// 18.3 deg), the Asian Spine J 2019 cohort (recumbent lordosis 13 deg below standing), NIOSH
// horizontal distances (Waters et al. 1993: H from 25 to 63 cm).
struct Preset {
  const char* name;
  const char* orientation;
  const char* support;
  double thigh_deg, knee_deg;  // thigh forward inclination, knee flexion
  double pelvic_tilt_deg, lumbar_flexion_deg, neck_flexion_deg, head_flexion_deg;
  double trunk_deg;  // NaN: pelvic tilt + lumbar flexion (the nominal angles)
  bool instructed;
  double hold_s;
  double hand_distance_m;  // NaN: arms hang
  double hand_height_m;
  bool lift;
  const char* source;
};

const double kNaN = std::numeric_limits<double>::quiet_NaN();

const Preset kPresets[] = {
    {"lying_supine", "supine", "bed", 0.0, 0.0, 0.0, 13.0, 0.0, 0.0, kNaN, false, 600.0, kNaN, 0.0,
     false,
     "lying on the back, legs straight: the bed keeps thorax and thighs flat; nominal recumbent "
     "lordosis 36.8 vs 49.8 deg standing (Asian Spine J 2019, n = 627)"},
    {"lying_prone", "prone", "bed", 0.0, 0.0, 0.0, 13.0, 0.0, 0.0, kNaN, false, 600.0, kNaN, 0.0,
     false, "lying on the front: as lying_supine (prone lordosis not measured: assumption)"},
    {"lying_side", "side", "bed", 0.0, 0.0, 0.0, 13.0, 0.0, 0.0, kNaN, false, 600.0, kNaN, 0.0,
     false, "lying on the side: as lying_supine; gravity across the sagittal plane"},
    {"standing_relaxed", "upright", "feet", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, false, 600.0, kNaN,
     0.0, false,
     "standing, legs straight, trunk upright as in the model's geometry (AMMR "
     "SpinePressureStanding: all angles 0)"},
    {"standing_flexed", "upright", "feet", 0.0, 0.0, 0.0, 40.0, 0.0, 0.0, 40.0, false, 10.0, kNaN,
     0.0, false,
     "standing, trunk bent forward 40 deg (AMMR SpinePressureStandingFlexed: "
     "PelvisThoraxExtension -40 deg; Wilke 2001 about 36 deg)"},
    {"standing_flexed_full", "upright", "feet", 0.0, 0.0, 55.0, 50.0, 0.0, 0.0, 105.0, false, 5.0,
     kNaN, 0.0, false,
     "standing, bent forward as far as possible (toe touch): at full flexion the lumbar spine "
     "is near its maximum, about 54 deg, with the rest at the hips (Kippers & Parker 1984: "
     "vertebral flexion 48 +- 6 deg = 89 % of maximum and hip flexion 40 +- 12 deg at 2/3 of "
     "the maximal trunk flexion); held 5 s"},
    {"sitting_relaxed", "upright", "seat", 90.0, 90.0, -18.3, 16.6, 10.0, 0.0, kNaN, false, 600.0,
     kNaN, 0.0, false,
     "sitting relaxed without back support, thighs horizontal, knees at 90 deg; nominal angles "
     "from Endo 2012 (lordosis -16.6 deg, pelvic tilt +18.3 deg posterior)"},
    {"sitting_straight", "upright", "seat", 90.0, 90.0, -9.0, 8.0, 0.0, 0.0, kNaN, true, 600.0,
     kNaN, 0.0, false,
     "sitting up straight (instructed): half of Endo 2012's sitting change (assumption; AMMR "
     "SeatingStraitNoSupport keeps 0)"},
    {"sitting_slouched", "upright", "seat", 90.0, 90.0, -25.0, 30.0, 20.0, 0.0, kNaN, false, 600.0,
     kNaN, 0.0, false,
     "slumped sitting, trunk leaning 5 deg forward, neck flexed 20 deg (assumption: beyond Endo "
     "2012's relaxed sitting towards full lumbar flexion)"},
    {"sitting_flexed_max", "upright", "seat", 90.0, 90.0, -10.0, 55.0, 30.0, 0.0, kNaN, false, 30.0,
     kNaN, 0.0, false,
     "sitting bent forward as far as possible, trunk towards the thighs (assumption: lumbar "
     "flexion near its active maximum, 50-60 deg)"},
    {"lift_round_back", "upright", "feet", 0.0, 25.0, 20.0, 65.0, -10.0, 0.0, kNaN, true, 2.0, 0.50,
     -0.30, true,
     "stoop lift with a round back (instructed technique; AMMR "
     "SpinePressureStandingLiftFlexed: PelvisRotZ 20, PelvisThoraxExtension -65 deg, hip 20, "
     "knee 25); hands 50 cm in front of L5-S1 (NIOSH H range 25-63 cm, assumption)"},
    {"lift_bent_knees", "upright", "feet", 80.0, 90.0, 10.0, 30.0, -10.0, 0.0, kNaN, true, 2.0,
     0.40, -0.30, true,
     "squat lift with bent knees (instructed technique; assumption: thighs 80 deg, knees 90, "
     "lumbar flexion 30 deg, pelvis 10 deg); hands 40 cm in front (load in front of the knees)"},
    {"lift_close", "upright", "feet", 0.0, 0.0, 10.0, -10.0, 0.0, 0.0, kNaN, true, 2.0, 0.25, 0.20,
     true,
     "holding 20 kg close to the body, legs straight (instructed; AMMR "
     "SpinePressureStandingLiftClose: PelvisRotZ 10, PelvisThoraxExtension +10 deg); hands 25 "
     "cm in front (NIOSH H_min)"},
};

}  // namespace

std::vector<std::string> posture_preset_names() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets)
    names.emplace_back(p.name);
  return names;
}

Posture posture_preset(const std::string& name, double load_mass) {
  for (const Preset& p : kPresets) {
    if (name != p.name) continue;
    Posture out;
    out.name = p.name;
    out.orientation = p.orientation;
    out.support = p.support;
    out.supported = out.support == "bed";
    out.thigh_flexion = p.thigh_deg * kDeg;
    out.knee_flexion = p.knee_deg * kDeg;
    out.pelvic_tilt = p.pelvic_tilt_deg * kDeg;
    out.lumbar_flexion = p.lumbar_flexion_deg * kDeg;
    out.neck_flexion = p.neck_flexion_deg * kDeg;
    out.head_flexion = p.head_flexion_deg * kDeg;
    out.hip_flexion = (p.thigh_deg + p.pelvic_tilt_deg) * kDeg;
    out.trunk_flexion = p.trunk_deg * kDeg;  // NaN: the nominal angles' sum
    out.instructed = p.instructed;
    // Free standing balances over the feet; the lifts keep the technique's stated thighs.
    const std::string n = p.name;
    out.balance = n == "standing_relaxed" || n == "standing_flexed" || n == "standing_flexed_full";
    out.hold_duration = p.hold_s;
    out.hand_distance = p.hand_distance_m;
    out.hand_height = p.hand_height_m;
    out.load_mass = std::isnan(load_mass) ? (p.lift ? 20.0 : 0.0) : load_mass;
    if (out.load_mass > 0.0 && std::isnan(out.hand_distance)) out.hand_distance = 0.30;
    out.source = p.source;
    validate(out);
    return out;
  }
  std::string names;
  for (const Preset& p : kPresets)
    names += (names.empty() ? "" : ", ") + std::string(p.name);
  throw InvalidArgument("posture preset: expected one of " + names + ", got '" + name + "'");
}

void validate(const Posture& p) {
  auto angle = [](double v, const std::string& field) {
    if (!std::isfinite(v) || std::abs(v) > 120.0 * kDeg)
      throw InvalidArgument("posture." + field + ": expected a finite angle within 120 deg, got " +
                            std::to_string(v / kDeg) + " deg");
  };
  if (p.orientation != "upright" && p.orientation != "supine" && p.orientation != "prone" &&
      p.orientation != "side")
    throw InvalidArgument("posture.orientation: expected upright, supine, prone or side, got '" +
                          p.orientation + "'");
  angle(p.pelvic_tilt, "pelvic_tilt");
  angle(p.lumbar_flexion, "lumbar_flexion");
  angle(p.thoracic_flexion, "thoracic_flexion");
  angle(p.neck_flexion, "neck_flexion");
  angle(p.head_flexion, "head_flexion");
  angle(p.hip_flexion, "hip_flexion");
  angle(p.knee_flexion, "knee_flexion");
  if (!std::isnan(p.thigh_flexion)) angle(p.thigh_flexion, "thigh_flexion");
  if (!std::isnan(p.trunk_flexion)) angle(p.trunk_flexion, "trunk_flexion");
  if (!std::isnan(p.gaze_flexion)) angle(p.gaze_flexion, "gaze_flexion");
  if (!p.support.empty() && p.support != "feet" && p.support != "seat" && p.support != "bed")
    throw InvalidArgument("posture.support: expected feet, seat, bed or \"\", got '" + p.support +
                          "'");
  if (p.balance && posture_support(p) != "feet")
    throw InvalidArgument("posture.balance: expected support feet for a balanced stance, got '" +
                          posture_support(p) + "'");
  if (!(p.hold_duration >= 0.0) || std::isnan(p.hold_duration))
    throw InvalidArgument(
        "posture.hold_duration: expected a duration >= 0 [s] (inf allowed), got " +
        std::to_string(p.hold_duration));
  for (const auto& [level, v] : p.level_flexion)
    angle(v, "level_flexion." + level);
  if (!std::isfinite(p.load_mass) || p.load_mass < 0.0 || p.load_mass > 500.0)
    throw InvalidArgument("posture.load_mass: expected a mass in [0, 500] kg, got " +
                          std::to_string(p.load_mass));
  if (!std::isnan(p.hand_distance) && std::abs(p.hand_distance) > 2.0)
    throw InvalidArgument("posture.hand_distance: expected a distance within 2 m (or NaN), got " +
                          std::to_string(p.hand_distance));
  if (!std::isfinite(p.hand_height) || std::abs(p.hand_height) > 2.0)
    throw InvalidArgument("posture.hand_height: expected a finite height within 2 m, got " +
                          std::to_string(p.hand_height));
  if (p.load_mass > 0.0 && std::isnan(p.hand_distance))
    throw InvalidArgument("posture.hand_distance: expected a distance for a load of " +
                          std::to_string(p.load_mass) + " kg, got NaN");
  if (!std::isnan(p.hydration) && !(p.hydration > 0.05 && p.hydration <= 2.0))
    throw InvalidArgument("posture.hydration: expected a fluid content in (0.05, 2] or NaN, got " +
                          std::to_string(p.hydration));
}

std::string posture_support(const Posture& p) {
  if (!p.support.empty()) return p.support;
  return p.orientation == "upright" && !p.supported ? "feet" : "bed";
}

double posture_thigh_flexion(const Posture& p) {
  return std::isnan(p.thigh_flexion) ? p.hip_flexion - p.pelvic_tilt : p.thigh_flexion;
}

double posture_trunk_flexion(const Posture& p) {
  return std::isnan(p.trunk_flexion) ? p.pelvic_tilt + p.lumbar_flexion + p.thoracic_flexion
                                     : p.trunk_flexion;
}

}  // namespace msk
