#include "msk/sim/protocol.hpp"

#include <cmath>

#include "../model/yaml_util.hpp"
#include "msk/error.hpp"

namespace msk {

namespace {

using detail::NodeReader;

constexpr double kDeg = M_PI / 180.0;

PhaseSpec read_phase(const NodeReader& r) {
  r.require_map({"type", "duration", "joint", "muscles", "excitation", "rise_s", "to_deg",
                 "speed_deg_s", "effort_pct_mvc", "barrier_torque", "max_duration", "cycles",
                 "contraction_s", "relaxation_s", "stretch_speed_deg_s", "label"});
  PhaseSpec p;
  p.line = r.line();
  p.type = r.child("type").as_string();
  auto muscles = [&]() {
    const NodeReader s = r.child("muscles");
    for (std::size_t i = 0, n = s.sequence_size(1); i < n; ++i)
      p.muscles.push_back(s.element(i).as_identifier());
  };
  if (r.has("rise_s")) p.rise_s = r.child("rise_s").as_double(0.0, 60.0);
  if (p.type == "rest") {
    p.duration = r.child("duration").as_double(0.0, 1e7);
  } else if (p.type == "voluntary") {
    p.duration = r.child("duration").as_double(0.0, 1e7);
    const NodeReader e = r.child("excitation");
    e.require_mapping();
  } else if (p.type == "hold") {
    p.joint = r.child("joint").as_identifier();
    p.duration = r.child("duration").as_double(0.0, 1e7);
  } else if (p.type == "ramp") {
    p.joint = r.child("joint").as_identifier();
    p.to_deg = r.child("to_deg").as_double(-360.0, 360.0);
    p.speed_deg_s = r.child("speed_deg_s").as_double(1e-3, 5000.0);
  } else if (p.type == "isometric") {
    p.joint = r.child("joint").as_identifier();
    muscles();
    p.effort_pct_mvc = r.child("effort_pct_mvc").as_double(0.0, 100.0);
    p.duration = r.child("duration").as_double(0.0, 1e7);
  } else if (p.type == "passive_stretch") {
    p.joint = r.child("joint").as_identifier();
    muscles();
    p.speed_deg_s = r.child("speed_deg_s").as_double(1e-3, 5000.0);
    p.barrier_torque = r.child("barrier_torque").as_double(1e-6, 1e4);
    if (r.has("max_duration")) p.max_duration = r.child("max_duration").as_double(1e-3, 1e7);
  } else if (p.type == "pir") {
    p.joint = r.child("joint").as_identifier();
    muscles();
    if (r.has("cycles")) p.cycles = static_cast<int>(r.child("cycles").as_double(1, 100));
    if (r.has("effort_pct_mvc")) p.effort_pct_mvc = r.child("effort_pct_mvc").as_double(0.0, 100.0);
    if (r.has("contraction_s")) p.contraction_s = r.child("contraction_s").as_double(0.0, 600.0);
    if (r.has("relaxation_s")) p.relaxation_s = r.child("relaxation_s").as_double(0.0, 600.0);
    if (r.has("stretch_speed_deg_s"))
      p.speed_deg_s = r.child("stretch_speed_deg_s").as_double(1e-3, 5000.0);
    if (r.has("barrier_torque")) p.barrier_torque = r.child("barrier_torque").as_double(1e-6, 1e4);
    if (r.has("max_duration")) p.max_duration = r.child("max_duration").as_double(1e-3, 1e7);
  } else {
    r.child("type").fail("one of rest, voluntary, hold, ramp, isometric, passive_stretch, pir",
                         "'" + p.type + "'");
  }
  if (p.type == "voluntary") {
    const NodeReader excitation = r.child("excitation");
    for (const auto& kv : excitation.node()) {
      const std::string name = kv.first.Scalar();
      p.excitation[name] = excitation.child(name.c_str()).as_double(0.0, 1.0);
    }
  }
  return p;
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
        p.initial_angles_deg[name] = angles.child(name.c_str()).as_double(-360.0, 360.0);
      }
    }
  }
  const NodeReader phases = r.child("phases");
  for (std::size_t i = 0, n = phases.sequence_size(1); i < n; ++i)
    p.phases.push_back(read_phase(phases.element(i)));
  return p;
}

std::vector<Phase> expand_protocol(const Model& model, const Protocol& protocol) {
  std::vector<Phase> out;
  for (std::size_t k = 0; k < protocol.phases.size(); ++k) {
    const PhaseSpec& ps = protocol.phases[k];
    const std::string field = "phases[" + std::to_string(k) + "]";
    auto fail = [&](const std::string& sub, const std::string& expected, const std::string& got) {
      throw ModelError(protocol.file, ps.line, field + "." + sub, expected, got);
    };
    auto dof = [&]() {
      const int d = model.find_dof(ps.joint);
      if (d < 0) fail("joint", "a coordinate of model '" + model.name + "'", "'" + ps.joint + "'");
      return d;
    };
    auto muscle_list = [&]() {
      std::vector<int> idx;
      for (std::size_t j = 0; j < ps.muscles.size(); ++j) {
        const int i = model.find_muscle(ps.muscles[j]);
        if (i < 0)
          fail("muscles[" + std::to_string(j) + "]", "a muscle of model '" + model.name + "'",
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
      p.voluntary.assign(model.n_muscles, 0.0);
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
      p.voluntary.assign(model.n_muscles, 0.0);
      for (const auto& kv : ps.excitation) {
        const int i = model.find_muscle(kv.first);
        if (i < 0)
          fail("excitation." + kv.first, "a muscle of model '" + model.name + "'",
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
