#!/usr/bin/env bash
# Installs the npm packages pinned by SOURCE_DIR's package.json and package-lock.json into
# WORK_DIR, again only when the lock file changes or MARKER (a path under node_modules) is
# missing, then copies SOURCE_DIR's FILES beside them. Tests run in parallel may call it at once:
# one installs while the others wait. Exits 77 (skipped) without node and npm.
# Usage: npm_pinned_install.sh SOURCE_DIR WORK_DIR MARKER FILE...
set -euo pipefail
source_dir=$1 work=$2 marker=$3
shift 3
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "node and npm are not installed (deploy/install-deps.sh installs them): skipping"
  exit 77
fi
mkdir -p "$work"
exec 9>"$work/.install-lock"
flock 9
if ! cmp -s "$source_dir/package-lock.json" "$work/package-lock.json" || [ ! -e "$work/node_modules/$marker" ]; then
  cp "$source_dir/package.json" "$source_dir/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
for f in "$@"; do cp "$source_dir/$f" "$work/"; done
