// Equilibrium files (msk/io/equilibrium_file.hpp) and the tables of a solved posture
// (msk/sim/equilibrium_tables.hpp). A stored equilibrium crosses to Python as a dict of plain
// values and NumPy arrays (equilibrium_dict below documents its keys); msk.spine.files turns it
// into DataFrames.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/io/equilibrium_file.hpp"
#include "msk/sim/equilibrium_tables.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

using io::Column;
using io::Table;

// ---- C++ to Python ----

py::array_t<double> points_array(const std::vector<Eigen::Vector3d>& points) {
  py::array_t<double> a({static_cast<py::ssize_t>(points.size()), py::ssize_t{3}});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < points.size(); ++i)
    for (int k = 0; k < 3; ++k)
      v(static_cast<py::ssize_t>(i), k) = points[i][k];
  return a;
}

py::object column_values(const Column& c) {
  switch (c.type) {
    case Column::Type::Float:
      return py::array_t<double>(static_cast<py::ssize_t>(c.floats.size()), c.floats.data());
    case Column::Type::Integer:
      return py::array_t<std::int64_t>(static_cast<py::ssize_t>(c.integers.size()),
                                       c.integers.data());
    case Column::Type::Bool: {
      py::array_t<bool> a(static_cast<py::ssize_t>(c.integers.size()));
      for (std::size_t i = 0; i < c.integers.size(); ++i)
        a.mutable_at(static_cast<py::ssize_t>(i)) = c.integers[i] != 0;
      return std::move(a);
    }
    case Column::Type::String:
      return py::cast(c.strings);
  }
  return py::none();
}

py::dict table_dict(const Table& t) {
  py::dict d;
  d["index_name"] = t.index_name;
  d["index"] = t.index;
  py::list columns;
  for (const Column& c : t.columns)
    columns.append(py::make_tuple(c.name, c.units, column_values(c)));
  d["columns"] = columns;
  return d;
}

py::object optional_value(const std::optional<double>& x) {
  return x ? py::object(py::float_(*x)) : py::object(py::none());
}

py::dict posture_dict(const io::StoredPosture& p) {
  py::dict d;
  d["name"] = p.name;
  d["orientation"] = p.orientation;
  d["pelvic_tilt_deg"] = p.pelvic_tilt_deg;
  d["lumbar_flexion_deg"] = p.lumbar_flexion_deg;
  d["thoracic_flexion_deg"] = p.thoracic_flexion_deg;
  d["neck_flexion_deg"] = p.neck_flexion_deg;
  d["head_flexion_deg"] = p.head_flexion_deg;
  d["hip_flexion_deg"] = p.hip_flexion_deg;
  py::dict levels;
  for (const auto& [level, angle] : p.level_flexion_deg)
    levels[py::str(level)] = angle;
  d["level_flexion_deg"] = levels;
  d["load_kg"] = p.load_kg;
  d["hand_distance_m"] = optional_value(p.hand_distance_m);
  d["hand_height_m"] = p.hand_height_m;
  d["hydration"] = optional_value(p.hydration);
  d["supported"] = p.supported ? py::object(py::bool_(*p.supported)) : py::object(py::none());
  // msk.Posture's field order.
  d["support"] = p.support;
  d["thigh_flexion_deg"] = optional_value(p.thigh_flexion_deg);
  d["knee_flexion_deg"] = p.knee_flexion_deg;
  d["trunk_flexion_deg"] = optional_value(p.trunk_flexion_deg);
  d["gaze_flexion_deg"] = optional_value(p.gaze_flexion_deg);
  d["instructed"] = p.instructed;
  d["balance"] = p.balance;
  d["hold_duration_s"] = p.hold_duration_s;
  d["source"] = p.source;
  return d;
}

py::object attribute_value(const io::AttributeValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return py::str(*text);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return py::int_(*integer);
  return py::float_(std::get<double>(value));
}

// ---- Python to C++ ----

Column column_from(const py::handle& item) {
  const auto t = item.cast<py::tuple>();
  if (t.size() != 3)
    throw InvalidArgument("table column: expected (name, units, values), got " +
                          std::to_string(t.size()) + " items");
  Column c;
  c.name = t[0].cast<std::string>();
  c.units = t[1].cast<std::string>();
  const py::handle values = t[2];
  if (py::isinstance<py::array>(values)) {
    const auto a = py::reinterpret_borrow<py::array>(values);
    const char kind = a.dtype().kind();
    if (kind == 'b') {
      c.type = Column::Type::Bool;
      for (const auto& x : a.attr("tolist")())
        c.integers.push_back(x.cast<bool>() ? 1 : 0);
      return c;
    }
    if (kind == 'i' || kind == 'u') {
      c.type = Column::Type::Integer;
      c.integers = a.attr("tolist")().cast<std::vector<std::int64_t>>();
      return c;
    }
    if (kind == 'f') {
      c.type = Column::Type::Float;
      c.floats = a.attr("tolist")().cast<std::vector<double>>();
      return c;
    }
  }
  c.type = Column::Type::String;
  for (const auto& x : values)
    c.strings.push_back(py::str(x).cast<std::string>());
  return c;
}

Table table_from(const py::dict& d) {
  Table t;
  t.index_name = d["index_name"].cast<std::string>();
  for (const auto& x : d["index"])
    t.index.push_back(py::str(x).cast<std::string>());
  for (const auto& item : d["columns"])
    t.columns.push_back(column_from(item));
  return t;
}

std::optional<double> optional_from(const py::handle& x) {
  if (x.is_none()) return std::nullopt;
  return x.cast<double>();
}

io::StoredPosture posture_from(const py::dict& d) {
  io::StoredPosture p;
  p.name = d["name"].cast<std::string>();
  p.orientation = d["orientation"].cast<std::string>();
  p.pelvic_tilt_deg = d["pelvic_tilt_deg"].cast<double>();
  p.lumbar_flexion_deg = d["lumbar_flexion_deg"].cast<double>();
  p.thoracic_flexion_deg = d["thoracic_flexion_deg"].cast<double>();
  p.neck_flexion_deg = d["neck_flexion_deg"].cast<double>();
  p.head_flexion_deg = d["head_flexion_deg"].cast<double>();
  p.hip_flexion_deg = d["hip_flexion_deg"].cast<double>();
  for (const auto& kv : d["level_flexion_deg"].cast<py::dict>())
    p.level_flexion_deg.emplace_back(py::str(kv.first).cast<std::string>(),
                                     kv.second.cast<double>());
  p.load_kg = d["load_kg"].cast<double>();
  p.hand_distance_m = optional_from(d["hand_distance_m"]);
  p.hand_height_m = d["hand_height_m"].cast<double>();
  p.hydration = optional_from(d["hydration"]);
  if (!d["supported"].is_none()) p.supported = d["supported"].cast<bool>();
  p.source = d["source"].cast<std::string>();
  // The task fields (absent from the dicts of older callers: the defaults).
  if (d.contains("support")) p.support = d["support"].cast<std::string>();
  if (d.contains("thigh_flexion_deg")) p.thigh_flexion_deg = optional_from(d["thigh_flexion_deg"]);
  if (d.contains("knee_flexion_deg")) p.knee_flexion_deg = d["knee_flexion_deg"].cast<double>();
  if (d.contains("trunk_flexion_deg")) p.trunk_flexion_deg = optional_from(d["trunk_flexion_deg"]);
  if (d.contains("gaze_flexion_deg")) p.gaze_flexion_deg = optional_from(d["gaze_flexion_deg"]);
  if (d.contains("instructed")) p.instructed = d["instructed"].cast<bool>();
  if (d.contains("balance")) p.balance = d["balance"].cast<bool>();
  if (d.contains("hold_duration_s")) p.hold_duration_s = d["hold_duration_s"].cast<double>();
  return p;
}

std::vector<Eigen::Vector3d> points_from(const py::handle& x) {
  const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(x);
  if (!a || a.size() % 3 != 0) throw InvalidArgument("points: expected an array of shape (n, 3)");
  std::vector<Eigen::Vector3d> out(static_cast<std::size_t>(a.size() / 3));
  const double* data = a.data();
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = Eigen::Vector3d(data[3 * i], data[3 * i + 1], data[3 * i + 2]);
  return out;
}

std::vector<std::string> strings_from(const py::handle& x) {
  std::vector<std::string> out;
  for (const auto& item : x)
    out.push_back(py::str(item).cast<std::string>());
  return out;
}

io::StoredEquilibrium equilibrium_from(const py::dict& d) {
  io::StoredEquilibrium e;
  e.label = d["label"].cast<std::string>();
  e.mode = d["mode"].cast<std::string>();
  e.posture = posture_from(d["posture"].cast<py::dict>());
  if (d.contains("error") && !d["error"].is_none()) e.error = d["error"].cast<std::string>();
  if (e.failed()) return e;
  e.effort = d["effort"].cast<double>();
  e.stature_m = d["stature_m"].cast<double>();
  e.levels = table_from(d["levels"].cast<py::dict>());
  e.muscles = table_from(d["muscles"].cast<py::dict>());
  e.groups = table_from(d["groups"].cast<py::dict>());
  e.ligaments = table_from(d["ligaments"].cast<py::dict>());
  e.joint_names = strings_from(d["joint_names"]);
  e.joint_angle_deg = d["joint_angle_deg"].cast<std::vector<double>>();
  e.body_names = strings_from(d["body_names"]);
  e.segment_bodies = strings_from(d["segment_bodies"]);
  e.joint_origin = points_from(d["joint_origin"]);
  e.body_position = points_from(d["body_position"]);
  const auto rotation =
      py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["body_rotation"]);
  if (!rotation || rotation.size() % 9 != 0)
    throw InvalidArgument("body_rotation: expected an array of shape (n_bodies, 3, 3)");
  for (py::ssize_t b = 0; b < rotation.size() / 9; ++b) {
    Eigen::Matrix3d r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r(i, j) = rotation.data()[9 * b + 3 * i + j];
    e.body_rotation.push_back(r);
  }
  for (const auto& path : d["muscle_path"])
    e.muscle_path.push_back(points_from(path));
  e.load_body = strings_from(d["load_body"]);
  e.load_point = points_from(d["load_point"]);
  e.load_force = points_from(d["load_force"]);
  const std::vector<Eigen::Vector3d> gravity = points_from(d["gravity"]);
  if (gravity.size() != 1) throw InvalidArgument("gravity: expected 3 values");
  e.gravity = gravity.front();
  return e;
}

io::EquilibriumLabel label_from(const std::string& name, const std::string& model_name,
                                const std::string& model_text, const std::string& overrides) {
  io::EquilibriumLabel label;
  label.name = name;
  label.model_name = model_name;
  label.model_text = model_text;
  label.overrides_json = overrides;
  return label;
}

}  // namespace

py::dict table_as_dict(const io::Table& table) {
  return table_dict(table);
}

io::Attributes attributes_from(const py::dict& d) {
  io::Attributes out;
  for (const auto& kv : d) {
    const std::string name = py::str(kv.first).cast<std::string>();
    const py::handle value = kv.second;
    if (py::isinstance<py::str>(value)) {
      out.emplace_back(name, value.cast<std::string>());
    } else if (py::isinstance<py::bool_>(value) || py::isinstance<py::int_>(value)) {
      out.emplace_back(name, value.cast<std::int64_t>());
    } else if (py::isinstance<py::float_>(value)) {
      out.emplace_back(name, value.cast<double>());
    } else {
      throw InvalidArgument("meta." + name + ": expected a string or a number, got " +
                            py::repr(value).cast<std::string>());
    }
  }
  return out;
}

py::dict attributes_dict(const io::Attributes& attributes) {
  py::dict d;
  for (const auto& [name, value] : attributes)
    d[py::str(name)] = attribute_value(value);
  return d;
}

py::dict equilibrium_dict(const io::StoredEquilibrium& e) {
  py::dict d;
  d["label"] = e.label;
  d["mode"] = e.mode;
  d["posture"] = posture_dict(e.posture);
  d["error"] = e.failed() ? py::object(py::str(e.error)) : py::object(py::none());
  if (e.failed()) return d;
  d["effort"] = e.effort;
  d["stature_m"] = e.stature_m;
  d["levels"] = table_dict(e.levels);
  d["muscles"] = table_dict(e.muscles);
  d["groups"] = table_dict(e.groups);
  d["ligaments"] = table_dict(e.ligaments);
  d["joint_names"] = e.joint_names;
  d["joint_angle_deg"] = py::array_t<double>(static_cast<py::ssize_t>(e.joint_angle_deg.size()),
                                             e.joint_angle_deg.data());
  d["body_names"] = e.body_names;
  d["segment_bodies"] = e.segment_bodies;
  d["joint_origin"] = points_array(e.joint_origin);
  d["body_position"] = points_array(e.body_position);
  py::array_t<double> rotation(
      {static_cast<py::ssize_t>(e.body_rotation.size()), py::ssize_t{3}, py::ssize_t{3}});
  auto r = rotation.mutable_unchecked<3>();
  for (std::size_t b = 0; b < e.body_rotation.size(); ++b)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r(static_cast<py::ssize_t>(b), i, j) = e.body_rotation[b](i, j);
  d["body_rotation"] = rotation;
  py::list paths;
  for (const auto& path : e.muscle_path)
    paths.append(points_array(path));
  d["muscle_path"] = paths;
  d["load_body"] = e.load_body;
  d["load_point"] = points_array(e.load_point);
  d["load_force"] = points_array(e.load_force);
  d["gravity"] = py::array_t<double>(3, e.gravity.data());
  return d;
}

void bind_equilibrium_file(py::module_& m) {
  m.attr("EQUILIBRIUM_FORMAT") = io::kEquilibriumFormat;
  m.attr("EQUILIBRIUM_FORMAT_VERSION") = io::kEquilibriumFormatVersion;

  py::class_<io::EquilibriumWriter>(
      m, "EquilibriumWriter",
      "Writes an equilibrium file one posture at a time, flushing after each "
      "(msk/io/equilibrium_file.hpp).")
      .def(py::init([](const std::string& path, const py::dict& meta) {
             const io::Attributes attributes = attributes_from(meta);
             py::gil_scoped_release release;
             return io::EquilibriumWriter(path, attributes);
           }),
           py::arg("path"), py::arg("meta") = py::dict(),
           "Creates (truncates) the file; meta: {name: str, int or float} for /meta.")
      .def(
          "add_label",
          [](io::EquilibriumWriter& w, const std::string& name, const std::string& model_name,
             const std::string& model_text, const std::string& overrides_json) {
            const io::EquilibriumLabel label =
                label_from(name, model_name, model_text, overrides_json);
            py::gil_scoped_release release;
            w.add_label(label);
          },
          py::arg("name"), py::arg("model_name") = "", py::arg("model_text") = "",
          py::arg("overrides_json") = "{}", "Creates /equilibrium/<name>.")
      .def(
          "add",
          [](io::EquilibriumWriter& w, const py::dict& equilibrium) {
            const io::StoredEquilibrium e = equilibrium_from(equilibrium);
            py::gil_scoped_release release;
            w.add(e);
          },
          py::arg("equilibrium"),
          "Writes one posture (a dict as load_equilibria returns them; 'error' set for a "
          "posture that failed), then flushes the file.")
      .def(
          "close",
          [](io::EquilibriumWriter& w) {
            py::gil_scoped_release release;
            w.close();
          },
          "Closes the file (idempotent).")
      .def_property_readonly("path", &io::EquilibriumWriter::path);

  m.def(
      "load_equilibria",
      [](const std::string& path) {
        io::EquilibriumFileData data;
        {
          py::gil_scoped_release release;
          data = io::load_equilibria(path);
        }
        py::dict out;
        out["msk_version"] = data.msk_version;
        out["format_version"] = data.format_version;
        out["meta"] = attributes_dict(data.meta);
        py::list labels;
        for (const auto& label : data.labels) {
          py::dict d;
          d["name"] = label.name;
          d["model_name"] = label.model_name;
          d["model_text"] = label.model_text;
          d["overrides_json"] = label.overrides_json;
          labels.append(d);
        }
        out["labels"] = labels;
        py::list equilibria;
        for (const auto& e : data.equilibria)
          equilibria.append(equilibrium_dict(e));
        out["equilibria"] = equilibria;
        return out;
      },
      py::arg("path"),
      "Reads an equilibrium file: dict with msk_version, format_version, meta, labels "
      "([{name, model_name, model_text, overrides_json}]) and equilibria (one dict per posture, "
      "file order; failed ones have 'error' and no tables). Raises IoError naming the file and "
      "the object at fault.");
  m.def(
      "is_equilibrium_file",
      [](const std::string& path) {
        py::gil_scoped_release release;
        return io::is_equilibrium_file(path);
      },
      py::arg("path"), "Whether path is an HDF5 file whose /meta@kind is 'equilibrium'.");
  m.def("is_valid_equilibrium_name", &io::is_valid_equilibrium_name, py::arg("name"),
        "Whether a label or posture name can name a group of an equilibrium file.");
  m.def(
      "equilibrium_table_units",
      []() {
        py::dict d;
        d["levels"] = equilibrium_level_units();
        d["muscles"] = equilibrium_muscle_units();
        d["groups"] = equilibrium_group_units();
        return d;
      },
      "The columns of the levels, muscles and groups tables and their units, in order: "
      "{table: [(column, units)]}.");
}

}  // namespace msk::python
