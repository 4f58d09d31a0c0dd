#!/usr/bin/env bash
# Every benchmark and peer comparison of msk in one run, and one table of figures and ratios.
#
#   bench/run.sh                 build (build-bench/, Release), run every Google Benchmark suite
#                                (5 repetitions, medians), the peers and the msk side through
#                                Python; print the table; save it all under bench/results/RUN/
#   bench/run.sh --quick         1 repetition, fewer peer repeats (a smoke run)
#   bench/run.sh --scaling       also measure cost against duration, muscles and people
#                                (bench/scaling.py; writes docs/images/scaling.png)
#
# Peers live in their own virtual environments, made here on first use and never msk's
# dependencies: bench/peers/.venv-scipy (numpy, scipy) and bench/peers/.venv-opensim
# (opensim==4.6 from PyPI; the OpenSim peer is skipped, with a message, when it cannot be
# installed). The msk side through Python needs the project's .venv with msk installed
# (scripts/install_python.sh); without it that part is skipped. Figures are CPU times: run on a
# quiet machine (the load is recorded before and after and printed with the table).
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5
peer_reps=5
scaling=0
for arg in "$@"; do
  case "$arg" in
    --quick) reps=1; peer_reps=1 ;;
    --scaling) scaling=1 ;;
    *) echo "usage: bench/run.sh [--quick] [--scaling]" >&2; exit 2 ;;
  esac
done

out="bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load)
echo "bench: results in $out (load average $load_before on $(nproc) cores)"
if awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5 * n) }'; then
  echo "bench: WARNING: the machine is busy (load $load_before): figures will be noisy" >&2
fi

# ---- build ----------------------------------------------------------------------------------
# MSK_BENCH_BUILD_DIR: the build folder (default build-bench/; an existing Release build with
# MSK_BUILD_BENCH=ON, such as build/, saves a build). MSK_BENCH_JOBS: parallel compile jobs (2).
bdir=${MSK_BENCH_BUILD_DIR:-build-bench}
args=(-DCMAKE_BUILD_TYPE=Release -DMSK_BUILD_BENCH=ON)
[ -f "$bdir/CMakeCache.txt" ] || args+=(-G Ninja -DMSK_BUILD_TESTS=OFF)
command -v ccache > /dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$bdir" "${args[@]}" > "$out/configure.log"
cmake --build "$bdir" -j "${MSK_BENCH_JOBS:-2}" > "$out/build.log"

# ---- Google Benchmark suites --------------------------------------------------------------------
for suite in bench_episode bench_muscle bench_spine bench_model; do
  echo "bench: $suite"
  "$bdir/bench/$suite" --benchmark_repetitions="$reps" \
    --benchmark_report_aggregates_only="$([ "$reps" -gt 1 ] && echo true || echo false)" \
    --benchmark_out="$out/$suite.json" --benchmark_out_format=json > "$out/$suite.txt"
done

# ---- peers, each in its own environment ---------------------------------------------------------
peer_env() {  # peer_env DIR PACKAGES...: a virtual environment with the packages, or fail
  local dir=$1; shift
  if [ ! -x "$dir/bin/python" ]; then
    python3 -m venv "$dir" || return 1
  fi
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@" || return 1
}
echo "bench: SciPy peer"
if peer_env bench/peers/.venv-scipy numpy scipy > "$out/venv-scipy.log" 2>&1; then
  bench/peers/.venv-scipy/bin/python bench/peers/elbow_scipy.py --repeat "$peer_reps" \
    --json "$out/scipy.json"
else
  echo "bench: SciPy peer skipped: could not install numpy and scipy (see $out/venv-scipy.log)"
fi
echo "bench: OpenSim peer"
if peer_env bench/peers/.venv-opensim "opensim==4.6" > "$out/venv-opensim.log" 2>&1; then
  bench/peers/.venv-opensim/bin/python bench/peers/arm26_opensim.py \
    --repeat "$([ "$peer_reps" -gt 3 ] && echo 3 || echo "$peer_reps")" --json "$out/opensim.json" \
    || echo "bench: OpenSim peer skipped: it did not run (see above)"
else
  echo "bench: OpenSim peer skipped: opensim==4.6 could not be installed (see $out/venv-opensim.log)"
fi

# ---- the msk side through Python ------------------------------------------------------------------
if [ -x .venv/bin/python ] && .venv/bin/python -c "import msk._core" 2> /dev/null; then
  echo "bench: msk through Python"
  .venv/bin/python bench/peers/msk_jobs.py --repeat "$peer_reps" --json "$out/msk_python.json"
  echo "bench: posture equilibria from Python"
  .venv/bin/python bench/equilibria.py --json "$out/equilibria_python.json"
  if [ "$scaling" -eq 1 ]; then
    echo "bench: scaling"
    .venv/bin/python bench/scaling.py --json "$out/scaling.json" --plot docs/images/scaling.png
  fi
else
  echo "bench: msk through Python skipped: no .venv with msk (run scripts/install_python.sh)"
fi

load_after=$(load)
python3 - "$out" "$load_before" "$load_after" <<'EOF'
import json, platform, subprocess, sys, datetime, os
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu,
           "nproc": os.cpu_count(), "load_before": sys.argv[2], "load_after": sys.argv[3],
           "platform": platform.platform(),
           "compiler": subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]},
          open(os.path.join(sys.argv[1], "machine.json"), "w"))
EOF
python3 bench/report.py "$out" | tee "$out/table.md"
