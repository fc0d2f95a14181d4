"""Speech-like test signals: voiced syllables with pauses, and the babble of a class.

Not speech, but what matters to an echo canceller and a noise suppressor: a
harmonic spectrum with a moving pitch, syllables at about 4 per second, pauses,
and (for babble) many such voices at once. Deterministic per seed. Levels are
RMS dBFS over the whole signal (full-scale square wave = 0 dBFS, as media.measure).
"""

from __future__ import annotations

import numpy as np

from media.audio.level import rms_of

SAMPLE_RATE = 48000


def voice(seconds: float, *, f0: float, seed: int, level_dbfs: float) -> np.ndarray:
    """One talker, continuously talking (syllables and short gaps), float32 samples."""
    rng = np.random.default_rng(seed)
    n = round(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    # Intonation: a new pitch target every ~150 ms (0.75-1.3 × f0), glided to, plus
    # a little fast jitter. A steady pitch would leave most of the spectrum empty.
    knots = np.arange(0, seconds + 0.3, 0.15)
    contour = np.interp(t, knots, rng.uniform(0.75, 1.3, len(knots)))
    jitter = 1 + 0.01 * np.convolve(rng.standard_normal(n), np.ones(240) / 15.5, mode="same")
    phase = 2 * np.pi * np.cumsum(f0 * contour * jitter) / SAMPLE_RATE
    signal = np.zeros(n)
    # A falling spectrum with two broad "formant" bumps moving with time. What does
    # not depend on the harmonic is computed once: a test's 16 s of a class talking
    # took seconds when each harmonic recomputed it.
    pitch = f0 * contour
    first, second = 700 + 200 * np.sin(3 * t), 1800 + 400 * np.sin(2.1 * t)
    for k in range(1, int(5000 // f0)):
        bump = 1 + 2 * np.exp(-np.square((k * pitch - first) / 300))
        bump += 1.5 * np.exp(-np.square((k * pitch - second) / 500))
        signal += bump * np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k
    signal += 0.05 * rng.standard_normal(n)  # breath and fricatives
    signal *= _syllables(n, rng)
    return _at_level(signal, level_dbfs)


def babble(seconds: float, *, talkers: int = 6, seed: int, level_dbfs: float) -> np.ndarray:
    """A class talking among itself: ``talkers`` voices at once."""
    rng = np.random.default_rng(seed)
    mix = sum(
        voice(seconds, f0=float(rng.uniform(110, 300)), seed=seed * 100 + i, level_dbfs=-30)
        for i in range(talkers)
    )
    return _at_level(np.asarray(mix), level_dbfs)


def turns(n: int, *, on_s: float, off_s: float, offset_s: float = 0.0) -> np.ndarray:
    """1 while talking, 0 while silent (10 ms ramps), repeating every on_s + off_s."""
    t = (np.arange(n) / SAMPLE_RATE - offset_s) % (on_s + off_s)
    gate = (t < on_s).astype(np.float64)
    ramp = round(0.01 * SAMPLE_RATE)
    return np.convolve(gate, np.ones(ramp) / ramp, mode="same")


def _syllables(n: int, rng: np.random.Generator) -> np.ndarray:
    envelope = np.zeros(n)
    at = 0
    while at < n:
        length = round(rng.uniform(0.10, 0.28) * SAMPLE_RATE)
        piece = np.sin(np.linspace(0, np.pi, length)) ** 0.7
        envelope[at : at + length] = piece[: n - at]
        at += length + round(rng.choice((0.02, 0.05, 0.3), p=(0.6, 0.3, 0.1)) * SAMPLE_RATE)
    return envelope


def _at_level(signal: np.ndarray, level_dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(signal**2)))
    return (signal * (rms_of(level_dbfs) / rms)).astype(np.float32)
