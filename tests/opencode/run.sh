#!/usr/bin/env bash
# Tests the opencode plugin with the real Bun: installs the pinned packages (bun,
# @opencode-ai/plugin, typescript) once into WORK_DIR, type-checks the test against the plugin
# package's declared hook shapes, starts a real agentmetricsd, and runs plugin.test.ts.
# Usage: run.sh WORK_DIR AGENTMETRICSD AGENTMETRICS_CLI CM LIBAGENTMETRICS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1 collector=$2 cli=$3 cm=$4 library=$5

if ! command -v npm >/dev/null; then
  echo "npm is not installed (deploy/install-deps.sh installs it): skipping the plugin test"
  exit 77
fi
mkdir -p "$work"
# The packages are installed again only when the lock file changes.
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -x "$work/node_modules/.bin/bun" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$here/plugin.test.ts" "$here/tsconfig.json" "$work/"
(cd "$work" && ./node_modules/.bin/tsc -p tsconfig.json)

run=$(mktemp -d)
ns="opencode-$$"
cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  rm -rf "$run"
  rm -f /dev/shm/agentmetrics."$ns".*
}
trap cleanup EXIT
"$collector" --namespace="$ns" --store="$run/events.db" --web.listen-address=127.0.0.1:0 >"$run/collector.log" 2>&1 &
daemon=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*collector started.* port=\([0-9]*\).*/\1/p' "$run/collector.log")
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  cat "$run/collector.log"
  exit 1
fi

export AGENTMETRICS_NAMESPACE="$ns" AGENTMETRICS_STORE="$run/events.db" COLLECTOR_URL="http://127.0.0.1:$port"
export AGENTMETRICS_LIB="$library" AGENTMETRICS_BIN="$cli" CM_BIN="$cm" PLUGIN_PATH="$here/../../deploy/opencode/plugin/cass.js"
cd "$work"
if ! ./node_modules/.bin/bun test --timeout 60000 plugin.test.ts; then
  echo "--- collector log"
  cat "$run/collector.log"
  exit 1
fi
