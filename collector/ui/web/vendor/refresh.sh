#!/usr/bin/env bash
# Refreshes the vendored uPlot files from the npm registry: npm ci installs the version pinned
# by package-lock.json (checking the tarball against the lock's sha512 integrity), and the
# minified script, its style sheet and its licence are copied here, with their SHA-256 in
# SHA256SUMS, which the build checks (collector/ui/CMakeLists.txt) before embedding them.
# To move to another version: change package.json, run `npm install --package-lock-only` here,
# then this script, and commit the four files together.
# Usage: collector/ui/web/vendor/refresh.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
dist="$work/node_modules/uplot/dist"
cp "$dist/uPlot.iife.min.js" "$dist/uPlot.min.css" "$here/"
cp "$work/node_modules/uplot/LICENSE" "$here/uPlot.LICENSE"
(cd "$here" && sha256sum uPlot.iife.min.js uPlot.min.css uPlot.LICENSE >SHA256SUMS)
echo "vendored uplot $(node -p "require('$work/node_modules/uplot/package.json').version"):"
cat "$here/SHA256SUMS"
