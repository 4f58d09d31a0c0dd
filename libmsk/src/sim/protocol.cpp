#include "msk/sim/protocol.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "../model/yaml_util.hpp"
#include "msk/error.hpp"

namespace msk {

namespace {

using detail::describe;
using detail::NodeReader;

constexpr double kDeg = M_PI / 180.0;

/// A path relative to base_dir unless absolute (or base_dir is empty).
std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

/// True for a relative path none of whose parts is "..": it stays in its base directory.
bool is_inside(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  for (const auto& part : std::filesystem::path(path))
    if (part == "..") return false;
  return true;
}

/// True for the names of the tables load_time_series reads: .sto, .mot or .csv, any case.
bool is_table_file(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".sto" || ext == ".mot" || ext == ".csv";
}

/// A voluntary phase's excitations: a mapping of muscle to excitation, or a file of them over
/// time (read now, so that a protocol is complete data once parsed).
void read_excitations(const NodeReader& r, const std::string& base_dir, PhaseSpec& p) {
  if (r.has("excitation") == r.has("excitation_file"))
    r.fail("either excitation (a mapping) or excitation_file (a path)",
           r.has("excitation") ? "both" : "neither");
  if (r.has("excitation")) {
    const NodeReader excitation = r.child("excitation");
    excitation.require_mapping();
    for (const auto& kv : excitation.node()) {
      const std::string name = kv.first.Scalar();
      NodeReader(kv.first, r.location().file, excitation.path() + "." + name, LoadLimits{})
          .as_identifier();
      p.excitation[name] = excitation.child(name.c_str()).as_double(0.0, 1.0);
    }
    return;
  }
  p.excitation_file = r.child("excitation_file").as_string();
  const NodeReader file_field = r.child("excitation_file");
  // A protocol file may name files beside or below it only, so that a protocol from
  // elsewhere cannot make msk read (and quote in its errors) any file of the machine.
  if (!base_dir.empty() && !is_inside(p.excitation_file))
    file_field.fail("a path relative to the protocol's directory, without '..'",
                    "'" + p.excitation_file + "'");
  const std::string path = resolve_path(p.excitation_file, base_dir);
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status))
    file_field.fail("a readable OpenSim .sto or CSV file of excitations", path + ": a directory");
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    file_field.fail("a readable OpenSim .sto or CSV file of excitations",
                    path + ": a device, pipe or socket");
  if (!is_table_file(p.excitation_file))
    file_field.fail("a table of excitations ending in .sto, .mot or .csv",
                    "'" + p.excitation_file + "'");
  try {
    p.excitation_series = io::load_time_series(path);
  } catch (const IoError& e) {
    file_field.fail("a readable OpenSim .sto or CSV file of excitations", e.what());
  }
}

// ---- the schema: every phase type and its fields ----

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxDuration = 1e7;  // [s], about four months

PhaseField number(const char* name, const char* unit, bool required, double default_value,
                  double low, double high, bool low_open, const char* description) {
  PhaseField f;
  f.name = name;
  f.kind = PhaseFieldKind::Number;
  f.unit = unit;
  f.required = required;
  f.default_value = default_value;
  f.low = low;
  f.high = high;
  f.low_open = low_open;
  f.description = description;
  return f;
}

PhaseField other(const char* name, PhaseFieldKind kind, bool required, const char* description) {
  PhaseField f;
  f.name = name;
  f.kind = kind;
  f.required = required;
  f.description = description;
  return f;
}

// The fields several phase types share (a required duration; a joint; the muscles).
PhaseField duration() {
  return number("duration", "s", true, kNone, 0.0, kMaxDuration, true, "length of the phase");
}
// What the examiner works on: a joint, or a spinal region moved by its levels' rhythm (exactly
// one of the two), and whether the other coordinates are held.
std::vector<PhaseField> target(const char* description) {
  return {other("joint", PhaseFieldKind::Name, false,
                (std::string(description) + " (or region, not both)").c_str()),
          other("region", PhaseFieldKind::Name, false,
                "a spinal region (the levels' `region:`, e.g. lumbar) moved by the model's rhythm "
                "(or joint, not both)"),
          other("hold_others", PhaseFieldKind::Flag, false,
                "hold every other coordinate (default: yes for a region, no for a joint)")};
}
PhaseField muscles(const char* description) {
  return other("muscles", PhaseFieldKind::Names, true, description);
}
PhaseField rise(double default_value, const char* description) {
  return number("rise_s", "s", false, default_value, 0.0, 60.0, false, description);
}
PhaseField speed(const char* name, bool required) {
  return number(name, "deg/s", required, required ? kNone : 5.0, 1e-3, 5000.0, false,
                "angular speed of the examiner's move");
}
PhaseField effort() {
  return number("effort_pct_mvc", "% MVC", false, 20.0, 0.0, 100.0, false,
                "voluntary effort, as a fraction of maximal voluntary excitation");
}
std::vector<PhaseField> barrier() {
  return {number("barrier_torque", "N m", false, 2.0, 1e-6, 1e4, false,
                 "resisting torque that defines the barrier (times the stretch tolerance)"),
          number("barrier_stiffness_nm_per_deg", "N m/deg", false, 0.0, 0.0, 1e4, false,
                 "end-feel: the resisting stiffness the barrier also needs (0: torque alone)")};
}
PhaseField max_duration() {
  return number("max_duration", "s", false, 60.0, 1e-3, kMaxDuration, false,
                "a stretch ends after this time even without reaching the barrier");
}
PhaseField label() {
  return other("label", PhaseFieldKind::Text, false, "a name for the phase (not used by the run)");
}

/// The fields of several lists, in order.
std::vector<PhaseField> fields(std::initializer_list<std::vector<PhaseField>> lists) {
  std::vector<PhaseField> out;
  for (const auto& l : lists)
    out.insert(out.end(), l.begin(), l.end());
  return out;
}

std::vector<PhaseType> make_phase_types() {
  PhaseField cycles =
      number("cycles", "", false, 3.0, 1.0, 100.0, false, "contraction-relaxation-stretch cycles");
  cycles.kind = PhaseFieldKind::WholeNumber;
  PhaseField excitation =
      other("excitation", PhaseFieldKind::Excitations, false,
            "target voluntary excitation per muscle (or excitation_file, not both)");
  excitation.unit = "1";
  excitation.low = 0.0;
  excitation.high = 1.0;
  return {
      {"rest", "joints free under gravity and muscles, no voluntary drive", {duration(), label()}},
      {"voluntary",
       "voluntary contraction with the joints free",
       {duration(), excitation,
        other("excitation_file", PhaseFieldKind::Path, false,
              "excitations over time (.sto, .mot or .csv; or excitation, not both)"),
        rise(0.05, "time to ramp from the previous excitation to the target"), label()}},
      {"hold", "the examiner holds a joint (or region) at its current angle",
       fields({target("joint held"), {duration(), label()}})},
      {"ramp", "the examiner moves a joint (or region) at constant speed to a target angle",
       fields({target("joint moved"),
               {number("to_deg", "deg", true, kNone, -360.0, 360.0, false, "target joint angle"),
                speed("speed_deg_s", true), label()}})},
      {"isometric", "the joint (or region) is held while muscles contract voluntarily",
       fields({target("joint held"),
               {muscles("muscles excited voluntarily"), effort(),
                number("duration", "s", false, 5.0, 0.0, kMaxDuration, true,
                       "length of the contraction"),
                rise(0.2, "time to reach the effort"), label()}})},
      {"passive_stretch", "the examiner stretches muscles about a joint (or region) to the barrier",
       fields({target("joint moved"),
               {muscles("muscles lengthened: they set the direction"), speed("speed_deg_s", false)},
               barrier(),
               {max_duration(), label()}})},
      {"pir",
       "post-isometric relaxation: a stretch to the barrier, then cycles of contraction, "
       "relaxation and stretch to the new barrier",
       fields({target("joint moved and held"),
               {muscles("muscles treated"), cycles, effort(),
                number("contraction_s", "s", false, 5.0, 0.0, 600.0, true,
                       "length of each contraction"),
                number("relaxation_s", "s", false, 2.0, 0.0, 600.0, true,
                       "relaxation hold after each contraction"),
                speed("stretch_speed_deg_s", false)},
               barrier(),
               {max_duration(), rise(0.05, "time to reach the effort of each contraction"),
                label()}})},
  };
}

const PhaseType* find_phase_type(const std::string& name) {
  for (const PhaseType& t : phase_types())
    if (t.name == name) return &t;
  return nullptr;
}

/// Every field any phase type has, "type" first, in order of first appearance.
const std::vector<std::string>& all_phase_fields() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out{"type"};
    for (const PhaseType& t : phase_types())
      for (const PhaseField& f : t.fields)
        if (std::find(out.begin(), out.end(), f.name) == out.end()) out.push_back(f.name);
    return out;
  }();
  return names;
}

/// The PhaseSpec member a numeric field sets.
double* number_slot(PhaseSpec& p, const std::string& name) {
  if (name == "duration") return &p.duration;
  if (name == "rise_s") return &p.rise_s;
  if (name == "to_deg") return &p.to_deg;
  if (name == "speed_deg_s" || name == "stretch_speed_deg_s") return &p.speed_deg_s;
  if (name == "effort_pct_mvc") return &p.effort_pct_mvc;
  if (name == "barrier_torque") return &p.barrier_torque;
  if (name == "barrier_stiffness_nm_per_deg") return &p.barrier_stiffness_nm_per_deg;
  if (name == "max_duration") return &p.max_duration;
  if (name == "contraction_s") return &p.contraction_s;
  if (name == "relaxation_s") return &p.relaxation_s;
  return nullptr;
}

std::string bound_text(double x) {
  std::ostringstream text;
  text << x;
  return text.str();
}

/// A number field's value, checked against its range.
double read_number(const NodeReader& r, const PhaseField& f) {
  if (!f.low_open) return r.as_double(f.low, f.high);
  const double v =
      r.as_double(-std::numeric_limits<double>::max(), std::numeric_limits<double>::max());
  if (!(v > f.low && v <= f.high))
    r.fail("a number in (" + bound_text(f.low) + ", " + bound_text(f.high) + "]",
           describe(r.node()));
  return v;
}

PhaseSpec read_phase(const NodeReader& r, const std::string& base_dir) {
  r.require_map(all_phase_fields());
  PhaseSpec p;
  p.line = r.line();
  p.type = r.child("type").as_string();
  const PhaseType* type = find_phase_type(p.type);
  if (type == nullptr) {
    std::string names;
    for (const PhaseType& t : phase_types())
      names += (names.empty() ? "" : ", ") + t.name;
    r.child("type").fail("one of " + names, "'" + p.type + "'");
  }
  // Only fields of this type: a field of another phase type would be ignored (a ramp's
  // duration, say, is set by its target and speed).
  std::vector<std::string> used{"type"};
  for (const PhaseField& f : type->fields)
    used.push_back(f.name);
  std::string list;
  for (const std::string& u : used)
    list += (list.empty() ? "" : ", ") + u;
  for (const auto& kv : r.node()) {
    const std::string key = kv.first.Scalar();
    if (std::find(used.begin(), used.end(), key) == used.end())
      NodeReader(kv.first, r.location().file, r.path() + "." + key, LoadLimits{})
          .fail("only fields of a " + p.type + " phase (" + list + ")", "'" + key + "'");
  }
  // Every field: its default when absent (a required one is an error), else its value.
  for (const PhaseField& f : type->fields) {
    double* slot = number_slot(p, f.name);
    if (slot != nullptr && !std::isnan(f.default_value)) *slot = f.default_value;
    if (f.name == "cycles") p.cycles = static_cast<int>(f.default_value);
    if (!r.has(f.name.c_str())) {
      if (f.required) r.child(f.name.c_str());  // throws: a value is required
      continue;
    }
    const NodeReader field = r.child(f.name.c_str());
    switch (f.kind) {
      case PhaseFieldKind::Number:
        *slot = read_number(field, f);
        break;
      case PhaseFieldKind::WholeNumber: {
        const double value = field.as_double(f.low, f.high);
        if (std::floor(value) != value)
          field.fail("a whole number of " + f.name, describe(field.node()));
        p.cycles = static_cast<int>(value);
        break;
      }
      case PhaseFieldKind::Name:
        (f.name == "region" ? p.region : p.joint) = field.as_identifier();
        break;
      case PhaseFieldKind::Flag:
        p.hold_others = field.as_bool() ? 1 : 0;
        break;
      case PhaseFieldKind::Names: {
        std::set<std::string> seen;
        for (std::size_t i = 0, n = field.sequence_size(1); i < n; ++i) {
          p.muscles.push_back(field.element(i).as_identifier());
          if (!seen.insert(p.muscles.back()).second)
            field.element(i).fail("distinct muscle names", "'" + p.muscles.back() + "' again");
        }
        break;
      }
      case PhaseFieldKind::Excitations:
      case PhaseFieldKind::Path:
      case PhaseFieldKind::Text:
        break;  // read below (excitations and their file) or not used (label)
    }
  }
  if (p.type == "voluntary") read_excitations(r, base_dir, p);
  const bool has_target = std::any_of(type->fields.begin(), type->fields.end(),
                                      [](const PhaseField& f) { return f.name == "joint"; });
  if (has_target && r.has("joint") == r.has("region"))
    r.fail("either joint (a coordinate) or region (a spinal region)",
           r.has("joint") ? "both" : "neither");
  return p;
}

/// Line of initial.angles_deg.NAME in protocol text that parsed before, or 0.
int initial_angle_line(const std::string& text, const std::string& name) {
  try {
    const YAML::Node angles = YAML::Load(text)["initial"]["angles_deg"];
    if (angles.IsMap())
      for (const auto& kv : angles)
        if (kv.first.Scalar() == name) return kv.first.Mark().line + 1;
  } catch (const YAML::Exception&) {
  }
  return 0;
}

}  // namespace

const char* phase_field_kind_name(PhaseFieldKind kind) {
  switch (kind) {
    case PhaseFieldKind::Number:
      return "number";
    case PhaseFieldKind::WholeNumber:
      return "whole_number";
    case PhaseFieldKind::Name:
      return "name";
    case PhaseFieldKind::Names:
      return "names";
    case PhaseFieldKind::Excitations:
      return "excitations";
    case PhaseFieldKind::Path:
      return "path";
    case PhaseFieldKind::Text:
      return "text";
    case PhaseFieldKind::Flag:
      return "flag";
  }
  return "";
}

const std::vector<PhaseType>& phase_types() {
  static const std::vector<PhaseType> types = make_phase_types();
  return types;
}

Protocol parse_protocol(const std::string& text, const std::string& file) {
  const LoadLimits limits;
  const YAML::Node root = detail::parse_yaml(text, file, limits);
  const NodeReader r(root, file, "", limits);
  r.require_map({"initial", "phases"});
  Protocol p;
  p.text = text;
  p.file = file;
  if (r.has("initial")) {
    const NodeReader init = r.child("initial");
    init.require_map({"angles_deg"});
    if (init.has("angles_deg")) {
      const NodeReader angles = init.child("angles_deg");
      angles.require_mapping();
      for (const auto& kv : angles.node()) {
        const std::string name = kv.first.Scalar();
        NodeReader(kv.first, file, angles.path() + "." + name, limits).as_identifier();
        p.initial_angles_deg[name] = angles.child(name.c_str()).as_double(-360.0, 360.0);
      }
    }
  }
  const NodeReader phases = r.child("phases");
  // Files named by the protocol are relative to its directory (when it came from a file).
  const std::size_t slash = file.find_last_of('/');
  const std::string base_dir = file.empty() || file[0] == '<'
                                   ? ""
                                   : (slash == std::string::npos ? "." : file.substr(0, slash));
  for (std::size_t i = 0, n = phases.sequence_size(1); i < n; ++i)
    p.phases.push_back(read_phase(phases.element(i), base_dir));
  return p;
}

std::vector<Phase> expand_protocol(const Model& model, const Protocol& protocol) {
  for (const auto& kv : protocol.initial_angles_deg)
    if (model.find_dof(kv.first) < 0)
      throw ModelError(protocol.file, initial_angle_line(protocol.text, kv.first),
                       "initial.angles_deg." + kv.first,
                       "a coordinate of model '" + model.name() + "'", "'" + kv.first + "'");
  std::vector<Phase> out;
  for (std::size_t k = 0; k < protocol.phases.size(); ++k) {
    const PhaseSpec& ps = protocol.phases[k];
    const std::string field = "phases[" + std::to_string(k) + "]";
    auto fail = [&](const std::string& sub, const std::string& expected, const std::string& got) {
      throw ModelError(protocol.file, ps.line, field + "." + sub, expected, got);
    };
    // The coordinates the examiner works on: a joint (the others free unless hold_others), or a
    // region's levels by their rhythm (the others held unless hold_others is false).
    auto where = [&](Phase& p) {
      if (!ps.joint.empty()) {
        const int d = model.find_dof(ps.joint);
        if (d < 0)
          fail("joint", "a coordinate of model '" + model.name() + "'", "'" + ps.joint + "'");
        p.target_name = ps.joint;
        p.driven = {d};
        p.weight = {1.0};
      } else {
        p.target_name = ps.region;
        p.is_region = true;
        const int r = model.find_region(ps.region);
        if (r < 0) {
          std::string known;
          for (const std::string& name : model.region_names())
            known += (known.empty() ? "'" : ", '") + name + "'";
          fail("region",
               known.empty() ? "a joint: model '" + model.name() + "' has no spinal regions"
                             : "a region of model '" + model.name() + "' (" + known + ")",
               "'" + ps.region + "'");
        }
        p.driven = model.region_dofs()[static_cast<std::size_t>(r)];
        p.weight = model.region_weights()[static_cast<std::size_t>(r)];
      }
      const bool hold_others = ps.hold_others < 0 ? p.is_region : ps.hold_others == 1;
      if (hold_others)
        for (int d = 0; d < model.n_dofs(); ++d)
          if (std::find(p.driven.begin(), p.driven.end(), d) == p.driven.end()) p.held.push_back(d);
    };
    auto muscle_list = [&]() {
      std::vector<int> idx;
      for (std::size_t j = 0; j < ps.muscles.size(); ++j) {
        const int i = model.find_muscle(ps.muscles[j]);
        if (i < 0)
          fail("muscles[" + std::to_string(j) + "]", "a muscle of model '" + model.name() + "'",
               "'" + ps.muscles[j] + "'");
        idx.push_back(i);
      }
      return idx;
    };
    auto base = [&](const std::string& type, double duration) {
      Phase p;
      p.type = type;
      p.duration = duration;
      p.rise_s = ps.rise_s;
      return p;
    };
    auto examiner = [&](const std::string& type, double duration) {
      Phase p = base(type, duration);
      where(p);
      return p;
    };
    auto isometric = [&](const std::vector<int>& muscles, double effort, double duration) {
      // % MVC is taken as the same fraction of maximal voluntary excitation: for an isometric
      // contraction the active moment is proportional to excitation at steady state.
      Phase p = examiner("isometric", duration);
      p.voluntary.assign(model.n_muscles(), 0.0);
      for (int i : muscles)
        p.voluntary[i] = effort / 100.0;
      return p;
    };
    auto stretch = [&](const std::vector<int>& muscles) {
      Phase p = examiner("passive_stretch", ps.max_duration);
      p.speed = ps.speed_deg_s * kDeg;
      p.stretched = muscles;
      p.barrier_torque = ps.barrier_torque;
      p.barrier_stiffness = ps.barrier_stiffness_nm_per_deg / kDeg;
      return p;
    };
    if (ps.type == "rest") {
      out.push_back(base("rest", ps.duration));
    } else if (ps.type == "voluntary") {
      Phase p = base("voluntary", ps.duration);
      p.voluntary.assign(model.n_muscles(), 0.0);
      if (!ps.excitation_file.empty()) {
        // Columns name muscles; muscles without a column get no voluntary excitation.
        const io::TimeSeries& ts = ps.excitation_series;
        std::vector<int> muscle_of(ts.n_columns());
        for (std::size_t c = 0; c < ts.n_columns(); ++c) {
          muscle_of[c] = model.find_muscle(ts.columns[c]);
          if (muscle_of[c] < 0)
            fail("excitation_file", "columns named after muscles of model '" + model.name() + "'",
                 "column '" + ts.columns[c] + "' in " + ps.excitation_file);
        }
        p.excitation_time = ts.time;
        p.excitation_table.assign(ts.n_rows() * model.n_muscles(), 0.0);
        for (std::size_t r = 0; r < ts.n_rows(); ++r)
          for (std::size_t c = 0; c < ts.n_columns(); ++c)
            p.excitation_table[r * model.n_muscles() + muscle_of[c]] =
                std::clamp(ts.values[r * ts.n_columns() + c], 0.0, 1.0);
      }
      for (const auto& kv : ps.excitation) {
        const int i = model.find_muscle(kv.first);
        if (i < 0)
          fail("excitation." + kv.first, "a muscle of model '" + model.name() + "'",
               "'" + kv.first + "'");
        p.voluntary[i] = kv.second;
      }
      out.push_back(p);
    } else if (ps.type == "hold") {
      out.push_back(examiner("hold", ps.duration));
    } else if (ps.type == "ramp") {
      Phase p = examiner("ramp", 0.0);
      p.target = ps.to_deg * kDeg;
      p.speed = ps.speed_deg_s * kDeg;
      out.push_back(p);
    } else if (ps.type == "isometric") {
      out.push_back(isometric(muscle_list(), ps.effort_pct_mvc, ps.duration));
    } else if (ps.type == "passive_stretch") {
      out.push_back(stretch(muscle_list()));
    } else if (ps.type == "pir") {
      // Post-isometric relaxation (Lewit & Simons 1984): stretch to the barrier, then n cycles
      // of [isometric contraction at the barrier, relaxation, gentle stretch to the new barrier].
      const std::vector<int> muscles = muscle_list();
      Phase first = stretch(muscles);
      first.label = "pir_start";
      out.push_back(first);
      for (int c = 1; c <= ps.cycles; ++c) {
        Phase con = isometric(muscles, ps.effort_pct_mvc, ps.contraction_s);
        con.label = "pir_cycle_start:" + std::to_string(c);
        out.push_back(con);
        out.push_back(examiner("hold", ps.relaxation_s));
        out.push_back(stretch(muscles));
      }
    }
  }
  return out;
}

}  // namespace msk
