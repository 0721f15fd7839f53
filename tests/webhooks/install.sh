#!/usr/bin/env bash
# Installs the pinned packages of tests/webhooks (GitHub's recorded webhook payloads,
# @octokit/webhooks-examples, and @octokit/webhooks, which signs them) and sign.mjs into
# WORK_DIR, again only when the lock file changes. Usage: install.sh WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "node and npm are not installed (deploy/install-deps.sh installs them): skipping the webhook tests"
  exit 77
fi
mkdir -p "$work"
# Tests run in parallel may install at once: one at a time.
exec 9>"$work/.install-lock"
flock 9
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/@octokit/webhooks-examples" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$here/sign.mjs" "$work/"
