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

/// A `laws:` block {ROLE: none | {law: LAW, preset: NAME, PARAM: VALUE, ...}} at `indent`.
void write_laws(std::ostringstream& o, const std::string& indent,
                const std::vector<LawSpec>& laws) {
  if (laws.empty()) return;
  o << indent << "laws:\n";
  for (const LawSpec& l : laws) {
    o << indent << "  " << l.role << ": ";
    if (l.law == "none") {
      o << "none\n";
      continue;
    }
    o << "{";
    bool first = true;
    auto sep = [&] {
      if (!first) o << ", ";
      first = false;
    };
    if (!l.law.empty()) {
      sep();
      o << "law: " << l.law;
    }
    if (!l.preset.empty()) {
      sep();
      o << "preset: " << l.preset;
    }
    for (const auto& [key, value] : l.values) {
      sep();
      o << key << ": " << (std::isnan(value) ? std::string(".nan") : num(value));
    }
    o << "}\n";
  }
}

void write_muscle(std::ostringstream& o, const MuscleSpec& m) {
  o << "  - name: " << m.name << "\n";
  o << "    max_isometric_force: " << num(m.max_isometric_force) << "\n";
  o << "    optimal_fibre_length: " << num(m.optimal_fibre_length) << "\n";
  o << "    tendon_slack_length: " << num(m.tendon_slack_length) << "\n";
  o << "    pennation_at_optimal: " << num(m.pennation_at_optimal) << "\n";
  o << "    max_contraction_velocity: " << num(m.max_contraction_velocity) << "\n";
  o << "    fibre_damping: " << num(m.fibre_damping) << "\n";
  o << "    curves: " << m.curves << "\n";
  o << "    thelen: {kshape_active: " << num(m.thelen_kshape_active)
    << ", kshape_passive: " << num(m.thelen_kshape_passive)
    << ", fmax_muscle_strain: " << num(m.thelen_fmax_muscle_strain)
    << ",\n             fmax_tendon_strain: " << num(m.thelen_fmax_tendon_strain)
    << ", af: " << num(m.thelen_af) << ", flen: " << num(m.thelen_flen) << "}\n";
  write_laws(o, "    ", m.laws);
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
      o << "  - name: " << p.name << "\n    joint: " << p.joint
        << "\n    agonists: " << list(p.agonists) << "\n    antagonists: " << list(p.antagonists)
        << "\n";
      write_laws(o, "    ", p.laws);
    }
  }
  return o.str();
}

}  // namespace msk
