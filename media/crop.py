"""Looking around at the source: crop the camera's full-resolution frame, then scale.

The pupil pans and zooms the class view (control ``view``). Zooming the *received*
720p picture would only enlarge pixels; cropping the camera's full frame (e.g.
3840×2160) before it is scaled to the sent size makes the zoomed detail real. The
crop copies plane rows of the YUV frame (no RGB round trip, no numpy) and PyAV's
swscale does the scaling. Where the camera has optical zoom (media.optical), the
lens does the part of the zoom it can and the crop the rest.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import av
from aiortc import MediaStreamTrack

from media.optical import Optics, in_zoomed, optical_factor, zoom_of

MIN_ZOOM, MAX_ZOOM = 1.0, 4.0
SEND_SIZE = (1280, 720)
# Scaling a 4K frame takes several ms: off the loop, so media and control keep moving.
_THREAD_PIXELS = 1920 * 1080


@dataclass(frozen=True, slots=True)
class View:
    """Centre (x, y as fractions of the frame) and zoom (1 = the whole frame)."""

    x: float = 0.5
    y: float = 0.5
    zoom: float = 1.0

    def clamped(self) -> View:
        """Zoom within bounds, centre moved so the crop stays inside the frame."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom))
        half = 0.5 / zoom
        return View(min(1 - half, max(half, self.x)), min(1 - half, max(half, self.y)), zoom)

    def zoomed(self, factor: float) -> View:
        return View(self.x, self.y, self.zoom * factor).clamped()

    def panned(self, dx: float, dy: float) -> View:
        """Moved by a fraction of what is seen now (so a drag follows the finger)."""
        return View(self.x + dx / self.zoom, self.y + dy / self.zoom, self.zoom).clamped()

    @property
    def is_whole(self) -> bool:
        return self.zoom <= MIN_ZOOM


def crop_box(view: View, width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, w, h) in source pixels, even-aligned for 4:2:0 chroma."""
    v = view.clamped()
    w = max(2, round(width / v.zoom) & ~1)
    h = max(2, round(height / v.zoom) & ~1)
    x0 = min(width - w, max(0, round(v.x * width - w / 2) & ~1))
    y0 = min(height - h, max(0, round(v.y * height - h / 2) & ~1))
    return x0, y0, w, h


def crop(frame: av.VideoFrame, box: tuple[int, int, int, int]) -> av.VideoFrame:
    """A new yuv420p frame holding ``box`` of ``frame`` (rows copied plane by plane)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    x0, y0, w, h = box
    out = av.VideoFrame(w, h, "yuv420p")
    for index, (src, dst) in enumerate(zip(frame.planes, out.planes, strict=True)):
        shift = 0 if index == 0 else 1  # chroma planes are half size both ways
        px, py, pw, ph = x0 >> shift, y0 >> shift, w >> shift, h >> shift
        data, stride = memoryview(src), src.line_size
        pad = b"\x00" * (dst.line_size - pw)
        dst.update(
            b"".join(
                bytes(data[y * stride + px : y * stride + px + pw]) + pad
                for y in range(py, py + ph)
            )
        )
    out.pts, out.time_base = frame.pts, frame.time_base
    return out


def apply_view(frame: av.VideoFrame, view: View, size: tuple[int, int]) -> av.VideoFrame:
    """Crop ``view`` out of ``frame`` and scale it to ``size``.

    A whole-frame view of a frame no larger than ``size`` passes untouched: a
    camera that already delivers the sent size costs nothing here.
    """
    width, height = size
    if view.is_whole and frame.width <= width and frame.height <= height:
        return frame
    region = frame if view.is_whole else crop(frame, crop_box(view, frame.width, frame.height))
    scaled = region.reformat(width=width, height=height, format="yuv420p", interpolation="BICUBIC")
    scaled.pts, scaled.time_base = frame.pts, frame.time_base
    return scaled


class ViewTrack(MediaStreamTrack):
    """The class camera as the pupil chose to look at it (classroom side)."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack, size: tuple[int, int] = SEND_SIZE) -> None:
        super().__init__()
        self._source = source
        self.size = size
        self.view = View()  # as the pupil asked, in the camera's full field
        self.optics: Optics | None = None
        self._asked = 1.0  # the optical factor last requested (a camera starts unzoomed)

    def set_view(self, view: View) -> None:
        self.view = view.clamped()  # one swap: the next frame uses it whole

    def set_optics(self, optics: Optics | None) -> None:
        """The camera's optical zoom (the app sets it; call on the engine loop)."""
        if optics is not self.optics:
            # The camera side keeps the last request for a camera that comes later.
            self.optics, self._asked = optics, 1.0

    def crop_view(self, frame: Any) -> View:
        """The view to crop from ``frame``: what the lens did not already zoom.

        Each frame is cropped for the optical factor it was captured at, so the
        region stays the same while the lens catches up with a request.
        """
        view, optics = self.view, self.optics
        if optics is not None:
            wanted = optical_factor(view, optics.maximum)
            if wanted != self._asked:  # checked per frame: a new camera may zoom differently
                self._asked = wanted
                optics.request(wanted)
        return in_zoomed(view, zoom_of(frame))

    async def recv(self) -> Any:
        frame = await self._source.recv()
        if not isinstance(frame, av.VideoFrame):
            return frame
        view = self.crop_view(frame)
        if frame.width * frame.height > _THREAD_PIXELS:
            return await asyncio.to_thread(apply_view, frame, view, self.size)
        return apply_view(frame, view, self.size)
