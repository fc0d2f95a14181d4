"""The teacher's pause picture: what the pupil sees instead of the class.

A calm dark blue frame with a light "pause" sign (two bars) in the middle. It is
made from constants, so a receiver can tell it apart from a class frame after
VP8 (:func:`is_pause_picture`), and it carries no synthetic marker.
"""

from __future__ import annotations

import functools

import av

_BG_Y, _BG_U, _BG_V = 50, 170, 118  # dark blue
_BAR_Y = 200
_TOLERANCE = 24
# Bars as fractions of the frame: (x0, x1) each, over the same rows.
_BARS = ((0.40, 0.46), (0.54, 0.60))
_BAR_ROWS = (0.35, 0.65)


@functools.lru_cache(maxsize=4)
def _planes(width: int, height: int) -> tuple[bytes, bytes, bytes]:
    probe = av.VideoFrame(width, height, "yuv420p")
    ystride, cstride = probe.planes[0].line_size, probe.planes[1].line_size
    plain = bytes([_BG_Y]) * width
    line = bytearray(plain)
    for x0, x1 in _BARS:
        line[round(x0 * width) : round(x1 * width)] = bytes([_BAR_Y]) * (
            round(x1 * width) - round(x0 * width)
        )
    top, bottom = round(_BAR_ROWS[0] * height), round(_BAR_ROWS[1] * height)
    pad = b"\x00" * (ystride - width)
    luma = b"".join((bytes(line) if top <= y < bottom else plain) + pad for y in range(height))
    cpad = b"\x00" * (cstride - width // 2)
    u = (bytes([_BG_U]) * (width // 2) + cpad) * (height // 2)
    v = (bytes([_BG_V]) * (width // 2) + cpad) * (height // 2)
    return luma, u, v


def pause_picture(width: int, height: int) -> av.VideoFrame:
    """A fresh pause frame (the caller sets pts and time base)."""
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane, data in zip(frame.planes, _planes(width, height), strict=True):
        plane.update(data)
    return frame


def pause_like(frame: av.VideoFrame) -> av.VideoFrame:
    """The pause picture with the size and timing of ``frame`` (which is dropped)."""
    out = pause_picture(frame.width - frame.width % 2, frame.height - frame.height % 2)
    out.pts, out.time_base = frame.pts, frame.time_base
    return out


def is_pause_picture(frame: av.VideoFrame) -> bool:
    """Does a (received, decoded) frame show the pause picture?"""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    w, h = frame.width, frame.height
    luma, stride = memoryview(frame.planes[0]), frame.planes[0].line_size
    u, ustride = memoryview(frame.planes[1]), frame.planes[1].line_size

    def y_at(fx: float, fy: float) -> int:
        return int(luma[int(fy * h) * stride + int(fx * w)])

    background = [(0.1, 0.1), (0.9, 0.1), (0.5, 0.1), (0.1, 0.9), (0.9, 0.9), (0.5, 0.5)]
    bars = [((x0 + x1) / 2, fy) for x0, x1 in _BARS for fy in (0.4, 0.5, 0.6)]
    chroma = int(u[int(0.1 * h / 2) * ustride + int(0.1 * w / 2)])
    return (
        all(abs(y_at(x, y) - _BG_Y) <= _TOLERANCE for x, y in background)
        and all(abs(y_at(x, y) - _BAR_Y) <= _TOLERANCE for x, y in bars)
        and abs(chroma - _BG_U) <= _TOLERANCE
    )
