"""A VP8 encoder whose bitrate moves in steps, not on every estimate.

aiortc rebuilds its VP8 encoder - and so sends a keyframe, 15-90 kB instead of
2-4 kB - whenever the bitrate target changes by more than 10 %. Its receiver's
estimate ramps in ~12 % steps and wobbles under load, so a call sent 20-38
keyframes in 20 s, each a latency spike that lowered the estimate again
(docs/performance.md). Here a rise takes effect only when it is >= 25 % and 3 s
after the previous change; a drop below 70 % applies at once (congestion must be
obeyed). Each encoder it builds lives in its own memory mappings
(common.process.large_blocks_mapped), so a rebuild gives the old one's ~50 MB back
to the OS instead of leaving it in a malloc heap. media.peer installs it before
every peer connection.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, cast

import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
from aiortc.codecs import get_encoder as _aiortc_get_encoder
from aiortc.codecs.vpx import Vp8Encoder
from av.frame import Frame

from common.process import large_blocks_mapped
from media.audio import fec

STEP = 0.25  # smallest relative change worth a keyframe
HOLD_S = 3.0  # at most one rise per this many seconds
DROP_NOW = 0.7  # a target below this fraction of the current one applies at once
START_BITRATE = 1_000_000  # near the steady state at 720p/480p, within aiortc's clamp
REBUILD_CHANGE = 0.1  # aiortc rebuilds when the bitrate target moved by more than this


# aiortc's own property: its setter clamps to the module's bitrate limits.
_BASE = cast(property, vars(Vp8Encoder)["target_bitrate"])


def _set_base(encoder: Vp8Encoder, bitrate: int) -> None:
    assert _BASE.fset is not None
    _BASE.fset(encoder, bitrate)


class SteadyVp8Encoder(Vp8Encoder):
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._changed_at = -math.inf
        _set_base(self, START_BITRATE)

    @property
    def target_bitrate(self) -> int:
        assert _BASE.fget is not None
        return int(_BASE.fget(self))

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        current = self.target_bitrate
        now = self._clock()
        drop = bitrate < current * DROP_NOW
        rise = abs(bitrate - current) >= STEP * current and now - self._changed_at >= HOLD_S
        if drop or rise:
            _set_base(self, bitrate)
            self._changed_at = now

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        if not self.rebuild_due(frame):
            return super().encode(frame, force_keyframe)
        with large_blocks_mapped():
            self.codec = None  # the old encoder's mappings go back now
            return super().encode(frame, force_keyframe)  # builds the new one

    def rebuild_due(self, frame: Frame) -> bool:
        """Whether aiortc's ``encode`` would build a new encoder for this frame."""
        codec = self.codec
        if codec is None:
            return True
        size = getattr(frame, "width", None), getattr(frame, "height", None)
        rate = codec.bit_rate or 0
        moved = abs(self.target_bitrate - rate) > REBUILD_CHANGE * rate
        return size != (codec.width, codec.height) or moved


def get_encoder(codec: Any) -> Any:
    if codec.mimeType.lower() == "video/vp8":
        return SteadyVp8Encoder()
    if codec.mimeType.lower() == "audio/opus":
        return fec.FecOpusEncoder()  # in-band FEC: a lost packet can be rebuilt
    return _aiortc_get_encoder(codec)


def install() -> None:
    """Make aiortc's senders use it (idempotent; the sender looks the function up in
    its own module for each new track), and its receivers our Opus decoder (FEC and
    concealment, media.audio.fec)."""
    aiortc.rtcrtpsender.get_encoder = get_encoder
    aiortc.rtcrtpreceiver.get_decoder = fec.get_decoder
