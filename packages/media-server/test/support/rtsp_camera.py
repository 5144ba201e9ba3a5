"""A stand-in IP camera for the PlayerEndpoint tests: GStreamer's RTSP server library (Debian's
gir1.2-gst-rtsp-server-1.0) serving H.264 test video at rtsp://127.0.0.1:<port>/camera.

Usage: /usr/bin/python3 rtsp_camera.py <port>. Prints "ready <port>" once it listens; stops on
SIGTERM or when stdin closes (so it dies with the test that started it).
"""

import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PIPELINE = (
    "( videotestsrc is-live=true pattern=smpte ! video/x-raw,width=320,height=240,framerate=30/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=500 "
    "! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
)


def main():
    Gst.init(None)
    port = sys.argv[1] if len(sys.argv) > 1 else "8554"
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    server.get_mount_points().add_factory("/camera", factory)
    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        print("failed to listen", flush=True)
        sys.exit(1)
    signal.signal(signal.SIGTERM, lambda *_: loop.quit())

    def watch_stdin():
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"ready {server.get_bound_port()}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
