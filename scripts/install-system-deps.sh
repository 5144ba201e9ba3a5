#!/usr/bin/env bash
# Installs the Debian packages Medley's tests and demos need, only those that are missing:
# Chromium (browser tests), ffmpeg/ffprobe (recording checks), iproute2 + util-linux (the
# loopback-only namespace), nftables (packet-loss tests), a C toolchain for node-gyp (the media
# server's native SRTP sender; .ci/run calls this before npm install), GStreamer with its
# Python bindings (the media server's filters and transcoders), and redis-server (app servers
# sharing sessions).
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
# The media server's processing plane (GStreamerFilter, transcoding): GStreamer 1.22 with its
# plugins, driven from Debian's own python3 through PyGObject (python3-gst-1.0).
command -v gst-launch-1.0 >/dev/null 2>&1 || missing+=(gstreamer1.0-tools)
gst_plugin() { gst-inspect-1.0 "$1" >/dev/null 2>&1; }
gst_plugin videoflip || missing+=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
gst_plugin x264enc || missing+=(gstreamer1.0-plugins-ugly)
gst_plugin avdec_h264 || missing+=(gstreamer1.0-libav)
gst_plugin gaussianblur || missing+=(gstreamer1.0-plugins-bad)
gst_plugin textoverlay || missing+=(gstreamer1.0-x)
gst_plugin facedetect || missing+=(gstreamer1.0-opencv opencv-data)
/usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstVideo", "1.0")' \
  >/dev/null 2>&1 || missing+=(python3-gst-1.0 gir1.2-gst-plugins-base-1.0)
# Overlay images are decoded in the stage with GdkPixbuf; the QR demo and test make codes with qrencode.
/usr/bin/python3 -c 'import gi; gi.require_version("GdkPixbuf", "2.0")' >/dev/null 2>&1 ||
  missing+=(gir1.2-gdkpixbuf-2.0)
command -v qrencode >/dev/null 2>&1 || missing+=(qrencode)
# The PlayerEndpoint RTSP tests serve a camera with GStreamer's RTSP server library.
/usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' >/dev/null 2>&1 ||
  missing+=(gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp)
# Several app servers share sessions and rooms through Redis: the signaling cluster tests and the
# e2e test of two app servers start their own redis-server.
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Kurento's chroma, pointer, crowd and plate filters analyse frames in the stage with numpy and
# OpenCV (Debian's builds for /usr/bin/python3); plates are read with Tesseract.
/usr/bin/python3 -c 'import numpy, cv2' >/dev/null 2>&1 || missing+=(python3-numpy python3-opencv)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr tesseract-ocr-eng)
# The plate test draws its plate with ffmpeg's drawtext in DejaVu Sans Bold.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing+=(fonts-dejavu-core)

# A picture with a face for the face-overlay test and the magic mirror demo: the public-domain
# NASA portrait of astronaut Eileen Collins that scikit-image ships (Debian's python3-skimage),
# taken out of the package file without installing the package and its dependencies.
FACE_PICTURE=/usr/local/share/medley/astronaut.png
fetch_face_picture() {
  local work
  work=$(mktemp -d)
  (cd "$work" && apt-get download python3-skimage >/dev/null 2>&1) || { rm -rf "$work"; return 1; }
  dpkg-deb --fsys-tarfile "$work"/python3-skimage_*.deb |
    tar -x -C "$work" ./usr/lib/python3/dist-packages/skimage/data/astronaut.png
  as_root mkdir -p "$(dirname "$FACE_PICTURE")"
  as_root cp "$work/usr/lib/python3/dist-packages/skimage/data/astronaut.png" "$FACE_PICTURE"
  rm -rf "$work"
}

as_root() { if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi; }
if [ ! -f "$FACE_PICTURE" ]; then
  fetch_face_picture || { as_root apt-get update -qq && fetch_face_picture; } ||
    echo "warning: could not fetch $FACE_PICTURE (python3-skimage); the face-overlay test needs it" >&2
fi

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Missing Debian packages: ${missing[*]}. Install them with apt-get as root." >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
