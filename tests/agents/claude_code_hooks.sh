#!/usr/bin/env bash
# cm's hooks inside the real Claude Code (claude_code_hooks.py), in a loopback-only network
# namespace. Installs the pinned agents first (install.sh). Skipped (77) without npm.
# Usage: claude_code_hooks.sh AGENTS_DIR CM OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/install.sh" "$1"
exec python3 "$here/claude_code_hooks.py" --packages "$1" --cm "$2" --out "$3"
