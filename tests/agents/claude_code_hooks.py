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
  - that no hook failed (no cm-hook.log, no hook error in Claude Code's output);
  - the store keys the sessions by their digest ("s-" and 16 hex digits, common/intake_key.h),
    never by Claude Code's session id;
  - then `agentmetrics import claude-code` of the same transcripts into the same store and
    `cm reflect`: one task per session under the same digests, the third one's carrying the
    agent's harmful marker, and the marker still counted once (the hook's at Stop and the
    import's are one grade), nothing else graded again.
Prints one line per check; exits 0 when all passed, 1 otherwise.

  claude_code_hooks.py --packages DIR --cm FILE --agentmetrics FILE --out DIR
"""

import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import agent_test  # noqa: E402
import run_agent  # noqa: E402

SCENARIO = os.path.join(HERE, "claude_code_hooks_scenario.json")
RULE = "Run the tests before you commit"
OTHER = "Prefer small pull requests over large ones"
REMINDER = "UserPromptSubmit hook additional context: ## From agentmetrics memory"


def cm(binary, store, *args):
    done = subprocess.run([binary, "--store", store, "--json", *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        sys.exit(f"claude_code_hooks: cm {' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return json.loads(done.stdout)["data"]


def request_text(request):
    """Everything a Messages request gives the model (system and messages), as one text."""
    body = request.get("body") or {}
    return json.dumps(body.get("system", "")) + json.dumps(body.get("messages", []))


def import_transcripts(agentmetrics, store, claude_dir, work):
    # --text none: no prompt or answer kept as a task's title and snippet.
    env = dict(os.environ, AGENTMETRICS_CONFIG="", AGENTMETRICS_STORE="", XDG_CONFIG_HOME=os.path.join(work, "no-config"))
    done = subprocess.run([agentmetrics, "import", "claude-code", "--path", claude_dir, "--store", store, "--json", "--text", "none"],
                          capture_output=True, text=True, timeout=60, env=env)
    if done.returncode != 0:
        sys.exit(f"claude_code_hooks: agentmetrics import exited {done.returncode}: {done.stdout}{done.stderr}")
    return json.loads(done.stdout)


def run(args):
    checks, work = agent_test.start("claude-code-hooks-")
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
        # The store keeps each session's digest, as the session import's task events do.
        digests = [agent_test.session_digest("claude_code", s or "") for s in sessions]
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
        graded = agent_test.query(store, "SELECT kind, session_id FROM feedback WHERE bullet_id = ? ORDER BY id", rule)
        checks.check(graded == [("helpful", digests[0]), ("harmful", digests[2])],
                     f"the rule's grades: {graded} (helpful for {sessions[0]} as {digests[0]}, harmful for {sessions[2]} as "
                     f"{digests[2]}, nothing for {sessions[3]})")
        origins = agent_test.query(store, "SELECT origin FROM feedback WHERE bullet_id = ? ORDER BY id", rule)
        checks.check(origins == [("outcome",), ("marker",)], f"graded by the outcome, then by the agent's marker ({origins})")
        checks.check(listed[rule]["helpful"] == 1 and listed[rule]["harmful"] == 1 and listed[other]["helpful"] == 0,
                     f"the rule: helpful {listed[rule]['helpful']}, harmful {listed[rule]['harmful']}; the other rule: "
                     f"helpful {listed[other]['helpful']}")
        # The first session's success taught the rule the words of the prompt it was given for; the
        # continued run's prompt was given the rule again within the graded session, and taught nothing.
        learned = cm(args.cm, store, "why", rule)["learned_words"]
        checks.check(learned == ["billing", "service"], f"the words the rule learned from the first session's prompt: {learned}")
        given = agent_test.query(store, "SELECT session_id, graded IS NOT NULL FROM session_rules WHERE bullet_id = ? ORDER BY given", rule)
        checks.check(sorted(given) == sorted([(digests[0], 1), (digests[2], 1), (digests[3], 1)]),
                     f"the three sessions were given the rule and their outcomes recorded ({given})")
        hook_log = os.path.join(agent_work, "home", ".local", "state", "agentmetrics", "cm-hook.log")
        checks.check(not os.path.exists(hook_log),
                     f"no hook failed (cm-hook.log: {open(hook_log).read()[-500:] if os.path.exists(hook_log) else 'absent'})")

        # The same sessions from Claude Code's transcripts, imported into the same store and
        # reflected: the import's tasks are keyed by the same digests, and the third session's
        # marker, which the hook applied at its Stop, is the same grade, not a second one.
        before = agent_test.query(store, "SELECT bullet_id, kind, origin, session_id FROM feedback ORDER BY id")
        report = import_transcripts(args.agentmetrics, store, os.path.join(agent_work, "home", ".claude"), work)
        claude = report["agents"].get("claude_code", {})
        checks.check(claude.get("sessions_new") == 3 and report["problems"]["total"] == 0,
                     f"agentmetrics import claude-code: the three sessions, no problem ({claude}, "
                     f"problems {report['problems']['by_kind']})")
        tasks = {t.get("session_id"): t.get("rule_feedback")
                 for t in (json.loads(row[0]) for row in agent_test.query(store, "SELECT fields FROM events WHERE kind = 'task'"))}
        checks.check(sorted(tasks) == sorted(set(digests)),
                     f"the imported tasks are the hook's sessions, by the same digests ({sorted(tasks)})")
        checks.check(tasks.get(digests[2]) == f"-{rule}" and tasks.get(digests[0]) is None and tasks.get(digests[3]) is None,
                     f"the third session's task carries the agent's harmful marker, the others none "
                     f"({ {d: tasks.get(d) for d in dict.fromkeys(digests)} })")
        reflected = cm(args.cm, store, "reflect")
        after = agent_test.query(store, "SELECT bullet_id, kind, origin, session_id FROM feedback ORDER BY id")
        marker = [f for f in after if f[2] == "marker"]
        checks.check(after == before and marker == [(rule, "harmful", "marker", digests[2])] and reflected.get("feedback_applied") == 0,
                     f"cm reflect graded nothing again ({reflected.get('feedback_applied')} applied): the marker counts once, "
                     f"hook and import together ({marker})")
        watermark = agent_test.query(store, "SELECT value FROM learning_state WHERE key = 'feedback_watermark'")
        last_task = agent_test.query(store, "SELECT max(id) FROM events WHERE kind = 'task'")[0][0]
        checks.check(bool(watermark) and last_task is not None and int(watermark[0][0]) >= last_task,
                     f"the reflection read the imported tasks (watermark {watermark}, last task {last_task})")
        listed = {b["id"]: b for b in cm(args.cm, store, "playbook", "list", "--all")["bullets"]}
        checks.check(listed[rule]["helpful"] == 1 and listed[rule]["harmful"] == 1,
                     f"after the import the rule is still helpful {listed[rule]['helpful']}, harmful {listed[rule]['harmful']}")
        blob = b"".join(open(store + suffix, "rb").read() for suffix in ("", "-wal") if os.path.exists(store + suffix))
        checks.check(not any(s.encode() in blob for s in sessions if s),
                     "the store holds none of Claude Code's session ids, only their digests")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if checks.failed else 0


def run_agent_log(out):
    with open(os.path.join(out, "fake_model.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


if __name__ == "__main__":
    agent_test.main(run, __file__, ['packages', 'cm', 'agentmetrics', 'out'], __doc__.splitlines()[0])
