#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan + UBSan) in build-fuzz/ and runs each for a
# bounded time from its seed corpus (tests/fuzz/corpus/<target>/). Fails on any crash, leak,
# undefined behaviour, timeout (an input taking more than 5 s), out-of-memory (2 GiB) or an
# exception that is not an msk::Error; the input is then in build-fuzz/artifacts/<target>/.
#   scripts/fuzz.sh                 every target, MSK_FUZZ_SECONDS (default 30) seconds each
#   scripts/fuzz.sh opensim 600     one target for 10 minutes
# New inputs go to build-fuzz/corpus/<target>/ (kept between runs), never to the seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
targets=(model_yaml results_reader opensim)
[ $# -ge 1 ] && targets=("$1")
seconds=${2:-${MSK_FUZZ_SECONDS:-30}}

# -O2 with assertions on (no NDEBUG): the fuzzers should trip Eigen's and the library's checks.
CXX=${MSK_FUZZ_CXX:-clang++} cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g" -DMSK_BUILD_FUZZ=ON -DMSK_BUILD_TESTS=OFF \
  -DBUILD_SHARED_LIBS=OFF > build-fuzz-configure.log || { cat build-fuzz-configure.log; exit 1; }
cmake --build build-fuzz -j "$jobs" --target "${targets[@]/#/fuzz_}"

# The results reader hands arbitrary bytes to the system HDF5 library (Debian 12: 1.10.8), whose
# own parser crashes and leaks on some corrupted files: faults inside HDF5 that msk cannot fix
# (docs/guide/build.md, "Fuzzing"). That target runs in fork mode, which goes on after a fault;
# each fault is then replayed and attributed by the first frame of its report that is HDF5 or msk
# code: HDF5 faults are counted and kept in build-fuzz/artifacts/results_reader/hdf5/, any other
# fault fails the run like a fault of the other targets.
classify() {  # classify BINARY INPUT -> prints "hdf5", "msk" or "none" (no fault on replay)
  local report
  if report=$(ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
              "$1" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024 "$2" 2>&1); then
    echo none
    return
  fi
  local frame
  frame=$(grep -E '^ +#[0-9]+ ' <<< "$report" \
          | grep -m1 -E 'libhdf5|libmsk/(src|include)/|tests/fuzz/[a-z_]+\.(cpp|hpp)' || true)
  if [[ "$frame" == *libhdf5* ]]; then echo hdf5; else echo msk; fi
}

status=0
summary=()
for target in "${targets[@]}"; do
  work=build-fuzz/corpus/$target
  artifacts=build-fuzz/artifacts/$target
  log=build-fuzz/fuzz-$target.log
  binary=build-fuzz/tests/fuzz/fuzz_$target
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  fork=()
  [ "$target" = results_reader ] && fork=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
                                            -malloc_limit_mb=1024)
  echo "fuzz: $target for ${seconds} s (log: $log)"
  start=$(date +%s)
  result=ok
  if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
         "${fork[@]}" -artifact_prefix="$artifacts/" "$work" "tests/fuzz/corpus/$target" \
         > "$log" 2>&1; then
    result=FAILED
  fi
  elapsed=$(( $(date +%s) - start ))
  hdf5=0
  msk=0
  none=0
  if [ ${#fork[@]} -gt 0 ]; then
    result=ok
    mkdir -p "$artifacts/hdf5"
    for input in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
      [ -f "$input" ] || continue
      kind=$(classify "$binary" "$input")
      if [ "$kind" = hdf5 ]; then
        hdf5=$((hdf5 + 1))
        mv "$input" "$artifacts/hdf5/"
      elif [ "$kind" = none ]; then
        # A timeout on a loaded machine that a replay does not reproduce.
        none=$((none + 1))
        echo "fuzz: $target: not reproduced on replay (kept): $input"
      else
        msk=$((msk + 1))
        result=FAILED
        echo "fuzz: $target: a fault outside HDF5: $input"
      fi
    done
    runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  else
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  fi
  if [ "$result" != ok ]; then
    status=1
    grep -E "ERROR|SUMMARY|contract broken|Test unit written" "$log" | head -20 || true
  fi
  line=$(printf '%-15s %-6s %10s executions in %4s s' "$target" "$result" "${runs:-?}" "$elapsed")
  [ ${#fork[@]} -gt 0 ] && line+=" ($hdf5 faults inside HDF5, $msk elsewhere, $none not reproduced)"
  summary+=("$line")
done
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit $status
