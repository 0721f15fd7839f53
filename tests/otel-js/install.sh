#!/usr/bin/env bash
# Installs the OpenTelemetry JS SDK's exporters (pinned by package-lock.json) and export.mjs into
# WORK_DIR, again only when the lock file changes. Exit 77 without npm.
# Usage: install.sh WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
command -v npm >/dev/null || { echo "npm is not installed (deploy/install-deps.sh installs it)"; exit 77; }
mkdir -p "$work"
# Each test process of otlp_receiver_test runs this; one installs while the others wait.
exec 9>"$work/.install.lock"
flock 9
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/@opentelemetry/sdk-metrics" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$here/export.mjs" "$work/"
