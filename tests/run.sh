#!/usr/bin/env bash
# Installs what agentmetrics needs, builds it and runs every test: the normal build, then the
# same suites under AddressSanitizer+UndefinedBehaviorSanitizer and under ThreadSanitizer.
# Set AGENTMETRICS_SKIP_SANITIZERS=1 to run the normal build only.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
jobs=$(nproc)

run_suite() {
  local dir=$1
  shift
  echo "== building ${dir} ($*)"
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "== testing ${dir}"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure --timeout 300
}

run_suite build -DCMAKE_BUILD_TYPE=Release -DAGENTMETRICS_TESTS=ON -DAGENTMETRICS_BENCH=ON
if [ "${AGENTMETRICS_SKIP_SANITIZERS:-0}" != 1 ]; then
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DAGENTMETRICS_SANITIZE=ON -DAGENTMETRICS_BENCH=OFF
  run_suite build-tsan -DCMAKE_BUILD_TYPE=Debug -DAGENTMETRICS_TSAN=ON -DAGENTMETRICS_BENCH=OFF
fi
echo "== all test suites passed"
