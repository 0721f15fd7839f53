#!/usr/bin/env python3
"""Inline feedback from the real Codex (npm `@openai/codex`, tests/agents/package-lock.json), read back by the
session import: against the scripted model server, in a network namespace that has only loopback.

It adds three rules with cm and writes the project's AGENTS.md with `cm export --format agents.md`,
then adds a fourth, which the block therefore does not show. Codex puts the block into its thread
(the rollout's "# AGENTS.md instructions for <dir>" user message), and the scripted answer says
"[cass: helpful <rule 1>] [cass: harmful <rule 2>] [cass: helpful <rule 4, not shown>]".
`agentmetrics import codex` of that HOME into the store (--text none), `cm reflect`, and each
rule's feedback (`cm why --json`). Then the same thread is resumed in the same HOME and project
(`codex exec resume --last`, run_agent.py --continue-work: Codex appends to the same rollout)
with an answer that repeats rule 1's marker and grades rule 3, shown in the first run, for the
first time; imported (the import reads on where it stopped) and reflected again.
It checks
  - that nothing left the namespace: lo was its only interface and Codex looked up no name, in
    either run;
  - the block cm exported: rules 1 to 3, not 4, ending with the line that invites the markers;
    the block in the model's request (Codex gave it to the model), rule 4 in none;
  - import 1: one task for the session, keyed by the digest of the thread id ("s-" and 16 hex
    digits, common/intake_key.h), whose rule_feedback is "+<rule 1> -<rule 2>": rule 4's marker
    dropped;
  - reflect 1: two signals applied; rule 1 has exactly one grade, helpful, origin "marker", for
    that session, rule 2 one harmful, rules 3 and 4 none;
  - the resumed run: the same thread, its request with the first answer and the block, the
    rollout appended in place (same inode) without the block again;
  - import 2: only the appended bytes read, the session's task replaced by a new event with
    rule_feedback "+<rule 1> -<rule 2> +<rule 3>" (rule 3 shown before the part read);
  - reflect 2: the new event read, one signal applied (rule 3), rules 1 and 2 still exactly one
    marker grade each for the session, rule 4 none;
  - that the store file holds neither the Codex thread id nor the text of either prompt.
Prints one line per check; exits 0 when all passed, 1 otherwise.

  codex_inline_feedback.py --packages DIR --cm FILE --agentmetrics FILE --out DIR
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

RULES = {
    "helpful": "Run the tests before you commit",  # marked helpful in both runs
    "harmful": "Squash every commit into one before you push",  # marked harmful in the first
    "later": "Write commit messages in the imperative mood",  # shown in the first run, marked in the second only
    "unshown": "Prefer small pull requests over large ones",  # not in the block, marked all the same
}
PROMPTS = ("Run the tests of the billing service, then commit the fix.",
           "Commit the follow-up to the billing fix the same way.")
BEGIN = "<!-- agentmetrics:begin (cm export --format agents.md) -->"
END = "<!-- agentmetrics:end -->"
INVITATION = "If a rule above helped or misled you, say so in your answer: [cass: helpful <id>] or [cass: harmful <id>]."


def clean_env(work):
    """cm and agentmetrics see no configuration of the machine's (only --store says where); they run
    in `work`, outside any repository (cm export's project is the current directory's)."""
    return dict(os.environ, HOME=work, AGENTMETRICS_CONFIG="", AGENTMETRICS_STORE="",
                XDG_CONFIG_HOME=os.path.join(work, "no-config"))


def cm(args, work, store, *argv, json_out=True):
    command = [args.cm, "--store", store] + (["--json"] if json_out else []) + list(argv)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=clean_env(work), cwd=work)
    if done.returncode != 0:
        sys.exit(f"codex_inline_feedback: cm {' '.join(argv)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return json.loads(done.stdout)["data"] if json_out else done.stdout


def import_codex(args, work, store, codex_home):
    # --text none: no prompt or answer text kept as the task's title and snippet.
    command = [args.agentmetrics, "import", "codex", "--path", codex_home, "--store", store, "--json", "--text", "none"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=clean_env(work), cwd=work)
    if done.returncode != 0:
        sys.exit(f"codex_inline_feedback: agentmetrics import exited {done.returncode}: {done.stdout}{done.stderr}")
    return json.loads(done.stdout)


def tasks_of(store):
    """The task events: (id, fields)."""
    return [(row[0], json.loads(row[1])) for row in agent_test.query(store, "SELECT id, fields FROM events WHERE kind = 'task' ORDER BY id")]


def feedback_watermark(store):
    """The last event the reflection applied the feedback of (learning_state)."""
    rows = agent_test.query(store, "SELECT value FROM learning_state WHERE key = 'feedback_watermark'")
    return int(rows[0][0]) if rows else 0


def feedback_of(args, work, store, rule):
    return [(f["origin"], f["kind"], f["session_id"]) for f in cm(args, work, store, "why", rule)["feedback"]]


def request_text(request):
    """What a Responses request gives the model (instructions and input), as one text."""
    body = request.get("body") or {}
    return json.dumps(body.get("instructions", "")) + json.dumps(body.get("input", []))


def model_requests(out):
    with open(os.path.join(out, "fake_model.jsonl"), encoding="utf-8") as f:
        return [r for r in (json.loads(line) for line in f if line.strip()) if r.get("path") == "/v1/responses"]


def run_codex(checks, args, scenario, work, name, agent_work, continue_work=False):
    """One run_agent.py of the scenario; returns (runs.json, out) or None when it did not run."""
    scenario_path = os.path.join(work, f"{name}.json")
    with open(scenario_path, "w", encoding="utf-8") as f:
        json.dump(scenario, f, indent=2)
    out = os.path.join(args.out, name)
    command = [sys.executable, os.path.join(HERE, "run_agent.py"), "--packages", args.packages, "--scenario", scenario_path,
               "--out", out, "--work", agent_work, "--timeout", "90"]
    if continue_work:
        command.append("--continue-work")
    started = time.time()
    code = subprocess.call(command)
    runs_path = os.path.join(out, "runs.json")
    runs = json.load(open(runs_path)) if os.path.exists(runs_path) else None
    if not checks.check(code == 0 and runs is not None, f"{name}: run_agent.py ran Codex (exit {code}, {time.time() - started:.1f} s)"):
        return None
    for r in runs["runs"]:
        checks.check(r["exit"] == 0 and r["session_id"],
                     f"{name}: Codex {runs['binary_version']} exited {r['exit']} in {r['seconds']} s, thread {r['session_id']}")
    checks.check(runs["dns_lookups"] == [], f"{name}: Codex looked up no name outside the namespace ({runs['dns_lookups']})")
    return runs, out


def check_grades(checks, args, work, store, rules, want, digest, when):
    """Each rule's feedback (cm why --json) and counts (cm playbook list) against `want`: the kinds
    of marker grade it should have, all for the session's digest."""
    listed = {b["id"]: b for b in cm(args, work, store, "playbook", "list", "--all")["bullets"]}
    for role, rule in rules.items():
        got = feedback_of(args, work, store, rule)
        expected = [("marker", kind, digest) for kind in want[role]]
        checks.check(got == expected, f"{when}: the {role} rule {rule}: feedback {got}, expected {expected or 'none'}")
    counts = {role: (listed[rule]["helpful"], listed[rule]["harmful"]) for role, rule in rules.items()}
    expected = {role: (want[role].count("helpful"), want[role].count("harmful")) for role in rules}
    checks.check(counts == expected, f"{when}: the rules' (helpful, harmful) counts {counts}")


def run(args):
    checks, work = agent_test.start("codex-inline-feedback-")
    try:
        store = os.path.join(work, "events.db")
        rules = {role: cm(args, work, store, "playbook", "add", RULES[role])["id"] for role in ("helpful", "harmful", "later")}
        block = cm(args, work, store, "export", "--format", "agents.md", json_out=False)
        # Added after the export: a rule of the playbook that the session is never shown.
        rules["unshown"] = cm(args, work, store, "playbook", "add", RULES["unshown"])["id"]
        helpful, harmful, later, unshown = (rules[r] for r in ("helpful", "harmful", "later", "unshown"))
        lines = block.splitlines()
        shown = [f"- {RULES[r]} ({rules[r]})" for r in ("helpful", "harmful", "later")]
        checks.check(lines[0] == BEGIN and lines[-1] == END and all(line in lines for line in shown) and unshown not in block
                     and lines[-2] == INVITATION,
                     f"cm export --format agents.md: the block shows {helpful}, {harmful} and {later}, not {unshown}, "
                     "and ends inviting the markers")

        agent_work = os.path.join(work, "agent")
        scenario = {
            "client": "codex",
            "description": "codex_inline_feedback.py: an answer that grades rules of the project's AGENTS.md "
                           "(cm export) inline, and a rule the block does not show.",
            "model": "gpt-5.5",
            "files": {"AGENTS.md": block},
            "script": {
                "turns": [{"text": f"Ran the tests, then committed. [cass: helpful {helpful}] [cass: harmful {harmful}] "
                                   f"[cass: helpful {unshown}]",
                           "usage": {"input": 1500, "output": 30, "cache_read": 2500, "reasoning": 4}}],
                "side": {"text": "Billing fix", "usage": {"input": 50, "output": 3}},
            },
            "runs": [{"prompt": PROMPTS[0]}],
        }
        ran = run_codex(checks, args, scenario, work, "run-1", agent_work)
        if not ran:
            return 1
        runs, out = ran
        thread = runs["runs"][0]["session_id"] or ""
        digest = agent_test.session_digest("codex", thread)
        requests = model_requests(out)
        carrying = [r for r in requests if all(line in request_text(r) for line in shown) and INVITATION in request_text(r)]
        checks.check(len(requests) >= 1 and requests[0] in carrying,
                     f"run-1: Codex gave the model the AGENTS.md block ({len(carrying)} of {len(requests)} requests carry it)")
        checks.check(not any(RULES["unshown"] in request_text(r) or unshown in request_text(r) for r in requests),
                     f"run-1: the unshown rule is in none of the {len(requests)} model requests")
        rollouts = [p for p in runs["files"] if p.startswith(".codex/sessions/")]
        rollout_text = open(os.path.join(out, "home", rollouts[0]), encoding="utf-8").read() if len(rollouts) == 1 else ""
        checks.check(len(rollouts) == 1 and "# AGENTS.md instructions for" in rollout_text and BEGIN in rollout_text,
                     f"run-1: one rollout, with the AGENTS.md block in Codex's instructions message ({rollouts})")

        codex_home = os.path.join(agent_work, "home", ".codex")
        report = import_codex(args, work, store, codex_home)
        codex = report["agents"]["codex"]
        checks.check(codex["sessions_new"] == 1 and report["problems"]["total"] == 0,
                     f"import 1: one new session, no problem ({codex}, problems {report['problems']['by_kind']})")
        tasks = tasks_of(store)
        want = f"+{helpful} -{harmful}"
        checks.check(len(tasks) == 1 and tasks[0][1].get("session_id") == digest and tasks[0][1].get("rule_feedback") == want,
                     f"import 1: one task, session {digest} (the thread's digest), rule_feedback {want!r}, the unshown "
                     f"rule's marker dropped ({[(t.get('session_id'), t.get('rule_feedback')) for _, t in tasks]})")
        first_event = tasks[0][0] if tasks else None
        reflected = cm(args, work, store, "reflect")
        checks.check(reflected.get("feedback_applied") == 2 and feedback_watermark(store) >= (first_event or 1),
                     f"reflect 1: read the task event (watermark {feedback_watermark(store)}, event {first_event}) and "
                     f"applied {reflected.get('feedback_applied')} feedback signals (2: the shown rules' markers)")
        check_grades(checks, args, work, store, rules, {"helpful": ["helpful"], "harmful": ["harmful"], "later": [], "unshown": []},
                     digest, "reflect 1")

        # The same thread resumed, in the same HOME and project: Codex appends to the same rollout
        # (without the AGENTS.md block again), and the import reads on from where it stopped. The
        # answer repeats the first marker and grades, for the first time, a rule shown in run 1.
        rollout = os.path.join(agent_work, "home", rollouts[0])
        before = os.stat(rollout)
        scenario["script"]["turns"] = [{"text": f"Committed the follow-up after the tests. [cass: helpful {helpful}] "
                                                f"[cass: helpful {later}]",
                                        "usage": {"input": 120, "output": 14, "cache_read": 3900, "reasoning": 0}}]
        scenario["runs"] = [{"prompt": PROMPTS[1], "continue": True}]
        ran = run_codex(checks, args, scenario, work, "run-2", agent_work, continue_work=True)
        if not ran:
            return 1
        runs2, out2 = ran
        checks.check(runs2["runs"][0]["session_id"] == thread,
                     f"run-2: codex exec resume --last continued the thread ({runs2['runs'][0]['session_id']}, was {thread})")
        requests2 = model_requests(out2)
        checks.check(len(requests2) >= 1 and f"[cass: helpful {unshown}]" in request_text(requests2[0])
                     and all(line in request_text(requests2[0]) for line in shown),
                     "run-2: the resumed request carries the first run's answer and the AGENTS.md block (the thread's history)")
        after = os.stat(rollout)
        appended = after.st_size - before.st_size
        with open(rollout, "rb") as f:
            f.seek(before.st_size)
            tail = f.read().decode("utf-8", "replace")
        checks.check((after.st_dev, after.st_ino) == (before.st_dev, before.st_ino) and appended > 0 and BEGIN not in tail
                     and f"[cass: helpful {later}]" in tail,
                     f"run-2: Codex appended {appended} bytes to the same rollout file (inode {after.st_ino}): the new "
                     "answer, not the AGENTS.md block again")
        report = import_codex(args, work, store, codex_home)
        codex = report["agents"]["codex"]
        checks.check(codex["sessions_updated"] == 1 and codex["sessions_new"] == 0 and codex["bytes"] == appended
                     and report["problems"]["total"] == 0,
                     f"import 2: read on where import 1 stopped, the {codex['bytes']} bytes appended; the session updated "
                     f"({codex}, problems {report['problems']['by_kind']})")
        tasks = tasks_of(store)
        want = f"+{helpful} -{harmful} +{later}"
        checks.check(len(tasks) == 1 and tasks[0][0] != first_event and tasks[0][1].get("session_id") == digest
                     and tasks[0][1].get("rule_feedback") == want and tasks[0][1].get("prompts_sent") == 2,
                     f"import 2: the session's task is a new event (id {tasks[0][0] if tasks else None}, was {first_event}) "
                     f"of both prompts, session {digest}, rule_feedback {want!r}: the repeated marker once, the new one "
                     f"for a rule shown before the read ({[(t.get('rule_feedback'), t.get('prompts_sent')) for _, t in tasks]})")
        reflected = cm(args, work, store, "reflect")
        checks.check(reflected.get("feedback_applied") == 1 and bool(tasks) and feedback_watermark(store) >= tasks[0][0],
                     f"reflect 2: read the new task event (watermark {feedback_watermark(store)}, event "
                     f"{tasks[0][0] if tasks else None}) and applied {reflected.get('feedback_applied')} feedback signals "
                     f"(1: the new marker; the session had given the other two)")
        check_grades(checks, args, work, store, rules,
                     {"helpful": ["helpful"], "harmful": ["harmful"], "later": ["helpful"], "unshown": []}, digest, "reflect 2")

        # Privacy: the session is a digest in the store; no prompt text either.
        blobs = b""
        for suffix in ("", "-wal", "-journal"):
            if os.path.exists(store + suffix):
                blobs += open(store + suffix, "rb").read()
        leaked = [s for s in (thread, thread.replace("-", ""), *PROMPTS) if s.encode() in blobs]
        checks.check(thread and not leaked, f"the store ({len(blobs)} bytes) holds neither the thread id nor a prompt ({leaked})")
    finally:
        if os.path.exists(os.path.join(work, "events.db")):  # for a look after a failure
            shutil.copy2(os.path.join(work, "events.db"), os.path.join(args.out, "events.db"))
        shutil.rmtree(work, ignore_errors=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    agent_test.main(run, __file__, ['packages', 'cm', 'agentmetrics', 'out'], __doc__.splitlines()[0])
