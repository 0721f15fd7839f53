#!/usr/bin/env python3
"""cm's hooks inside the real Claude Code (npm `@anthropic-ai/claude-code`, tests/agents/package-lock.json),
against the scripted model server, in a network namespace that has only loopback.

It adds two rules with cm (one the prompts are about, one they are not), writes the hooks with
`cm --store STORE install claude-code --project DIR` and gives the settings file it wrote to the
project of claude_code_hooks_scenario.json: a session that runs the tests with a tool, the same
session continued (`claude -p --continue`), a new session whose answer says the rule misled it
("[cass: harmful <id>]"), and a new session whose model request is answered 400.
Then it checks
  - that nothing left the namespace: lo was its only interface and Claude Code looked up no name;
  - the model requests the fake server received: every one carries the rule's text, as Claude
    Code's system reminder of the UserPromptSubmit hook's additional context, and none the other rule;
  - the rule's grades: helpful exactly once for the first session (its stop, the continued run's
    stop and both session ends grade nothing more), harmful once for the session whose answer
    said so (the agent's word before the outcome's), and nothing for the session whose request
    failed (failure type APIError, which blames no rule), whose rules are graded all the same;
  - the words the rule learned from the first session's prompt (cass_memory.learnFromPrompts is
    on in the hooks' configuration): that prompt's, not the continued run's;
  - that no hook failed (no cm-hook.log, no hook error in Claude Code's output).
Prints one line per check; exits 0 when all passed, 1 otherwise.

  claude_code_hooks.py --packages DIR --cm FILE --out DIR
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import run_agent  # noqa: E402

SCENARIO = os.path.join(HERE, "claude_code_hooks_scenario.json")
RULE = "Run the tests before you commit"
OTHER = "Prefer small pull requests over large ones"
REMINDER = "UserPromptSubmit hook additional context: ## From agentmetrics memory"


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, condition, what):
        print(f"{'ok  ' if condition else 'FAIL'} {what}", flush=True)
        if not condition:
            self.failed += 1
        return condition


def cm(binary, store, *args):
    done = subprocess.run([binary, "--store", store, "--json", *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        sys.exit(f"claude_code_hooks: cm {' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return json.loads(done.stdout)["data"]


def request_text(request):
    """Everything a Messages request gives the model (system and messages), as one text."""
    body = request.get("body") or {}
    return json.dumps(body.get("system", "")) + json.dumps(body.get("messages", []))


def query(store, sql, *parameters):
    connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def run(args):
    checks = Checks()
    run_agent.assert_isolated()
    checks.check(run_agent.interfaces() == ["lo"], f"the namespace has only loopback ({run_agent.interfaces()})")
    work = tempfile.mkdtemp(prefix="claude-code-hooks-")
    try:
        store = os.path.join(work, "events.db")
        rule = cm(args.cm, store, "playbook", "add", RULE)["id"]
        other = cm(args.cm, store, "playbook", "add", OTHER)["id"]

        # The hooks as cm install writes them, in the project's settings.
        template = os.path.join(work, "template")
        os.makedirs(template)
        installed = cm(args.cm, store, "install", "claude-code", "--project", template)
        checks.check([c["action"] for c in installed["changes"]] == ["added"] * 5 and installed["created"],
                     f"cm install claude-code added five hooks to a new {os.path.relpath(installed['settings'], template)}")
        with open(installed["settings"], encoding="utf-8") as f:
            settings = f.read()
        with open(SCENARIO, encoding="utf-8") as f:
            scenario = json.loads(f.read().replace("{rule}", rule))
        scenario["files"] = {".claude/settings.json": settings}
        # The hooks run cm with the configuration that lets a success teach the rules its prompt's
        # words (cass_memory.learnFromPrompts; Claude Code passes its environment to its hooks).
        config = os.path.join(work, "config.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write("cass_memory:\n  learnFromPrompts: true\n")
        scenario["env"] = {"AGENTMETRICS_CONFIG": config}
        scenario_path = os.path.join(work, "scenario.json")
        with open(scenario_path, "w", encoding="utf-8") as f:
            json.dump(scenario, f)

        out = os.path.join(args.out, "run")
        agent_work = os.path.join(work, "agent")
        started = time.time()
        code = subprocess.call([sys.executable, os.path.join(HERE, "run_agent.py"), "--packages", args.packages,
                                "--scenario", scenario_path, "--out", out, "--work", agent_work, "--timeout", "90"])
        runs_path = os.path.join(out, "runs.json")
        runs = json.load(open(runs_path)) if os.path.exists(runs_path) else None
        if not checks.check(code == 0 and runs is not None, f"run_agent.py ran the four runs (exit {code}, {time.time() - started:.1f} s)"):
            return 1
        for r in runs["runs"]:
            checks.check(r["exit"] == r["expect_exit"] and r["session_id"],
                         f"run {r['run']}: Claude Code {runs['binary_version']} exited {r['exit']} in {r['seconds']} s, session {r['session_id']}")
            checks.check("hook" not in r["stderr"].lower() and "hook" not in r["stdout"].lower(),
                         f"run {r['run']}: no hook error in its output ({r['stderr'][-300:]!r})")
        sessions = [r["session_id"] for r in runs["runs"]]
        checks.check(sessions[0] == sessions[1] and len(set(sessions)) == 3, f"--continue kept the session, the others are new ({sessions})")
        checks.check(runs["dns_lookups"] == [], f"Claude Code looked up no name outside the namespace ({runs['dns_lookups']})")

        # What reached the model: the rule in every request, as the hook's additional context.
        requests = [r for r in run_agent_log(out) if r.get("path") == "/v1/messages"]
        line = f"- [{rule}] {RULE} (manual, added by cli, "
        carrying = [r for r in requests if REMINDER in request_text(r) and line in request_text(r)]
        checks.check(len(requests) >= 4 and len(carrying) == len(requests),
                     f"the rule is in all {len(requests)} model requests, in the hook's system reminder ({len(carrying)} carry it)")
        checks.check(not any(other in request_text(r) for r in requests), "the other rule is in none")
        checks.check(any(r.get("status") == 400 for r in requests), "the last session's request was answered 400")

        # The grades: once, for the first session; none for the failed one.
        listed = {b["id"]: b for b in cm(args.cm, store, "playbook", "list", "--all")["bullets"]}
        graded = query(store, "SELECT kind, session_id FROM feedback WHERE bullet_id = ? ORDER BY id", rule)
        checks.check(graded == [("helpful", sessions[0]), ("harmful", sessions[2])],
                     f"the rule's grades: {graded} (helpful for {sessions[0]}, harmful for {sessions[2]}, nothing for {sessions[3]})")
        origins = query(store, "SELECT origin FROM feedback WHERE bullet_id = ? ORDER BY id", rule)
        checks.check(origins == [("outcome",), ("marker",)], f"graded by the outcome, then by the agent's marker ({origins})")
        checks.check(listed[rule]["helpful"] == 1 and listed[rule]["harmful"] == 1 and listed[other]["helpful"] == 0,
                     f"the rule: helpful {listed[rule]['helpful']}, harmful {listed[rule]['harmful']}; the other rule: "
                     f"helpful {listed[other]['helpful']}")
        # The first session's success taught the rule the words of the prompt it was given for; the
        # continued run's prompt was given the rule again within the graded session, and taught nothing.
        learned = cm(args.cm, store, "why", rule)["learned_words"]
        checks.check(learned == ["billing", "service"], f"the words the rule learned from the first session's prompt: {learned}")
        given = query(store, "SELECT session_id, graded IS NOT NULL FROM session_rules WHERE bullet_id = ? ORDER BY given", rule)
        checks.check(sorted(given) == sorted([(sessions[0], 1), (sessions[2], 1), (sessions[3], 1)]),
                     f"the three sessions were given the rule and their outcomes recorded ({given})")
        hook_log = os.path.join(agent_work, "home", ".local", "state", "agentmetrics", "cm-hook.log")
        checks.check(not os.path.exists(hook_log),
                     f"no hook failed (cm-hook.log: {open(hook_log).read()[-500:] if os.path.exists(hook_log) else 'absent'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if checks.failed else 0


def run_agent_log(out):
    with open(os.path.join(out, "fake_model.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", required=True)
    parser.add_argument("--cm", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    for name in ("packages", "cm", "out"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    if not run_agent.loopback_only():
        if os.environ.get("AGENTS_NETNS_ENTERED"):
            sys.exit(f"claude_code_hooks: inside unshare --net the namespace still has {run_agent.interfaces()}")
        sys.exit(run_agent.enter_namespace(sys.argv[1:], script=__file__))
    sys.exit(run(args))


if __name__ == "__main__":
    main()
