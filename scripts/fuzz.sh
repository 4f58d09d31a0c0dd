#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan + UBSan) in build-fuzz/ and runs each for a
# bounded time from its seed corpus (tests/fuzz/corpus/<target>/), then judges what it found.
#   scripts/fuzz.sh                 every target, MSK_FUZZ_SECONDS (default 30) seconds each
#   scripts/fuzz.sh opensim 600     one target for 10 minutes
# New inputs go to build-fuzz/corpus/<target>/ (kept between runs), never to the seed corpus.
#
# Every target runs in libFuzzer's fork mode, which goes on after a fault, so that the whole time
# is spent fuzzing; each input that made a fault is left in build-fuzz/artifacts/<target>/ and
# judged afterwards, never by the fuzzer's exit status alone:
#   - crash-*, oom-*, leak-* (a crash, leak, undefined behaviour, more than 1 GiB in one allocation
#     or 2 GiB in all, an exception that is not an msk::Error): the input is replayed (up to three
#     times) and the fault attributed by the first frame of the replay's stack (for a leak, of
#     every leaked block's stack) that is either msk's own code or a compiled third-party library
#     (HDF5, yaml-cpp, pugixml); the sanitizers', libFuzzer's and the C/C++ runtimes' frames are
#     skipped, and header code inlined in msk (Eigen, Boost, the standard library, yaml-cpp's
#     templates) is followed by the msk frame that called it, so it counts as msk's. It fails the
#     run unless that frame is a third-party library's, in which case it is reported with that
#     frame and the msk frame that called into the library, and moved to
#     build-fuzz/artifacts/<target>/third_party/. A fault that does not replay, or whose stack
#     has no such frame, fails the run: it cannot be explained away.
#   - timeout-*, slow-unit-* (an input taking more than 5 s): reported, not failing, with the
#     reason: whether its replay takes 5 s of CPU time again (a slow input, with the frame it was
#     in) or not (the machine was loaded; the load average is printed).
#   - a fuzzer that exits non-zero and leaves no input behind fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
targets=(model_yaml results_reader opensim)
[ $# -ge 1 ] && targets=("$1")
seconds=${2:-${MSK_FUZZ_SECONDS:-30}}
limits=(-timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=1024)
max_timeout_replays=5  # timeouts replayed per target (each may take the full 5 s)

# -O2 with assertions on (no NDEBUG): the fuzzers should trip Eigen's and the library's checks.
CXX=${MSK_FUZZ_CXX:-clang++} cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g" -DMSK_BUILD_FUZZ=ON -DMSK_BUILD_TESTS=OFF \
  -DBUILD_SHARED_LIBS=OFF > build-fuzz-configure.log || { cat build-fuzz-configure.log; exit 1; }
cmake --build build-fuzz -j "$jobs" --target "${targets[@]/#/fuzz_}"

# Compiled libraries of other projects the targets call, by the module a stack frame names, and
# the name to report them by. The system HDF5 (Debian 12: 1.10.8, not instrumented) has known
# faults on corrupted files (docs/guide/build.md, "Fuzzing").
third_party_name() {  # third_party_name FRAME -> prints the library's name, or nothing
  case "$1" in
    *libhdf5*) echo HDF5 ;;
    *libyaml-cpp*) echo yaml-cpp ;;
    *libpugixml*) echo pugixml ;;
  esac
}

# The stacks of a report to attribute, one frame per line with a blank line between stacks: every
# leaked block's allocation stack for a leak report, else the first stack (the fault's).
fault_stacks() {  # fault_stacks REPORT_FILE
  awk '
    /LeakSanitizer: detected memory leaks/ { leak = 1 }
    leak && /(Direct|Indirect) leak of .* allocated from:/ { want = 1; next }
    /^ +#[0-9]+ / {
      if (!leak) {
        if ($1 == "#0" && ++stack > 1) exit
        print
      } else if (want) print
      next
    }
    leak && want { print ""; want = 0 }
  ' "$1"
}

# msk's own source lines in a frame (libmsk and the fuzz targets). Frames of neither msk nor a
# third-party library (sanitizers, libFuzzer, the C and C++ runtimes, header code such as Eigen's
# or the standard library's inlined in msk) are skipped: the msk frame that called them follows.
msk_source='(libmsk/(src|include)|tests/fuzz)/[^ :]+\.(cpp|hpp):[0-9]+'

clean_frame() {  # clean_frame FRAME -> "#N function file:line" or "#N function (module+offset)"
  sed -E -e 's/ \(BuildId: [0-9a-f]+\)//' -e 's/^ *(#[0-9]+) 0x[0-9a-f]+ +(in )?/\1 /' \
    -e "s|$PWD/||g" -e 's|\(/([^ )]*/)?([^/ )]+\+0x[0-9a-f]+)\)|(\2)|' <<< "$1"
}

# Attributes a replay report. Prints one line, tab-separated:
#   third_party LIB FRAME NAMED VIA   every stack's first attributable frame lies in a
#                                     third-party library: the first one, its first frame with a
#                                     function name, and the msk frame that called into it;
#   msk FRAME                         a stack's first attributable frame is msk's;
#   unknown                           a stack has no attributable frame.
attribute() {  # attribute REPORT_FILE
  local stack line lib frame named via result="unknown"
  while IFS= read -r -d '' stack; do
    lib="" frame="" named="" via=""
    while IFS= read -r line; do
      if [ -z "$frame" ]; then
        # Skip the sanitizers', libFuzzer's, the C library's and header code's frames up to the
        # first frame of msk's own code or of a third-party library.
        lib=$(third_party_name "$line")
        if [ -z "$lib" ] && ! grep -qE "$msk_source" <<< "$line"; then continue; fi
        frame=$line
        if [ -z "$lib" ]; then
          printf 'msk\t%s\n' "$(clean_frame "$frame")"
          return
        fi
        if [[ "$line" == *" in "* ]]; then named=$line; fi
        continue
      fi
      if [ -z "$named" ] && [[ "$line" == *" in "* ]] && [ "$(third_party_name "$line")" = "$lib" ]
      then
        named=$line
      fi
      if [ -z "$via" ] && grep -qE "$msk_source" <<< "$line"; then via=$line; fi
    done <<< "$stack"
    if [ -z "$frame" ]; then
      echo unknown
      return
    fi
    if [ "$result" = unknown ]; then
      result=$(printf 'third_party\t%s\t%s\t%s\t%s' "$lib" "$(clean_frame "$frame")" \
               "$(clean_frame "${named:-$frame}")" "$(clean_frame "${via:-(no msk frame)}")")
    fi
  done < <(fault_stacks "$1" | awk 'BEGIN { RS = ""; ORS = "\0" } { print }')
  echo "$result"
}

# Replays one input; the report goes to REPORT_FILE. Returns the target's exit status.
replay() {  # replay BINARY INPUT REPORT_FILE
  ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:allocator_may_return_null=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$1" "${limits[@]}" "$2" > "$3" 2>&1
}

status=0
summary=()
report=$(mktemp)
timing=$(mktemp)
trap 'rm -f "$report" "$timing"' EXIT
for target in "${targets[@]}"; do
  work=build-fuzz/corpus/$target
  artifacts=build-fuzz/artifacts/$target
  log=build-fuzz/fuzz-$target.log
  binary=build-fuzz/tests/fuzz/fuzz_$target
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  echo "fuzz: $target for ${seconds} s (log: $log)"
  start=$(date +%s)
  exit_status=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$binary" -max_total_time="$seconds" "${limits[@]}" -print_final_stats=1 \
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -artifact_prefix="$artifacts/" "$work" "tests/fuzz/corpus/$target" > "$log" 2>&1 ||
    exit_status=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)

  result=ok
  third=0 faults=0 timeouts=0 timeouts_reproduced=0 timeout_replays=0
  shopt -s nullglob
  for input in "$artifacts"/crash-* "$artifacts"/oom-* "$artifacts"/leak-*; do
    name=$(basename "$input")
    verdict=none
    for attempt in 1 2 3; do
      if ! replay "$binary" "$input" "$report"; then
        verdict=$(attribute "$report")
        break
      fi
    done
    case "$verdict" in
      third_party*)
        IFS=$'\t' read -r _ lib frame named via <<< "$verdict"
        third=$((third + 1))
        mkdir -p "$artifacts/third_party"
        mv "$input" "$artifacts/third_party/"
        what=$(grep -m1 -oE '(ERROR: [A-Za-z]+: [^(]*[^( ]|runtime error: .*)' "$report" || true)
        echo "fuzz: $target: $name: a fault inside $lib, not msk's (${what:-a fault};" \
             "kept in $artifacts/third_party/)"
        echo "    at $frame"
        [ "$named" != "$frame" ] && echo "    in $named"
        echo "    called from $via"
        ;;
      msk*)
        faults=$((faults + 1))
        result=FAILED
        echo "fuzz: $target: $name: FAULT in msk: $(cut -f2- <<< "$verdict")"
        grep -E 'ERROR|SUMMARY|runtime error|contract broken' "$report" | head -5 |
          sed 's/^/    /' || true
        ;;
      unknown)
        faults=$((faults + 1))
        result=FAILED
        echo "fuzz: $target: $name: FAULT whose stack names no frame (not attributable):"
        grep -E 'ERROR|SUMMARY|runtime error|contract broken' "$report" | head -5 |
          sed 's/^/    /' || true
        ;;
      none)
        faults=$((faults + 1))
        result=FAILED
        echo "fuzz: $target: $name: FAULT that three replays do not reproduce: a crash that" \
             "does not replay is still a crash (what the run reported:)"
        grep -h -E 'ERROR|SUMMARY|runtime error|contract broken|deadly signal' "$log" | sort -u |
          head -5 | sed 's/^/    /' || true
        ;;
    esac
  done
  for input in "$artifacts"/timeout-* "$artifacts"/slow-unit-*; do
    name=$(basename "$input")
    timeouts=$((timeouts + 1))
    if [ "$timeout_replays" -ge "$max_timeout_replays" ]; then
      echo "fuzz: $target: $name: over 5 s in the run; not replayed (at most" \
           "$max_timeout_replays per target) — reported, not failing"
      continue
    fi
    timeout_replays=$((timeout_replays + 1))
    # Judged by the replay's CPU time, which a loaded machine does not inflate (the 5 s limit of
    # the run is wall-clock time).
    replay_status=0
    { TIMEFORMAT='%R %U %S'; time replay "$binary" "$input" "$report"; } 2> "$timing" ||
      replay_status=$?
    read -r wall user sys < "$timing"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
    load="load average $(cut -d' ' -f1 /proc/loadavg) on $jobs cores"
    where=""
    if [ "$replay_status" -ne 0 ]; then
      where=$(attribute "$report")
      case "$where" in
        msk*) where=", in $(cut -f2 <<< "$where")" ;;
        third_party*) where=", in $(cut -f4 <<< "$where") inside $(cut -f2 <<< "$where")" ;;
        *) where="" ;;
      esac
    fi
    if awk -v c="$cpu" 'BEGIN { exit !(c >= 5.0) }'; then
      timeouts_reproduced=$((timeouts_reproduced + 1))
      echo "fuzz: $target: $name: a slow input: $cpu s of CPU on replay$where ($load)" \
           "— reported, not failing"
    else
      echo "fuzz: $target: $name: over 5 s in the run but $cpu s of CPU on replay ($wall s" \
           "wall, $load): a loaded machine — reported, not failing"
    fi
  done
  shopt -u nullglob

  # A fuzzer that stopped with an error and left no input to judge.
  if [ "$exit_status" -ne 0 ] && [ $((third + faults + timeouts)) -eq 0 ]; then
    result=FAILED
    echo "fuzz: $target: the fuzzer exited with status $exit_status and left no input:"
    tail -20 "$log" | sed 's/^/    /'
  fi
  [ "$result" = ok ] || status=1
  line=$(printf '%-15s %-6s %10s executions in %4s s: %d faults in msk, %d inside third-party' \
         "$target" "$result" "${runs:-?}" "$elapsed" "$faults" "$third")
  line+=" libraries, $timeouts timeouts ($timeouts_reproduced reproduced)"
  summary+=("$line")
done
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit $status
