#!/usr/bin/env bash
# Installs what agentmetrics needs, builds it and runs every test: the normal build, then the
# same suites under AddressSanitizer+UndefinedBehaviorSanitizer, then the tests of concurrent
# code under ThreadSanitizer.
# Set AGENTMETRICS_SKIP_SANITIZERS=1 to run the normal build only.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
jobs=$(nproc)

# run_suite DIR TARGET CTEST_ARGS CMAKE_ARGS...: builds TARGET in DIR and runs its tests.
run_suite() {
  local dir=$1 target=$2 select=$3
  shift 3
  echo "== building ${dir} (${target}; $*)"
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" --target "$target"
  echo "== testing ${dir} ${select}"
  # shellcheck disable=SC2086 # $select is a list of ctest arguments
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure --timeout 300 $select
}

run_suite build all "" -DCMAKE_BUILD_TYPE=Release -DAGENTMETRICS_TESTS=ON -DAGENTMETRICS_BENCH=ON
if [ "${AGENTMETRICS_SKIP_SANITIZERS:-0}" != 1 ]; then
  run_suite build-asan all "" -DCMAKE_BUILD_TYPE=Debug -DAGENTMETRICS_SANITIZE=ON -DAGENTMETRICS_BENCH=OFF
  # ThreadSanitizer looks for races: the tests of threaded and multi-process code (label
  # "concurrent", see tests/CMakeLists.txt).
  run_suite build-tsan concurrent_tests "-L concurrent" -DCMAKE_BUILD_TYPE=Debug -DAGENTMETRICS_TSAN=ON -DAGENTMETRICS_BENCH=OFF
fi
echo "== all test suites passed"
