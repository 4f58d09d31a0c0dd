#!/usr/bin/env bash
# Sets everything up and runs every test: the C++ suite (ctest: GoogleTest, format check, a
# find_package consumer) and the Python suite (pytest, notebooks executed).
#   scripts/test.sh             all tests
#   scripts/test.sh --sanitize  the C++ suite built with AddressSanitizer + UBSan (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

if [ "${1:-}" = "--sanitize" ]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMSK_SANITIZE=ON \
    -DMSK_BUILD_TESTS=ON
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j "$jobs" --output-on-failure
  exit 0
fi

# C++: build and ctest
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMSK_BUILD_TESTS=ON \
  -DPython_EXECUTABLE="$PWD/.venv/bin/python" > build-configure.log || { cat build-configure.log; exit 1; }
cmake --build build -j "$jobs"
PATH="$PWD/.venv/bin:$PATH" ctest --test-dir build -j "$jobs" --output-on-failure

# Python: install the package, run pytest and execute the notebooks
scripts/install_python.sh
notebooks=()
[ -d examples/notebooks ] && mapfile -t notebooks < <(ls examples/notebooks/*.ipynb 2>/dev/null || true)
MPLBACKEND=Agg .venv/bin/python -m pytest -q tests/python ${notebooks[@]:+--nbmake "${notebooks[@]}"}
