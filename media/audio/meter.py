"""What the echo canceller achieved, measured against the simulated room's known parts.

Per 10 ms chunk the meter keeps the power of the microphone, of the processed
output, of the echo and of the near-end talker, and how much of the near-end
signal is in the output (its projection). From those:

- ``echo_return_loss_enhancement_db``: 10·log10(microphone / output power) over
  chunks where only the far end talks (echo present, local talker silent), from
  ``CONVERGENCE_S`` after the first echo on. The microphone there also holds the
  class babble, so suppressed noise counts too; it is the usual definition.
- ``near_end_kept_db``: 10·log10(output / near-end talker power) during double
  talk (0 dB: fully kept; −6 dB: a quarter of the power left). Power, not a
  projection: the high-pass filter and the band split shift the phase. Residual
  echo and noise in the output count, but lie ≥ 15 dB below the talker.
- ``noise_suppressed_db``: microphone / output power while neither talks.
- ``convergence_ms``: from the first echo until a 0.5 s run of far-end-only
  chunks first reaches CONVERGED_DB.
- ``worst_100ms_share``: the share of the output power counted in the ERLE that
  lies in its worst 100 ms. Near 1: one short leak decides the run's ERLE (the
  live spread, docs/performance.md); near 0.01: the residual is spread evenly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from media.audio.level import FULL_SCALE
from media.audio.processor import CHUNK
from media.audio.room import SimulatedRoom

CONVERGENCE_S = 2.0
CONVERGED_DB = 20.0
ACTIVE = 1e-6 * FULL_SCALE**2 * 10  # -50 dBFS: a part counts as present above this
SILENT = 1e-9 * FULL_SCALE**2  # -90 dBFS: the talker is silent below this
MAX_CHUNKS = 100 * 3600  # one hour of 10 ms chunks, then the meter stops adding


@dataclass(frozen=True, slots=True)
class EchoReport:
    echo_return_loss_enhancement_db: float | None
    near_end_kept_db: float | None
    noise_suppressed_db: float | None
    convergence_ms: float | None
    worst_100ms_share: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in self.__slots__}


class EchoMeter:
    """A ProcessedAudioTrack tap; call :meth:`report` at the end."""

    def __init__(self, room: SimulatedRoom) -> None:
        self._room = room
        self._rows: list[tuple[float, float, float, float]] = []

    def __call__(self, mic: np.ndarray, out: np.ndarray) -> None:
        if not self._room.parts or len(self._rows) >= MAX_CHUNKS:
            return
        echo, near = self._room.parts.popleft()
        if len(echo) != len(mic):
            return
        for start in range(0, len(mic), CHUNK):
            part = slice(start, start + CHUNK)
            m, o = mic[part].astype(np.float64), out[part].astype(np.float64)
            e, n = echo[part].astype(np.float64), near[part].astype(np.float64)
            self._rows.append((float(m @ m), float(o @ o), float(e @ e), float(n @ n)))

    def report(self) -> EchoReport:
        if not self._rows:
            return EchoReport(None, None, None, None)
        mic, out, echo, near = np.asarray(self._rows).T / CHUNK
        has_echo = echo > ACTIVE
        if not has_echo.any():
            quiet_all = _after_quiet((echo < SILENT) & (near < SILENT))
            return EchoReport(None, None, _ratio_db(mic, out, quiet_all), None, None)
        first = int(np.argmax(has_echo))
        settled = np.arange(len(mic)) >= first + round(CONVERGENCE_S * 100)
        quiet = _after_quiet(near < SILENT)
        far_only = has_echo & quiet
        double = has_echo & (near > ACTIVE) & settled
        return EchoReport(
            echo_return_loss_enhancement_db=_ratio_db(mic, out, far_only & settled),
            near_end_kept_db=_ratio_db(out, near, double),
            noise_suppressed_db=_ratio_db(
                mic, out, _after_quiet((echo < SILENT) & (near < SILENT)) & settled
            ),
            convergence_ms=_convergence(mic, out, far_only, first),
            worst_100ms_share=_worst_share(out, far_only & settled),
        )


def _after_quiet(silent: np.ndarray) -> np.ndarray:
    """Silent in this chunk and the two before: the processing shifts sound by ~7 ms
    (its band split), so a word's or a marker's end spills into the next chunk."""
    guarded = silent.copy()
    guarded[1:] &= silent[:-1]
    guarded[2:] &= silent[:-2]
    guarded[:2] = False
    return guarded


def _ratio_db(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float | None:
    """10·log10(Σa / Σb) over the masked chunks; None with too few of them."""
    if mask.sum() < 10 or b[mask].sum() <= 0:
        return None
    return round(10 * math.log10(a[mask].sum() / b[mask].sum()), 1)


def _worst_share(out: np.ndarray, mask: np.ndarray) -> float | None:
    """The largest share of Σout[mask] within any 10 consecutive chunks (100 ms)."""
    counted = np.where(mask, out, 0.0)
    total = counted.sum()
    if mask.sum() < 10 or total <= 0:
        return None
    windows = np.convolve(counted, np.ones(10), mode="valid")
    return round(float(windows.max() / total), 3)


def _convergence(
    mic: np.ndarray, out: np.ndarray, far_only: np.ndarray, first: int
) -> float | None:
    index = np.flatnonzero(far_only)
    index = index[index >= first]
    run = 50  # 0.5 s of far-end-only chunks
    for i in range(len(index) - run + 1):
        window = index[i : i + run]
        if out[window].sum() > 0 and mic[window].sum() / out[window].sum() >= 10 ** (
            CONVERGED_DB / 10
        ):
            return float((window[-1] - first) * 10)
    return None
