"""The media window: what one benchmark run measures once both sides have pictures.

Both modes hand the window their two receivers (anything with a ``meter``: the
demo's engines, the raw loopback's :class:`Receiver`) at the moment the last of
them got its first frame, with each party's peer connection. The window gives
each receiver a fresh :class:`FrameMeter` (so set-up frames and their warm-up
latency stay out of the figures), notes process CPU time and then, once a second
for ``seconds``, the distinct frames per direction, CPU time and the threads' wait
for a core; resident memory every ``rss_every`` seconds. CPU is
``time.process_time()``: every thread of the process, so aiortc's encoder pool and
decoder threads count, and both parties, who share the one process in both modes.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from media.measure import FrameMeter
from pairing.roles import Role

# Named by what travels, measured where it arrives.
DIRECTIONS = {"classroom_to_student": Role.STUDENT, "student_to_classroom": Role.CLASSROOM}
Senders = dict[Role, Any]  # each party's RTCPeerConnection, for bytes sent
SUSTAIN_S = 5  # "sustained" fps: the worst run of this many whole seconds


class Metered(Protocol):
    meter: FrameMeter | None


@dataclass
class Receiver:
    """The raw loopback's sink for one party: frames into a meter, the first one timed."""

    meter: FrameMeter | None = field(default_factory=FrameMeter)
    first_frame: float | None = None
    media_started: asyncio.Event = field(default_factory=asyncio.Event)

    def on_video_frame(self, frame: Any) -> None:
        if self.first_frame is None:
            self.first_frame = time.monotonic()
            self.media_started.set()
        if self.meter is not None:
            self.meter.on_video(frame)

    def on_audio_frame(self, frame: Any) -> None:
        if self.meter is not None:
            self.meter.on_audio(frame)


def rss_mb() -> float:
    """Resident memory of this process now, in MB (VmRSS, kB in /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def runqueue_wait_s() -> float:
    """Seconds this process's live threads have waited for a core (/proc schedstat).

    High while frames are late means the cores were busy: with other work on the
    machine, or with our own threads (both parties share one process).
    """
    total = 0
    for tid in os.listdir("/proc/self/task"):
        try:
            total += int(Path(f"/proc/self/task/{tid}/schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    return total / 1e9


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class MediaWindow:
    """Call :meth:`begin` on the loop when media flows both ways, then await :meth:`result`."""

    def __init__(self, seconds: float, *, rss_every: float = 10.0) -> None:
        self.seconds = seconds
        self.rss_every = rss_every
        self._task: asyncio.Task[dict[str, Any]] | None = None

    @property
    def begun(self) -> bool:
        return self._task is not None

    def begin(self, receivers: dict[Role, Metered], senders: Senders) -> None:
        meters = {role: FrameMeter() for role in receivers}
        for role, receiver in receivers.items():
            receiver.meter = meters[role]
        start = (time.monotonic(), time.process_time())
        measure = self._measure(meters, senders, start)
        self._task = asyncio.get_running_loop().create_task(measure)

    async def result(self) -> dict[str, Any]:
        if self._task is None:
            raise RuntimeError("the media window never began")
        return await self._task

    async def _measure(
        self, meters: dict[Role, FrameMeter], senders: Senders, start: tuple[float, float]
    ) -> dict[str, Any]:
        t0, cpu0 = start
        load0 = os.getloadavg()[0]
        bytes0 = await _video_bytes_sent(senders)
        counts: dict[str, list[int]] = {d: [] for d in DIRECTIONS}
        cpu, wait = [cpu0], [runqueue_wait_s()]
        rss: list[tuple[float, float]] = [(0.0, rss_mb())]
        for tick in range(1, math.ceil(self.seconds) + 1):
            at = min(float(tick), self.seconds)
            await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
            for name, receiver in DIRECTIONS.items():
                counts[name].append(meters[receiver].snapshot().frames_received)
            cpu.append(time.process_time())
            wait.append(runqueue_wait_s())
            if tick % self.rss_every == 0 or at == self.seconds:
                rss.append((at, rss_mb()))
        span = time.monotonic() - t0
        sent = await _video_bytes_sent(senders)
        kbps = {role: round((sent[role] - bytes0[role]) * 8 / span / 1000) for role in sent}
        return {
            "media_s": round(span, 3),
            "cpu_s": round(cpu[-1] - cpu0, 3),
            "cpu_per_media_s": round((cpu[-1] - cpu0) / span, 4),
            "cpu_per_second": _deltas(cpu),
            "runqueue_wait_per_media_s": round((wait[-1] - wait[0]) / span, 4),
            "runqueue_wait_per_second": _deltas(wait),
            "directions": {
                name: _direction(meters[receiver], counts[name], span, self.seconds)
                | {"video_kbps": kbps.get(receiver.opposite)}
                for name, receiver in DIRECTIONS.items()
            },
            "rss_mb": [(round(t, 1), round(mb, 1)) for t, mb in rss],
            "peak_rss_mb": round(peak_rss_mb(), 1),
            # Others' work on the machine skews latency and fps (CPU time is our own).
            "loadavg_1m": (round(load0, 2), round(os.getloadavg()[0], 2)),
        }


async def _video_bytes_sent(senders: Senders) -> dict[Role, int]:
    """RTP video bytes each party has sent so far (aiortc's outbound-rtp stats)."""
    sent = {}
    for role, pc in senders.items():
        report = await pc.getStats()
        sent[role] = sum(
            s.bytesSent for s in report.values() if s.type == "outbound-rtp" and s.kind == "video"
        )
    return sent


def _direction(
    meter: FrameMeter, cumulative: list[int], span: float, seconds: float
) -> dict[str, Any]:
    snap = meter.snapshot()
    per_second = [b - a for a, b in zip([0, *cumulative], cumulative, strict=False)]
    whole = per_second[: int(seconds)]  # a last, partial second says nothing about a rate
    runs = [sum(whole[i : i + SUSTAIN_S]) / SUSTAIN_S for i in range(len(whole) - SUSTAIN_S + 1)]
    return {
        "frames": snap.frames_received,
        "fps": round(snap.frames_received / span, 2) if span > 0 else 0.0,
        f"fps_worst_{SUSTAIN_S}s": round(min(runs), 2) if runs else None,
        "fps_last_5s": round(sum(whole[-5:]) / 5, 2) if len(whole) >= 5 else None,
        "fps_last_60s": round(sum(whole[-60:]) / 60, 2) if len(whole) >= 60 else None,
        "width": snap.width,
        "height": snap.height,
        "latency_ms_p50": _round(snap.latency_ms_p50),
        "latency_ms_p95": _round(snap.latency_ms_p95),
        "latency_samples": snap.latency_samples,
        "freezes": snap.freezes,
        "longest_gap_ms": round(snap.longest_gap_ms, 1),
        "markers_unreadable": snap.markers_unreadable,
        "audio_fps": round(snap.audio_frames_received / span, 2) if span > 0 else 0.0,
        "per_second": per_second,
    }


def _deltas(cumulative: list[float]) -> list[float]:
    return [round(b - a, 3) for a, b in itertools.pairwise(cumulative)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
