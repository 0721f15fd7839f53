#!/usr/bin/env bash
# The real-agent harness's own test: installs the pinned agents (package-lock.json) once into
# WORK_DIR, then runs check_harness.py, which runs each agent once inside a loopback-only network
# namespace against the fake model server and checks what came out. Skipped (77) without npm.
# Usage: run.sh WORK_DIR [CHECK.py ARGS...]: another check of this folder instead (check_import.py),
# given --packages WORK_DIR and ARGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1

if ! command -v npm >/dev/null; then
  echo "npm is not installed (deploy/install-deps.sh installs it): skipping the real-agent harness test"
  exit 77
fi
mkdir -p "$work"
# The packages are installed again only when the lock file changes. npm install, not npm ci: the
# registry reachable here holds only some of opencode-ai's optional platform packages, so the lock
# file lists only those, which npm ci refuses as out of sync; npm install installs what it pins.
if ! cmp -s "$here/package-lock.json" "$work/installed-lock.json" || [ ! -d "$work/node_modules/@anthropic-ai/claude-code" ]; then
  rm -rf "$work/node_modules" "$work/installed-lock.json"
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm install --no-audit --no-fund --no-save --loglevel=error)
  cp "$here/package-lock.json" "$work/installed-lock.json"
fi
if [ $# -gt 1 ]; then
  check=$2
  shift 2
  exec python3 "$here/$check" --packages "$work" "$@"
fi
exec python3 "$here/check_harness.py" --packages "$work" --out "$work/last-run"
