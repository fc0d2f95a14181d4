"""What a receiver measures from synthetic media: frames, rate, latency, freezes, level.

:func:`consume_video` and :func:`consume_audio` pull every frame of a received
track (aiortc buffers an unconsumed track without bound) into a
:class:`FrameMeter`; its ``on_video``/``on_audio`` also fit any other frame sink.
All state is bounded, so a meter can watch a whole school day: sequence numbers
in a sliding bitmask, latency samples and arrival times in fixed-length deques.
A meter lives on one event loop; call :meth:`FrameMeter.snapshot` from that loop.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from media.audio.level import Energy, energy, window_dbfs
from media.audio.markers import MarkerReader
from media.synthetic import Clock
from media.synthetic_video import Marker, read_marker

_S16 = frozenset({"s16", "s16p"})


@dataclass(frozen=True, slots=True)
class MeterStats:
    """One reading of a :class:`FrameMeter`."""

    frames_received: int  # distinct video frames (by marker sequence number)
    video_frames_total: int  # every video frame pulled: duplicates and unreadable too
    markers_unreadable: int
    fps: float  # distinct frames per second over the last ``window_s``
    width: int  # of the latest video frame; 0 before any
    height: int
    latency_ms_p50: float | None  # capture → receipt, over the recent samples
    latency_ms_p95: float | None
    latency_samples: int  # how many recent samples the percentiles cover
    freezes: int  # gaps longer than ``freeze_ms`` between distinct frames
    longest_gap_ms: float
    audio_frames_received: int
    audio_level_dbfs: float | None  # RMS over the recent audio frames; None before any
    # Mouth-to-ear from the sound's time markers (media.audio.markers), when it has them.
    audio_latency_ms_p50: float | None = None
    audio_latency_ms_p95: float | None = None
    audio_latency_samples: int = 0


class _SeenWindow:
    """Which of the last ``size`` sequence numbers arrived: one int used as a bitmask."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._top: int | None = None
        self._mask = 0  # bit i set: sequence number top - i has arrived

    def add(self, seq: int) -> bool:
        """Record ``seq``; True if it is new (older than the window counts as seen)."""
        if self._top is None or seq > self._top:
            shift = self._size if self._top is None else min(seq - self._top, self._size)
            self._mask = ((self._mask << shift) | 1) & ((1 << self._size) - 1)
            self._top = seq
            return True
        age = self._top - seq
        if age >= self._size or self._mask >> age & 1:
            return False
        self._mask |= 1 << age
        return True


class FrameMeter:
    """Counts and times received frames; ``clock`` is monotonic, ``wall_clock`` the epoch."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        window_s: float = 5.0,
        freeze_ms: float = 500.0,
        latency_window: int = 900,
        level_frames: int = 25,
        seq_window: int = 4096,
    ) -> None:
        self._clock, self._wall_clock = clock, wall_clock
        self._window_s, self._freeze_s = window_s, freeze_ms / 1000
        self._seen = _SeenWindow(seq_window)
        self._arrivals: deque[float] = deque(maxlen=max(1, int(window_s * 240)))
        self._latency: deque[float] = deque(maxlen=latency_window)
        self._levels: deque[Energy] = deque(maxlen=level_frames)
        self._markers = MarkerReader(wall_clock)
        self._audio_latency: deque[float] = deque(maxlen=latency_window)
        self._distinct = self._total = self._unreadable = self._freezes = 0
        self._width = self._height = self._audio_frames = 0
        self._first: float | None = None
        self._last: float | None = None
        self._longest_gap = 0.0

    def on_video(self, frame: av.VideoFrame) -> None:
        """Record one received video frame (reads its marker)."""
        self.record_video(read_marker(frame), frame.width, frame.height)

    def record_video(self, marker: Marker | None, width: int, height: int) -> None:
        now = self._clock()
        self._total += 1
        self._width, self._height = width, height
        if marker is None:
            self._unreadable += 1
            return
        if not self._seen.add(marker.seq):
            return
        self._distinct += 1
        self._latency.append(self._wall_clock() * 1000 - marker.capture_ms)
        if self._last is not None:
            gap = now - self._last
            self._longest_gap = max(self._longest_gap, gap)
            self._freezes += gap > self._freeze_s
        else:
            self._first = now
        self._last = now
        self._arrivals.append(now)

    def on_audio(self, frame: av.AudioFrame) -> None:
        """Record one received audio frame; its level counts if it is 16-bit PCM."""
        self._audio_frames += 1
        if frame.format.name not in _S16:
            return
        count = frame.samples * (1 if frame.format.is_planar else len(frame.layout.channels))
        squares = math.fsum(energy(memoryview(plane)[: 2 * count])[0] for plane in frame.planes)
        self._levels.append((squares, count * len(frame.planes)))
        if frame.format.name == "s16" and frame.sample_rate == 48000:
            channels = len(frame.layout.channels)
            mono = frame.to_ndarray().reshape(-1, channels)[:, 0]
            self._audio_latency.extend(self._markers.feed(mono))

    def audio_latencies(self) -> list[float]:
        """The recent mouth-to-ear delays, oldest first (ms; bounded)."""
        return list(self._audio_latency)

    def snapshot(self) -> MeterStats:
        latency = sorted(self._latency)
        audio_latency = sorted(self._audio_latency)
        return MeterStats(
            frames_received=self._distinct,
            video_frames_total=self._total,
            markers_unreadable=self._unreadable,
            fps=self._fps(self._clock()),
            width=self._width,
            height=self._height,
            latency_ms_p50=_percentile(latency, 0.50),
            latency_ms_p95=_percentile(latency, 0.95),
            latency_samples=len(latency),
            freezes=self._freezes,
            longest_gap_ms=self._longest_gap * 1000,
            audio_frames_received=self._audio_frames,
            audio_level_dbfs=self._level(),
            audio_latency_ms_p50=_percentile(audio_latency, 0.50),
            audio_latency_ms_p95=_percentile(audio_latency, 0.95),
            audio_latency_samples=len(audio_latency),
        )

    def _fps(self, now: float) -> float:
        while self._arrivals and self._arrivals[0] <= now - self._window_s:
            self._arrivals.popleft()
        if self._first is None or not self._arrivals:
            return 0.0
        if now - self._first >= self._window_s:
            return len(self._arrivals) / self._window_s
        span = now - self._first  # a young meter: rate between the first frame and now
        return (len(self._arrivals) - 1) / span if span > 0 else 0.0

    def _level(self) -> float | None:
        if not self._levels:
            return None
        return window_dbfs(self._levels)


def _percentile(ordered: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an ascending list; None if empty."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def consume_video(track: MediaStreamTrack, meter: FrameMeter) -> None:
    """Pull every frame of a received video track into ``meter`` until the track ends."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if isinstance(frame, av.VideoFrame):
            meter.on_video(frame)


async def consume_audio(track: MediaStreamTrack, meter: FrameMeter) -> None:
    """Pull every frame of a received audio track into ``meter`` until the track ends."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if isinstance(frame, av.AudioFrame):
            meter.on_audio(frame)
