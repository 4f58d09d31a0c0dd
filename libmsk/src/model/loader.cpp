// Model file loader: YAML -> ModelSpec with file/line/field errors.
#include "msk/model/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "msk/error.hpp"
#include "msk/model/opensim.hpp"
#include "msk/model/scaling.hpp"
#include "msk/model/yaml_writer.hpp"
#include "parameter_tables.hpp"
#include "yaml_util.hpp"

namespace msk {

namespace {

using detail::describe;
using detail::NodeReader;

/// Body-fixed x-y-z Euler angles [rad] of a rotation whose z axis is the unit vector z.
std::array<double, 3> xyz_angles_of_z_axis(const std::array<double, 3>& z) {
  // R = Rx(a) Ry(b): its third column is (sin b, -sin a cos b, cos a cos b).
  const double b = std::asin(std::clamp(z[0], -1.0, 1.0));
  const double a = std::atan2(-z[1], z[2]);
  return {a, b, 0.0};
}

/// The LawSpec of `role` in laws, created (with the role's default law) when absent; a new spec
/// is located at r.
LawSpec& law_spec(std::vector<LawSpec>& laws, const std::string& role, const NodeReader& r) {
  const std::size_t n = laws.size();
  LawSpec& l = law_spec_of(laws, role);
  if (laws.size() > n) {
    l.field = r.path();
    l.loc = r.location();
  }
  return l;
}

/// The registry's info of the law a spec names, or of the role's default in the domain.
const LawInfo* law_info(const LawRegistry& registry, LawDomain domain, const LawSpec& spec) {
  const std::string name = spec.law.empty() ? registry.default_law(domain, spec.role) : spec.law;
  return name.empty() || name == "none" ? nullptr : registry.find(name);
}

/// Reads one parameter of a law (key `key` under r) into spec.values, checked against the law's
/// parameter range.
void read_law_value(const NodeReader& r, const char* key, const LawInfo& info,
                    const std::string& param, LawSpec& spec) {
  for (const ParamInfo& p : info.params) {
    if (p.name != param) continue;
    const NodeReader v = r.child(key);
    spec.values[param] = v.as_double(p.min, p.max);
    spec.value_fields[param] = v.path();
    return;
  }
  r.child(key).fail("a parameter of law " + info.name, "'" + std::string(key) + "'");
}

/// Reads a `laws:` mapping {ROLE: LAW | none | {law: LAW, preset: NAME, PARAM: VALUE...}}.
void read_laws(const NodeReader& r, LawDomain domain, const LawRegistry& registry,
               std::vector<LawSpec>& laws) {
  r.require_mapping();
  for (const auto& kv : r.node()) {
    const std::string role = kv.first.Scalar();
    const NodeReader e = r.child(role.c_str());
    NodeReader(kv.first, e.location().file, e.path(), LoadLimits{}).as_identifier();
    LawSpec& spec = law_spec(laws, role, e);
    spec.field = e.path();
    spec.loc = e.location();
    if (e.node().IsScalar()) {
      spec.law = e.as_identifier();
      spec.values.clear();
      spec.preset.clear();
    } else {
      e.require_mapping();
      if (e.has("law")) {
        const std::string law = e.child("law").as_identifier();
        if (law != spec.law) {
          spec.values.clear();
          spec.preset.clear();
        }
        spec.law = law;
      }
    }
    if (spec.law != "none" && !spec.law.empty() && !registry.find(spec.law)) {
      const NodeReader at = e.node().IsScalar() ? e : e.child("law");
      std::string known;
      for (const std::string& n : registry.names())
        known += (known.empty() ? "" : ", ") + n;
      at.fail("a registered law (" + known + ") or none", "'" + spec.law + "'");
    }
    const LawInfo* info = law_info(registry, domain, spec);
    if (spec.law.empty() && !info)
      e.fail("a law for role '" + role + "' (the role has no default)", "no law");
    if (e.node().IsScalar()) continue;
    for (const auto& field : e.node()) {
      const std::string key = field.first.Scalar();
      if (key == "law" || key == "source") continue;
      if (spec.law == "none")
        e.child(key.c_str()).fail("no parameters for role " + role + ": none", key);
      if (key == "preset") {
        spec.preset = e.child("preset").as_identifier();
        if (!info->presets.count(spec.preset)) {
          std::string known;
          std::vector<std::string> names;
          for (const auto& p : info->presets) {
            known += (known.empty() ? "" : ", ") + p.first;
            names.push_back(p.first);
          }
          const std::string hint = detail::did_you_mean(spec.preset, names);
          e.child("preset").fail(
              known.empty() ? "no preset (law " + info->name + " has none)" : "one of " + known,
              "'" + spec.preset + "'" + (hint.empty() ? "" : "; " + hint));
        }
        continue;
      }
      read_law_value(e, key.c_str(), *info, key, spec);
    }
  }
}

/// Reads the legacy keys of a domain under `prefix` (e.g. "tone.") present in r into the laws
/// they set (detail::legacy_law_keys).
void read_legacy_law_keys(const NodeReader& r, LawDomain domain, const std::string& prefix,
                          const LawRegistry& registry, std::vector<LawSpec>& laws) {
  for (const detail::LegacyLawKey& k : detail::legacy_law_keys()) {
    const std::string full = k.key;
    if (k.domain != domain || full.rfind(prefix, 0) != 0) continue;
    const std::string key = full.substr(prefix.size());
    if (key.find('.') != std::string::npos || !r.has(key.c_str())) continue;
    LawSpec& spec = law_spec(laws, k.role, r);
    const LawInfo* info = law_info(registry, domain, spec);
    if (!info) r.child(key.c_str()).fail(std::string("a law in role ") + k.role, "none");
    read_law_value(r, key.c_str(), *info, k.param, spec);
  }
}

/// Legacy keys of a muscle that set law parameters: activation_time_constant, tone, ...
void read_muscle_legacy_laws(const NodeReader& r, const LawRegistry& registry,
                             std::vector<LawSpec>& laws) {
  read_legacy_law_keys(r, LawDomain::Muscle, "", registry, laws);
  if (r.has("tendon")) {
    const std::string tendon = r.child("tendon").as_string();
    if (tendon != "rigid" && tendon != "compliant")
      r.child("tendon").fail("rigid or compliant", tendon);
    law_spec(laws, "tendon", r.child("tendon")).law = tendon + "_tendon";
  }
  if (r.has("tone")) {
    // tone: PRESET, or {preset, threshold | threshold_offset, gain, velocity_sensitivity,
    // reflex_time_constant, pad_depth, pad_recovery_time_constant, pad_charge_time_constant}: the
    // stretch reflex's preset and parameters, and the depression's.
    const NodeReader t = r.child("tone");
    LawSpec& reflex = law_spec(laws, "reflex", t);
    reflex.field = t.path();
    if (reflex.law == "none") reflex.law.clear();  // setting a tone turns the reflex on
    const char* presets = "one of hypertonic, normal, hypotonic";
    const std::vector<std::string> preset_names = {"hypertonic", "normal", "hypotonic"};
    // The preset as found, with a "did you mean" for a misspelt one.
    auto got_preset = [&](const std::string& preset) {
      const std::string hint = detail::did_you_mean(preset, preset_names);
      return "'" + preset + "'" + (hint.empty() ? "" : "; " + hint);
    };
    if (t.node().IsScalar()) {
      reflex.preset = t.as_string();
      if (reflex.preset != "hypertonic" && reflex.preset != "normal" &&
          reflex.preset != "hypotonic")
        t.fail(presets, got_preset(reflex.preset));
    } else {
      t.require_map({"preset", "threshold", "threshold_offset", "gain", "velocity_sensitivity",
                     "reflex_time_constant", "pad_depth", "pad_recovery_time_constant",
                     "pad_charge_time_constant", "source"});
      if (t.has("preset")) {
        reflex.preset = t.child("preset").as_string();
        if (reflex.preset != "hypertonic" && reflex.preset != "normal" &&
            reflex.preset != "hypotonic")
          t.child("preset").fail(presets, got_preset(reflex.preset));
      }
      if (t.has("threshold") && t.has("threshold_offset"))
        t.child("threshold_offset").fail("either threshold or threshold_offset, not both", "both");
      read_legacy_law_keys(t, LawDomain::Muscle, "tone.", registry, laws);
    }
  }
  if (r.has("viscoelastic")) {
    const NodeReader v = r.child("viscoelastic");
    LawSpec& spec = law_spec(laws, "viscoelasticity", v);
    bool enabled = true;
    if (v.node().IsScalar()) {
      enabled = v.as_bool();
    } else {
      v.require_map({"enabled", "branch_gain", "branch_time_constant", "source"});
      if (v.has("enabled")) enabled = v.child("enabled").as_bool();
      if (v.has("branch_gain")) {
        const auto g = v.child("branch_gain").as_doubles(2, 0.0, 10.0);
        spec.values["gain_1"] = g[0];
        spec.values["gain_2"] = g[1];
      }
      if (v.has("branch_time_constant")) {
        const auto tc = v.child("branch_time_constant").as_doubles(2, 1e-3, 1e6);
        spec.values["time_constant_1"] = tc[0];
        spec.values["time_constant_2"] = tc[1];
      }
    }
    spec.law = enabled ? "qlv_viscoelasticity" : "none";
  }
  if (r.has("thixotropy")) {
    const NodeReader t = r.child("thixotropy");
    LawSpec& spec = law_spec(laws, "thixotropy", t);
    bool enabled = true;
    if (t.node().IsScalar()) {
      enabled = t.as_bool();
    } else {
      t.require_map(
          {"enabled", "stiffening", "formation_time_constant", "breaking_rate", "source"});
      if (t.has("enabled")) enabled = t.child("enabled").as_bool();
    }
    spec.law = enabled ? "thixotropy" : "none";
    if (enabled && !t.node().IsScalar())
      read_legacy_law_keys(t, LawDomain::Muscle, "thixotropy.", registry, laws);
  }
}

JointSpec read_joint(const NodeReader& r, const std::string& body_name,
                     std::set<std::string>& coordinates) {
  r.require_map({"name", "type", "coordinate", "ratio", "offset", "axis", "location_in_parent",
                 "location_in_child", "orientation", "range", "range_deg", "default", "default_deg",
                 "damping", "limit_stiffness", "limit_sharpness", "source"});
  JointSpec j;
  j.type = r.has("type") ? r.child("type").as_string() : "weld";
  if (j.type != "weld" && j.type != "revolute") r.child("type").fail("weld or revolute", j.type);
  j.name = r.has("name") ? r.child("name").as_identifier() : body_name + "_joint";
  // A joint defines its coordinate, or follows one an earlier joint defined; the coordinate's
  // range, default, damping and limits belong to the joint that defines it.
  if (r.has("coordinate")) j.coordinate = r.child("coordinate").as_identifier();
  if (r.has("ratio")) {
    j.ratio = r.child("ratio").as_double(-100.0, 100.0);
    if (j.ratio == 0.0) r.child("ratio").fail("a non-zero ratio", "0");
  }
  if (r.has("offset")) j.offset = r.child("offset").as_double(-2.0 * M_PI, 2.0 * M_PI);
  if (j.type == "revolute") {
    const std::string coordinate = j.coordinate.empty() ? j.name : j.coordinate;
    if (!j.coordinate.empty() && coordinates.count(coordinate)) {
      for (const char* key : {"range", "range_deg", "default", "default_deg", "damping",
                              "limit_stiffness", "limit_sharpness"})
        if (r.has(key))
          r.child(key).fail("no " + std::string(key) + " on a joint that follows coordinate '" +
                                coordinate + "' (set it on the joint that defines it)",
                            "a value");
    }
    coordinates.insert(coordinate);
  } else {
    for (const char* key : {"coordinate", "ratio", "offset"})
      if (r.has(key)) r.child(key).fail("no " + std::string(key) + " on a weld joint", "a value");
  }
  if (r.has("orientation")) j.orientation = r.child("orientation").as_vec3(-2.0 * M_PI, 2.0 * M_PI);
  if (r.has("axis")) {
    const auto a = r.child("axis").as_doubles(3, -1e3, 1e3);
    const double n = std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    if (n < 1e-9) r.child("axis").fail("a non-zero vector", "zero vector");
    // Normalised, unless already a unit vector (so that written models read back bit for bit).
    const double k = std::abs(n - 1.0) < 1e-14 ? 1.0 : n;
    j.axis = {a[0] / k, a[1] / k, a[2] / k};
  }
  if (r.has("location_in_parent"))
    j.location_in_parent = r.child("location_in_parent").as_vec3(-10.0, 10.0);
  if (r.has("location_in_child"))
    j.location_in_child = r.child("location_in_child").as_vec3(-10.0, 10.0);
  if (r.has("range") && r.has("range_deg"))
    r.child("range_deg").fail("either range [rad] or range_deg [deg], not both", "both");
  if (r.has("range")) {
    const auto v = r.child("range").as_doubles(2, -2.0 * M_PI, 2.0 * M_PI);
    j.range = {v[0], v[1]};
  } else if (r.has("range_deg")) {
    const auto v = r.child("range_deg").as_doubles(2, -360.0, 360.0);
    j.range = {v[0] * M_PI / 180.0, v[1] * M_PI / 180.0};
  }
  if (j.range[0] >= j.range[1]) {
    const NodeReader range = r.child(r.has("range") ? "range" : "range_deg");
    range.fail("a range with min < max",
               range.node()[0].Scalar() + " >= " + range.node()[1].Scalar());
  }
  if (r.has("default") && r.has("default_deg"))
    r.child("default_deg").fail("either default [rad] or default_deg [deg], not both", "both");
  if (r.has("default")) j.default_value = r.child("default").as_double(-2.0 * M_PI, 2.0 * M_PI);
  if (r.has("default_deg"))
    j.default_value = r.child("default_deg").as_double(-360.0, 360.0) * M_PI / 180.0;
  if (r.has("damping")) j.damping = r.child("damping").as_double(0.0, 1e4);
  if (r.has("limit_stiffness")) j.limit_stiffness = r.child("limit_stiffness").as_double(0.0, 1e6);
  if (r.has("limit_sharpness")) j.limit_sharpness = r.child("limit_sharpness").as_double(1.0, 1e4);
  return j;
}

BodySpec read_body(const NodeReader& r, std::set<std::string>& coordinates) {
  r.require_map({"name", "parent", "joint", "mass", "com", "inertia", "source"});
  BodySpec b;
  b.loc = r.location();
  b.name = r.child("name").as_identifier();
  if (b.name == "ground") r.child("name").fail("a body name other than 'ground'", b.name);
  b.parent = r.has("parent") ? r.child("parent").as_identifier() : "ground";
  if (r.has("joint")) b.joint = read_joint(r.child("joint"), b.name, coordinates);
  b.mass = r.child("mass").as_double(0.0, 1e4);
  if (r.has("com")) b.com = r.child("com").as_vec3(-10.0, 10.0);
  if (r.has("inertia")) {
    const auto v = r.child("inertia").as_doubles(6, -1e3, 1e3);
    for (int i = 0; i < 6; ++i)
      b.inertia[i] = v[i];
    for (int i = 0; i < 3; ++i)
      if (v[i] < 0.0)
        r.child("inertia").fail("non-negative principal moments", std::to_string(v[i]));
  }
  return b;
}

/// A whole number in [0, hi] (a path point index).
int as_index(const NodeReader& r, double hi) {
  const double v = r.as_double(0.0, hi);
  if (std::floor(v) != v) r.fail("a whole number", std::to_string(v));
  return static_cast<int>(v);
}

/// The condition of a conditional path point: {coordinate, range | range_deg}.
void read_condition(const NodeReader& r, PathPointSpec& pp) {
  r.require_map({"coordinate", "range", "range_deg"});
  pp.active_coordinate = r.child("coordinate").as_identifier();
  if (r.has("range") == r.has("range_deg"))
    r.fail("either range [rad] or range_deg [deg]", r.has("range") ? "both" : "neither");
  const bool deg = r.has("range_deg");
  const auto v = r.child(deg ? "range_deg" : "range").as_doubles(2, -1e4, 1e4);
  const double k = deg ? M_PI / 180.0 : 1.0;
  pp.active_range = {v[0] * k, v[1] * k};
  if (v[0] > v[1])
    r.child(deg ? "range_deg" : "range")
        .fail("min <= max", std::to_string(v[0]) + " > " + std::to_string(v[1]));
}

MuscleSpec read_muscle(const NodeReader& r, const LawRegistry& registry) {
  r.require_map({"name",
                 "max_isometric_force",
                 "optimal_fibre_length",
                 "tendon_slack_length",
                 "pennation_at_optimal",
                 "max_contraction_velocity",
                 "fibre_damping",
                 "activation_time_constant",
                 "deactivation_time_constant",
                 "minimum_activation",
                 "curves",
                 "tendon",
                 "thelen",
                 "path",
                 "wrap",
                 "tone",
                 "viscoelastic",
                 "thixotropy",
                 "laws",
                 "source"});
  MuscleSpec m;
  m.loc = r.location();
  m.name = r.child("name").as_identifier();
  m.max_isometric_force = r.child("max_isometric_force").as_double(1e-6, 1e6);
  m.optimal_fibre_length = r.child("optimal_fibre_length").as_double(1e-4, 2.0);
  m.tendon_slack_length = r.child("tendon_slack_length").as_double(0.0, 3.0);
  if (r.has("pennation_at_optimal"))
    m.pennation_at_optimal = r.child("pennation_at_optimal").as_double(0.0, 1.2);
  if (r.has("max_contraction_velocity"))
    m.max_contraction_velocity = r.child("max_contraction_velocity").as_double(0.1, 100.0);
  if (r.has("fibre_damping")) m.fibre_damping = r.child("fibre_damping").as_double(1e-4, 10.0);
  if (r.has("curves")) {
    m.curves = r.child("curves").as_string();
    if (m.curves != "degroote2016" && m.curves != "thelen2003")
      r.child("curves").fail("degroote2016 or thelen2003", m.curves);
  }
  if (r.has("thelen")) {
    const NodeReader t = r.child("thelen");
    t.require_map({"kshape_active", "kshape_passive", "fmax_muscle_strain", "fmax_tendon_strain",
                   "af", "flen", "source"});
    if (t.has("kshape_active"))
      m.thelen_kshape_active = t.child("kshape_active").as_double(0.05, 5);
    if (t.has("kshape_passive"))
      m.thelen_kshape_passive = t.child("kshape_passive").as_double(0.1, 20);
    if (t.has("fmax_muscle_strain"))
      m.thelen_fmax_muscle_strain = t.child("fmax_muscle_strain").as_double(0.05, 5);
    if (t.has("fmax_tendon_strain"))
      m.thelen_fmax_tendon_strain = t.child("fmax_tendon_strain").as_double(0.005, 0.5);
    if (t.has("af")) m.thelen_af = t.child("af").as_double(0.01, 5);
    if (t.has("flen")) m.thelen_flen = t.child("flen").as_double(1.0, 5);
  }
  const NodeReader path = r.child("path");
  const std::size_t n_points = path.sequence_size(2);
  for (std::size_t i = 0; i < n_points; ++i) {
    const NodeReader p = path.element(i);
    p.require_map({"body", "point", "active_when"});
    PathPointSpec pp;
    pp.body = p.child("body").as_identifier();
    pp.point = p.child("point").as_vec3(-10.0, 10.0);
    if (p.has("active_when")) read_condition(p.child("active_when"), pp);
    m.path.push_back(pp);
  }
  if (r.has("wrap")) {
    const NodeReader wraps = r.child("wrap");
    for (std::size_t i = 0, n = wraps.sequence_size(1); i < n; ++i) {
      const NodeReader w = wraps.element(i);
      w.require_map({"surface", "from_point", "to_point"});
      PathWrapSpec pw;
      pw.surface = w.child("surface").as_identifier();
      const double last = static_cast<double>(n_points) - 1.0;
      if (w.has("from_point")) pw.from_point = as_index(w.child("from_point"), last - 1.0);
      if (w.has("to_point")) pw.to_point = as_index(w.child("to_point"), last);
      if (pw.to_point >= 0 && pw.to_point <= pw.from_point)
        w.child("to_point").fail("a path point after from_point", std::to_string(pw.to_point));
      m.wrap.push_back(pw);
    }
  }
  // The `laws:` block first; legacy keys (tone, viscoelastic, ...) then edit it.
  if (r.has("laws")) read_laws(r.child("laws"), LawDomain::Muscle, registry, m.laws);
  read_muscle_legacy_laws(r, registry, m.laws);
  return m;
}

WrapSurfaceSpec read_wrap_surface(const NodeReader& r) {
  r.require_map({"name", "body", "type", "centre", "xyz_body_rotation", "axis", "radius", "length",
                 "side", "source"});
  WrapSurfaceSpec w;
  w.loc = r.location();
  w.name = r.child("name").as_identifier();
  w.body = r.has("body") ? r.child("body").as_identifier() : "ground";
  w.type = r.child("type").as_string();
  if (w.type != "cylinder" && w.type != "sphere")
    r.child("type").fail("cylinder or sphere", w.type);
  if (r.has("centre")) w.centre = r.child("centre").as_vec3(-10.0, 10.0);
  w.radius = r.child("radius").as_double(1e-6, 10.0);
  if (r.has("length")) w.length = r.child("length").as_double(0.0, 100.0);
  if (r.has("side")) w.side = r.child("side").as_string();
  const bool sphere = w.type == "sphere";
  const std::set<std::string> sides =
      sphere ? std::set<std::string>{"all", "+x", "-x", "+y", "-y", "+z", "-z"}
             : std::set<std::string>{"all", "+x", "-x", "+y", "-y"};
  if (!sides.count(w.side))
    r.child("side").fail(sphere ? "all, +x, -x, +y, -y, +z or -z" : "all, +x, -x, +y or -y",
                         "'" + w.side + "'");
  if (r.has("xyz_body_rotation") && r.has("axis"))
    r.child("axis").fail("either xyz_body_rotation or axis, not both", "both");
  if (r.has("xyz_body_rotation"))
    w.xyz_body_rotation = r.child("xyz_body_rotation").as_vec3(-2.0 * M_PI, 2.0 * M_PI);
  if (r.has("axis")) {
    // The cylinder axis alone fixes the surface frame up to a turn about it, which only matters
    // for a constrained side.
    if (w.side != "all")
      r.child("axis").fail("xyz_body_rotation with a side other than all", "axis");
    const auto a = r.child("axis").as_doubles(3, -1e3, 1e3);
    const double n = std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    if (n < 1e-9) r.child("axis").fail("a non-zero vector", "zero vector");
    w.xyz_body_rotation = xyz_angles_of_z_axis({a[0] / n, a[1] / n, a[2] / n});
  }
  return w;
}

PairSpec read_pair(const NodeReader& r, const LawRegistry& registry) {
  r.require_map(
      {"name", "joint", "agonists", "antagonists", "reciprocal_inhibition", "laws", "source"});
  PairSpec p;
  p.loc = r.location();
  p.name = r.child("name").as_identifier();
  p.joint = r.child("joint").as_identifier();
  auto names = [](const NodeReader& s) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    const std::size_t n = s.sequence_size(1);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(s.element(i).as_identifier());
      // A muscle listed twice would count twice in the pair's moments.
      if (!seen.insert(out.back()).second)
        s.element(i).fail("distinct muscle names", "'" + out.back() + "' again");
    }
    return out;
  };
  p.agonists = names(r.child("agonists"));
  p.antagonists = names(r.child("antagonists"));
  if (r.has("laws")) read_laws(r.child("laws"), LawDomain::Pair, registry, p.laws);
  read_legacy_law_keys(r, LawDomain::Pair, "", registry, p.laws);
  return p;
}

/// Reads the scalar fields of a level under `prefix` ("disc.", "facet.", "foramen.", "shear.",
/// "degeneration_effects.") present in r
/// (detail::segment_fields).
void read_segment_scalars(const NodeReader& r, const std::string& prefix, spine::SegmentParams& p) {
  for (const detail::SegmentField& f : detail::segment_fields()) {
    const std::string name = f.name;
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string key = name.substr(prefix.size());
    if (r.has(key.c_str())) f.ref(p) = r.child(key.c_str()).as_double(f.min, f.max);
  }
}

/// Reads the fields of a disc mapping present in r (absent fields keep their values); the fluid
/// keys (osmotic_pressure, osmotic_exponent, fluid_time_constant, recovery_factor) set the level's
/// fluid law.
void read_disc_fields(const NodeReader& r, spine::SegmentParams& p, const LawRegistry& registry,
                      std::vector<LawSpec>& laws) {
  r.require_map({"height",
                 "posterior_height",
                 "depth",
                 "area",
                 "fluid_height",
                 "stiffness_toe",
                 "stiffness",
                 "toe_compression",
                 "moment_coefficients",
                 "moment_coefficients_deg",
                 "preload_stiffening",
                 "preload_gain",
                 "preload_exponent",
                 "preload_reference",
                 "preload_gain_max",
                 "preload_force",
                 "pressure_factor",
                 "swelling_pressure",
                 "pressure_blend",
                 "osmotic_pressure",
                 "osmotic_exponent",
                 "fluid_time_constant",
                 "recovery_factor",
                 "damping",
                 "source"});
  // The unbounded power law of earlier versions is gone: say what replaced it.
  for (const char* old : {"preload_gain", "preload_exponent", "preload_reference"})
    if (r.has(old))
      r.child(old).fail(
          "preload_gain_max and preload_force (the bounded preload stiffening, "
          "docs/theory/spine.md)",
          old);
  read_segment_scalars(r, "disc.", p);
  spine::DiscParams& d = p.disc;
  if (r.has("moment_coefficients") && r.has("moment_coefficients_deg"))
    r.child("moment_coefficients_deg")
        .fail("either moment_coefficients [N m/rad^k] or moment_coefficients_deg [N m/deg^k]",
              "both");
  if (r.has("moment_coefficients")) {
    const auto c = r.child("moment_coefficients").as_doubles(3, -1e6, 1e6);
    d.moment_c1 = c[0];
    d.moment_c2 = c[1];
    d.moment_c3 = c[2];
  }
  if (r.has("moment_coefficients_deg")) {
    // Coefficients per degree^k, as published (Han 2010 via AMMR), to SI.
    const auto c = r.child("moment_coefficients_deg").as_doubles(3, -1e3, 1e3);
    const double k = 180.0 / M_PI;
    d.moment_c1 = c[0] * k;
    d.moment_c2 = c[1] * k * k;
    d.moment_c3 = c[2] * k * k * k;
  }
  if (r.has("preload_stiffening")) d.preload_stiffening = r.child("preload_stiffening").as_bool();
  read_legacy_law_keys(r, LawDomain::Segment, "disc.", registry, laws);
}

void read_facet_fields(const NodeReader& r, spine::SegmentParams& p) {
  r.require_map({"lever_arm", "gap", "stiffness", "exponent", "source"});
  read_segment_scalars(r, "facet.", p);
}

void read_foramen_fields(const NodeReader& r, spine::SegmentParams& p) {
  r.require_map({"height", "disc_gain", "angle_gain", "stenosis_height",
                 "stenosis_posterior_disc_height", "width", "shape_factor", "flavum_moment_arm",
                 "flavum_length", "volume_loss_bulge", "risk_height_width", "risk_posterior_width",
                 "source"});
  read_segment_scalars(r, "foramen.", p);
}

void read_shear_fields(const NodeReader& r, spine::SegmentParams& p) {
  r.require_map({"disc_stiffness", "facet_stiffness", "engagement_opening", "engagement_width",
                 "repetitive_limit", "action_limit", "ultimate", "source"});
  read_segment_scalars(r, "shear.", p);
}

void read_degeneration_fields(const NodeReader& r, spine::SegmentParams& p) {
  r.require_map({"height_loss", "height_exponent", "swelling_loss", "pressure_factor_loss",
                 "laxity", "source"});
  read_segment_scalars(r, "degeneration_effects.", p);
}

/// Ligaments are merged by name: an entry updates the ligament of that name (from the defaults)
/// or adds one, which needs its geometry (neutral_length, moment_arm).
void read_ligament_fields(const NodeReader& r, std::vector<spine::LigamentParams>& ligaments) {
  for (std::size_t i = 0, n = r.sequence_size(0); i < n; ++i) {
    const NodeReader e = r.element(i);
    e.require_map({"name", "stiffness", "neutral_length", "slack_strain", "moment_arm",
                   "toe_length", "source"});
    const std::string name = e.child("name").as_identifier();
    auto it = std::find_if(ligaments.begin(), ligaments.end(),
                           [&](const spine::LigamentParams& l) { return l.name == name; });
    if (it == ligaments.end()) {
      // A new ligament needs its geometry.
      e.child("neutral_length");
      e.child("moment_arm");
      ligaments.push_back({});
      it = ligaments.end() - 1;
      it->name = name;
    }
    spine::LigamentParams& l = *it;
    if (e.has("stiffness")) l.stiffness = e.child("stiffness").as_double(0.0, 1e9);
    if (e.has("neutral_length")) l.neutral_length = e.child("neutral_length").as_double(1e-4, 0.5);
    if (e.has("slack_strain")) l.slack_strain = e.child("slack_strain").as_double(-0.5, 2.0);
    if (e.has("moment_arm")) l.moment_arm = e.child("moment_arm").as_double(-0.2, 0.2);
    if (e.has("toe_length")) l.toe_length = e.child("toe_length").as_double(1e-6, 0.05);
  }
}

/// The fields a segment and the segment defaults share.
void read_segment_fields(const NodeReader& r, SegmentSpec& s, const LawRegistry& registry) {
  if (r.has("axis_tilt") && r.has("axis_tilt_deg"))
    r.child("axis_tilt_deg")
        .fail("either axis_tilt [rad] or axis_tilt_deg [deg], not both", "both");
  if (r.has("axis_tilt")) s.axis_tilt = r.child("axis_tilt").as_double(-1.6, 1.6);
  if (r.has("axis_tilt_deg"))
    s.axis_tilt = r.child("axis_tilt_deg").as_double(-90.0, 90.0) * M_PI / 180.0;
  if (r.has("neutral_angle") && r.has("neutral_angle_deg"))
    r.child("neutral_angle_deg")
        .fail("either neutral_angle [rad] or neutral_angle_deg [deg], not both", "both");
  if (r.has("neutral_angle"))
    s.params.neutral_angle = r.child("neutral_angle").as_double(-1.0, 1.0);
  if (r.has("neutral_angle_deg"))
    s.params.neutral_angle = r.child("neutral_angle_deg").as_double(-57.0, 57.0) * M_PI / 180.0;
  if (r.has("hydration")) s.hydration = r.child("hydration").as_double(0.05, 2.0);
  if (r.has("region")) s.region = r.child("region").as_identifier();
  if (r.has("rhythm")) s.rhythm = r.child("rhythm").as_double(0.0, 1.0);
  if (r.has("degeneration")) s.params.degeneration = r.child("degeneration").as_double(0.0, 1.0);
  if (r.has("disc")) read_disc_fields(r.child("disc"), s.params, registry, s.laws);
  if (r.has("facet")) read_facet_fields(r.child("facet"), s.params);
  if (r.has("foramen")) read_foramen_fields(r.child("foramen"), s.params);
  if (r.has("shear")) read_shear_fields(r.child("shear"), s.params);
  if (r.has("degeneration_effects"))
    read_degeneration_fields(r.child("degeneration_effects"), s.params);
  if (r.has("ligaments")) read_ligament_fields(r.child("ligaments"), s.params.ligaments);
  if (r.has("laws")) read_laws(r.child("laws"), LawDomain::Segment, registry, s.laws);
}

SegmentSpec read_segment(const NodeReader& r, const SegmentSpec& defaults,
                         const LawRegistry& registry) {
  r.require_map({"name", "joint", "axis_tilt", "axis_tilt_deg", "neutral_angle",
                 "neutral_angle_deg", "hydration", "region", "rhythm", "degeneration", "disc",
                 "facet", "ligaments", "foramen", "shear", "degeneration_effects", "laws",
                 "source"});
  SegmentSpec s = defaults;
  s.loc = r.location();
  s.name = r.child("name").as_identifier();
  s.params.name = s.name;
  s.joint = r.child("joint").as_identifier();
  read_segment_fields(r, s, registry);
  return s;
}

PostureSpec read_posture(const NodeReader& r) {
  r.require_map({"ground",          "load_body",        "shoulder",       "arm_mass",
                 "arm_length",      "arm_com_fraction", "load_reference", "hip_coordinate",
                 "knee_coordinate", "head_coordinate",  "trunk_body",     "gaze_body",
                 "seat_body",       "seat_point",       "feet_body",      "ankle_point",
                 "pressure_offset", "ground_mass",      "ground_com",     "prescribed",
                 "source"});
  PostureSpec p;
  p.loc = r.location();
  if (r.has("ground")) {
    p.ground = r.child("ground").as_string();
    if (p.ground != "pelvis" && p.ground != "thorax" && p.ground != "thigh")
      r.child("ground").fail("thigh, pelvis or thorax", "'" + p.ground + "'");
  }
  if (r.has("load_body")) p.load_body = r.child("load_body").as_identifier();
  if (r.has("shoulder")) p.shoulder = r.child("shoulder").as_vec3(-5.0, 5.0);
  if (r.has("arm_mass")) p.arm_mass = r.child("arm_mass").as_double(0.0, 200.0);
  if (r.has("arm_length")) p.arm_length = r.child("arm_length").as_double(0.0, 3.0);
  if (r.has("arm_com_fraction"))
    p.arm_com_fraction = r.child("arm_com_fraction").as_double(0.0, 1.0);
  if (r.has("load_reference")) p.load_reference = r.child("load_reference").as_identifier();
  if (r.has("hip_coordinate")) p.hip_coordinate = r.child("hip_coordinate").as_identifier();
  if (r.has("head_coordinate")) p.head_coordinate = r.child("head_coordinate").as_identifier();
  if (r.has("knee_coordinate")) p.knee_coordinate = r.child("knee_coordinate").as_identifier();
  if (r.has("trunk_body")) p.trunk_body = r.child("trunk_body").as_identifier();
  if (r.has("gaze_body")) p.gaze_body = r.child("gaze_body").as_identifier();
  if (r.has("seat_body")) p.seat_body = r.child("seat_body").as_identifier();
  if (r.has("seat_point")) p.seat_point = r.child("seat_point").as_vec3(-5.0, 5.0);
  if (r.has("seat_point") != r.has("seat_body"))
    r.fail("seat_body and seat_point together", "only one of them");
  if (r.has("feet_body")) p.feet_body = r.child("feet_body").as_identifier();
  if (r.has("ankle_point")) p.ankle_point = r.child("ankle_point").as_vec3(-5.0, 5.0);
  if (r.has("ankle_point") != r.has("feet_body"))
    r.fail("feet_body and ankle_point together", "only one of them");
  if (r.has("pressure_offset")) p.pressure_offset = r.child("pressure_offset").as_double(-0.5, 0.5);
  if (r.has("ground_mass")) p.ground_mass = r.child("ground_mass").as_double(0.0, 500.0);
  if (r.has("ground_com")) p.ground_com = r.child("ground_com").as_vec3(-5.0, 5.0);
  if (r.has("prescribed")) {
    const NodeReader list = r.child("prescribed");
    for (std::size_t i = 0, n = list.sequence_size(0); i < n; ++i)
      p.prescribed.push_back(list.element(i).as_identifier());
  }
  return p;
}

SubjectSpec read_subject(const NodeReader& r) {
  r.require_map({"reference_mass", "reference_height", "mass", "height", "source"});
  SubjectSpec s;
  s.reference_mass = r.child("reference_mass").as_double(1.0, 500.0);
  s.reference_height = r.child("reference_height").as_double(0.3, 3.0);
  s.mass = r.has("mass") ? r.child("mass").as_double(1.0, 500.0) : s.reference_mass;
  s.height = r.has("height") ? r.child("height").as_double(0.3, 3.0) : s.reference_height;
  return s;
}

/// The override `tone_profile: NAME` becomes the profile's per-muscle overrides (the model file's
/// `tone_profiles.NAME.groups.GROUP: {tone: PRESET, strength: FACTOR}`: every member's tone, and
/// its max_isometric_force times FACTOR), placed before the other overrides so that those refine
/// it. "normal" is every model's profile of no change.
YAML::Node expand_tone_profile(const YAML::Node& root, const YAML::Node& overrides) {
  if (!overrides.IsMap() || !overrides["tone_profile"].IsDefined()) return overrides;
  const YAML::Node given = overrides["tone_profile"];
  const std::string name = given.IsScalar() ? given.Scalar() : "";
  const YAML::Node profiles = root.IsMap() ? root["tone_profiles"] : YAML::Node();
  std::string names = "normal";
  if (profiles.IsDefined() && profiles.IsMap())
    for (const auto& kv : profiles)
      names += ", " + kv.first.as<std::string>();
  YAML::Node out(YAML::NodeType::Map);
  if (name != "normal") {
    const YAML::Node profile =
        profiles.IsDefined() && profiles.IsMap() ? profiles[name] : YAML::Node();
    if (!profile.IsDefined() || !profile.IsMap() || !profile["groups"].IsMap())
      throw ModelError("<overrides>", 0, "tone_profile",
                       "a tone profile of the model (" + names + ")",
                       given.IsScalar() ? "'" + name + "'" : "a " + describe(given));
    const YAML::Node groups = root["groups"];
    const YAML::Node muscles = root["muscles"];
    for (const auto& entry : profile["groups"]) {
      const std::string group = entry.first.as<std::string>();
      const std::string where = "tone_profiles." + name + ".groups." + group;
      const YAML::Node members =
          groups.IsDefined() && groups.IsMap() ? groups[group] : YAML::Node();
      if (!members.IsDefined() || !members.IsSequence())
        throw ModelError("<model>", 0, where, "a muscle group of the model", "'" + group + "'");
      for (const auto& member : members) {
        const std::string muscle = member.as<std::string>();
        if (entry.second["tone"].IsDefined())
          out["muscles." + muscle + ".tone"] = entry.second["tone"];
        if (entry.second["strength"].IsDefined()) {
          const double factor = entry.second["strength"].as<double>();
          if (!(factor > 0.0 && factor <= 2.0))
            throw ModelError("<model>", 0, where + ".strength", "a factor in (0, 2]",
                             entry.second["strength"].as<std::string>());
          for (const auto& m : muscles) {
            if (!m.IsMap() || m["name"].as<std::string>("") != muscle) continue;
            out["muscles." + muscle + ".max_isometric_force"] =
                m["max_isometric_force"].as<double>() * factor;
          }
        }
      }
    }
  }
  for (const auto& kv : overrides)
    if (!(kv.first.IsScalar() && kv.first.Scalar() == "tone_profile")) out[kv.first] = kv.second;
  return out;
}

/// Overrides addressed to a muscle group ("groups.NAME.FIELD...") become one override per member
/// ("muscles.MEMBER.FIELD..."), in the order given; others pass through.
YAML::Node expand_group_overrides(const YAML::Node& root, const YAML::Node& overrides) {
  if (!overrides.IsMap()) return overrides;
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& kv : overrides) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key.rfind("groups.", 0) != 0) {
      out[kv.first] = kv.second;
      continue;
    }
    const std::size_t dot = key.find('.', 7);
    const std::string group = key.substr(7, dot == std::string::npos ? std::string::npos : dot - 7);
    const YAML::Node groups = root.IsMap() ? root["groups"] : YAML::Node();
    const YAML::Node members = groups.IsDefined() && groups.IsMap() ? groups[group] : YAML::Node();
    if (dot == std::string::npos)
      throw ModelError("<overrides>", 0, key, "groups.NAME.FIELD (a field of every muscle of NAME)",
                       "'" + key + "'");
    if (!members.IsDefined() || !members.IsSequence()) {
      // Name the model and its groups, the closest first.
      const std::string model = root.IsMap() && root["name"] && root["name"].IsScalar()
                                    ? "model '" + root["name"].Scalar() + "'"
                                    : "the model";
      std::vector<std::string> names;
      if (groups.IsDefined() && groups.IsMap())
        for (const auto& g : groups)
          names.push_back(g.first.Scalar());
      if (names.empty())
        throw ModelError("<overrides>", 0, "groups",
                         "a muscle group (" + model + " has no muscle groups)", "'" + group + "'");
      const std::string hint = detail::did_you_mean(group, names);
      std::string list;
      for (std::size_t i = 0; i < names.size(); ++i)
        list += (i ? ", " : "") + names[i];
      throw ModelError("<overrides>", 0, "groups",
                       "a muscle group of " + model + " (valid: " + list + ")",
                       "'" + group + "'" + (hint.empty() ? "" : "; " + hint));
    }
    for (const auto& member : members)
      out["muscles." + member.as<std::string>() + key.substr(dot)] = kv.second;
  }
  return out;
}

template <class T>
void check_unique(const std::vector<T>& items, const std::string& what, const std::string& file) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!seen.insert(items[i].name).second)
      throw ModelError(file, items[i].loc.line, what + "[" + std::to_string(i) + "].name",
                       "a unique name", "duplicate '" + items[i].name + "'");
  }
}

}  // namespace

LawSpec& law_spec_of(std::vector<LawSpec>& laws, const std::string& role) {
  for (LawSpec& l : laws)
    if (l.role == role) return l;
  LawSpec l;
  l.role = role;
  laws.push_back(l);
  return laws.back();
}

ModelSpec load_model_spec(const std::string& text, const std::string& file,
                          const std::string& overrides_json, const LoadLimits& limits,
                          const LawRegistry* laws) {
  const LawRegistry builtin = laws ? LawRegistry() : builtin_laws();
  const LawRegistry& registry = laws ? *laws : builtin;
  YAML::Node root = detail::parse_yaml(text, file, limits);
  if (!overrides_json.empty()) {
    const YAML::Node overrides = detail::parse_yaml(overrides_json, "<overrides>", limits);
    detail::apply_overrides(
        root, expand_group_overrides(root, expand_tone_profile(root, overrides)), file);
  }
  const NodeReader r(root, file, "", limits);
  r.require_map({"name", "description", "gravity", "subject", "posture", "bodies", "wrap_surfaces",
                 "muscles", "groups", "pairs", "segment_defaults", "segments", "law_defaults",
                 "tone_profiles", "warnings", "source", "references", "msk_format"});
  ModelSpec spec;
  spec.file = file;
  if (r.has("msk_format")) {
    const NodeReader format = r.child("msk_format");
    if (format.as_double(0.0, 1e6) != 1.0)
      format.fail("1 (the only model format this version of msk reads)", describe(format.node()));
  }
  spec.name = r.child("name").as_identifier();
  if (r.has("description")) spec.description = r.child("description").as_string();
  if (r.has("gravity")) spec.gravity = r.child("gravity").as_vec3(-100.0, 100.0);
  const NodeReader bodies = r.child("bodies");
  std::set<std::string> coordinates;
  for (std::size_t i = 0, n = bodies.sequence_size(1); i < n; ++i)
    spec.bodies.push_back(read_body(bodies.element(i), coordinates));
  if (r.has("wrap_surfaces")) {
    const NodeReader surfaces = r.child("wrap_surfaces");
    for (std::size_t i = 0, n = surfaces.sequence_size(0); i < n; ++i)
      spec.wrap_surfaces.push_back(read_wrap_surface(surfaces.element(i)));
  }
  if (r.has("warnings")) {
    const NodeReader warnings = r.child("warnings");
    for (std::size_t i = 0, n = warnings.sequence_size(0); i < n; ++i)
      spec.warnings.push_back(warnings.element(i).as_string());
  }
  if (r.has("muscles")) {
    const NodeReader muscles = r.child("muscles");
    for (std::size_t i = 0, n = muscles.sequence_size(0); i < n; ++i)
      spec.muscles.push_back(read_muscle(muscles.element(i), registry));
  }
  if (r.has("groups")) {
    const NodeReader groups = r.child("groups");
    groups.require_mapping();
    for (const auto& kv : groups.node()) {
      const std::string name = kv.first.Scalar();
      const NodeReader g = groups.child(name.c_str());
      MuscleGroupSpec group;
      group.name = NodeReader(kv.first, g.location().file, g.path(), limits).as_identifier();
      group.loc = g.location();
      std::set<std::string> seen;
      for (std::size_t i = 0, n = g.sequence_size(1); i < n; ++i) {
        group.muscles.push_back(g.element(i).as_identifier());
        if (!seen.insert(group.muscles.back()).second)
          g.element(i).fail("distinct muscle names", "'" + group.muscles.back() + "' again");
        if (std::none_of(spec.muscles.begin(), spec.muscles.end(),
                         [&](const MuscleSpec& m) { return m.name == group.muscles.back(); }))
          g.element(i).fail("the name of a muscle of the model", "'" + group.muscles.back() + "'");
      }
      spec.groups.push_back(group);
    }
  }
  if (r.has("pairs")) {
    const NodeReader pairs = r.child("pairs");
    for (std::size_t i = 0, n = pairs.sequence_size(0); i < n; ++i)
      spec.pairs.push_back(read_pair(pairs.element(i), registry));
  }
  if (r.has("segments")) {
    SegmentSpec defaults;
    if (r.has("segment_defaults")) {
      const NodeReader d = r.child("segment_defaults");
      d.require_map({"axis_tilt", "axis_tilt_deg", "neutral_angle", "neutral_angle_deg",
                     "hydration", "region", "rhythm", "degeneration", "disc", "facet", "ligaments",
                     "foramen", "shear", "degeneration_effects", "laws", "source"});
      read_segment_fields(d, defaults, registry);
    }
    const NodeReader segments = r.child("segments");
    for (std::size_t i = 0, n = segments.sequence_size(0); i < n; ++i)
      spec.segments.push_back(read_segment(segments.element(i), defaults, registry));
  } else if (r.has("segment_defaults")) {
    r.child("segment_defaults").fail("segment_defaults only with segments", "no segments");
  }
  if (r.has("law_defaults")) {
    // Model-wide laws: {muscles: {ROLE: ...}, pairs: {...}, segments: {...}}.
    const NodeReader d = r.child("law_defaults");
    d.require_map({"muscles", "pairs", "segments", "source"});
    const std::pair<const char*, LawDomain> domains[] = {{"muscles", LawDomain::Muscle},
                                                         {"pairs", LawDomain::Pair},
                                                         {"segments", LawDomain::Segment}};
    for (const auto& [key, domain] : domains)
      if (d.has(key)) read_laws(d.child(key), domain, registry, spec.law_defaults[key]);
  }
  if (r.has("subject")) spec.subject = read_subject(r.child("subject"));
  if (r.has("posture")) spec.posture = read_posture(r.child("posture"));
  check_unique(spec.bodies, "bodies", file);
  check_unique(spec.segments, "segments", file);
  check_unique(spec.muscles, "muscles", file);
  check_unique(spec.pairs, "pairs", file);
  check_unique(spec.wrap_surfaces, "wrap_surfaces", file);
  spec.text = overrides_json.empty() ? text : YAML::Dump(root);
  // The file's values describe the reference person; scale them to the subject's mass and height.
  if (spec.subject.reference_mass > 0.0) {
    const SubjectSpec target = spec.subject;
    spec.subject.mass = target.reference_mass;
    spec.subject.height = target.reference_height;
    spec = scale_model_spec(spec, target.mass, target.height);
  }
  return spec;
}

ModelSpec load_model_spec_file(const std::string& path, const std::string& overrides_json,
                               const LoadLimits& limits, const LawRegistry* laws) {
  if (is_opensim_file(path)) {
    // OpenSim models are converted to msk YAML, which overrides then edit like any model file.
    const ModelSpec imported = import_opensim_model(path, limits);
    ModelSpec spec =
        load_model_spec(model_spec_to_yaml(imported), path + " (converted to msk YAML)",
                        overrides_json, limits, laws);
    spec.file = path;
    return spec;
  }
  const std::string text = detail::read_text_file(path, limits.max_bytes);
  return load_model_spec(text, path, overrides_json, limits, laws);
}

}  // namespace msk
