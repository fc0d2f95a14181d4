"""A simulated room for the demo and the benchmark: what a device plays comes back in.

:class:`SimulatedRoom` is a microphone track. Each 20 ms it takes what the
device's speaker plays (:meth:`play`, fed with the received audio), scales it by
the speaker volume, hands that to the echo canceller as its reference, and puts
it through the room (a delay, the speaker's gain, a reverberant tail) into the
microphone, together with a near-end talker and class babble. It keeps each
frame's echo and near-end parts for :class:`media.audio.meter.EchoMeter`.
Never part of a real call: app.demo and bench use it.
"""

from __future__ import annotations

import collections
import fractions
import math
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from media.audio import voices
from media.audio.ducking import Ducker
from media.audio.markers import MarkerWriter
from media.synthetic import Pacer

SAMPLE_RATE = voices.SAMPLE_RATE
FRAME = SAMPLE_RATE // 50  # 20 ms
JITTER_SAMPLES = 2 * FRAME  # the room's speaker holds back 40 ms, like a sound card
MAX_PLAYOUT = 10 * FRAME  # and never more than 200 ms
LOOP_S = 8.0  # the talker's loop (a whole number of turns)
BABBLE_LOOP_S = 3.3


@dataclass(frozen=True, slots=True)
class RoomConfig:
    delay_ms: float = 50.0  # speaker to microphone, sound card buffers included
    # Direct path, played level → level at the microphone: the unit's speaker is a
    # hand away from its microphone and plays loud enough for a class.
    speaker_gain_db: float = 6.0
    decay_ms: float = 70.0  # reverberant tail's amplitude time constant (RT60 ≈ 6.9×)
    tail_ms: float = 300.0
    # Direct sound over the tail (energy): the microphone sits a hand from the speaker,
    # well inside the critical distance of a classroom (~1 m), so the direct sound wins.
    direct_to_reverb_db: float = 10.0
    near_dbfs: float = -28.0  # the local talker while talking (the teacher, metres away)
    near_f0: float = 210.0
    talk_on_s: float = 2.0  # the local talker's turns
    talk_off_s: float = 2.0
    talk_offset_s: float = 1.0
    noise_dbfs: float | None = -50.0  # babble; None: a quiet room
    seed: int = 1
    markers: bool = True  # time markers in the talker (media.audio.markers)


CLASSROOM = RoomConfig()  # the Klasgenoot's desk: loud speaker, a class around it
HOME = RoomConfig(delay_ms=35.0, speaker_gain_db=-10.0, decay_ms=40.0, tail_ms=200.0,
                  direct_to_reverb_db=6.0, near_dbfs=-24.0, near_f0=260.0,
                  talk_offset_s=3.0,  # answers the teacher: turns alternate
                  noise_dbfs=-60.0, seed=2)  # fmt: skip
ROOMS = {"classroom": (CLASSROOM, HOME)}  # --room NAME: (classroom's room, pupil's room)


def impulse_response(config: RoomConfig) -> np.ndarray:
    rng = np.random.default_rng(config.seed + 1000)
    delay = round(config.delay_ms * SAMPLE_RATE / 1000)
    tail = round(config.tail_ms * SAMPLE_RATE / 1000)
    gain = 10 ** (config.speaker_gain_db / 20)
    rir = np.zeros(delay + tail)
    rir[delay] = gain
    t = np.arange(1, tail)
    decay = np.exp(-t / (config.decay_ms * SAMPLE_RATE / 1000))
    shape = rng.standard_normal(tail - 1) * decay
    scale = gain / math.sqrt(float(shape @ shape) * 10 ** (config.direct_to_reverb_db / 10))
    rir[delay + 1 :] = scale * shape
    return rir


class SimulatedRoom(MediaStreamTrack):
    kind = "audio"

    def __init__(self, config: RoomConfig = CLASSROOM, *, volume: float = 1.0) -> None:
        super().__init__()
        self.config, self.volume = config, volume
        self.reference_sink: Callable[[np.ndarray], None] | None = None
        # The device's ducking (media.audio.ducking), applied where the speaker plays,
        # so the reference is what was played, ducked.
        self.ducker: Ducker | None = None
        n = round(LOOP_S * SAMPLE_RATE)
        talk = voices.turns(n, on_s=config.talk_on_s, off_s=config.talk_off_s,
                            offset_s=config.talk_offset_s)  # fmt: skip
        near = voices.voice(LOOP_S, f0=config.near_f0, seed=config.seed,
                            level_dbfs=config.near_dbfs)  # fmt: skip
        self._near = (near * talk).astype(np.float32)
        self._noise = (
            voices.babble(BABBLE_LOOP_S, seed=config.seed + 7, level_dbfs=config.noise_dbfs)
            if config.noise_dbfs is not None
            else np.zeros(FRAME, np.float32)
        )
        rir = impulse_response(config)
        self._taps = len(rir)
        self._nfft = 1 << int(np.ceil(np.log2(self._taps + FRAME)))
        self._response = np.fft.rfft(rir, self._nfft)
        self._history = np.zeros(self._taps - 1 + FRAME)
        self._playout = np.zeros(0, np.float32)
        self._playing = False
        self._pacer = Pacer(SAMPLE_RATE / FRAME)
        # (echo, near end) of each frame handed out, oldest first, for the meter.
        self.parts: collections.deque[tuple[np.ndarray, np.ndarray]] = collections.deque(maxlen=100)
        self.sent = 0
        # Diagnostics for the demo's report: the speaker ran dry after it had started
        # (a late frame), and microphone samples at full scale (a non-linearity).
        self.underruns = 0
        self.clipped_samples = 0
        self._markers = MarkerWriter() if config.markers else None

    def play(self, frame: av.AudioFrame) -> None:
        """The device's speaker gets this frame (s16 48 kHz; anything else is ignored)."""
        if frame.format.name != "s16" or frame.sample_rate != SAMPLE_RATE:
            return
        channels = len(frame.layout.channels)
        mono = frame.to_ndarray().reshape(-1, channels).mean(axis=1).astype(np.float32)
        self._playout = np.concatenate((self._playout, mono))[-MAX_PLAYOUT:]

    def make_frame(self, index: int) -> av.AudioFrame:
        played = self._speaker()
        if self.reference_sink is not None:
            self.reference_sink(np.clip(played, -32768, 32767).astype(np.int16))
        self._history = np.concatenate((self._history[FRAME:], played))
        echo = np.fft.irfft(np.fft.rfft(self._history, self._nfft) * self._response, self._nfft)
        echo = echo[self._taps - 1 : self._taps - 1 + FRAME]
        near = _loop(self._near, index * FRAME)
        if self._markers is not None:
            near = self._markers.mix(near).astype(np.float32)
        mic = echo + near + _loop(self._noise, index * FRAME)
        self.clipped_samples += int(np.count_nonzero(np.abs(mic) >= 32767))
        mic = np.clip(mic, -32768, 32767)
        self.parts.append((echo.astype(np.float32), near))
        stereo = np.repeat(mic.astype(np.int16), 2).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
        frame.sample_rate, frame.pts = SAMPLE_RATE, index * FRAME
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        return frame

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        tick = await self._pacer.next()
        self.sent += 1
        return self.make_frame(tick)

    def _speaker(self) -> np.ndarray:
        """The next 20 ms the speaker plays (silence while its buffer fills), after volume."""
        if not self._playing and len(self._playout) >= JITTER_SAMPLES:
            self._playing = True
        if not self._playing:
            return np.zeros(FRAME)
        taken, self._playout = self._playout[:FRAME], self._playout[FRAME:]
        if len(taken) < FRAME:
            self._playing = False
            self.underruns += 1
            taken = np.concatenate((taken, np.zeros(FRAME - len(taken), np.float32)))
        played = taken.astype(np.float64) * self.volume
        return self.ducker.apply(played) if self.ducker is not None else played


def _loop(signal: np.ndarray, start: int) -> np.ndarray:
    index = (start + np.arange(FRAME)) % len(signal)
    return signal[index]
