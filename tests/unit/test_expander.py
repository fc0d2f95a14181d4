"""The expander after the noise suppressor: babble lowered, speech kept, words keep their start."""

from __future__ import annotations

import numpy as np

from media.audio import voices
from media.audio.expander import MAX_CUT_DB, Expander
from media.audio.level import dbfs
from media.audio.processor import CHUNK as FRAME


def _chunks(signal: np.ndarray) -> list[bytes]:
    s16 = np.clip(np.rint(signal), -32768, 32767).astype(np.int16)
    return [s16[i : i + FRAME].tobytes() for i in range(0, len(s16) - FRAME + 1, FRAME)]


def _level(chunks: list[bytes]) -> float:
    return dbfs(np.frombuffer(b"".join(chunks), dtype=np.int16))


def _run(signal: np.ndarray) -> tuple[list[bytes], list[bytes]]:
    expander = Expander()
    chunks = _chunks(signal)
    return chunks, [expander.process(c) for c in chunks]


def test_steady_babble_is_lowered_once_the_floor_is_known() -> None:
    babble = voices.babble(6.0, seed=3, level_dbfs=-60.0)
    before, after = _run(babble)
    learnt = 200  # two seconds
    lowered = _level(before[learnt:]) - _level(after[learnt:])
    assert lowered >= 0.6 * MAX_CUT_DB
    assert _level(after[:50]) == _level(before[:50])  # nothing is cut before a floor is known


def test_a_talker_over_the_babble_keeps_their_level() -> None:
    n = round(8.0 * voices.SAMPLE_RATE)
    gate = voices.turns(n, on_s=2.0, off_s=2.0)  # talks 0-2 s and 4-6 s
    talker = voices.voice(8.0, f0=210.0, seed=5, level_dbfs=-30.0) * gate
    mix = talker + voices.babble(8.0, seed=4, level_dbfs=-60.0)
    before, after = _run(mix)
    on = [i for i in range(300, len(before)) if gate[i * FRAME : (i + 1) * FRAME].min() > 0.99]
    assert len(on) > 100
    kept = _level([after[i] for i in on]) - _level([before[i] for i in on])
    assert kept > -0.5
    off = [i for i in range(300, len(before)) if gate[i * FRAME : (i + 1) * FRAME].max() < 0.01]
    quieter = _level([before[i] for i in off[10:]]) - _level([after[i] for i in off[10:]])
    assert quieter >= 5.0  # between the turns the murmur goes down again


def test_a_word_opens_it_within_its_first_chunk() -> None:
    expander = Expander()
    for chunk in _chunks(voices.babble(3.0, seed=7, level_dbfs=-62.0)):
        expander.process(chunk)
    assert expander.gain_db <= -MAX_CUT_DB + 1.0
    word = voices.voice(0.1, f0=200.0, seed=8, level_dbfs=-25.0)
    out = expander.process(_chunks(word)[0])
    assert expander.gain_db == 0.0
    start = _chunks(word)[0]
    assert out[400:] == start[400:]  # full level from its first 2 ms on


def test_digital_silence_passes_and_teaches_no_floor() -> None:
    expander = Expander()
    silence = bytes(2 * FRAME)
    assert all(expander.process(silence) == silence for _ in range(300))
    assert expander.floor_dbfs is None
    assert expander.gain_db == 0.0
