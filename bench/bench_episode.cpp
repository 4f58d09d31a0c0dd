// bench/bench_episode.cpp — whole episodes of the bundled elbow, and one right-hand side.
//
// episode/<scenario>/<stepper>, each scenario with both steppers side by side:
//   voluntary_rigid     2 s of voluntary flexion (flexors at 20 % excitation), then 1 s of rest;
//                       the model file as it is (De Groote 2016 curves, rigid tendons)
//   pir_demo            the post-isometric relaxation session of models/runs/demo.yaml (hypertonic
//                       flexors, held, stretched to the barrier, 3 contraction-relaxation cycles)
//   voluntary_compliant voluntary_rigid with every muscle `tendon: compliant`, `curves: thelen2003`
//                       (Arm26's own muscle model; the fibre lengths become states)
// Counters, per episode: steps (accepted), rhs_calls (Jacobian columns included), jacobian_calls,
// sim_s (simulated time), sim_s_per_wall_s (simulated seconds per wall-clock second) and q_end_deg
// (the final elbow angle, which both steppers should agree on to about the tolerances).
//
// rhs/<scenario>: one compute_derivatives() at the scenario's initial state, nothing driven; also
// rhs/lumbar and rhs/cervical (the bundled spines). Counters: n_states, n_muscles,
// ns_per_100_muscles and allocs_per_call (heap allocations per evaluation, counted by
// alloc_counter.hpp: 0 expected).
//
// The jobs of the peer comparisons (bench/peers/README.md; bench/run.sh puts them side by side):
//   peer/elbow_lumped/<stepper>: bench/peers/elbow_lumped.yaml, 10 s of flexor and extensor
//     alternating every 0.5 s at excitation 0.3 vs 0.05 (the job of bench/peers/elbow_scipy.py),
//     rtol 1e-6, atol 1e-8, rows every 10 ms;
//   peer/elbow_alternating/<stepper>: the same protocol on the bundled six-muscle elbow;
//   peer/arm26/<stepper>/rtol:<r>: OpenSim's Arm26 (tests/data/opensim/arm26.osim: Thelen 2003
//     curves, compliant tendons) driven by forward_controls.sto for 1 s, rows every 10 ms;
//     counter err_deg: the largest elbow-angle error against the same run at rtol 1e-10;
//   peer/lumbar_pir/dopri5: models/lumbar.yaml with hypertonic erector spinae: 5 s at rest, a
//     post-isometric relaxation of the erector spinae at L4-L5 (4 cycles of 7 s at 20 % MVC, 3 s
//     relaxation, stretch at 5 deg/s), then 10 s of rest: 55 s in all; rows every 0.1 s.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/protocol.hpp"
#include "msk/sim/rhs.hpp"
#include "msk/sim/state.hpp"

namespace {

const std::string kModelsDir = MSK_MODELS_DIR;

// A model, a protocol and the options every stepper shares.
struct Scenario {
  std::string name;
  msk::Model model;
  msk::Protocol protocol;
  msk::EpisodeOptions options;
  std::vector<double> reference;  ///< elbow angle on the output grid at rtol 1e-10 (may be empty)
  int angle_index = 0;            ///< state index of the angle compared with the reference
  std::size_t angle_channel = 0;  ///< its recorded channel
};

// The recorded channel of a coordinate's angle.
std::size_t angle_channel(const msk::Model& model, const std::string& dof) {
  const std::string name = "joint." + dof + ".angle";
  for (std::size_t c = 0; c < model.channels().size(); ++c)
    if (model.channels()[c].name == name) return c;
  return 0;
}

// Voluntary flexion from 30 deg: the flexors ramp to 20 % excitation over 0.1 s and hold for 2 s,
// then every voluntary drive stops for 1 s.
const char* const kVoluntaryProtocol = R"(initial: {angles_deg: {r_elbow_flex: 30}}
phases:
  - type: voluntary
    duration: 2.0
    rise_s: 0.1
    excitation: {BIClong: 0.2, BICshort: 0.2, BRA: 0.2}
  - {type: rest, duration: 1.0}
)";

// Overrides that give every muscle of the elbow a compliant tendon and Thelen 2003 curves.
std::string compliant_thelen_overrides(const msk::Model& model) {
  std::string json = "{";
  for (const std::string& muscle : model.muscle_names()) {
    if (json.size() > 1) json += ", ";
    json += "\"muscles." + muscle + ".tendon\": \"compliant\", ";
    json += "\"muscles." + muscle + ".curves\": \"thelen2003\"";
  }
  return json + "}";
}

// The run file models/runs/demo.yaml: {model, overrides, protocol, options}.
Scenario load_demo_run() {
  const std::string file = kModelsDir + "/runs/demo.yaml";
  const YAML::Node run = YAML::LoadFile(file);
  const std::string overrides = run["overrides"] ? YAML::Dump(run["overrides"]) : "";
  Scenario s;
  s.name = "pir_demo";
  s.model = msk::load_model(kModelsDir + "/" + run["model"].as<std::string>() + ".yaml", overrides);
  s.protocol = msk::parse_protocol(YAML::Dump(run["protocol"]), file);
  if (run["options"]) s.options = msk::parse_episode_options(YAML::Dump(run["options"]), file);
  return s;
}

std::vector<std::unique_ptr<Scenario>> make_scenarios() {
  const std::string elbow_file = kModelsDir + "/elbow.yaml";
  std::vector<std::unique_ptr<Scenario>> scenarios;

  auto voluntary = std::make_unique<Scenario>();
  voluntary->name = "voluntary_rigid";
  voluntary->model = msk::load_model(elbow_file);
  voluntary->protocol = msk::parse_protocol(kVoluntaryProtocol, "<voluntary>");

  auto compliant = std::make_unique<Scenario>();
  compliant->name = "voluntary_compliant";
  compliant->model = msk::load_model(elbow_file, compliant_thelen_overrides(voluntary->model));
  compliant->protocol = voluntary->protocol;

  scenarios.push_back(std::move(voluntary));
  scenarios.push_back(std::make_unique<Scenario>(load_demo_run()));
  scenarios.push_back(std::move(compliant));
  return scenarios;
}

const std::string kSourceDir = MSK_SOURCE_DIR;

// 20 voluntary phases of 0.5 s: the flexors at 0.3 and the extensors at 0.05, then the reverse.
std::string alternating_protocol(const std::vector<std::string>& flexors,
                                 const std::vector<std::string>& extensors, double q0_deg,
                                 const std::string& joint) {
  std::string text =
      "initial: {angles_deg: {" + joint + ": " + std::to_string(q0_deg) + "}}\nphases:\n";
  for (int k = 0; k < 20; ++k) {
    const bool flex = k % 2 == 0;
    text += "  - {type: voluntary, duration: 0.5, rise_s: 0, excitation: {";
    bool first = true;
    for (const auto& m : flexors) {
      text += (first ? "" : ", ") + m + ": " + (flex ? "0.3" : "0.05");
      first = false;
    }
    for (const auto& m : extensors)
      text += ", " + m + ": " + (flex ? "0.05" : "0.3");
    text += "}}\n";
  }
  return text;
}

// The jobs compared with the peers (bench/peers/).
std::vector<std::unique_ptr<Scenario>> make_peer_scenarios() {
  std::vector<std::unique_ptr<Scenario>> out;
  auto lumped = std::make_unique<Scenario>();
  lumped->name = "elbow_lumped";
  lumped->model = msk::load_model(kSourceDir + "/bench/peers/elbow_lumped.yaml");
  lumped->protocol =
      msk::parse_protocol(alternating_protocol({"flexor"}, {"extensor"}, 90.0, "elbow"), "<alt>");
  lumped->angle_index = lumped->model.layout().q_offset;
  out.push_back(std::move(lumped));

  auto six = std::make_unique<Scenario>();
  six->name = "elbow_alternating";
  six->model = msk::load_model(kModelsDir + "/elbow.yaml");
  six->protocol = msk::parse_protocol(
      alternating_protocol({"BIClong", "BICshort", "BRA"}, {"TRIlong", "TRIlat", "TRImed"}, 90.0,
                           "r_elbow_flex"),
      "<alt>");
  six->angle_index = six->model.layout().q_offset;
  out.push_back(std::move(six));

  auto arm26 = std::make_unique<Scenario>();
  arm26->name = "arm26";
  const std::string data = kSourceDir + "/tests/data/opensim/";
  arm26->model = msk::load_model(data + "arm26.osim");
  arm26->protocol = msk::parse_protocol(
      "phases:\n  - {type: voluntary, excitation_file: forward_controls.sto, duration: 1.0}\n",
      data + "forward_protocol.yaml");
  arm26->angle_index = arm26->model.layout().q_offset + arm26->model.find_dof("r_elbow_flex");
  arm26->angle_channel = angle_channel(arm26->model, "r_elbow_flex");
  {
    msk::EpisodeOptions tight;
    tight.rtol = 1e-10;
    tight.atol = 1e-12;
    const msk::EpisodeResult r = msk::simulate_episode(arm26->model, arm26->protocol, tight);
    const std::size_t nc = r.channels.size();
    for (std::size_t k = 0; k < r.time.size(); ++k)
      arm26->reference.push_back(r.values[k * nc + arm26->angle_channel]);
  }
  out.push_back(std::move(arm26));

  auto lumbar = std::make_unique<Scenario>();
  lumbar->name = "lumbar_pir";
  lumbar->model = msk::load_model(kModelsDir + "/lumbar.yaml",
                                  R"({"groups.erector_spinae.tone": "hypertonic"})");
  std::string erectors;
  for (int i :
       lumbar->model
           .group_muscles()[static_cast<std::size_t>(lumbar->model.find_group("erector_spinae"))])
    erectors += (erectors.empty() ? "" : ", ") + lumbar->model.muscle_names()[i];
  lumbar->protocol = msk::parse_protocol(
      "phases:\n  - {type: rest, duration: 5}\n  - {type: pir, joint: L4_L5, muscles: [" +
          erectors +
          "], cycles: 4, effort_pct_mvc: 20, contraction_s: 7, relaxation_s: 3, "
          "stretch_speed_deg_s: 5, barrier_torque: 2.0}\n  - {type: rest, duration: 10}\n",
      "<lumbar_pir>");
  lumbar->options.output_dt = 0.1;
  lumbar->angle_index = lumbar->model.layout().q_offset;
  out.push_back(std::move(lumbar));
  return out;
}

// One whole episode per iteration (recording in memory, no HDF5 file).
void BM_Episode(benchmark::State& state, const Scenario& scenario, const char* stepper,
                double rtol = 0.0) {
  msk::EpisodeOptions options = scenario.options;
  options.stepper = stepper;
  if (rtol > 0.0) options.rtol = rtol;
  msk::EpisodeStats stats;
  double simulated = 0.0;
  double final_angle = 0.0;
  double error = 0.0;
  for (auto _ : state) {
    const msk::EpisodeResult result =
        msk::simulate_episode(scenario.model, scenario.protocol, options);
    stats = result.stats;
    simulated = result.time.back() - result.time.front();
    final_angle = result.final_state.x[scenario.angle_index];
    if (!scenario.reference.empty()) {
      state.PauseTiming();
      const std::size_t nc = result.channels.size();
      const std::size_t c = scenario.angle_channel;
      error = 0.0;
      for (std::size_t r = 0; r < result.time.size() && r < scenario.reference.size(); ++r)
        error = std::max(error, std::abs(result.values[r * nc + c] - scenario.reference[r]));
      state.ResumeTiming();
    }
  }
  if (!scenario.reference.empty()) state.counters["err_deg"] = error * 180.0 / M_PI;
  state.counters["retries"] = static_cast<double>(stats.retries);
  // Episodes are deterministic: the counters of the last run are those of every run.
  state.counters["steps"] = static_cast<double>(stats.steps);
  state.counters["rhs_calls"] = static_cast<double>(stats.rhs_calls);
  state.counters["jacobian_calls"] = static_cast<double>(stats.jacobian_calls);
  state.counters["sim_s"] = simulated;
  state.counters["q_end_deg"] = final_angle * 180.0 / M_PI;
  state.counters["rhs_per_sim_s"] = static_cast<double>(stats.rhs_calls) / simulated;
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(
      simulated * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// One right-hand-side evaluation at the scenario's initial state, everything free.
void BM_Rhs(benchmark::State& state, const Scenario& scenario) {
  const msk::Model& model = scenario.model;
  Eigen::VectorXd angles(model.n_dofs());
  for (int d = 0; d < model.n_dofs(); ++d) {
    const auto initial = scenario.protocol.initial_angles_deg.find(model.dof_names()[d]);
    angles[d] = initial != scenario.protocol.initial_angles_deg.end()
                    ? initial->second * M_PI / 180.0
                    : model.dof_default()[d];
  }
  const msk::State x0 = msk::make_initial_state(model, angles);
  msk::Data data = msk::make_data(model);
  const msk::Drive drive;
  msk::compute_derivatives(model, drive, x0.time, x0.x, data);  // warm: first-call effects
  std::uint64_t allocations = 0;
  {
    const msk_bench::AllocationCount count;
    for (auto _ : state) {
      msk::compute_derivatives(model, drive, x0.time, x0.x, data);
      benchmark::DoNotOptimize(data.xdot.data());
      benchmark::ClobberMemory();
    }
    allocations = count.count();
  }
  state.counters["n_states"] = model.layout().n_states;
  state.counters["n_muscles"] = model.n_muscles();
  state.counters["allocs_per_call"] =
      static_cast<double>(allocations) /
      static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
  state.counters["ns_per_100_muscles"] = benchmark::Counter(
      1e-9 * std::max(1, model.n_muscles()) / 100.0,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::vector<std::unique_ptr<Scenario>> scenarios = make_scenarios();
  const std::vector<std::unique_ptr<Scenario>> peers = make_peer_scenarios();
  std::vector<std::unique_ptr<Scenario>> spines;
  for (const char* name : {"lumbar", "cervical"}) {
    auto s = std::make_unique<Scenario>();
    s->name = name;
    s->model = msk::load_model(kModelsDir + "/" + name + ".yaml");
    spines.push_back(std::move(s));
  }
  for (const auto& scenario : scenarios) {
    for (const char* stepper : {"dopri5", "rosenbrock4"}) {
      benchmark::RegisterBenchmark(
          ("episode/" + scenario->name + "/" + stepper).c_str(),
          [&s = *scenario, stepper](benchmark::State& state) { BM_Episode(state, s, stepper); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  using List = std::vector<std::unique_ptr<Scenario>>;
  for (const List* list : {&scenarios, static_cast<const List*>(&spines)}) {
    for (const auto& scenario : *list) {
      benchmark::RegisterBenchmark(("rhs/" + scenario->name).c_str(),
                                   [&s = *scenario](benchmark::State& state) { BM_Rhs(state, s); });
    }
  }
  for (const auto& scenario : peers) {
    for (const char* stepper : {"dopri5", "rosenbrock4"}) {
      if (scenario->name == "arm26") {
        for (double rtol : {1e-3, 1e-4, 1e-5, 1e-6, 1e-7}) {
          char name[128];
          std::snprintf(name, sizeof name, "peer/arm26/%s/rtol:%g", stepper, rtol);
          benchmark::RegisterBenchmark(name,
                                       [&s = *scenario, stepper, rtol](benchmark::State& st) {
                                         BM_Episode(st, s, stepper, rtol);
                                       })
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime();
        }
        continue;
      }
      // rosenbrock4 factors a dense n_states x n_states matrix per step: 645 states for the
      // lumbar model make that seconds per episode (bench/README.md, "Steppers").
      if (scenario->name == "lumbar_pir" && std::string(stepper) == "rosenbrock4") continue;
      benchmark::RegisterBenchmark(
          ("peer/" + scenario->name + "/" + stepper).c_str(),
          [&s = *scenario, stepper](benchmark::State& state) { BM_Episode(state, s, stepper); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
