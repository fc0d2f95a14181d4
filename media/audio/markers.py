"""Time markers in synthetic sound, so a receiver measures mouth-to-ear delay.

Every PERIOD_S the sender mixes in a 40 ms burst of tones at exact multiples of
50 Hz: two pilots (1000 and 5000 Hz) and 16 data tones (1200…4200 Hz, one per
bit) carrying the capture time in wall-clock milliseconds modulo 16384 (14
bits) and two parity bits (a misread burst is dropped, not turned into a wrong
delay). Opus keeps such tones. The receiver looks at each 20 ms block together with the one
before: the 5000 Hz pilot's envelope (1 ms steps) gives where the burst starts;
a block that lies wholly inside the burst is read with one FFT (tones on exact
bins). The delay is arrival time − (capture time + the block's offset into the
burst). A reading that is implausible (outside 0…MAX_DELAY_MS) is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import av
import numpy as np

from media.audio.level import sine_peak

RATE = 48000
BLOCK = 960  # 20 ms: one FFT bin per 50 Hz
LENGTH = 2 * BLOCK  # 40 ms: some received block always lies wholly inside
PERIOD_S = 0.5
PILOTS = (20, 100)  # bins: 1000 Hz, 5000 Hz
ONSET_PILOT = 100
BITS = tuple(24 + 4 * i for i in range(16))  # bins: 1200, 1400, … 4200 Hz
TONE_DBFS = -30.0  # each tone (RMS); the whole burst is about -20 dBFS
MAX_DELAY_MS = 5000.0
TIME_MASK = 0x3FFF  # 14 bits of milliseconds: 16.4 s, far above any delay
_STEP = 48  # onset resolution: 1 ms


def burst(capture_ms: int) -> np.ndarray:
    """The 40 ms burst for this capture time (float samples, full scale 32768)."""
    n = np.arange(LENGTH)
    code = _with_parity(capture_ms & TIME_MASK)
    bins = list(PILOTS) + [b for i, b in enumerate(BITS) if code >> i & 1]
    amplitude = sine_peak(TONE_DBFS)
    # Schroeder phases: tones that all start in phase would peak together (a crest
    # that clips a loud speaker's echo); the reader looks at magnitudes only.
    tones = sum(
        np.sin(2 * np.pi * b * 50 * n / RATE + np.pi * k * k / len(bins))
        for k, b in enumerate(bins)
    )
    return amplitude * np.asarray(tones)


def _with_parity(time_code: int) -> int:
    """14 time bits, then the parity of the even and of the odd ones."""
    even = bin(time_code & 0x1555).count("1") & 1
    odd = bin(time_code & 0x2AAA).count("1") & 1
    return time_code | even << 14 | odd << 15


class MarkerReader:
    """Feed received mono samples in order; yields delays in ms as markers are read."""

    def __init__(self, wall_clock: Callable[[], float] = time.time) -> None:
        self._clock = wall_clock
        self._pending = np.zeros(0, np.float64)
        self._previous = np.zeros(BLOCK, np.float64)
        self._skip = 0  # blocks still inside a burst already read
        n = np.arange(_STEP)
        self._probe = np.exp(-2j * np.pi * ONSET_PILOT * 50 * n / RATE)

    def feed(self, samples: np.ndarray) -> list[float]:
        """One received frame's samples; every sample of it arrived now."""
        arrived_ms = self._clock() * 1000
        self._pending = np.concatenate((self._pending, samples.astype(np.float64)))
        delays = []
        while len(self._pending) >= BLOCK:
            block, self._pending = self._pending[:BLOCK], self._pending[BLOCK:]
            delay = self._block(block, arrived_ms)
            if delay is not None:
                delays.append(delay)
            self._previous = block
        return delays

    def _block(self, block: np.ndarray, arrived_ms: float) -> float | None:
        if self._skip:
            self._skip -= 1
            return None
        spectrum = np.abs(np.fft.rfft(block))
        pilots = spectrum[list(PILOTS)]
        floor = float(np.median(spectrum[20:101])) + 1e-9
        if pilots.min() < 8 * floor:
            return None
        both = np.concatenate((self._previous, block)).reshape(-1, _STEP)
        envelope = np.abs(both @ self._probe)
        onset = int(np.argmax(envelope > 0.5 * envelope.max()))
        start = LENGTH // _STEP - BLOCK // _STEP  # where this block begins, in steps
        if onset > start:
            return None  # the burst starts inside this block: read the next one
        offset_ms = (start - onset) * _STEP / RATE * 1000
        threshold = 0.5 * float(pilots.mean())
        code = sum(1 << i for i, b in enumerate(BITS) if spectrum[b] > threshold)
        if _with_parity(code & TIME_MASK) != code:
            return None
        code &= TIME_MASK
        self._skip = 1
        # The block's first sample was captured offset_ms after the burst began.
        delay = (arrived_ms - offset_ms - code) % (TIME_MASK + 1)
        return delay if delay <= MAX_DELAY_MS else None


class MarkerWriter:
    """Sender side: mixes a burst into outgoing blocks every PERIOD_S of frames."""

    def __init__(self, wall_clock: Callable[[], float] = time.time) -> None:
        self._clock = wall_clock
        self._left = np.zeros(0)
        self._until_next = 0  # samples until the next burst starts

    def mix(self, samples: np.ndarray) -> np.ndarray:
        """``samples`` (float, one channel) with the marker parts that fall in them."""
        out = samples.astype(np.float64)
        position = 0
        while position < len(out):
            if len(self._left):
                take = min(len(self._left), len(out) - position)
                out[position : position + take] += self._left[:take]
                self._left = self._left[take:]
                position += take
                continue
            if self._until_next > 0:
                step = min(self._until_next, len(out) - position)
                self._until_next -= step
                position += step
                continue
            start_ms = int(self._clock() * 1000 + position / RATE * 1000)
            self._left = burst(start_ms)
            self._until_next = round(PERIOD_S * RATE) - LENGTH
        return np.clip(out, -32768, 32767)


def stamp(frame: av.AudioFrame, writer: MarkerWriter) -> av.AudioFrame:
    """A packed s16 frame with the writer's marker mixed into every channel."""
    channels = len(frame.layout.channels)
    samples = frame.to_ndarray().reshape(-1, channels).astype(np.float64)
    marked = writer.mix(np.zeros(len(samples)))
    out_samples = np.clip(samples + marked[:, None], -32768, 32767).astype(np.int16)
    out = av.AudioFrame.from_ndarray(out_samples.reshape(1, -1), format="s16",
                                     layout=frame.layout.name)  # fmt: skip
    out.sample_rate, out.pts, out.time_base = frame.sample_rate, frame.pts, frame.time_base
    return out
