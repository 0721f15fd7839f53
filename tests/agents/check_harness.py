#!/usr/bin/env python3
"""Proves the real-agent harness with each real client (the ctest agents_harness): runs the
scenario plain.json of Claude Code, Codex and opencode once, each inside a loopback-only network
namespace against the fake model server, with its OTLP export pointed at otlp_capture.py, and
checks that
  - the client exited 0 and the fake server received its model request and reported the usage of
    the script;
  - the client wrote its transcript (Claude Code's session file, Codex's rollout, opencode's
    database) with the tokens the server reported;
  - its OTLP export reached the capture sink and carries those tokens where the client exports
    them (Claude Code's claude_code.token.usage, Codex's codex.turn.token_usage; opencode exports
    no metrics, only log records and, with experimental.openTelemetry, spans).
  - it tried to resolve no outside name (the namespace's DNS sink) but opencode's registry look-up.
Exits 0 when every client passed, 1 otherwise, printing one line per check.

  check_harness.py --packages DIR --out DIR [--clients claude,codex,opencode]
"""

import argparse
import glob
import json
import os
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import otlp_summary  # noqa: E402  (beside this file)

PROTOCOL = {"claude": "http/protobuf", "codex": "http/protobuf", "opencode": "http/json"}


class Checks:
    def __init__(self, client):
        self.client = client
        self.passed = 0
        self.failed = 0

    def check(self, condition, what):
        print(f"{'ok  ' if condition else 'FAIL'} {self.client}: {what}", flush=True)
        if condition:
            self.passed += 1
        else:
            self.failed += 1
        return condition


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def token_points(summary, name, key):
    """{type: value} of a token metric's points, summed over its points."""
    values = {}
    for m in summary["metrics"]:
        if m["name"] == name:
            kind = m["attributes"].get(key, (None, None))[1]
            values[kind] = values.get(kind, 0) + float(m["value"])  # a histogram's value is its sum
    return values


def check_client(client, packages, out):
    checks = Checks(client)
    scenario_path = os.path.join(HERE, "scenarios", client, "plain.json")
    with open(scenario_path, encoding="utf-8") as f:
        scenario = json.load(f)
    usage = scenario["script"]["turns"][0]["usage"]
    usage = {k: usage.get(k, 0) for k in ("input", "output", "cache_read", "cache_write", "reasoning")}
    result = os.path.join(out, client)
    code = subprocess.call([sys.executable, os.path.join(HERE, "run_agent.py"), "--packages", packages, "--scenario", scenario_path,
                            "--out", result, "--capture", "--otlp-protocol", PROTOCOL[client], "--timeout", "90"])
    if not checks.check(code == 0 and os.path.exists(os.path.join(result, "runs.json")), f"run_agent.py ran the scenario (exit {code})"):
        return checks
    with open(os.path.join(result, "runs.json"), encoding="utf-8") as f:
        runs = json.load(f)
    run = runs["runs"][0]
    checks.check(run["exit"] == 0, f"{runs['binary_version']} exited {run['exit']}")
    # What the client tried to reach beyond the machine, with its non-essential traffic turned off
    # as the harness does: nothing, but opencode's registry look-up that no setting stops.
    allowed = {"opencode": {"registry.npmjs.org"}}.get(client, set())
    lookups = runs.get("dns_lookups")
    checks.check(lookups is not None and set(lookups) <= allowed,
                 f"the client looked up no outside host but {sorted(allowed)} (looked up: {lookups})")

    requests = load_jsonl(os.path.join(result, "fake_model.jsonl"))
    turns = [r for r in requests if r.get("kind") == "turn"]
    checks.check(len(turns) == 1 and turns[0]["status"] == 200 and turns[0]["usage"] == usage,
                  f"the fake server answered {len(turns)} model request(s) with the script's usage {usage}")
    checks.check(all(r["status"] == 200 for r in requests if r.get("kind") in ("turn", "side")),
                 f"every model request was answered 200 ({[(r['path'], r['status']) for r in requests]})")

    home = os.path.join(result, "home")
    if client == "claude":
        files = glob.glob(os.path.join(home, ".claude", "projects", "*", f"{run['session_id']}.jsonl"))
        lines = load_jsonl(files[0]) if files else []
        assistant = [x for x in lines if x.get("type") == "assistant" and x["message"].get("model") != "<synthetic>"]
        checks.check(bool(assistant) and assistant[-1]["message"]["usage"]["input_tokens"] == usage["input"]
                     and assistant[-1]["message"]["usage"]["cache_read_input_tokens"] == usage["cache_read"],
                     f"the transcript {os.path.basename(files[0]) if files else '(none)'} holds the reply with the reported usage")
    elif client == "codex":
        files = glob.glob(os.path.join(home, ".codex", "sessions", "*", "*", "*", "rollout-*.jsonl"))
        lines = load_jsonl(files[0]) if files else []
        counts = [x["payload"]["info"] for x in lines
                  if x.get("type") == "event_msg" and x["payload"].get("type") == "token_count" and x["payload"].get("info")]
        total = counts[-1]["total_token_usage"] if counts else {}
        checks.check(total.get("input_tokens") == usage["input"] + usage["cache_read"] and total.get("cached_input_tokens") == usage["cache_read"]
                     and total.get("output_tokens") == usage["output"],
                     f"the rollout {os.path.basename(files[0]) if files else '(none)'} counts the reported tokens ({total})")
    else:
        database = os.path.join(home, ".local", "share", "opencode", "opencode.db")
        row = None
        if os.path.exists(database):
            connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            row = connection.execute("SELECT tokens_input, tokens_output, tokens_cache_read FROM session WHERE id = ?",
                                     (run["session_id"],)).fetchone()
            connection.close()
        checks.check(row == (usage["input"], usage["output"], usage["cache_read"]),
                     f"opencode.db has the session with the reported tokens ({row})")

    otlp = otlp_summary.load(os.path.join(result, "otlp"))
    summary = otlp_summary.summarize(otlp)
    signals = sorted({r["signal"] for r in otlp})
    if client == "claude":
        checks.check("metrics" in signals and "logs" in signals, f"the OTLP export reached the sink ({signals})")
        tokens = token_points(summary, "claude_code.token.usage", "type")
        checks.check(tokens == {"input": usage["input"], "output": usage["output"], "cacheRead": usage["cache_read"],
                                "cacheCreation": usage["cache_write"]}, f"claude_code.token.usage carries the reported tokens ({tokens})")
        names = [otlp_summary.event_name(e) for e in summary["events"]]
        checks.check("api_request" in names, "the api_request event arrived")
    elif client == "codex":
        checks.check("metrics" in signals and "logs" in signals, f"the OTLP export reached the sink ({signals})")
        tokens = token_points(summary, "codex.turn.token_usage", "token_type")
        checks.check(tokens.get("input") == usage["input"] + usage["cache_read"] and tokens.get("cached_input") == usage["cache_read"]
                     and tokens.get("output") == usage["output"], f"codex.turn.token_usage carries the reported tokens ({tokens})")
        names = [otlp_summary.event_name(e) for e in summary["events"]]
        checks.check("codex.api_request" in names, "the codex.api_request event arrived")
    else:
        checks.check("logs" in signals, f"the OTLP export reached the sink ({signals})")
        checks.check(not summary["metrics"], "opencode sent no metrics")
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--clients", default="claude,codex,opencode")
    args = parser.parse_args()
    results = [check_client(client, os.path.abspath(args.packages), os.path.abspath(args.out)) for client in args.clients.split(",")]
    passed, failed = sum(r.passed for r in results), sum(r.failed for r in results)
    print(f"agents: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
