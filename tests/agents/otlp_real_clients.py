#!/usr/bin/env python3
"""The real Claude Code, Codex and Gemini CLI (tests/agents/package-lock.json) exporting their
OpenTelemetry to the real agentmetricsd, in every protocol each speaks, inside a network namespace that has only
loopback, against the scripted model server of tests/agents.

For each client and protocol it starts agentmetricsd with its OTLP receivers on 127.0.0.1:4317 and
:4318 (the namespace has its own ports), runs the client's plain-answer and tool-chain scenarios
through run_agent.py --otlp-endpoint, scrapes /metrics, stops the collector (which stores every
session it followed), and checks:
  - tokens by type in <prefix>_tokens_total equal the usage the model server reported, converted to
    agentmetrics' convention (input not read from the cache, output, cache read, cache creation);
  - cost: Claude Code's own figure (its --output-format json total_cost_usd) for Claude Code; the
    price table's for Codex (gpt-5.5 priced by the configuration the test writes) and for Gemini CLI
    (gemini-2.5-pro, priced by the table the collector ships), since neither sends one;
  - the sessions counted, the tool calls the model asked for (and for Gemini CLI, whose tool_call
    events carry the decision, each counted as accepted), and one stored task per session with
    the same tokens and cost, its session id not kept;
  - the KPIs cost per successful task and tokens per task, as `agentmetrics kpi` computes them from
    that store;
  - that no user id reached a label, and that nothing left the namespace.
Prints one line per check; exits 0 when all passed, 1 otherwise, 77 without the packages.

  otlp_real_clients.py --packages DIR --bin-dir DIR --out DIR
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import run_agent  # noqa: E402

# gpt-5.5, Codex's default model here, is not in the shipped price table: the test prices it.
CODEX_PRICE = {"input": 2.0, "output": 16.0, "cache_read": 0.2, "cache_creation": 0.0}
# Gemini CLI's "http" protocol is OTLP/JSON; it has no OTLP/HTTP protobuf.
CASES = [
    ("claude", "plain", "grpc"), ("claude", "plain", "http/protobuf"), ("claude", "tool-chain", "http/json"),
    ("codex", "plain", "grpc"), ("codex", "plain", "http/protobuf"), ("codex", "tool-chain", "http/json"),
    ("gemini", "plain", "grpc"), ("gemini", "tool-chain", "http/json"),
]
AGENTS = {"claude": "claude_code", "codex": "codex", "gemini": "gemini_cli"}


def shipped_price(model):
    """A model's prices in USD per million tokens, from the table the collector ships."""
    path = os.path.join(HERE, "..", "..", "collector", "intake", "model_prices.yaml")
    for line in open(path):
        name, _, prices = line.strip().partition(":")
        if name == model:
            return {k.strip(): float(v) for k, v in (p.split(":") for p in prices.strip(" {}").split(","))}
    sys.exit(f"{model} is not in {path}")


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, condition, what):
        print(("ok   " if condition else "FAIL ") + what, flush=True)
        if not condition:
            self.failed += 1
        return condition


def scrape(port):
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    samples = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return body, samples


def family_sum(samples, family, **labels):
    total = 0.0
    for name, value in samples.items():
        if name.startswith(family + "{") and all(f'{k}="{v}"' in name for k, v in labels.items()):
            total += value
    return total


def start_collector(bin_dir, work, name):
    config = os.path.join(work, f"{name}.yml")
    with open(config, "w") as f:
        price = ", ".join(f"{k}: {v}" for k, v in CODEX_PRICE.items())
        f.write(f"pricing:\n  models:\n    gpt-5.5: {{{price}}}\n")
    log = open(os.path.join(work, f"{name}.log"), "w")
    store = os.path.join(work, f"{name}.db")
    process = subprocess.Popen([os.path.join(bin_dir, "agentmetricsd"), f"--config={config}", f"--namespace=otlp-{os.getpid()}-{name}",
                                f"--store={store}", "--web.listen-address=127.0.0.1:0"], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        text = open(log.name).read()
        if "collector started" in text and "OTLP receivers started" in text:
            port = int(text.split("collector started", 1)[1].split(" port=", 1)[1].split()[0])
            return process, port, store, log.name
        if process.poll() is not None:
            break
        time.sleep(0.05)
    sys.exit("agentmetricsd did not start:\n" + open(log.name).read())


def reported(out):
    """What the model server answered, added up, in its neutral terms, and its scripted answers by
    status."""
    tokens = {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
    tools = {}
    statuses = {}
    with open(os.path.join(out, "fake_model.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "turn":
                statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
            for k in tokens:
                tokens[k] += (r.get("usage") or {}).get(k, 0)
            for name in r.get("tools_called", []):
                tools[name] = tools.get(name, 0) + 1
    return tokens, tools, statuses


def run(args):
    run_agent.assert_isolated()
    checks = Checks()
    checks.check(run_agent.interfaces() == ["lo"], f"the namespace has only loopback ({run_agent.interfaces()})")
    work = tempfile.mkdtemp(prefix="otlp-real-")
    for client, scenario, protocol in CASES:
        name = f"{client}-{scenario}-{protocol.replace('/', '-')}"
        print(f"-- {client} {scenario} over {protocol}", flush=True)
        collector, port, store, log = start_collector(args.bin_dir, work, name)
        out = os.path.join(args.out, name)
        endpoint = "http://127.0.0.1:4317" if protocol == "grpc" else "http://127.0.0.1:4318"
        code = subprocess.call([sys.executable, os.path.join(HERE, "run_agent.py"), "--packages", args.packages,
                                "--scenario", os.path.join(HERE, "scenarios", client, f"{scenario}.json"), "--out", out,
                                "--otlp-endpoint", endpoint, "--otlp-protocol", protocol, "--timeout", "90"])
        if not checks.check(code == 0, f"{name}: the client ran (run_agent.py exit {code})"):
            collector.terminate()
            collector.wait()
            continue
        runs = json.load(open(os.path.join(out, "runs.json")))
        tokens, tools, statuses = reported(out)
        agent = AGENTS[client]
        # The exports of the last moments arrive as the client exits; the collector has them once
        # the client is gone, but give the receiver a moment to have mapped the last request.
        time.sleep(0.5)
        body, samples = scrape(port)
        counted = {t: family_sum(samples, "opencode_tokens_total", agent=agent, type=t)
                   for t in ("input", "output", "cache_read", "cache_creation")}
        expected = {"input": tokens["input"], "output": tokens["output"], "cache_read": tokens["cache_read"],
                    "cache_creation": tokens["cache_write"]}
        checks.check(counted == expected, f"{name}: tokens {counted} are the model's {expected}")
        cost = family_sum(samples, "opencode_cost_usd_total", agent=agent)
        if client == "claude":
            # Claude Code's own figure, as `claude -p --output-format json` printed it.
            want = sum(json.loads(r["stdout"]).get("total_cost_usd", 0) for r in runs["runs"])
        else:
            price = CODEX_PRICE if client == "codex" else shipped_price("gemini-2.5-pro")
            want = (expected["input"] * price["input"] + expected["output"] * price["output"] +
                    expected["cache_read"] * price["cache_read"]) / 1e6
        checks.check(abs(cost - want) < 1e-9, f"{name}: cost {cost:.9f} USD is {want:.9f}")
        checks.check(family_sum(samples, "opencode_sessions_total", agent=agent) == len(runs["runs"]),
                     f"{name}: {len(runs['runs'])} session(s) counted")
        calls = {t: family_sum(samples, "opencode_agent_tool_calls_total", agent=agent, tool=t) for t in tools}
        checks.check(calls == {t: float(n) for t, n in tools.items()}, f"{name}: tool calls {calls} are those asked for {tools}")
        if client == "gemini":
            # One api_response a request answered, none for the api_request sent before it.
            requests = {k: family_sum(samples, "opencode_api_requests_total", agent=agent, status=k) for k in list(statuses) + ["error"]}
            checks.check(requests == {**{k: float(n) for k, n in statuses.items()}, "error": 0.0},
                         f"{name}: API requests by status {requests} are the model's answers {statuses}")
        if client == "gemini" and tools:
            accepted = {t: family_sum(samples, "opencode_tool_decisions_total", agent=agent, tool=t, decision="accept") for t in tools}
            checks.check(accepted == {t: float(n) for t, n in tools.items()}, f"{name}: tool decisions {accepted} all accepted")
        checks.check("user.id" not in body and "user_id" not in body and "session.id" not in body, f"{name}: no user or session id in /metrics")
        collector.terminate()
        checks.check(collector.wait(timeout=30) == 0, f"{name}: agentmetricsd stopped cleanly")
        db = sqlite3.connect(store)
        tasks = [json.loads(row[0]) for row in db.execute("SELECT fields FROM events WHERE kind = 'task'")]
        db.close()
        session_ids = [r["session_id"] for r in runs["runs"] if r.get("session_id")]
        checks.check(len(tasks) == 1, f"{name}: one task stored for the session ({len(tasks)})")
        for task in tasks:
            stored = {"input": task.get("tokens_input", 0), "output": task.get("tokens_output", 0),
                      "cache_read": task.get("tokens_cache_read", 0), "cache_creation": task.get("tokens_cache_creation", 0)}
            checks.check(stored == expected, f"{name}: the task's tokens {stored}")
            checks.check(abs(task.get("cost_usd", 0) - want) < 1e-9 and task["success"] and task["origin"] == "otlp",
                         f"{name}: the task's cost {task.get('cost_usd')}, success {task['success']}, origin {task['origin']}")
            checks.check(all(s not in json.dumps(task) for s in session_ids), f"{name}: the session's id is not stored")
        # The KPIs over that store, as `agentmetrics kpi` shows them.
        kpi = subprocess.run([os.path.join(args.bin_dir, "agentmetrics"), "kpi", "--store", store, "--window", "30d", "--json"],
                             capture_output=True, text=True, timeout=60)
        kpis = {k["id"]: k["value"] for k in json.loads(kpi.stdout)["kpis"]} if kpi.returncode == 0 else {}
        checks.check(kpis.get("cost_per_successful_task") is not None and abs(kpis["cost_per_successful_task"] - want) < 1e-9,
                     f"{name}: cost per successful task {kpis.get('cost_per_successful_task')} in `agentmetrics kpi` ({kpi.stderr.strip()})")
        checks.check(kpis.get("tokens_per_task") == sum(expected.values()),
                     f"{name}: tokens per task {kpis.get('tokens_per_task')} in `agentmetrics kpi` are {sum(expected.values())}")
        errors = [line for line in open(log) if " error " in line]
        checks.check(not errors, f"{name}: the collector logged no error ({errors[:2]})")
    print(f"{len(CASES)} runs; {'all checks passed' if checks.failed == 0 else str(checks.failed) + ' failed'}")
    return 0 if checks.failed == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", required=True)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.packages, "node_modules")):
        print(f"no agents installed in {args.packages}")
        return 77
    if os.environ.get("AGENTS_NETNS_ENTERED") != "1":
        return run_agent.enter_namespace(sys.argv[1:], script=__file__)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
