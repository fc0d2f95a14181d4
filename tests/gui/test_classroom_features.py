"""Issue 5 on the classroom window: hand, pause, reactions, whisper, presence, notice,
board view and feature switches — with the pupil's real engine on the other end."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import array
import threading
from typing import Any

import av
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.av.catalog import FakeDeviceCatalog
from app.av.speaker import SpeakerSink
from app.bridge import EngineBridge
from app.classroom.chime import chime_samples, mixed
from app.classroom.live import LiveRule
from app.classroom.window import ClassroomWindow
from media.control import ControlMessage
from media.features.pause import is_pause_picture
from media.features.switches import ALL_OFF, FeatureSwitches
from media.state import CallState, StateChange
from media.synthetic_video import read_marker
from pairing.roles import Role
from tests.gui.devices import CallRig, Device, received, rig  # noqa: F401 (the fixture)
from tests.support.a11y import assert_accessible

SETUP_MS = 20_000
SHORT_MS = 300


def _live_call(rig: CallRig, qtbot: QtBot) -> tuple[Device, Device, ClassroomWindow]:  # noqa: F811
    classroom = rig.open(Role.CLASSROOM)
    student = rig.open(Role.STUDENT, start=False)
    announced = received(student.bridge, "features")  # the pupil's control channel is open
    student.start()
    window = classroom.window
    assert isinstance(window, ClassroomWindow)
    qtbot.waitUntil(lambda: window.rule.sending and bool(announced), timeout=SETUP_MS)
    assert window.features.live
    return classroom, student, window


def _decoded_frames(bridge: EngineBridge) -> list[Any]:
    """The pupil's decoded class frames, as its window takes them."""
    frames: list[Any] = []
    take = bridge.take_video_frame

    def taking() -> Any:
        frame = take()
        if frame is not None:
            frames.append(frame)
        return frame

    bridge.take_video_frame = taking  # type: ignore[method-assign]
    return frames


def test_a_raised_hand_shows_chimes_reminds_and_the_tap_answers_the_pupil(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    _, student, window = _live_call(rig, qtbot)
    features = window.features
    features.reminder.setInterval(SHORT_MS)  # 30 s in class
    acks = received(student.bridge, "hand_ack")
    assert not features.hand.isVisible() and features.chime.played == 0

    student.bridge.run(lambda e: e.features.raise_hand(True))
    qtbot.waitUntil(features.hand.isVisible, timeout=5000)
    assert features.chime.played == 1  # once at once ...
    assert "Hand raised" in features.hand.text()
    qtbot.waitUntil(lambda: features.chime.mixed > 0, timeout=3000)  # into the pupil's sound
    qtbot.waitUntil(lambda: features.chime.played >= 2, timeout=3000)  # ... then reminders
    assert_accessible(window)

    qtbot.mouseClick(features.hand, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(acks), timeout=5000)  # the pupil's engine was told
    assert not features.hand.isVisible() and not features.reminder.isActive()
    played = features.chime.played

    student.bridge.run(lambda e: e.features.raise_hand(True))  # again, and the pupil lowers it
    qtbot.waitUntil(features.hand.isVisible, timeout=5000)
    assert features.chime.played == played + 1
    student.bridge.run(lambda e: e.features.raise_hand(False))
    qtbot.waitUntil(lambda: not features.hand.isVisible(), timeout=5000)
    assert not features.reminder.isActive()


def test_pause_shows_the_pupil_the_pause_picture_and_live_goes_off_then_back(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    _, student, window = _live_call(rig, qtbot)
    frames = _decoded_frames(student.bridge)
    bar = window.features.bar
    qtbot.waitUntil(lambda: bool(frames) and read_marker(frames[-1]) is not None, timeout=5000)
    assert bar.pause.isVisible() and bar.pause.text() == "Pause"

    qtbot.mouseClick(bar.pause, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: is_pause_picture(frames[-1]), timeout=5000)
    assert read_marker(frames[-1]) is None  # no class frame
    qtbot.waitUntil(lambda: not window.live.isVisible(), timeout=5000)
    assert not window.rule.on and window.rule.paused
    paused = window.features.paused
    assert paused.isVisible()
    text = paused.text()
    assert text.startswith("Paused — the pupil sees a pause picture (") and "left)" in text
    assert bar.pause.text() == "Resume"
    assert_accessible(window)

    count = len(frames)
    qtbot.mouseClick(bar.pause, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.live.isVisible() and window.rule.sending, timeout=5000)
    qtbot.waitUntil(
        lambda: len(frames) > count and read_marker(frames[-1]) is not None, timeout=5000
    )  # class frames flow again
    assert not paused.isVisible() and bar.pause.text() == "Pause"


def test_a_reaction_is_shown_then_goes(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    _, student, window = _live_call(rig, qtbot)
    features = window.features
    features.reaction_timer.setInterval(SHORT_MS)  # 5 s in class
    student.bridge.run(lambda e: e.features.react("confused"))
    qtbot.waitUntil(features.reaction.isVisible, timeout=5000)
    assert "I don't understand" in features.reaction.text()
    qtbot.waitUntil(lambda: not features.reaction.isVisible(), timeout=3000)


def test_whisper_turns_the_speaker_down_and_back(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom, student, window = _live_call(rig, qtbot)
    speaker = classroom.sources.speaker
    assert speaker is not None
    set_volume = window.volume.volume
    assert speaker.volume == pytest.approx(set_volume)

    student.bridge.run(lambda e: e.features.whisper(True))
    qtbot.waitUntil(lambda: window.features.whispering, timeout=5000)
    assert speaker.volume == pytest.approx(set_volume * 0.15)
    assert window.features.bar.whisper.isVisible()
    qtbot.mouseClick(window.volume.up, Qt.MouseButton.LeftButton)  # still a whisper
    assert speaker.volume == pytest.approx((set_volume + 0.1) * 0.15)

    student.bridge.run(lambda e: e.features.whisper(False))
    qtbot.waitUntil(lambda: not window.features.whispering, timeout=5000)
    assert speaker.volume == pytest.approx(set_volume + 0.1)
    assert not window.features.bar.whisper.isVisible()


def test_presence_and_the_board_view_button(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom, student, window = _live_call(rig, qtbot)
    bar = window.features.bar
    student.bridge.run(lambda e: e.set_presence("voice"))
    qtbot.waitUntil(lambda: bar.presence.text() == "Pupil: Voice only", timeout=5000)
    assert bar.presence.isVisible()
    qtbot.waitUntil(lambda: window.pupil.showing == "avatar", timeout=5000)  # camera off
    assert window.pupil.avatar.title.text() == "Voice only"
    student.bridge.run(lambda e: e.set_presence("listening"))
    qtbot.waitUntil(lambda: window.pupil.avatar.title.text() == "Listening", timeout=5000)
    assert bar.presence.text() == "Pupil: Listening"

    assert bar.board.isVisible()
    qtbot.mouseClick(bar.board, Qt.MouseButton.LeftButton)
    saved = threading.Event()
    classroom.bridge.run(
        lambda e: saved.set() if e.features.classroom and e.features.classroom.board else None
    )
    qtbot.waitUntil(saved.is_set, timeout=3000)


def test_the_class_sees_the_pupils_microphone_go_off_while_they_are_on_camera(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    _classroom, student, window = _live_call(rig, qtbot)
    controls = student.window.view.controls  # type: ignore[attr-defined]
    badge, bar = window.pupil.mic_off, window.features.bar
    qtbot.waitUntil(lambda: window.pupil.showing == "video", timeout=5000)
    qtbot.waitUntil(lambda: bar.presence.text() == "Pupil: On camera", timeout=5000)
    assert not badge.isVisible()

    qtbot.mouseClick(controls.mic, Qt.MouseButton.LeftButton)  # the pupil's own button
    qtbot.waitUntil(badge.isVisible, timeout=5000)
    assert window.pupil.showing == "video"  # still on camera
    assert bar.presence.text() == "Pupil: On camera, microphone off"

    qtbot.mouseClick(controls.mic, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not badge.isVisible(), timeout=5000)
    assert bar.presence.text() == "Pupil: On camera"


# -- without an engine: the window plays the engine's reports -----------------------


def _offline(qtbot: QtBot) -> ClassroomWindow:
    window = ClassroomWindow(EngineBridge(), windowed=True, reminder_ms=SHORT_MS)
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    return window


def test_the_five_minute_notice_is_discreet(qtbot: QtBot) -> None:
    window = _offline(qtbot)
    window.bridge.control_received.emit(ControlMessage("schedule", {"closes_in_s": 300}))
    notice = window.features.bar.notice
    assert not notice.isVisible()  # the schedule is off until lesson times exist
    window.features.switches_read.emit(FeatureSwitches(schedule=True), 10.0)
    assert notice.isVisible()
    assert notice.text() == "The lesson with the pupil ends in 5 minutes"
    window.bridge.state_changed.emit(StateChange(CallState.ENDED))
    assert not notice.isVisible()


def test_switched_off_features_are_hidden(qtbot: QtBot) -> None:
    window = _offline(qtbot)
    features = window.features
    assert features.bar.pause.isVisible() and features.bar.board.isVisible()
    features.switches_read.emit(ALL_OFF, 10.0)
    assert not features.bar.pause.isVisible() and not features.bar.board.isVisible()
    window.bridge.control_received.emit(ControlMessage("presence", {"level": "voice"}))
    assert not features.bar.presence.isVisible()
    window.bridge.control_received.emit(ControlMessage("hand", {"raised": True}))
    assert not features.hand.isVisible() and features.chime.played == 0
    assert_accessible(window)


def test_without_call_audio_the_chime_plays_alone_then_the_sink_is_restored(
    qtbot: QtBot,
) -> None:
    catalog = FakeDeviceCatalog()
    catalog.add_speaker(b"speaker", "test speaker", default=True)
    speaker = SpeakerSink(catalog)
    speaker.start()
    window = ClassroomWindow(EngineBridge(), speaker=speaker, windowed=True)
    qtbot.addWidget(window)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    window.bridge.control_received.emit(ControlMessage("hand", {"raised": True}))
    assert window.features.chime.played == 1
    assert window.bridge.audio_sink == window.features.chime.sink  # mixes while it plays
    qtbot.waitUntil(lambda: speaker.frames_received >= 20, timeout=3000)  # 0.4 s of chime
    qtbot.waitUntil(lambda: window.bridge.audio_sink == speaker.push, timeout=3000)
    assert window.features.chime.mixed == 0 and speaker.level_dbfs is not None
    speaker.stop()


def test_the_chime_is_mixed_into_the_call_audio_and_clipped() -> None:
    silence = av.AudioFrame(format="s16", layout="stereo", samples=960)
    silence.planes[0].update(bytes(960 * 4))
    silence.sample_rate = 48000
    chunk = chime_samples()[: 960 * 4]
    assert bytes(mixed(silence, chunk).planes[0])[: 960 * 4] == chunk
    loud = av.AudioFrame(format="s16", layout="stereo", samples=960)
    loud.planes[0].update(array.array("h", [32000] * 1920).tobytes())
    loud.sample_rate = 48000
    out = array.array("h", bytes(mixed(loud, array.array("h", [2000] * 1920).tobytes()).planes[0]))
    assert max(out[:1920]) == 32767  # clipped, not wrapped round


def test_the_live_rule_runs_a_second_live_cycle_after_a_pause() -> None:
    rule = LiveRule()
    assert rule.state_changed(CallState.LIVE)
    rule.sending_changed(True)
    assert not rule.pause_changed(True)
    assert rule.on  # still sending: LIVE stays until sending has stopped
    rule.sending_changed(False)
    assert not rule.on
    assert rule.pause_changed(False)  # LIVE on again; sending must be confirmed anew
    assert rule.on and not rule.sending
    rule.sending_changed(True)
    assert rule.on


def test_a_pause_after_sending_stopped_turns_live_off_and_stalls_keep_it_on() -> None:
    rule = LiveRule()
    rule.state_changed(CallState.LIVE)
    rule.sending_changed(True)
    rule.responsive_changed(False)
    rule.pause_changed(True)
    assert rule.on  # the engine does not answer: fail-safe
    rule.responsive_changed(True)
    rule.sending_changed(False)
    assert not rule.on
