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

constexpr double kInf = std::numeric_limits<double>::infinity();
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
PhaseField joint(const char* description) {
  return other("joint", PhaseFieldKind::Name, true, description);
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
PhaseField barrier() {
  return number("barrier_torque", "N m", false, 2.0, 1e-6, 1e4, false,
                "resisting torque that defines the barrier");
}
PhaseField max_duration() {
  return number("max_duration", "s", false, 60.0, 1e-3, kMaxDuration, false,
                "a stretch ends after this time even without reaching the barrier");
}
PhaseField label() {
  return other("label", PhaseFieldKind::Text, false, "a name for the phase (not used by the run)");
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
      {"hold",
       "the examiner holds a joint at its current angle",
       {joint("joint held"), duration(), label()}},
      {"ramp",
       "the examiner moves a joint at constant speed to a target angle",
       {joint("joint moved"),
        number("to_deg", "deg", true, kNone, -360.0, 360.0, false, "target joint angle"),
        speed("speed_deg_s", true), label()}},
      {"isometric",
       "the joint is held while muscles contract voluntarily",
       {joint("joint held"), muscles("muscles excited voluntarily"), effort(),
        number("duration", "s", false, 5.0, 0.0, kMaxDuration, true, "length of the contraction"),
        rise(0.2, "time to reach the effort"), label()}},
      {"passive_stretch",
       "the examiner stretches muscles about a joint to the barrier",
       {joint("joint moved"), muscles("muscles lengthened: they set the direction"),
        speed("speed_deg_s", false), barrier(), max_duration(), label()}},
      {"pir",
       "post-isometric relaxation: a stretch to the barrier, then cycles of contraction, "
       "relaxation and stretch to the new barrier",
       {joint("joint moved and held"), muscles("muscles treated"), cycles, effort(),
        number("contraction_s", "s", false, 5.0, 0.0, 600.0, true, "length of each contraction"),
        number("relaxation_s", "s", false, 2.0, 0.0, 600.0, true,
               "relaxation hold after each contraction"),
        speed("stretch_speed_deg_s", false), barrier(), max_duration(),
        rise(0.05, "time to reach the effort of each contraction"), label()}},
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
        p.joint = field.as_identifier();
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
    auto dof = [&]() {
      const int d = model.find_dof(ps.joint);
      if (d < 0)
        fail("joint", "a coordinate of model '" + model.name() + "'", "'" + ps.joint + "'");
      return d;
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
    auto isometric = [&](int d, const std::vector<int>& muscles, double effort, double duration) {
      // % MVC is taken as the same fraction of maximal voluntary excitation: for an isometric
      // contraction the active moment is proportional to excitation at steady state.
      Phase p = base("isometric", duration);
      p.dof = d;
      p.voluntary.assign(model.n_muscles(), 0.0);
      for (int i : muscles)
        p.voluntary[i] = effort / 100.0;
      return p;
    };
    auto stretch = [&](int d, const std::vector<int>& muscles, double speed_deg_s, double barrier,
                       double max_duration) {
      Phase p = base("passive_stretch", max_duration);
      p.dof = d;
      p.speed = speed_deg_s * kDeg;
      p.stretched = muscles;
      p.barrier_torque = barrier;
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
      Phase p = base("hold", ps.duration);
      p.dof = dof();
      out.push_back(p);
    } else if (ps.type == "ramp") {
      Phase p = base("ramp", 0.0);
      p.dof = dof();
      p.target = ps.to_deg * kDeg;
      p.speed = ps.speed_deg_s * kDeg;
      out.push_back(p);
    } else if (ps.type == "isometric") {
      out.push_back(isometric(dof(), muscle_list(), ps.effort_pct_mvc, ps.duration));
    } else if (ps.type == "passive_stretch") {
      out.push_back(
          stretch(dof(), muscle_list(), ps.speed_deg_s, ps.barrier_torque, ps.max_duration));
    } else if (ps.type == "pir") {
      // Post-isometric relaxation (Lewit & Simons 1984): stretch to the barrier, then n cycles
      // of [isometric contraction at the barrier, relaxation, gentle stretch to the new barrier].
      const int d = dof();
      const std::vector<int> muscles = muscle_list();
      Phase first = stretch(d, muscles, ps.speed_deg_s, ps.barrier_torque, ps.max_duration);
      first.label = "pir_start";
      out.push_back(first);
      for (int c = 1; c <= ps.cycles; ++c) {
        Phase con = isometric(d, muscles, ps.effort_pct_mvc, ps.contraction_s);
        con.label = "pir_cycle_start:" + std::to_string(c);
        out.push_back(con);
        Phase relax = base("hold", ps.relaxation_s);
        relax.dof = d;
        out.push_back(relax);
        out.push_back(stretch(d, muscles, ps.speed_deg_s, ps.barrier_torque, ps.max_duration));
      }
    }
  }
  return out;
}

}  // namespace msk
