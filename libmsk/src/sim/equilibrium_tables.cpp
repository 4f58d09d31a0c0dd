#include "msk/sim/equilibrium_tables.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "msk/error.hpp"

namespace msk {

namespace {

using io::Column;
using io::Table;

constexpr double kDeg = M_PI / 180.0;       // one degree [rad], as Python's msk.spine.DEG
constexpr double kRadToDeg = 180.0 / M_PI;  // as numpy.degrees

/// A column of the units table `units` by name.
const std::string& units_of(const std::vector<std::pair<std::string, std::string>>& units,
                            const std::string& name) {
  for (const auto& [column, unit] : units)
    if (column == name) return unit;
  throw InvalidArgument("equilibrium tables: no column '" + name + "'");
}

Column floats(const std::vector<std::pair<std::string, std::string>>& units,
              const std::string& name, std::vector<double> values) {
  return Column::of_floats(name, units_of(units, name), std::move(values));
}

Table level_table(const Model& model, const EquilibriumResult& r) {
  const std::size_t n = r.segments.size();
  // The reserve moment of each level's joint, in the level's flexion sense (0 when the joint was
  // not balanced).
  std::vector<double> reserve(n, 0.0);
  for (std::size_t j = 0; j < r.balanced_bodies.size(); ++j) {
    const int k = model.body_segment()[r.balanced_bodies[j]];
    if (k >= 0)
      reserve[k] = model.segment_flexion_sign()[k] * r.reserve_moment[static_cast<Eigen::Index>(j)];
  }
  std::vector<int> levels(n);
  for (std::size_t k = 0; k < n; ++k)
    levels[k] = static_cast<int>(k);
  return make_level_table(model, levels, r.segments, reserve);
}

Table muscle_table(const Model& model, const EquilibriumResult& r) {
  const auto& units = equilibrium_muscle_units();
  const int n = model.n_muscles();
  // Each muscle's first group, in the model's group order.
  std::vector<std::string> group(n);
  std::vector<bool> grouped(n, false);
  for (std::size_t g = 0; g < model.group_names().size(); ++g)
    for (int i : model.group_muscles()[g])
      if (!grouped[i]) {
        group[i] = model.group_names()[g];
        grouped[i] = true;
      }
  auto vector = [](const Eigen::VectorXd& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
  };
  Table t;
  t.index_name = "muscle";
  t.index = model.muscle_names();
  t.columns = {
      Column::of_strings("group", units_of(units, "group"), group),
      floats(units, "force_N", vector(r.muscle_force)),
      floats(units, "activation", vector(r.activation)),
      floats(units, "tone_activation", vector(r.tone_activation)),
      floats(units, "voluntary_activation", vector(r.voluntary_activation)),
  };
  return t;
}

Table group_table(const Model& model, const EquilibriumResult& r) {
  const auto& units = equilibrium_group_units();
  const std::size_t n = model.group_names().size();
  std::vector<std::int64_t> count(n);
  std::vector<double> force(n), mean_activation(n), max_activation(n), mean_tone(n);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t g = 0; g < n; ++g) {
    const std::vector<int>& members = model.group_muscles()[g];
    count[g] = static_cast<std::int64_t>(members.size());
    double sum_force = 0.0, sum_activation = 0.0, sum_tone = 0.0;
    double most = members.empty() ? nan : -std::numeric_limits<double>::infinity();
    for (int i : members) {
      sum_force += r.muscle_force[i];
      sum_activation += r.activation[i];
      sum_tone += r.tone_activation[i];
      most = std::max(most, r.activation[i]);
    }
    const double size = static_cast<double>(members.size());
    force[g] = sum_force;
    mean_activation[g] = members.empty() ? nan : sum_activation / size;
    max_activation[g] = most;
    mean_tone[g] = members.empty() ? nan : sum_tone / size;
  }
  Table t;
  t.index_name = "group";
  t.index = model.group_names();
  t.columns = {
      Column::of_integers("n_muscles", units_of(units, "n_muscles"), count),
      floats(units, "force_N", force),
      floats(units, "mean_activation", mean_activation),
      floats(units, "max_activation", max_activation),
      floats(units, "mean_tone_activation", mean_tone),
  };
  return t;
}

Table ligament_table(const Model& model, const EquilibriumResult& r) {
  // One column per ligament name, in order of first appearance; NaN where a level lacks it.
  Table t;
  t.index_name = "level";
  t.index = model.segment_names();
  const std::size_t n = r.segments.size();
  for (std::size_t k = 0; k < n; ++k) {
    const auto& ligaments = model.segment_params()[k].ligaments;
    for (std::size_t j = 0; j < ligaments.size(); ++j) {
      const std::string& name = ligaments[j].name;
      auto it = std::find_if(t.columns.begin(), t.columns.end(),
                             [&](const Column& c) { return c.name == name; });
      if (it == t.columns.end()) {
        t.columns.push_back(Column::of_floats(
            name, "N", std::vector<double>(n, std::numeric_limits<double>::quiet_NaN())));
        it = t.columns.end() - 1;
      }
      it->floats[k] = r.segments[k].ligament_force[j];
    }
  }
  return t;
}

}  // namespace

io::Table make_level_table(const Model& model, const std::vector<int>& levels,
                           const std::vector<spine::SegmentLoads>& segments,
                           const std::vector<double>& reserve) {
  const auto& units = equilibrium_level_units();
  const std::size_t n = levels.size();
  if (segments.size() != n || reserve.size() != n)
    throw InvalidArgument("make_level_table: expected as many loads and reserves as levels");
  using L = spine::SegmentLoads;
  // One value per level from the level's loads.
  auto per_level = [&](const std::string& name, auto&& field) {
    std::vector<double> values(n);
    for (std::size_t k = 0; k < n; ++k)
      values[k] = field(segments[k]);
    return floats(units, name, std::move(values));
  };
  auto flag = [&](const std::string& name, bool L::*member) {
    std::vector<bool> values(n);
    for (std::size_t k = 0; k < n; ++k)
      values[k] = segments[k].*member;
    return Column::of_bools(name, units_of(units, name), values);
  };
  Table t;
  t.index_name = "level";
  std::vector<std::string> regions(n);
  for (std::size_t k = 0; k < n; ++k) {
    const int level = levels[k];
    if (level < 0 || level >= model.n_segments())
      throw InvalidArgument("make_level_table: expected level indices of the model");
    t.index.push_back(model.segment_names()[static_cast<std::size_t>(level)]);
    regions[k] = model.segment_region()[static_cast<std::size_t>(level)];
  }
  t.columns = {
      Column::of_strings("region", units_of(units, "region"), regions),
      per_level("angle_deg", [](const L& s) { return s.angle * kRadToDeg; }),
      per_level("compression_N", [](const L& s) { return s.compression; }),
      per_level("shear_N", [](const L& s) { return s.shear; }),
      per_level("disc_force_N", [](const L& s) { return s.disc_force; }),
      per_level("pressure_MPa", [](const L& s) { return s.pressure / 1e6; }),
      per_level("facet_force_N", [](const L& s) { return s.facet_force; }),
      per_level("facet_share", [](const L& s) { return s.facet_share; }),
      per_level("ligament_force_N", [](const L& s) { return s.ligament_force_total; }),
      per_level("disc_height_mm", [](const L& s) { return s.disc_height * 1e3; }),
      per_level("posterior_disc_height_mm",
                [](const L& s) { return s.posterior_disc_height * 1e3; }),
      per_level("foramen_height_mm", [](const L& s) { return s.foramen_height * 1e3; }),
      flag("stenosis", &L::stenosis),
      per_level("passive_moment_N_m", [](const L& s) { return s.moment; }),
      floats(units, "reserve_N_m", reserve),
      per_level("degeneration", [](const L& s) { return s.degeneration; }),
      per_level("load_pressure_MPa", [](const L& s) { return s.load_pressure / 1e6; }),
      per_level("swelling_pressure_MPa", [](const L& s) { return s.swelling_pressure / 1e6; }),
      per_level("shear_disc_N", [](const L& s) { return s.disc_shear; }),
      per_level("shear_facet_N", [](const L& s) { return s.facet_shear; }),
      per_level("shear_facet_share", [](const L& s) { return s.facet_shear_share; }),
      per_level("shear_ultimate_ratio", [](const L& s) { return s.shear_ultimate_ratio; }),
      flag("shear_over_repetitive_limit", &L::shear_over_repetitive_limit),
      flag("shear_over_action_limit", &L::shear_over_action_limit),
      per_level("foramen_width_mm", [](const L& s) { return s.foramen_width * 1e3; }),
      per_level("foramen_area_mm2", [](const L& s) { return s.foramen_area * 1e6; }),
      per_level("flavum_buckling_mm", [](const L& s) { return s.flavum_buckling * 1e3; }),
      per_level("nerve_root_risk", [](const L& s) { return s.nerve_root_risk; }),
      flag("stenosis_foramen", &L::stenosis_foramen),
      flag("stenosis_posterior_disc", &L::stenosis_posterior_disc),
  };
  return t;
}

const std::vector<std::pair<std::string, std::string>>& equilibrium_level_units() {
  static const std::vector<std::pair<std::string, std::string>> units = {
      {"region", ""},
      {"angle_deg", "deg"},
      {"compression_N", "N"},
      {"shear_N", "N"},
      {"disc_force_N", "N"},
      {"pressure_MPa", "MPa"},
      {"facet_force_N", "N"},
      {"facet_share", "1"},
      {"ligament_force_N", "N"},
      {"disc_height_mm", "mm"},
      {"posterior_disc_height_mm", "mm"},
      {"foramen_height_mm", "mm"},
      {"stenosis", ""},
      {"passive_moment_N_m", "N m"},
      {"reserve_N_m", "N m"},
      {"degeneration", "1"},
      {"load_pressure_MPa", "MPa"},
      {"swelling_pressure_MPa", "MPa"},
      {"shear_disc_N", "N"},
      {"shear_facet_N", "N"},
      {"shear_facet_share", "1"},
      {"shear_ultimate_ratio", "1"},
      {"shear_over_repetitive_limit", ""},
      {"shear_over_action_limit", ""},
      {"foramen_width_mm", "mm"},
      {"foramen_area_mm2", "mm^2"},
      {"flavum_buckling_mm", "mm"},
      {"nerve_root_risk", "1"},
      {"stenosis_foramen", ""},
      {"stenosis_posterior_disc", ""},
  };
  return units;
}

const std::vector<std::pair<std::string, std::string>>& equilibrium_muscle_units() {
  static const std::vector<std::pair<std::string, std::string>> units = {
      {"group", ""},
      {"force_N", "N"},
      {"activation", "1"},
      {"tone_activation", "1"},
      {"voluntary_activation", "1"},
  };
  return units;
}

const std::vector<std::pair<std::string, std::string>>& equilibrium_group_units() {
  static const std::vector<std::pair<std::string, std::string>> units = {
      {"n_muscles", ""},
      {"force_N", "N"},
      {"mean_activation", "1"},
      {"max_activation", "1"},
      {"mean_tone_activation", "1"},
  };
  return units;
}

io::StoredPosture stored_posture(const Posture& p) {
  io::StoredPosture s;
  s.name = p.name;
  s.orientation = p.orientation;
  // Radians to degrees as Python's msk.Posture reads a core posture: x / DEG.
  s.pelvic_tilt_deg = p.pelvic_tilt / kDeg;
  s.lumbar_flexion_deg = p.lumbar_flexion / kDeg;
  s.thoracic_flexion_deg = p.thoracic_flexion / kDeg;
  s.neck_flexion_deg = p.neck_flexion / kDeg;
  s.head_flexion_deg = p.head_flexion / kDeg;
  s.hip_flexion_deg = p.hip_flexion / kDeg;
  for (const auto& [level, angle] : p.level_flexion)
    s.level_flexion_deg.emplace_back(level, angle / kDeg);
  s.load_kg = p.load_mass;
  if (!std::isnan(p.hand_distance)) s.hand_distance_m = p.hand_distance;
  s.hand_height_m = p.hand_height;
  if (!std::isnan(p.hydration)) s.hydration = p.hydration;
  s.supported = p.supported;
  s.source = p.source;
  s.support = p.support;
  if (!std::isnan(p.thigh_flexion)) s.thigh_flexion_deg = p.thigh_flexion / kDeg;
  s.knee_flexion_deg = p.knee_flexion / kDeg;
  if (!std::isnan(p.trunk_flexion)) s.trunk_flexion_deg = p.trunk_flexion / kDeg;
  if (!std::isnan(p.gaze_flexion)) s.gaze_flexion_deg = p.gaze_flexion / kDeg;
  s.instructed = p.instructed;
  s.balance = p.balance;
  s.hold_duration_s = p.hold_duration;
  return s;
}

Posture to_posture(const io::StoredPosture& s) {
  Posture p;
  p.name = s.name;
  p.orientation = s.orientation;
  p.supported = s.supported ? *s.supported : s.orientation != "upright";
  // Degrees to radians as Python's msk.Posture.to_core: x * DEG.
  p.pelvic_tilt = s.pelvic_tilt_deg * kDeg;
  p.lumbar_flexion = s.lumbar_flexion_deg * kDeg;
  p.thoracic_flexion = s.thoracic_flexion_deg * kDeg;
  p.neck_flexion = s.neck_flexion_deg * kDeg;
  p.head_flexion = s.head_flexion_deg * kDeg;
  p.hip_flexion = s.hip_flexion_deg * kDeg;
  for (const auto& [level, angle] : s.level_flexion_deg)
    p.level_flexion[level] = angle * kDeg;
  p.load_mass = s.load_kg;
  p.hand_distance = s.hand_distance_m ? *s.hand_distance_m : std::nan("");
  p.hand_height = s.hand_height_m;
  p.hydration = s.hydration ? *s.hydration : std::nan("");
  p.source = s.source;
  p.support = s.support;
  p.thigh_flexion = s.thigh_flexion_deg ? *s.thigh_flexion_deg * kDeg : std::nan("");
  p.knee_flexion = s.knee_flexion_deg * kDeg;
  p.trunk_flexion = s.trunk_flexion_deg ? *s.trunk_flexion_deg * kDeg : std::nan("");
  p.gaze_flexion = s.gaze_flexion_deg ? *s.gaze_flexion_deg * kDeg : std::nan("");
  p.instructed = s.instructed;
  p.balance = s.balance;
  p.hold_duration = s.hold_duration_s;
  return p;
}

io::StoredEquilibrium make_stored_equilibrium(const Model& model, const EquilibriumResult& r,
                                              const std::string& label, PostureMode mode) {
  // The result must be the model's.
  const auto n_segments = static_cast<std::size_t>(model.n_segments());
  const Eigen::Index n_muscles = model.n_muscles();
  if (r.segments.size() != n_segments || r.segment_shear.size() != model.n_segments() ||
      r.muscle_force.size() != n_muscles || r.activation.size() != n_muscles ||
      r.tone_activation.size() != n_muscles || r.voluntary_activation.size() != n_muscles ||
      r.q.size() != model.n_dofs() || r.body_position.size() != std::size_t(model.n_bodies()) ||
      r.body_rotation.size() != std::size_t(model.n_bodies()) ||
      r.joint_origin.size() != std::size_t(model.n_bodies()) ||
      r.muscle_path.size() != std::size_t(model.n_muscles()) ||
      r.reserve_moment.size() != static_cast<Eigen::Index>(r.balanced_bodies.size()))
    throw InvalidArgument("make_stored_equilibrium: expected a result of model '" + model.name() +
                          "' (" + std::to_string(model.n_segments()) + " levels, " +
                          std::to_string(model.n_muscles()) + " muscles, " +
                          std::to_string(model.n_bodies()) + " bodies), got one of other sizes");
  io::StoredEquilibrium e;
  e.label = label;
  e.posture = stored_posture(r.posture);
  e.mode = posture_mode_name(mode);
  e.effort = r.effort;
  e.stature_m = model.subject().height != 0.0 ? model.subject().height : 1.75;
  e.levels = level_table(model, r);
  e.muscles = muscle_table(model, r);
  e.groups = group_table(model, r);
  e.ligaments = ligament_table(model, r);
  e.joint_names = model.dof_names();
  for (Eigen::Index d = 0; d < r.q.size(); ++d)
    e.joint_angle_deg.push_back(r.q[d] * kRadToDeg);
  e.body_names = model.body_names();
  for (int k = 0; k < model.n_segments(); ++k)
    e.segment_bodies.push_back(model.body_names()[model.segment_body()[k]]);
  e.joint_origin = r.joint_origin;
  e.body_position = r.body_position;
  e.body_rotation = r.body_rotation;
  e.muscle_path = r.muscle_path;
  for (const PointLoad& load : r.loads) {
    e.load_body.push_back(load.body >= 0 ? model.body_names()[load.body] : "ground");
    e.load_point.push_back(load.point);
    e.load_force.push_back(load.force);
  }
  e.gravity = r.gravity;
  return e;
}

io::StoredEquilibrium make_failed_equilibrium(const Posture& posture, const std::string& message,
                                              const std::string& label, PostureMode mode) {
  io::StoredEquilibrium e;
  e.label = label;
  e.posture = stored_posture(posture);
  e.mode = posture_mode_name(mode);
  e.error = message.empty() ? std::string("(no message)") : message;
  return e;
}

}  // namespace msk
