#!/usr/bin/env python3
"""Runs one real coding agent (Claude Code, Codex, opencode or Gemini CLI, from the npm registry) through a
scenario, against tests/agents/fake_model_server.py, inside a network namespace that has only
loopback, so that nothing the agent does can leave the machine.

  run_agent.py --packages DIR --scenario FILE --out DIR
               [--otlp-endpoint URL | --capture] [--otlp-protocol grpc|http/protobuf|http/json]
               [--otlp-compression gzip] [--work DIR] [--timeout SECONDS]
               [--home-template DIR | --continue-work] [--env NAME=VALUE ...]

--packages    the directory holding node_modules/ (npm ci of tests/agents/package-lock.json)
--scenario    a JSON file: {"client", "model", "script" (the fake server's), "runs": [...],
              "files": {path: text} created in the project first, "permissions": ..., for Gemini CLI
              "settings": {section: {key: value}} added to its settings.json}; each run is
              {"prompt", "args": [...], "continue": bool, "resume": bool, "expect_exit": 0}
--out         where the results go: runs.json (exit codes, stdout, stderr), fake_model.jsonl (every
              request the fake server received), otlp/ (with --capture), home/ (the client's files:
              transcripts, rollouts, opencode.db) and, for opencode, opencode.sql
--otlp-endpoint  an OTLP collector already listening inside this namespace (the caller must then
              already be in a loopback-only namespace, e.g. started by tests/agents/in_netns.sh)
--capture     start tests/agents/otlp_capture.py inside the namespace and export to it
--otlp-protocol  grpc, http/protobuf or http/json (opencode has no choice: it sends what it sends; Gemini CLI
              has grpc and "http", which is OTLP/HTTP JSON: give http/json)
--continue-work  run in the --work directory an earlier run_agent.py left, HOME and project as they
              are (the scenario's files written again): a run that continues the earlier's session
              appends to the same files, as on a user's machine

If the current network namespace has any interface but lo, the script runs itself again under
`unshare --net --mount` (root, or a user namespace where allowed), brings lo up, checks that lo is
then the only interface and that an outside address is unreachable before any agent starts, and
points /etc/resolv.conf (in its own mount namespace) at a name server on loopback that answers
NXDOMAIN and records each name asked: runs.json's "dns_lookups" lists the outside hosts the
client tried to reach.
"""

import argparse
import glob
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOLS = ("grpc", "http/protobuf", "http/json")


# -- the namespace ----------------------------------------------------------------------------------

def interfaces():
    """The interfaces of this process's network namespace (/sys/class/net is the mount's, not ours)."""
    with open("/proc/self/net/dev", encoding="ascii") as f:
        return sorted(line.split(":")[0].strip() for line in f.readlines()[2:])


def loopback_only():
    return interfaces() == ["lo"]


def assert_isolated():
    """Nothing leaves: lo is the only interface, and an outside address has no route."""
    if not loopback_only():
        sys.exit(f"run_agent: the network namespace has {interfaces()}, not only lo")
    for family, address in ((socket.AF_INET, ("192.0.2.1", 80)), (socket.AF_INET6, ("2001:db8::1", 80))):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect(address)
        except OSError:
            pass
        else:
            sys.exit(f"run_agent: {address[0]} is reachable from the namespace")
        finally:
            s.close()


def enter_namespace(argv, script=__file__):
    """Runs this script (or another that calls run_agent.py inside) again in new network and mount
    namespaces, with lo up and /etc/resolv.conf pointing at a name server on loopback (the DNS sink
    below, which run_agent.py then starts); returns its exit code."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        sys.exit("run_agent: unshare (util-linux) and ip (iproute2) are needed")
    command = ["unshare", "--net", "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        command += ["--map-root-user"]
    with tempfile.NamedTemporaryFile("w", prefix="agents-resolv-", suffix=".conf", delete=False) as resolv:
        resolv.write("nameserver 127.0.0.1\n")
    # Without /etc/resolv.conf (or with a dangling link) the resolvers ask 127.0.0.1 anyway.
    inner = ("ip link set lo up && { [ ! -e /etc/resolv.conf ] || mount --bind \"$AGENTS_RESOLV\" /etc/resolv.conf; } "
             "&& exec \"$@\"")
    os.environ["AGENTS_NETNS_ENTERED"] = "1"  # a second attempt means unshare did not isolate us
    os.environ["AGENTS_RESOLV"] = resolv.name
    os.environ["AGENTS_DNS_SINK"] = "1"
    try:
        return subprocess.call(command + ["--", "sh", "-c", inner, "sh", sys.executable, os.path.abspath(script)] + argv)
    finally:
        os.unlink(resolv.name)


class DnsSink(threading.Thread):
    """A name server on 127.0.0.1:53 that answers every query NXDOMAIN and records the name: the
    names a client tries to resolve are the outside hosts it would have reached."""

    def __init__(self):
        super().__init__(daemon=True)
        self.names = []
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 53))

    def run(self):
        while True:
            data, peer = self.socket.recvfrom(4096)
            if len(data) < 12:
                continue
            labels, i = [], 12
            while i < len(data) and data[i] and len(labels) < 64:
                labels.append(data[i + 1:i + 1 + data[i]].decode("ascii", "replace"))
                i += 1 + data[i]
            if i + 5 > len(data):
                continue
            name = ".".join(labels)
            if name not in self.names:
                self.names.append(name)
            answer = bytearray(data[:i + 5])  # the header and the question, flagged a response, NXDOMAIN
            answer[2] = 0x81 | (data[2] & 0x01)
            answer[3] = 0x83
            answer[6:12] = bytes(6)
            self.socket.sendto(bytes(answer), peer)


# -- helpers ------------------------------------------------------------------------------------------

def wait_for_file(path, seconds, process=None):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if os.path.exists(path):
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def python_with_grpc():
    for candidate in (sys.executable, "/usr/bin/python3"):
        if candidate and os.path.exists(candidate) and subprocess.call(
                [candidate, "-c", "import grpc"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
            return candidate
    sys.exit("run_agent: OTLP/gRPC capture needs python3-grpcio (deploy/install-deps.sh installs it)")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def copy_tree(source, target):
    """cp -a of the directory's contents: several times faster than shutil.copytree for a
    node_modules/ of a few thousand files."""
    subprocess.run(["cp", "-a", os.path.join(source, "."), target], check=True)


def command_of(path):
    """The argv that runs a client's entry point: a .js file (Gemini CLI) through node, the rest as they are."""
    if path.endswith(".js"):
        node = shutil.which("node")
        if not node:
            sys.exit("run_agent: node is needed to run " + path)
        return [node, path]
    return [path]


def toml_string(s):
    return json.dumps(s)  # a JSON string is a valid TOML basic string


def binary(packages, client):
    modules = os.path.join(os.path.abspath(packages), "node_modules")
    candidates = {
        "claude": ["@anthropic-ai/claude-code/bin/claude.exe", "@anthropic-ai/claude-code-linux-x64/claude"],
        "codex": ["@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"],
        "opencode": ["opencode-ai/bin/opencode.exe", "opencode-linux-x64/bin/opencode"],
        "gemini": ["@google/gemini-cli/bundle/gemini.js"],  # a Node program, run with node (command_of)
    }[client]
    for relative in candidates:
        path = os.path.join(modules, relative)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    sys.exit(f"run_agent: no {client} binary under {modules} (run npm ci in {packages})")


# -- the clients --------------------------------------------------------------------------------------
# Each returns (argv builder, environment) for the scenario. Update checks, error reporting and
# other non-essential traffic are turned off by each client's own documented switches; the OTLP
# export, which the tests need, is turned on.

def claude_setup(ctx):
    env = {
        "ANTHROPIC_BASE_URL": ctx["model_url"],
        "ANTHROPIC_API_KEY": "sk-ant-fake-key-for-tests",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_BUG_COMMAND": "1",
        "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY": "1",
        "CLAUDE_CODE_DISABLE_TERMINAL_TITLE": "1",
        "CLAUDE_CODE_MAX_RETRIES": str(ctx["scenario"].get("max_retries", 1)),
    }
    if ctx["scenario"].get("nonessential_traffic_off", True):
        env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
    if ctx["otlp"]:
        endpoint, protocol = ctx["otlp"]
        env.update({
            "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
            "OTEL_METRICS_EXPORTER": "otlp",
            "OTEL_LOGS_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_METRIC_EXPORT_INTERVAL": "1000",
            "OTEL_LOGS_EXPORT_INTERVAL": "500",
        })
        if ctx["compression"]:
            env["OTEL_EXPORTER_OTLP_COMPRESSION"] = ctx["compression"]
        if ctx["scenario"].get("traces"):
            env.update({"CLAUDE_CODE_ENHANCED_TELEMETRY_BETA": "1", "OTEL_TRACES_EXPORTER": "otlp",
                        "OTEL_TRACES_EXPORT_INTERVAL": "500"})
    model = ctx["scenario"].get("model", "claude-sonnet-4-5-20250929")

    def argv(run, previous):
        args = [ctx["binary"], "-p", run["prompt"], "--model", model, "--output-format", "json"]
        if run.get("continue"):
            args.append("--continue")
        if run.get("resume"):
            args += ["--resume", previous["session_id"]]
        return args + run.get("args", [])

    return argv, env


def codex_setup(ctx):
    scenario = ctx["scenario"]
    model = scenario.get("model", "gpt-5.5")
    lines = [
        f"model = {toml_string(model)}",
        'model_provider = "fake"',
        f"approval_policy = {toml_string(scenario.get('approval_policy', 'never'))}",
        f"sandbox_mode = {toml_string(scenario.get('sandbox_mode', 'danger-full-access'))}",
        "check_for_update_on_startup = false",
        "",
        "[model_providers.fake]",
        'name = "fake model server"',
        f"base_url = {toml_string(ctx['model_url'] + '/v1')}",
        'wire_api = "responses"',
        'env_key = "FAKE_MODEL_API_KEY"',
        f"request_max_retries = {int(scenario.get('max_retries', 1))}",
        f"stream_max_retries = {int(scenario.get('max_retries', 1))}",
        "",
        "[analytics]",
        "enabled = false",
        "",
        "[feedback]",
        "enabled = false",
        "",
        # The plugin marketplace looks up github.com, api.github.com and chatgpt.com at start.
        "[features]",
        "plugins = false",
        "",
        "[otel]",
        'environment = "test"',
        "log_user_prompt = false",
    ]
    if ctx["otlp"]:
        endpoint, protocol = ctx["otlp"]
        signals = [("exporter", "logs"), ("metrics_exporter", "metrics")]
        if scenario.get("traces"):
            signals.append(("trace_exporter", "traces"))
        else:
            lines.append('trace_exporter = "none"')
        for key, signal in signals:
            if protocol == "grpc":
                lines.append(f"{key} = {{ otlp-grpc = {{ endpoint = {toml_string(endpoint)} }} }}")
            else:
                encoding = "json" if protocol == "http/json" else "binary"
                url = f"{endpoint.rstrip('/')}/v1/{signal}"
                lines.append(f"{key} = {{ otlp-http = {{ endpoint = {toml_string(url)}, protocol = \"{encoding}\" }} }}")
    else:
        # Unset, the metrics exporter sends to the vendor: off explicitly.
        lines += ['exporter = "none"', 'metrics_exporter = "none"', 'trace_exporter = "none"']
    lines += ["", f"[projects.{toml_string(ctx['project'])}]", 'trust_level = "trusted"']
    write(os.path.join(ctx["home"], ".codex", "config.toml"), "\n".join(lines) + "\n")
    resources = os.path.dirname(os.path.dirname(ctx["binary"]))
    env = {
        "CODEX_HOME": os.path.join(ctx["home"], ".codex"),
        "FAKE_MODEL_API_KEY": "fake-key-for-tests",
        "PATH": os.path.join(resources, "codex-path") + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
    }

    def argv(run, previous):
        args = [ctx["binary"], "exec", "--skip-git-repo-check", "--json"]
        if run.get("continue"):
            args += ["resume", "--last"]
        elif run.get("resume"):
            args += ["resume", previous["session_id"]]
        return args + run.get("args", []) + [run["prompt"]]

    return argv, env


def opencode_setup(ctx):
    scenario = ctx["scenario"]
    model = scenario.get("model", "fake-model")
    config = {
        "$schema": "https://opencode.ai/config.json",
        "model": f"fake/{model}",
        "small_model": f"fake/{model}",
        "autoupdate": False,
        "share": "disabled",
        "provider": {"fake": {
            "npm": "@ai-sdk/openai-compatible",
            "name": "fake model server",
            "options": {"baseURL": ctx["model_url"] + "/v1", "apiKey": "fake-key-for-tests"},
            # A price per million tokens, so that opencode computes a cost to store beside the tokens.
            "models": {model: dict({"name": "Fake model", "tool_call": True, "limit": {"context": 200000, "output": 8192},
                                    "cost": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}},
                                   **scenario.get("model_options", {}))},
        }},
        "permission": scenario.get("permissions", {"edit": "allow", "bash": "allow", "webfetch": "deny"}),
    }
    provider = config["provider"]["fake"]
    provider.update(scenario.get("provider", {}))  # a scenario may change the provider's entry (null removes a key)
    for key in [k for k, v in provider.items() if v is None]:
        del provider[key]
    if ctx["otlp"]:
        config["experimental"] = {"openTelemetry": True}
    write(os.path.join(ctx["home"], ".config", "opencode", "opencode.json"), json.dumps(config, indent=2))
    env = {
        "OPENCODE_DISABLE_AUTOUPDATE": "1",
        "OPENCODE_DISABLE_MODELS_FETCH": "1",
        "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
        "OPENCODE_DISABLE_SHARE": "1",
        "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
        "OPENCODE_DISABLE_CLAUDE_CODE": "1",
        "OPENCODE_DISABLE_EXTERNAL_SKILLS": "1",
    }
    if ctx["otlp"]:
        endpoint, protocol = ctx["otlp"]
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
        if ctx["compression"]:
            env["OTEL_EXPORTER_OTLP_COMPRESSION"] = ctx["compression"]

    def argv(run, previous):
        args = [ctx["binary"], "run", "--format", "json"]
        if run.get("continue"):
            args.append("--continue")
        if run.get("resume"):
            args += ["--session", previous["session_id"]]
        return args + run.get("args", []) + [run["prompt"]]

    return argv, env


def gemini_setup(ctx):
    scenario = ctx["scenario"]
    model = scenario.get("model", "gemini-2.5-pro")
    home = ctx["home"]
    settings = {
        "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False,
                    "maxAttempts": int(scenario.get("max_retries", 1)) + 1},
        "privacy": {"usageStatisticsEnabled": False},  # Clearcut (play.googleapis.com/log) and the installation id header
        "security": {"auth": {"selectedType": "gemini-api-key"}, "folderTrust": {"enabled": False}},
        "ide": {"enabled": False},
        "model": {"name": model},
        "telemetry": {"enabled": False},
    }
    if ctx["otlp"]:
        endpoint, protocol = ctx["otlp"]
        if protocol == "http/protobuf":
            sys.exit("run_agent: Gemini CLI's OTLP/HTTP is JSON only: use --otlp-protocol http/json (or grpc)")
        settings["telemetry"] = {"enabled": True, "target": "local", "otlpEndpoint": endpoint,
                                 "otlpProtocol": "grpc" if protocol == "grpc" else "http",
                                 "logPrompts": False, "traces": bool(scenario.get("traces"))}
    for key, value in scenario.get("settings", {}).items():  # a scenario may add to a section (null removes a key)
        section = settings.setdefault(key, {})
        section.update(value)
        for name in [k for k, v in section.items() if v is None]:
            del section[name]
    write(os.path.join(home, ".gemini", "settings.json"), json.dumps(settings, indent=2))
    env = {
        "GEMINI_API_KEY": "fake-key-for-tests",
        "GOOGLE_GEMINI_BASE_URL": ctx["model_url"],  # plain http is accepted for 127.0.0.1
        "GEMINI_CLI_HOME": home,
        # No /etc/gemini-cli/settings.json or system defaults from the machine.
        "GEMINI_CLI_SYSTEM_SETTINGS_PATH": os.path.join(home, "system-settings.json"),
        "GEMINI_CLI_SYSTEM_DEFAULTS_PATH": os.path.join(home, "system-defaults.json"),
        "GEMINI_CLI_TRUST_WORKSPACE": "true",
        "GEMINI_CLI_NO_RELAUNCH": "true",  # one process, not a parent that respawns node with a larger heap
    }

    def argv(run, previous):
        args = command_of(ctx["binary"]) + ["-p", run["prompt"], "--model", model, "--output-format", "json",
                                             "--approval-mode", run.get("approval_mode", scenario.get("approval_mode", "yolo"))]
        if run.get("continue"):
            args += ["--resume", "latest"]
        if run.get("resume"):
            args += ["--resume", previous["session_id"]]
        return args + run.get("args", [])

    return argv, env


SETUPS = {"claude": claude_setup, "codex": codex_setup, "opencode": opencode_setup, "gemini": gemini_setup}


def session_id_of(client, stdout, home, stderr=""):
    """The session id a run reported, for a later --resume."""
    if client == "claude":
        try:
            return json.loads(stdout).get("session_id")
        except json.JSONDecodeError:
            return None
    if client == "gemini":
        # A JSON object on stdout; after an API error it goes to stderr instead, after a stack trace.
        for text in (stdout, stderr):
            start = 0 if text.startswith("{") else text.rfind("\n{") + 1
            try:
                return json.loads(text[start:]).get("session_id")
            except json.JSONDecodeError:
                continue
        return None
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if client == "codex" and event.get("type") == "thread.started":
            return event.get("thread_id")
        if client == "opencode" and event.get("sessionID"):
            return event["sessionID"]
    return None


# -- collecting what the client wrote -----------------------------------------------------------------

def dump_sqlite(path, out):
    """A SQL dump of the database (the schema first), read-only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with open(out, "w", encoding="utf-8") as f:
            for line in connection.iterdump():
                f.write(line + "\n")
        schema = [row[0] for row in connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type DESC, name")]
        with open(out.replace(".sql", ".schema.sql"), "w", encoding="utf-8") as f:
            f.write(";\n".join(schema) + ";\n")
    finally:
        connection.close()


def consolidated_copy(path, target):
    """A copy of a SQLite database with its write-ahead log folded in (the .db alone may be empty)."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal or -shm beside it
    finally:
        destination.close()
        source.close()


def collect(client, home, out):
    patterns = {
        "claude": [".claude/projects/**/*.jsonl", ".claude.json", "hook-inputs/*.json"],
        "codex": [".codex/sessions/**/*.jsonl", ".codex/config.toml"],
        "opencode": [".config/opencode/opencode.json", ".local/share/opencode/opencode.db"],
        "gemini": [".gemini/*.json", ".gemini/installation_id", ".gemini/tmp/**/*.json", ".gemini/tmp/**/*.jsonl"],
    }[client]
    copied = []
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(home, pattern), recursive=True)):
            relative = os.path.relpath(path, home)
            target = os.path.join(out, "home", relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if path.endswith(".db"):
                consolidated_copy(path, target)
                dump_sqlite(target, os.path.join(out, os.path.basename(path).replace(".db", ".sql")))
            else:
                shutil.copy2(path, target)
            copied.append(relative)
    return copied


# -- main ---------------------------------------------------------------------------------------------

def run(args):
    assert_isolated()
    dns = None
    if os.environ.get("AGENTS_DNS_SINK"):
        dns = DnsSink()
        dns.start()
    with open(args.scenario, encoding="utf-8") as f:
        scenario = json.load(f)
    client = scenario["client"]
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    work = args.work or tempfile.mkdtemp(prefix=f"agents-{client}-")
    home, project = os.path.join(work, "home"), os.path.join(work, "project")
    if args.continue_work:
        # The HOME and project of an earlier run, as they are: the client appends to the files it
        # wrote then (the same inodes), as on a user's machine. Only the ports are new.
        if not os.path.isdir(home) or not os.path.isdir(project):
            sys.exit(f"run_agent: --continue-work needs the --work directory of an earlier run ({work})")
        for stale in ("model.port", "otlp.ports"):
            if os.path.exists(os.path.join(work, stale)):
                os.unlink(os.path.join(work, stale))
    else:
        if os.path.exists(work):
            shutil.rmtree(work)
        os.makedirs(home)
        if args.home_template:  # files a user would have installed first (a plugin, its dependencies)
            copy_tree(args.home_template, home)
        os.makedirs(project)
    for relative, text in scenario.get("files", {}).items():
        write(os.path.join(project, relative), text)

    children = []
    try:
        script_path = os.path.join(work, "script.json")
        # "{project}" in the script stands for the project directory (tools take absolute paths).
        script_text = json.dumps(dict(scenario["script"], model=scenario.get("model", scenario["script"].get("model"))))
        write(script_path, script_text.replace("{project}", project))
        port_file = os.path.join(work, "model.port")
        server = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_model_server.py"), "--script", script_path,
                                   "--log", os.path.join(out, "fake_model.jsonl"), "--port-file", port_file],
                                  stderr=open(os.path.join(out, "fake_model.stderr"), "w"))
        children.append(server)
        if not wait_for_file(port_file, 20, server):
            sys.exit("run_agent: the fake model server did not start")
        model_url = f"http://127.0.0.1:{int(open(port_file).read())}"

        otlp = None
        protocol = args.otlp_protocol
        if args.capture:
            capture_ports = os.path.join(work, "otlp.ports")
            command = [sys.executable, os.path.join(HERE, "otlp_capture.py"), "--dir", os.path.join(out, "otlp"),
                       "--port-file", capture_ports]
            if protocol == "grpc":
                command = [python_with_grpc()] + command[1:] + ["--grpc-port", "0"]
            capture = subprocess.Popen(command, stderr=open(os.path.join(out, "otlp_capture.stderr"), "w"))
            children.append(capture)
            if not wait_for_file(capture_ports, 20, capture):
                sys.exit("run_agent: the OTLP capture did not start")
            ports = json.load(open(capture_ports))
            otlp = (f"http://127.0.0.1:{ports['grpc' if protocol == 'grpc' else 'http']}", protocol)
        elif args.otlp_endpoint:
            otlp = (args.otlp_endpoint, protocol)

        ctx = {"scenario": scenario, "home": home, "project": project, "model_url": model_url, "otlp": otlp,
               "compression": args.otlp_compression, "binary": binary(args.packages, client)}
        argv, client_env = SETUPS[client](ctx)
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": home,
            "USER": "tester",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "TMPDIR": os.path.join(work, "tmp"),
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
            "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "NO_COLOR": "1",
            "CI": "1",
        }
        env.update(client_env)
        env.update(scenario.get("env", {}))
        for assignment in args.env:
            name, _, value = assignment.partition("=")
            env[name] = value
        os.makedirs(env["TMPDIR"], exist_ok=True)

        results = []
        previous = {}
        for index, step in enumerate(scenario["runs"]):
            command = argv(step, previous)
            if args.wrapper:  # e.g. strace, to see what the client tries to reach
                command = args.wrapper.split() + command
            started = time.time()
            try:
                done = subprocess.run(command, cwd=project, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                      timeout=args.timeout)
                code, stdout, stderr = done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
            except subprocess.TimeoutExpired as expired:
                code = "timeout"
                stdout = (expired.stdout or b"").decode("utf-8", "replace")
                stderr = (expired.stderr or b"").decode("utf-8", "replace")
            with open(os.path.join(out, f"run-{index}.stderr"), "w", encoding="utf-8") as f:
                f.write(stderr)
            session = session_id_of(client, stdout, home, stderr)
            shown = argv(step, previous)
            if shown[0] == shutil.which("node"):
                shown = shown[1:]
            results.append({"run": index, "argv": [os.path.basename(shown[0])] + shown[1:], "exit": code,
                            "seconds": round(time.time() - started, 2), "session_id": session,
                            "expect_exit": step.get("expect_exit", 0), "stdout": stdout, "stderr": stderr[-20000:]})
            previous = {"session_id": session}

        if args.capture:
            # Exports happen at exit; give a late one (an interval timer, a retry) time to arrive.
            time.sleep(float(scenario.get("export_grace_seconds", 2)))
        with open(os.path.join(out, "runs.json"), "w", encoding="utf-8") as f:
            json.dump({"client": client, "binary_version": version_of(ctx["binary"]), "work": work,
                       "project": project, "otlp": otlp, "runs": results,
                       "dns_lookups": dns.names if dns else None,
                       "files": collect(client, home, out)}, f, indent=2)
        failed = [r for r in results if r["exit"] != r["expect_exit"]]
        for r in failed:
            print(f"run_agent: run {r['run']} exited {r['exit']}, expected {r['expect_exit']}\n--- stdout\n{r['stdout'][-4000:]}\n"
                  f"--- stderr\n{r['stderr'][-4000:]}", file=sys.stderr)
        return 1 if failed else 0
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        if not args.keep_work and not args.work:
            shutil.rmtree(work, ignore_errors=True)


def version_of(path):
    try:
        return subprocess.run(command_of(path) + ["--version"], capture_output=True, timeout=60,
                              env=dict(os.environ, GEMINI_CLI_NO_RELAUNCH="true")).stdout.decode().strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", help="the run's directory (HOME and the project); a fresh temporary one by default")
    parser.add_argument("--keep-work", action="store_true")
    parser.add_argument("--continue-work", action="store_true",
                        help="run in the --work directory of an earlier run, HOME and project kept: to continue its session in the same files")
    exporter = parser.add_mutually_exclusive_group()
    exporter.add_argument("--otlp-endpoint")
    exporter.add_argument("--capture", action="store_true")
    parser.add_argument("--otlp-protocol", choices=PROTOCOLS, default="http/protobuf")
    parser.add_argument("--otlp-compression", choices=["gzip"], help="ask the client to compress its exports (Codex cannot)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one run of the client may take")
    parser.add_argument("--home-template", help="a directory copied as the client's HOME before it runs (e.g. with a plugin installed)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="a variable for the client (repeatable)")
    parser.add_argument("--wrapper", help="a command the client is run under (e.g. \"strace -f -e trace=connect -o FILE\")")
    args = parser.parse_args()
    if args.continue_work and (not args.work or args.home_template):
        parser.error("--continue-work needs --work, and takes no --home-template")
    if not loopback_only():
        if os.environ.get("AGENTS_NETNS_ENTERED"):
            sys.exit(f"run_agent: inside unshare --net the namespace still has {interfaces()}")
        if args.otlp_endpoint:
            sys.exit("run_agent: --otlp-endpoint needs the caller in a loopback-only namespace already (in_netns.sh)")
        sys.exit(enter_namespace(sys.argv[1:]))
    sys.exit(run(args))


if __name__ == "__main__":
    main()
