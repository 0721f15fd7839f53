#!/usr/bin/env bash
# Installs the pinned packages of tests/webhooks (GitHub's recorded webhook payloads,
# @octokit/webhooks-examples, and @octokit/webhooks, which signs them) and sign.mjs into
# WORK_DIR, again only when the lock file changes. Exit 77 without npm.
# Usage: install.sh WORK_DIR
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../support/npm_pinned_install.sh" "$here" "$1" @octokit/webhooks-examples sign.mjs
