#!/usr/bin/env python3
"""The opencode plugin inside the real opencode (npm `opencode-ai`, tests/agents/package-lock.json),
against the scripted model server of tests/agents, in a network namespace that has only loopback.

Inside the namespace it starts the real agentmetricsd, adds a rule with cm, and runs
tests/agents/run_agent.py with real_opencode_scenario.json: five `opencode run` sessions (a plain
answer, a tool call, a tool that fails, a tool that throws, a model error) with the plugin installed
as docs/opencode.md says (in ~/.config/opencode/plugin/, @opencode-ai/plugin installed beside it
beforehand, cm and agentmetrics on PATH, AGENTMETRICS_LIB set). Then it checks
  - that nothing left the namespace: lo was its only interface and opencode looked up no name;
  - the system prompt of every model request (the fake server's log): the rule in the sessions'
    requests, not in the title requests;
  - the stored tasks: one per session, with the rule's id, the outcome, the failure type, the tool
    counts and the title as typed;
  - the tool counters in /metrics: every call once, the failed and the thrown ones as errors;
  - the rule's grades: helpful once per successful session whose answer said nothing of it,
    nothing for the model error (its failure type, APIError, relates to no rule); the third
    session's answer says "[cass: harmful <rule>]" (the rule's id is its text's digest, the same
    on every run), which its task event carries as rule_feedback and its outcome leaves out; a
    reflection then grades it harmful by that word (origin marker) and nothing more (the other
    sessions were graded already);
  - the words the rule learned from the sessions its outcome graded a success (the plugin's
    outcome carries the task event's title);
  - that the store holds none of the sessions' ids.
Prints one line per check; exits 0 when all passed, 1 otherwise.

  real_opencode.py --packages DIR --plugin-home DIR --bin-dir DIR --library FILE --out DIR

--packages     node_modules/ of tests/agents/package-lock.json (tests/agents/install.sh)
--plugin-home  a HOME with ~/.config/opencode/ holding @opencode-ai/plugin (real_opencode.sh); the
               plugin is copied into it
--bin-dir      where agentmetricsd, cm and agentmetrics are
--library      libagentmetrics.so
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
AGENTS = os.path.join(HERE, "..", "agents")
sys.path.insert(0, AGENTS)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import agent_test  # noqa: E402
import run_agent  # noqa: E402  (tests/agents)

PLUGIN = os.path.join(HERE, "..", "..", "deploy", "opencode", "plugin", "cass.js")
SCENARIO = os.path.join(HERE, "real_opencode_scenario.json")
RULE = "Answer a sample question in one short sentence"
RULE_ID = "b-0cdde5"  # its digest: real_opencode_scenario.json's third answer gives feedback on it
MEMORY = "## From agentmetrics memory"


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def system_text(request):
    """The system messages of a Chat Completions request, as one text."""
    messages = (request.get("body") or {}).get("messages") or []
    return "\n".join(m["content"] if isinstance(m.get("content"), str) else json.dumps(m.get("content"))
                     for m in messages if m.get("role") == "system")


def metric(body, name):
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line[len(name) + 1:])
    return None


def start_collector(bin_dir, namespace, store, log):
    process = subprocess.Popen([os.path.join(bin_dir, "agentmetricsd"), f"--namespace={namespace}", f"--store={store}",
                                "--web.listen-address=127.0.0.1:0"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(log.name, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "collector started" in line and " port=" in line:
                    return process, int(line.split(" port=")[1].split()[0])
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    sys.exit("real_opencode: agentmetricsd did not start:\n" + open(log.name).read())


def cm(bin_dir, store, *args, env=None, cwd=None):
    done = subprocess.run([os.path.join(bin_dir, "cm"), "--store", store, "--json", *args], capture_output=True, text=True, timeout=60,
                          env=env, cwd=cwd)
    if done.returncode != 0:
        sys.exit(f"real_opencode: cm {' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return json.loads(done.stdout)["data"]


def doctor_opencode(bin_dir, store, home, cwd):
    """cm doctor's opencode check for a user whose HOME is `home`."""
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "OPENCODE_CONFIG_DIR")}
    env["HOME"] = home
    checks = cm(bin_dir, store, "doctor", env=env, cwd=cwd)["checks"]
    return next((c for c in checks if c["name"] == "opencode"), {})


def stored_tasks(store):
    connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT fields FROM events WHERE kind = 'task' ORDER BY id").fetchall()
    finally:
        connection.close()
    return [json.loads(r[0]) for r in rows]


def feedback_rows(store, rule):
    connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT kind, weight, origin, session_id FROM feedback WHERE bullet_id = ? ORDER BY id",
                                  (rule,)).fetchall()
    finally:
        connection.close()


def run(args):
    checks, work = agent_test.start("real-opencode-")
    namespace = f"real-opencode-{os.getpid()}"
    store = os.path.join(work, "events.db")
    collector = None
    try:
        log = open(os.path.join(work, "collector.log"), "w")
        collector, port = start_collector(args.bin_dir, namespace, store, log)
        url = f"http://127.0.0.1:{port}"
        checks.phase("agentmetricsd started")
        rule = cm(args.bin_dir, store, "playbook", "add", RULE)["id"]
        checks.phase(f"the rule {rule} added")
        checks.check(rule == RULE_ID, f"the rule's id is {rule}, the one the scenario's third answer gives feedback on ({RULE_ID})")

        # The plugin as a user installs it, beside the @opencode-ai/plugin that opencode would
        # otherwise install (and wait for) at every start. The HOME is the test's own, in the build
        # tree; run_agent.py copies it for opencode.
        home = args.plugin_home
        os.makedirs(os.path.join(home, ".config", "opencode", "plugin"), exist_ok=True)
        shutil.copy(PLUGIN, os.path.join(home, ".config", "opencode", "plugin", "cass.js"))
        checks.phase("the plugin installed")
        doctor = doctor_opencode(args.bin_dir, store, home, work)
        checks.check(doctor.get("status") == "ok" and "@opencode-ai/plugin is installed" in doctor.get("message", ""),
                     f"cm doctor finds the plugin's set-up complete ({doctor})")
        bare = os.path.join(work, "bare-home")
        shutil.copytree(home, bare, symlinks=True, ignore=shutil.ignore_patterns("node_modules"))
        doctor = doctor_opencode(args.bin_dir, store, bare, work)
        checks.check(doctor.get("status") == "warn" and "npm install @opencode-ai/plugin" in doctor.get("fix", ""),
                     f"and without node_modules, says opencode would install the package at start ({doctor.get('status')}: "
                     f"{doctor.get('fix')})")
        checks.phase("cm doctor asked")
        env = dict(os.environ, PATH=args.bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"))
        out = os.path.join(args.out, "run")
        started = time.time()
        code = subprocess.call([sys.executable, os.path.join(AGENTS, "run_agent.py"), "--packages", args.packages,
                                "--scenario", SCENARIO, "--out", out, "--home-template", home, "--timeout", "90",
                                "--env", f"AGENTMETRICS_LIB={args.library}", "--env", f"AGENTMETRICS_NAMESPACE={namespace}",
                                "--env", f"AGENTMETRICS_STORE={store}"], env=env)
        seconds = time.time() - started
        with open(os.path.join(SCENARIO), encoding="utf-8") as f:
            scenario = json.load(f)
        runs = json.load(open(os.path.join(out, "runs.json"))) if os.path.exists(os.path.join(out, "runs.json")) else None
        if not checks.check(code == 0 and runs is not None, f"run_agent.py ran the five sessions (exit {code}, {seconds:.1f} s)"):
            return 1
        for r in runs["runs"]:
            checks.check(r["exit"] == r["expect_exit"] and r["session_id"],
                         f"run {r['run']}: {runs['binary_version']} exited {r['exit']} in {r['seconds']} s, session {r['session_id']}")
            checks.check("[agentmetrics]" not in r["stderr"], f"run {r['run']}: the plugin logged no error ({r['stderr'][-300:]!r})")
        # The store knows each session by its digest (collector/common/intake_key.h), never by its id.
        session_ids = [r["session_id"] for r in runs["runs"]]
        sessions = [agent_test.session_digest("opencode", s) for s in session_ids]
        checks.check(runs["dns_lookups"] == [], f"opencode looked up no name outside the namespace ({runs['dns_lookups']})")

        # The system prompt: the rule in the requests of the sessions, not in the title requests.
        requests = load_jsonl(os.path.join(out, "fake_model.jsonl"))
        turns = [r for r in requests if r.get("kind") == "turn"]
        sides = [r for r in requests if r.get("kind") == "side"]
        checks.check(len(turns) == 8 and all(MEMORY in system_text(r) and f"[{rule}] {RULE}" in system_text(r) for r in turns),
                     f"the rule is in the system prompt of each of the {len(turns)} model requests (8 expected)")
        checks.check(len(sides) == 5 and not any(MEMORY in system_text(r) for r in sides),
                     f"and in none of the {len(sides)} title requests (5 expected)")
        checks.check([r["status"] for r in turns][-1] == 400, "the last session's model request was answered 400")

        # The stored tasks (the collector drains the plugin's ring into the store).
        tasks = []
        deadline = time.time() + 15
        while time.time() < deadline:
            tasks = [t for t in stored_tasks(store) if t.get("session_id") in sessions]
            if len(tasks) >= 5:
                break
            time.sleep(0.2)
        by_session = {t["session_id"]: t for t in tasks}
        checks.check(len(tasks) == 5 and len(by_session) == 5, f"one task stored per session ({len(tasks)} tasks)")
        expected = [  # success, failure_type, tool_calls, tool_errors
            (True, None, 0, 0), (True, None, 1, 0), (True, None, 1, 1), (True, None, 1, 1), (False, "APIError", 0, 0)]
        for session, run_spec, (success, failure, calls, errors) in zip(sessions, scenario["runs"], expected):
            t = by_session.get(session, {})
            got = (t.get("success"), t.get("failure_type"), t.get("tool_calls", 0), t.get("tool_errors", 0))
            checks.check(got == (success, failure, calls, errors) and t.get("rule_ids") == rule and t.get("title") == run_spec["prompt"]
                         and t.get("agent_type") == "build",
                         f"task of {session}: success, failure_type, tool_calls, tool_errors = {got} (expected "
                         f"{(success, failure, calls, errors)}), rule_ids {t.get('rule_ids')!r}, title {t.get('title')!r}")

        # The tool counters: bash twice (one failed), read once (it threw: never reached
        # tool.execute.after), each counted once.
        body = urllib.request.urlopen(f"{url}/metrics", timeout=10).read().decode()
        counters = {name: metric(body, name) for name in (
            'opencode_tool_calls_total{tool="bash"}', 'opencode_tool_errors_total{tool="bash"}',
            'opencode_tool_calls_total{tool="read"}', 'opencode_tool_errors_total{tool="read"}',
            'opencode_task_total{agent_type="build",task_type="chat",success="true"}',
            'opencode_task_total{agent_type="build",task_type="chat",success="false"}')}
        checks.check(list(counters.values()) == [2, 1, 1, 1, 4, 1], f"the counters in /metrics: {counters}")

        # The third session's answer spoke of the rule: its task carries the word, not its outcome.
        third = by_session.get(sessions[2], {})
        checks.check(third.get("rule_feedback") == f"-{rule}" and all("rule_feedback" not in by_session.get(x, {}) for x in sessions[:2] + sessions[3:]),
                     f"the third session's task carries its answer's word on the rule ({third.get('rule_feedback')!r}), the others none")

        # The outcomes: the other successful sessions once each, the model error none. (The
        # collector's reflection may have graded the third session's word already.)
        graded = feedback_rows(store, rule)
        outcomes = [r for r in graded if r[2] == "outcome"]
        checks.check(sorted(str(r[3]) for r in outcomes) == sorted([sessions[0], sessions[1], sessions[3]]) and all(r[0] == "helpful" for r in outcomes),
                     f"one helpful outcome for each successful session but the third, none for the model error ({graded})")
        # Each success taught the rule its task's words (docs/learning.md, "Learning from feedback");
        # the third session's harmful word teaches none ("fails" is only in its prompt).
        learned = cm(args.bin_dir, store, "why", rule)["learned_words"]
        checks.check({"six", "seven", "shell", "missing"} <= set(learned) and "fails" not in learned,
                     f"the words the rule learned from the successful sessions' tasks: {learned}")
        # A reflection reads the task events: the third session's word, once; the others' rule_ids
        # find their sessions graded already.
        cm(args.bin_dir, store, "reflect")
        again = cm(args.bin_dir, store, "reflect")
        listed = {b["id"]: b for b in cm(args.bin_dir, store, "playbook", "list", "--all")["bullets"]}
        graded = feedback_rows(store, rule)
        markers = [r for r in graded if r[2] == "marker"]
        checks.check(listed[rule]["helpful"] == 3 and listed[rule]["harmful"] == 1 and len(graded) == 4 and again["feedback_applied"] == 0
                     and [(r[0], str(r[3])) for r in markers] == [("harmful", sessions[2])],
                     f"after a reflection: helpful {listed[rule]['helpful']}, harmful {listed[rule]['harmful']} (3 and 1 expected), "
                     f"the marker's grade {markers}, a second reflection {again['feedback_applied']} more")
        blobs = b"".join(open(f, "rb").read() for f in (store, store + "-wal") if os.path.exists(f))
        kept = [s for s in session_ids if s.encode() in blobs]
        checks.check(all(session_ids) and not kept, f"the store ({len(blobs)} bytes) holds no opencode session id ({kept})")
    finally:
        if collector is not None:
            collector.terminate()
            try:
                collector.wait(10)
            except subprocess.TimeoutExpired:
                collector.kill()
        for name in os.listdir("/dev/shm"):
            if name.startswith(f"agentmetrics.{namespace}."):
                os.unlink(os.path.join("/dev/shm", name))
        if checks.failed:
            print(f"--- collector log\n{open(os.path.join(work, 'collector.log')).read()[-4000:]}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    agent_test.main(run, __file__, ['packages', 'plugin_home', 'bin_dir', 'library', 'out'], __doc__.splitlines()[0])
