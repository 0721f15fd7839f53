#!/usr/bin/env bash
# Installs what agentmetrics needs, builds it, starts the collector with its embedded defaults
# (listening on :9090, segments in /dev/shm, namespace "default"), runs the demo producer and
# shows the metrics it produced, then has cm learn a first playbook from the demo's failures
# (the collector's own reflection runs once a day). The collector keeps running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target agentmetricsd agentmetrics-demo cm

port=${METRICS_PORT:-9090}
if curl -s -o /dev/null "http://127.0.0.1:${port}/"; then
  echo "quickstart: something already listens on port ${port}; stop it or set METRICS_PORT" >&2
  exit 1
fi
./build/bin/agentmetricsd --web.listen-address=":${port}" &
collector=$!
trap 'kill "$collector" 2>/dev/null; wait "$collector" 2>/dev/null' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:${port}/metrics" && break
  sleep 0.1
done

echo
echo "== the demo producer writes simulated agent tasks for 5 seconds =="
./build/agent/agentmetrics-demo 5
sleep 0.5
echo
echo "== a few lines of http://127.0.0.1:${port}/metrics =="
curl -s "http://127.0.0.1:${port}/metrics" \
  | grep -E '^(opencode_task_total|opencode_code_coverage_percent|opencode_pipeline_failures_total|opencode_task_duration_seconds_bucket\{agent_type="build",task_type="feature",stage="implement",success="true"|agentmetrics_events)' \
  | head -n 20
echo
echo "== cm reflect: rules learnt from the demo's failures, into the same store =="
./build/bin/cm reflect | tail -n 5
echo
echo "agentmetricsd is running on :${port} (pid ${collector}); Ctrl-C stops it."
echo "Open http://127.0.0.1:${port}/ui in a browser for the KPIs, tasks and playbook (docs/ui.md)."
wait "$collector"
