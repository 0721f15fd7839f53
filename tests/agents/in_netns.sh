#!/bin/sh
# Runs a command in a network namespace of its own that has only loopback (up), so that a test can
# start a collector and then tests/agents/run_agent.py --otlp-endpoint beside it, and nothing it
# starts can reach beyond the machine. Needs root (or unprivileged user namespaces).
# Usage: in_netns.sh COMMAND [ARGS...]
set -eu
if [ "$(id -u)" -eq 0 ]; then
  exec unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
exec unshare --net --map-root-user -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
