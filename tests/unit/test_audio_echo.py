"""The teacher's echo status (issue 11.5): EchoWatch on its own, and on real APM frames.

The watch sees only the microphone, the processed output and what the speaker
plays; the simulated room (media.audio.room) checks that it says "converged"
with the canceller on and never with only noise suppression running.
"""

from __future__ import annotations

import asyncio
import sys

import numpy as np
import pytest

from media.audio.echo import CONVERGED_SHARE, HANG_CHUNKS, WINDOW, EchoStatus, EchoWatch
from media.audio.processor import CHUNK, Processor
from media.audio.room import CLASSROOM, FRAME, HOME
from media.audio.settings import AudioSettings
from media.audio.track import ProcessedAudioTrack
from media.synthetic_audio import SyntheticAudioTrack
from tests.unit.test_audio_processing import _chain, _far_talker, _frame

rng = np.random.default_rng(5)


def _noise(dbfs: float) -> np.ndarray:
    amplitude = 32768 * 10 ** (dbfs / 20)
    return np.clip(rng.normal(0, amplitude, CHUNK), -32768, 32767).astype(np.int16)


def _feed(watch: EchoWatch, chunks: int, *, far_dbfs: float | None, mic_dbfs: float,
          out_db_below: float) -> None:  # fmt: skip
    for _ in range(chunks):
        if far_dbfs is not None:
            watch.far(_noise(far_dbfs))
        mic = _noise(mic_dbfs)
        out = (mic * 10 ** (-out_db_below / 20)).astype(np.int16)
        watch.near(mic, out)


def test_a_quiet_output_while_the_far_end_plays_converges_after_one_window() -> None:
    watch = EchoWatch()
    _feed(watch, WINDOW - 1, far_dbfs=-20, mic_dbfs=-25, out_db_below=25)
    assert not watch.converged  # not before a whole window
    _feed(watch, 1, far_dbfs=-20, mic_dbfs=-25, out_db_below=25)
    assert watch.converged
    assert watch.reduction_db is not None and 24 < watch.reduction_db < 26


def test_an_output_as_loud_as_the_microphone_never_converges() -> None:
    watch = EchoWatch()
    _feed(watch, 5 * WINDOW, far_dbfs=-20, mic_dbfs=-25, out_db_below=0)
    assert not watch.converged
    assert watch.reduction_db is not None and abs(watch.reduction_db) < 0.5


def test_a_mostly_clean_window_converges_and_a_mostly_unclean_does_not() -> None:
    clean = round(CONVERGED_SHARE * WINDOW)
    mostly = EchoWatch()
    _feed(mostly, WINDOW - clean, far_dbfs=-20, mic_dbfs=-25, out_db_below=0)  # double talk
    _feed(mostly, clean, far_dbfs=-20, mic_dbfs=-25, out_db_below=30)
    assert mostly.converged
    too_few = EchoWatch()
    _feed(too_few, WINDOW - clean + 1, far_dbfs=-20, mic_dbfs=-25, out_db_below=0)
    _feed(too_few, clean - 1, far_dbfs=-20, mic_dbfs=-25, out_db_below=30)
    assert not too_few.converged


def test_without_the_far_end_nothing_is_judged() -> None:
    watch = EchoWatch()
    _feed(watch, 3 * WINDOW, far_dbfs=None, mic_dbfs=-25, out_db_below=30)
    assert not watch.converged and watch.reduction_db is None
    # A far-end burst counts for the echo's time after it, then no longer.
    watch.far(_noise(-20))
    _feed(watch, 3 * WINDOW, far_dbfs=None, mic_dbfs=-25, out_db_below=30)
    assert watch.reduction_db is None  # only HANG_CHUNKS were counted
    assert HANG_CHUNKS < WINDOW


def test_reset_starts_over() -> None:
    watch = EchoWatch()
    _feed(watch, WINDOW, far_dbfs=-20, mic_dbfs=-25, out_db_below=30)
    assert watch.converged
    watch.reset()
    assert not watch.converged and watch.reduction_db is None


async def _play(room_config: object, settings: AudioSettings, seconds: float,
                change: AudioSettings | None = None) -> list[EchoStatus]:  # fmt: skip
    """The status after each second of the simulated room (far end talking in turns)."""
    simulated, track, _meter = _chain(settings, room_config)  # type: ignore[arg-type]
    far = _far_talker(8.0)
    statuses = []
    for i in range(round(seconds * 50)):
        if change is not None and i == round(seconds * 25):
            track.processor.apply(change)
        simulated.play(_frame(far[(i * FRAME) % len(far) :][:FRAME]))
        await track.recv()
        if i % 50 == 49:
            statuses.append(track.echo_status)
    return statuses


@pytest.mark.parametrize("room", [CLASSROOM, HOME], ids=["classroom", "home"])
def test_real_apm_converges_within_two_seconds(room: object) -> None:
    statuses = asyncio.run(_play(room, AudioSettings(), 6.0))
    assert statuses[0] is EchoStatus.CONVERGING  # one window is needed first
    assert EchoStatus.CONVERGED in statuses[:2]
    assert statuses[-1] is EchoStatus.CONVERGED


def test_noise_suppression_alone_is_not_taken_for_echo_cancellation() -> None:
    """With the canceller off, the watch still sees every chunk and never says converged."""
    simulated, track, _ = _chain(AudioSettings(echo_cancellation=False), CLASSROOM)
    far = _far_talker(8.0)

    async def run() -> None:
        for i in range(8 * 50):
            simulated.play(_frame(far[(i * FRAME) % len(far) :][:FRAME]))
            await track.recv()

    asyncio.run(run())
    assert track.echo_status is EchoStatus.OFF
    assert not track.echo.converged
    assert track.echo.reduction_db is not None and track.echo.reduction_db < 10


def test_a_settings_change_adapts_afresh() -> None:
    # Noise suppression switched off mid-way: a new APM, so "converging" again first.
    statuses = asyncio.run(
        _play(CLASSROOM, AudioSettings(), 6.0, change=AudioSettings(noise_suppression=False))
    )
    assert statuses[:3] == [EchoStatus.CONVERGING, EchoStatus.CONVERGED, EchoStatus.CONVERGED]
    assert statuses[3] is EchoStatus.CONVERGING  # the change came at 3 s
    assert statuses[-1] is EchoStatus.CONVERGED


def test_off_unavailable_and_a_test_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    off = ProcessedAudioTrack(SyntheticAudioTrack(), Processor(AudioSettings(False, True)))
    assert off.echo_status is EchoStatus.OFF
    tone = ProcessedAudioTrack(SyntheticAudioTrack(), Processor(AudioSettings()))
    assert tone.echo_status is EchoStatus.OFF  # a tone bypasses the processing
    monkeypatch.setitem(sys.modules, "livekit.rtc", None)  # the module does not load
    missing = ProcessedAudioTrack(SyntheticAudioTrack(), Processor(AudioSettings()))
    assert missing.echo_status is EchoStatus.UNAVAILABLE
