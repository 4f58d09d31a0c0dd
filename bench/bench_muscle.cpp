// bench/bench_muscle.cpp — per-call cost of the muscle curves and of one muscle-tendon evaluation.
//
// Every benchmark cycles through a fixed table of inputs (one call per iteration), so the time per
// iteration is the time per call and no call can be folded into a constant. Curve sets run side by
// side: <name>/degroote2016 next to <name>/thelen2003.
// Muscle: TRIlong of the bundled elbow (pennated, 0.209 rad), as the model file gives it, with the
// curve set and tendon model of each benchmark.
// benchmark::DoNotOptimize only ever gets rvalues or const references: with GCC, its read-write
// form ("+m,r" in Google Benchmark 1.7) overwrote a double in these suites (google/benchmark#1340).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/muscle/muscle_tendon.hpp"

namespace {

namespace mm = msk::muscle;

constexpr std::size_t kSamples = 256;  // inputs per table; a power of two
constexpr std::size_t kMask = kSamples - 1;

// kSamples evenly spaced values on [lo, hi].
std::vector<double> sweep(double lo, double hi) {
  std::vector<double> values(kSamples);
  for (std::size_t i = 0; i < kSamples; ++i)
    values[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(kSamples - 1);
  return values;
}

mm::CurveParams curve_params(mm::CurveSet set) {
  mm::CurveParams params;
  params.set = set;
  params.thelen = mm::arm26_thelen_params();
  return params;
}

// TRIlong of the bundled elbow with the given curve set and tendon model.
mm::MuscleTendonParams trilong(mm::CurveSet set, mm::TendonModel tendon) {
  static const msk::Model elbow = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml");
  mm::MuscleTendonParams params = elbow.muscle_params().at(elbow.find_muscle("TRIlong"));
  params.curves = curve_params(set);
  params.tendon = tendon;
  mm::validate(params);
  return params;
}

// ---- Curves ------------------------------------------------------------------------------------

using Curve = double (*)(const mm::CurveParams&, double);

// One curve evaluation through the dispatcher (as the muscle-tendon unit calls it), inputs
// spread over [lo, hi].
void BM_Curve(benchmark::State& state, Curve curve, mm::CurveSet set, double lo, double hi) {
  const mm::CurveParams params = curve_params(set);
  const std::vector<double> x = sweep(lo, hi);
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(curve(params, x[i++ & kMask]));
}

// ---- Muscle-tendon unit ------------------------------------------------------------------------

// Full parameter check, as compile() runs it once per muscle.
void BM_Validate(benchmark::State& state, mm::CurveSet set, mm::TendonModel tendon) {
  const mm::MuscleTendonParams params = trilong(set, tendon);
  for (auto _ : state) {
    benchmark::DoNotOptimize(&params);
    mm::validate(params);
  }
}

// compute_rigid_tendon: MTU lengths from a fibre projection of 0.6 to 1.4 L_opt, velocities
// -0.5..0.5 m/s, activations 0..1, combined with co-prime strides.
void BM_RigidTendon(benchmark::State& state, mm::CurveSet set) {
  const mm::MuscleTendonParams p = trilong(set, mm::TendonModel::Rigid);
  const double lopt = p.optimal_fibre_length;
  const std::vector<double> mtu_length =
      sweep(p.tendon_slack_length + 0.6 * lopt, p.tendon_slack_length + 1.4 * lopt);
  const std::vector<double> mtu_velocity = sweep(-0.5, 0.5);
  const std::vector<double> activation = sweep(0.0, 1.0);
  mm::MuscleTendonState out;
  std::size_t i = 0;
  for (auto _ : state) {
    mm::compute_rigid_tendon(p, mtu_length[i & kMask], mtu_velocity[(7 * i) & kMask],
                             activation[(13 * i) & kMask], out);
    benchmark::DoNotOptimize(std::as_const(out).tendon_force);
    ++i;
  }
}

// One compliant-tendon input: MTU length [m], activation [1], fibre length [m].
struct CompliantInput {
  double mtu_length, activation, fibre_length;
};

// Near-equilibrium states as an integrator meets them: the equilibrium fibre length for each MTU
// length and activation, off by -1 % .. +1 % (fibre velocities of a few cm/s to m/s).
std::vector<CompliantInput> compliant_inputs(const mm::MuscleTendonParams& p) {
  const std::vector<double> mtu_length =
      sweep(p.tendon_slack_length * 1.01 + 0.7 * p.optimal_fibre_length,
            p.tendon_slack_length * 1.01 + 1.3 * p.optimal_fibre_length);
  const std::vector<double> activation = sweep(0.0, 1.0);
  const std::vector<double> offset = sweep(-0.01, 0.01);
  std::vector<CompliantInput> inputs(kSamples);
  for (std::size_t i = 0; i < kSamples; ++i) {
    const double mtu = mtu_length[i];
    const double a = activation[(7 * i) & kMask];
    const double l = mm::equilibrium_fibre_length(p, mtu, a) * (1.0 + offset[(13 * i) & kMask]);
    inputs[i] = {mtu, a, l};
  }
  return inputs;
}

// compute_compliant_tendon: fibre velocity from the damped equilibrium.
void BM_CompliantTendon(benchmark::State& state, mm::CurveSet set) {
  const mm::MuscleTendonParams p = trilong(set, mm::TendonModel::Compliant);
  const std::vector<CompliantInput> inputs = compliant_inputs(p);
  mm::MuscleTendonState out;
  std::size_t i = 0;
  for (auto _ : state) {
    const CompliantInput& in = inputs[i++ & kMask];
    benchmark::DoNotOptimize(
        mm::compute_compliant_tendon(p, in.mtu_length, 0.0, in.activation, in.fibre_length, out));
  }
}

// equilibrium_fibre_length: bisection to machine precision; with a moving MTU (mtu_velocity
// -0.5..0.5 m/s) the velocity share is refreshed up to 5 times.
void BM_EquilibriumFibreLength(benchmark::State& state, mm::CurveSet set, bool moving) {
  const mm::MuscleTendonParams p = trilong(set, mm::TendonModel::Compliant);
  const std::vector<CompliantInput> inputs = compliant_inputs(p);
  const std::vector<double> mtu_velocity = sweep(-0.5, 0.5);
  std::size_t i = 0;
  for (auto _ : state) {
    const CompliantInput& in = inputs[i & kMask];
    const double v = moving ? mtu_velocity[(11 * i) & kMask] : 0.0;
    benchmark::DoNotOptimize(mm::equilibrium_fibre_length(p, in.mtu_length, in.activation, v));
    ++i;
  }
}

void register_benchmarks() {
  using mm::CurveSet;
  using mm::TendonModel;
  const CurveSet sets[] = {CurveSet::DeGroote2016, CurveSet::Thelen2003};

  // Curves: normalised fibre length 0.5..1.5, velocity -1..1, force-velocity multiplier 0.05..1.7
  // (inside Thelen's domain (-af, flen)), tendon length 1..1.04 (slack to about F0).
  struct CurveCase {
    const char* name;
    Curve curve;
    double lo, hi;
  };
  const CurveCase curves[] = {
      {"active_force_length", &mm::active_force_length, 0.5, 1.5},
      {"active_force_length_derivative", &mm::active_force_length_derivative, 0.5, 1.5},
      {"passive_force_length", &mm::passive_force_length, 0.5, 1.5},
      {"force_velocity", &mm::force_velocity, -1.0, 1.0},
      {"force_velocity_derivative", &mm::force_velocity_derivative, -1.0, 1.0},
      {"force_velocity_inverse", &mm::force_velocity_inverse, 0.05, 1.7},
      {"tendon_force_length", &mm::tendon_force_length, 1.0, 1.04},
  };
  for (const CurveCase& c : curves) {
    for (CurveSet set : sets) {
      benchmark::RegisterBenchmark(
          (std::string("curve/") + c.name + "/" + mm::curve_set_name(set)).c_str(),
          [c, set](benchmark::State& state) { BM_Curve(state, c.curve, set, c.lo, c.hi); });
    }
  }

  // Muscle-tendon unit.
  for (TendonModel tendon : {TendonModel::Rigid, TendonModel::Compliant}) {
    for (CurveSet set : sets) {
      benchmark::RegisterBenchmark(
          (std::string("validate/") + mm::tendon_model_name(tendon) + "/" + mm::curve_set_name(set))
              .c_str(),
          [set, tendon](benchmark::State& state) { BM_Validate(state, set, tendon); });
    }
  }
  for (CurveSet set : sets) {
    benchmark::RegisterBenchmark((std::string("rigid_tendon/") + mm::curve_set_name(set)).c_str(),
                                 [set](benchmark::State& state) { BM_RigidTendon(state, set); });
  }
  for (CurveSet set : sets) {
    benchmark::RegisterBenchmark(
        (std::string("compliant_tendon/") + mm::curve_set_name(set)).c_str(),
        [set](benchmark::State& state) { BM_CompliantTendon(state, set); });
  }
  for (bool moving : {false, true}) {
    for (CurveSet set : sets) {
      benchmark::RegisterBenchmark((std::string("equilibrium_fibre_length/") +
                                    (moving ? "moving/" : "static/") + mm::curve_set_name(set))
                                       .c_str(),
                                   [set, moving](benchmark::State& state) {
                                     BM_EquilibriumFibreLength(state, set, moving);
                                   });
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
