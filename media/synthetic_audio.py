"""A microphone stand-in: a steady tone at a level the peer can measure, or silence.

Levels are RMS dBFS relative to digital full scale (a full-scale square wave is
0 dBFS, a full-scale sine -3 dBFS), the same scale :mod:`media.measure` reports,
so a stereo tone sent at -20 dBFS reads -20 dBFS after Opus. Stereo is the
default because aiortc's Opus encoder works in stereo and upmixes a mono frame
at -3 dB per channel: a mono tone arrives 3 dB quieter.
"""

from __future__ import annotations

import array
import fractions
import math

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from media.audio.level import sine_peak
from media.audio.markers import MarkerWriter, stamp
from media.synthetic import Pacer

MAX_TONE_DBFS = -3.02  # a sine louder than this would clip


def tone_table(
    sample_rate: int, frequency: int, dbfs: float | None, extra: int, channels: int = 1
) -> bytes:
    """Whole periods of the tone as packed s16, plus ``extra`` samples to slice across the end.

    ``sample_rate / gcd(frequency, sample_rate)`` samples hold a whole number of cycles
    (600 for 440 Hz at 48 kHz), so every frame is one slice of this table.
    """
    period = sample_rate // math.gcd(frequency, sample_rate)
    if dbfs is None:
        return bytes(2 * channels * (period + extra))
    if dbfs > MAX_TONE_DBFS:
        raise ValueError("a tone above -3 dBFS clips")
    peak = sine_peak(dbfs)
    step = 2 * math.pi * frequency / sample_rate
    values = (round(peak * math.sin(step * n)) for n in range(period + extra))
    return array.array("h", (v for v in values for _ in range(channels))).tobytes()


class SyntheticAudioTrack(MediaStreamTrack):
    """20 ms s16 frames of a tone (default 440 Hz at -20 dBFS), paced like a sound card."""

    kind = "audio"

    def __init__(
        self,
        sample_rate: int = 48000,
        *,
        frequency: int = 440,
        level_dbfs: float | None = -20.0,
        layout: str = "stereo",
        ptime: float = 0.020,
        markers: bool = False,
    ) -> None:
        """``markers``: time markers every 0.5 s (media.audio.markers), for the demo's
        mouth-to-ear delay; off where a test measures the tone's level."""
        super().__init__()
        self._markers = MarkerWriter() if markers else None
        if layout not in ("mono", "stereo"):
            raise ValueError("layout must be mono or stereo")
        self.sample_rate, self.frequency, self.layout = sample_rate, frequency, layout
        self.samples = round(sample_rate * ptime)
        self.sent = 0  # frames produced so far
        self._period = sample_rate // math.gcd(frequency, sample_rate)
        self._pacer = Pacer(1 / ptime)
        self._table = b""
        self.level_dbfs: float | None = None
        self.set_level(level_dbfs)

    def set_level(self, dbfs: float | None) -> None:
        """Change the tone's level from the next frame on; None is digital silence."""
        channels = 2 if self.layout == "stereo" else 1
        table = tone_table(self.sample_rate, self.frequency, dbfs, self.samples, channels)
        self._table, self.level_dbfs = table, dbfs  # one swap: a frame sees old or new

    def make_frame(self, index: int) -> av.AudioFrame:
        """Frame ``index`` of the tone (continuous in phase across frames)."""
        start = index * self.samples
        width = 4 if self.layout == "stereo" else 2  # bytes per sample frame
        offset = start % self._period
        frame = av.AudioFrame(format="s16", layout=self.layout, samples=self.samples)
        frame.planes[0].update(self._table[width * offset : width * (offset + self.samples)])
        frame.pts = start
        frame.sample_rate = self.sample_rate
        frame.time_base = fractions.Fraction(1, self.sample_rate)
        return frame

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        tick = await self._pacer.next()
        self.sent += 1
        frame = self.make_frame(tick)
        return frame if self._markers is None else stamp(frame, self._markers)
