#!/usr/bin/env bash
# Installs the pinned agents (package-lock.json) into WORK_DIR/node_modules, again only when the
# lock file changes. Exits 77 (skipped) without npm. Used by run.sh and by the tests that run a
# real agent (tests/opencode/real_opencode.sh).
# Usage: install.sh WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1

if ! command -v npm >/dev/null; then
  echo "npm is not installed (deploy/install-deps.sh installs it): skipping the real agents"
  exit 77
fi
mkdir -p "$work"
# npm install, not npm ci: the registry reachable here holds only some of opencode-ai's optional
# platform packages, so the lock file lists only those, which npm ci refuses as out of sync; npm
# install installs what it pins.
if ! cmp -s "$here/package-lock.json" "$work/installed-lock.json" || [ ! -d "$work/node_modules/@anthropic-ai/claude-code" ]; then
  rm -rf "$work/node_modules" "$work/installed-lock.json"
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm install --no-audit --no-fund --no-save --loglevel=error)
  cp "$here/package-lock.json" "$work/installed-lock.json"
fi
