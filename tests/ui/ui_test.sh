#!/usr/bin/env bash
# The /ui page and the HTML report, in a real browser: Debian's chromium, headless, driven by
# puppeteer-core (pinned by package-lock.json, installed into the build tree). A collector is
# started on a store of generated history (rules imported and graded with cm, a week of tasks and
# delivery events recorded with `agentmetrics record`, one reflection), then browser_test.mjs
# checks the page and the report against `agentmetrics kpi --json`; screenshots at two widths
# are kept in ARTIFACTS. Before the browser, curl checks what the listener answers: the
# Content-Security-Policy, GET only, the API's access rule from beyond loopback, and that
# ui.enabled: false turns the page off.
#
# Everything runs in a network namespace of its own with only loopback up (unshare -n), so
# neither the page nor the browser can reach anything but the collector; without one (no
# privilege for it) the test runs on the machine's loopback and says so.
# Usage: ui_test.sh BIN_DIR PACKAGES_DIR ARTIFACTS
# Exit 77 (skipped) without node, npm or chromium.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 packages=$2 artifacts=$3
chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  echo "chromium is not installed (deploy/install-deps.sh installs it): skipping"
  exit 77
fi
"$here/../support/npm_pinned_install.sh" "$here" "$packages" puppeteer-core/package.json browser_test.mjs
mkdir -p "$artifacts"
export bin packages artifacts chromium

inner() {
  set -euo pipefail
  [ "${UI_TEST_NAMESPACE:-}" = 1 ] && ip link set lo up && ip addr add 192.0.2.1/32 dev lo
  run=$(mktemp -d)
  daemons=()
  trap 'for p in "${daemons[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$run"' EXIT
  port=${UI_TEST_PORT:-9090}
  ns=ui-$$
  export AGENTMETRICS_STORE=$run/events.db AGENTMETRICS_NAMESPACE=$ns AGENTMETRICS_CONFIG=$run/none.yaml
  : >"$run/none.yaml"
  start() {  # start LOG ARGS...: a collector, its pid added to daemons; waits until it listens
    local log=$1
    shift
    "$bin/agentmetricsd" --namespace="$ns" "$@" >"$log" 2>&1 &
    daemons+=($!)
    for _ in $(seq 100); do grep -q "collector started" "$log" && return 0; sleep 0.05; done
    cat "$log"
    echo "FAIL: the collector did not start"
    exit 1
  }
  # In the namespace, on every address (as by default), so that 192.0.2.1 is a client from beyond loopback.
  listen=127.0.0.1:$port
  [ "${UI_TEST_NAMESPACE:-}" = 1 ] && listen=:$port
  start "$run/log" --web.listen-address="$listen" --store="$AGENTMETRICS_STORE" --config="$run/none.yaml"
  base=http://127.0.0.1:$port

  # The history: rules imported and graded with cm, a week of tasks that name them, delivery events.
  python3 - "$run/rules.json" <<'EOF'
import json, sys
topics = [("Run the failing test alone before changing code", ["testing"]), ("Read the migration's down step before editing a schema", ["database", "migration"]),
          ("Keep a pull request under 400 changed lines", ["review"]), ("Pin npm packages with a lock file", ["dependencies"]),
          ("Reproduce a flaky test ten times before calling it fixed", ["testing", "flaky"]), ("Name the failing stage in the commit message", ["ci"]),
          ("Check the migration on a copy of production data", ["database", "migration"]), ("Write the docs in the same commit as the behaviour", ["docs"])]
bullets = [{"content": c, "tags": t, "confidence": 0.6 + i * 0.04} for i, (c, t) in enumerate(topics)]
bullets.append({"content": "Retry a red pipeline until it passes without reading the log", "kind": "anti-pattern", "tags": ["ci"]})
json.dump({"bullets": bullets}, open(sys.argv[1], "w"))
EOF
  "$bin/cm" playbook import "$run/rules.json" >/dev/null
  mapfile -t rules < <("$bin/cm" --json playbook list | python3 -c 'import json,sys; [print(b["id"]) for b in json.load(sys.stdin)["data"]["bullets"]]')
  [ "${#rules[@]}" -ge 9 ] || { echo "FAIL: the rules were not imported (${#rules[@]})"; exit 1; }
  now=$(date +%s)
  agents=(build plan build review)
  models=(claude-sonnet-4 gpt-5-codex)
  for i in $(seq 0 39); do
    at=$((now - 600 - i * 14000))  # every 3.9 hours, the oldest 6.5 days ago: inside the 7d window
    ok=true failure=()
    if [ $((i % 4)) = 3 ]; then ok=false failure=(--failure_type test_failure); fi
    "$bin/agentmetrics" record task --at "$at" --agent_type "${agents[i % 4]}" --task_type bugfix --success "$ok" "${failure[@]}" \
      --duration_seconds $((900 + i * 97)) --model "${models[i % 2]}" --tokens_input $((20000 + i * 1300)) --tokens_output $((3000 + i * 70)) \
      --tokens_cache_read $((50000 + i * 900)) --cost_usd "0.$((20 + i))" --session_id "session-$i" --title "Fix the flaky login test, part $i" \
      --rule_ids "${rules[i % 8]},${rules[(i + 3) % 8]}" --human_intervention $([ $((i % 5)) = 0 ] && echo true || echo false) >/dev/null
  done
  for i in $(seq 0 5); do
    at=$((now - 900 - i * 86000))
    "$bin/agentmetrics" record pipeline --at "$at" --stage test --success $([ "$i" = 2 ] && echo false || echo true) --duration_seconds $((240 + i * 30)) >/dev/null
    "$bin/agentmetrics" record deployment --at "$at" --success true >/dev/null
    "$bin/agentmetrics" record test_run --at "$at" --tests $((400 + i * 10)) --duration_seconds $((200 + i * 15)) >/dev/null
    "$bin/agentmetrics" record coverage --at "$at" --percent $((78 + i)) >/dev/null
  done
  for id in "${rules[@]:0:4}"; do "$bin/cm" mark "$id" --helpful --reason "it saved a run" >/dev/null; done
  "$bin/cm" mark "${rules[8]}" --harmful --reason "a red pipeline retried hides the failure" >/dev/null
  # Wait until the collector has stored all 64 events, then let the reflection learn from them.
  for _ in $(seq 100); do
    [ "$("$bin/agentmetrics" kpi --json | python3 -c 'import json,sys; print(next(k["samples"] for k in json.load(sys.stdin)["kpis"] if k["id"] == "task_completion_rate"))')" = 40 ] && break
    sleep 0.1
  done
  "$bin/cm" reflect >/dev/null
  "$bin/agentmetrics" kpi --json --window 7d >"$run/kpi.json"
  "$bin/agentmetrics" kpi --window 7d >"$run/kpi.txt"
  "$bin/agentmetrics" report --html "$artifacts/report.html" --window 7d >/dev/null

  failures=0
  check() {  # check DESCRIPTION COMMAND...: the command's success
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
  }
  status() { curl -s -o /dev/null -w "%{http_code}" --max-time 5 "$@" || true; }
  check "the page carries a Content-Security-Policy of default-src 'self'" \
    grep -qi "^content-security-policy: default-src 'self'" <(curl -sI --max-time 5 "$base/ui")
  check "the landing page links /ui" grep -q 'href="/ui"' <(curl -s --max-time 5 "$base/")
  check "the page's API takes GET only (POST: 405)" [ "$(status -X POST -H 'Content-Type: application/json' -d '{}' "$base/ui/api/overview")" = 405 ]
  check "an unknown task is 404" [ "$(status "$base/ui/api/task?id=999999")" = 404 ]
  check "a malformed window is 400" [ "$(status "$base/ui/api/overview?window=soon")" = 400 ]
  if [ "${UI_TEST_NAMESPACE:-}" = 1 ]; then
    # Beyond loopback the page needs the API's credential, like /api/*.
    check "the page from 192.0.2.1 without a token is 401" [ "$(status "http://192.0.2.1:$port/ui")" = 401 ]
    check "its data from 192.0.2.1 without a token is 401" [ "$(status "http://192.0.2.1:$port/ui/api/overview")" = 401 ]
  fi
  printf 'ui:\n  enabled: false\n' >"$run/off.yaml"
  start "$run/off.log" --web.listen-address="127.0.0.1:$((port + 1))" --store="$run/off.db" --config="$run/off.yaml"
  check "ui.enabled: false serves no page (404)" [ "$(status "http://127.0.0.1:$((port + 1))/ui")" = 404 ]
  check "ui.enabled: false leaves /ui off the landing page" bash -c "! curl -s --max-time 5 http://127.0.0.1:$((port + 1))/ | grep -q '/ui'"

  curl -s -o /dev/null -w "the overview of 64 events and 12 rules answered in %{time_total} s\n" --max-time 10 "$base/ui/api/overview"
  echo "history generated and checked with curl in $SECONDS s"
  node "$packages/browser_test.mjs" --chromium "$chromium" --base "$base" --kpi-json "$run/kpi.json" --kpi-table "$run/kpi.txt" \
    --report "$artifacts/report.html" --artifacts "$artifacts" || failures=$((failures + 1))
  [ "$failures" = 0 ] || tail -n 30 "$run/log"
  return "$failures"
}
export -f inner

if unshare -n true 2>/dev/null; then
  UI_TEST_NAMESPACE=1 exec unshare -n bash -c inner
fi
echo "note: no network namespace can be made here; the test runs on this machine's loopback"
# On the machine's loopback, a port of its own: the one the kernel gives a listener now.
UI_TEST_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') inner
