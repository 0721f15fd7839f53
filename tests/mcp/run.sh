#!/usr/bin/env bash
# Runs the MCP client test against a built cm: run.sh CM_BINARY WORK_DIR
# The test's package is copied to WORK_DIR (in the build tree) and its dependencies installed
# there with `npm ci` from the committed package-lock.json, once; node's test runner then runs
# mcp_client.test.mjs. Exits 77 (skipped) only when node is not installed.
set -euo pipefail
cm=$1
work=$2
src=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed; the MCP client test needs node 18+ and npm (apt-get install nodejs npm)"
  exit 77
fi
mkdir -p "$work"
cp "$src/package.json" "$src/package-lock.json" "$src/mcp_client.test.mjs" "$work/"
if [ ! -d "$work/node_modules/@modelcontextprotocol/sdk" ] || ! cmp -s "$src/package-lock.json" "$work/.installed-lock.json"; then
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$src/package-lock.json" "$work/.installed-lock.json"
fi
cd "$work"
CM_BINARY="$cm" node --test mcp_client.test.mjs
