"""Computer vision on a stage's video frames: Kurento's chroma, pointer, crowd and plate filters.

A vision slot is a pair of elements that a filter's command names `<slot>_sink` (an appsink that
gets BGR frames) and `<slot>_src` (an appsrc that sends them on). Each frame goes through the
slot's analyser (numpy and OpenCV from Debian's python3-numpy and python3-opencv), which may draw
on it and raise events, and goes on with its own timestamps. GStreamer has no element for these
filters (colour calibration, pointer tracking, crowd measures), and a buffer seen in a pad probe
cannot be written to from Python: an appsink/appsrc pair gives the analyser a frame it owns.

Events are element messages of the slot, {"name": <Kurento event>, ...fields}, sent to the server
like any element's message.
"""

import subprocess
import sys
import threading

import cv2
import gi
import numpy as np

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gst, GstVideo  # noqa: E402

from medley_overlays import decode_image  # noqa: E402


class VisionError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def pixbuf_to_bgr(pixbuf):
    """A GdkPixbuf as an OpenCV BGR image (alpha dropped, as KMS's chroma filter does)."""
    width, height = pixbuf.get_width(), pixbuf.get_height()
    channels, stride = pixbuf.get_n_channels(), pixbuf.get_rowstride()
    pixels = pixbuf.get_pixels()
    # The last row of a pixbuf is not padded to the row stride.
    padded = np.zeros(stride * height, dtype=np.uint8)
    padded[: len(pixels)] = np.frombuffer(pixels, dtype=np.uint8)
    rgb = padded.reshape(height, stride)[:, : width * channels].reshape(height, width, channels)
    return np.ascontiguousarray(rgb[:, :, 2::-1])


def decode_bgr(encoded):
    """An image the server sent (base64 PNG, JPEG, ...) as a BGR array."""
    return pixbuf_to_bgr(decode_image(encoded))


def clamp_rect(rect, width, height):
    """(x, y, w, h) of `rect` ({x, y, width, height} in pixels) inside a frame; None if outside."""
    x = max(0, min(int(rect["x"]), width - 1))
    y = max(0, min(int(rect["y"]), height - 1))
    right = max(x, min(int(rect["x"]) + int(rect["width"]), width))
    bottom = max(y, min(int(rect["y"]) + int(rect["height"]), height))
    if right <= x or bottom <= y:
        return None
    return x, y, right - x, bottom - y


class VisionSlot:
    """An appsink/appsrc pair with the analyser that turns each frame of one into one of the other."""

    def __init__(self, name, sink, source, analyser, emit):
        self.name = name
        self.sink = sink
        self.source = source
        self.analyser = analyser
        self.emit = emit
        # Analysers that find things off the streaming thread (the plate reader) raise their
        # events through this.
        if hasattr(analyser, "bind"):
            analyser.bind(lambda event: emit(name, event))
        self.caps = None
        self.lock = threading.Lock()
        sink.set_property("emit-signals", True)
        self.handler = sink.connect("new-sample", self.on_sample)

    def configure(self, settings):
        with self.lock:
            self.analyser.configure(settings)

    def on_sample(self, sink):
        sample = sink.emit("pull-sample")
        if sample is None:
            return Gst.FlowReturn.OK
        caps = sample.get_caps()
        if caps is None or not caps.is_equal(self.caps or Gst.Caps.new_empty()):
            self.caps = caps
            self.source.set_property("caps", caps)
        info = GstVideo.VideoInfo.new_from_caps(caps)
        width, height, stride = info.width, info.height, info.stride[0]
        buffer = sample.get_buffer()
        ok, mapped = buffer.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.FlowReturn.OK
        try:
            rows = np.frombuffer(mapped.data, dtype=np.uint8, count=stride * height)
            frame = rows.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()
        finally:
            buffer.unmap(mapped)
        with self.lock:
            try:
                events = self.analyser.process(frame) or []
            except Exception as error:  # a bad frame never stops the video
                events = []
                print(f"vision {self.name}: {error!r}", file=sys.stderr, flush=True)
        for event in events:
            self.emit(self.name, event)
        out = np.zeros((height, stride), dtype=np.uint8)
        out[:, : width * 3] = frame.reshape(height, width * 3)
        pushed = Gst.Buffer.new_wrapped(out.tobytes())
        pushed.pts, pushed.dts, pushed.duration = buffer.pts, buffer.dts, buffer.duration
        self.source.emit("push-buffer", pushed)
        return Gst.FlowReturn.OK

    def detach(self):
        self.sink.disconnect(self.handler)


# --- chroma ---------------------------------------------------------------------------------

# As KMS's chroma: the key colour is learnt from the window over the first frames, which show the
# window's outline; then pixels of that hue and saturation (and not too dark) take the background.
CALIBRATION_FRAMES = 60
# A hue or saturation value belongs to the key when this share of the window's samples has it
# (KMS counts 10 pixels a frame whatever the window's size; a share ignores compression noise).
KEY_SHARE = 0.01
MIN_VALUE = 30
OUTLINE_BGR = (255, 0, 0)


class ChromaKey:
    def __init__(self):
        self.window = None
        self.background = None
        self.scaled = None
        self.frames = 0
        self.hues = np.zeros(181, dtype=np.int64)
        self.saturations = np.zeros(256, dtype=np.int64)
        self.samples = 0
        self.key = None

    def configure(self, settings):
        if "window" in settings:
            self.window = settings["window"]
        if "background" in settings:
            encoded = settings["background"]
            self.background = decode_bgr(encoded) if encoded is not None else None
            self.scaled = None

    def process(self, frame):
        if self.window is None:
            return None
        height, width = frame.shape[:2]
        if self.frames < CALIBRATION_FRAMES:
            self.calibrate(frame, width, height)
            return None
        if self.background is None or self.key is None:
            return None
        if self.scaled is None or self.scaled.shape[:2] != (height, width):
            self.scaled = cv2.resize(self.background, (width, height), interpolation=cv2.INTER_LINEAR)
        hsv = cv2.cvtColor(frame, cv2.COLOR_BGR2HSV)
        (h_min, h_max), (s_min, s_max) = self.key
        mask = cv2.inRange(hsv, (h_min, s_min, MIN_VALUE), (h_max, s_max, 255))
        kernel = np.ones((3, 3), dtype=np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        keyed = mask > 0
        frame[keyed] = self.scaled[keyed]
        return None

    def calibrate(self, frame, width, height):
        rect = clamp_rect(self.window, width, height)
        if rect is None:
            return
        x, y, w, h = rect
        hsv = cv2.cvtColor(frame[y : y + h, x : x + w], cv2.COLOR_BGR2HSV)
        self.hues += np.bincount(hsv[:, :, 0].ravel(), minlength=181)[:181]
        self.saturations += np.bincount(hsv[:, :, 1].ravel(), minlength=256)[:256]
        self.samples += w * h
        self.frames += 1
        cv2.rectangle(frame, (x, y), (x + w - 1, y + h - 1), OUTLINE_BGR, 1)
        if self.frames == CALIBRATION_FRAMES:
            threshold = max(1, self.samples * KEY_SHARE)
            self.key = (value_range(self.hues, threshold), value_range(self.saturations, threshold))


def value_range(histogram, threshold):
    counted = np.nonzero(histogram >= threshold)[0]
    if len(counted) == 0:
        return (0, len(histogram) - 1)
    return (int(counted[0]), int(counted[-1]))


# --- pointer detector -----------------------------------------------------------------------

# The tracked colour: the calibration region's median hue, saturation and value, give or take.
HUE_MARGIN = 10
SATURATION_MARGIN = 70
VALUE_MARGIN = 70
# A pointer smaller than this share of the frame is noise.
MIN_POINTER_SHARE = 0.001
CALIBRATION_BGR = (255, 255, 255)
WINDOW_BGR = (0, 255, 0)
ACTIVE_WINDOW_BGR = (0, 0, 255)
POINTER_BGR = (0, 0, 255)


class PointerTracker:
    """Kurento's PointerDetectorFilter: a colour, learnt from the calibration region on request,
    is followed; its centre entering or leaving a window raises WindowIn or WindowOut."""

    def __init__(self):
        self.calibration = None
        self.windows = []
        self.inside = set()
        self.calibrate_next = False
        self.colour = None
        # Window id -> (image, active image) as BGR arrays, and their copies scaled to the window.
        self.images = {}
        self.scaled = {}

    def configure(self, settings):
        if "calibrationRegion" in settings:
            self.calibration = settings["calibrationRegion"]
        for window_id, encoded in (settings.get("images") or {}).items():
            decoded = None
            if encoded is not None:
                decoded = tuple(
                    decode_bgr(encoded[key]) if encoded.get(key) else None
                    for key in ("image", "activeImage")
                )
            self.images[window_id] = decoded
            self.scaled.pop(window_id, None)
        if "windows" in settings:
            self.windows = [dict(window) for window in settings["windows"]]
            ids = {window["id"] for window in self.windows}
            self.inside &= ids
            self.images = {key: value for key, value in self.images.items() if key in ids and value}
        if settings.get("calibrate"):
            self.calibrate_next = True

    def process(self, frame):
        height, width = frame.shape[:2]
        hsv = cv2.cvtColor(frame, cv2.COLOR_BGR2HSV)
        region = clamp_rect(self.calibration, width, height) if self.calibration else None
        if self.calibrate_next and region is not None:
            self.calibrate_next = False
            x, y, w, h = region
            median = np.median(hsv[y : y + h, x : x + w].reshape(-1, 3), axis=0)
            self.colour = tuple(int(value) for value in median)
        centre = self.find_pointer(hsv, width, height) if self.colour is not None else None
        events = []
        for window in self.windows:
            rect = clamp_rect(window, width, height)
            inside = (
                centre is not None
                and rect is not None
                and rect[0] <= centre[0] < rect[0] + rect[2]
                and rect[1] <= centre[1] < rect[1] + rect[3]
            )
            was_inside = window["id"] in self.inside
            if inside and not was_inside:
                self.inside.add(window["id"])
                events.append({"name": "WindowIn", "windowId": window["id"]})
            elif was_inside and not inside:
                self.inside.discard(window["id"])
                events.append({"name": "WindowOut", "windowId": window["id"]})
            if rect is not None:
                self.draw_image(frame, window, rect, inside)
                colour = ACTIVE_WINDOW_BGR if inside else WINDOW_BGR
                x, y, w, h = rect
                cv2.rectangle(frame, (x, y), (x + w - 1, y + h - 1), colour, 2)
        if region is not None:
            x, y, w, h = region
            cv2.rectangle(frame, (x, y), (x + w - 1, y + h - 1), CALIBRATION_BGR, 1)
        if centre is not None:
            cv2.circle(frame, centre, 4, POINTER_BGR, -1)
        return events

    def draw_image(self, frame, window, rect, inside):
        """The window's image (its active image while the pointer is in, when it has one)."""
        images = self.images.get(window["id"])
        if not images:
            return
        image, active = images
        chosen = 1 if inside and active is not None else 0
        if images[chosen] is None:
            return
        x, y, w, h = rect
        key = (chosen, w, h)
        scaled = self.scaled.setdefault(window["id"], {})
        if key not in scaled:
            scaled[key] = cv2.resize(images[chosen], (w, h), interpolation=cv2.INTER_AREA)
        transparency = float(window.get("imageTransparency", 0))
        region = frame[y : y + h, x : x + w]
        region[:] = cv2.addWeighted(scaled[key], 1 - transparency, region, transparency, 0)

    def find_pointer(self, hsv, width, height):
        hue, saturation, value = self.colour
        low_hue, high_hue = hue - HUE_MARGIN, hue + HUE_MARGIN
        low = (max(0, low_hue), max(0, saturation - SATURATION_MARGIN), max(0, value - VALUE_MARGIN))
        high = (min(180, high_hue), min(255, saturation + SATURATION_MARGIN), min(255, value + VALUE_MARGIN))
        mask = cv2.inRange(hsv, low, high)
        # Hue is circular (red is at both ends of OpenCV's 0-180).
        if low_hue < 0:
            mask |= cv2.inRange(hsv, (180 + low_hue, low[1], low[2]), (180, high[1], high[2]))
        if high_hue > 180:
            mask |= cv2.inRange(hsv, (0, low[1], low[2]), (high_hue - 180, high[1], high[2]))
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), dtype=np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            return None
        largest = max(contours, key=cv2.contourArea)
        if cv2.contourArea(largest) < MIN_POINTER_SHARE * width * height:
            return None
        moments = cv2.moments(largest)
        if moments["m00"] == 0:
            return None
        return (int(moments["m10"] / moments["m00"]), int(moments["m01"] / moments["m00"]))


# --- crowd detector -------------------------------------------------------------------------

# A pixel moves when the optical flow there is at least this many pixels a frame (at the
# processing width).
MOVING_FLOW = 1.0
ROI_BGR = (0, 255, 255)


def level_of(percentage, config, prefix):
    """Kurento's levels: 0 below Min, 1 below Med, 2 below Max, 3 from Max up."""
    if percentage < config[prefix + "LevelMin"]:
        return 0
    if percentage < config[prefix + "LevelMed"]:
        return 1
    if percentage < config[prefix + "LevelMax"]:
        return 2
    return 3


class LevelWatch:
    """Raises a level once it has held for `frames` frames and differs from the last raised."""

    def __init__(self, frames):
        self.frames = max(1, int(frames))
        self.reported = 0
        self.candidate = 0
        self.count = 0

    def update(self, level):
        if level == self.reported:
            self.count = 0
            return False
        if level != self.candidate:
            self.candidate, self.count = level, 0
        self.count += 1
        if self.count >= self.frames:
            self.reported, self.count = level, 0
            return True
        return False


class RegionWatch:
    def __init__(self, roi):
        self.roi = roi
        config = roi["config"]
        self.occupancy = LevelWatch(config["occupancyNumFramesToEvent"])
        self.fluidity = LevelWatch(config["fluidityNumFramesToEvent"])
        self.moving_frames = 0
        self.still_frames = 0
        self.mask = None


class CrowdWatcher:
    """Kurento's CrowdDetectorFilter, per region of interest: occupancy (the share of the region
    that differs from the learnt background), fluidity (the share of the occupied part that
    moves) and direction (the mean angle of the optical flow)."""

    def __init__(self):
        self.regions = []
        self.processing_width = 320
        self.subtractor = None
        self.previous = None

    def configure(self, settings):
        if "rois" in settings:
            self.regions = [RegionWatch(roi) for roi in settings["rois"]]
        if "processingWidth" in settings:
            self.processing_width = int(settings["processingWidth"])
            self.subtractor = None
            self.previous = None

    def process(self, frame):
        height, width = frame.shape[:2]
        scale = min(1.0, self.processing_width / width)
        small_size = (max(8, int(width * scale)), max(8, int(height * scale)))
        grey = cv2.cvtColor(cv2.resize(frame, small_size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
        if self.subtractor is None:
            self.subtractor = cv2.createBackgroundSubtractorMOG2(history=300, detectShadows=False)
        foreground = self.subtractor.apply(grey) > 0
        previous, self.previous = self.previous, grey
        events = []
        if previous is not None and previous.shape == grey.shape:
            flow = cv2.calcOpticalFlowFarneback(previous, grey, None, 0.5, 2, 9, 2, 5, 1.1, 0)
            moving = np.hypot(flow[..., 0], flow[..., 1]) >= MOVING_FLOW
            for region in self.regions:
                events += self.measure(region, foreground, moving, flow, grey.shape)
        for region in self.regions:
            points = np.array([[p["x"] * width, p["y"] * height] for p in region.roi["points"]], dtype=np.int32)
            cv2.polylines(frame, [points], True, ROI_BGR, 1)
        return events

    def measure(self, region, foreground, moving, flow, shape):
        roi, config = region.roi, region.roi["config"]
        if region.mask is None or region.mask.shape != shape:
            mask = np.zeros(shape, dtype=np.uint8)
            points = np.array([[p["x"] * shape[1], p["y"] * shape[0]] for p in roi["points"]], dtype=np.int32)
            cv2.fillPoly(mask, [points], 255)
            region.mask = mask > 0
        inside = region.mask
        area = int(inside.sum())
        if area == 0:
            return []
        occupied = foreground & inside
        occupancy = 100.0 * occupied.sum() / area
        occupied_count = int(occupied.sum())
        moving_inside = moving & inside
        fluidity = 100.0 * (moving_inside & occupied).sum() / occupied_count if occupied_count else 0.0
        events = []
        ids = {"roiID": roi["id"], "roiId": roi["id"]}
        if region.occupancy.update(level_of(occupancy, config, "occupancy")):
            events.append({"name": "CrowdDetectorOccupancy", "occupancyPercentage": float(occupancy),
                           "occupancyLevel": region.occupancy.reported, **ids})
        if region.fluidity.update(level_of(fluidity, config, "fluidity")):
            events.append({"name": "CrowdDetectorFluidity", "fluidityPercentage": float(fluidity),
                           "fluidityLevel": region.fluidity.reported, **ids})
        if config["sendOpticalFlowEvent"]:
            if moving_inside.sum() > 0.01 * area:
                region.still_frames = 0
                region.moving_frames += 1
                if region.moving_frames >= max(1, config["opticalFlowNumFramesToEvent"]):
                    region.moving_frames = 0
                    # Medians over the occupied part: compression noise in the background
                    # moves a little in every direction.
                    counted = moving_inside & occupied if (moving_inside & occupied).any() else moving_inside
                    dx = float(np.median(flow[..., 0][counted]))
                    dy = float(-np.median(flow[..., 1][counted]))
                    angle = (np.degrees(np.arctan2(dy, dx)) + config["opticalFlowAngleOffset"]) % 360
                    events.append({"name": "CrowdDetectorDirection", "directionAngle": float(angle), **ids})
            else:
                region.still_frames += 1
                if region.still_frames >= max(1, config["opticalFlowNumFramesToReset"]):
                    region.moving_frames = 0
        return events


# --- plate detector -------------------------------------------------------------------------

PLATE_ASPECT = (2.0, 6.5)
# The share of its bounding box a plate's outline fills: a plate is a rectangle.
PLATE_FILL = 0.8
PLATE_TEXT_HEIGHT = 80
PLATE_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -"
MIN_PLATE_CHARACTERS = 4
OCR_TIMEOUT_S = 10
PLATE_BGR = (0, 255, 0)


def plate_candidates(grey, expected_width):
    """Bright rectangles of a plate's shape and about the expected width, largest first."""
    _, bright = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(bright, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours:
        x, y, width, height = cv2.boundingRect(contour)
        if height < 8 or not (expected_width / 2 <= width <= expected_width * 2):
            continue
        if not PLATE_ASPECT[0] <= width / height <= PLATE_ASPECT[1]:
            continue
        if cv2.contourArea(contour) < PLATE_FILL * width * height:
            continue
        found.append((x, y, width, height))
    return sorted(found, key=lambda rect: rect[2] * rect[3], reverse=True)


def read_plate(grey, rect):
    """The text of a plate by Tesseract (Debian's tesseract-ocr), one line, or None."""
    x, y, width, height = rect
    inset = max(2, height // 12)
    crop = grey[y + inset : y + height - inset, x + inset : x + width - inset]
    if crop.size == 0:
        return None
    scale = PLATE_TEXT_HEIGHT / crop.shape[0]
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    _, crop = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    crop = cv2.copyMakeBorder(crop, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    ok, png = cv2.imencode(".png", crop)
    if not ok:
        return None
    try:
        result = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", "7", "-c",
             f"tessedit_char_whitelist={PLATE_CHARACTERS}"],
            input=png.tobytes(), capture_output=True, timeout=OCR_TIMEOUT_S, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"plate reader: {error!r}", file=sys.stderr, flush=True)
        return None
    text = " ".join(result.stdout.decode("utf-8", "replace").split())
    if sum(character.isalnum() for character in text) < MIN_PLATE_CHARACTERS:
        return None
    return text


class PlateReader:
    """Kurento's PlateDetectorFilter: finds a plate-shaped bright rectangle and reads it with
    Tesseract on a thread of its own (one reading at a time, on the newest plate seen, so the
    video never waits); `PlateDetected` once the same text was read twice in a row, and again
    only when the text read changes."""

    def __init__(self):
        self.plate_width = 0.3
        self.reading = False
        self.last_read = None
        self.reported = None
        self.lock = threading.Lock()
        self.emit = None

    def bind(self, emit):
        self.emit = emit

    def configure(self, settings):
        if "plateWidthPercentage" in settings:
            self.plate_width = float(settings["plateWidthPercentage"])

    def process(self, frame):
        height, width = frame.shape[:2]
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        candidates = plate_candidates(grey, self.plate_width * width)
        if not candidates:
            return None
        rect = candidates[0]
        with self.lock:
            start = not self.reading
            self.reading = self.reading or start
        if start:
            threading.Thread(target=self.read, args=(grey.copy(), rect), daemon=True).start()
        x, y, w, h = rect
        cv2.rectangle(frame, (x, y), (x + w - 1, y + h - 1), PLATE_BGR, 2)
        return None

    def read(self, grey, rect):
        try:
            text = read_plate(grey, rect)
            with self.lock:
                confirmed = text is not None and text == self.last_read and text != self.reported
                self.last_read = text
                if confirmed:
                    self.reported = text
            if confirmed and self.emit is not None:
                self.emit({"name": "PlateDetected", "plate": text})
        finally:
            with self.lock:
                self.reading = False


ANALYSERS = {
    "chroma": ChromaKey,
    "pointer": PointerTracker,
    "crowd": CrowdWatcher,
    "plate": PlateReader,
}


def make_analyser(kind):
    factory = ANALYSERS.get(kind)
    if factory is None:
        raise VisionError("UNKNOWN_ANALYSER", str(kind))
    return factory()
