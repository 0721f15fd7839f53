#!/usr/bin/env bash
# The long versions of the reliability tests (docs/reliability.md), one after the other:
#   1. the collector killed with SIGKILL under load and restarted, AGENTMETRICS_CRASH_ROUNDS times
#   2. producers killed with SIGKILL at random points, AGENTMETRICS_PRODUCER_KILLS times
#   3. the soak: producers attaching and detaching while Prometheus scrapes, SOAK_SECONDS long
#   4. every fuzz target for FUZZ_SECONDS each (clang, in build-fuzz)
# Defaults: 40 rounds, 300 kills, 1800 s of soak, 600 s per fuzz target (about 2 h in
# all on a 2-core machine, with the builds). Each can be set in the environment; a step set to 0 is skipped.
# Logs and figures go to $BUILD_DIR/long/ (BUILD_DIR defaults to build).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build}
rounds=${AGENTMETRICS_CRASH_ROUNDS:-40}
kills=${AGENTMETRICS_PRODUCER_KILLS:-300}
soak_seconds=${SOAK_SECONDS:-1800}
fuzz_seconds=${FUZZ_SECONDS:-600}
out="$build/long"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAGENTMETRICS_TESTS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target agentmetricsd test_producer outcome_producer crash_producer rogue_producer \
  store_crash_test producer_kill_test
mkdir -p "$out"
failed=()

step() {
  local name=$1
  shift
  echo "== $name: $*"
  local start=$SECONDS
  if "$@" >"$out/$name.log" 2>&1; then
    echo "   passed in $((SECONDS - start)) s"
  else
    echo "   FAILED in $((SECONDS - start)) s (see $out/$name.log)"
    tail -n 30 "$out/$name.log"
    failed+=("$name")
  fi
  grep -E "^kills=|^filled=|soak (passed|FAILED)|^stat::number_of_executed_units" "$out/$name.log" || true
}

if [ "$rounds" != 0 ]; then
  step collector-kills env AGENTMETRICS_CRASH_ROUNDS="$rounds" "$build/tests/store_crash_test"
fi
if [ "$kills" != 0 ]; then
  step producer-kills env AGENTMETRICS_PRODUCER_KILLS="$kills" "$build/tests/producer_kill_test"
fi
if [ "$soak_seconds" != 0 ]; then
  step soak python3 bench/soak.py --build "$build" --duration "$soak_seconds" --json "$out/soak.json"
fi
if [ "$fuzz_seconds" != 0 ]; then
  step fuzz tests/fuzz/run.sh "$fuzz_seconds"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "== long runs failed: ${failed[*]}"
  exit 1
fi
echo "== long runs passed"
