#!/usr/bin/env bash
# Runs a command inside a private network namespace whose only interface is loopback, so that
# no ICE, STUN, mDNS or DNS packet of a test can leave this machine and ICE candidates are
# deterministic (127.0.0.1 only). Nested calls run directly in the namespace they are already in.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/isolated.sh <command> [args...]" >&2
  exit 64
fi
if [ "${MEDLEY_ISOLATED:-}" = "1" ]; then
  exec "$@"
fi
export MEDLEY_ISOLATED=1

bring_up_loopback='ip link set lo up && exec "$@"'
if [ "$(uname -s)" = "Linux" ]; then
  if [ "$(id -u)" = "0" ] && unshare -n true 2>/dev/null; then
    exec unshare -n -- sh -c "$bring_up_loopback" isolated "$@"
  fi
  if unshare -rn true 2>/dev/null; then
    exec unshare -rn -- sh -c "$bring_up_loopback" isolated "$@"
  fi
fi
echo "warning: cannot create a loopback-only network namespace here; running '$1' on the host network" >&2
export MEDLEY_ISOLATED=0
exec "$@"
