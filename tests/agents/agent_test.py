"""What the tests that run a real agent through a scenario of their own share (claude_code_hooks.py,
codex_inline_feedback.py, tests/opencode/real_opencode.py): their checks, printed one a line;
their entry, which runs the script again inside a loopback-only namespace; and reading the store
the agent's tools wrote."""

import argparse
import os
import sqlite3
import sys
import tempfile
import time

import run_agent


class Checks:
    def __init__(self):
        self.failed = 0
        self.started = time.time()

    def phase(self, what):
        """A line saying how long the test has taken so far."""
        print(f"  .. {time.time() - self.started:5.1f} s: {what}", flush=True)

    def check(self, condition, what):
        print(f"{'ok  ' if condition else 'FAIL'} {what}", flush=True)
        if not condition:
            self.failed += 1
        return condition


def start(prefix):
    """Inside the namespace: the test's checks, the first of them that loopback is all there is,
    and a fresh working directory."""
    checks = Checks()
    run_agent.assert_isolated()
    checks.check(run_agent.interfaces() == ["lo"], f"the namespace has only loopback ({run_agent.interfaces()})")
    return checks, tempfile.mkdtemp(prefix=prefix)


def main(run, script, paths, description):
    """Parses the required path options `paths` (made absolute), then, unless this namespace
    already has only loopback, runs `script` again inside one of its own; there exits with run(args)."""
    parser = argparse.ArgumentParser(description=description)
    for name in paths:
        parser.add_argument("--" + name.replace("_", "-"), required=True)
    args = parser.parse_args()
    for name in paths:
        setattr(args, name, os.path.abspath(getattr(args, name)))
    if not run_agent.loopback_only():
        if os.environ.get("AGENTS_NETNS_ENTERED"):
            sys.exit(f"{os.path.basename(script)}: inside unshare --net the namespace still has {run_agent.interfaces()}")
        sys.exit(run_agent.enter_namespace(sys.argv[1:], script=script))
    sys.exit(run(args))


def session_digest(agent, session_id):
    """collector/common/intake_key.cpp: "s-" and FNV-1a of ("session/<agent>", NUL, the id) in hex."""
    h = 14695981039346656037
    for byte in f"session/{agent}".encode() + b"\0" + session_id.encode():
        h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"s-{h:016x}"


def query(store, sql, *parameters):
    """The rows of `sql` on the store file, opened read-only."""
    connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()
