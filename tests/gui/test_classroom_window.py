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


def test_the_class_sees_that_the_pupils_microphone_is_off_on_the_picture(qtbot: QtBot) -> None:
    window = _offline_window(qtbot)
    bridge, pupil = window.bridge, window.pupil
    bridge.state_changed.emit(StateChange(CallState.LIVE))
    bridge.control_received.emit(ControlMessage("presence", {"level": "video"}))
    bridge.control_received.emit(ControlMessage("media", {"mic": True, "camera": True}))
    assert pupil.showing == "video" and not pupil.mic_off.isVisible()
    assert window.features.bar.presence.text() == "Pupil: On camera"

    bridge.control_received.emit(ControlMessage("media", {"mic": False, "camera": True}))
    badge = pupil.mic_off
    assert pupil.showing == "video" and badge.isVisible()
    assert badge.words.text() == "Microphone off"
    assert window.features.bar.presence.text() == "Pupil: On camera, microphone off"
    assert "microphone is off" in pupil.accessibleDescription()
    # Bottom left on the picture, whole, and above the video page.
    assert pupil.rect().contains(badge.geometry())
    assert badge.geometry().left() < pupil.width() // 4
    assert badge.geometry().bottom() > pupil.height() * 3 // 4
    shown = pupil.grab().toImage()  # painted above the video page, not hidden under it
    inside = shown.pixelColor(badge.x() + 8, badge.geometry().center().y())
    assert inside.lightness() > 200, inside.name()

    bridge.control_received.emit(ControlMessage("media", {"mic": False, "camera": False}))
    assert pupil.showing == "avatar" and not badge.isVisible()  # the avatar's words say it
    bridge.control_received.emit(ControlMessage("media", {"mic": True, "camera": True}))
    assert not badge.isVisible()
    assert window.features.bar.presence.text() == "Pupil: On camera"

    bridge.control_received.emit(ControlMessage("media", {"mic": False, "camera": True}))
    bridge.state_changed.emit(StateChange(CallState.RECONNECTING))
    assert pupil.showing == "idle" and not badge.isVisible()
    bridge.state_changed.emit(StateChange(CallState.LIVE))  # a new call announces its own
    assert not badge.isVisible()


def test_the_idle_screen_says_calmly_when_the_server_cannot_be_reached(qtbot: QtBot) -> None:
    window = _offline_window(qtbot)
    idle = window.pupil.idle
    assert idle.title.text() == "Klasgenoot is ready"  # while the engine starts
    window.bridge.signaling_changed.emit(False)
    assert window.pupil.showing == "idle"
    assert idle.title.text() == "No connection with the server"
    assert "keeps trying by itself" in idle.text.text()
    assert "No connection with the server" in window.pupil.accessibleDescription()
    assert not window.banner.isVisible()  # calm: no alarm in the classroom
    window.bridge.signaling_changed.emit(True)
    assert idle.title.text() == "Klasgenoot is ready"
    assert idle.text.text() == "The pupil is not connected right now."
