"""The double-talk detector, ducking and the leak guard (issue 11), on the simulated
classroom and with real APM frames where the APM matters.

The room's teacher markers are off where a test needs the same result every run:
they carry the wall clock (docs/performance.md), and they are a near-end sound the
detector rightly calls one.
"""

from __future__ import annotations

import asyncio
import dataclasses

import numpy as np
import pytest

from media.audio import voices
from media.audio.doubletalk import DoubleTalkDetector, Talk
from media.audio.ducking import ATTACK_MS, DEPTH_DB, Ducker
from media.audio.leakguard import ERLE_DB, FIRST_CUT_DB, MAX_CUT_DB, NEAR_MARGIN_DB, LeakGuard
from media.audio.level import dbfs
from media.audio.meter import EchoReport
from media.audio.room import CLASSROOM, HOME, RoomConfig, impulse_response
from media.audio.settings import OFF, AudioSettings, AudioSettingsInvalid
from tests.unit.test_audio_processing import _chain, _far_talker, _talk

RATE = voices.SAMPLE_RATE
ACTIVE = 32768.0**2 * 1e-5  # -50 dBFS
STEADY = dataclasses.replace(CLASSROOM, markers=False)


def test_the_detector_tells_the_teacher_from_the_pupils_echo() -> None:
    """The loud unit's echo 10 dB over the teacher: double talk is caught, the pupil
    talking alone is seldom taken for it (the room's signals, no APM)."""
    seconds = 12.0
    n = round(seconds * RATE)
    far = voices.voice(seconds, f0=260, seed=2, level_dbfs=-24) * voices.turns(
        n, on_s=2.0, off_s=2.0
    )
    turn = voices.turns(n, on_s=2.0, off_s=2.0, offset_s=1.0)
    teacher = voices.voice(seconds, f0=210, seed=1, level_dbfs=-28) * turn
    echo = np.convolve(far, impulse_response(CLASSROOM))[:n]
    mic = echo + teacher + voices.babble(seconds, seed=8, level_dbfs=-50)
    detector = DoubleTalkDetector()
    detector.set_delay(60)
    rows = []
    for start in range(0, n, 480):
        part = slice(start, start + 480)
        detector.far(far[part])
        both = detector.near(mic[part]) is Talk.BOTH and detector.converged
        e, t = echo[part], teacher[part]
        rows.append((both, float(e @ e) / 480, float(t @ t) / 480))
    both, echo_p, teacher_p = np.array(rows).T
    both = both.astype(bool)
    index = np.arange(len(rows))
    in_turn = ((index / 100 - 1.0) % 4.0) < 2.0
    near_turn = np.convolve(in_turn, np.ones(61), "same") > 0  # the teacher within 300 ms
    settled = index >= 200
    alone = (echo_p > ACTIVE) & ~near_turn & settled
    double = (echo_p > ACTIVE) & (teacher_p > ACTIVE) & settled
    assert detector.converged and detector.erle_db > 20.0
    assert alone.sum() > 50 and both[alone].mean() <= 0.15
    caught = (teacher_p * both)[double].sum() / teacher_p[double].sum()
    assert caught >= 0.75


def _run(settings: AudioSettings, seconds: float, room: RoomConfig,
         far: np.ndarray | None = None) -> tuple[EchoReport, list[float]]:  # fmt: skip
    simulated, track, meter = _chain(settings, room)
    simulated.ducker = track.processor.ducker
    gains: list[float] = []
    tap = track.tap

    def watch(mic: np.ndarray, out: np.ndarray) -> None:
        gains.append(track.processor.ducker.gain_db)
        assert tap is not None
        tap(mic, out)

    track.tap = watch
    played = _far_talker(8.0) if far is None else far
    asyncio.run(_talk(simulated, track, played, seconds))
    return meter.report(), gains


def test_ducking_keeps_the_teacher_in_sustained_double_talk() -> None:
    """The unit's loud speaker, the teacher talking over the pupil for seconds: without
    ducking the canceller lowers the teacher ~20 dB or more; with it, within 6 dB."""
    plain, _ = _run(AudioSettings(leak_guard=False), 12.0, STEADY)
    ducked, gains = _run(AudioSettings(ducking=True, leak_guard=False), 12.0, STEADY)
    assert plain.near_end_kept_db is not None and plain.near_end_kept_db < -15.0
    assert ducked.near_end_kept_db is not None and ducked.near_end_kept_db >= -6.0
    assert ducked.echo_return_loss_enhancement_db is not None
    assert ducked.echo_return_loss_enhancement_db >= 30.0
    assert min(gains) <= -DEPTH_DB + 0.5  # it did duck, to full depth


def test_a_far_end_only_stretch_is_not_ducked() -> None:
    """No teacher at all (only the class's murmur): the pupil is never turned down."""
    silent_teacher = dataclasses.replace(STEADY, near_dbfs=-140.0)
    report, gains = _run(AudioSettings(ducking=True), 10.0, silent_teacher)
    assert report.echo_return_loss_enhancement_db is not None
    assert report.echo_return_loss_enhancement_db >= 30.0
    assert min(gains[100:]) > -1.0  # after the first second


def test_the_leak_guard_removes_a_leak_and_leaves_the_teacher() -> None:
    """The demo's 260 Hz pupil in the phase where AEC3 leaks (29.9 dB without the
    guard, the same every run without markers): the guard lifts it above 40 dB and
    costs the teacher at most 2 dB."""
    n = round(8.0 * RATE)
    far = voices.voice(8.0, f0=HOME.near_f0, seed=HOME.seed, level_dbfs=HOME.near_dbfs)
    far = far * voices.turns(n, on_s=HOME.talk_on_s, off_s=HOME.talk_off_s,
                             offset_s=HOME.talk_offset_s)  # fmt: skip
    plain, _ = _run(AudioSettings(leak_guard=False), 20.0, STEADY, far)
    guarded, _ = _run(AudioSettings(leak_guard=True), 20.0, STEADY, far)
    assert plain.echo_return_loss_enhancement_db is not None
    assert plain.echo_return_loss_enhancement_db < 30.0  # the leak, as before this guard
    assert guarded.echo_return_loss_enhancement_db is not None
    assert guarded.echo_return_loss_enhancement_db >= 40.0
    assert plain.near_end_kept_db is not None and guarded.near_end_kept_db is not None
    assert guarded.near_end_kept_db >= plain.near_end_kept_db - 2.0


def test_the_leak_guard_lowers_a_leak_never_what_is_not_echo_and_at_most_its_cap() -> None:
    rng = np.random.default_rng(3)
    mic = (rng.standard_normal(480) * 3000).astype(np.int16)
    leak = (mic.astype(np.float64) * 10 ** (-8 / 20)).astype(np.int16).tobytes()
    untouched = LeakGuard()
    assert untouched.process(mic, leak, None) == leak  # no verdict: a teacher may be in it
    guard = LeakGuard()
    first = guard.process(mic, leak, 0.0)  # a teacher's first 10 ms may read as echo
    cut = dbfs(np.frombuffer(leak, np.int16)) - dbfs(np.frombuffer(first, np.int16))
    assert 1.0 < cut <= FIRST_CUT_DB + 0.5
    out = guard.process(mic, leak, 0.0)
    out = guard.process(mic, leak, 0.0)  # the 2 ms ramp is behind it now
    level = dbfs(np.frombuffer(out, np.int16))
    assert level <= dbfs(mic) - ERLE_DB + 0.5
    louder = (mic.astype(np.float64) * 2).clip(-32768, 32767).astype(np.int16).tobytes()
    capped = LeakGuard()
    for _ in range(3):
        out = capped.process(mic, louder, 0.0)
    cut = dbfs(np.frombuffer(louder, np.int16)) - dbfs(np.frombuffer(out, np.int16))
    assert cut == pytest.approx(MAX_CUT_DB, abs=0.5)
    # What is not echo in the microphone (a talker 20 dB down) is never lowered: the
    # output may be 6 dB over it, with or without a near-end verdict.
    near = float(np.mean(mic.astype(np.float64) ** 2)) * 10 ** (-20 / 10)
    talker = LeakGuard()
    quiet = (mic.astype(np.float64) * 10 ** (-18 / 20)).astype(np.int16).tobytes()
    assert talker.process(mic, quiet, near) == quiet
    loud = LeakGuard()
    for _ in range(3):
        out = loud.process(mic, leak, near)
    level = dbfs(np.frombuffer(out, np.int16))
    assert level == pytest.approx(dbfs(mic) - 20 + NEAR_MARGIN_DB, abs=0.5)
    # It eases off fast: a teacher right after a leak is not held down.
    loud.process(mic, quiet, None)
    loud.process(mic, quiet, None)
    assert loud.process(mic, quiet, None) == quiet


def test_ducking_glides_and_leaves_the_sound_alone_when_idle() -> None:
    ducker = Ducker()
    tone = np.full(480, 10000.0)
    assert np.array_equal(ducker.apply(tone), tone)  # not ducking: the very samples
    ducker.duck(True)
    attack = round(ATTACK_MS * RATE / 1000)
    first = ducker.apply(np.full(attack, 10000.0))
    assert first[0] > 9000 and ducker.gain_db == pytest.approx(-DEPTH_DB)
    ducker.duck(False)
    out = ducker.apply(np.full(4800, 10000.0))  # 100 ms: a third of the release
    assert -DEPTH_DB < ducker.gain_db < -DEPTH_DB / 2
    assert np.all(np.diff(out) >= 0)  # back up smoothly, no step
    ducker.enabled = False
    ducker.duck(True)
    assert not ducker.ducking


def test_the_options_are_stored_checked_and_optional() -> None:
    stages = {name: True for name in ("echo_cancellation", "noise_suppression",
                                      "high_pass_filter", "auto_gain_control")}  # fmt: skip
    older = AudioSettings.from_body(stages)  # stored before the options existed
    assert not older.ducking and older.leak_guard  # the defaults
    chosen = AudioSettings(ducking=True, leak_guard=False)
    assert AudioSettings.from_body(chosen.to_body()) == chosen
    for bad in ({**stages, "ducking": "yes"}, {**stages, "leak_guard": 1}):
        with pytest.raises(AudioSettingsInvalid):
            AudioSettings.from_body(bad)
    assert not OFF.ducking and not OFF.leak_guard
