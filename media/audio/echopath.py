"""The echo the microphone should hold, predicted from what the speaker played.

For media.audio.doubletalk only: the prediction decides who talks; it never
changes what the APM gets (a pre-canceller hurt AEC3 earlier, and the reference
must stay exactly what was played).

Both signals are decimated to 8 kHz (voices carry their energy below 4 kHz) and
cut into 40 ms Hann frames every 10 ms. Per frequency bin (every other one, 50
Hz apart, 150-3550 Hz) the microphone is predicted from the last ``TAPS``
reference frames, starting ``bulk`` frames back (media.audio.delay's estimate
less a margin): a convolutive transfer function, learnt by recursive least
squares per bin. NLMS was tried first (a partitioned block filter): on voices it
reached only 12-20 dB after 10 s, because a voice excites each bin only while a
harmonic passes through it and consecutive frames are strongly correlated;
recursive least squares reaches about 27 dB within 1-2 s on the simulated room
(the 40 ms frame: with 20 ms ones it stopped at 20 dB). The caller adapts it only
while no near end talks (:meth:`EchoPath.adapt`), so the teacher's voice never
teaches it.
"""

from __future__ import annotations

import collections

import numpy as np

DECIMATE = 6  # 48 kHz -> 8 kHz
BLOCK = 80  # 10 ms at 8 kHz
FRAME = 4 * BLOCK  # 40 ms analysis frames
TAPS = 16  # 160 ms of room from the window's start: the direct sound and the loud tail
MARGIN_BLOCKS = 2  # the window starts this far before the estimated delay
MAX_BULK = 40  # 400 ms: media.audio.delay's range
FORGET = 0.998  # recursive least squares' memory: about 5 s of far-end blocks
LAG_BLOCKS = 100  # the streams' offset: the far stream's smallest lead over the last second
BINS = slice(6, 142, 2)  # 150-3525 Hz, every other 25 Hz bin
_RING = 64  # reference frames kept (MAX_BULK + TAPS fit)
_WINDOW = np.hanning(FRAME + 1)[:FRAME]
# Σ|X|² over the bins used, for a signal of mean square 1 with a flat spectrum.
SCALE = float(_WINDOW @ _WINDOW) * FRAME / 2 * (len(range(*BINS.indices(FRAME))) / (FRAME / 2))
_P0 = 1e-6  # the inverse correlation's start (and ceiling): about 1/(a quiet frame's power)


def _lowpass() -> np.ndarray:
    """Windowed sinc, 3.4 kHz at 48 kHz: what folds back into 0-4 kHz is 40+ dB down."""
    n = np.arange(96) - 47.5
    taps = np.sinc(2 * 3400 / 48000 * n) * np.blackman(96)
    return taps / taps.sum()


_LOWPASS = _lowpass()


class Decimator:
    """10 ms at 48 kHz in, the last ``FRAME`` samples at 8 kHz out (filtered across edges)."""

    def __init__(self) -> None:
        self._data = np.zeros(len(_LOWPASS) - 1 + BLOCK * DECIMATE)
        # Each output sample's input window, as a view made once (it follows _data).
        self._windows = np.lib.stride_tricks.as_strided(
            self._data, (BLOCK, len(_LOWPASS)), (DECIMATE * 8, 8), writeable=False
        )
        self.frame = np.zeros(FRAME)

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        keep = len(_LOWPASS) - 1
        self._data[:keep] = self._data[-keep:]
        self._data[keep:] = chunk
        self.frame[:-BLOCK] = self.frame[BLOCK:]
        self.frame[-BLOCK:] = self._windows @ _LOWPASS
        return self.frame


class EchoPath:
    """Feed :meth:`far` with every reference chunk and :meth:`near` with every
    microphone chunk (10 ms at 48 kHz, ±32768 scale) in arrival order."""

    def __init__(self) -> None:
        self._far_in, self._near_in = Decimator(), Decimator()
        bins = len(range(*BINS.indices(FRAME)))
        self._spectra = np.zeros((_RING, bins), complex)  # by index in the far stream
        self._far_count = self._near_count = 0
        self._lags: collections.deque[int] = collections.deque(maxlen=LAG_BLOCKS)
        self._offset: int | None = None  # far block "now" = near block + offset
        self._weights = np.zeros((bins, TAPS), complex)
        self._inverse = np.tile(np.eye(TAPS, dtype=complex) * _P0, (bins, 1, 1))
        self._regressors = np.zeros((bins, TAPS), complex)
        self._error = np.zeros(bins, complex)
        self.bulk = 0  # blocks from "now" back to the window's start
        self.updates = 0

    def set_delay(self, delay_ms: int) -> None:
        """Move the window to a new delay estimate (the filter starts again)."""
        bulk = max(0, min(MAX_BULK, round(delay_ms / 10) - MARGIN_BLOCKS))
        if bulk != self.bulk:
            self._shift(bulk - self.bulk)
            self.bulk = bulk

    def _shift(self, blocks: int) -> None:
        """Keep what was learnt of the taps that stay in the window (the window
        moves ``blocks`` later): the first estimate often comes after a first
        turn's echo was learnt, and starting again would lose it."""
        keep = TAPS - abs(blocks)
        weights, inverse = self._weights.copy(), self._inverse.copy()
        self._weights[:] = 0
        self._inverse[:] = np.eye(TAPS) * _P0
        if keep <= 0:
            return
        old = slice(blocks, TAPS) if blocks > 0 else slice(0, keep)
        new = slice(0, keep) if blocks > 0 else slice(-blocks, TAPS)
        self._weights[:, new] = weights[:, old]
        self._inverse[:, new, new] = inverse[:, old, old]
        # The new taps start as uncertain as the kept ones are now, not at the
        # start's: a large gain on them would throw the converged prediction off.
        kept = np.einsum("bii->bi", inverse[:, old, old]).real.mean(axis=1)
        fresh = np.setdiff1d(np.arange(TAPS), np.arange(TAPS)[new])
        self._inverse[:, fresh, fresh] = kept[:, None]

    def far(self, chunk: np.ndarray) -> None:
        frame = self._far_in(chunk)
        self._spectra[self._far_count % _RING] = np.fft.rfft(frame * _WINDOW)[BINS]
        self._far_count += 1

    def near(self, chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This microphone frame's spectrum, the predicted echo's and the reference's
        most recent frame in the window (the bins of ``BINS``)."""
        mic = np.fft.rfft(self._near_in(chunk) * _WINDOW)[BINS]
        self._regressors = regressors = self._spectra[self._indices()].T  # (bins, taps)
        echo = np.einsum("bk,bk->b", self._weights.conj(), regressors)
        self._error = mic - echo
        return mic, echo, regressors[:, 0]

    def window_power(self) -> np.ndarray:
        """After :meth:`near`: the reference's power per bin over the window's frames."""
        x = self._regressors
        return (x.real**2 + x.imag**2).sum(axis=1)

    def adapt(self, bins: np.ndarray | None = None) -> None:
        """After :meth:`near`: learn from this frame (only while no near end talks),
        in the bins where ``bins`` is true (all without it)."""
        x, inverse = self._regressors, self._inverse
        px = np.matmul(inverse, x[:, :, None])[:, :, 0]
        gain = px / (FORGET + np.einsum("bi,bi->b", x.conj(), px).real)[:, None]
        if bins is not None:
            gain[~bins] = 0
        self._weights += gain * self._error.conj()[:, None]
        inverse -= gain[:, :, None] * px.conj()[:, None, :]
        if bins is None:
            inverse *= 1.0 / FORGET
        else:
            inverse[bins] *= 1.0 / FORGET
        self.updates += 1
        if self.updates % 10 == 0:
            # Bins the voice hardly reaches would let the inverse grow without bound.
            diagonal = np.einsum("bii->bi", inverse).real.max(axis=1)
            over = diagonal > _P0
            if over.any():
                inverse[over] *= (_P0 / diagonal[over])[:, None, None]

    def _indices(self) -> np.ndarray:
        """The reference frames that line up with this microphone frame, newest first.

        Both streams run at the same rate, so the far block that plays "now" is the
        microphone's index plus a constant; the arrival order (two reference
        chunks then two microphone chunks, or a sound card's bursts) only says
        which blocks are here yet. The offset is the far stream's smallest lead
        over the last second (every block it names has arrived); it moves only
        when the streams really shift (a speaker that ran dry).
        """
        self._near_count += 1
        self._lags.append(self._far_count - self._near_count)
        # The smallest lead so far from the start, too: the first lead read is one
        # block high (a pair of reference chunks comes before its microphone pair),
        # and holding it for the first second misaligned every other block, so
        # nothing was learnt from the pupil's first turn.
        self._offset = min(self._lags)
        now = min(self._near_count - 1 + self._offset, self._far_count - 1)
        start = now - self.bulk
        return np.arange(start, start - TAPS, -1) % _RING
