"""The microphone track with the processing chain in it, and the speaker's reference queue.

:meth:`ProcessedAudioTrack.reference` takes what the speaker plays, from any
thread (the GUI's audio sink pulls on the Qt thread); it is cut into 10 ms mono
chunks and queued, bounded. :meth:`~ProcessedAudioTrack.recv` runs on the engine
loop: it first hands the queued reference to the APM, then processes each 10 ms
of the microphone frame. Frames in any other format than 48 kHz packed s16 pass
unprocessed (logged once), and so does a synthetic tone (a
:class:`~media.synthetic_audio.SyntheticAudioTrack`, or a microphone whose
synthetic stand-in is on): it is a measurement signal, not a room, and noise
suppression would take a steady tone for noise.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack

from media.audio.delay import DelayEstimator
from media.audio.echo import EchoStatus, EchoWatch
from media.audio.processor import CHUNK, SAMPLE_RATE, ProcessingState, Processor
from media.synthetic_audio import SyntheticAudioTrack

logger = logging.getLogger(__name__)

MAX_REFERENCE_CHUNKS = 50  # 500 ms: a reference older than that cannot match an echo
# Called with (microphone chunk, processed chunk), both int16 mono: the demo's meter.
Tap = Callable[[np.ndarray, np.ndarray], None]


class ProcessedAudioTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, source: MediaStreamTrack, processor: Processor, *,
                 tap: Tap | None = None) -> None:  # fmt: skip
        super().__init__()
        self._source, self.processor, self.tap = source, processor, tap
        self._lock = threading.Lock()
        self._reference: collections.deque[np.ndarray] = collections.deque(
            maxlen=MAX_REFERENCE_CHUNKS
        )
        self._partial = np.zeros(0, np.int16)
        self.delay = DelayEstimator()
        self.echo = EchoWatch()  # the teacher's "echo cancellation: active" (issue 11.5)
        self._echo_build = processor.builds
        self.reference_dropped = 0  # chunks that came faster than the microphone took them
        self.busy_s = 0.0  # time spent in the APM (CPU per stage in the benchmark)
        self.chunks = 0
        self._warned = False

    # -- any thread ---------------------------------------------------------------

    def reference(self, frame: av.AudioFrame | np.ndarray, volume: float = 1.0) -> None:
        """What the speaker plays now; ``volume`` is what the speaker scales it by."""
        samples = frame if isinstance(frame, np.ndarray) else _mono(frame)
        if samples is None:
            return
        if volume != 1.0:
            samples = np.clip(samples.astype(np.float32) * volume, -32768, 32767)
        with self._lock:
            data = np.concatenate((self._partial, samples.astype(np.int16)))
            whole = len(data) - len(data) % CHUNK
            for start in range(0, whole, CHUNK):
                if len(self._reference) == self._reference.maxlen:
                    self.reference_dropped += 1
                self._reference.append(data[start : start + CHUNK])
            self._partial = data[whole:]

    @property
    def echo_status(self) -> EchoStatus:
        """Whether echo cancellation runs here, and whether it has converged."""
        processor = self.processor
        if processor.state is ProcessingState.UNAVAILABLE:
            return EchoStatus.UNAVAILABLE
        if not processor.cancels_echo or self.is_test_signal:
            return EchoStatus.OFF
        return EchoStatus.CONVERGED if self.echo.converged else EchoStatus.CONVERGING

    @property
    def is_test_signal(self) -> bool:
        source = self._source
        return isinstance(source, SyntheticAudioTrack) or bool(
            getattr(source, "fallback_active", False)
        )

    # -- engine loop --------------------------------------------------------------

    async def recv(self) -> Any:
        frame: Any = await self._source.recv()
        if self.processor.state is ProcessingState.UNAVAILABLE or self.is_test_signal:
            return frame
        mono = _mono(frame)
        if mono is None or len(mono) % CHUNK:
            if not self._warned:
                self._warned = True
                logger.warning("microphone frames not 48 kHz s16 by 10 ms: unprocessed")
            return frame
        started = time.perf_counter()
        if self.processor.builds != self._echo_build:  # a new APM: it adapts afresh
            self._echo_build = self.processor.builds
            self.echo.reset()
        self._feed_reference()
        out = np.empty_like(mono)
        for start in range(0, len(mono), CHUNK):
            chunk = mono[start : start + CHUNK]
            estimate = self.delay.near(chunk)
            if estimate is not None:
                self.processor.set_delay(estimate)
            done = self.processor.process_near(chunk.tobytes())
            out[start : start + CHUNK] = np.frombuffer(done, np.int16)
            self.echo.near(chunk, out[start : start + CHUNK])
        self.busy_s += time.perf_counter() - started
        self.chunks += len(mono) // CHUNK
        if self.tap is not None:
            self.tap(mono, out)
        return _like(frame, out)

    def _feed_reference(self) -> None:
        with self._lock:
            chunks = list(self._reference)
            self._reference.clear()
        for chunk in chunks:
            self.delay.far(chunk)
            self.echo.far(chunk)
            self.processor.process_far(chunk.tobytes())


def _mono(frame: av.AudioFrame) -> np.ndarray | None:
    """int16 mono samples of a packed s16 48 kHz frame (stereo averaged), else None."""
    if frame.format.name != "s16" or frame.sample_rate != SAMPLE_RATE:
        return None
    channels = len(frame.layout.channels)
    samples = frame.to_ndarray().reshape(-1, channels)
    if channels == 1:
        return samples[:, 0].copy()
    return samples.mean(axis=1).astype(np.int16)


def _like(frame: av.AudioFrame, mono: np.ndarray) -> av.AudioFrame:
    """``mono`` in ``frame``'s layout and timing (every channel gets the same signal)."""
    channels = len(frame.layout.channels)
    packed = np.repeat(mono, channels).reshape(1, -1)
    out = av.AudioFrame.from_ndarray(packed, format="s16", layout=frame.layout.name)
    out.sample_rate, out.pts, out.time_base = frame.sample_rate, frame.pts, frame.time_base
    return out
