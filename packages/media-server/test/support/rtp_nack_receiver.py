"""A plain-RTP receiver that asks for lost packets: GStreamer's rtpbin (AVPF profile, jitter
buffers with do-retransmission) receiving VP8 on <rtp port> and RTCP on <rtp port + 1>, sending
its RTCP (receiver reports, generic NACKs) to 127.0.0.1:<server rtcp port>, decoding every frame.

Usage: /usr/bin/python3 rtp_nack_receiver.py <rtp port> <server rtcp port>. Prints "ready" once
its sockets are bound, then every 200 ms one JSON line: frames decoded and the jitter buffer's
statistics (num-pushed, num-lost, rtx-count). Stops when stdin closes or on SIGTERM.
"""

import json
import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def main():
    Gst.init(None)
    rtp_port = int(sys.argv[1])
    server_rtcp_port = int(sys.argv[2])
    pipeline = Gst.parse_launch(
        "rtpbin name=rtpbin rtp-profile=avpf do-retransmission=true latency=1000 "
        f"udpsrc address=127.0.0.1 port={rtp_port} "
        'caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=97" '
        "! rtpbin.recv_rtp_sink_0 "
        f"udpsrc address=127.0.0.1 port={rtp_port + 1} ! rtpbin.recv_rtcp_sink_0 "
        "rtpbin. ! rtpvp8depay ! vp8dec ! fakesink name=frames signal-handoffs=true sync=false "
        f"rtpbin.send_rtcp_src_0 ! udpsink host=127.0.0.1 port={server_rtcp_port} "
        "sync=false async=false"
    )
    state = {"frames": 0, "jitterbuffer": None}

    def on_frame(*_):
        state["frames"] += 1

    pipeline.get_by_name("frames").connect("handoff", on_frame)

    def on_jitterbuffer(_rtpbin, jitterbuffer, _session, _ssrc):
        state["jitterbuffer"] = jitterbuffer

    pipeline.get_by_name("rtpbin").connect("new-jitterbuffer", on_jitterbuffer)
    loop = GLib.MainLoop()

    def report():
        jitterbuffer = state["jitterbuffer"]
        stats = jitterbuffer.get_property("stats") if jitterbuffer else None
        line = {"frames": state["frames"]}
        for name in ("num-pushed", "num-lost", "rtx-count"):
            line[name] = stats.get_value(name) if stats else 0
        print(json.dumps(line), flush=True)
        return True

    def on_message(_bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            print(json.dumps({"error": error.message, "debug": debug}), flush=True)
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    # The sockets are bound by the time set_state returns (udpsrc binds going to PAUSED).
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        print(json.dumps({"error": "the pipeline does not start"}), flush=True)
        sys.exit(1)
    print("ready", flush=True)
    GLib.timeout_add(200, report)
    signal.signal(signal.SIGTERM, lambda *_: GLib.idle_add(loop.quit))

    def watch_stdin():
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.run()
    pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
