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

ToneSpec read_tone(const NodeReader& r) {
  // A scalar names a preset; a mapping names a preset and overrides single fields.
  if (r.node().IsScalar()) {
    const std::string name = r.as_string();
    if (name != "hypertonic" && name != "normal" && name != "hypotonic")
      r.fail("one of hypertonic, normal, hypotonic", name);
    return tone_preset(name);
  }
  r.require_map({"preset", "threshold", "threshold_offset", "gain", "velocity_sensitivity",
                 "reflex_time_constant", "pad_depth", "pad_recovery_time_constant",
                 "pad_rise_time_constant", "pad_voluntary_threshold", "source"});
  ToneSpec tone = tone_preset("normal");
  std::string preset = "normal";
  if (r.has("preset")) {
    preset = r.child("preset").as_string();
    if (preset != "hypertonic" && preset != "normal" && preset != "hypotonic")
      r.child("preset").fail("one of hypertonic, normal, hypotonic", preset);
    tone = tone_preset(preset);
  }
  bool custom = false;
  auto opt = [&](const char* key, double& field, double lo, double hi) {
    if (!r.has(key)) return;
    field = r.child(key).as_double(lo, hi);
    custom = true;
  };
  opt("threshold", tone.threshold, 0.2, 3.0);
  if (r.has("threshold")) tone.threshold_absolute = true;
  opt("threshold_offset", tone.threshold_offset, -1.0, 3.0);
  if (r.has("threshold") && r.has("threshold_offset"))
    r.child("threshold_offset").fail("either threshold or threshold_offset, not both", "both");
  opt("gain", tone.gain, 0.0, 100.0);
  opt("velocity_sensitivity", tone.velocity_sensitivity, 0.0, 2.0);
  opt("reflex_time_constant", tone.reflex_time_constant, 1e-4, 1.0);
  opt("pad_depth", tone.pad_depth, 0.0, 1.0);
  opt("pad_recovery_time_constant", tone.pad_recovery_time_constant, 1e-3, 600.0);
  opt("pad_rise_time_constant", tone.pad_rise_time_constant, 1e-3, 600.0);
  opt("pad_voluntary_threshold", tone.pad_voluntary_threshold, 0.0, 1.0);
  tone.preset = custom ? (preset + "+custom") : preset;
  return tone;
}

ViscoelasticSpec read_viscoelastic(const NodeReader& r) {
  ViscoelasticSpec v;
  if (r.node().IsScalar()) {
    v.enabled = r.as_bool();
    return v;
  }
  r.require_map({"enabled", "branch_gain", "branch_time_constant", "source"});
  if (r.has("enabled")) v.enabled = r.child("enabled").as_bool();
  if (r.has("branch_gain")) {
    const auto g = r.child("branch_gain").as_doubles(2, 0.0, 10.0);
    v.branch_gain = {g[0], g[1]};
  }
  if (r.has("branch_time_constant")) {
    const auto t = r.child("branch_time_constant").as_doubles(2, 1e-3, 1e6);
    v.branch_time_constant = {t[0], t[1]};
  }
  return v;
}

ThixotropySpec read_thixotropy(const NodeReader& r) {
  ThixotropySpec t;
  if (r.node().IsScalar()) {
    t.enabled = r.as_bool();
    return t;
  }
  r.require_map({"enabled", "stiffening", "formation_time_constant", "breaking_rate", "source"});
  if (r.has("enabled")) t.enabled = r.child("enabled").as_bool();
  if (r.has("stiffening")) t.stiffening = r.child("stiffening").as_double(0.0, 10.0);
  if (r.has("formation_time_constant"))
    t.formation_time_constant = r.child("formation_time_constant").as_double(1e-3, 1e7);
  if (r.has("breaking_rate")) t.breaking_rate = r.child("breaking_rate").as_double(0.0, 1e4);
  return t;
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

MuscleSpec read_muscle(const NodeReader& r) {
  r.require_map({"name", "max_isometric_force", "optimal_fibre_length", "tendon_slack_length",
                 "pennation_at_optimal", "max_contraction_velocity", "fibre_damping",
                 "activation_time_constant", "deactivation_time_constant", "minimum_activation",
                 "curves", "tendon", "thelen", "path", "wrap", "tone", "viscoelastic", "thixotropy",
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
  if (r.has("activation_time_constant"))
    m.activation_time_constant = r.child("activation_time_constant").as_double(1e-4, 1.0);
  if (r.has("deactivation_time_constant"))
    m.deactivation_time_constant = r.child("deactivation_time_constant").as_double(1e-4, 1.0);
  if (r.has("minimum_activation"))
    m.minimum_activation = r.child("minimum_activation").as_double(0.0, 0.5);
  if (r.has("curves")) {
    m.curves = r.child("curves").as_string();
    if (m.curves != "degroote2016" && m.curves != "thelen2003")
      r.child("curves").fail("degroote2016 or thelen2003", m.curves);
  }
  if (r.has("tendon")) {
    m.tendon = r.child("tendon").as_string();
    if (m.tendon != "rigid" && m.tendon != "compliant")
      r.child("tendon").fail("rigid or compliant", m.tendon);
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
  m.tone = r.has("tone") ? read_tone(r.child("tone")) : tone_preset("normal");
  if (r.has("viscoelastic")) m.viscoelastic = read_viscoelastic(r.child("viscoelastic"));
  if (r.has("thixotropy")) m.thixotropy = read_thixotropy(r.child("thixotropy"));
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

PairSpec read_pair(const NodeReader& r) {
  r.require_map({"name", "joint", "agonists", "antagonists", "reciprocal_inhibition", "source"});
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
  if (r.has("reciprocal_inhibition"))
    p.reciprocal_inhibition = r.child("reciprocal_inhibition").as_double(0.0, 10.0);
  return p;
}

/// Reads the fields of a disc mapping present in r onto d (absent fields keep their values).
void read_disc_fields(const NodeReader& r, spine::DiscParams& d) {
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
                 "pressure_factor",
                 "swelling_pressure",
                 "osmotic_pressure",
                 "osmotic_exponent",
                 "fluid_time_constant",
                 "recovery_factor",
                 "damping",
                 "source"});
  auto opt = [&](const char* key, double& field, double lo, double hi) {
    if (r.has(key)) field = r.child(key).as_double(lo, hi);
  };
  opt("height", d.height, 1e-4, 0.05);
  opt("posterior_height", d.posterior_height, 1e-4, 0.05);
  opt("depth", d.depth, 1e-3, 0.1);
  opt("area", d.area, 1e-5, 0.01);
  opt("fluid_height", d.fluid_height, 0.0, 0.05);
  opt("stiffness_toe", d.stiffness_toe, 1e3, 1e9);
  opt("stiffness", d.stiffness, 0.0, 1e9);
  opt("toe_compression", d.toe_compression, 1e-6, 0.01);
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
  opt("preload_gain", d.preload_gain, 0.0, 100.0);
  opt("preload_exponent", d.preload_exponent, 0.01, 2.0);
  opt("preload_reference", d.preload_reference, 1.0, 1e5);
  opt("pressure_factor", d.pressure_factor, 0.1, 10.0);
  opt("swelling_pressure", d.swelling_pressure, 0.0, 1e7);
  opt("osmotic_pressure", d.osmotic_pressure, 1.0, 1e7);
  opt("osmotic_exponent", d.osmotic_exponent, 0.0, 20.0);
  opt("fluid_time_constant", d.fluid_time_constant, 1.0, 1e9);
  opt("recovery_factor", d.recovery_factor, 1.0, 100.0);
  opt("damping", d.damping, 0.0, 1e4);
}

void read_facet_fields(const NodeReader& r, spine::FacetParams& f) {
  r.require_map({"lever_arm", "gap", "stiffness", "exponent", "source"});
  if (r.has("lever_arm")) f.lever_arm = r.child("lever_arm").as_double(1e-3, 0.2);
  if (r.has("gap")) f.gap = r.child("gap").as_double(-0.01, 0.02);
  if (r.has("stiffness")) f.stiffness = r.child("stiffness").as_double(0.0, 1e12);
  if (r.has("exponent")) f.exponent = r.child("exponent").as_double(1.0, 3.0);
}

void read_foramen_fields(const NodeReader& r, spine::ForamenParams& f) {
  r.require_map({"height", "disc_gain", "angle_gain", "stenosis_height",
                 "stenosis_posterior_disc_height", "source"});
  if (r.has("height")) f.height = r.child("height").as_double(1e-3, 0.1);
  if (r.has("disc_gain")) f.disc_gain = r.child("disc_gain").as_double(0.0, 10.0);
  if (r.has("angle_gain")) f.angle_gain = r.child("angle_gain").as_double(-1.0, 1.0);
  if (r.has("stenosis_height")) f.stenosis_height = r.child("stenosis_height").as_double(1e-4, 0.1);
  if (r.has("stenosis_posterior_disc_height"))
    f.stenosis_posterior_disc_height =
        r.child("stenosis_posterior_disc_height").as_double(1e-4, 0.05);
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
void read_segment_fields(const NodeReader& r, SegmentSpec& s) {
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
  if (r.has("disc")) read_disc_fields(r.child("disc"), s.params.disc);
  if (r.has("facet")) read_facet_fields(r.child("facet"), s.params.facet);
  if (r.has("foramen")) read_foramen_fields(r.child("foramen"), s.params.foramen);
  if (r.has("ligaments")) read_ligament_fields(r.child("ligaments"), s.params.ligaments);
}

SegmentSpec read_segment(const NodeReader& r, const SegmentSpec& defaults) {
  r.require_map({"name", "joint", "axis_tilt", "axis_tilt_deg", "neutral_angle",
                 "neutral_angle_deg", "hydration", "region", "rhythm", "disc", "facet", "ligaments",
                 "foramen", "source"});
  SegmentSpec s = defaults;
  s.loc = r.location();
  s.name = r.child("name").as_identifier();
  s.params.name = s.name;
  s.joint = r.child("joint").as_identifier();
  read_segment_fields(r, s);
  return s;
}

PostureSpec read_posture(const NodeReader& r) {
  r.require_map({"ground", "load_body", "shoulder", "arm_mass", "arm_length", "arm_com_fraction",
                 "load_reference", "hip_coordinate", "head_coordinate", "prescribed", "source"});
  PostureSpec p;
  p.loc = r.location();
  if (r.has("ground")) {
    p.ground = r.child("ground").as_string();
    if (p.ground != "pelvis" && p.ground != "thorax")
      r.child("ground").fail("pelvis or thorax", "'" + p.ground + "'");
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
    if (dot == std::string::npos || !members.IsDefined() || !members.IsSequence())
      throw ModelError("<overrides>", 0, key,
                       "groups.NAME.FIELD with NAME a muscle group of the model", "'" + key + "'");
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

ToneSpec tone_preset(const std::string& name) {
  // Presets of the tonic stretch-reflex threshold model (Feldman's lambda model). The values are
  // model assumptions documented in docs/theory/neural.md: hypertonic puts lambda below the
  // habitual fibre length (the muscle stays semi-contracted at rest; TSRT inside the range, as
  // in spasticity, Levin & Feldman 1994; Germanotta 2017), normal puts it beyond the usual range
  // (no reflex at rest, as in healthy subjects), hypotonic far beyond it with a low gain.
  ToneSpec t;
  t.preset = name;
  if (name == "hypertonic") {
    t.threshold_offset = -0.02;
    t.gain = 3.0;
    t.velocity_sensitivity = 0.10;
  } else if (name == "normal") {
    t.threshold_offset = 0.5;
    t.gain = 2.0;
    t.velocity_sensitivity = 0.06;
  } else if (name == "hypotonic") {
    t.threshold_offset = 0.8;
    t.gain = 1.0;
    t.velocity_sensitivity = 0.03;
  } else {
    throw InvalidArgument("tone preset: expected hypertonic, normal or hypotonic, got '" + name +
                          "'");
  }
  return t;
}

ModelSpec load_model_spec(const std::string& text, const std::string& file,
                          const std::string& overrides_json, const LoadLimits& limits) {
  YAML::Node root = detail::parse_yaml(text, file, limits);
  if (!overrides_json.empty()) {
    const YAML::Node overrides = detail::parse_yaml(overrides_json, "<overrides>", limits);
    detail::apply_overrides(root, expand_group_overrides(root, overrides), file);
  }
  const NodeReader r(root, file, "", limits);
  r.require_map({"name", "description", "gravity", "subject", "posture", "bodies", "wrap_surfaces",
                 "muscles", "groups", "pairs", "segment_defaults", "segments", "warnings", "source",
                 "references", "msk_format"});
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
      spec.muscles.push_back(read_muscle(muscles.element(i)));
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
      spec.pairs.push_back(read_pair(pairs.element(i)));
  }
  if (r.has("segments")) {
    SegmentSpec defaults;
    if (r.has("segment_defaults")) {
      const NodeReader d = r.child("segment_defaults");
      d.require_map({"axis_tilt", "axis_tilt_deg", "neutral_angle", "neutral_angle_deg",
                     "hydration", "region", "rhythm", "disc", "facet", "ligaments", "foramen",
                     "source"});
      read_segment_fields(d, defaults);
    }
    const NodeReader segments = r.child("segments");
    for (std::size_t i = 0, n = segments.sequence_size(0); i < n; ++i)
      spec.segments.push_back(read_segment(segments.element(i), defaults));
  } else if (r.has("segment_defaults")) {
    r.child("segment_defaults").fail("segment_defaults only with segments", "no segments");
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
                               const LoadLimits& limits) {
  if (is_opensim_file(path)) {
    // OpenSim models are converted to msk YAML, which overrides then edit like any model file.
    const ModelSpec imported = import_opensim_model(path, limits);
    ModelSpec spec = load_model_spec(model_spec_to_yaml(imported),
                                     path + " (converted to msk YAML)", overrides_json, limits);
    spec.file = path;
    return spec;
  }
  const std::string text = detail::read_text_file(path, limits.max_bytes);
  return load_model_spec(text, path, overrides_json, limits);
}

}  // namespace msk
