#!/usr/bin/env bash
# The real-agent harness's own test: installs the pinned agents (package-lock.json) once into
# WORK_DIR (install.sh), then runs check_harness.py, which runs each agent once inside a
# loopback-only network namespace against the fake model server and checks what came out.
# Skipped (77) without npm.
# Usage: run.sh WORK_DIR [CHECK.py ARGS...]: another check of this folder instead (check_import.py),
# given --packages WORK_DIR and ARGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
"$here/install.sh" "$work"
if [ $# -gt 1 ]; then
  check=$2
  shift 2
  exec python3 "$here/$check" --packages "$work" "$@"
fi
exec python3 "$here/check_harness.py" --packages "$work" --out "$work/last-run"
