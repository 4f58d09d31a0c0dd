// bench/bench_spine.cpp — posture equilibrium of the bundled lumbar model and its QP.
//
//   qp/<n>x<m>              one solve_effort_qp of n muscles and m balanced joints (the lumbar
//                           model's size: 105 x 5), random moment arms, from a cold start (all
//                           activations at their floors) and warm (from the previous solution)
//   segment                 one spine::compute_segment (the L4-L5 level at 500 N, 2 deg flexion)
//   equilibrium/<posture>/<mode>  one solve_equilibrium of models/lumbar.yaml, modes fixed and
//                           rhythm side by side
// Counters: qp_iterations (active-set changes of solve_effort_qp; for the equilibria, Newton steps
// of solve_effort_qp_dual) and load_iterations (passive-moment fixed point).
#include <benchmark/benchmark.h>

#include <limits>
#include <random>
#include <string>

#include "msk/model/model.hpp"
#include "msk/sim/effort_qp.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/spine/segment.hpp"

namespace {

const msk::Model& lumbar() {
  static const msk::Model model = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml");
  return model;
}

struct Qp {
  Eigen::VectorXd h, b, lower, upper, x0;
  Eigen::MatrixXd e;
};

/// A static-optimisation QP of the lumbar model's size: n muscles (moment arms of +-5 cm, up to
/// 600 N per unit activation, some levels not crossed), m joints with reserves, demands of tens
/// of newton metres.
Qp make_qp(int n, int m, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Qp q;
  const int nx = n + m;
  q.h.resize(nx);
  q.lower.resize(nx);
  q.upper.resize(nx);
  q.e.setZero(m, nx);
  q.b.resize(m);
  for (int i = 0; i < n; ++i) {
    q.h[i] = 2.0;
    q.lower[i] = 0.0;
    q.upper[i] = 1.0;
    const double force = 300.0 * (1.0 + u(rng));
    for (int j = 0; j < m; ++j)
      if (u(rng) > -0.4) q.e(j, i) = 0.05 * u(rng) * force;
  }
  for (int j = 0; j < m; ++j) {
    q.h[n + j] = 2e4;
    q.lower[n + j] = -std::numeric_limits<double>::infinity();
    q.upper[n + j] = std::numeric_limits<double>::infinity();
    q.e(j, n + j) = 1.0;
    q.b[j] = 40.0 * u(rng);
  }
  q.x0 = Eigen::VectorXd::Zero(nx);
  q.x0.tail(m) = q.b;
  return q;
}

void BM_QpCold(benchmark::State& state) {
  const Qp q = make_qp(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 3);
  double iterations = 0.0;
  for (auto _ : state) {
    const msk::EffortQpResult r = msk::solve_effort_qp(q.h, q.e, q.b, q.lower, q.upper, q.x0);
    iterations = r.iterations;
    benchmark::DoNotOptimize(r.x.data());
  }
  state.counters["qp_iterations"] = iterations;
}
BENCHMARK(BM_QpCold)->Args({105, 5})->Args({210, 5})->Args({30, 7})->Name("qp/cold");

void BM_QpWarm(benchmark::State& state) {
  Qp q = make_qp(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 3);
  const msk::EffortQpResult first = msk::solve_effort_qp(q.h, q.e, q.b, q.lower, q.upper, q.x0);
  // A nearby problem (demands 1 % different), started from the first solution.
  const Eigen::VectorXd b2 = q.b * 1.01;
  Eigen::VectorXd x0 = first.x;
  const int n = static_cast<int>(state.range(0));
  x0.tail(q.b.size()) = b2 - q.e.leftCols(n) * first.x.head(n);
  double iterations = 0.0;
  for (auto _ : state) {
    const msk::EffortQpResult r = msk::solve_effort_qp(q.h, q.e, b2, q.lower, q.upper, x0);
    iterations = r.iterations;
    benchmark::DoNotOptimize(r.x.data());
  }
  state.counters["qp_iterations"] = iterations;
}
BENCHMARK(BM_QpWarm)->Args({105, 5})->Name("qp/warm");

void BM_QpUnconstrainedStart(benchmark::State& state) {
  const Qp q = make_qp(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 3);
  msk::EffortQpOptions o;
  o.start_unconstrained = true;
  double iterations = 0.0;
  for (auto _ : state) {
    const msk::EffortQpResult r = msk::solve_effort_qp(q.h, q.e, q.b, q.lower, q.upper, q.x0, o);
    iterations = r.iterations;
    benchmark::DoNotOptimize(r.x.data());
  }
  state.counters["qp_iterations"] = iterations;
}
BENCHMARK(BM_QpUnconstrainedStart)
    ->Args({105, 5})
    ->Args({210, 5})
    ->Args({30, 7})
    ->Name("qp/unconstrained_start");

void BM_Segment(benchmark::State& state) {
  const msk::Model& m = lumbar();
  const msk::spine::SegmentParams& p = m.segment_params().at(m.find_segment("L4-L5"));
  msk::spine::SegmentLoads out;
  for (auto _ : state) {
    msk::spine::compute_segment(p, 0.035, 500.0, 50.0, 1.0, out);
    benchmark::DoNotOptimize(out.disc_force);
  }
}
BENCHMARK(BM_Segment)->Name("segment");

using Solver = msk::EquilibriumResult (*)(const msk::Model&, const msk::Posture&,
                                          const msk::EquilibriumOptions&);

void BM_Equilibrium(benchmark::State& state, const char* posture, msk::PostureMode mode,
                    Solver solve) {
  const msk::Model& m = lumbar();
  const msk::Posture p = msk::posture_preset(posture);
  msk::EquilibriumOptions o;
  o.mode = mode;
  msk::EquilibriumResult r;
  for (auto _ : state) {
    r = solve(m, p, o);
    benchmark::DoNotOptimize(r.effort);
  }
  state.counters["qp_iterations"] = r.qp_iterations;
  state.counters["load_iterations"] = r.load_iterations;
  state.counters["relax_iterations"] = r.relax_iterations;
  state.counters["L4L5_compression_N"] = r.segments.at(1).compression;
}

}  // namespace

BENCHMARK_CAPTURE(BM_Equilibrium, standing_fixed, "standing_relaxed", msk::PostureMode::Fixed,
                  msk::solve_equilibrium)
    ->Name("equilibrium/standing_relaxed/fixed")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Equilibrium, standing_rhythm, "standing_relaxed", msk::PostureMode::Rhythm,
                  msk::solve_equilibrium)
    ->Name("equilibrium/standing_relaxed/rhythm")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Equilibrium, lift_fixed, "lift_round_back", msk::PostureMode::Fixed,
                  msk::solve_equilibrium)
    ->Name("equilibrium/lift_round_back/fixed")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Equilibrium, lift_rhythm, "lift_round_back", msk::PostureMode::Rhythm,
                  msk::solve_equilibrium)
    ->Name("equilibrium/lift_round_back/rhythm")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
