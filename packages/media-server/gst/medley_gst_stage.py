#!/usr/bin/env python3
"""One processing stage of the Medley media server: a GStreamer pipeline in its own process.

The media server starts one of these per stage (filter, transcoder) and drives it with JSON lines
on stdin; answers and events go out as JSON lines on stdout, diagnostics on stderr. Media never
crosses the control channel: RTP comes in and goes out over UDP sockets on 127.0.0.1 that this
process connects to the server's own sockets, so the kernel drops datagrams from anyone else.

Requests:  {"id": N, "op": "check" | "start" | "add" | "remove" | "set" | "get" | "set-pad" |
            "keyframe" | "overlay" | "follow-faces" | "vision" | "check-image" | "stop", ...}
Answers:   {"id": N, "ok": true, "value": ...} or {"id": N, "ok": false, "code": ..., "message": ...}
Events:    {"event": "error" | "keyframe-needed" | "element-message" | "eos", ...}

The process exits when stdin closes or its parent dies (PR_SET_PDEATHSIG), so a media server
killed with SIGKILL leaves no stage behind.
"""

import ctypes
import json
import os
import signal
import socket
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gio, GLib, GObject, Gst, GstVideo  # noqa: E402

from medley_overlays import (  # noqa: E402
    FaceFollower,
    OverlayError,
    OverlaySlot,
    decode_image,
    remove_images,
)
from medley_vision import VisionError, VisionSlot, make_analyser  # noqa: E402

PR_SET_PDEATHSIG = 1
# The server names its own elements with this prefix; a filter command may not.
RESERVED_PREFIX = "medley_"


def die_with_parent():
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    if os.getppid() == 1:
        os._exit(0)


def send(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def from_streaming_thread(message):
    """Events raised on GStreamer's threads are written from the main loop, one at a time."""
    GLib.idle_add(lambda: send(message) and False)


def send_vision_event(element, structure):
    from_streaming_thread({"event": "element-message", "element": element, "structure": structure})


class StageError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def json_value(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, GObject.GEnum):
        return value.value_nick
    if isinstance(value, GObject.GFlags):
        return value.first_value_nick
    if isinstance(value, Gst.Caps):
        return value.to_string()
    if isinstance(value, Gst.Structure):
        return structure_to_dict(value)
    return str(value)


UNPARSED = object()
INTEGER_TYPES = (GObject.TYPE_INT, GObject.TYPE_UINT, GObject.TYPE_INT64, GObject.TYPE_UINT64,
                 GObject.TYPE_LONG, GObject.TYPE_ULONG)


def parse_value(spec, text):
    """A property value from its text, as gst-launch writes it; StageError when it does not fit."""
    value_type = spec.value_type
    try:
        if value_type.is_a(GObject.TYPE_ENUM):
            for member in spec.enum_class.__enum_values__.values():
                if text in (member.value_nick, member.value_name, str(int(member))):
                    return member
            raise ValueError(text)
        if value_type == GObject.TYPE_BOOLEAN:
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return lowered in ("true", "1", "yes")
        if value_type in INTEGER_TYPES or value_type in (GObject.TYPE_FLOAT, GObject.TYPE_DOUBLE):
            number = int(text, 0) if value_type in INTEGER_TYPES else float(text)
            if number < spec.minimum or number > spec.maximum:
                raise ValueError(text)
            return number
        if value_type == GObject.TYPE_STRING:
            return text
    except ValueError:
        raise StageError("BAD_PROPERTY_VALUE", spec.name)
    return UNPARSED


def property_value(element, name):
    """A property's value for JSON; enums by nick (PyGObject gives plain ints for some)."""
    value = element.get_property(name)
    spec = element.find_property(name)
    if spec.value_type.is_a(GObject.TYPE_ENUM) and isinstance(value, int):
        for member in spec.enum_class.__enum_values__.values():
            if int(member) == int(value):
                return member.value_nick
    return json_value(value)


def structure_to_dict(structure):
    fields = {"name": structure.get_name()}
    for index in range(structure.n_fields()):
        field = structure.nth_field_name(index)
        try:
            fields[field] = json_value(structure.get_value(field))
        except TypeError:
            fields[field] = structure.to_string()
    return fields


def elements_of(bin_):
    elements = []
    iterator = bin_.iterate_recurse()
    while True:
        result, element = iterator.next()
        if result == Gst.IteratorResult.RESYNC:
            iterator.resync()
            elements.clear()
            continue
        if result != Gst.IteratorResult.OK:
            break
        elements.append(element)
    return elements


def media_kind_of(pad):
    if pad is None:
        return None
    caps = pad.query_caps(None)
    kinds = set()
    for index in range(caps.get_size()):
        name = caps.get_structure(index).get_name()
        kinds.add(name.split("/")[0])
    if caps.is_any() or len(kinds) != 1:
        return "any"
    kind = kinds.pop()
    return kind if kind in ("audio", "video") else "other"


def set_pad_property(pad, name, value):
    spec = pad.find_property(name)
    if spec is None:
        raise StageError("NO_SUCH_PROPERTY", name)
    parsed = parse_value(spec, str(value))
    if parsed is UNPARSED:
        Gst.util_set_object_arg(pad, name, str(value))
    else:
        pad.set_property(name, parsed)


def start_at_running_time(pipeline, elements):
    """Test sources (silence, a background) count their time from zero: one added to a pipeline
    that has run for a while must start at the pipeline's running time, or a mixer would take
    its buffers as minutes late, or the others' as minutes early."""
    clock = pipeline.get_clock()
    if clock is None:
        return
    running_time = max(0, clock.get_time() - pipeline.get_base_time())
    for element in elements:
        # Payloaders have a "timestamp-offset" too, but it is their RTP timestamp's (32 bits):
        # only sources (no sink pad) count their time from it.
        if element.sinkpads or element.find_property("timestamp-offset") is None:
            continue
        element.set_property("timestamp-offset", running_time)


IDLE_UNLINK_TIMEOUT_S = 1.0


def unlink_when_idle(source_pad, sink_pad):
    """Unlinks a pad that another thread pushes on, between two of its buffers."""
    done = threading.Event()

    def on_idle(pad, _info):
        if pad.get_peer() is sink_pad:
            pad.unlink(sink_pad)
        done.set()
        return Gst.PadProbeReturn.REMOVE

    source_pad.add_probe(Gst.PadProbeType.IDLE, on_idle)
    if not done.wait(IDLE_UNLINK_TIMEOUT_S) and source_pad.get_peer() is sink_pad:
        source_pad.unlink(sink_pad)


class Stage:
    def __init__(self, loop):
        self.loop = loop
        self.pipeline = None
        self.sockets = []
        self.branches = {}
        self.slots = {}
        self.followers = {}
        self.vision = {}

    # --- requests ---------------------------------------------------------------------------

    def check(self, request):
        """Parses a filter command without starting it: its element factories and media kind."""
        description = request["description"]
        allowed = set(request.get("allowed", []))
        try:
            filter_bin = Gst.parse_bin_from_description_full(
                description, True, None, Gst.ParseFlags.FATAL_ERRORS
            )
        except GLib.Error as error:
            raise StageError("PARSE_ERROR", error.message)
        try:
            factories = []
            for element in elements_of(filter_bin):
                factory = element.get_factory()
                name = factory.get_name() if factory else type(element).__name__
                if name not in allowed:
                    raise StageError("ELEMENT_NOT_ALLOWED", name)
                if element.get_name().startswith(RESERVED_PREFIX):
                    raise StageError("RESERVED_NAME", element.get_name())
                factories.append(name)
            sink_kind = media_kind_of(filter_bin.get_static_pad("sink"))
            source_kind = media_kind_of(filter_bin.get_static_pad("src"))
            return {"factories": factories, "sinkKind": sink_kind, "sourceKind": source_kind}
        finally:
            filter_bin.set_state(Gst.State.NULL)

    def start(self, request):
        if self.pipeline is not None:
            self.stop_pipeline()
        try:
            pipeline = Gst.parse_launch_full(
                request["description"], None, Gst.ParseFlags.FATAL_ERRORS
            )
        except GLib.Error as error:
            raise StageError("PARSE_ERROR", error.message)
        local_ports = self.attach_streams(pipeline, request)
        bus = pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_bus_message)
        self.pipeline = pipeline
        if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            raise StageError("START_FAILED", "the GStreamer pipeline refused to start")
        return {"ports": local_ports, "elements": self.element_names()}

    def attach_streams(self, bin_, request):
        local_ports = {}
        for name, server_port in request.get("ports", {}).items():
            local_ports[name] = self.attach_socket(bin_, name, int(server_port))
        for name in request.get("watchKeyframeRequests", []):
            self.watch_keyframe_requests(bin_, name)
        return local_ports

    def element_names(self):
        sorted_elements = []
        iterator = self.pipeline.iterate_sorted()
        while True:
            result, element = iterator.next()
            if result != Gst.IteratorResult.OK:
                break
            sorted_elements.append(element.get_name())
        return list(reversed(sorted_elements))

    # --- branches: parts added to and removed from a running pipeline (a mixer's inputs) ----

    def add_branch(self, request):
        """Adds elements to the running pipeline and links them to elements already in it.

        The description is parsed as a bin, whose elements then move to the pipeline itself (so
        that links to other branches need no ghost pads). Links name their pads; a template name
        (`sink_%u`) requests a pad, which is released when the branch is removed.
        """
        pipeline = self.require_pipeline()
        name = request["name"]
        if name in self.branches:
            raise StageError("BRANCH_EXISTS", name)
        try:
            parsed = Gst.parse_bin_from_description_full(
                request["description"], False, None, Gst.ParseFlags.FATAL_ERRORS
            )
        except GLib.Error as error:
            raise StageError("PARSE_ERROR", error.message)
        elements = elements_of(parsed)
        internal_links = []
        for element in elements:
            for pad in element.srcpads:
                peer = pad.get_peer()
                if peer is not None:
                    internal_links.append((pad, peer))
        for element in elements:
            parsed.remove(element)
            pipeline.add(element)
        for source_pad, sink_pad in internal_links:
            source_pad.link(sink_pad)
        branch = {"elements": elements, "links": []}
        self.branches[name] = branch
        own = set(elements)
        links = request.get("links", [])
        # Links out of the branch are made while its elements are stopped, and links into it
        # once they run: an element pushed on while it is still stopped answers "flushing",
        # which stops the pushing thread (another branch's tee) for good.
        outgoing = [link for link in links if self.element(link["from"]) in own]
        incoming = [link for link in links if self.element(link["from"]) not in own]
        try:
            local_ports = self.attach_streams(pipeline, request)
            pads = [self.link_branch(branch, link) for link in outgoing]
            start_at_running_time(pipeline, elements)
            for element in elements:
                element.sync_state_with_parent()
            pads += [self.link_branch(branch, link) for link in incoming]
        except Exception:
            self.remove_branch({"name": name})
            raise
        # A live mixer added to a running pipeline only produces once it knows its latency.
        pipeline.recalculate_latency()
        return {"ports": local_ports, "pads": pads}

    def link_branch(self, branch, link):
        source = self.element(link["from"])
        sink = self.element(link["to"])
        source_pad = self.pad_of(source, link.get("fromPad", "src"))
        sink_pad = self.pad_of(sink, link.get("toPad", "sink"))
        for prop, value in link.get("padProperties", {}).items():
            set_pad_property(sink_pad, prop, value)
        result = source_pad.link(sink_pad)
        if result != Gst.PadLinkReturn.OK:
            for pad in (source_pad, sink_pad):
                if pad.get_pad_template() and pad.get_pad_template().presence == Gst.PadPresence.REQUEST:
                    pad.get_parent_element().release_request_pad(pad)
            raise StageError("LINK_FAILED", f"{link['from']} -> {link['to']}: {result.value_nick}")
        branch["links"].append((source_pad, sink_pad))
        return {"from": source_pad.get_name(), "to": sink_pad.get_name()}

    def pad_of(self, element, name):
        pad = element.get_static_pad(name)
        if pad is None and "%" in name:
            pad = element.request_pad_simple(name)
        if pad is None:
            raise StageError("NO_SUCH_PAD", f"{element.get_name()}.{name}")
        return pad

    def remove_branch(self, request):
        """Stops a branch's elements and unlinks them; the rest of the pipeline keeps running."""
        branch = self.branches.pop(request["name"], None)
        if branch is None:
            raise StageError("NO_SUCH_BRANCH", request["name"])
        own = set(branch["elements"])
        # A pad pushed by another branch's thread (a tee's) is unlinked when no buffer is on it.
        for source_pad, sink_pad in branch["links"]:
            if source_pad.get_parent_element() not in own:
                unlink_when_idle(source_pad, sink_pad)
        sources_first = sorted(branch["elements"], key=lambda element: len(element.sinkpads) > 0)
        for element in sources_first:
            element.set_state(Gst.State.NULL)
        for source_pad, sink_pad in branch["links"]:
            if source_pad.get_peer() is sink_pad:
                source_pad.unlink(sink_pad)
            for pad in (source_pad, sink_pad):
                parent = pad.get_parent_element()
                template = pad.get_pad_template()
                if parent not in own and template and template.presence == Gst.PadPresence.REQUEST:
                    parent.release_request_pad(pad)
        for element in branch["elements"]:
            self.slots.pop(element.get_name(), None)
            if element.get_parent() is self.pipeline:
                self.pipeline.remove(element)
        return None

    def set_pad(self, request):
        pad = self.element(request["element"]).get_static_pad(request["pad"])
        if pad is None:
            raise StageError("NO_SUCH_PAD", f"{request['element']}.{request['pad']}")
        for prop, value in request["properties"].items():
            set_pad_property(pad, prop, value)
        return None

    # --- overlays ---------------------------------------------------------------------------

    def overlay(self, request):
        """Shows an image (or hides it) on a gdkpixbufoverlay, placed in fractions of the frame."""
        slot = self.slot(request["element"])
        slot.show(request.get("image"), request.get("placement"))
        return None

    def follow_faces(self, request):
        """Draws an image over every face a facedetect element finds, following them."""
        detector = self.element(request["detector"])
        slots = [self.slot(name) for name in request["slots"]]
        self.followers[detector.get_name()] = FaceFollower(
            detector, slots, request.get("image"), request.get("placement")
        )
        return None

    def vision_slot(self, request):
        """Runs a vision analyser (medley_vision) between `<element>_sink` and `<element>_src`,
        made on the first request; later ones change its settings."""
        name = request["element"]
        slot = self.vision.get(name)
        if slot is None:
            analyser = make_analyser(request["kind"])
            sink, source = self.element(name + "_sink"), self.element(name + "_src")
            slot = VisionSlot(name, sink, source, analyser, send_vision_event)
            self.vision[name] = slot
        slot.configure(request.get("settings") or {})
        return None

    def check_image(self, request):
        """Decodes an image without showing it (BAD_IMAGE when it is none): a filter can refuse
        it when it is given, before any pipeline runs."""
        pixbuf = decode_image(request["image"])
        return {"width": pixbuf.get_width(), "height": pixbuf.get_height()}

    def slot(self, name):
        element = self.element(name)
        if name not in self.slots:
            self.slots[name] = OverlaySlot(element)
        return self.slots[name]

    def attach_socket(self, pipeline, name, server_port):
        """One UDP socket per media stream, connected to the server's: RTP in and out."""
        source = pipeline.get_by_name(name + "_in")
        sink = pipeline.get_by_name(name + "_out")
        if source is None and sink is None:
            raise StageError("NO_SUCH_ELEMENT", f"{name}_in or {name}_out")
        raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        raw.bind(("127.0.0.1", 0))
        raw.connect(("127.0.0.1", server_port))
        gsocket = Gio.Socket.new_from_fd(os.dup(raw.fileno()))
        local_port = raw.getsockname()[1]
        raw.close()
        self.sockets.append(gsocket)
        if source is not None:
            source.set_property("socket", gsocket)
            source.set_property("close-socket", False)
        if sink is not None:
            sink.set_property("socket", gsocket)
            sink.set_property("close-socket", False)
            sink.set_property("host", "127.0.0.1")
            sink.set_property("port", server_port)
        return local_port

    def watch_keyframe_requests(self, pipeline, name):
        """A decoder that lost its picture sends force-key-unit upstream: tell the server."""
        source = pipeline.get_by_name(name + "_in")
        if source is None:
            return
        pad = source.get_static_pad("src")

        def on_upstream_event(_pad, info):
            event = info.get_event()
            if GstVideo.video_event_is_force_key_unit(event):
                from_streaming_thread({"event": "keyframe-needed", "stream": name})
            return Gst.PadProbeReturn.OK

        pad.add_probe(Gst.PadProbeType.EVENT_UPSTREAM, on_upstream_event)

    def require_pipeline(self):
        if self.pipeline is None:
            raise StageError("NOT_STARTED", "the stage has no pipeline yet")
        return self.pipeline

    def element(self, name):
        element = self.require_pipeline().get_by_name(name)
        if element is None:
            raise StageError("NO_SUCH_ELEMENT", name)
        return element

    def find_property(self, request):
        """The first element of the named ones that has the property."""
        for name in request["elements"]:
            element = self.element(name)
            if element.find_property(request["property"]) is not None:
                return element
        raise StageError("NO_SUCH_PROPERTY", request["property"])

    def set_property(self, request):
        element = self.find_property(request)
        spec = element.find_property(request["property"])
        if not spec.flags & GObject.ParamFlags.WRITABLE:
            raise StageError("PROPERTY_NOT_WRITABLE", request["property"])
        text = str(request["value"])
        value = parse_value(spec, text)
        if value is UNPARSED:
            Gst.util_set_object_arg(element, request["property"], text)
        else:
            element.set_property(request["property"], value)
        return property_value(element, request["property"])

    def get_property(self, request):
        element = self.find_property(request)
        return property_value(element, request["property"])

    def keyframe(self, request):
        encoder = self.element(request["element"])
        event = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
        encoder.send_event(event)
        return None

    def stop_pipeline(self):
        if self.pipeline is not None:
            self.pipeline.get_bus().remove_signal_watch()
            self.pipeline.set_state(Gst.State.NULL)
            self.pipeline = None
        self.branches = {}
        self.slots = {}
        self.followers = {}
        for slot in self.vision.values():
            slot.detach()
        self.vision = {}
        for gsocket in self.sockets:
            gsocket.close()
        self.sockets = []

    # --- events -----------------------------------------------------------------------------

    def on_bus_message(self, _bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            send({
                "event": "error",
                "element": message.src.get_name() if message.src else None,
                "message": error.message,
                "debug": debug,
            })
        elif message.type == Gst.MessageType.LATENCY and self.pipeline is not None:
            self.pipeline.recalculate_latency()
        elif message.type == Gst.MessageType.EOS:
            send({"event": "eos"})
        elif message.type == Gst.MessageType.ELEMENT and message.get_structure() is not None:
            source = message.src.get_name() if message.src else None
            follower = self.followers.get(source)
            if follower is not None:
                follower.on_detection(message.get_structure())
                return True
            send({
                "event": "element-message",
                "element": message.src.get_name() if message.src else None,
                "structure": structure_to_dict(message.get_structure()),
            })
        return True

    # --- the control channel ----------------------------------------------------------------

    def handle(self, request):
        op = request.get("op")
        handlers = {
            "check": self.check,
            "start": self.start,
            "add": self.add_branch,
            "remove": self.remove_branch,
            "set-pad": self.set_pad,
            "overlay": self.overlay,
            "follow-faces": self.follow_faces,
            "vision": self.vision_slot,
            "check-image": self.check_image,
            "set": self.set_property,
            "get": self.get_property,
            "keyframe": self.keyframe,
        }
        if op == "stop":
            self.stop_pipeline()
            self.loop.quit()
            return None
        if op not in handlers:
            raise StageError("UNKNOWN_OPERATION", str(op))
        return handlers[op](request)


def main():
    die_with_parent()
    Gst.init(None)
    loop = GLib.MainLoop()
    stage = Stage(loop)
    pending = bytearray()

    def on_stdin(fd, condition):
        chunk = os.read(fd, 65536) if condition & GLib.IO_IN else b""
        if not chunk:
            stage.stop_pipeline()
            loop.quit()
            return False
        pending.extend(chunk)
        while b"\n" in pending:
            line, _, rest = bytes(pending).partition(b"\n")
            pending[:] = rest
            if line.strip():
                answer(line)
        return True

    def answer(line):
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            send({"id": request_id, "ok": True, "value": stage.handle(request)})
        except (StageError, OverlayError, VisionError) as error:
            send({"id": request_id, "ok": False, "code": error.code, "message": str(error)})
        except Exception as error:  # a bad request never kills the stage
            send({"id": request_id, "ok": False, "code": "BAD_REQUEST", "message": repr(error)})

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    signal.signal(signal.SIGTERM, lambda *_: GLib.idle_add(loop.quit))
    send({"event": "ready", "version": Gst.version_string()})
    try:
        loop.run()
    finally:
        stage.stop_pipeline()
        remove_images()


if __name__ == "__main__":
    main()
