"""A VP8 encoder whose bitrate moves in steps, not on every estimate.

aiortc rebuilds its VP8 encoder - and so sends a keyframe, 15-90 kB instead of
2-4 kB - whenever the bitrate target changes by more than 10 %. Its receiver's
estimate ramps in ~12 % steps and wobbles under load, so a call sent 20-38
keyframes in 20 s, each a latency spike that lowered the estimate again
(docs/performance.md). Here a rise takes effect only when it is >= 25 % (or, once
the loss cap leads, reaches full rate) and 2 s after the previous change; a drop
below 70 % applies at once (congestion must be obeyed). The target is the
receiver's estimate (REMB) until its reports show the link's limit, then a cap
from what they report (media.losscap: loss, round trip, a falling REMB, NACKs); a
cut applies at once, since it means the link is over its limit. Each new encoder
is built here, not by aiortc, at the picture size the target carries and with its
keyframes capped (media.ladder): a new encoder starts with a keyframe, and at 720p
that was 20-27 kB at any target. Each encoder lives in its own memory mappings
(common.process.large_blocks_mapped), so a rebuild gives the old one's ~50 MB back
to the OS instead of leaving it in a malloc heap.
Its stream is paced (media.pacer).
media.peer installs it before every peer connection.
"""

from __future__ import annotations

import fractions
import math
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
import av
from aiortc.codecs import get_encoder as _aiortc_get_encoder
from aiortc.codecs.vpx import MAX_BITRATE, MIN_BITRATE, Vp8Encoder, number_of_threads
from aiortc.rtp import (
    RTCP_RTPFB_NACK,
    AnyRtcpPacket,
    RtcpReceiverInfo,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSrPacket,
)
from av import VideoFrame
from av.frame import Frame

from common.process import large_blocks_mapped
from media import ladder, pacer
from media.audio import fec
from media.losscap import LossCap, NackCount
from media.resend import Resends

STEP = 0.25  # smallest relative change worth a keyframe
HOLD_S = 2.0  # at most one rise per this many seconds (3 s held a lifted cap back)
DROP_NOW = 0.7  # a target below this fraction of the current one applies at once
START_BITRATE = 1_000_000  # near the steady state at 720p/480p, within aiortc's clamp
KEYFRAME_GAP_S = 0.3  # at most one requested keyframe per this long, or per ...
KEYFRAME_ROUND_TRIPS = 1.5  # ... this many round trips, when longer
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
        self._keyframe_at = -math.inf
        self._estimate = START_BITRATE  # the receiver's last REMB
        self.pacer = pacer.Pacer()  # media.pacer spreads its keyframes (aiortc bursts them)
        self.loss_cap = LossCap(MAX_BITRATE, floor=MIN_BITRATE, ceiling=MAX_BITRATE, clock=clock)
        self.nacks = NackCount(clock)  # media.pacer counts each packet sent
        self.resends = Resends(clock)
        _set_base(self, START_BITRATE)

    @property
    def target_bitrate(self) -> int:
        assert _BASE.fget is not None
        return int(_BASE.fget(self))

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        """aiortc's sender sets this from each REMB."""
        self._estimate = bitrate
        self._retarget(congested=self.loss_cap.remb(bitrate))

    def on_loss_report(self, fraction_lost: float, rtt: float | None = None) -> None:
        """One RTCP receiver report for our stream: loss (0..1), round trip (s)."""
        congested = self.loss_cap.report(fraction_lost, self.target_bitrate, rtt)
        self._retarget(congested=congested)

    def on_nack(self, sequence_numbers: list[int]) -> None:
        """One RTCP NACK for our stream: the packets the receiver misses."""
        loss = self.nacks.nacked(sequence_numbers)
        if loss is not None:
            self._retarget(congested=self.loss_cap.nacked(loss, self.target_bitrate))

    def _retarget(self, *, congested: bool) -> None:
        cap = self.loss_cap
        bitrate = cap.value if cap.engaged else self._estimate
        current = self.target_bitrate
        now = self._clock()
        drop = bitrate < current * DROP_NOW or (congested and bitrate < current)
        # The last step of a lifted cap up to full rate may be smaller than STEP: else
        # the target stays wherever its last STEP rise left it, 1.2-1.5 Mbit/s.
        full = cap.engaged and bitrate >= MAX_BITRATE > current
        big = abs(bitrate - current) >= STEP * current
        rise = (big or full) and now - self._changed_at >= HOLD_S
        if drop or rise:
            _set_base(self, bitrate)
            self._changed_at = now

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        now = self._clock()
        frame = self._sized(frame)
        rebuild = self._due((getattr(frame, "width", None), getattr(frame, "height", None)))
        if force_keyframe or rebuild:
            # A keyframe request within a round trip of the last keyframe was sent
            # before that one could arrive: after a drop onto 1 Mbit/s the receiver
            # asked 5 times in 150 ms, ~100 kB into a link that carries 12 kB per 100 ms.
            wait = max(KEYFRAME_GAP_S, KEYFRAME_ROUND_TRIPS * (self.loss_cap.rtt or 0.0))
            if not rebuild and now - self._keyframe_at < wait:
                force_keyframe = False
            else:
                self._keyframe_at = now
        if not rebuild:
            return super().encode(frame, force_keyframe)
        with large_blocks_mapped():
            self.codec = None  # the old encoder's mappings go back now
            if isinstance(frame, VideoFrame):  # aiortc's encode keeps it: size and rate match
                self.codec = self._new_codec(frame)
            return super().encode(frame, force_keyframe)

    def _size(self, width: int, height: int) -> tuple[int, int]:
        """The picture size the target carries (media.ladder), once the link has shown
        a limit (the cap leads): before that the target is REMB, which wobbles with the
        machine's load, not with the link."""
        if not self.loss_cap.engaged:
            return width, height
        return ladder.picture_size(width, height, self.target_bitrate)

    def _sized(self, frame: Frame) -> Frame:
        if not isinstance(frame, VideoFrame):
            return frame
        size = self._size(frame.width, frame.height)
        if size == (frame.width, frame.height):
            return frame
        return frame.reformat(width=size[0], height=size[1], format="yuv420p")

    def _new_codec(self, frame: VideoFrame) -> Any:
        """A realtime CBR libvpx encoder at the target, as aiortc builds it, but with each
        keyframe capped (media.ladder: MAX_INTRA_PCT, QMAX)."""
        rate = self.target_bitrate
        codec = av.CodecContext.create("libvpx", "w")
        codec.width, codec.height = frame.width, frame.height
        codec.bit_rate, codec.pix_fmt = rate, "yuv420p"
        codec.time_base = fractions.Fraction(1, 90000)  # aiortc's video clock
        codec.gop_size = 3000  # keyframes only when asked for
        codec.qmin, codec.qmax = 2, ladder.QMAX
        codec.options = {
            "bufsize": str(rate),  # libvpx's buffer: 1 s at the target
            "minrate": str(rate),  # minrate = maxrate = bit_rate: CBR
            "maxrate": str(rate),
            "max-intra-rate": str(ladder.MAX_INTRA_PCT),
            "deadline": "realtime",
            "cpu-used": "-6",
            "lag-in-frames": "0",
            "noise-sensitivity": "4",
            "overshoot-pct": "15",
            "undershoot-pct": "100",
            "partitions": "0",
            "static-thresh": "1",
        }
        pixels = frame.width * frame.height
        codec.thread_count = number_of_threads(pixels, multiprocessing.cpu_count())
        return codec

    def rebuild_due(self, frame: Frame) -> bool:
        """Whether ``encode`` will build a new encoder for this frame (of the camera's
        size): none yet, the target moved by more than aiortc allows, or the size the
        target carries changed."""
        size = getattr(frame, "width", None), getattr(frame, "height", None)
        if isinstance(frame, VideoFrame):
            size = self._size(frame.width, frame.height)
        return self._due(size)

    def _due(self, size: tuple[Any, Any]) -> bool:
        codec = self.codec
        if codec is None:
            return True
        rate = codec.bit_rate or 0
        moved = abs(self.target_bitrate - rate) > REBUILD_CHANGE * rate
        return size != (codec.width, codec.height) or moved


def get_encoder(codec: Any) -> Any:
    if codec.mimeType.lower() == "video/vp8":
        return SteadyVp8Encoder()
    if codec.mimeType.lower() == "audio/opus":
        return fec.FecOpusEncoder()  # in-band FEC: a lost packet can be rebuilt
    return _aiortc_get_encoder(codec)


_SENDER = aiortc.rtcrtpsender.RTCRtpSender
_AIORTC_HANDLE_RTCP = _SENDER._handle_rtcp_packet


async def _handle_rtcp_packet(sender: aiortc.RTCRtpSender, packet: AnyRtcpPacket) -> None:
    """aiortc's handling, with each NACK's packets resent at most once per round trip
    (media.resend); then each receiver report's loss and round trip and each NACK to
    our VP8 encoder (aiortc files the first in stats only)."""
    encoder = getattr(sender, "_RTCRtpSender__encoder", None)  # aiortc's own, pinned
    if not isinstance(encoder, SteadyVp8Encoder):
        await _AIORTC_HANDLE_RTCP(sender, packet)
        return
    if isinstance(packet, RtcpRtpfbPacket) and packet.fmt == RTCP_RTPFB_NACK:
        encoder.on_nack(packet.lost)
        due = encoder.resends.due(packet.lost, encoder.loss_cap.rtt, encoder.target_bitrate)
        if due:
            await _AIORTC_HANDLE_RTCP(sender, replace(packet, lost=due))
        return
    await _AIORTC_HANDLE_RTCP(sender, packet)
    if not isinstance(packet, RtcpRrPacket | RtcpSrPacket):
        return
    for report in packet.reports:
        if report.ssrc == sender._ssrc:
            encoder.on_loss_report(report.fraction_lost / 256, _round_trip(sender, report))


def _round_trip(sender: aiortc.RTCRtpSender, report: RtcpReceiverInfo) -> float | None:
    """This report's own round trip in seconds, as aiortc computes it (it keeps only a
    smoothed one, too slow to see a queue build)."""
    lsr = getattr(sender, "_RTCRtpSender__lsr", None)
    lsr_time = getattr(sender, "_RTCRtpSender__lsr_time", None)
    if lsr is None or lsr_time is None or lsr != report.lsr or not report.dlsr:
        return None
    return max(0.0, time.time() - lsr_time - report.dlsr / 65536)


def install() -> None:
    """Make aiortc's senders use it (idempotent; the sender looks the function up in
    its own module for each new track) and hear the receiver reports' loss, and its
    receivers our Opus decoder (FEC and concealment, media.audio.fec)."""
    aiortc.rtcrtpsender.get_encoder = get_encoder
    _SENDER._handle_rtcp_packet = _handle_rtcp_packet  # type: ignore[method-assign,assignment]
    pacer.install()
    aiortc.rtcrtpreceiver.get_decoder = fec.get_decoder
