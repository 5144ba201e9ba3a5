#!/usr/bin/env bash
# Installs Debian's Janus (the fan-out benchmark's baseline) when it is missing. Safe to run
# again: it does nothing once `janus` is on the PATH (the package brings the streaming plugin
# and the HTTP transport with it).
# The package enables a systemd unit; nothing starts it here (containers deny service starts,
# and the benchmark runs its own Janus with its own configuration in a private namespace).
set -euo pipefail

if command -v janus >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Janus is missing: install it as root with 'apt-get install -y janus' (Debian bookworm has 1.1.2)." >&2
  exit 1
fi
as_root() { if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi; }
echo "Installing Debian's janus package (fan-out benchmark baseline)"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends janus
