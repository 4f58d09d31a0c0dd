#!/usr/bin/env bash
# Sets everything up and runs every test:
#   1. the C++ suite (ctest: GoogleTest, format check, a find_package consumer), Release, build/;
#   2. the same GoogleTest suite built with AddressSanitizer + UBSan, build-asan/;
#   3. every fuzz target for a bounded time (scripts/fuzz.sh, clang, build-fuzz/);
#   4. the Python suite (pytest, notebooks executed).
#   scripts/test.sh             all of it
#   scripts/test.sh --sanitize  step 2 only
# MSK_FUZZ_SECONDS sets the time per fuzz target (default 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

step() { echo; echo "==== $* ($(( $(date +%s) - start )) s)"; }

sanitized_suite() {
  step "C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMSK_SANITIZE=ON \
    -DMSK_BUILD_TESTS=ON -DPython_EXECUTABLE="$PWD/.venv/bin/python" \
    > build-asan-configure.log || { cat build-asan-configure.log; exit 1; }
  cmake --build build-asan -j "$jobs"
  # Any report (memory error, leak, undefined behaviour) aborts the test that made it.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j "$jobs" --output-on-failure
}

if [ "${1:-}" = "--sanitize" ]; then
  sanitized_suite
  exit 0
fi

step "C++ tests (build/, Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMSK_BUILD_TESTS=ON \
  -DPython_EXECUTABLE="$PWD/.venv/bin/python" > build-configure.log || { cat build-configure.log; exit 1; }
cmake --build build -j "$jobs"
PATH="$PWD/.venv/bin:$PATH" ctest --test-dir build -j "$jobs" --output-on-failure

sanitized_suite

step "Fuzzing (build-fuzz/, ${MSK_FUZZ_SECONDS:-30} s per target)"
scripts/fuzz.sh

# Python: install the package, run pytest and execute the notebooks
step "Python tests"
scripts/install_python.sh
notebooks=()
[ -d examples/notebooks ] && mapfile -t notebooks < <(ls examples/notebooks/*.ipynb 2>/dev/null || true)
MPLBACKEND=Agg .venv/bin/python -m pytest -q tests/python ${notebooks[@]:+--nbmake "${notebooks[@]}"}
