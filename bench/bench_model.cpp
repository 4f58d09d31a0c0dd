// bench/bench_model.cpp — changing parameters of a compiled model (issue target: 200 parameters
// of the lumbar model in at most 10 us) against recompiling its text with overrides.
//
//   with_parameters/refs/<n>   Model::with_parameters with n pre-resolved ParameterRefs (per-muscle
//                              optimal fibre lengths and tendon slack lengths, per-level disc
//                              heights and hydrations, tone gains)
//   with_parameters/names/<n>  the same by name (each name resolved on the call)
//   with_overrides/<n>         load_model_text of the model's text with the same n overrides
// Counter: parameters per call.
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "msk/model/model.hpp"

namespace {

const msk::Model& lumbar() {
  static const msk::Model model = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml");
  return model;
}

/// n parameter changes spread over muscles (L_opt, L_s, tone gain) and levels (disc height,
/// hydration), each a few per cent off the model's value.
std::map<std::string, double> changes(int n) {
  const msk::Model& m = lumbar();
  std::map<std::string, double> out;
  int i = 0;
  while (static_cast<int>(out.size()) < n) {
    const int muscle = i % m.n_muscles();
    const std::string p = "muscles." + m.muscle_names()[static_cast<std::size_t>(muscle)] + ".";
    const auto& mp = m.muscle_params()[static_cast<std::size_t>(muscle)];
    switch ((i / m.n_muscles()) % 3) {
      case 0:
        out[p + "optimal_fibre_length"] = mp.optimal_fibre_length * 1.03;
        break;
      case 1:
        out[p + "tendon_slack_length"] = mp.tendon_slack_length * 0.98;
        break;
      default:
        out[p + "tone.gain"] = 3.0;
    }
    if (i < 2 * m.n_segments()) {
      const int k = i / 2;
      const std::string s = "segments." + m.segment_names()[static_cast<std::size_t>(k)] + ".";
      if (i % 2 == 0)
        out[s + "disc.height"] = m.segment_params()[static_cast<std::size_t>(k)].disc.height * 0.95;
      else
        out[s + "hydration"] = 0.8;
    }
    ++i;
  }
  while (static_cast<int>(out.size()) > n)
    out.erase(std::prev(out.end()));
  return out;
}

void with_parameters_refs(benchmark::State& state) {
  const msk::Model& m = lumbar();
  std::vector<std::pair<msk::ParameterRef, double>> refs;
  for (const auto& [name, value] : changes(static_cast<int>(state.range(0))))
    refs.emplace_back(m.parameter(name), value);
  for (auto _ : state) {
    msk::Model changed = m.with_parameters(refs);
    benchmark::DoNotOptimize(changed);
  }
  state.counters["parameters"] = static_cast<double>(refs.size());
}
BENCHMARK(with_parameters_refs)->Name("with_parameters/refs")->Arg(20)->Arg(200);

void with_parameters_names(benchmark::State& state) {
  const msk::Model& m = lumbar();
  const auto c = changes(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    msk::Model changed = m.with_parameters(c);
    benchmark::DoNotOptimize(changed);
  }
  state.counters["parameters"] = static_cast<double>(c.size());
}
BENCHMARK(with_parameters_names)->Name("with_parameters/names")->Arg(20)->Arg(200);

void with_overrides(benchmark::State& state) {
  const msk::Model& m = lumbar();
  msk::LoadOptions o;
  for (const auto& [name, value] : changes(static_cast<int>(state.range(0))))
    o.overrides[name] = std::to_string(value);
  for (auto _ : state) {
    msk::Model changed = msk::load_model_text(m.text(), m.file(), o);
    benchmark::DoNotOptimize(changed);
  }
  state.counters["parameters"] = static_cast<double>(o.overrides.size());
}
BENCHMARK(with_overrides)->Name("with_overrides")->Arg(200)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
