"""Tracks fed from outside the engine loop: a camera or microphone pushes, aiortc pulls.

Qt Multimedia delivers camera frames and microphone bytes on the GUI thread; aiortc
pulls ``recv()`` on the engine thread's loop. :class:`PushVideoTrack` keeps one
slot (the newest frame wins, nothing queues up) and :class:`PushAudioTrack` a
bounded byte buffer (the oldest audio is dropped), and both wake the engine loop
with ``call_soon_threadsafe``. Each stamps its own timeline from the monotonic
clock, so switching between pushed frames and the ``fallback`` track (a synthetic
source used when there is no device) never makes timestamps run backwards.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fractions
import threading
import time
from typing import Any, cast

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from media.synthetic import Clock

VIDEO_CLOCK_RATE = 90000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)
# A frame that waited longer than this (the engine was not pulling) is not sent:
# it may show the class as it was before a pause or before LIVE was on screen.
MAX_FRAME_AGE = 0.5
_LAYOUTS = {"mono": 1, "stereo": 2}


class _Wakeup:
    """An asyncio.Event that any thread may set; bound to the loop of the waiter."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event = asyncio.Event()

    def bind(self) -> asyncio.Event:
        """Call on the loop that waits (the first ``recv``, or a new loop after a restart)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._event = loop, asyncio.Event()
        return self._event

    def set(self) -> None:
        loop, event = self._loop, self._event
        if loop is None:
            return  # nobody has waited yet: the next recv() looks before it waits
        with contextlib.suppress(RuntimeError):  # the engine loop has closed
            loop.call_soon_threadsafe(event.set)


class _FallbackMixin(MediaStreamTrack):
    """A pushed source that can stand in a synthetic ``fallback`` track instead."""

    def __init__(self, fallback: MediaStreamTrack | None) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._wake = _Wakeup()
        self._fallback = fallback
        self._fallback_active = False

    @property
    def fallback_active(self) -> bool:
        return self._fallback_active

    def set_fallback_active(self, active: bool) -> None:
        """From any thread: deliver the fallback's frames (True) or pushed ones (False)."""
        with self._lock:
            self._fallback_active = active and self._fallback is not None
            self._drop_pending()
        self._wake.set()

    def stop(self) -> None:
        super().stop()
        if self._fallback is not None:
            self._fallback.stop()
        self._wake.set()

    def _drop_pending(self) -> None:
        raise NotImplementedError


class PushVideoTrack(_FallbackMixin):
    """The newest pushed :class:`av.VideoFrame`, stamped at 90 kHz from the push time."""

    kind = "video"

    def __init__(
        self,
        *,
        fallback: MediaStreamTrack | None = None,
        clock: Clock = time.monotonic,
        max_age: float = MAX_FRAME_AGE,
    ) -> None:
        super().__init__(fallback)
        self._clock = clock
        self._max_age = max_age
        self._frame: av.VideoFrame | None = None
        self._stamp = 0.0
        self._start: float | None = None
        self._last_pts = -1
        self.pushed = 0  # frames handed in
        self.dropped = 0  # replaced by a newer one, or too old, before recv() took them
        self.delivered = 0  # frames recv() returned

    def push(self, frame: av.VideoFrame) -> None:
        """Hand over a frame from any thread; it replaces one not yet taken."""
        stamp = self._clock()
        with self._lock:
            if self._fallback_active:
                return
            if self._frame is not None:
                self.dropped += 1
            self._frame, self._stamp = frame, stamp
            self.pushed += 1
        self._wake.set()

    def _drop_pending(self) -> None:
        self._frame = None

    async def recv(self) -> av.VideoFrame:
        event = self._wake.bind()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            with self._lock:
                frame, stamp, self._frame = self._frame, self._stamp, None
                use_fallback = self._fallback_active
                event.clear()
            if frame is not None:
                if self._clock() - stamp <= self._max_age:
                    return self._stamped(frame, stamp)
                self.dropped += 1
                continue
            if use_fallback and self._fallback is not None:
                substitute = cast(av.VideoFrame, await self._fallback.recv())
                return self._stamped(substitute, self._clock())
            await event.wait()

    def _stamped(self, frame: av.VideoFrame, stamp: float) -> av.VideoFrame:
        if self._start is None:
            self._start = stamp
        pts = max(round((stamp - self._start) * VIDEO_CLOCK_RATE), self._last_pts + 1)
        self._last_pts = pts
        frame.pts, frame.time_base = pts, VIDEO_TIME_BASE
        self.delivered += 1
        return frame


class PushAudioTrack(_FallbackMixin):
    """Pushed audio of any format, delivered as ``ptime`` frames of s16 at ``sample_rate``.

    Stereo by default: aiortc's Opus encoder works in stereo and would upmix mono
    3 dB quieter, so a mono microphone is duplicated into both channels here.
    """

    kind = "audio"

    def __init__(
        self,
        *,
        sample_rate: int = 48000,
        layout: str = "stereo",
        ptime: float = 0.020,
        max_buffer: float = 0.200,
        fallback: MediaStreamTrack | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(fallback)
        if layout not in _LAYOUTS:
            raise ValueError("layout must be mono or stereo")
        self.sample_rate, self.layout = sample_rate, layout
        self.samples = round(sample_rate * ptime)
        self._width = 2 * _LAYOUTS[layout]  # bytes per sample frame
        self._chunk = self.samples * self._width
        self._max_bytes = max(self._chunk, round(sample_rate * max_buffer) * self._width)
        self._time_base = fractions.Fraction(1, sample_rate)
        self._buffer = bytearray()
        self._resampler: av.AudioResampler | None = None
        self._resampler_key: tuple[str, str, int] | None = None
        self._convert_lock = threading.Lock()  # the resampler is not thread-safe
        self._clock = clock
        self._start: float | None = None
        self._next_pts = 0
        self.dropped_samples = 0  # oldest audio dropped because the buffer was full
        self.delivered = 0

    def push(self, frame: av.AudioFrame) -> None:
        """Hand over audio from any thread (calls are serialised); the oldest overflows."""
        data = self._convert(frame)
        with self._lock:
            if self._fallback_active:
                return
            self._buffer += data
            excess = len(self._buffer) - self._max_bytes
            if excess > 0:
                excess += -excess % self._width
                del self._buffer[:excess]
                self.dropped_samples += excess // self._width
            ready = len(self._buffer) >= self._chunk
        if ready:
            self._wake.set()

    def buffered(self) -> float:
        """Seconds of audio waiting to be taken."""
        with self._lock:
            return len(self._buffer) / self._width / self.sample_rate

    def _drop_pending(self) -> None:
        self._buffer.clear()

    def _convert(self, frame: av.AudioFrame) -> bytes:
        """``frame`` as interleaved s16 at our rate, in our layout (mono stays mono here)."""
        mono_in = len(frame.layout.channels) == 1
        out_layout = "mono" if mono_in else self.layout
        with self._convert_lock:
            if (frame.format.name, frame.layout.name, frame.sample_rate) == (
                "s16",
                out_layout,
                self.sample_rate,
            ):
                size = frame.samples * 2 * _LAYOUTS[out_layout]
                data = bytes(memoryview(frame.planes[0])[:size])
            else:
                data = b"".join(bytes(f.planes[0]) for f in self._resample(frame, out_layout))
        if mono_in and self.layout == "stereo":
            return _mono_to_stereo(data)
        return data

    def _resample(self, frame: av.AudioFrame, layout: str) -> list[av.AudioFrame]:
        key = (frame.format.name, frame.layout.name, frame.sample_rate)
        if self._resampler is None or key != self._resampler_key:
            self._resampler = av.AudioResampler(format="s16", layout=layout, rate=self.sample_rate)
            self._resampler_key = key
        frame.pts = None  # our own timeline; the resampler need not check continuity
        frames: list[av.AudioFrame] = self._resampler.resample(frame)
        return frames

    async def recv(self) -> av.AudioFrame:
        event = self._wake.bind()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            with self._lock:
                chunk = None
                if len(self._buffer) >= self._chunk:
                    chunk = bytes(self._buffer[: self._chunk])
                    del self._buffer[: self._chunk]
                use_fallback = self._fallback_active
                event.clear()
            if chunk is not None:
                frame = av.AudioFrame(format="s16", layout=self.layout, samples=self.samples)
                frame.planes[0].update(chunk)
                frame.sample_rate = self.sample_rate
                return self._stamped(frame)
            if use_fallback and self._fallback is not None:
                return self._stamped(await self._fallback.recv())
            await event.wait()

    def _stamped(self, frame: Any) -> Any:
        """Sample-counted pts that jump ahead (never back) after a gap in the input."""
        now = self._clock()
        if self._start is None:
            self._start = now
        by_clock = round((now - self._start) * self.sample_rate)
        if by_clock - self._next_pts > 3 * self.samples:
            self._next_pts = by_clock
        frame.pts, frame.time_base = self._next_pts, self._time_base
        frame.sample_rate = frame.sample_rate or self.sample_rate
        self._next_pts += frame.samples * self.sample_rate // frame.sample_rate
        self.delivered += 1
        return frame


def _mono_to_stereo(data: bytes) -> bytes:
    mono = array.array("h")
    mono.frombytes(data)
    stereo = array.array("h", bytes(4 * len(mono)))
    stereo[0::2] = mono
    stereo[1::2] = mono
    return stereo.tobytes()
