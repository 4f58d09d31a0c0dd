#include "msk/sim/protocol.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

#include "../model/yaml_util.hpp"
#include "msk/error.hpp"

namespace msk {

namespace {

using detail::describe;
using detail::NodeReader;

constexpr double kDeg = M_PI / 180.0;

/// Checks that every field of phase `r` is one its type uses (a field of another phase type would
/// be ignored: a ramp's duration, say, is set by its target and speed).
void require_fields(const NodeReader& r, const std::string& type,
                    std::initializer_list<const char*> used) {
  std::string list;
  for (const char* u : used)
    list += (list.empty() ? "" : ", ") + std::string(u);
  for (const auto& kv : r.node()) {
    const std::string key = kv.first.Scalar();
    if (std::none_of(used.begin(), used.end(), [&](const char* u) { return key == u; }))
      NodeReader(kv.first, r.location().file, r.path() + "." + key, LoadLimits{})
          .fail("only fields of a " + type + " phase (" + list + ")", "'" + key + "'");
  }
}

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

PhaseSpec read_phase(const NodeReader& r, const std::string& base_dir) {
  r.require_map({"type",
                 "duration",
                 "joint",
                 "region",
                 "hold_others",
                 "muscles",
                 "excitation",
                 "excitation_file",
                 "rise_s",
                 "to_deg",
                 "speed_deg_s",
                 "effort_pct_mvc",
                 "barrier_torque",
                 "barrier_stiffness_nm_per_deg",
                 "max_duration",
                 "cycles",
                 "contraction_s",
                 "relaxation_s",
                 "stretch_speed_deg_s",
                 "label"});
  PhaseSpec p;
  p.line = r.line();
  p.type = r.child("type").as_string();
  auto muscles = [&]() {
    const NodeReader s = r.child("muscles");
    std::set<std::string> seen;
    for (std::size_t i = 0, n = s.sequence_size(1); i < n; ++i) {
      p.muscles.push_back(s.element(i).as_identifier());
      if (!seen.insert(p.muscles.back()).second)
        s.element(i).fail("distinct muscle names", "'" + p.muscles.back() + "' again");
    }
  };
  if (r.has("rise_s")) p.rise_s = r.child("rise_s").as_double(0.0, 60.0);
  // What the examiner works on: a joint, or a region moved by its levels' rhythm.
  auto target = [&]() {
    if (r.has("joint") == r.has("region"))
      r.fail("either joint (a coordinate) or region (a spinal region)",
             r.has("joint") ? "both" : "neither");
    if (r.has("joint")) p.joint = r.child("joint").as_identifier();
    if (r.has("region")) p.region = r.child("region").as_identifier();
    if (r.has("hold_others")) p.hold_others = r.child("hold_others").as_bool() ? 1 : 0;
  };
  auto barrier = [&]() {
    if (r.has("barrier_torque")) p.barrier_torque = r.child("barrier_torque").as_double(1e-6, 1e4);
    if (r.has("barrier_stiffness_nm_per_deg"))
      p.barrier_stiffness_nm_per_deg = r.child("barrier_stiffness_nm_per_deg").as_double(0.0, 1e4);
  };
  if (p.type == "rest") {
    require_fields(r, p.type, {"type", "duration", "label"});
    p.duration = r.child("duration").as_double(0.0, 1e7);
  } else if (p.type == "voluntary") {
    require_fields(r, p.type,
                   {"type", "duration", "excitation", "excitation_file", "rise_s", "label"});
    p.duration = r.child("duration").as_double(0.0, 1e7);
    if (r.has("excitation") == r.has("excitation_file"))
      r.fail("either excitation (a mapping) or excitation_file (a path)",
             r.has("excitation") ? "both" : "neither");
    if (r.has("excitation")) r.child("excitation").require_mapping();
    if (r.has("excitation_file")) {
      // Read now, so that a protocol is complete data once parsed.
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
        r.child("excitation_file")
            .fail("a readable OpenSim .sto or CSV file of excitations", path + ": a directory");
      if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        r.child("excitation_file")
            .fail("a readable OpenSim .sto or CSV file of excitations",
                  path + ": a device, pipe or socket");
      if (!is_table_file(p.excitation_file))
        file_field.fail("a table of excitations ending in .sto, .mot or .csv",
                        "'" + p.excitation_file + "'");
      try {
        p.excitation_series = io::load_time_series(path);
      } catch (const IoError& e) {
        r.child("excitation_file")
            .fail("a readable OpenSim .sto or CSV file of excitations", e.what());
      }
    }
  } else if (p.type == "hold") {
    require_fields(r, p.type, {"type", "joint", "region", "hold_others", "duration", "label"});
    target();
    p.duration = r.child("duration").as_double(0.0, 1e7);
  } else if (p.type == "ramp") {
    require_fields(r, p.type,
                   {"type", "joint", "region", "hold_others", "to_deg", "speed_deg_s", "label"});
    target();
    p.to_deg = r.child("to_deg").as_double(-360.0, 360.0);
    p.speed_deg_s = r.child("speed_deg_s").as_double(1e-3, 5000.0);
  } else if (p.type == "isometric") {
    require_fields(r, p.type,
                   {"type", "joint", "region", "hold_others", "muscles", "effort_pct_mvc",
                    "duration", "rise_s", "label"});
    target();
    muscles();
    p.effort_pct_mvc = r.child("effort_pct_mvc").as_double(0.0, 100.0);
    p.duration = r.child("duration").as_double(0.0, 1e7);
  } else if (p.type == "passive_stretch") {
    require_fields(r, p.type,
                   {"type", "joint", "region", "hold_others", "muscles", "speed_deg_s",
                    "barrier_torque", "barrier_stiffness_nm_per_deg", "max_duration", "label"});
    target();
    muscles();
    p.speed_deg_s = r.child("speed_deg_s").as_double(1e-3, 5000.0);
    p.barrier_torque = r.child("barrier_torque").as_double(1e-6, 1e4);
    barrier();
    if (r.has("max_duration")) p.max_duration = r.child("max_duration").as_double(1e-3, 1e7);
  } else if (p.type == "pir") {
    require_fields(r, p.type,
                   {"type", "joint", "region", "hold_others", "muscles", "cycles", "effort_pct_mvc",
                    "contraction_s", "relaxation_s", "stretch_speed_deg_s", "barrier_torque",
                    "barrier_stiffness_nm_per_deg", "max_duration", "rise_s", "label"});
    target();
    muscles();
    if (r.has("cycles")) {
      const double cycles = r.child("cycles").as_double(1, 100);
      if (std::floor(cycles) != cycles)
        r.child("cycles").fail("a whole number of cycles", describe(r.child("cycles").node()));
      p.cycles = static_cast<int>(cycles);
    }
    if (r.has("effort_pct_mvc")) p.effort_pct_mvc = r.child("effort_pct_mvc").as_double(0.0, 100.0);
    if (r.has("contraction_s")) p.contraction_s = r.child("contraction_s").as_double(0.0, 600.0);
    if (r.has("relaxation_s")) p.relaxation_s = r.child("relaxation_s").as_double(0.0, 600.0);
    if (r.has("stretch_speed_deg_s"))
      p.speed_deg_s = r.child("stretch_speed_deg_s").as_double(1e-3, 5000.0);
    barrier();
    if (r.has("max_duration")) p.max_duration = r.child("max_duration").as_double(1e-3, 1e7);
  } else {
    r.child("type").fail("one of rest, voluntary, hold, ramp, isometric, passive_stretch, pir",
                         "'" + p.type + "'");
  }
  if (p.type == "voluntary" && r.has("excitation")) {
    const NodeReader excitation = r.child("excitation");
    for (const auto& kv : excitation.node()) {
      const std::string name = kv.first.Scalar();
      NodeReader(kv.first, r.location().file, excitation.path() + "." + name, LoadLimits{})
          .as_identifier();
      p.excitation[name] = excitation.child(name.c_str()).as_double(0.0, 1.0);
    }
  }
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
