#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz and runs each for
# SECONDS (default 20), one after the other, starting from the committed corpus.
#   tests/fuzz/run.sh 5             # what tests/run.sh (CI) runs
#   tests/fuzz/run.sh 600           # longer, on demand (tests/long.sh runs 600 per target)
#   FUZZ_TARGETS="segment sarif" tests/fuzz/run.sh 60
# New inputs go to build-fuzz/fuzz-corpus/<target>/ (not the source tree); a crash leaves its
# input as build-fuzz/fuzz-artifacts/<target>/crash-* and makes this script fail. To keep an
# input as a regression test, copy it into tests/fuzz/corpus/<target>/ (every build replays
# that corpus: ctest -L fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-20}
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=${FUZZ_TARGETS:-"segment string_table outcome_event junit lcov cobertura sarif config webhook otlp_metrics"}
jobs=${FUZZ_BUILD_JOBS:-$(nproc)}
# FUZZ_CC / FUZZ_CXX choose another clang.
cc=${FUZZ_CC:-clang}
cxx=${FUZZ_CXX:-clang++}

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DAGENTMETRICS_FUZZ=ON -DAGENTMETRICS_BENCH=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_targets

declare -A dictionary=([junit]=xml [cobertura]=xml [sarif]=json [config]=yaml [webhook]=json)
failed=()
for target in $targets; do
  corpus="$build/fuzz-corpus/$target"
  artifacts="$build/fuzz-artifacts/$target"
  if [ ! -x "$build/tests/fuzz_$target" ]; then
    echo "== $target: no such fuzz target"
    failed+=("$target")
    continue
  fi
  mkdir -p "$corpus" "$artifacts"
  args=(-max_total_time="$seconds" -print_funcs=0 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/")
  if [ -n "${dictionary[$target]:-}" ]; then args+=(-dict="tests/fuzz/${dictionary[$target]}.dict"); fi
  echo "== fuzzing $target for ${seconds}s"
  # The first directory receives new inputs; the committed corpus seeds it.
  if ! "$build/tests/fuzz_$target" "${args[@]}" "$corpus" "tests/fuzz/corpus/$target" >"$build/fuzz-$target.log" 2>&1; then
    failed+=("$target")
    tail -n 60 "$build/fuzz-$target.log"
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ +DONE" "$build/fuzz-$target.log" | tr '\n' ' ' || true
  echo
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "== fuzzing found problems in: ${failed[*]} (inputs in $build/fuzz-artifacts/)"
  exit 1
fi
echo "== fuzzing: no crash, sanitizer report or hang in $targets"
