"""A synthetic camera whose every frame says which frame it is and when it was taken.

Frames are yuv420p with a moving diagonal pattern (so the VP8 encoder does real
work) and, across the top sixth, a marker: 96 black/white blocks (32 columns × 3
rows) carrying the 32-bit sequence number, the 48-bit capture time in ms
(:func:`media.synthetic.wall_clock_ms`) and a 16-bit check. Blocks are ≥ 16 px at
640×480 and use video levels 16/235, so they survive VP8 at its lowest bitrate; a
reader samples only block centres, needs a clear black or white in each, and
rejects a failed check, so a damaged marker reads as None, never as a wrong number.
Block positions are fractions of the frame size, so a scaled frame reads as well.

Frames are built from bytes (no numpy, which the product does not ship): every row
is a slice of a precomputed pattern row, so a 720p frame costs well under a
millisecond. Measure it with ``python -m timeit -s "from media.synthetic_video
import SyntheticVideoTrack as T; t = T(1280, 720)" "t.make_frame(1, 0)"``.
"""

from __future__ import annotations

import binascii
import fractions
import time
from dataclasses import dataclass

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from media.synthetic import Clock, Pacer, wall_clock_ms

VIDEO_TIME_BASE = fractions.Fraction(1, 90000)
COLUMNS = 32
ROWS = 3
_ROW_DIVISOR = 18  # a block row is height/18 high: the marker takes the top sixth
_BLACK, _WHITE = 16, 235
_LOW, _HIGH = 100, 151  # a block between these is neither: the marker is unreadable
_CHECK_SEED, _CHECK_MASK = 0xFFFF, 0x5A3C  # so an all-black band never passes the check
_PERIOD = 256  # pattern period in pixels
_SPEED = 4  # pixels per frame
_BAND = 90  # rows per diagonal band
_LUMA_FIRST = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuv444p", "nv12", "nv21", "gray"})


@dataclass(frozen=True, slots=True)
class Marker:
    seq: int  # frame number, 32 bits
    capture_ms: int  # wall-clock ms since the epoch, 48 bits


def _cells(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """(x0, x1, y0, y1) of each marker block, row by row; writer and reader agree."""
    return [
        (c * width // COLUMNS, (c + 1) * width // COLUMNS,
         r * height // _ROW_DIVISOR, (r + 1) * height // _ROW_DIVISOR)
        for r in range(ROWS)
        for c in range(COLUMNS)
    ]  # fmt: skip


def _encode_bits(marker: Marker) -> list[int]:
    payload = (marker.seq & 0xFFFFFFFF).to_bytes(4, "big") + (
        marker.capture_ms & 0xFFFFFFFFFFFF
    ).to_bytes(6, "big")
    check = binascii.crc_hqx(payload, _CHECK_SEED) ^ _CHECK_MASK
    data = int.from_bytes(payload + check.to_bytes(2, "big"), "big")
    return [(data >> (COLUMNS * ROWS - 1 - i)) & 1 for i in range(COLUMNS * ROWS)]


def _decode_bits(bits: list[int]) -> Marker | None:
    data = sum(bit << (COLUMNS * ROWS - 1 - i) for i, bit in enumerate(bits)).to_bytes(12, "big")
    payload, check = data[:10], int.from_bytes(data[10:], "big")
    if binascii.crc_hqx(payload, _CHECK_SEED) ^ _CHECK_MASK != check:
        return None
    return Marker(int.from_bytes(payload[:4], "big"), int.from_bytes(payload[4:], "big"))


def marker_rows(marker: Marker, width: int, height: int) -> list[bytes]:
    """The Y rows of the marker band (the top ``ROWS * height // 18`` rows)."""
    bits = _encode_bits(marker)
    cells = _cells(width, height)
    rows: list[bytes] = []
    for r in range(ROWS):
        row_cells = cells[r * COLUMNS : (r + 1) * COLUMNS]
        line = b"".join(
            bytes([_WHITE if bits[r * COLUMNS + i] else _BLACK]) * (x1 - x0)
            for i, (x0, x1, _, _) in enumerate(row_cells)
        )
        rows.extend([line] * (row_cells[0][3] - row_cells[0][2]))
    return rows


def read_marker(frame: av.VideoFrame) -> Marker | None:
    """The marker of a received frame, or None if it is missing or damaged."""
    if frame.format.name not in _LUMA_FIRST:
        frame = frame.reformat(format="gray")
    width, height = frame.width, frame.height
    if width < COLUMNS * 2 or height < _ROW_DIVISOR * 2:
        return None
    plane = frame.planes[0]
    luma, stride = memoryview(plane), plane.line_size
    bits = []
    for x0, x1, y0, y1 in _cells(width, height):
        # Only the centre half of a block: edges ring and bleed after compression.
        xa, xb = x0 + (x1 - x0) // 4, x1 - (x1 - x0) // 4
        ya, yb = y0 + (y1 - y0) // 4, y1 - (y1 - y0) // 4
        ys = range(ya, max(yb, ya + 1), max(1, (yb - ya) // 3))
        total = sum(sum(luma[y * stride + xa : y * stride + xb]) for y in ys)
        mean = total / (len(ys) * max(1, xb - xa))
        if _LOW < mean < _HIGH:
            return None
        bits.append(1 if mean >= _HIGH else 0)
    return _decode_bits(bits)


def _pattern_row(length: int, low: int, high: int, inverted: bool) -> bytes:
    """One period of a soft ramp with two hard bars, repeated to ``length``."""
    span = high - low
    values = []
    for x in range(_PERIOD):
        value = low + span * x // _PERIOD
        if x % 64 < 6:  # hard edges give the encoder high frequencies to code
            value = high if (x // 64) % 2 else low
        values.append(high + low - value if inverted else value)
    return bytes(values[x % _PERIOD] for x in range(length))


class _Plane:
    """A moving diagonal pattern for one plane, cut from two precomputed rows."""

    def __init__(self, width: int, height: int, stride: int, low: int, high: int) -> None:
        self.width, self.height = width, height
        self.pad = b"\x00" * (stride - width)
        self.rows = (
            _pattern_row(width + _PERIOD, low, high, inverted=False),
            _pattern_row(width + _PERIOD, low, high, inverted=True),
        )

    def lines(self, shift: int, first: int) -> list[bytes]:
        out = []
        for y in range(first, self.height):
            band = (y // _BAND) % 2
            offset = (shift + (y if band else -y)) % _PERIOD  # bands lean opposite ways
            out.append(self.rows[band][offset : offset + self.width] + self.pad)
        return out


class SyntheticVideoTrack(MediaStreamTrack):
    """A camera stand-in: paced by the monotonic clock, stamped by ``clock`` (wall time)."""

    kind = "video"

    def __init__(self, width: int = 1280, height: int = 720, fps: float = 30, *,
                 clock: Clock = time.time) -> None:  # fmt: skip
        super().__init__()
        if width < COLUMNS * 2 or height < _ROW_DIVISOR * 2 or width % 2 or height % 2:
            raise ValueError("frame size must be even and at least 64x36")
        self.width, self.height, self.fps = width, height, fps
        self.sent = 0  # frames produced so far
        self._clock = clock
        self._pacer = Pacer(fps)
        probe = av.VideoFrame(width, height, "yuv420p")
        strides = [p.line_size for p in probe.planes]
        self._band = ROWS * height // _ROW_DIVISOR
        self._y = _Plane(width, height, strides[0], 40, 200)
        self._chroma = (
            _Plane(width // 2, height // 2, strides[1], 96, 160),
            _Plane(width // 2, height // 2, strides[2], 160, 96),
        )
        self._grey = [b"\x80" * (width // 2) + c.pad for c in self._chroma]

    def make_frame(self, seq: int, capture_ms: int, pts: int = 0) -> av.VideoFrame:
        """One frame with this marker; the pattern position follows ``seq``."""
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        shift = seq * _SPEED
        y_pad = self._y.pad
        band = [
            row + y_pad for row in marker_rows(Marker(seq, capture_ms), self.width, self.height)
        ]
        frame.planes[0].update(b"".join(band + self._y.lines(shift, self._band)))
        chroma_band = (self._band + 1) // 2  # neutral colour behind the marker
        for plane, pattern, grey in zip(frame.planes[1:], self._chroma, self._grey, strict=True):
            lines = [grey] * chroma_band + pattern.lines(shift // 2, chroma_band)
            plane.update(b"".join(lines))
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        return frame

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        tick = await self._pacer.next()
        frame = self.make_frame(
            self.sent, wall_clock_ms(self._clock), round(tick * 90000 / self.fps)
        )
        self.sent += 1
        return frame
