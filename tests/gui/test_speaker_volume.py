"""The class speaker's volume next to "am I heard?": the classroom window tells it on
every change, the pupil's window shows it in words (issue 5)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.av.catalog import FakeDeviceCatalog
from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from app.student.window import StudentWindow
from media.control import ControlMessage
from media.features.speaker import ClassSpeaker
from media.state import CallState, StateChange
from pairing.roles import Role
from tests.gui.devices import CallRig, received, rig  # noqa: F401 (the fixture)
from tests.support.a11y import assert_accessible

SETUP_MS = 20_000


def test_the_pupil_sees_the_class_volume_whisper_and_no_speaker(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    classroom = rig.open(Role.CLASSROOM)
    pupil = rig.open(Role.STUDENT, start=False)
    reports = received(pupil.bridge, "speaker")
    pupil.start()
    window, room = pupil.window, classroom.window
    assert isinstance(window, StudentWindow) and isinstance(room, ClassroomWindow)
    shown = window.view.features.speaker
    qtbot.waitUntil(lambda: shown.known, timeout=SETUP_MS)  # told at call start
    assert room.volume.volume == 0.8
    assert shown.label.text() == "Class speaker 80 %"
    assert shown.isVisible() and window.view.features.meter.isVisible()  # side by side
    assert shown.accessibleDescription() == "The class speaker plays at 80 %."
    assert_accessible(window)

    qtbot.mouseClick(room.volume.up, Qt.MouseButton.LeftButton)  # the teacher turns it up
    qtbot.waitUntil(lambda: shown.label.text() == "Class speaker 90 %", timeout=5000)

    qtbot.mouseClick(window.view.features.whisper, Qt.MouseButton.LeftButton)
    whisper = ClassSpeaker.of(0.9, whispering=True, available=True)
    text = f"Whisper: {round(whisper.volume * 100)} %"
    qtbot.waitUntil(lambda: shown.label.text() == text, timeout=5000)
    assert room.features.bar.whisper.isVisible()  # the class screen shows it too
    assert reports[-1] == whisper.to_body()
    qtbot.mouseClick(window.view.features.whisper, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown.label.text() == "Class speaker 90 %", timeout=5000)

    catalog = classroom.sources.catalog
    assert isinstance(catalog, FakeDeviceCatalog)
    catalog.remove_speaker(b"speaker")  # unplugged in class
    qtbot.waitUntil(lambda: reports[-1]["available"] is False, timeout=5000)
    assert shown.label.text() == "No speaker in class"
    assert "the class cannot hear you" in shown.accessibleDescription()
    catalog.add_speaker(b"speaker", "test speaker", default=True)
    qtbot.waitUntil(lambda: shown.label.text() == "Class speaker 90 %", timeout=5000)


# -- without an engine: the window plays the engine's reports -------------------------


def test_the_pupils_words_for_each_state_and_the_switch(qtbot: QtBot) -> None:
    bridge = EngineBridge()
    window = StudentWindow(bridge, windowed=True)
    qtbot.addWidget(window)
    window.show()
    bridge.state_changed.emit(StateChange(CallState.LIVE))
    features = window.view.features
    shown = features.speaker
    assert not shown.isVisible()  # nothing known yet: nothing claimed

    def report(volume: float, whisper: bool = False, available: bool = True) -> str:
        body = {"volume": volume, "whisper": whisper, "available": available}
        bridge.control_received.emit(ControlMessage("speaker", body))
        return shown.label.text()

    bridge.control_received.emit(ControlMessage("level", {"dbfs": -20.0}))  # the pupil talks
    meter = features.meter
    assert report(0.55) == "Class speaker 55 %"
    assert shown.isVisible() and meter.label.text() == "The class hears you"
    assert report(0.0) == "Class speaker off"
    # The sound arrives, but nothing plays it: the meter does not claim it is heard.
    assert meter.label.text() == "The class hears nothing from you" and not meter.heard
    assert report(0.08, whisper=True) == "Whisper: 8 %"
    assert meter.heard  # a whisper is still heard, by the neighbours
    assert shown.accessibleDescription() == ("You are whispering: the class speaker plays at 8 %.")
    assert report(0.8, available=False) == "No speaker in class"
    assert meter.label.text() == "The class hears nothing from you"
    assert shown.accessibleName() == "Class speaker volume"
    assert_accessible(window)

    switches = {name: True for name in ("hand", "presence", "view", "pause", "whisper")}
    switches |= {"reactions": True, "level": False, "schedule": False}
    bridge.control_received.emit(ControlMessage("features", switches))
    assert not shown.isVisible() and not features.meter.isVisible()
    bridge.control_received.emit(ControlMessage("features", switches | {"level": True}))
    assert shown.isVisible()
    bridge.state_changed.emit(StateChange(CallState.ENDED))
    assert not shown.known and shown.isHidden()
