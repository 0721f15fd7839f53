#!/usr/bin/env bash
# shellcheck disable=SC2317  # the smoke checks are functions called through check()
# The whole monitoring stack on this machine, on loopback, with a demo load: agentmetricsd,
# Prometheus (deploy/prometheus: prometheus.yml and the alert rules), Alertmanager
# (deploy/alertmanager/alertmanager.yml) and a webhook receiver that prints what Alertmanager
# and the collector's KPI alerts send. Prometheus and Alertmanager come from Debian's packages
# (installed by deploy/install-deps.sh when missing); the collector is built when needed.
# Ctrl-C stops everything.
#
#   deploy/local-stack.sh            start, print the URLs, run the demo load until Ctrl-C
#   deploy/local-stack.sh --smoke    start, check that every piece works together, stop
#   deploy/local-stack.sh --team     a team: three agentmetricsd sidecars (ports AGENTMETRICS_TEAM_PORTS,
#                                    else AGENTMETRICS_PORT, +1, +2) sharing one PostgreSQL 15 (initdb in the run
#                                    directory, on 127.0.0.1:POSTGRES_PORT) as their store
#   deploy/local-stack.sh --team --smoke   the same, checked, then stopped
#
# Environment (all optional):
#   AGENTMETRICS_PORT=9091  PROMETHEUS_PORT=9090  ALERTMANAGER_PORT=9093  WEBHOOK_PORT=5001
#   POSTGRES_PORT=5433 (--team)  AGENTMETRICS_TEAM_PORTS="9091 9092 9093" (--team: the sidecars' ports)
#   AGENTMETRICS_NAMESPACE=local-stack     the segments' namespace (producers use the same)
#   AGENTMETRICS_BUILD_DIR=build           where the binaries are, or are built
#   AGENTMETRICS_STACK_NO_BUILD=1          use the binaries as they are; never run cmake
#   AGENTMETRICS_STACK_DIR=DIR             keep the data and logs there (default: a temporary
#                                          directory, removed at exit)
#   AGENTMETRICS_STACK_SCRAPE_INTERVAL=5s  Prometheus's scrape interval for the stack
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
smoke=0
team=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --team) team=1 ;;
    -h | --help)
      sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "local-stack: unknown argument '$arg' (expected --team, --smoke or nothing)" >&2
      exit 2
      ;;
  esac
done

collector_port=${AGENTMETRICS_PORT:-9091}
prometheus_port=${PROMETHEUS_PORT:-9090}
alertmanager_port=${ALERTMANAGER_PORT:-9093}
webhook_port=${WEBHOOK_PORT:-5001}
namespace=${AGENTMETRICS_NAMESPACE:-local-stack}
build=${AGENTMETRICS_BUILD_DIR:-$repo/build}
scrape_interval=${AGENTMETRICS_STACK_SCRAPE_INTERVAL:-5s}
postgres_port=${POSTGRES_PORT:-5433}
postgres_bin=/usr/lib/postgresql/15/bin
say() { echo "local-stack: $*"; }
die() {
  echo "local-stack: $*" >&2
  exit 1
}

# The sidecars: one, or three for a team.
sidecar_ports=("$collector_port")
if [ "$team" = 1 ]; then
  read -r -a sidecar_ports <<<"${AGENTMETRICS_TEAM_PORTS:-$collector_port $((collector_port + 1)) $((collector_port + 2))}"
  [ "${#sidecar_ports[@]}" = 3 ] || die "AGENTMETRICS_TEAM_PORTS names ${#sidecar_ports[@]} ports; a team has three sidecars"
fi

# --- what it needs ----------------------------------------------------------------------------
need_tools() {
  local t
  for t in prometheus promtool prometheus-alertmanager python3 curl; do
    command -v "$t" >/dev/null || return 1
  done
}
if ! need_tools; then
  say "installing the missing packages (deploy/install-deps.sh)"
  bash "$repo/deploy/install-deps.sh"
  need_tools || die "prometheus, promtool, prometheus-alertmanager, python3 and curl are needed (Debian: apt-get install prometheus prometheus-alertmanager python3 curl)"
fi
if [ "$team" = 1 ] && [ ! -x "$postgres_bin/initdb" ]; then
  say "installing PostgreSQL 15 (deploy/install-deps.sh)"
  bash "$repo/deploy/install-deps.sh"
  [ -x "$postgres_bin/initdb" ] || die "PostgreSQL 15 is needed for --team (Debian: apt-get install postgresql-15)"
fi

collector_bin=$build/bin/agentmetricsd
cli_bin=$build/bin/agentmetrics
demo_bin=$build/agent/agentmetrics-demo
if [ "${AGENTMETRICS_STACK_NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    say "configuring $build"
    cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  say "building agentmetricsd, agentmetrics and agentmetrics-demo in $build"
  cmake --build "$build" -j"$(nproc)" --target agentmetricsd agentmetrics-cli agentmetrics-demo >/dev/null
fi
for b in "$collector_bin" "$cli_bin" "$demo_bin"; do
  [ -x "$b" ] || die "$b is missing (build it, or unset AGENTMETRICS_STACK_NO_BUILD)"
done

settings=("$prometheus_port PROMETHEUS_PORT" "$alertmanager_port ALERTMANAGER_PORT" "$webhook_port WEBHOOK_PORT")
for port in "${sidecar_ports[@]}"; do settings+=("$port AGENTMETRICS_PORT"); done
[ "$team" = 1 ] && settings+=("$postgres_port POSTGRES_PORT")
for setting in "${settings[@]}"; do
  read -r port variable <<<"$setting"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "something already listens on 127.0.0.1:$port; stop it or set $variable to another port"
  fi
done

# --- the run directory: configurations with this run's ports, data, logs -----------------------
if [ -n "${AGENTMETRICS_STACK_DIR:-}" ]; then
  run=$AGENTMETRICS_STACK_DIR
  mkdir -p "$run"
  keep_run=1
else
  run=$(mktemp -d "${TMPDIR:-/tmp}/agentmetrics-stack.XXXXXX")
  keep_run=0
fi

pids=()
cleanup_dirs=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${pids[@]}"; do
    # Each child leads its own process group (set -m below): the demo load's commands go too.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "${cleanup_dirs[@]}"
  if [ "$keep_run" = 0 ]; then
    rm -rf "$run"
  else
    say "data and logs kept in $run"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Every background job gets its own process group, so that stopping one stops its children.
set -m

mkdir -p "$run/prometheus" "$run/prometheus-data" "$run/alertmanager-data"
cp -r "$repo/deploy/prometheus/rules" "$run/prometheus/"
sidecar_targets=$(printf "'127.0.0.1:%s', " "${sidecar_ports[@]}")
sed -e "s/'localhost:9091'/${sidecar_targets%, }/" \
    -e "s/localhost:9090/127.0.0.1:$prometheus_port/" \
    -e "s/localhost:9093/127.0.0.1:$alertmanager_port/" \
    -e "s/^\(  scrape_interval:\|    scrape_interval:\) 15s/\1 $scrape_interval/" \
    "$repo/deploy/prometheus/prometheus.yml" >"$run/prometheus/prometheus.yml"
sed -e "s#http://127.0.0.1:5001/#http://127.0.0.1:$webhook_port/#" \
    "$repo/deploy/alertmanager/alertmanager.yml" >"$run/alertmanager.yml"
promtool check config "$run/prometheus/prometheus.yml" >"$run/promtool.log" 2>&1 ||
  die "promtool refuses the generated configuration: $(cat "$run/promtool.log")"

# --- the processes -----------------------------------------------------------------------------
# A webhook receiver: prints each notification (Alertmanager's, and the collector's KPI alerts,
# which have the same shape) as one JSON line.
python3 -u - "$webhook_port" >"$run/webhook.log" 2>&1 <<'PY' &
import http.server, json, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            alerts = json.loads(body)
            print(json.dumps({"path": self.path, "status": alerts.get("status"),
                              "alerts": [a.get("labels", {}) for a in alerts.get("alerts", [])]}), flush=True)
        except ValueError:
            print(body.decode(errors="replace"), flush=True)
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
PY
pids+=($!)

# --team: one PostgreSQL for the three sidecars, with a password of this run's. PostgreSQL will
# not run as root: then it runs as the postgres user.
store_url=""
if [ "$team" = 1 ]; then
  as_postgres=()
  # The server's own directory, in the temporary directory where the postgres user can reach it
  # whatever the run directory's parents allow; removed at exit.
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/agentmetrics-postgres.XXXXXX")
  cleanup_dirs+=("$pgdir")
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  (umask 077 && echo "$password" >"$pgdir/password")
  if [ "$(id -u)" = 0 ]; then
    as_postgres=(setpriv --reuid=postgres --regid=postgres --clear-groups --)
    chown -R postgres:postgres "$pgdir"
  fi
  "${as_postgres[@]}" "$postgres_bin/initdb" -D "$pgdir/data" -U agentmetrics --pwfile="$pgdir/password" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$run/postgres-initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$run/postgres-initdb.log")"
  rm -f "$pgdir/password"
  "${as_postgres[@]}" "$postgres_bin/postgres" -D "$pgdir/data" -p "$postgres_port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$pgdir" >"$run/postgres.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    "$postgres_bin/pg_isready" -q -h 127.0.0.1 -p "$postgres_port" && break
    sleep 0.1
  done
  "$postgres_bin/pg_isready" -q -h 127.0.0.1 -p "$postgres_port" || die "PostgreSQL did not start: $(tail -n 5 "$run/postgres.log")"
  "${as_postgres[@]}" "$postgres_bin/psql" -q -h "$pgdir" -p "$postgres_port" -U agentmetrics -d postgres \
    -c "CREATE DATABASE agentmetrics" >>"$run/postgres.log" 2>&1 || die "cannot create the database: $(tail -n 5 "$run/postgres.log")"
  store_url="postgresql://agentmetrics:$password@127.0.0.1:$postgres_port/agentmetrics"
  (umask 077 && echo "$store_url" >"$run/store-url")
fi

# Each sidecar: its port, its namespace (its agents' segments), its own directory (the SQLite
# store, or with --team its spool).
for i in "${!sidecar_ports[@]}"; do
  name=agentmetricsd
  sidecar_namespace=$namespace
  store=$run/events.db
  if [ "$team" = 1 ]; then
    name=agentmetricsd-$((i + 1))
    sidecar_namespace=$namespace-$((i + 1))
    mkdir -p "$run/$name"
    chmod 0700 "$run/$name"
    store=$run/$name/events.db
  fi
  AGENTMETRICS_SHM_DIR=/dev/shm ALERT_WEBHOOK_URL="http://127.0.0.1:$webhook_port/kpi" AGENTMETRICS_STORE_URL="$store_url" \
    "$collector_bin" --web.listen-address="127.0.0.1:${sidecar_ports[$i]}" --namespace="$sidecar_namespace" \
    --store="$store" >"$run/$name.log" 2>&1 &
  pids+=($!)
done

prometheus --config.file="$run/prometheus/prometheus.yml" --storage.tsdb.path="$run/prometheus-data" \
  --web.listen-address="127.0.0.1:$prometheus_port" --web.enable-lifecycle >"$run/prometheus.log" 2>&1 &
pids+=($!)

prometheus-alertmanager --config.file="$run/alertmanager.yml" --storage.path="$run/alertmanager-data" \
  --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address= >"$run/alertmanager.log" 2>&1 &
pids+=($!)

wait_for() {  # URL NAME LOG
  local _
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "local-stack: $2 did not become ready at $1; the end of its log ($3):" >&2
  tail -n 20 "$3" >&2
  exit 1
}
for i in "${!sidecar_ports[@]}"; do
  name=agentmetricsd
  [ "$team" = 1 ] && name=agentmetricsd-$((i + 1))
  wait_for "http://127.0.0.1:${sidecar_ports[$i]}/readiness" "$name" "$run/$name.log"
done
wait_for "http://127.0.0.1:$prometheus_port/-/ready" Prometheus "$run/prometheus.log"
wait_for "http://127.0.0.1:$alertmanager_port/-/ready" Alertmanager "$run/alertmanager.log"

# --- the demo load: the demo producer's metrics and, with the agentmetrics command, the outcome
# events the KPIs are computed from ----------------------------------------------------------------
demo_round() {
  local agents=(build plan general) types=(feature bugfix refactor) stages=(build lint test)
  local _ agent type ok
  "$demo_bin" "${1:-5}" >/dev/null
  for _ in 1 2 3; do
    agent=${agents[RANDOM % 3]}
    type=${types[RANDOM % 3]}
    ok=true
    [ $((RANDOM % 100)) -lt 20 ] && ok=false
    local extra=()
    if [ $((RANDOM % 100)) -lt 25 ]; then
      extra=(--human_intervention true --intervention_reason "$([ $((RANDOM % 2)) = 0 ] && echo clarification || echo wrong_approach)")
    fi
    "$cli_bin" record task --agent_type "$agent" --task_type "$type" --stage implement --success "$ok" \
      --duration_seconds $((600 + RANDOM % 9000)) --time_saved_seconds $((RANDOM % 7200)) \
      --prompts_sent 10 --prompts_useful $((6 + RANDOM % 5)) \
      --ai_lines_generated 200 --ai_lines_accepted $((120 + RANDOM % 80)) "${extra[@]}" >/dev/null
  done
  local stage=${stages[RANDOM % 3]} code=0
  [ $((RANDOM % 100)) -lt 10 ] && code=1
  "$cli_bin" exec --stage "$stage" -- sh -c "sleep 0.$((RANDOM % 5)); exit $code" >/dev/null 2>&1 || true
  "$cli_bin" record coverage --percent "$((74 + RANDOM % 14)).$((RANDOM % 10))" >/dev/null
  "$cli_bin" record lint --errors $((RANDOM % 3)) --warnings $((RANDOM % 8)) --tool demo-lint >/dev/null
  "$cli_bin" record test_run --tests 400 --failures $((RANDOM % 3)) --flaky $((RANDOM % 20)) \
    --duration_seconds $((120 + RANDOM % 400)) --suite unit >/dev/null
  if [ $((RANDOM % 2)) = 0 ]; then
    "$cli_bin" record deployment --success true --rollback "$([ $((RANDOM % 10)) = 0 ] && echo true || echo false)" \
      --commit_time $(($(date +%s) - 3600 * (1 + RANDOM % 48))) --environment staging >/dev/null
  fi
  "$cli_bin" record commit --lines_added $((RANDOM % 300)) --lines_deleted $((RANDOM % 100)) >/dev/null
}
export AGENTMETRICS_NAMESPACE=$namespace AGENTMETRICS_SHM_DIR=/dev/shm
# With --team, each round's events go to one of the three sidecars.
team_round() {
  [ "$team" = 1 ] && AGENTMETRICS_NAMESPACE=$namespace-$(("${1:-$RANDOM}" % 3 + 1))
  demo_round "${2:-5}"
}
servers=${#pids[@]}

prom="http://127.0.0.1:$prometheus_port"
if [ "$smoke" = 1 ]; then
  for i in "${!sidecar_ports[@]}"; do
    team_round "$i" 1 >>"$run/demo-load.log" 2>&1 || die "the demo load failed: $(cat "$run/demo-load.log")"
  done
  query() { curl -fsS --get "$prom/api/v1/query" --data-urlencode "query=$1"; }
  check() {  # DESCRIPTION COMMAND...
    local _
    for _ in $(seq 120); do
      "${@:2}" >/dev/null 2>&1 && { say "ok: $1"; return 0; }
      sleep 0.5
    done
    die "failed: $1"
  }
  has_result() { query "$1" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["data"]["result"] else 1)'; }
  check "Prometheus scrapes agentmetricsd (job agentmetrics)" has_result 'up{job="agentmetrics"} == 1'
  if [ "$team" = 1 ]; then
    check "Prometheus scrapes the three sidecars" has_result 'count(up{job="agentmetrics"} == 1) == 3'
    check "every sidecar stores its outcome events in the team's PostgreSQL" \
      has_result 'count(agentmetrics_outcome_events_stored_total{job="agentmetrics"} > 0) == 3'
    team_kpis() {
      AGENTMETRICS_STORE_URL=$store_url "$cli_bin" kpi --json --window 24h | python3 -c '
import json, sys
kpis = {k["id"]: k for k in json.load(sys.stdin)["kpis"]}
sys.exit(0 if kpis["task_completion_rate"]["samples"] >= 9 else 1)'
    }
    check "agentmetrics kpi reads the tasks of all three sidecars from PostgreSQL" team_kpis
  fi
  check "Prometheus scrapes Alertmanager" has_result 'up{job="alertmanager"} == 1'
  check "the demo load reaches Prometheus" has_result 'opencode_task_total'
  check "the KPIs reach Prometheus" has_result 'opencode_kpi_value{kpi="task_completion_rate"}'
  rules_loaded() {
    curl -fsS "$prom/api/v1/rules" | python3 -c '
import json, sys
names = {r["name"] for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]}
want = {"HighTaskFailureRate", "PipelineFailureSpike", "LowCodeCoverage", "HighLintErrorRate", "LowAISuccessRate",
        "AgentmetricsDown", "AgentmetricsDroppingEvents", "AgentmetricsRejectingSegments", "DailyCostBudgetExceeded"}
sys.exit(0 if want <= names else 1)'
  }
  check "Prometheus has the alert rules" rules_loaded
  am_known() {
    curl -fsS "$prom/api/v1/alertmanagers" | python3 -c '
import json, sys
sys.exit(0 if json.load(sys.stdin)["data"]["activeAlertmanagers"] else 1)'
  }
  check "Prometheus sends its alerts to Alertmanager" am_known
  am_receivers() {
    curl -fsS "http://127.0.0.1:$alertmanager_port/api/v2/status" | python3 -c '
import json, sys
config = json.load(sys.stdin)["config"]["original"]
sys.exit(0 if "pagerduty" in config and "127.0.0.1:'"$webhook_port"'" in config else 1)'
  }
  check "Alertmanager runs deploy/alertmanager/alertmanager.yml" am_receivers
  webhook_up() { curl -sS -o /dev/null -X POST -d '{}' "http://127.0.0.1:$webhook_port/check"; }
  check "the webhook receiver answers" webhook_up
  say "smoke test passed"
  exit 0
fi

(
  trap 'exit 0' TERM INT
  while true; do team_round "$RANDOM" 5 || sleep 1; done
) >"$run/demo-load.log" 2>&1 &
pids+=($!)

cat <<EOF

The agentmetrics stack runs on loopback (Ctrl-C stops it all):

$(for port in "${sidecar_ports[@]}"; do echo "  agentmetricsd   http://127.0.0.1:$port/metrics   /health   /readiness"; done)
  Prometheus      http://127.0.0.1:$prometheus_port/            alerts: http://127.0.0.1:$prometheus_port/alerts
  Alertmanager    http://127.0.0.1:$alertmanager_port/
  KPIs            $([ "$team" = 1 ] && echo "AGENTMETRICS_STORE_URL=\$(cat $run/store-url)" || echo "AGENTMETRICS_STORE=$run/events.db") $cli_bin kpi --window 24h
$([ "$team" = 1 ] && echo "  PostgreSQL      127.0.0.1:$postgres_port, database and user agentmetrics; the URL with its password is in
                  $run/store-url (owner-only)")

  A demo producer and the agentmetrics command write simulated agent tasks, pipeline runs,
  coverage, lint, tests and deployments (namespace "$namespace"). Your own producers join with
  AGENTMETRICS_NAMESPACE=$namespace.

  Grafana (not packaged by Debian): import deploy/grafana/dashboards/agentmetrics.json and
  choose this Prometheus, or see docs/deploy.md for a provisioned Grafana container.

  Logs: $run/{agentmetricsd,prometheus,alertmanager,webhook,demo-load}.log
EOF

# Until Ctrl-C, or until one of the servers stops.
while true; do
  for pid in "${pids[@]:0:servers}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "a process of the stack stopped (pid $pid); see the logs in $run"
      keep_run=1
      exit 1
    fi
  done
  sleep 1
done
