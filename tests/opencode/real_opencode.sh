#!/usr/bin/env bash
# The plugin inside the real opencode (real_opencode.py): installs the pinned agents once into
# AGENTS_DIR (tests/agents/install.sh, shared with the agents_harness test), installs
# @opencode-ai/plugin of the same version into a HOME's ~/.config/opencode as docs/opencode.md
# tells a user to (once per version), then runs real_opencode.py in a loopback-only namespace.
# Skipped (77) without npm.
# Usage: real_opencode.sh AGENTS_DIR WORK_DIR BIN_DIR LIBAGENTMETRICS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
agents=$1 work=$2 bin=$3 library=$4

"$here/../agents/install.sh" "$agents"
version=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$agents/node_modules/opencode-ai/package.json")
config="$work/plugin-home/.config/opencode"
if [ "$(cat "$work/plugin-version" 2>/dev/null)" != "$version" ]; then
  rm -rf "$work/plugin-home" "$work/plugin-version"
  mkdir -p "$config"
  (cd "$config" && npm install --no-audit --no-fund --loglevel=error "@opencode-ai/plugin@$version")
  echo "$version" >"$work/plugin-version"
fi
exec python3 "$here/real_opencode.py" --packages "$agents" --plugin-home "$work/plugin-home" --bin-dir "$bin" \
  --library "$library" --out "$work/last-run"
