// OpenSim model import: .osim XML (4.x and legacy 2.x/3.x) -> ModelSpec. See docs/guide/opensim.md.
#include "msk/model/opensim.hpp"
#include "msk/model/rotation.hpp"

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "msk/error.hpp"
#include "yaml_util.hpp"

namespace msk {

namespace {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;

/// Fibre damping given to imported muscles whose OpenSim model has none (Thelen 2003, De Groote
/// 2016 without damping): msk's compliant tendon solves the damped equilibrium of Millard et al.
/// 2013, which needs beta > 0. The smaller, the closer to the undamped OpenSim muscle (over Arm26's
/// forward simulation the elbow angle stays within 0.9 deg of OpenSim 4.6 with 0.001, 2.3 deg with
/// 0.01; docs/guide/opensim.md), and the stiffer the fibre dynamics at very low activation.
constexpr double kImportedFibreDamping = 0.001;

// ---- the XML document, with file and line for errors ----------------------------------------

class Doc {
 public:
  Doc(std::string file, const std::string& text) : file_(std::move(file)) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') line_starts_.push_back(static_cast<std::ptrdiff_t>(i + 1));
  }

  const std::string& file() const { return file_; }

  /// 1-based line of a byte offset of the document (0 when unknown).
  int line_of_offset(std::ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    return static_cast<int>(it - line_starts_.begin());
  }
  int line(pugi::xml_node n) const { return line_of_offset(n.offset_debug()); }

  [[noreturn]] void fail(pugi::xml_node n, const std::string& expected,
                         const std::string& got) const {
    throw ModelError(file_, line(n), path(n), expected, got);
  }

  /// Dotted element path of a node, with names: "ForceSet.Thelen2003Muscle[BIClong].Flen".
  static std::string path(pugi::xml_node n) {
    std::string out;
    for (; n && n.type() == pugi::node_element; n = n.parent()) {
      const std::string tag = n.name();
      if (tag == "objects" || tag == "OpenSimDocument" || tag == "Model") continue;
      std::string part = tag;
      const std::string name = n.attribute("name").value();
      if (!name.empty()) part += "[" + name + "]";
      out = out.empty() ? part : part + "." + out;
    }
    return out.empty() ? "<document>" : out;
  }

 private:
  std::string file_;
  std::vector<std::ptrdiff_t> line_starts_;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string text(pugi::xml_node n) {
  return trim(n.child_value());
}

std::string name_of(pugi::xml_node n) {
  return trim(n.attribute("name").value());
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w)
    out.push_back(w);
  return out;
}

std::vector<double> numbers(const Doc& doc, pugi::xml_node n) {
  std::vector<double> out;
  for (const std::string& w : words(text(n))) {
    char* end = nullptr;
    const double v = std::strtod(w.c_str(), &end);
    if (end == w.c_str() || *end != '\0' || !std::isfinite(v))
      doc.fail(n, "finite numbers", "'" + w + "'");
    out.push_back(v);
  }
  return out;
}

double number(const Doc& doc, pugi::xml_node parent, const char* child, double fallback) {
  const pugi::xml_node n = parent.child(child);
  if (!n) return fallback;
  const auto v = numbers(doc, n);
  if (v.size() != 1) doc.fail(n, "one number", std::to_string(v.size()) + " numbers");
  return v[0];
}

Vec3 vec3(const Doc& doc, pugi::xml_node parent, const char* child, const Vec3& fallback) {
  const pugi::xml_node n = parent.child(child);
  if (!n) return fallback;
  const auto v = numbers(doc, n);
  if (v.size() != 3) doc.fail(n, "three numbers", std::to_string(v.size()) + " numbers");
  return {v[0], v[1], v[2]};
}

bool flag(const Doc& doc, pugi::xml_node parent, const char* child, bool fallback) {
  const pugi::xml_node n = parent.child(child);
  if (!n) return fallback;
  std::string t = text(n);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "true" || t == "1") return true;
  if (t == "false" || t == "0") return false;
  doc.fail(n, "true or false", "'" + t + "'");
}

/// Rotation of body-fixed x-y-z Euler angles given as a vector.
Mat3 rotation_xyz(const Vec3& a) {
  return msk::rotation_xyz({a[0], a[1], a[2]});
}

std::array<double, 3> arr(const Vec3& v) {
  return {v[0], v[1], v[2]};
}

/// An msk identifier from an OpenSim name: other characters become '_'.
std::string identifier(const std::string& name) {
  std::string s;
  for (char c : name)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) s = "_" + s;
  if (s.size() > 64) s = s.substr(0, 64);
  return s;
}

// ---- functions of a coordinate ---------------------------------------------------------------

const std::set<std::string>& function_types() {
  static const std::set<std::string> types = {"Constant",
                                              "LinearFunction",
                                              "SimmSpline",
                                              "NaturalCubicSpline",
                                              "GCVSpline",
                                              "PiecewiseLinearFunction",
                                              "MultiplierFunction",
                                              "PiecewiseConstantFunction",
                                              "PolynomialFunction",
                                              "StepFunction",
                                              "Sine",
                                              "ExpressionBasedFunction",
                                              "MultivariatePolynomialFunction"};
  return types;
}

/// A function of one coordinate, as OpenSim's TransformAxis, coupler and moving points use them.
struct Function {
  std::string type = "Constant";
  int line = 0;
  double constant = 0.0;
  double slope = 0.0, intercept = 0.0;  // LinearFunction
  std::vector<double> x, y, second;     // splines (second derivatives) and piecewise functions
  std::vector<double> poly;             // PolynomialFunction, highest power first
  double scale = 1.0;                   // MultiplierFunction
  std::shared_ptr<Function> inner;      // MultiplierFunction
  bool supported = true;

  bool is_linear() const { return type == "Constant" || type == "LinearFunction"; }
  /// Slope and intercept of a Constant or LinearFunction.
  std::pair<double, double> line_coefficients() const {
    return type == "Constant" ? std::make_pair(0.0, constant) : std::make_pair(slope, intercept);
  }

  double value(double q) const {
    if (type == "Constant") return constant;
    if (type == "LinearFunction") return slope * q + intercept;
    if (type == "MultiplierFunction") return inner ? scale * inner->value(q) : 0.0;
    if (type == "PolynomialFunction") {
      double v = 0.0;
      for (double c : poly)
        v = v * q + c;
      return v;
    }
    if (x.empty()) return 0.0;
    if (x.size() == 1) return y[0];
    const std::size_t n = x.size();
    if (type == "PiecewiseConstantFunction" || type == "StepFunction") {
      std::size_t k = 0;
      while (k + 1 < n && q >= x[k + 1])
        ++k;
      return y[k];
    }
    // Linear extrapolation beyond the knots (end slopes of the curve).
    if (q <= x[0] || q >= x[n - 1]) {
      const std::size_t a = q <= x[0] ? 0 : n - 2;
      const double h = x[a + 1] - x[a];
      double slope_end = (y[a + 1] - y[a]) / h;
      if (!second.empty())
        slope_end += a == 0 ? -h * (2.0 * second[0] + second[1]) / 6.0
                            : h * (second[n - 2] + 2.0 * second[n - 1]) / 6.0;
      const double x0 = q <= x[0] ? x[0] : x[n - 1];
      const double y0 = q <= x[0] ? y[0] : y[n - 1];
      return y0 + slope_end * (q - x0);
    }
    std::size_t k = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), q) - x.begin());
    k = std::clamp<std::size_t>(k, 1, n - 1) - 1;
    const double h = x[k + 1] - x[k];
    const double t = (q - x[k]) / h;
    if (second.empty()) return y[k] + t * (y[k + 1] - y[k]);
    // Natural cubic spline between knots k and k+1.
    const double a = 1.0 - t;
    return a * y[k] + t * y[k + 1] +
           h * h / 6.0 * ((a * a * a - a) * second[k] + (t * t * t - t) * second[k + 1]);
  }
};

/// Second derivatives of the natural cubic spline through (x, y).
std::vector<double> natural_spline(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size();
  std::vector<double> m(n, 0.0);
  if (n < 3) return m;
  std::vector<double> c(n, 0.0), d(n, 0.0);
  for (std::size_t i = 1; i + 1 < n; ++i) {
    const double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
    const double diag = 2.0 * (h0 + h1) - h0 * c[i - 1];
    c[i] = h1 / diag;
    d[i] = (6.0 * ((y[i + 1] - y[i]) / h1 - (y[i] - y[i - 1]) / h0) - h0 * d[i - 1]) / diag;
  }
  for (std::size_t i = n - 2; i >= 1; --i)
    m[i] = d[i] - c[i] * m[i + 1];
  return m;
}

pugi::xml_node function_element(pugi::xml_node parent) {
  // Legacy: <function><LinearFunction/></function>; 4.x: <LinearFunction name="function"/>.
  if (pugi::xml_node wrapper = parent.child("function"))
    for (pugi::xml_node c : wrapper.children())
      if (c.type() == pugi::node_element) return c;
  for (pugi::xml_node c : parent.children())
    if (c.type() == pugi::node_element && function_types().count(c.name())) return c;
  return {};
}

Function read_function(const Doc& doc, pugi::xml_node n) {
  Function f;
  if (!n) return f;  // no function: constant 0
  f.type = n.name();
  f.line = doc.line(n);
  if (f.type == "Constant") {
    f.constant = number(doc, n, "value", 0.0);
  } else if (f.type == "LinearFunction") {
    const auto c = n.child("coefficients") ? numbers(doc, n.child("coefficients"))
                                           : std::vector<double>{1.0, 0.0};
    if (c.size() != 2)
      doc.fail(n.child("coefficients"), "two coefficients (slope, intercept)",
               std::to_string(c.size()) + " numbers");
    f.slope = c[0];
    f.intercept = c[1];
  } else if (f.type == "SimmSpline" || f.type == "NaturalCubicSpline" || f.type == "GCVSpline" ||
             f.type == "PiecewiseLinearFunction" || f.type == "PiecewiseConstantFunction" ||
             f.type == "StepFunction") {
    f.x = numbers(doc, n.child("x"));
    f.y = numbers(doc, n.child("y"));
    if (f.x.size() != f.y.size() || f.x.empty())
      doc.fail(n, "x and y of the same non-zero length",
               std::to_string(f.x.size()) + " and " + std::to_string(f.y.size()));
    for (std::size_t i = 1; i < f.x.size(); ++i)
      if (!(f.x[i] > f.x[i - 1])) doc.fail(n.child("x"), "increasing x", "not increasing");
    if (f.type == "SimmSpline" || f.type == "NaturalCubicSpline" || f.type == "GCVSpline")
      f.second = natural_spline(f.x, f.y);
  } else if (f.type == "MultiplierFunction") {
    f.scale = number(doc, n, "scale", 1.0);
    f.inner = std::make_shared<Function>(read_function(doc, function_element(n)));
    f.supported = f.inner->supported;
  } else if (f.type == "PolynomialFunction") {
    f.poly = numbers(doc, n.child("coefficients"));
  } else {
    f.supported = false;
  }
  return f;
}

// ---- the model as OpenSim describes it ------------------------------------------------------

/// A frame fixed in a body: rotation and origin relative to the body frame ("ground" for ground).
struct Frame {
  std::string body = "ground";
  Mat3 rotation = Mat3::Identity();
  Vec3 origin = Vec3::Zero();
};

struct TransformAxis {
  std::string name;
  bool rotation = true;
  Vec3 axis = Vec3::UnitZ();
  std::vector<std::string> coordinates;
  Function function;
  pugi::xml_node node;
};

struct Coordinate {
  std::string name;
  std::string joint;
  double default_value = 0.0;
  double range[2] = {-M_PI, M_PI};
  bool locked = false;
  bool prescribed = false;
  bool rotational = true;
  pugi::xml_node node;
};

struct Joint {
  std::string name, type;
  pugi::xml_node node;
  Frame parent, child;
  std::vector<std::string> coordinates;
  std::vector<TransformAxis> axes;
};

struct Body {
  std::string name;
  double mass = 0.0;
  Vec3 com = Vec3::Zero();
  std::array<double, 6> inertia{};
  pugi::xml_node node;
};

/// A coordinate after couplers and locks: q = ratio q_independent + offset, or fixed.
struct CoordinateMap {
  bool fixed = false;
  double value = 0.0;       // when fixed [rad or m]
  std::string independent;  // otherwise
  double ratio = 1.0, offset = 0.0;
};

class Importer {
 public:
  Importer(const Doc& doc, pugi::xml_node model) : doc_(doc), model_(model) {}

  ModelSpec run();

 private:
  void warn(const std::string& message) { spec_.warnings.push_back(message); }
  [[noreturn]] void fail(pugi::xml_node n, const std::string& expected, const std::string& got) {
    doc_.fail(n, expected, got);
  }

  // Reading.
  void read_bodies_4x();
  void read_joints_4x();
  void read_legacy_bodies();
  Frame resolve_frame_4x(const std::string& ref, pugi::xml_node joint, pugi::xml_node at,
                         int depth = 0);
  Frame offset_frame(pugi::xml_node frame, pugi::xml_node joint, int depth);
  void read_coordinates(pugi::xml_node set, Joint& joint);
  void standard_axes(Joint& joint);
  void read_constraints();
  void note_other_sets();

  // Converting.
  void map_coordinates();
  void convert_bodies();
  void convert_joint(const Joint& joint, const Body& body);
  std::string body_frame_name(const std::string& body) const;
  void convert_wrap_objects();
  void read_wrap_set(pugi::xml_node set, const std::string& body);
  void convert_forces();
  void convert_muscle(pugi::xml_node n);
  std::string point_body(pugi::xml_node point, Vec3& location);
  std::string frame_body_path(const std::string& ref, pugi::xml_node at, Vec3& location);

  double coordinate_value_at_default(const std::string& coordinate) const;

  const Doc& doc_;
  pugi::xml_node model_;
  bool legacy_ = false;
  ModelSpec spec_;
  std::vector<Body> bodies_;  // in file order, ground excluded
  std::map<std::string, Joint> joint_of_child_;
  std::map<std::string, Coordinate> coordinates_;
  std::vector<std::string> coordinate_order_;
  struct Coupler {
    std::string dependent, independent;
    double ratio = 1.0, offset = 0.0;
  };
  std::vector<Coupler> couplers_;
  std::map<std::string, CoordinateMap> map_;
  // Ground-fixed bodies: their pose in ground. Moving bodies: their msk name.
  std::map<std::string, std::pair<Mat3, Vec3>> ground_pose_;
  std::set<std::string> msk_bodies_;
  std::set<std::string> defined_coordinates_;
  std::set<std::string> joint_names_;
  std::map<std::string, std::string> wrap_names_;  // OpenSim name -> msk name
  std::set<std::string> muscle_names_;
};

// ---- reading: 4.x --------------------------------------------------------------------------

void Importer::read_bodies_4x() {
  for (pugi::xml_node n : model_.child("BodySet").child("objects").children("Body")) {
    Body b;
    b.name = name_of(n);
    b.node = n;
    b.mass = number(doc_, n, "mass", 0.0);
    b.com = vec3(doc_, n, "mass_center", Vec3::Zero());
    if (pugi::xml_node in = n.child("inertia")) {
      const auto v = numbers(doc_, in);
      if (v.size() != 6) fail(in, "six numbers Ixx Iyy Izz Ixy Ixz Iyz", std::to_string(v.size()));
      std::copy(v.begin(), v.end(), b.inertia.begin());
    }
    if (b.mass < 0.0) fail(n.child("mass"), "a mass >= 0", std::to_string(b.mass));
    bodies_.push_back(b);
  }
}

Frame Importer::offset_frame(pugi::xml_node frame, pugi::xml_node joint, int depth) {
  Frame parent = resolve_frame_4x(text(frame.child("socket_parent")), joint, frame, depth + 1);
  const Vec3 t = vec3(doc_, frame, "translation", Vec3::Zero());
  const Mat3 r = rotation_xyz(vec3(doc_, frame, "orientation", Vec3::Zero()));
  parent.origin += parent.rotation * t;
  parent.rotation = parent.rotation * r;
  return parent;
}

Frame Importer::resolve_frame_4x(const std::string& ref, pugi::xml_node joint, pugi::xml_node at,
                                 int depth) {
  if (depth > 16) fail(at, "a chain of offset frames that ends in a body", "a cycle");
  std::vector<std::string> parts;
  std::istringstream in(ref);
  std::string part;
  while (std::getline(in, part, '/'))
    if (!part.empty() && part != "." && part != "..") parts.push_back(part);
  if (parts.empty()) fail(at, "a frame name or path", "'" + ref + "'");
  auto find_frame = [&](pugi::xml_node owner, const std::string& name) -> pugi::xml_node {
    for (const char* set : {"frames", "components"})
      for (pugi::xml_node f : owner.child(set).children("PhysicalOffsetFrame"))
        if (name_of(f) == name) return f;
    return {};
  };
  const std::string& last = parts.back();
  if (parts.size() == 1 && parts[0] == "ground") return Frame{};
  // An offset frame of this joint, named or addressed by path.
  if (joint &&
      (parts.size() == 1 || (parts.size() >= 2 && parts[parts.size() - 2] == name_of(joint))))
    if (pugi::xml_node f = find_frame(joint, last)) return offset_frame(f, joint, depth);
  if (parts.size() >= 2 && parts[0] == "jointset") {
    for (pugi::xml_node j : model_.child("JointSet").child("objects").children())
      if (name_of(j) == parts[1] && parts.size() == 3)
        if (pugi::xml_node f = find_frame(j, last)) return offset_frame(f, j, depth);
  }
  if (parts[0] == "bodyset" || parts.size() == 1) {
    const std::string& body = parts[0] == "bodyset" && parts.size() >= 2 ? parts[1] : parts[0];
    for (pugi::xml_node b : model_.child("BodySet").child("objects").children("Body")) {
      if (name_of(b) != body) continue;
      if (parts.size() <= (parts[0] == "bodyset" ? 2u : 1u))
        return Frame{body, Mat3::Identity(), Vec3::Zero()};
      if (pugi::xml_node f = find_frame(b, last)) return offset_frame(f, {}, depth);
    }
  }
  if (parts[0] == "ground" && parts.size() == 2)
    if (pugi::xml_node f = find_frame(model_.child("Ground"), last))
      return offset_frame(f, {}, depth);
  fail(at, "a body, ground or an offset frame of the model", "'" + ref + "'");
}

void Importer::read_coordinates(pugi::xml_node set, Joint& joint) {
  for (pugi::xml_node c : set.children("Coordinate")) {
    Coordinate co;
    co.name = name_of(c);
    co.joint = joint.name;
    co.node = c;
    co.default_value = number(doc_, c, "default_value", 0.0);
    if (pugi::xml_node r = c.child("range")) {
      const auto v = numbers(doc_, r);
      if (v.size() != 2) fail(r, "two numbers (min, max)", std::to_string(v.size()));
      co.range[0] = v[0];
      co.range[1] = v[1];
    }
    co.locked = flag(doc_, c, "locked", false);
    co.prescribed = flag(doc_, c, "prescribed", false);
    const std::string motion = text(c.child("motion_type"));
    if (motion == "translational") co.rotational = false;
    if (coordinates_.count(co.name)) fail(c, "a unique coordinate name", "'" + co.name + "'");
    coordinates_[co.name] = co;
    coordinate_order_.push_back(co.name);
    joint.coordinates.push_back(co.name);
  }
}

void Importer::standard_axes(Joint& joint) {
  // Joint types with fixed axes, as lists of transform axes (rotations body-fixed, in order).
  auto add = [&](const char* name, bool rotation, const Vec3& axis, std::size_t coordinate) {
    TransformAxis a;
    a.name = name;
    a.rotation = rotation;
    a.axis = axis;
    a.node = joint.node;
    if (coordinate < joint.coordinates.size()) {
      a.coordinates = {joint.coordinates[coordinate]};
      a.function.type = "LinearFunction";
      a.function.slope = 1.0;
    }
    joint.axes.push_back(a);
  };
  const std::string& t = joint.type;
  if (t == "PinJoint") {
    add("rotation_z", true, Vec3::UnitZ(), 0);
  } else if (t == "UniversalJoint") {
    add("rotation_x", true, Vec3::UnitX(), 0);
    add("rotation_y", true, Vec3::UnitY(), 1);
  } else if (t == "GimbalJoint" || t == "FreeJoint") {
    add("rotation_x", true, Vec3::UnitX(), 0);
    add("rotation_y", true, Vec3::UnitY(), 1);
    add("rotation_z", true, Vec3::UnitZ(), 2);
    if (t == "FreeJoint") {
      add("translation_x", false, Vec3::UnitX(), 3);
      add("translation_y", false, Vec3::UnitY(), 4);
      add("translation_z", false, Vec3::UnitZ(), 5);
    }
  } else if (t == "SliderJoint") {
    add("translation_x", false, Vec3::UnitX(), 0);
  } else if (t == "PlanarJoint") {
    add("rotation_z", true, Vec3::UnitZ(), 0);
    add("translation_x", false, Vec3::UnitX(), 1);
    add("translation_y", false, Vec3::UnitY(), 2);
  }
}

void read_spatial_transform(const Doc& doc, pugi::xml_node st, Joint& joint) {
  for (pugi::xml_node a : st.children("TransformAxis")) {
    TransformAxis ax;
    ax.name = name_of(a);
    ax.node = a;
    ax.rotation = ax.name.rfind("rotation", 0) == 0;
    if (!ax.rotation && ax.name.rfind("translation", 0) != 0)
      doc.fail(a, "a TransformAxis named rotation1..3 or translation1..3", "'" + ax.name + "'");
    const Vec3 axis = vec3(doc, a, "axis", Vec3::UnitZ());
    if (axis.norm() < 1e-12) doc.fail(a.child("axis"), "a non-zero axis", "zero");
    ax.axis = axis.normalized();
    ax.coordinates = words(text(a.child("coordinates")));
    ax.function = read_function(doc, function_element(a));
    joint.axes.push_back(ax);
  }
  // OpenSim applies the three rotations first (body-fixed), then the translations in the parent
  // frame; keep rotations before translations whatever the file order.
  std::stable_partition(joint.axes.begin(), joint.axes.end(),
                        [](const TransformAxis& a) { return a.rotation; });
}

void Importer::read_joints_4x() {
  for (pugi::xml_node n : model_.child("JointSet").child("objects").children()) {
    if (n.type() != pugi::node_element) continue;
    Joint j;
    j.name = name_of(n);
    j.type = n.name();
    j.node = n;
    j.parent =
        resolve_frame_4x(text(n.child("socket_parent_frame")), n, n.child("socket_parent_frame"));
    j.child =
        resolve_frame_4x(text(n.child("socket_child_frame")), n, n.child("socket_child_frame"));
    read_coordinates(n.child("coordinates"), j);
    if (j.type == "CustomJoint")
      read_spatial_transform(doc_, n.child("SpatialTransform"), j);
    else if (j.type != "WeldJoint")
      standard_axes(j);
    if (j.type != "WeldJoint" && j.type != "CustomJoint" && j.axes.empty()) {
      warn("joint '" + j.name + "' of type " + j.type +
           " is not supported: welded at its default pose (its coordinates are not imported)");
      for (const std::string& c : j.coordinates)
        coordinates_[c].locked = true;
    }
    if (j.child.body == "ground")
      fail(n, "a joint whose child frame is on a body (not ground)", "'" + j.name + "'");
    if (joint_of_child_.count(j.child.body))
      fail(n, "one joint per child body (no closed loops)",
           "a second joint of '" + j.child.body + "'");
    joint_of_child_[j.child.body] = j;
  }
}

// ---- reading: legacy 2.x / 3.x --------------------------------------------------------------

void Importer::read_legacy_bodies() {
  for (pugi::xml_node n : model_.child("BodySet").child("objects").children("Body")) {
    const std::string name = name_of(n);
    if (name == "ground") continue;
    Body b;
    b.name = name;
    b.node = n;
    b.mass = number(doc_, n, "mass", 0.0);
    b.com = vec3(doc_, n, "mass_center", Vec3::Zero());
    const char* keys[6] = {"inertia_xx", "inertia_yy", "inertia_zz",
                           "inertia_xy", "inertia_xz", "inertia_yz"};
    for (int k = 0; k < 6; ++k)
      b.inertia[k] = number(doc_, n, keys[k], 0.0);
    if (b.mass < 0.0) fail(n.child("mass"), "a mass >= 0", std::to_string(b.mass));
    bodies_.push_back(b);
    // The joint to the parent lives inside the body.
    pugi::xml_node holder = n.child("Joint");
    if (!holder) holder = n.child("joint");
    pugi::xml_node jn;
    for (pugi::xml_node c : holder.children())
      if (c.type() == pugi::node_element) jn = c;
    if (!jn) fail(n, "a joint to the parent body", "none");
    Joint j;
    j.name = name_of(jn);
    j.type = jn.name();
    j.node = jn;
    j.parent.body = text(jn.child("parent_body"));
    if (j.parent.body.empty()) fail(jn, "a parent_body", "none");
    j.parent.origin = vec3(doc_, jn, "location_in_parent", Vec3::Zero());
    j.parent.rotation = rotation_xyz(vec3(doc_, jn, "orientation_in_parent", Vec3::Zero()));
    j.child.body = name;
    j.child.origin = vec3(doc_, jn, "location", Vec3::Zero());
    j.child.rotation = rotation_xyz(vec3(doc_, jn, "orientation", Vec3::Zero()));
    if (flag(doc_, jn, "reverse", false))
      fail(jn.child("reverse"), "reverse false (reversed joints are not supported)", "true");
    read_coordinates(jn.child("CoordinateSet").child("objects"), j);
    if (j.type == "CustomJoint")
      read_spatial_transform(doc_, jn.child("SpatialTransform"), j);
    else if (j.type != "WeldJoint")
      standard_axes(j);
    if (j.type != "WeldJoint" && j.type != "CustomJoint" && j.axes.empty()) {
      warn("joint '" + j.name + "' of type " + j.type +
           " is not supported: welded at its default pose (its coordinates are not imported)");
      for (const std::string& c : j.coordinates)
        coordinates_[c].locked = true;
    }
    joint_of_child_[name] = j;
  }
}

// ---- constraints and other sets --------------------------------------------------------------

void Importer::read_constraints() {
  for (pugi::xml_node n : model_.child("ConstraintSet").child("objects").children()) {
    if (n.type() != pugi::node_element) continue;
    const std::string type = n.name(), name = name_of(n);
    const bool enabled = !flag(doc_, n, "isDisabled", false) && flag(doc_, n, "isEnforced", true);
    if (!enabled) {
      warn("constraint '" + name + "' (" + type + ") is disabled in the model: not imported");
      continue;
    }
    if (type != "CoordinateCouplerConstraint") {
      warn("constraint '" + name + "' of type " + type + " is not supported: not imported");
      continue;
    }
    const Function f =
        read_function(doc_, function_element(n.child("coupled_coordinates_function")));
    const auto independent = words(text(n.child("independent_coordinate_names")));
    const std::string dependent = text(n.child("dependent_coordinate_name"));
    const double scale = number(doc_, n, "scale_factor", 1.0);
    if (!coordinates_.count(dependent) || independent.size() != 1 ||
        !coordinates_.count(independent[0]))
      fail(n, "dependent and one independent coordinate of the model",
           "'" + dependent + "' and " + std::to_string(independent.size()) + " independent");
    if (!f.is_linear() || f.type == "Constant") {
      warn("coordinate coupler '" + name + "' (" + f.type + " of '" + independent[0] +
           "') is not a linear function of one coordinate: not imported, '" + dependent +
           "' stays an independent coordinate");
      continue;
    }
    // q_dependent = scale (slope q_independent + intercept).
    couplers_.push_back({dependent, independent[0], scale * f.slope, scale * f.intercept});
  }
}

void Importer::note_other_sets() {
  auto count = [](pugi::xml_node set) {
    int n = 0;
    for (pugi::xml_node c : set.child("objects").children())
      n += c.type() == pugi::node_element ? 1 : 0;
    return n;
  };
  const std::pair<const char*, const char*> sets[] = {{"MarkerSet", "markers"},
                                                      {"ControllerSet", "controllers"},
                                                      {"ContactGeometrySet", "contact geometry"},
                                                      {"ProbeSet", "probes"},
                                                      {"ComponentSet", "components"}};
  for (const auto& [set, what] : sets) {
    const int n = count(model_.child(set));
    if (n > 0) warn(std::to_string(n) + " " + what + " (" + set + ") not imported");
  }
}

// ---- coordinates after couplers and locks ----------------------------------------------------

void Importer::map_coordinates() {
  for (const std::string& name : coordinate_order_) {
    CoordinateMap m;
    m.independent = name;
    map_[name] = m;
  }
  for (const Coupler& c : couplers_) {
    CoordinateMap& m = map_[c.dependent];
    m.independent = c.independent;
    m.ratio = c.ratio;
    m.offset = c.offset;
  }
  // Resolve chains of couplers (a dependent of a dependent), refusing cycles.
  for (const std::string& name : coordinate_order_) {
    CoordinateMap& m = map_[name];
    for (int k = 0; k < 32 && map_[m.independent].independent != m.independent; ++k) {
      const CoordinateMap next = map_[m.independent];
      m.offset = m.ratio * next.offset + m.offset;
      m.ratio *= next.ratio;
      m.independent = next.independent;
    }
    if (map_[m.independent].independent != m.independent)
      fail(coordinates_[name].node, "coordinate couplers without cycles", "a cycle");
  }
  // Locked (and unsupported) coordinates are fixed at their default.
  for (const std::string& name : coordinate_order_) {
    CoordinateMap& m = map_[name];
    const Coordinate& ind = coordinates_[m.independent];
    if (coordinates_[name].locked || ind.locked) {
      const double v = coordinates_[name].locked ? coordinates_[name].default_value
                                                 : m.ratio * ind.default_value + m.offset;
      m.fixed = true;
      m.value = v;
      if (coordinates_[name].locked && coordinates_[name].rotational)
        warn("coordinate '" + name + "' is locked: welded at its default value " +
             std::to_string(v) + " rad");
    }
    if (coordinates_[name].prescribed)
      warn("coordinate '" + name + "' is prescribed in OpenSim: imported as a free coordinate");
  }
}

double Importer::coordinate_value_at_default(const std::string& coordinate) const {
  const auto it = map_.find(coordinate);
  if (it == map_.end()) return 0.0;
  const CoordinateMap& m = it->second;
  if (m.fixed) return m.value;
  return m.ratio * coordinates_.at(m.independent).default_value + m.offset;
}

// ---- bodies and joints -----------------------------------------------------------------------

std::string Importer::body_frame_name(const std::string& body) const {
  return ground_pose_.count(body) || body == "ground" ? "ground" : identifier(body);
}

void Importer::convert_bodies() {
  // Parents before children: repeat over the bodies until every joint's parent is placed.
  std::set<std::string> placed = {"ground"};
  std::vector<const Body*> order;
  for (std::size_t pass = 0; pass <= bodies_.size() && order.size() < bodies_.size(); ++pass)
    for (const Body& b : bodies_) {
      if (placed.count(b.name)) continue;
      const auto j = joint_of_child_.find(b.name);
      if (j == joint_of_child_.end())
        fail(b.node, "a joint connecting the body to the model", "none");
      if (!placed.count(j->second.parent.body)) continue;
      placed.insert(b.name);
      order.push_back(&b);
    }
  for (const Body& b : bodies_)
    if (!placed.count(b.name))
      fail(b.node, "a body connected to ground through its parents",
           "parent '" + joint_of_child_[b.name].parent.body + "'");
  for (const Body* b : order)
    convert_joint(joint_of_child_.at(b->name), *b);
}

void Importer::convert_joint(const Joint& joint, const Body& body) {
  // One revolute joint per rotation driven by a free coordinate; constant rotations and
  // translations fold into the location and orientation of the next joint (or of the weld).
  // Rotations are body-fixed and in order (X_FM = R1 R2 R3, translations in the parent frame).
  struct Revolute {
    std::string name, coordinate, axis_name;
    Vec3 axis;    // in the frame F after the preceding rotations
    Mat3 before;  // constant rotation between the previous revolute and this one
    double ratio, offset;
  };
  std::vector<Revolute> revolutes;
  Mat3 pending = Mat3::Identity();
  Vec3 translation = Vec3::Zero();
  for (const TransformAxis& a : joint.axes) {
    const std::string coordinate = a.coordinates.empty() ? "" : a.coordinates[0];
    if (a.coordinates.size() > 1)
      warn("joint '" + joint.name + "' axis " + a.name +
           " depends on several coordinates: " + "only '" + coordinate + "' is used");
    if (!coordinate.empty() && !coordinates_.count(coordinate))
      fail(a.node, "a coordinate of the joint", "'" + coordinate + "'");
    if (!a.function.supported)
      warn("joint '" + joint.name + "' axis " + a.name + ": function " + a.function.type +
           " is not supported, taken as 0");
    const bool driven = !coordinate.empty() && !map_.at(coordinate).fixed;
    if (!a.rotation) {
      // Translations: constant, or fixed at their value at the default posture.
      const double value =
          a.function.value(coordinate.empty() ? 0.0 : coordinate_value_at_default(coordinate));
      if (driven)
        warn("joint '" + joint.name + "' " + a.name + " follows coordinate '" + coordinate +
             "': msk has no translational coordinates, fixed at its default value " +
             std::to_string(value) + " m");
      translation += value * a.axis;
      continue;
    }
    if (!driven) {
      const double angle = a.function.value(coordinate.empty() ? 0.0 : map_.at(coordinate).value);
      pending = pending * Eigen::AngleAxisd(angle, a.axis).toRotationMatrix();
      continue;
    }
    // angle = f(q_c), q_c = k q_ind + c0. A non-linear f is replaced by its least-squares line over
    // the independent coordinate's range, with the largest deviation reported.
    const CoordinateMap& m = map_.at(coordinate);
    const Coordinate& ind = coordinates_.at(m.independent);
    double slope = 0.0, intercept = 0.0;
    if (a.function.is_linear()) {
      const auto [s, b] = a.function.line_coefficients();
      slope = s * m.ratio;
      intercept = s * m.offset + b;
    } else {
      const double lo = std::max(ind.range[0], -M_PI), hi = std::min(ind.range[1], M_PI);
      const int n = 101;
      double sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (int k = 0; k < n; ++k) {
        const double x = lo + (hi - lo) * k / (n - 1);
        const double y = a.function.value(m.ratio * x + m.offset);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
      }
      const double det = n * sxx - sx * sx;
      slope = det > 0 ? (n * sxy - sx * sy) / det : 0.0;
      intercept = (sy - slope * sx) / n;
      double worst = 0.0;
      for (int k = 0; k < n; ++k) {
        const double x = lo + (hi - lo) * k / (n - 1);
        worst = std::max(
            worst, std::abs(a.function.value(m.ratio * x + m.offset) - (slope * x + intercept)));
      }
      warn("joint '" + joint.name + "' " + a.name + ": " + a.function.type + " of '" + coordinate +
           "' replaced by its least-squares line over the coordinate's range (largest deviation " +
           std::to_string(worst * 180.0 / M_PI) + " deg)");
    }
    if (slope == 0.0) {
      pending = pending * Eigen::AngleAxisd(intercept, a.axis).toRotationMatrix();
      continue;
    }
    revolutes.push_back({coordinate, m.independent, a.name, a.axis, pending, slope, intercept});
    pending = Mat3::Identity();
  }

  // Parent: ground (with the pose of a ground-fixed body) or a moving body.
  const auto parent_pose = ground_pose_.find(joint.parent.body);
  const bool parent_on_ground = joint.parent.body == "ground" || parent_pose != ground_pose_.end();
  Mat3 parent_rotation = joint.parent.rotation;
  Vec3 parent_origin = joint.parent.origin + joint.parent.rotation * translation;
  if (parent_pose != ground_pose_.end()) {
    parent_origin = parent_pose->second.second + parent_pose->second.first * parent_origin;
    parent_rotation = parent_pose->second.first * parent_rotation;
  }
  const Mat3 child_rotation_inv = joint.child.rotation.transpose();

  if (revolutes.empty()) {
    // A weld. On ground: the body becomes part of ground.
    const Mat3 r = parent_rotation * pending * child_rotation_inv;
    if (parent_on_ground) {
      ground_pose_[body.name] = {r, parent_origin - r * joint.child.origin};
      return;
    }
    BodySpec b;
    b.name = identifier(body.name);
    b.parent = body_frame_name(joint.parent.body);
    b.joint.name = identifier(joint.name);
    b.joint.type = "weld";
    b.joint.location_in_parent = arr(parent_origin);
    b.joint.location_in_child = arr(joint.child.origin);
    b.joint.orientation = xyz_angles(r);
    b.mass = body.mass;
    b.com = arr(body.com);
    b.inertia = body.inertia;
    b.loc = {doc_.file(), doc_.line(body.node)};
    if (!joint_names_.insert(b.joint.name).second) b.joint.name = b.name + "_weld";
    joint_names_.insert(b.joint.name);
    msk_bodies_.insert(b.name);
    spec_.bodies.push_back(b);
    return;
  }

  // A chain of revolute joints: massless intermediate bodies, then the body itself.
  std::string parent = body_frame_name(joint.parent.body);
  for (std::size_t k = 0; k < revolutes.size(); ++k) {
    const Revolute& r = revolutes[k];
    const bool last = k + 1 == revolutes.size();
    BodySpec b;
    b.loc = {doc_.file(), doc_.line(joint.node)};
    b.name = last ? identifier(body.name) : identifier(body.name + "_" + r.axis_name);
    if (!last && msk_bodies_.count(b.name))
      b.name = identifier(body.name + "_" + joint.name + r.axis_name);
    b.parent = parent;
    JointSpec& j = b.joint;
    j.type = "revolute";
    // Axis and orientation: R_child = R_parent C Rot(a, angle) ... = R_parent Rot(C a, angle) C ...
    const Mat3 before = k == 0 ? Mat3(parent_rotation * r.before) : r.before;
    j.axis = arr(before * r.axis);
    const Mat3 after = last ? Mat3(before * pending * child_rotation_inv) : before;
    j.orientation = xyz_angles(after);
    j.location_in_parent = arr(k == 0 ? parent_origin : Vec3::Zero());
    j.location_in_child = arr(last ? joint.child.origin : Vec3::Zero());
    j.ratio = r.ratio;
    j.offset = r.offset;
    // The first joint that uses a coordinate defines it (named after it); others follow it.
    const std::string coordinate = identifier(r.coordinate);
    if (defined_coordinates_.insert(coordinate).second) {
      j.name = coordinate;
      const Coordinate& c = coordinates_.at(r.coordinate);
      double lo = c.range[0], hi = c.range[1];
      if (lo < -2.0 * M_PI || hi > 2.0 * M_PI) {
        warn("coordinate '" + r.coordinate + "' range [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "] clamped to [-2 pi, 2 pi] rad");
        lo = std::max(lo, -2.0 * M_PI);
        hi = std::min(hi, 2.0 * M_PI);
      }
      if (!(lo < hi)) fail(c.node, "a coordinate range with min < max", "empty");
      if (!c.rotational) fail(c.node, "a rotational coordinate for a rotation", "translational");
      j.range = {lo, hi};
      j.default_value = std::clamp(c.default_value, -2.0 * M_PI, 2.0 * M_PI);
      j.damping = 0.0;
      j.limit_stiffness = 0.0;  // OpenSim applies no range moment without a CoordinateLimitForce
    } else {
      j.coordinate = coordinate;
      const std::string own = identifier(r.name);
      j.name = (own != coordinate && !joint_names_.count(own) && !defined_coordinates_.count(own))
                   ? own
                   : identifier(body.name + "_" + r.axis_name);
    }
    joint_names_.insert(j.name);
    if (last) {
      b.mass = body.mass;
      b.com = arr(body.com);
      b.inertia = body.inertia;
    }
    msk_bodies_.insert(b.name);
    spec_.bodies.push_back(b);
    parent = b.name;
  }
}

// ---- wrap objects ----------------------------------------------------------------------------

void Importer::read_wrap_set(pugi::xml_node set, const std::string& body) {
  for (pugi::xml_node w : set.child("objects").children()) {
    if (w.type() != pugi::node_element) continue;
    const std::string type = w.name(), name = name_of(w);
    if (!flag(doc_, w, "active", true)) {
      warn("wrap object '" + name + "' is inactive in the model: not imported");
      continue;
    }
    if (type != "WrapCylinder" && type != "WrapSphere" && type != "WrapEllipsoid") {
      warn("wrap object '" + name + "' of type " + type + " is not supported: not imported " +
           "(paths that use it stay straight there)");
      continue;
    }
    WrapSurfaceSpec s;
    s.loc = {doc_.file(), doc_.line(w)};
    s.name = identifier(name);
    if (wrap_names_.count(name) ||
        std::any_of(spec_.wrap_surfaces.begin(), spec_.wrap_surfaces.end(),
                    [&](const WrapSurfaceSpec& o) { return o.name == s.name; }))
      s.name = identifier(body + "_" + name);
    wrap_names_[name] = s.name;
    Vec3 centre = vec3(doc_, w, "translation", Vec3::Zero());
    Mat3 rotation = rotation_xyz(vec3(doc_, w, "xyz_body_rotation", Vec3::Zero()));
    const auto pose = ground_pose_.find(body);
    if (pose != ground_pose_.end()) {
      centre = pose->second.second + pose->second.first * centre;
      rotation = pose->second.first * rotation;
    }
    s.body = body_frame_name(body);
    s.centre = arr(centre);
    s.xyz_body_rotation = xyz_angles(rotation);
    // Quadrant: "all", "x", "+x", "-x", ...
    std::string q = text(w.child("quadrant"));
    std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return std::tolower(c); });
    if (q.empty() || q == "all") {
      s.side = "all";
    } else if ((q.size() == 1 && q[0] >= 'x' && q[0] <= 'z') ||
               (q.size() == 2 && (q[0] == '+' || q[0] == '-') && q[1] >= 'x' && q[1] <= 'z')) {
      s.side = q.size() == 1 ? "+" + q : q;
    } else {
      fail(w.child("quadrant"), "all, x, +x, -x, y, +y, -y, z, +z or -z", "'" + q + "'");
    }
    if (type == "WrapCylinder") {
      s.type = "cylinder";
      s.radius = number(doc_, w, "radius", 0.0);
      s.length = number(doc_, w, "length", 0.0);
      if (s.side[1] == 'z') {
        warn("wrap cylinder '" + name + "': quadrant " + q + " along the axis means all sides");
        s.side = "all";
      }
    } else if (type == "WrapSphere") {
      s.type = "sphere";
      s.radius = number(doc_, w, "radius", 0.0);
    } else {
      // An ellipsoid becomes the sphere of its semi-axis along the constrained side (the surface
      // point the path presses on), or of the geometric mean of its semi-axes.
      const Vec3 d = vec3(doc_, w, "dimensions", Vec3::Zero());
      s.type = "sphere";
      s.radius = s.side == "all" ? std::cbrt(d[0] * d[1] * d[2]) : d[s.side[1] - 'x'];
      std::ostringstream m;
      m << "wrap ellipsoid '" << name << "' (semi-axes " << d[0] << ", " << d[1] << ", " << d[2]
        << " m) approximated by a sphere of radius " << s.radius << " m";
      warn(m.str());
    }
    if (!(s.radius > 0.0)) fail(w, "a positive radius", std::to_string(s.radius));
    spec_.wrap_surfaces.push_back(s);
  }
}

void Importer::convert_wrap_objects() {
  if (legacy_) {
    for (pugi::xml_node n : model_.child("BodySet").child("objects").children("Body"))
      read_wrap_set(n.child("WrapObjectSet"), name_of(n));
  } else {
    read_wrap_set(model_.child("Ground").child("WrapObjectSet"), "ground");
    for (pugi::xml_node n : model_.child("BodySet").child("objects").children("Body"))
      read_wrap_set(n.child("WrapObjectSet"), name_of(n));
  }
}

// ---- muscles ---------------------------------------------------------------------------------

/// The msk body of a frame reference of a path point; location is moved into that body's frame.
std::string Importer::frame_body_path(const std::string& ref, pugi::xml_node at, Vec3& location) {
  const Frame f = resolve_frame_4x(ref, {}, at);
  location = f.origin + f.rotation * location;
  if (f.body == "ground") return "ground";
  const auto pose = ground_pose_.find(f.body);
  if (pose != ground_pose_.end()) {
    location = pose->second.second + pose->second.first * location;
    return "ground";
  }
  return identifier(f.body);
}

std::string Importer::point_body(pugi::xml_node point, Vec3& location) {
  if (legacy_) {
    const std::string body = text(point.child("body"));
    if (body.empty()) fail(point, "a body", "none");
    if (body == "ground") return "ground";
    const auto pose = ground_pose_.find(body);
    if (pose != ground_pose_.end()) {
      location = pose->second.second + pose->second.first * location;
      return "ground";
    }
    if (!msk_bodies_.count(identifier(body)))
      fail(point.child("body"), "a body of the model", body);
    return identifier(body);
  }
  return frame_body_path(text(point.child("socket_parent_frame")),
                         point.child("socket_parent_frame"), location);
}

void Importer::convert_muscle(pugi::xml_node n) {
  const std::string type = n.name(), name = name_of(n);
  MuscleSpec m;
  m.loc = {doc_.file(), doc_.line(n)};
  m.name = identifier(name);
  if (m.name != name) warn("muscle '" + name + "' renamed '" + m.name + "' (msk names)");
  if (!muscle_names_.insert(m.name).second) fail(n, "a unique muscle name", "'" + name + "'");
  auto positive = [&](const char* key, const char* legacy_key, double fallback) {
    pugi::xml_node e = n.child(key);
    if (!e && legacy_key) e = n.child(legacy_key);
    const double v = e ? number(doc_, n, e.name(), fallback) : fallback;
    if (!(v > 0.0)) fail(e ? e : n, std::string("a positive ") + key, std::to_string(v));
    return v;
  };
  m.max_isometric_force = positive("max_isometric_force", nullptr, 1000.0);
  m.optimal_fibre_length = positive("optimal_fiber_length", nullptr, 0.1);
  m.tendon_slack_length = positive("tendon_slack_length", nullptr, 0.2);
  m.pennation_at_optimal = n.child("pennation_angle_at_optimal")
                               ? number(doc_, n, "pennation_angle_at_optimal", 0.0)
                               : number(doc_, n, "pennation_angle", 0.0);
  m.max_contraction_velocity = n.child("max_contraction_velocity")
                                   ? positive("max_contraction_velocity", nullptr, 10.0)
                                   : positive("Vmax", nullptr, 10.0);
  const bool rigid = flag(doc_, n, "ignore_tendon_compliance", false);
  law_spec_of(m.laws, "tendon").law = rigid ? "rigid_tendon" : "compliant_tendon";
  // Imported muscles: no reflex, no viscoelastic branch, no thixotropy (OpenSim has none); a
  // tone override turns the reflex on.
  for (const char* role : {"reflex", "viscoelasticity", "thixotropy", "tendon_creep",
                           "passive_creep", "stretch_depression", "tolerance", "habituation"})
    law_spec_of(m.laws, role).law = "none";
  LawSpec& activation = law_spec_of(m.laws, "activation");
  if (type == "Thelen2003Muscle") {
    m.curves = "thelen2003";
    activation.values["activation_time_constant"] =
        number(doc_, n, "activation_time_constant", 0.015);
    activation.values["deactivation_time_constant"] =
        number(doc_, n, "deactivation_time_constant", 0.05);
    m.thelen_fmax_tendon_strain = number(doc_, n, "FmaxTendonStrain", 0.04);
    m.thelen_fmax_muscle_strain = number(doc_, n, "FmaxMuscleStrain", 0.6);
    m.thelen_kshape_active = number(doc_, n, "KshapeActive", 0.45);
    m.thelen_kshape_passive = number(doc_, n, "KshapePassive", 5.0);
    m.thelen_af = number(doc_, n, "Af", 0.25);
    m.thelen_flen = number(doc_, n, "Flen", 1.4);
    // OpenSim 4 floors Thelen activation at minimum_activation (default 0.01); OpenSim 3 did not.
    activation.values["minimum_activation"] =
        legacy_ ? 0.0 : number(doc_, n, "minimum_activation", 0.01);
    m.fibre_damping = kImportedFibreDamping;
  } else if (type == "Millard2012EquilibriumMuscle") {
    m.curves = "degroote2016";
    m.fibre_damping = number(doc_, n, "fiber_damping", 0.1);
    if (!(m.fibre_damping > 0.0)) m.fibre_damping = kImportedFibreDamping;
    pugi::xml_node act = n.child("MuscleFirstOrderActivationDynamicModel");
    activation.values["activation_time_constant"] =
        number(doc_, act ? act : n, act ? "tau_activation" : "activation_time_constant", 0.01);
    activation.values["deactivation_time_constant"] =
        number(doc_, act ? act : n, act ? "tau_deactivation" : "deactivation_time_constant", 0.04);
    warn("muscle '" + name + "' (Millard2012EquilibriumMuscle): its Bezier curves are " +
         "approximated by the De Groote 2016 curves");
  } else {  // DeGrooteFregly2016Muscle
    m.curves = "degroote2016";
    activation.values["activation_time_constant"] =
        number(doc_, n, "activation_time_constant", 0.015);
    activation.values["deactivation_time_constant"] =
        number(doc_, n, "deactivation_time_constant", 0.06);
    m.fibre_damping = number(doc_, n, "fiber_damping", 0.0);
    if (!(m.fibre_damping > 0.0)) m.fibre_damping = kImportedFibreDamping;
    const std::pair<const char*, double> defaults[] = {
        {"tendon_strain_at_one_norm_force", 0.049},
        {"passive_fiber_strain_at_one_norm_force", 0.6},
        {"active_force_width_scale", 1.0}};
    for (const auto& [key, value] : defaults)
      if (std::abs(number(doc_, n, key, value) - value) > 1e-12)
        warn("muscle '" + name + "': " + key + " = " + std::to_string(number(doc_, n, key, value)) +
             " is not modelled (msk uses the published De Groote 2016 curves, " + key + " = " +
             std::to_string(value) + ")");
    if (flag(doc_, n, "ignore_passive_fiber_force", false))
      warn("muscle '" + name +
           "': ignore_passive_fiber_force is not modelled (passive force kept)");
  }
  if (m.pennation_at_optimal < 0.0 || m.pennation_at_optimal > 1.2)
    fail(n, "a pennation angle at optimal fibre length in [0, 1.2] rad",
         std::to_string(m.pennation_at_optimal));

  // Path points. Points that can never be active are left out; indices are remapped for wraps.
  pugi::xml_node path = n.child("GeometryPath");
  if (!path) fail(n, "a GeometryPath", "none");
  std::vector<int> index_of;  // OpenSim point index -> msk path index (-1: left out)
  for (pugi::xml_node p : path.child("PathPointSet").child("objects").children()) {
    if (p.type() != pugi::node_element) continue;
    const std::string ptype = p.name(), pname = name_of(p);
    PathPointSpec pp;
    Vec3 location = vec3(doc_, p, "location", Vec3::Zero());
    if (ptype == "MovingPathPoint") {
      // Fixed at its place at the default posture.
      const char* axes[3] = {"x_location", "y_location", "z_location"};
      const char* legacy_axes[3] = {"XAttachment", "YAttachment", "ZAttachment"};
      const char* sockets[3][3] = {{"socket_x_coordinate", "x_coordinate", "XCoordinate"},
                                   {"socket_y_coordinate", "y_coordinate", "YCoordinate"},
                                   {"socket_z_coordinate", "z_coordinate", "ZCoordinate"}};
      for (int k = 0; k < 3; ++k) {
        pugi::xml_node e = p.child(axes[k]);
        if (!e) e = p.child(legacy_axes[k]);
        if (!e) continue;
        const Function f = read_function(doc_, function_element(e));
        std::string c;
        for (const char* key : sockets[k])
          if (c.empty()) c = text(p.child(key));
        c = c.substr(c.find_last_of('/') + 1);
        location[k] = f.value(coordinate_value_at_default(c));
      }
      warn("moving path point '" + pname + "' of muscle '" + name +
           "' fixed at its place at the default posture");
    } else if (ptype == "ConditionalPathPoint" || ptype == "MuscleViaPoint") {
      std::string c = legacy_ ? text(p.child("coordinate")) : text(p.child("socket_coordinate"));
      c = c.substr(c.find_last_of('/') + 1);
      if (!coordinates_.count(c))
        fail(p, "a condition on a coordinate of the model", "'" + c + "'");
      const auto r = numbers(doc_, p.child("range"));
      if (r.size() != 2) fail(p.child("range"), "two numbers (min, max)", std::to_string(r.size()));
      const CoordinateMap& cm = map_.at(c);
      if (cm.fixed) {
        if (cm.value < r[0] || cm.value > r[1]) {
          index_of.push_back(-1);
          continue;  // never active
        }
      } else {
        // q_c = k q_ind + c0 in [r0, r1]  <=>  q_ind in [(r0 - c0)/k, (r1 - c0)/k] (sorted).
        double lo = (r[0] - cm.offset) / cm.ratio, hi = (r[1] - cm.offset) / cm.ratio;
        if (lo > hi) std::swap(lo, hi);
        pp.active_coordinate = identifier(cm.independent);
        pp.active_range = {lo, hi};
      }
    } else if (ptype != "PathPoint") {
      warn("path point '" + pname + "' of muscle '" + name + "' has type " + ptype +
           ", imported as a fixed path point");
    }
    pp.body = point_body(p, location);
    pp.point = arr(location);
    index_of.push_back(static_cast<int>(m.path.size()));
    m.path.push_back(pp);
  }
  if (m.path.size() < 2) fail(path, "a path of at least two points", std::to_string(m.path.size()));

  // Wraps: OpenSim's range is 1-based, -1 meaning the first or last point.
  for (pugi::xml_node w : path.child("PathWrapSet").child("objects").children("PathWrap")) {
    const std::string object = text(w.child("wrap_object"));
    const auto found = wrap_names_.find(object);
    if (found == wrap_names_.end()) {
      warn("muscle '" + name + "' wraps over '" + object +
           "', which is not imported: that part of the path stays straight");
      continue;
    }
    const std::string method = text(w.child("method"));
    if (!method.empty() && method != "hybrid" && method != "midpoint" && method != "axial")
      fail(w.child("method"), "hybrid, midpoint or axial", "'" + method + "'");
    const auto range =
        w.child("range") ? numbers(doc_, w.child("range")) : std::vector<double>{-1, -1};
    if (range.size() != 2) fail(w.child("range"), "two numbers", std::to_string(range.size()));
    const int n_osim = static_cast<int>(index_of.size());
    int from = range[0] < 1 ? 0 : static_cast<int>(range[0]) - 1;
    int to = range[1] < 1 ? n_osim - 1 : static_cast<int>(range[1]) - 1;
    from = std::clamp(from, 0, n_osim - 1);
    to = std::clamp(to, 0, n_osim - 1);
    // The msk range covers the points kept within the OpenSim range.
    int msk_from = -1, msk_to = -1;
    for (int k = from; k <= to; ++k)
      if (index_of[k] >= 0) {
        if (msk_from < 0) msk_from = index_of[k];
        msk_to = index_of[k];
      }
    if (msk_from < 0 || msk_to <= msk_from) {
      warn("muscle '" + name + "': wrap over '" + object + "' has no segment left: not imported");
      continue;
    }
    m.wrap.push_back({found->second, msk_from, msk_to});
  }
  spec_.muscles.push_back(m);
}

void Importer::convert_forces() {
  for (pugi::xml_node n : model_.child("ForceSet").child("objects").children()) {
    if (n.type() != pugi::node_element) continue;
    const std::string type = n.name(), name = name_of(n);
    const bool enabled = flag(doc_, n, "appliesForce", true) && !flag(doc_, n, "isDisabled", false);
    const bool muscle = type == "Thelen2003Muscle" || type == "Millard2012EquilibriumMuscle" ||
                        type == "DeGrooteFregly2016Muscle";
    if (!muscle) {
      warn("force '" + name + "' of type " + type + " is not supported: not imported");
      continue;
    }
    if (!enabled) {
      warn("muscle '" + name + "' is disabled in the model: not imported");
      continue;
    }
    convert_muscle(n);
  }
}

ModelSpec Importer::run() {
  legacy_ = !model_.child("JointSet");
  spec_.name = identifier(name_of(model_).empty() ? "opensim_model" : name_of(model_));
  std::string credits = text(model_.child("credits"));
  std::string publications = text(model_.child("publications"));
  spec_.description = "Imported from the OpenSim model '" + name_of(model_) + "'.";
  if (!credits.empty() && credits != "Unassigned") spec_.description += " Credits: " + credits;
  if (!publications.empty() && publications != "Unassigned")
    spec_.description += " Publications: " + publications;
  spec_.gravity = arr(vec3(doc_, model_, "gravity", Vec3(0.0, -9.80665, 0.0)));
  const std::string length_units = text(model_.child("length_units"));
  if (!length_units.empty() && length_units != "meters" && length_units != "m")
    fail(model_.child("length_units"), "meters", "'" + length_units + "'");

  if (legacy_) {
    read_legacy_bodies();
  } else {
    read_bodies_4x();
    read_joints_4x();
  }
  read_constraints();
  map_coordinates();
  convert_bodies();
  if (spec_.bodies.empty())
    fail(model_, "a body that moves (a joint with a free rotational coordinate)", "none");
  convert_wrap_objects();
  convert_forces();
  note_other_sets();
  return spec_;
}

/// OpenSim lets any element take its content from another file (<ForceSet file="muscles.xml"/>).
/// msk reads no file that a model names, so such an element is refused rather than left empty
/// ("Unassigned" is OpenSim's word for none). Mesh files (<mesh_file>) are never opened either.
void refuse_file_references(const Doc& doc, pugi::xml_document& xml) {
  struct Walker : pugi::xml_tree_walker {
    pugi::xml_node found;
    bool for_each(pugi::xml_node& node) override {
      const std::string value = node.attribute("file").value();
      if (node.type() == pugi::node_element && !value.empty() && value != "Unassigned") {
        found = node;
        return false;
      }
      return true;
    }
  } walker;
  xml.traverse(walker);
  if (!walker.found) return;
  std::string shown = std::string(walker.found.attribute("file").value()).substr(0, 60);
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';  // the message stays one line
  doc.fail(walker.found, "the element's content in this file (msk reads no file a model names)",
           "file='" + shown + "'");
}

}  // namespace

bool is_opensim_file(const std::string& path) {
  if (path.size() < 5) return false;
  std::string ext = path.substr(path.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".osim";
}

ModelSpec import_opensim_text(const std::string& text, const std::string& file,
                              const LoadLimits& limits) {
  if (text.size() > limits.max_bytes)
    throw ModelError(file, 0, "<document>",
                     "at most " + std::to_string(limits.max_bytes) + " bytes",
                     std::to_string(text.size()) + " bytes");
  const Doc doc(file, text);
  pugi::xml_document xml;
  const pugi::xml_parse_result result = xml.load_buffer(text.data(), text.size());
  if (!result)
    throw ModelError(file, doc.line_of_offset(result.offset), "<document>", "well-formed XML",
                     result.description());
  pugi::xml_node model = xml.child("OpenSimDocument").child("Model");
  if (!model) model = xml.child("Model");
  if (!model)
    throw ModelError(file, 1, "<document>", "an OpenSim model (OpenSimDocument > Model)",
                     std::string("<") + xml.document_element().name() + ">");
  refuse_file_references(doc, xml);
  Importer importer(doc, model);
  ModelSpec spec = importer.run();
  spec.file = file;
  return spec;
}

ModelSpec import_opensim_model(const std::string& path, const LoadLimits& limits) {
  return import_opensim_text(detail::read_text_file(path, limits.max_bytes), path, limits);
}

}  // namespace msk
