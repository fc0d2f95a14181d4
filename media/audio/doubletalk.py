"""Who talks now: the far end (its echo), the near end (the teacher), both, or nobody.

livekit's APM exposes no double-talk state, so this module compares the
microphone with the echo predicted from the reference (media.audio.echopath, a
small adaptive filter that watches and never changes what the APM gets), per 10
ms block, in the band 150-3500 Hz. A near end talks when the prediction's error
stands ``NEAR_OVER_EXPECTED_DB`` above what the prediction usually leaves of the
echo (its ERLE) plus the room's noise, for two blocks running; the verdict holds
while it stays ``KEEP_OVER_EXPECTED_DB`` up, at most ``HANG_BLOCKS`` past the
last such block. At a word's start the far end's echo is predicted less well, so
a rising echo raises what counts as leftover. The far end plays while the
predicted echo (before the prediction has converged: the reference) is above
``FAR_DBFS``. The filter learns only in blocks with no near-end verdict.

Before the prediction has converged (``CONVERGED_ERLE_DB``) there is no verdict
on the near end: an unconverged filter leaves echo in the error, which would
read as a teacher. Callers act only on a converged detector's verdicts. Until
then the filter learns only in the bins whose microphone the reference can
explain (:class:`Coupling`), so a teacher talking over the pupil's first words,
or over the far end's time markers in the demo, does not teach it; and a
learning filter is judged by its recent blocks, so it converges within a
pupil's first turn of a second. Offline
figures (false verdicts, caught double talk, CPU) are in docs/performance.md.
"""

from __future__ import annotations

import collections
import enum

import numpy as np

from media.audio.echopath import BINS, FRAME, SCALE, EchoPath

FAR_DBFS = -50.0  # a predicted echo (or reference) above this: the far end plays
NEAR_OVER_EXPECTED_DB = 12.0  # error this far above what echo and noise leave: a near end
KEEP_OVER_EXPECTED_DB = 6.0  # ...and this far to keep a verdict going
ONSET_BLOCKS = 2  # blocks running above NEAR_OVER_EXPECTED_DB to start a verdict
HANG_BLOCKS = 5  # the near end's words have gaps; hold a verdict 50 ms (if it stays 6 dB up)
CONVERGED_ERLE_DB = 8.0  # the prediction takes this much off the echo: verdicts count
KEEP_CONVERGED_ERLE_DB = 5.0  # ...and once converged, until it falls under this
ERLE_BLOCKS = 200  # ...judged over the last 2 s of far-end blocks
MIN_ERLE_BLOCKS = 25  # ...once there are this many
QUANTILE = 0.75  # ...its upper quartile: blocks with a near end read low
EARLY_QUANTILE = 0.5  # ...its median until there are ERLE_BLOCKS: a filter still learning
NOISE_PARTS, NOISE_PART_BLOCKS = 4, 40  # minimum statistics over 1.6 s, in 0.4 s parts
NOISE_BIAS = 10.0  # a murmur (class babble) peaks this far over its smoothed minimum
COUPLING_QUANTILE = 0.2  # before a verdict: the echo's coupling, a low quantile...
COUPLING_MARGIN_DB = 10.0  # ...and a bin this far above it holds a near end
MIN_GATED_BINS = 8  # ...learn from a block only with this many bins left
BIN_OVER_EXPECTED = 4.0  # a bin's error 6 dB over its share of echo and noise: a near end
ONSET_RISE = 4.0  # a 10 ms chunk 6 dB over its 40 ms frame: a sound starts in it
MAX_RISE = 100.0  # the leftover allowed at a word's start: up to 20 dB more
_FULL = 32768.0**2


class Talk(enum.StrEnum):
    SILENCE = "silence"
    FAR = "far"  # only the far end: what the microphone holds is echo (and room noise)
    NEAR = "near"  # only the near end
    BOTH = "both"  # double talk


class DoubleTalkDetector:
    """Feed :meth:`far` with every reference chunk and :meth:`near` with every
    microphone chunk (10 ms at 48 kHz, int16 or float on the ±32768 scale), in
    arrival order, on one thread."""

    def __init__(self) -> None:
        self.path = EchoPath()
        bins = len(range(*BINS.indices(FRAME)))
        self._noise = NoiseFloor(bins)
        self._coupling = Coupling()
        self._erles: collections.deque[float] = collections.deque(maxlen=ERLE_BLOCKS)
        self._erle_db = 0.0
        self._converged = False
        self._learnt = 0
        self._delayed = False
        self._hang = 0
        self._ratio = 0.0
        self._onset = 0
        self._echo_before: collections.deque[float] = collections.deque([0.0] * 3, maxlen=3)
        self.talk = Talk.SILENCE
        self.echo_power = 0.0  # this frame's predicted echo, mean square (150-3500 Hz)
        self.near_power = 0.0  # ...and what is not echo in it (a talker, the room)
        self.mic_power = 0.0
        # A sound that starts in this 10 ms: the chunk's mean square over the 40 ms
        # frame's (whose Hann window hardly sees its newest 10 ms yet), else 0.
        self.onset_power = 0.0

    @property
    def converged(self) -> bool:
        return self._converged

    @property
    def erle_db(self) -> float:
        """How much of the echo the prediction takes off (an upper quartile over 2 s)."""
        return self._erle_db

    def set_delay(self, delay_ms: int) -> None:
        """A new delay estimate: the first always (the window moves, keeping what was
        learnt: it often comes after the pupil's first turn), later ones only while
        the prediction has not found the echo."""
        if not self.converged or not self._delayed:
            self.path.set_delay(delay_ms)
        self._delayed = True

    def far(self, chunk: np.ndarray) -> None:
        self.path.far(chunk)

    def near(self, chunk: np.ndarray) -> Talk:
        """Decide for this microphone chunk."""
        mic, echo, reference = self.path.near(chunk)
        error = mic - echo
        mic_p, echo_p, error_p = _power(mic), _power(echo), _power(error)
        self.mic_power = float(mic_p.sum()) / SCALE
        chunk_p = float(np.mean(np.square(chunk, dtype=np.float64)))
        self.onset_power = chunk_p if chunk_p > ONSET_RISE * self.mic_power else 0.0
        self.echo_power = float(echo_p.sum()) / SCALE
        far_level = self.echo_power if self.converged else float(_power(reference).sum()) / SCALE
        far_on = far_level > _FULL * 10 ** (FAR_DBFS / 10)
        near_on = self._near_present(echo_p, error_p)
        if near_on:
            self._hang = HANG_BLOCKS
        elif self._hang > 0:
            self._hang -= 1
            near_on = True
        self._noise.learn(error_p)
        if far_on and self.converged and not near_on:
            self.path.adapt()
            self._learn(mic_p, error_p)
        elif far_on and not self.converged:
            # No verdict yet: learn only in the bins whose sound the reference can
            # explain (the teacher's voice or markers there must not teach it).
            bins = self._coupling.explained(mic_p, self.path.window_power())
            if bins.sum() >= MIN_GATED_BINS:
                self.path.adapt(bins)
                self._learn(mic_p[bins], error_p[bins])
        if far_on:
            self.talk = Talk.BOTH if near_on else Talk.FAR
        else:
            self.talk = Talk.NEAR if near_on else Talk.SILENCE
        return self.talk

    def _near_present(self, echo_p: np.ndarray, error_p: np.ndarray) -> bool:
        """The error well above what echo and noise leave.

        What the prediction leaves of the echo is its ERLE (an upper quartile, so
        blocks with a near end before the first verdict do not inflate it)."""
        leftover = 10 ** (-self._erle_db / 10)
        # A rising echo (a word's start) is predicted less well than a steady one.
        echo = float(echo_p.sum())
        rise = min(MAX_RISE, echo / max(self._echo_before[0], 1e-9))
        self._echo_before.append(echo)
        expected = echo * leftover * max(1.0, rise) + float(self._noise.power.sum())
        error = float(error_p.sum())
        # What in the microphone is neither predicted echo nor its usual leftover,
        # bin by bin: a near end where the echo is weak (the teacher's markers over
        # the pupil's, a voice's upper harmonics) counts even when the whole band
        # holds no more than the leftover the echo is allowed.
        left = echo_p * (leftover * max(1.0, rise)) + self._noise.power
        standing = error_p > left * BIN_OVER_EXPECTED
        self.near_power = float((error_p - left)[standing].sum()) / SCALE
        ratio = error / max(expected, 1e-9)
        self._ratio = ratio
        # Hysteresis: a talker must stand out clearly (for two blocks) to start a
        # verdict, less to keep it; one loud block of leftover echo starts nothing.
        if self._ratio > 10 ** (NEAR_OVER_EXPECTED_DB / 10):
            self._onset += 1
        else:
            self._onset = 0
        keep = self._hang > 0 and self._ratio > 10 ** (KEEP_OVER_EXPECTED_DB / 10)
        return self.converged and (self._onset >= ONSET_BLOCKS or keep)

    def _learn(self, mic_p: np.ndarray, error_p: np.ndarray) -> None:
        """How well the prediction does, from blocks where it adapts."""
        if mic_p.sum() <= 0 or error_p.sum() <= 0:
            return
        self._erles.append(10 * np.log10(mic_p.sum() / error_p.sum()))
        # An upper quartile: before there is a verdict, blocks with a near end count
        # too and read low; they must not hide what the prediction can do. While
        # the first 2 s fill, a median: the first turn's blocks improve as the
        # filter learns, and an upper quartile of them promised more than it
        # could keep (false near-end verdicts in the first seconds).
        self._learnt += 1
        if len(self._erles) >= MIN_ERLE_BLOCKS and self._learnt % 5 == 0:  # cheaper 1 in 5
            erles = np.fromiter(self._erles, float, len(self._erles))
            quantile = QUANTILE
            if len(erles) < ERLE_BLOCKS:  # the recent half: the first blocks read low
                erles, quantile = erles[len(erles) // 2 :], EARLY_QUANTILE
            rank = int(len(erles) * quantile)
            self._erle_db = float(np.partition(erles, rank)[rank])
            # Hysteresis: a far end over a teacher the detector missed reads low for
            # a while; that must not switch the verdicts off (and the guard idle).
            bar = KEEP_CONVERGED_ERLE_DB if self._converged else CONVERGED_ERLE_DB
            self._converged = self._erle_db >= bar


class Coupling:
    """How loud the echo is against the reference, before the prediction knows: the
    microphone over the reference in the window (all bins), a low quantile of it
    over the last 2 s (the blocks with only echo read lowest). A bin whose
    microphone stands ``COUPLING_MARGIN_DB`` above that is not (only) echo."""

    def __init__(self) -> None:
        self._ratios: collections.deque[float] = collections.deque(maxlen=ERLE_BLOCKS)
        self._level = np.inf

    def explained(self, mic_p: np.ndarray, window_p: np.ndarray) -> np.ndarray:
        total = float(window_p.sum())
        if total > 0 and mic_p.sum() > 0:
            self._ratios.append(float(mic_p.sum()) / total)
            if len(self._ratios) >= MIN_ERLE_BLOCKS and len(self._ratios) % 5 == 0:
                ratios = np.fromiter(self._ratios, float, len(self._ratios))
                rank = int(len(ratios) * COUPLING_QUANTILE)
                self._level = float(np.partition(ratios, rank)[rank])
        bound = self._level * 10 ** (COUPLING_MARGIN_DB / 10)
        return np.asarray(mic_p <= window_p * bound)


class NoiseFloor:
    """The room's noise per bin under the talkers: the minimum of the smoothed error
    power over the last 1.6 s (minimum statistics), raised by ``NOISE_BIAS`` because
    a murmur's minimum lies far under its peaks."""

    def __init__(self, bins: int) -> None:
        self._smooth = np.zeros(bins)
        self._current = np.full(bins, np.inf)
        self._minima: collections.deque[np.ndarray] = collections.deque(maxlen=NOISE_PARTS)
        self._count = 0
        self.power = np.zeros(bins)

    def learn(self, error_p: np.ndarray) -> None:
        self._smooth += 0.3 * (error_p - self._smooth)
        np.minimum(self._current, self._smooth, out=self._current)
        self._count += 1
        if self._count % NOISE_PART_BLOCKS == 0:
            self._minima.append(self._current)
            self._current = np.full_like(self._current, np.inf)
            self.power = np.min(self._minima, axis=0) * NOISE_BIAS


def _power(spectrum: np.ndarray) -> np.ndarray:
    return spectrum.real**2 + spectrum.imag**2
