#!/usr/bin/env bash
# Installs the Debian packages Medley's tests and demos need, only those that are missing:
# Chromium (browser tests), ffmpeg/ffprobe (recording checks), iproute2 + util-linux (the
# loopback-only namespace), nftables (packet-loss tests), and a C toolchain for node-gyp (the media
# server's native SRTP sender; .ci/run calls this before npm install).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Missing Debian packages: ${missing[*]}. Install them with apt-get as root." >&2
  exit 1
fi
as_root() { if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi; }
echo "Installing Debian packages: ${missing[*]}"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
