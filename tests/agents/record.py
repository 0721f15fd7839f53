#!/usr/bin/env python3
"""Records the real agents' output as test data: runs every scenario of tests/agents/scenarios with
tests/agents/run_agent.py (in a loopback-only namespace, OTLP to tests/agents/otlp_capture.py) and
keeps, under tests/data/agents/<client>/<scenario>/:

  expected.json   the figures the fake model server reported (tokens by type per request, requests,
                  errors, tools called), the client's exit codes, session ids and own figures
  home/...        the client's files, as it wrote them (Claude Code's transcripts and subagents,
                  Codex's rollouts, opencode's configuration), at their paths under HOME
  opencode.sql    opencode's database as an SQL dump (the schema is in ../schema.sql)
  stdout/N.txt    what run N printed (claude's JSON result, codex's and opencode's JSON events)
  otlp/<protocol>/index.jsonl and the bodies, as the client sent them, for each protocol recorded
                  (a body over 16 KiB is kept gzipped at rest: NNNN-<signal>.<ext>.stored.gz, and
                  its index entry says "stored": "gzip"; otlp_summary.py reads both)

The run directories are /tmp/am-agents/<client>-<scenario>, so the paths inside the files are the
same from one recording to the next. Not run by the tests: run it by hand after a client update.

  record.py --packages DIR [--data DIR] [--only CLIENT[/SCENARIO]]
"""

import argparse
import glob
import gzip
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STORE_GZIPPED_OVER = 16 * 1024

# Which OTLP protocols each scenario is recorded with; the first run's transcripts are kept.
# "+gzip" asks the client to compress its exports.
PROTOCOLS = {
    ("claude", "plain"): ["http/protobuf", "http/json", "grpc", "http/protobuf+gzip"],
    ("codex", "plain"): ["http/protobuf", "http/json", "grpc"],
    ("opencode", "plain"): ["http/json"],
}
DEFAULT_PROTOCOL = {"claude": "http/protobuf", "codex": "http/protobuf", "opencode": "http/json"}
# Gemini CLI is run live by otlp_real_clients.py; nothing reads a recording of it (the session
# import does not take its files), so its scenarios are not recorded.
NOT_RECORDED = {"gemini"}
# opencode sends its internal spans (sql.execute, Config.get, ...) whenever an OTLP endpoint is set,
# hundreds per run; they are kept for the plain answer only, the other scenarios keep its logs.
SIGNALS_KEPT = {("opencode", name): ["logs"] for name in ("tool-chain", "denied-tool", "tool-error", "subagent", "resume",
                                                          "api-error-5xx", "api-error-4xx")}


def folder_name(protocol):
    return protocol.replace("/", "-").replace("+", "-")


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def client_figures(client, runs):
    """What the client itself printed about cost and tokens, per run."""
    figures = []
    for run in runs:
        entry = {"exit": run["exit"], "session_id": run["session_id"]}
        if client == "claude":
            try:
                result = json.loads(run["stdout"])
                entry.update({"total_cost_usd": result.get("total_cost_usd"), "usage": result.get("usage"),
                              "num_turns": result.get("num_turns"), "is_error": result.get("is_error"),
                              "permission_denials": len(result.get("permission_denials") or [])})
            except json.JSONDecodeError:
                pass
        else:
            events = []
            for line in run["stdout"].splitlines():
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
            if client == "codex":
                entry["turn_usage"] = [e.get("usage") for e in events if e.get("type") == "turn.completed"]
                entry["failed"] = [e.get("error") for e in events if e.get("type") == "turn.failed"]
            else:
                steps = [e["part"] for e in events if e.get("type") == "step_finish"]
                entry["step_costs"] = [s.get("cost") for s in steps]
                entry["step_tokens"] = [s.get("tokens") for s in steps]
                entry["tools"] = [[e["part"].get("tool"), e["part"].get("state", {}).get("status")]
                                  for e in events if e.get("type") == "tool_use"]
                entry["errors"] = [e.get("error") for e in events if e.get("type") == "error"]
        figures.append(entry)
    return figures


def totals(requests):
    """What the fake server answered, added up: requests by kind, errors by status, tokens by type
    (all, and for the requests that took a script turn and the side requests apart), tools called."""
    def zero():
        return {k: 0 for k in ("input", "output", "cache_read", "cache_write", "reasoning")}
    tokens, by_kind, errors, tools = zero(), {"turn": zero(), "side": zero()}, {}, {}
    for r in requests:
        if r.get("usage"):
            for k in tokens:
                tokens[k] += r["usage"][k]
                if r.get("kind") in by_kind:
                    by_kind[r["kind"]][k] += r["usage"][k]
        if r.get("error"):
            errors[str(r["status"])] = errors.get(str(r["status"]), 0) + 1
        for name in r.get("tools_called", []):
            tools[name] = tools.get(name, 0) + 1
    model_requests = [r for r in requests if r.get("kind") in ("turn", "side", "exhausted")]
    return {
        "requests": len(requests),
        "model_requests": len(model_requests),
        "turn_requests": sum(1 for r in requests if r.get("kind") == "turn"),
        "side_requests": sum(1 for r in requests if r.get("kind") == "side"),
        "answered_200": sum(1 for r in model_requests if r["status"] == 200),
        "errors_by_status": errors,
        "tokens_reported": tokens,
        "tokens_reported_by_kind": by_kind,
        "tools_called": tools,
    }


def expected(scenario_name, scenario, out, runs_json):
    kept = []
    for r in load_jsonl(os.path.join(out, "fake_model.jsonl")):
        entry = {"seq": r["seq"], "method": r["method"], "path": r["path"], "kind": r.get("kind"), "status": r["status"]}
        for key in ("api", "turn", "stream", "usage", "reported", "tools_called", "error"):
            if r.get(key) is not None:
                entry[key] = r[key]
        kept.append(entry)
    return {
        "client": scenario["client"],
        "client_version": runs_json["binary_version"],
        "scenario": scenario_name,
        "description": scenario.get("description"),
        "model": scenario.get("model"),
        "project": runs_json["project"],
        "runs": [{"argv": r["argv"], "exit": r["exit"], "session_id": r["session_id"]} for r in runs_json["runs"]],
        "requests": kept,
        "totals": totals(kept),
        "client_reported": client_figures(scenario["client"], runs_json["runs"]),
        "dns_lookups": runs_json.get("dns_lookups"),
    }


def keep_otlp(source, target, signals):
    os.makedirs(target)
    index = load_jsonl(os.path.join(source, "index.jsonl")) if os.path.exists(os.path.join(source, "index.jsonl")) else []
    index = [entry for entry in index if signals is None or entry["signal"] in signals]
    for entry in index:
        with open(os.path.join(source, entry["file"]), "rb") as f:
            body = f.read()
        entry.pop("time", None)
        if len(body) > STORE_GZIPPED_OVER:
            entry["file"] += ".stored.gz"
            entry["stored"] = "gzip"
            body = gzip.compress(body, 9, mtime=0)
        with open(os.path.join(target, entry["file"]), "wb") as f:
            f.write(body)
    with open(os.path.join(target, "index.jsonl"), "w", encoding="utf-8") as f:
        for entry in index:
            f.write(json.dumps(entry) + "\n")
    return [{k: e[k] for k in ("path", "signal", "content_type", "content_encoding", "bytes", "file")} for e in index]


def files_under(directory):
    """Every file below directory, hidden ones included (glob's ** skips .claude and .codex)."""
    return sorted(os.path.relpath(os.path.join(root, name), directory)
                  for root, _, names in os.walk(directory) for name in names)


def record(packages, data, client, name):
    scenario_path = os.path.join(HERE, "scenarios", client, name + ".json")
    with open(scenario_path, encoding="utf-8") as f:
        scenario = json.load(f)
    target = os.path.join(data, client, name)
    if os.path.exists(target):
        shutil.rmtree(target)
    os.makedirs(target)
    result = None
    for number, protocol in enumerate(PROTOCOLS.get((client, name), [DEFAULT_PROTOCOL[client]])):
        out = f"/tmp/am-agents-out/{client}-{name}-{folder_name(protocol)}"
        command = [sys.executable, os.path.join(HERE, "run_agent.py"), "--packages", packages, "--scenario", scenario_path,
                   "--out", out, "--capture", "--otlp-protocol", protocol.split("+")[0],
                   "--work", f"/tmp/am-agents/{client}-{name}", "--timeout", "150"]
        if protocol.endswith("+gzip"):
            command += ["--otlp-compression", "gzip"]
        code = subprocess.call(command)
        if code != 0:
            sys.exit(f"record: {client}/{name} over {protocol} failed ({code}); see {out}")
        with open(os.path.join(out, "runs.json"), encoding="utf-8") as f:
            runs_json = json.load(f)
        signals = SIGNALS_KEPT.get((client, name))
        otlp = keep_otlp(os.path.join(out, "otlp"), os.path.join(target, "otlp", folder_name(protocol)), signals)
        if number == 0:
            result = expected(name, scenario, out, runs_json)
            result["otlp"] = {}
            shutil.copytree(os.path.join(out, "home"), os.path.join(target, "home"))
            if os.path.exists(os.path.join(out, "opencode.sql")):
                shutil.copy(os.path.join(out, "opencode.sql"), os.path.join(target, "opencode.sql"))
                shutil.copy(os.path.join(out, "opencode.schema.sql"), os.path.join(data, client, "schema.sql"))
                os.remove(os.path.join(target, "home", ".local", "share", "opencode", "opencode.db"))
            os.makedirs(os.path.join(target, "stdout"))
            for run in runs_json["runs"]:
                with open(os.path.join(target, "stdout", f"{run['run']}.txt"), "w", encoding="utf-8") as f:
                    f.write(run["stdout"])
        result["otlp"][folder_name(protocol)] = {"session_ids": [r["session_id"] for r in runs_json["runs"]],
                                                 "signals_kept": signals or "all", "requests": otlp}
    result["files"] = files_under(target) + ["expected.json"]
    with open(os.path.join(target, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"record: {client}/{name}: {result['totals']['requests']} requests, exits {[r['exit'] for r in result['runs']]}")


INDEX_HEAD = """# Real agents' output, recorded

Written by `tests/agents/record.py` from the scenarios of `tests/agents/scenarios/` (each says
what happens in its `description`), with Claude Code 2.1.332, Codex 0.169.1 and opencode 1.18.33
run against the fake model server in a loopback-only namespace. `tests/agents/README.md` says
what each file holds and what the clients do that their documentation does not say; each
scenario's `expected.json` has the exact figures. Tokens are those the fake server reported,
every request added up (for opencode the title request too; `tokens_reported_by_kind` splits them).

| client | scenario | exit | model requests (errors) | tokens input/cache read/cache write/output | tools called | OTLP kept | KiB |
|---|---|---|---|---|---|---|---|
"""


def write_index(data):
    """data/README.md: one line per scenario recorded."""
    rows = []
    for path in sorted(glob.glob(os.path.join(data, "*", "*", "expected.json"))):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        t, tokens = d["totals"], d["totals"]["tokens_reported"]
        size = sum(os.path.getsize(os.path.join(os.path.dirname(path), name)) for name in d["files"])
        errors = ", ".join(f"{k}: {v}" for k, v in t["errors_by_status"].items()) or "all 200"
        rows.append(f"| {d['client']} | {d['scenario']} | {', '.join(str(r['exit']) for r in d['runs'])} | {t['model_requests']} ({errors}) "
                    f"| {tokens['input']}/{tokens['cache_read']}/{tokens['cache_write']}/{tokens['output']} "
                    f"| {', '.join(t['tools_called']) or '-'} | {', '.join(d['otlp'])} | {size // 1024} |")
    with open(os.path.join(data, "README.md"), "w", encoding="utf-8") as f:
        f.write(INDEX_HEAD + "\n".join(rows) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", required=True)
    parser.add_argument("--data", default=os.path.join(HERE, "..", "data", "agents"))
    parser.add_argument("--only", help="CLIENT or CLIENT/SCENARIO")
    args = parser.parse_args()
    packages = os.path.abspath(args.packages)
    for path in sorted(glob.glob(os.path.join(HERE, "scenarios", "*", "*.json"))):
        client, name = path.split(os.sep)[-2], os.path.basename(path)[:-5]
        if client in NOT_RECORDED or (args.only and args.only not in (client, f"{client}/{name}")):
            continue
        record(packages, os.path.abspath(args.data), client, name)
    write_index(os.path.abspath(args.data))


if __name__ == "__main__":
    main()
