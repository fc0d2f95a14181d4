"""A fine test grating in a synthetic class picture, and how well a frame resolves it.

Proves that zooming is real (DESIGN "Looking around"): vertical black/white lines
``line`` px wide are painted into a region of a full-resolution synthetic frame;
the sent 1280×720 picture resolves them only when the region is cropped before
scaling. :func:`column_contrast` is the measure: the mean luma step between
adjacent columns (column means over the box's rows), ~0 for a grey blur and tens
of levels for resolved lines.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import av

from media.synthetic_video import (
    VIDEO_TIME_BASE,
    Marker,
    SyntheticVideoTrack,
    marker_rows,
)

_BLACK, _WHITE = 16, 235
# Where the grating sits, as fractions of the frame (centre and size): right of
# centre and below the marker band, so markers stay readable.
GRATING_CENTRE = (0.70, 0.55)
GRATING_SIZE = (0.10, 0.10)
RESOLVED = 40.0  # column_contrast above this: the lines are resolved
BLURRED = 12.0  # below this: they blurred to grey


@dataclass(frozen=True, slots=True)
class Box:
    x0: int
    y0: int
    w: int
    h: int


def grating_box(width: int, height: int, fraction: float = 1.0) -> Box:
    """The grating's box in a ``width``×``height`` frame of the whole view.

    ``fraction`` < 1 gives the inner part (receivers measure away from the edges).
    """
    cx, cy = GRATING_CENTRE
    w, h = GRATING_SIZE[0] * width * fraction, GRATING_SIZE[1] * height * fraction
    return Box(round(cx * width - w / 2), round(cy * height - h / 2), round(w), round(h))


def paint_grating(frame: av.VideoFrame, line: int = 2) -> None:
    """Overwrite the grating region of a yuv420p frame's luma in place."""
    box = grating_box(frame.width, frame.height)
    row = bytes(_WHITE if (x // line) % 2 else _BLACK for x in range(box.w))
    plane = frame.planes[0]
    data, stride = memoryview(plane), plane.line_size
    for y in range(box.y0, box.y0 + box.h):
        data[y * stride + box.x0 : y * stride + box.x0 + box.w] = row


def column_contrast(frame: av.VideoFrame, box: Box) -> float:
    """Mean absolute luma step between adjacent columns of ``box``."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[0]
    data, stride = memoryview(plane), plane.line_size
    sums = [0] * box.w
    for y in range(box.y0, box.y0 + box.h):
        for i, value in enumerate(data[y * stride + box.x0 : y * stride + box.x0 + box.w]):
            sums[i] += value
    means = [s / box.h for s in sums]
    return sum(abs(a - b) for a, b in itertools.pairwise(means)) / max(1, box.w - 1)


class GratingVideoTrack(SyntheticVideoTrack):
    """A still synthetic class picture with the grating; only the marker changes.

    Drawing a moving 4K pattern costs ~20 ms a frame in Python, and even copying a
    still 4K picture into a fresh frame costs ~7 ms (the page faults of 12 MB of
    new memory). So the picture is drawn once into a small ring of frames that are
    reused; each frame only gets its own marker band (~0.2 ms). Reuse is safe
    because a sender pulls one frame at a time: the classroom's crop stage
    (media.crop) copies every frame larger than the sent size into a new one, and
    a frame that passes whole is encoded before the next ``recv``. The ring keeps
    a frame unchanged for ``RING - 1`` further frames to spare.
    """

    RING = 4

    def __init__(self, width: int = 3840, height: int = 2160, fps: float = 30, line: int = 2):
        super().__init__(width, height, fps)
        self.line = line
        base = super().make_frame(0, 0)
        paint_grating(base, line)
        self._ring = [self._copy(base) for _ in range(self.RING)]
        self._next = 0

    def _copy(self, base: av.VideoFrame) -> av.VideoFrame:
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        for plane, source in zip(frame.planes, base.planes, strict=True):
            plane.update(bytes(source))
        return frame

    def make_frame(self, seq: int, capture_ms: int, pts: int = 0) -> av.VideoFrame:
        frame = self._ring[self._next]
        self._next = (self._next + 1) % self.RING
        plane = frame.planes[0]
        data, stride = memoryview(plane), plane.line_size
        for y, row in enumerate(marker_rows(Marker(seq, capture_ms), self.width, self.height)):
            data[y * stride : y * stride + self.width] = row
        frame.pts, frame.time_base = pts, VIDEO_TIME_BASE
        return frame
