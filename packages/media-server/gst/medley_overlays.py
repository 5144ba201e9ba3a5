"""Images drawn over video in a processing stage: placed in the frame, or following faces.

An overlay slot is one gdkpixbufoverlay element of the stage's pipeline. The server sends the
image's bytes (it read them from the media root or an allowed HTTP host; the stage never opens a
path) and where to draw it, in fractions of the frame, which the slot turns into pixels once it
knows the frame's size (and again whenever the size changes).
"""

import base64
import os
import shutil
import tempfile

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, GLib, Gst  # noqa: E402

# Images larger than this (either side) are scaled down as they are decoded: a small file that
# inflates to a huge bitmap costs no more than this.
MAX_IMAGE_SIDE = 2048


class OverlayError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def decode_image(encoded):
    """A GdkPixbuf from base64 bytes of a PNG, JPEG, GIF, SVG, ... image."""
    loader = GdkPixbuf.PixbufLoader()

    def on_size_prepared(_loader, width, height):
        longest = max(width, height)
        if longest > MAX_IMAGE_SIDE:
            scale = MAX_IMAGE_SIDE / longest
            loader.set_size(max(1, int(width * scale)), max(1, int(height * scale)))

    loader.connect("size-prepared", on_size_prepared)
    try:
        loader.write(base64.b64decode(encoded, validate=True))
        loader.close()
    except (GLib.Error, ValueError) as error:
        raise OverlayError("BAD_IMAGE", getattr(error, "message", str(error)))
    pixbuf = loader.get_pixbuf()
    if pixbuf is None:
        raise OverlayError("BAD_IMAGE", "not an image")
    return pixbuf


# The stage's own private directory for the images it shows, made when the first one comes.
_image_directory = None


def image_directory():
    global _image_directory
    if _image_directory is None:
        _image_directory = tempfile.mkdtemp(prefix="medley-stage-")
    return _image_directory


def remove_images():
    """Called as the stage exits (a killed stage leaves only its few small image files)."""
    if _image_directory is not None:
        shutil.rmtree(_image_directory, ignore_errors=True)


def show_image(elements, pixbuf):
    """gdkpixbufoverlay shows some images given as a pixbuf property with red and blue swapped
    (seen with images that have transparent parts); one it loads from a file it shows right. The
    stage writes the decoded image once to its own private file and lets the elements load it."""
    handle, path = tempfile.mkstemp(suffix=".png", dir=image_directory())
    os.close(handle)
    pixbuf.savev(path, "png", [], [])
    previous = {element.get_property("location") for element in elements}
    for element in elements:
        element.set_property("location", path)
    for old in previous:
        if old and old.startswith(image_directory()):
            try:
                os.unlink(old)
            except FileNotFoundError:
                pass


def frame_size(element):
    caps = element.get_static_pad("sink").get_current_caps()
    if caps is None or caps.get_size() == 0:
        return None
    structure = caps.get_structure(0)
    ok_width, width = structure.get_int("width")
    ok_height, height = structure.get_int("height")
    return (width, height) if ok_width and ok_height else None


class OverlaySlot:
    """One gdkpixbufoverlay: an image, and where it goes (fractions of the frame or pixels)."""

    def __init__(self, element):
        self.element = element
        self.pixbuf = None
        self.placement = None
        element.set_property("alpha", 0.0)
        # Offsets from the frame's top-left corner even when negative (a hat above the frame).
        Gst.util_set_object_arg(element, "positioning-mode", "pixels-absolute")
        element.get_static_pad("sink").add_probe(
            Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_sink_event
        )

    def on_sink_event(self, _pad, info):
        if info.get_event().type == Gst.EventType.CAPS and self.placement is not None:
            GLib.idle_add(lambda: self.apply() and False)
        return Gst.PadProbeReturn.OK

    def set_image(self, encoded):
        self.pixbuf = decode_image(encoded)
        show_image([self.element], self.pixbuf)

    def show(self, encoded, placement):
        """`placement`: x, y, width, height in fractions of the frame, keepAspectRatio, center."""
        if encoded is not None:
            self.set_image(encoded)
        self.placement = placement
        self.apply()

    def apply(self):
        size = frame_size(self.element)
        if self.pixbuf is None or self.placement is None or size is None:
            self.hide()
            return
        width, height = size
        p = self.placement
        region = (p["x"] * width, p["y"] * height, p["width"] * width, p["height"] * height)
        self.place(*fit(region, self.pixbuf, p.get("keepAspectRatio", False), p.get("center", False)))

    def place(self, x, y, width, height):
        if self.pixbuf is None or width < 1 or height < 1:
            self.hide()
            return
        self.element.set_property("offset-x", int(round(x)))
        self.element.set_property("offset-y", int(round(y)))
        self.element.set_property("overlay-width", int(round(width)))
        self.element.set_property("overlay-height", int(round(height)))
        self.element.set_property("alpha", 1.0)

    def hide(self):
        self.element.set_property("alpha", 0.0)


def fit(region, pixbuf, keep_aspect_ratio, center):
    """The rectangle an image takes in a region, as Kurento's ImageOverlayFilter places it."""
    x, y, width, height = region
    if not keep_aspect_ratio:
        return x, y, width, height
    scale = min(width / pixbuf.get_width(), height / pixbuf.get_height())
    fitted_width, fitted_height = pixbuf.get_width() * scale, pixbuf.get_height() * scale
    if center:
        x += (width - fitted_width) / 2
        y += (height - fitted_height) / 2
    return x, y, fitted_width, fitted_height


class FaceFollower:
    """Draws one image over each face a facedetect element reports, in as many slots as faces.

    The detector may look at a smaller copy of the frame (detection is the costly part); its
    face rectangles are scaled to the slots' frame size. `placement` is Kurento's
    FaceOverlayFilter geometry: offsets and size as ratios of the face's width and height.
    """

    def __init__(self, detector, slots, encoded, placement):
        self.detector = detector
        self.slots = slots
        self.placement = placement
        pixbuf = decode_image(encoded) if encoded is not None else None
        if pixbuf is not None:
            show_image([slot.element for slot in slots], pixbuf)
        for slot in slots:
            slot.pixbuf = pixbuf
            slot.placement = None
            slot.hide()

    def on_detection(self, structure):
        if structure.get_name() != "facedetect" or not self.slots:
            return
        if self.placement is None or self.slots[0].pixbuf is None:
            return
        detected = frame_size(self.detector)
        shown = frame_size(self.slots[0].element)
        if detected is None or shown is None:
            return
        scale_x, scale_y = shown[0] / detected[0], shown[1] / detected[1]
        faces = structure.get_value("faces") or []
        p = self.placement
        for index, slot in enumerate(self.slots):
            if index >= len(faces):
                slot.hide()
                continue
            face = faces[index]
            fx, fy = face.get_uint("x")[1] * scale_x, face.get_uint("y")[1] * scale_y
            fw, fh = face.get_uint("width")[1] * scale_x, face.get_uint("height")[1] * scale_y
            slot.place(fx + p["offsetX"] * fw, fy + p["offsetY"] * fh, p["width"] * fw, p["height"] * fh)
