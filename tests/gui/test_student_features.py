"""Issue 5 on the pupil's window: hand, presence level, "am I heard?", pause notice,
reactions, whisper, looking around, schedule words and feature switches — with the
classroom's real engine on the other end."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QDateTime, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.av.catalog import DeviceState
from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from app.student.lookaround import SEND_EVERY_MS, LookAroundController
from app.student.window import StudentWindow
from media.control import ControlMessage
from media.crop import View
from media.features.switches import FeatureSwitches
from media.state import CallState, EndReason, StateChange
from pairing.roles import Role
from tests.gui.devices import CallRig, Device, received, rig  # noqa: F401 (the fixture)
from tests.support.a11y import assert_accessible

SETUP_MS = 20_000


def _live_call(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> tuple[Device, Device, StudentWindow, ClassroomWindow]:
    classroom = rig.open(Role.CLASSROOM)
    pupil = rig.open(Role.STUDENT, start=False)
    announced = received(pupil.bridge, "features")  # the control channel is open
    pupil.start()
    window, room = pupil.window, classroom.window
    assert isinstance(window, StudentWindow) and isinstance(room, ClassroomWindow)
    qtbot.waitUntil(lambda: bool(announced) and window.video.frames_painted >= 1, timeout=SETUP_MS)
    return classroom, pupil, window, room


def _wheel(widget: Any, steps: int) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre, widget.mapToGlobal(centre), QPoint(), QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_hand_reactions_whisper_and_looking_reach_the_class(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    classroom, _, pupil, _ = _live_call(rig, qtbot)
    hands = received(classroom.bridge, "hand")
    reactions = received(classroom.bridge, "reaction")
    whispers = received(classroom.bridge, "whisper")
    views = received(classroom.bridge, "view")
    presets = received(classroom.bridge, "view_preset")
    features = pupil.view.features

    qtbot.mouseClick(features.hand, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: {"raised": True} in hands, timeout=5000)
    assert features.hand.isChecked() and features.hand.text() == "Your hand is up — lower it"
    assert features.hand.accessibleDescription() == "Your hand is up"
    classroom.bridge.run(lambda e: e.features.classroom.acknowledge_hand())  # the teacher taps
    qtbot.waitUntil(lambda: not features.hand.isChecked(), timeout=5000)
    assert features.hand.text() == "Raise your hand"

    qtbot.mouseClick(features.reaction_buttons["thumbs_up"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: {"kind": "thumbs_up"} in reactions, timeout=5000)
    assert features.confirmation.isVisible()
    assert features.confirmation.text() == "Sent: thumbs up"

    qtbot.keyClick(features.whisper, Qt.Key.Key_Space)  # keyboard works too
    qtbot.waitUntil(lambda: {"on": True} in whispers, timeout=5000)
    assert features.whisper.text() == "Whispering"
    qtbot.mouseClick(features.whisper, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: {"on": False} in whispers, timeout=5000)

    _wheel(pupil.video, 3)  # three notches: one message now, the rest within 100 ms
    qtbot.waitUntil(lambda: any(v["zoom"] > 1.9 for v in views), timeout=5000)
    assert len(views) <= 2  # throttled
    assert pupil.view.look.position.zoom > 1.9
    qtbot.mouseClick(pupil.view.look_pad.buttons["board"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pupil.view.look_pad.buttons["reset"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: presets == [{"name": "board"}, {"name": "reset"}], timeout=5000)
    assert pupil.view.look.position == View()


def test_listening_releases_camera_and_microphone(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom, device, pupil, room = _live_call(rig, qtbot)
    presence = received(classroom.bridge, "presence")
    speaker = classroom.sources.speaker
    meter = pupil.view.features.meter
    # "Am I heard?": the pupil's test tone arrives in class and the meter says so.
    qtbot.waitUntil(lambda: meter.heard, timeout=SETUP_MS)
    assert meter.label.text() == "The class hears you" and meter.bar.value() > 10

    # Only listening: microphone and camera off with their own buttons (issue 15, item 14).
    qtbot.mouseClick(pupil.view.controls.mic, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pupil.view.controls.camera, Qt.MouseButton.LeftButton)
    assert pupil.presence == "listening"
    assert device.sources.camera.state is DeviceState.OFF  # released, light off
    assert device.sources.microphone.state is DeviceState.OFF
    assert not pupil.view.controls.mic.isChecked() and not pupil.view.controls.camera.isChecked()
    assert meter.label.text() == "Your microphone is off"
    qtbot.waitUntil(lambda: {"level": "listening"} in presence, timeout=5000)
    qtbot.waitUntil(lambda: not meter.heard and (meter.dbfs or -120) < -50, timeout=5000)
    painted, sounds = room.video.frames_painted, speaker.frames_received
    qtbot.wait(1000)  # a second of "listening": at most what was in flight arrives
    assert room.video.frames_painted - painted <= 3
    # Silence: no sound of the pupil (50 frames a second while talking), or only zeros.
    assert speaker.frames_received - sounds <= 10 or (speaker.level_dbfs or 0) < -60

    qtbot.mouseClick(pupil.view.controls.mic, Qt.MouseButton.LeftButton)
    assert device.sources.microphone.state is not DeviceState.OFF
    assert device.sources.camera.state is DeviceState.OFF
    assert pupil.view.controls.mic.isChecked() and not pupil.view.controls.camera.isChecked()
    qtbot.waitUntil(lambda: {"level": "voice"} in presence, timeout=5000)
    qtbot.waitUntil(lambda: meter.heard, timeout=5000)

    qtbot.mouseClick(pupil.view.controls.camera, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: {"level": "video"} in presence, timeout=5000)
    assert pupil.presence == "video"
    qtbot.waitUntil(lambda: room.video.frames_painted > painted + 10, timeout=5000)


def test_the_teachers_pause_shows_a_calm_notice(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom, _, pupil, _ = _live_call(rig, qtbot)
    notice = pupil.view.pause_notice
    assert not notice.isVisible()
    classroom.bridge.run(lambda e: e.pause())
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    assert notice.text().startswith("Paused by the teacher")
    assert pupil.video.isVisible()  # the picture underneath is the engine's pause frame
    classroom.bridge.run(lambda e: e.resume())
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=5000)


def test_switched_off_features_are_hidden_and_all_is_accessible(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    classroom, _, pupil, _ = _live_call(rig, qtbot)
    features = pupil.view.features
    shown = [features.hand, features.whisper, features.reactions, features.meter,
             pupil.view.look_pad]  # fmt: skip
    assert all(w.isVisible() for w in shown)
    for button in (features.hand, features.whisper):
        assert button.height() >= 48 and button.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert_accessible(pupil)

    off = replace(FeatureSwitches(), hand=False, view=False, whisper=False)
    classroom.bridge.run(lambda e: e.features.classroom.configure(switches=off))
    qtbot.waitUntil(lambda: not features.hand.isVisible(), timeout=5000)
    assert not features.whisper.isVisible() and not pupil.view.look_pad.isVisible()
    assert features.reactions.isVisible() and features.meter.isVisible()
    views: list[Any] = []
    pupil.view.look.view_changed.connect(views.append)
    _wheel(pupil.video, 1)
    qtbot.wait(SEND_EVERY_MS * 2)
    assert views == []  # no looking around while it is switched off


# -- without a call ---------------------------------------------------------------------


def test_drag_pans_and_moves_are_throttled(qtbot: QtBot) -> None:
    target = QWidget()
    qtbot.addWidget(target)
    target.resize(400, 200)
    target.show()
    look = LookAroundController(target)
    sent: list[View] = []
    look.view_changed.connect(sent.append)
    look.zoom_by(2.0)  # the first move goes out at once
    assert sent == [View(0.5, 0.5, 2.0)]
    qtbot.mousePress(target, Qt.MouseButton.LeftButton, pos=QPoint(200, 100))
    for x in range(190, 90, -10):  # drag left: look further right
        qtbot.mouseMove(target, QPoint(x, 100))
    qtbot.mouseRelease(target, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert len(sent) == 1  # ten moves within 100 ms wait for the next slot
    qtbot.waitUntil(lambda: len(sent) == 2, timeout=1000)
    assert sent[-1].x > 0.6 and sent[-1].zoom == 2.0
    assert View(0.99, 0.0, 9).clamped() == View(0.875, 0.125, 4.0)
    assert View(0.2, 0.8, 0.5).clamped() == View(0.5, 0.5, 1.0)


# -- schedule words, without a call -----------------------------------------------------


def test_lesson_end_notice_and_the_next_lesson(qtbot: QtBot) -> None:
    bridge = EngineBridge()
    window = StudentWindow(bridge, windowed=True)
    qtbot.addWidget(window)
    window.show()
    bridge.control_received.emit(ControlMessage("schedule", {"closes_in_s": 300}))
    assert window.banner.isVisible() and "The lesson ends in 5 minutes" in window.banner.text()
    at = QDateTime(2026, 11, 30, 8, 30, 0).toUTC().toString(Qt.DateFormat.ISODate)
    bridge.control_received.emit(ControlMessage("next_lesson", {"at": at}))
    bridge.state_changed.emit(StateChange(CallState.ENDED, EndReason.OUTSIDE_SCHEDULE))
    assert window.view.waiting.title.text() == "Outside lesson hours"
    assert window.view.waiting.text.text().startswith("Next lesson: ")
    assert window.view.waiting.text.text().endswith(" 08:30")


def test_whisper_button_is_released_when_the_call_drops(qtbot: QtBot) -> None:
    """The class turns its speaker up again when the link goes; the button must agree."""
    bridge = EngineBridge()
    window = StudentWindow(bridge, windowed=True)
    qtbot.addWidget(window)
    window.show()
    bridge.state_changed.emit(StateChange(CallState.LIVE))
    whisper = window.view.features.whisper
    qtbot.mouseClick(whisper, Qt.MouseButton.LeftButton)
    assert whisper.isChecked() and whisper.text() == "Whispering"
    bridge.state_changed.emit(StateChange(CallState.RECONNECTING))
    assert not whisper.isChecked() and whisper.text() == "Whisper"
