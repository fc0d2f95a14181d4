"""Call statistics, once a second: aiortc's getStats() plus our own counters.

aiortc reports bytes per transport, packets and loss per stream and RTT from the
peer's receiver reports; it has no candidate-pair stats (media.ice reads aioice)
and no frame counts, which :class:`FrameCounter` adds on both ends of the link.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from media.audio.echo import EchoStatus
from media.measure import MeterStats

FREEZE_GAP_S = 0.5


@dataclass(frozen=True, slots=True)
class CallStats:
    """One second of the call, as the engine reports it (immutable: crosses threads)."""

    bitrate_out_kbps: float = 0.0
    bitrate_in_kbps: float = 0.0
    packet_loss_pct: float = 0.0  # of what we received, since the link started
    rtt_ms: float | None = None
    fps_out: float = 0.0  # distinct video frames handed to the encoder
    fps_in: float = 0.0  # video frames decoded from the peer
    freezes: int = 0  # gaps > 500 ms between received frames while live
    candidate_type: str | None = None
    relay_protocol: str | None = None  # udp / tcp / tls when our side relays (media.paths)
    bytes_out: int = 0
    bytes_in: int = 0
    # Only with synthetic sources (EngineConfig.measure): distinct frames by the
    # sequence number in the picture, and glass-to-glass latency from its timestamp.
    distinct_fps_in: float | None = None
    latency_ms_p50: float | None = None
    latency_ms_p95: float | None = None
    # This device's echo canceller: the teacher's screen shows it. None: no microphone.
    echo: EchoStatus | None = None


@dataclass
class FrameCounter:
    """Counts frames and freezes; `tick()` is called for every frame (cheap)."""

    total: int = 0
    freezes: int = 0
    _last: float | None = None
    _window: deque[float] = field(default_factory=lambda: deque(maxlen=240))

    def tick(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self._last is not None and now - self._last > FREEZE_GAP_S:
            self.freezes += 1
        self._last = now
        self.total += 1
        self._window.append(now)

    def reset_gap(self) -> None:
        """A new link starts: the gap before its first frame is not a freeze."""
        self._last = None

    def fps(self, now: float | None = None, span: float = 1.0) -> float:
        now = time.monotonic() if now is None else now
        return sum(1 for t in self._window if now - t <= span) / span


@dataclass
class StatsBuilder:
    """Turns successive getStats() reports into per-second CallStats."""

    _prev: tuple[float, int, int] | None = None

    def build(
        self,
        report: Any,
        *,
        sent: FrameCounter,
        received: FrameCounter,
        candidate_type: str | None,
        relay_protocol: str | None = None,
        meter: MeterStats | None = None,
        now: float | None = None,
    ) -> CallStats:
        now = time.monotonic() if now is None else now
        bytes_out = bytes_in = lost = got = 0
        rtts = []
        for item in report.values():
            if item.type == "transport":
                bytes_out += item.bytesSent
                bytes_in += item.bytesReceived
            elif item.type == "inbound-rtp":
                lost += max(0, item.packetsLost)
                got += item.packetsReceived
            elif item.type == "remote-inbound-rtp" and item.roundTripTime is not None:
                rtts.append(item.roundTripTime)
        out_kbps = in_kbps = 0.0
        if self._prev is not None:
            then, prev_out, prev_in = self._prev
            span = max(now - then, 1e-3)
            out_kbps = max(0, bytes_out - prev_out) * 8 / span / 1000
            in_kbps = max(0, bytes_in - prev_in) * 8 / span / 1000
        self._prev = (now, bytes_out, bytes_in)
        return CallStats(
            bitrate_out_kbps=round(out_kbps, 1),
            bitrate_in_kbps=round(in_kbps, 1),
            packet_loss_pct=round(100 * lost / (lost + got), 2) if lost + got else 0.0,
            rtt_ms=round(1000 * max(rtts), 1) if rtts else None,
            fps_out=sent.fps(now),
            fps_in=received.fps(now),
            freezes=received.freezes,
            candidate_type=candidate_type,
            relay_protocol=relay_protocol,
            bytes_out=bytes_out,
            bytes_in=bytes_in,
            distinct_fps_in=meter.fps if meter else None,
            latency_ms_p50=meter.latency_ms_p50 if meter else None,
            latency_ms_p95=meter.latency_ms_p95 if meter else None,
        )
