#!/usr/bin/env bash
# A test of cm inside a real agent (claude_code_hooks.py, codex_inline_feedback.py), each in a
# loopback-only network namespace of its own. Installs the pinned agents first (install.sh).
# Skipped (77) without npm.
# Usage: cm_in_agent.sh SCRIPT AGENTS_DIR CM AGENTMETRICS OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/install.sh" "$2"
exec python3 "$here/$1.py" --packages "$2" --cm "$3" --agentmetrics "$4" --out "$5"
