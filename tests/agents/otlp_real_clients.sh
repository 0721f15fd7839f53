#!/usr/bin/env bash
# The real Claude Code and Codex exporting to the real agentmetricsd (otlp_real_clients.py), in a
# loopback-only network namespace. Installs the pinned agents first (install.sh). Skipped (77)
# without npm.
# Usage: otlp_real_clients.sh AGENTS_DIR BIN_DIR OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/install.sh" "$1"
exec python3 "$here/otlp_real_clients.py" --packages "$1" --bin-dir "$2" --out "$3"
