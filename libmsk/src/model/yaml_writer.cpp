#include "msk/model/yaml_writer.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

namespace msk {

namespace {

/// Shortest decimal text that reads back as exactly v.
std::string num(double v) {
  if (v == 0.0) return "0";
  char buffer[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  std::string s = buffer;
  // YAML reads "1e-05" as a number, but a bare "inf"/"nan" never occurs (fields are finite).
  return s;
}

template <std::size_t N>
std::string vec(const std::array<double, N>& a) {
  std::string s = "[";
  for (std::size_t i = 0; i < N; ++i)
    s += (i ? ", " : "") + num(a[i]);
  return s + "]";
}

/// A double-quoted YAML string.
std::string quoted(const std::string& text) {
  std::string s = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      s += '\\';
      s += c;
    } else if (c == '\n') {
      s += "\\n";
    } else if (c == '\t') {
      s += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      s += ' ';
    } else {
      s += c;
    }
  }
  return s + "\"";
}

void write_joint(std::ostringstream& o, const JointSpec& j, std::set<std::string>& defined) {
  o << "    joint:\n";
  o << "      name: " << j.name << "\n";
  o << "      type: " << j.type << "\n";
  if (j.type == "revolute") {
    if (!j.coordinate.empty()) o << "      coordinate: " << j.coordinate << "\n";
    if (j.ratio != 1.0) o << "      ratio: " << num(j.ratio) << "\n";
    if (j.offset != 0.0) o << "      offset: " << num(j.offset) << "\n";
    o << "      axis: " << vec(j.axis) << "\n";
  }
  o << "      location_in_parent: " << vec(j.location_in_parent) << "\n";
  o << "      location_in_child: " << vec(j.location_in_child) << "\n";
  if (j.orientation != std::array<double, 3>{})
    o << "      orientation: " << vec(j.orientation) << "\n";
  // The coordinate's range, default, damping and limits go with the joint that defines it.
  const std::string coordinate = j.coordinate.empty() ? j.name : j.coordinate;
  if (j.type == "revolute" && defined.insert(coordinate).second) {
    o << "      range: " << vec(j.range) << "\n";
    o << "      default: " << num(j.default_value) << "\n";
    o << "      damping: " << num(j.damping) << "\n";
    o << "      limit_stiffness: " << num(j.limit_stiffness) << "\n";
    o << "      limit_sharpness: " << num(j.limit_sharpness) << "\n";
  }
}

void write_tone(std::ostringstream& o, const ToneSpec& t) {
  std::string preset = t.preset;
  const std::size_t plus = preset.find('+');
  if (plus != std::string::npos) preset = preset.substr(0, plus);
  if (preset != "hypertonic" && preset != "normal" && preset != "hypotonic") preset = "normal";
  o << "    tone: {preset: " << preset;
  if (t.threshold_absolute)
    o << ", threshold: " << num(t.threshold);
  else
    o << ", threshold_offset: " << num(t.threshold_offset);
  o << ", gain: " << num(t.gain) << ", velocity_sensitivity: " << num(t.velocity_sensitivity)
    << ",\n           reflex_time_constant: " << num(t.reflex_time_constant)
    << ", pad_depth: " << num(t.pad_depth)
    << ", pad_recovery_time_constant: " << num(t.pad_recovery_time_constant)
    << ",\n           pad_rise_time_constant: " << num(t.pad_rise_time_constant)
    << ", pad_voluntary_threshold: " << num(t.pad_voluntary_threshold) << "}\n";
}

void write_muscle(std::ostringstream& o, const MuscleSpec& m) {
  o << "  - name: " << m.name << "\n";
  o << "    max_isometric_force: " << num(m.max_isometric_force) << "\n";
  o << "    optimal_fibre_length: " << num(m.optimal_fibre_length) << "\n";
  o << "    tendon_slack_length: " << num(m.tendon_slack_length) << "\n";
  o << "    pennation_at_optimal: " << num(m.pennation_at_optimal) << "\n";
  o << "    max_contraction_velocity: " << num(m.max_contraction_velocity) << "\n";
  o << "    fibre_damping: " << num(m.fibre_damping) << "\n";
  o << "    activation_time_constant: " << num(m.activation_time_constant) << "\n";
  o << "    deactivation_time_constant: " << num(m.deactivation_time_constant) << "\n";
  if (m.minimum_activation > 0.0)
    o << "    minimum_activation: " << num(m.minimum_activation) << "\n";
  o << "    curves: " << m.curves << "\n";
  o << "    tendon: " << m.tendon << "\n";
  o << "    thelen: {kshape_active: " << num(m.thelen_kshape_active)
    << ", kshape_passive: " << num(m.thelen_kshape_passive)
    << ", fmax_muscle_strain: " << num(m.thelen_fmax_muscle_strain)
    << ",\n             fmax_tendon_strain: " << num(m.thelen_fmax_tendon_strain)
    << ", af: " << num(m.thelen_af) << ", flen: " << num(m.thelen_flen) << "}\n";
  write_tone(o, m.tone);
  o << "    viscoelastic: {enabled: " << (m.viscoelastic.enabled ? "true" : "false")
    << ", branch_gain: " << vec(m.viscoelastic.branch_gain)
    << ", branch_time_constant: " << vec(m.viscoelastic.branch_time_constant) << "}\n";
  o << "    thixotropy: {enabled: " << (m.thixotropy.enabled ? "true" : "false")
    << ", stiffening: " << num(m.thixotropy.stiffening)
    << ", formation_time_constant: " << num(m.thixotropy.formation_time_constant)
    << ", breaking_rate: " << num(m.thixotropy.breaking_rate) << "}\n";
  o << "    path:\n";
  for (const PathPointSpec& p : m.path) {
    o << "      - {body: " << p.body << ", point: " << vec(p.point);
    if (!p.active_coordinate.empty())
      o << ",\n         active_when: {coordinate: " << p.active_coordinate
        << ", range: " << vec(p.active_range) << "}";
    o << "}\n";
  }
  if (!m.wrap.empty()) {
    o << "    wrap:\n";
    for (const PathWrapSpec& w : m.wrap) {
      o << "      - {surface: " << w.surface << ", from_point: " << w.from_point;
      if (w.to_point >= 0) o << ", to_point: " << w.to_point;
      o << "}\n";
    }
  }
}

}  // namespace

std::string model_spec_to_yaml(const ModelSpec& spec) {
  std::ostringstream o;
  o << "msk_format: 1\n";
  o << "name: " << spec.name << "\n";
  if (!spec.description.empty()) o << "description: " << quoted(spec.description) << "\n";
  o << "gravity: " << vec(spec.gravity) << "\n";
  if (!spec.warnings.empty()) {
    o << "warnings:\n";
    for (const std::string& w : spec.warnings)
      o << "  - " << quoted(w) << "\n";
  }
  o << "bodies:\n";
  std::set<std::string> defined;
  for (const BodySpec& b : spec.bodies) {
    o << "  - name: " << b.name << "\n";
    o << "    parent: " << b.parent << "\n";
    write_joint(o, b.joint, defined);
    o << "    mass: " << num(b.mass) << "\n";
    o << "    com: " << vec(b.com) << "\n";
    o << "    inertia: " << vec(b.inertia) << "\n";
  }
  if (!spec.wrap_surfaces.empty()) {
    o << "wrap_surfaces:\n";
    for (const WrapSurfaceSpec& w : spec.wrap_surfaces) {
      o << "  - {name: " << w.name << ", body: " << w.body << ", type: " << w.type
        << ", centre: " << vec(w.centre)
        << ",\n     xyz_body_rotation: " << vec(w.xyz_body_rotation)
        << ", radius: " << num(w.radius);
      if (w.type == "cylinder") o << ", length: " << num(w.length);
      o << ", side: \"" << w.side << "\"}\n";
    }
  }
  if (!spec.muscles.empty()) {
    o << "muscles:\n";
    for (const MuscleSpec& m : spec.muscles)
      write_muscle(o, m);
  }
  if (!spec.pairs.empty()) {
    o << "pairs:\n";
    for (const PairSpec& p : spec.pairs) {
      auto list = [](const std::vector<std::string>& names) {
        std::string s = "[";
        for (std::size_t i = 0; i < names.size(); ++i)
          s += (i ? ", " : "") + names[i];
        return s + "]";
      };
      o << "  - {name: " << p.name << ", joint: " << p.joint << ", agonists: " << list(p.agonists)
        << ",\n     antagonists: " << list(p.antagonists)
        << ", reciprocal_inhibition: " << num(p.reciprocal_inhibition) << "}\n";
    }
  }
  return o.str();
}

}  // namespace msk
