// bench/bench_lifetime.cpp — lifetime runs (issue target: ten years of one person in at most 1 s
// on one core, peak memory at most 200 MB).
//
//   lifetime/office_worker/<days>    msk::simulate_lifetime of the lumbar model under the bundled
//                                    office_worker scenario, results streamed to a file
//   lifetime/office_worker_nofile/<days>  the same without a file
//   lifetime/office_worker_fixed_posture/<days>  with the equilibria in the fixed posture mode
//                                    (the posture's angles exactly: no search over the levels)
// Counters: equilibria solved, cache hits, snapshots (models made by with_parameters) and the
// process's peak resident memory (getrusage ru_maxrss) after the run [MB].
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>

#include "msk/model/model.hpp"
#include "msk/sim/lifetime.hpp"
#include "msk/sim/scenario.hpp"

namespace {

const msk::Model& lumbar() {
  static const msk::Model model = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml");
  return model;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

void run(benchmark::State& state, bool file,
         msk::PostureMode mode = msk::EquilibriumOptions{}.mode) {
  const msk::Scenario scenario =
      msk::load_scenario(std::string(MSK_MODELS_DIR) + "/scenarios/office_worker.yaml");
  msk::LifetimeOptions options;
  options.duration_days = static_cast<double>(state.range(0));
  if (file) options.out = "bench_lifetime.h5";
  options.equilibrium.mode = mode;
  msk::LifetimeResult r;
  for (auto _ : state) {
    r = msk::simulate_lifetime(lumbar(), scenario, options);
    benchmark::DoNotOptimize(r.hydration.data());
  }
  state.counters["equilibria"] = r.n_equilibria;
  state.counters["cache_hits"] = r.n_cache_hits;
  state.counters["snapshots"] = r.n_snapshots;
  state.counters["peak_rss_MB"] = peak_rss_mb();
  if (file) std::remove("bench_lifetime.h5");
}

void BM_LifetimeOfficeWorker(benchmark::State& state) {
  run(state, true);
}
void BM_LifetimeOfficeWorkerNoFile(benchmark::State& state) {
  run(state, false);
}
void BM_LifetimeOfficeWorkerFixed(benchmark::State& state) {
  run(state, true, msk::PostureMode::Fixed);
}

}  // namespace

BENCHMARK(BM_LifetimeOfficeWorker)
    ->Name("lifetime/office_worker")
    ->Arg(365)
    ->Arg(3650)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK(BM_LifetimeOfficeWorkerNoFile)
    ->Name("lifetime/office_worker_nofile")
    ->Arg(3650)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK(BM_LifetimeOfficeWorkerFixed)
    ->Name("lifetime/office_worker_fixed_posture")
    ->Arg(3650)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK_MAIN();
