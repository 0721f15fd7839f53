#!/usr/bin/env bash
# Installs what agentmetrics needs, builds it and runs every test: unit and integration tests
# with real processes, a real Prometheus and Alertmanager, the MCP SDK and Bun from the npm
# registry, the short fault and soak tests, then each fuzz target for a few seconds.
#
#   tests/run.sh                    # the suite (about 18 minutes on 2 cores from a clean checkout)
#   tests/run.sh --with-sanitizers  # then the same tests under ASan+UBSan (but the soak), and
#                                   # the tests of concurrent code under TSan (what CI runs;
#                                   # about 46 minutes on 2 cores from a clean checkout)
#
# AGENTMETRICS_FUZZ_SECONDS (default 5) is the time per fuzz target, 0 to skip fuzzing.
# tests/long.sh runs the long versions of the reliability tests.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=0
case "${1:-}" in
  "") ;;
  --with-sanitizers) sanitizers=1 ;;
  *) echo "usage: tests/run.sh [--with-sanitizers]" >&2; exit 2 ;;
esac

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

run_suite build all "" -DCMAKE_BUILD_TYPE=Release -DAGENTMETRICS_TESTS=ON -DAGENTMETRICS_BENCH=OFF
fuzz_seconds=${AGENTMETRICS_FUZZ_SECONDS:-5}
if [ "$fuzz_seconds" != 0 ]; then
  tests/fuzz/run.sh "$fuzz_seconds"
fi
if [ "$sanitizers" = 1 ]; then
  # The soak measures the daemon's memory, which a sanitizer's own would drown; it ran above.
  run_suite build-asan all "-LE soak" -DCMAKE_BUILD_TYPE=Debug -DAGENTMETRICS_SANITIZE=ON -DAGENTMETRICS_BENCH=OFF
  # ThreadSanitizer looks for races: the tests of threaded and multi-process code (label
  # "concurrent", see tests/CMakeLists.txt).
  run_suite build-tsan concurrent_tests "-L concurrent" -DCMAKE_BUILD_TYPE=Debug -DAGENTMETRICS_TSAN=ON -DAGENTMETRICS_BENCH=OFF
fi
echo "== all test suites passed"
