#!/usr/bin/env python3
"""The session import against the real agents (the ctest agents_import, label agents): runs
each scenario below with the real client inside a loopback-only network namespace against the
fake model server (run_agent.py), imports what the client wrote with `agentmetrics import`, and
checks the stored task against what the run produced:
  - one task for the session, under the session id the client reported;
  - its tokens by type are exactly those the fake server reported for the session's turns
    (opencode's title request belongs to no session);
  - its cost is the client's own (Claude Code's total_cost_usd as it printed it, opencode's steps
    at the scenario's model price), or Codex's tokens at the price given with --price;
  - its tool calls are those the server asked for, its API errors those the files show, and its
    outcome and failure type the scenario's;
  - a second import reads nothing.
Exits 0 when every check passed, 1 otherwise, printing one line per check.

  check_import.py --packages DIR --out DIR --cli build/bin/agentmetrics [--only claude/plain,...]
"""

import argparse
import concurrent.futures
import json
import os
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import record  # noqa: E402  (beside this file: the totals of the fake server's log)

# (client, scenario): (success, failure type, API errors the files show). A plain answer, a tool
# chain, a rejected tool, a subagent, a resumed session and an API error, for each client that has it.
SCENARIOS = {
    ("claude", "plain"): (True, "", 0),
    ("claude", "tool-chain"): (True, "", 0),
    ("claude", "denied-tool"): (True, "", 0),
    ("claude", "subagent"): (True, "", 0),
    ("claude", "resume"): (True, "", 0),
    ("claude", "api-error-5xx"): (False, "api_error_500", 2),
    ("codex", "plain"): (True, "", 0),
    ("codex", "tool-chain"): (True, "", 0),
    ("codex", "denied-tool"): (True, "", 0),
    ("codex", "resume"): (True, "", 0),
    ("codex", "api-error-4xx"): (False, "api_error_other", 1),
    ("opencode", "plain"): (True, "", 0),
    ("opencode", "tool-chain"): (True, "", 0),
    ("opencode", "denied-tool"): (True, "", 0),
    ("opencode", "subagent"): (True, "", 0),
    ("opencode", "resume"): (True, "", 0),
    ("opencode", "api-error-4xx"): (False, "api_error_400", 1),
}
AGENT = {"claude": "claude-code", "codex": "codex", "opencode": "opencode"}
CODEX_PRICE = (1.25, 10.0, 0.125, 0.0)  # what --price gives gpt-5.5 here (Codex reports no cost)
OPENCODE_PRICE = (3.0, 15.0, 0.3, 3.75)  # the price run_agent.py gives opencode's fake model


class Checks:
    """One scenario's checks, printed together when it is done."""
    def __init__(self):
        self.failed = 0
        self.lines = []

    def check(self, condition, what):
        self.lines.append(f"{'ok  ' if condition else 'FAIL'} {what}")
        if not condition:
            self.failed += 1
        return condition


def source_path(client, home):
    return {"claude": os.path.join(home, ".claude"), "codex": os.path.join(home, ".codex"),
            "opencode": os.path.join(home, ".local/share/opencode/opencode.db")}[client]


def import_session(cli, client, home, store):
    argv = [cli, "import", AGENT[client], "--path", source_path(client, home), "--store", store, "--json", "--keep-session-ids",
            "--price", "gpt-5.5=" + ",".join(str(p) for p in CODEX_PRICE)]
    env = dict(os.environ, AGENTMETRICS_CONFIG="", XDG_CONFIG_HOME="/nonexistent/agentmetrics-test")
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"agentmetrics import exited {done.returncode}: {done.stderr}")
    return json.loads(done.stdout)


def priced(tokens, price):
    return (tokens["input"] * price[0] + tokens["output"] * price[1] + tokens["cache_read"] * price[2] +
            tokens["cache_write"] * price[3]) / 1e6


def check_scenario(packages, out, cli, client, name):
    checks = Checks()
    try:
        run_scenario(checks, packages, out, cli, client, name)
    except Exception as e:  # noqa: BLE001  (any failure is this scenario's, reported with it)
        checks.check(False, f"{client}/{name}: {e}")
    return checks


def run_scenario(checks, packages, out, cli, client, name):
    success, failure_type, api_errors = SCENARIOS[(client, name)]
    where = f"{client}/{name}"
    result = os.path.join(out, f"{client}-{name}")
    code = subprocess.call([sys.executable, os.path.join(HERE, "run_agent.py"), "--packages", packages, "--scenario",
                            os.path.join(HERE, "scenarios", client, name + ".json"), "--out", result, "--timeout", "120"],
                           stdout=subprocess.DEVNULL)
    if not checks.check(code == 0, f"{where}: run_agent.py ran the real client (exit {code})"):
        return
    with open(os.path.join(result, "runs.json"), encoding="utf-8") as f:
        runs = json.load(f)
    totals = record.totals(record.load_jsonl(os.path.join(result, "fake_model.jsonl")))
    tokens = totals["tokens_reported_by_kind"]["turn"]
    session = runs["runs"][0]["session_id"]

    store = os.path.join(result, "events.db")
    report = import_session(cli, client, os.path.join(result, "home"), store)
    with sqlite3.connect(store) as db:
        tasks = [json.loads(row[0]) for row in db.execute("SELECT fields FROM events WHERE kind = 'task'")]
    if not checks.check(len(tasks) == 1, f"{where}: one task stored ({len(tasks)})"):
        return
    t = tasks[0]
    checks.check(t.get("session_id") == session, f"{where}: the task is the session {session} ({t.get('session_id')})")
    got = {k: t.get("tokens_" + f, 0) for k, f in (("input", "input"), ("output", "output"), ("cache_read", "cache_read"),
                                                    ("cache_write", "cache_creation"))}
    want = {k: tokens[k] for k in got}
    checks.check(got == want, f"{where}: tokens {got} are those the server reported for the session {want}")
    tools = sum(totals["tools_called"].values())
    checks.check(t.get("tool_calls", 0) == tools, f"{where}: {t.get('tool_calls', 0)} tool calls, the server asked for {tools}")
    checks.check(t.get("api_errors", 0) == api_errors, f"{where}: {t.get('api_errors', 0)} API errors (expected {api_errors})")
    checks.check(t.get("success") == success and t.get("failure_type", "") == failure_type,
                 f"{where}: outcome {t.get('success')} {t.get('failure_type', '')!r} (expected {success} {failure_type!r})")
    if client == "claude":
        stdout = json.loads(runs["runs"][-1]["stdout"])
        want_cost = stdout.get("total_cost_usd")
    elif client == "opencode":
        want_cost = priced(tokens, OPENCODE_PRICE)
    else:
        want_cost = priced(tokens, CODEX_PRICE)
    if want_cost:
        checks.check(abs(t.get("cost_usd", -1) - want_cost) < 1e-9, f"{where}: cost {t.get('cost_usd')} USD (the run's {want_cost})")
    else:
        checks.check(t.get("cost_usd", 0) == 0, f"{where}: no cost ({t.get('cost_usd')})")
    checks.check(report["problems"]["total"] == 0, f"{where}: no problem with the input ({report['problems']['by_kind']})")
    again = import_session(cli, client, os.path.join(result, "home"), store)
    read = sum(a["files_read"] + a["sessions_new"] + a["sessions_updated"] for a in again["agents"].values())
    checks.check(read == 0, f"{where}: a second import reads nothing ({again['agents']})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cli", required=True, help="the agentmetrics binary")
    parser.add_argument("--only", default="", help="client/scenario,... (default: all of SCENARIOS)")
    parser.add_argument("--jobs", type=int, default=2, help="scenarios run at once, each in a namespace of its own")
    args = parser.parse_args()
    wanted = [tuple(s.split("/")) for s in args.only.split(",") if s] or list(SCENARIOS)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(check_scenario, args.packages, os.path.abspath(args.out), os.path.abspath(args.cli), client, name)
                   for client, name in wanted]
        for future in concurrent.futures.as_completed(futures):
            checks = future.result()
            print("\n".join(checks.lines), flush=True)
            failed += checks.failed
    print(f"{'FAILED' if failed else 'passed'}: {failed} checks failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
