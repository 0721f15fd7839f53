#!/usr/bin/env bash
# Installs the OpenTelemetry JS SDK's exporters (pinned by package-lock.json) and export.mjs into
# WORK_DIR, again only when the lock file changes. Exit 77 without npm.
# Usage: install.sh WORK_DIR
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../support/npm_pinned_install.sh" "$here" "$1" @opentelemetry/sdk-metrics export.mjs export_exponential.mjs
