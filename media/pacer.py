"""Spreads a video frame's packets over time instead of sending them in one burst.

aiortc's sender puts all of a frame's packets on the wire at once. A 720p VP8
keyframe is ~22 kB whatever the target bitrate (the quantiser is at its limit),
and a rate-limited link holds only so much: a router's queue at 1 Mbit/s with
100 ms of buffer takes ~15 kB, at 500 kbit/s ~9 kB. The rest of the keyframe was
dropped every time; the receiver gave the frame up, asked for another keyframe,
and lost that one too: video froze for seconds behind a 1 Mbit/s cap
(docs/performance.md). WebRTC's answer is a pacer; this is a small one: each
video stream may be at most BURST_S ahead of PACE_FACTOR times its encoder's
target rate, so a keyframe leaves in ~70-140 ms and a delta frame (3-4 kB) at
once.

Only the primary video stream is paced, in its own sender's loop: audio and
retransmissions (RTX, another SSRC) go out at once, and the receive loop (which
sends retransmissions) never waits. aiortc has no hook for it, so
``RTCDtlsTransport._send_rtp`` and ``RTCRtpSender._next_encoded_frame`` are wrapped
(the aiortc version is pinned).
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

import aiortc.rtcdtlstransport
import aiortc.rtcrtpsender
from aiortc.rtp import is_rtcp

PACE_FACTOR = 2.0  # times the encoder's target: room for its overshoot, yet below a cap
BURST_S = 0.02  # what may leave at once, in seconds at the pace rate
_RTP_HEADER = 12


class Paced(Protocol):
    """An encoder whose stream is paced at a multiple of its target."""

    target_bitrate: int
    pacer: Pacer


class Pacer:
    """When each packet of one stream may leave (a leaky bucket with a small burst)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._drained_at = -math.inf  # when what was sent so far has left at the rate

    def wait(self, size: int, rate_bps: float) -> float:
        """Seconds to wait before sending ``size`` bytes at ``rate_bps`` (0: now)."""
        now = self._clock()
        start = max(now, self._drained_at)
        self._drained_at = start + size * 8 / max(rate_bps, 1.0)
        return max(0.0, self._drained_at - now - BURST_S)


# SSRC -> the encoder of the sender that owns it (weak: a closed call leaves nothing).
_PACED: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()

_TRANSPORT = aiortc.rtcdtlstransport.RTCDtlsTransport
_SENDER = aiortc.rtcrtpsender.RTCRtpSender
_AIORTC_SEND_RTP = _TRANSPORT._send_rtp
_AIORTC_NEXT_FRAME = _SENDER._next_encoded_frame


async def _send_rtp(transport: Any, data: bytes) -> None:
    if len(data) >= _RTP_HEADER and not is_rtcp(data):
        encoder = _PACED.get(int.from_bytes(data[8:12], "big"))
        if encoder is not None:
            delay = encoder.pacer.wait(len(data), encoder.target_bitrate * PACE_FACTOR)
            counter = getattr(encoder, "nacks", None)  # media.codecs: NACKs against packets sent
            if counter is not None:
                counter.sent()
            if delay > 0:
                await asyncio.sleep(delay)
            resends = getattr(encoder, "resends", None)  # media.resend: when each first left
            if resends is not None:
                resends.sent(int.from_bytes(data[2:4], "big"))
    await _AIORTC_SEND_RTP(transport, data)


async def _next_encoded_frame(sender: Any, codec: Any) -> Any:
    frame = await _AIORTC_NEXT_FRAME(sender, codec)
    encoder = getattr(sender, "_RTCRtpSender__encoder", None)  # made on the first frame
    if isinstance(getattr(encoder, "pacer", None), Pacer) and sender._ssrc not in _PACED:
        _PACED[sender._ssrc] = encoder
    return frame


def install() -> None:
    """Pace every sender whose encoder has a ``pacer`` (idempotent)."""
    _TRANSPORT._send_rtp = _send_rtp  # type: ignore[method-assign,assignment]
    _SENDER._next_encoded_frame = _next_encoded_frame  # type: ignore[method-assign,assignment]
