#!/usr/bin/env bash
# Builds the benchmarks in Release and runs them, printing their results: the producer's cost
# per event (producer_bench), the scrape cost (exposition_bench), end-to-end throughput (also
# beside a CPU hog) and memory with real producer processes beside prometheus-cpp holding the
# same series (load_generator), the doorbell-to-drain wake-up latency (wakeup_bench), the idle
# CPU of the real daemon (idle_cpu, 60 s per wait mode, then 20 s with 600 idle segments of 256
# rings), `cm context` as a whole process on 10k rules and 100k past tasks (cm_context_bench),
# its recall@5 and nDCG@5 on the paraphrase set beside 0, 1k and 10k distractors, before and after
# feedback given with its tasks (retrieval_eval),
# the OTLP receiver beside the rings in one daemon (otlp_load), and the import of a 1M-message,
# 20k-session corpus of the agents' sessions beside ccusage and `cm context` over that history
# (session_import_bench), outcome events per second into SQLite beside one PostgreSQL shared by 1
# and 4 collectors (store_throughput, when the tests are built: it starts a real postgresql-15),
# each beside its peers or its yardsticks measured in the same run.
# docs/benchmarks.md says how to read them.
#
#   bench/run.sh            full runs (about 11 minutes, 4 of them idle_cpu)
#   bench/run.sh --quick    short runs: a smoke check of the benchmarks, not figures to quote
#
# AGENTMETRICS_BUILD_DIR picks the build directory (default: build, as in the README).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *)
    echo "usage: bench/run.sh [--quick]" >&2
    exit 2
    ;;
esac
build="${AGENTMETRICS_BUILD_DIR:-build}"

echo "== building ${build} (Release)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAGENTMETRICS_BENCH=ON >/dev/null
for target in agentmetricsd producer_bench exposition_bench load_generator prometheus_cpp_exporter wakeup_bench idle_cpu cm_context_bench retrieval_eval otlp_load session_import_bench; do
  cmake --build "$build" -j"$(nproc)" --target "$target"
done
# Needs the tests' PostgresServer: built when the tests are (the default).
if grep -q '^AGENTMETRICS_TESTS:BOOL=ON' "$build/CMakeCache.txt"; then
  cmake --build "$build" -j"$(nproc)" --target store_throughput
fi

if ((quick)); then
  producer_args=(--benchmark_min_time=0.05)
  exposition_args=(--benchmark_min_time=0.01 --benchmark_filter=/1000$)
  load_args=(--seconds 1 --producers 1,8 --series 1000)
  wakeup_args=(--benchmark_repetitions=1)
  idle_seconds=3
  cm_args=(--rules 1000 --tasks 10000 --runs 21)
  retrieval_args=(--distractors 0,1000)
  import_args=(--sessions 500 --messages 25000)
  imported_cm_args=(--rules 1000 --runs 21)
  otlp_seconds=1
  store_seconds=1
else
  producer_args=(--benchmark_min_time=0.3)
  exposition_args=(--benchmark_min_time=0.3)
  load_args=(--seconds 5)
  wakeup_args=() # its defaults: 9 interleaved repetitions, medians shown
  idle_seconds=60
  cm_args=() # its defaults: 10k rules, 100k tasks (generated once, kept in the build tree), 101 runs
  retrieval_args=(--keep retrieval-eval) # 0, 1k and 10k distractors (the stores built once, kept in the build tree)
  import_args=() # its defaults: 20k sessions, 1M messages (generated once, 2.9 GB in the build tree), 2 threads
  imported_cm_args=() # 10k rules added to the imported history, 101 runs
  otlp_seconds=5
  store_seconds=5
fi

echo
echo "== producer cost per event: ${build}/bench/producer_bench ${producer_args[*]}"
"${build}/bench/producer_bench" "${producer_args[@]}"
echo
echo "== scrape cost: ${build}/bench/exposition_bench ${exposition_args[*]}"
"${build}/bench/exposition_bench" "${exposition_args[@]}"
echo
echo "== end to end, as fast as producers can: ${build}/bench/load_generator ${load_args[*]}"
"${build}/bench/load_generator" "${load_args[@]}"
echo
echo "== end to end at the goals' rates: 30 M/s with the default rings (1048575 events), then with rings of 65535"
"${build}/bench/load_generator" "${load_args[@]}" --only throughput --producers 1 --rate 30000000
AGENTMETRICS_RING_EVENTS=65535 "${build}/bench/load_generator" "${load_args[@]}" --only throughput --producers 1 --rate 30000000
"${build}/bench/load_generator" "${load_args[@]}" --only throughput --producers 8 --rate 10000000
echo
echo "== 30 M/s beside a CPU hog: drain threads at real-time priority where permitted (the default), then at normal priority;"
echo "== each with the default rings (1048575 events), then with rings of 65535 (AGENTMETRICS_RING_EVENTS)"
normal_priority=$(mktemp)
printf 'collector:\n  drainPriority: normal\n' >"$normal_priority"
for config in "" "$normal_priority"; do
  for ring_events in "" 65535; do
    AGENTMETRICS_CONFIG="$config" AGENTMETRICS_RING_EVENTS="$ring_events" \
      "${build}/bench/load_generator" "${load_args[@]}" --only throughput --producers 1 --rate 30000000 --hog
  done
done
rm -f "$normal_priority"
echo
echo "== beside a CPU hog, lower rates: what a starved producer's ring holds on this machine"
for rate in 10000000 3000000; do
  "${build}/bench/load_generator" "${load_args[@]}" --only throughput --producers 1 --rate "$rate" --hog
done
echo
echo "== doorbell-to-drain wake-up latency: ${build}/bench/wakeup_bench ${wakeup_args[*]}"
"${build}/bench/wakeup_bench" "${wakeup_args[@]}"
echo
echo "== idle CPU of agentmetricsd: ${build}/bench/idle_cpu --seconds ${idle_seconds}"
"${build}/bench/idle_cpu" --seconds "$idle_seconds"
if [ -x "${build}/tests/segment_flood" ]; then # built with the tests (the default)
  echo
  echo "== idle CPU with 600 idle segments of 256 rings: ${build}/bench/idle_cpu --seconds $((idle_seconds / 3)) --segments 600 --rings 256"
  "${build}/bench/idle_cpu" --seconds "$((idle_seconds / 3))" --segments 600 --rings 256
fi
echo
echo "== cm context as a whole process: ${build}/bench/cm_context_bench ${cm_args[*]}"
# Its store is kept in the build tree and generated on the first run (about a minute).
(cd "${build}/bench" && ./cm_context_bench "${cm_args[@]}")
echo
if [ -x "${build}/bench/store_throughput" ]; then
  echo "== outcome events/s into the store, SQLite beside PostgreSQL 15 from 1 and 4 collectors: ${build}/bench/store_throughput --seconds ${store_seconds}"
  "${build}/bench/store_throughput" --seconds "${store_seconds}"
  echo
fi
echo "== cm context's recall@5 and nDCG@5 on the paraphrase set: ${build}/bench/retrieval_eval ${retrieval_args[*]}"
(cd "${build}/bench" && ./retrieval_eval "${retrieval_args[@]}")
# Learning from feedback: the 159 tasks' marks with their text, then another author's tasks;
# beside the same marks without the text (confidence alone). The stores are built anew.
echo "== the same after feedback with its tasks, and without their text: retrieval_eval --feedback-from dev,heldout"
(cd "${build}/bench" && ./retrieval_eval --distractors 0,1000 --feedback-from dev,heldout &&
  ./retrieval_eval --distractors 0,1000 --feedback-from dev,heldout --feedback-without-task)
echo
echo "== OTLP receiver beside the rings: ${build}/bench/otlp_load --seconds ${otlp_seconds}"
"${build}/bench/otlp_load" --seconds "${otlp_seconds}"
echo
# The peer on the corpus's Claude Code part: ccusage from npm, installed into the build tree.
if command -v npm >/dev/null && [ ! -x "${build}/bench/ccusage/node_modules/.bin/ccusage" ]; then
  mkdir -p "${build}/bench/ccusage"
  (cd "${build}/bench/ccusage" && npm install --no-audit --no-fund --loglevel=error ccusage@20.0.24) || true
fi
if [ -x "${build}/bench/ccusage/node_modules/.bin/ccusage" ]; then
  import_args+=(--ccusage "$(cd "${build}/bench/ccusage" && pwd)/node_modules/.bin/ccusage")
fi
echo "== the agents' sessions imported: ${build}/bench/session_import_bench ${import_args[*]}"
# Its corpus is generated on the first run (about three minutes for the full one) and kept.
(cd "${build}/bench" && ./session_import_bench "${import_args[@]}")
echo
echo "== cm context over the imported history: ${build}/bench/cm_context_bench --store session-import-bench/events.db ${imported_cm_args[*]}"
(cd "${build}/bench" && ./cm_context_bench --store session-import-bench/events.db "${imported_cm_args[@]}")
