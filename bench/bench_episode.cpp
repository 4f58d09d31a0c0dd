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
// rhs/<scenario>: one compute_derivatives() at the scenario's initial state, nothing driven.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

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
};

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

// One whole episode per iteration (recording in memory, no HDF5 file).
void BM_Episode(benchmark::State& state, const Scenario& scenario, const char* stepper) {
  msk::EpisodeOptions options = scenario.options;
  options.stepper = stepper;
  msk::EpisodeStats stats;
  double simulated = 0.0;
  double final_angle = 0.0;
  for (auto _ : state) {
    const msk::EpisodeResult result =
        msk::simulate_episode(scenario.model, scenario.protocol, options);
    stats = result.stats;
    simulated = result.time.back() - result.time.front();
    final_angle = result.final_state.x[scenario.model.layout().q_offset];
  }
  // Episodes are deterministic: the counters of the last run are those of every run.
  state.counters["steps"] = static_cast<double>(stats.steps);
  state.counters["rhs_calls"] = static_cast<double>(stats.rhs_calls);
  state.counters["jacobian_calls"] = static_cast<double>(stats.jacobian_calls);
  state.counters["sim_s"] = simulated;
  state.counters["q_end_deg"] = final_angle * 180.0 / M_PI;
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
  for (auto _ : state) {
    msk::compute_derivatives(model, drive, x0.time, x0.x, data);
    benchmark::DoNotOptimize(data.xdot.data());
    benchmark::ClobberMemory();
  }
  state.counters["n_states"] = model.layout().n_states;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::vector<std::unique_ptr<Scenario>> scenarios = make_scenarios();
  for (const auto& scenario : scenarios) {
    for (const char* stepper : {"dopri5", "rosenbrock4"}) {
      benchmark::RegisterBenchmark(
          ("episode/" + scenario->name + "/" + stepper).c_str(),
          [&s = *scenario, stepper](benchmark::State& state) { BM_Episode(state, s, stepper); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  for (const auto& scenario : scenarios) {
    benchmark::RegisterBenchmark(("rhs/" + scenario->name).c_str(),
                                 [&s = *scenario](benchmark::State& state) { BM_Rhs(state, s); });
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
