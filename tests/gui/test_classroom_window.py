"""The Klasgenoot unit's window: idle, the pupil, the avatar, the speaker, kiosk details."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.av.catalog import FakeDeviceCatalog
from app.av.speaker import SpeakerSink
from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from media.control import ControlMessage
from media.state import CallState, EndReason, StateChange
from pairing.roles import Role
from tests.gui.devices import CallRig, rig  # noqa: F401 (the fixture)
from tests.support.a11y import assert_accessible

SETUP_MS = 20_000


def _offline_window(qtbot: QtBot, *, speaker: SpeakerSink | None = None,
                    windowed: bool = True) -> ClassroomWindow:  # fmt: skip
    """A window whose bridge has no engine: the test plays the engine's signals."""
    window = ClassroomWindow(EngineBridge(), speaker=speaker, windowed=windowed)
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_calm_idle_screen_until_the_pupil_is_there_then_the_pupil(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    window = rig.open(Role.CLASSROOM).window
    assert isinstance(window, ClassroomWindow)
    assert window.pupil.showing == "idle"
    assert window.pupil.idle.title.text() == "Klasgenoot is ready"
    assert not window.live.isVisible()

    rig.open(Role.STUDENT)  # accepted by itself: nobody touches the class device
    qtbot.waitUntil(lambda: window.video.frames_painted >= 5, timeout=SETUP_MS)
    assert window.pupil.showing == "video"
    assert window.video.last_frame_size == (640, 480)
    assert window.state is CallState.LIVE
    assert_accessible(window)


def test_the_avatar_says_what_the_pupil_has_switched_off(qtbot: QtBot) -> None:
    window = _offline_window(qtbot)
    bridge = window.bridge
    bridge.state_changed.emit(StateChange(CallState.LIVE))
    assert window.pupil.showing == "video"
    bridge.control_received.emit(ControlMessage("media", {"mic": True, "camera": False}))
    assert window.pupil.showing == "avatar"
    assert window.pupil.avatar.title.text() == "The pupil's camera is off"
    assert window.pupil.avatar.text.text() == "The pupil is listening and can talk."
    bridge.control_received.emit(ControlMessage("media", {"mic": False, "camera": False}))
    assert "microphone is off" in window.pupil.avatar.text.text()
    bridge.control_received.emit(ControlMessage("media", {"mic": False, "camera": True}))
    assert window.pupil.showing == "video"
    bridge.state_changed.emit(StateChange(CallState.RECONNECTING))
    assert window.pupil.showing == "idle"


def test_no_speaker_is_said_plainly_and_the_rest_keeps_working(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()  # no speaker at all
    speaker = SpeakerSink(catalog)
    speaker.start()
    window = _offline_window(qtbot, speaker=speaker)
    assert window.volume.no_speaker.isVisible()
    assert window.volume.no_speaker.text() == "No speaker found"
    assert not window.volume.slider.isEnabled()
    catalog.add_speaker(b"usb", "USB speaker")  # plugged in: it works by itself
    qtbot.waitUntil(lambda: not window.volume.no_speaker.isVisible(), timeout=3000)
    assert window.volume.slider.isEnabled()
    assert window.bridge.audio_sink == speaker.push
    speaker.stop()


def test_kiosk_mode_hides_the_cursor_and_ignores_close(qtbot: QtBot) -> None:
    window = _offline_window(qtbot, windowed=False)
    assert window.cursor().shape() == Qt.CursorShape.BlankCursor
    window.close()
    assert window.isVisible()  # a class cannot close it by accident


def test_endings_the_teacher_cannot_fix_say_who_can(qtbot: QtBot) -> None:
    window = _offline_window(qtbot)
    window.bridge.state_changed.emit(StateChange(CallState.ENDED, EndReason.UPDATE_NEEDED))
    assert "update" in window.banner.text() and window.pupil.showing == "idle"
    window.bridge.state_changed.emit(StateChange(CallState.ENDED, EndReason.PEER_REVOKED))
    assert "not trusted" in window.banner.text()
