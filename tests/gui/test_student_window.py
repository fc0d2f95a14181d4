"""The pupil's window on a real call: the class's frames, the buttons, the words."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.av.catalog import DeviceState
from app.classroom.window import ClassroomWindow
from app.student.status import (
    Connection,
    Situation,
    can_rejoin,
    connection,
    detail,
    headline,
)
from app.student.window import StudentWindow
from media.state import CallState, EndReason
from pairing.roles import Role
from signaling.listener import HANDSHAKE_THREADS
from tests.gui.devices import CallRig, rig  # noqa: F401 (the fixture)
from tests.support.a11y import assert_accessible

SETUP_MS = 20_000


def _windows(rig: CallRig) -> tuple[StudentWindow, ClassroomWindow]:  # noqa: F811
    classroom = rig.open(Role.CLASSROOM).window
    student = rig.open(Role.STUDENT).window
    assert isinstance(student, StudentWindow) and isinstance(classroom, ClassroomWindow)
    return student, classroom


def test_the_student_window_paints_the_class_frames(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    student, _ = _windows(rig)
    video = student.video
    qtbot.waitUntil(lambda: video.frames_painted >= 5, timeout=SETUP_MS)
    assert video.last_frame_size == (1280, 720)
    first = video.last_painted_seq
    assert first is not None
    qtbot.waitUntil(lambda: (video.last_painted_seq or 0) >= first + 20, timeout=5000)
    assert student.connection is Connection.CONNECTED
    assert student.view.pill.headline.text() == "Connected"
    assert student.live_call  # the screen stays on while the call is live


def test_microphone_and_camera_buttons_change_what_the_class_receives(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    student, classroom = _windows(rig)
    speaker = rig.devices[0].sources.speaker  # the classroom's
    camera = rig.devices[1].sources.camera  # the pupil's
    qtbot.waitUntil(lambda: classroom.video.frames_painted >= 5, timeout=SETUP_MS)
    qtbot.waitUntil(lambda: (speaker.level_dbfs or -200) > -30, timeout=5000)

    qtbot.mouseClick(student.view.controls.mic, Qt.MouseButton.LeftButton)
    assert student.view.controls.mic.text() == "Microphone off"
    qtbot.waitUntil(lambda: not classroom.pupil_mic, timeout=3000)  # the class is told
    qtbot.waitUntil(lambda: (speaker.level_dbfs or 0) < -60, timeout=3000)  # and hears silence
    assert "microphone is off" in classroom.pupil.avatar.text.text()

    qtbot.mouseClick(student.view.controls.camera, Qt.MouseButton.LeftButton)
    assert camera.state is DeviceState.OFF  # released, not just muted
    qtbot.waitUntil(lambda: classroom.pupil.showing == "avatar", timeout=3000)
    painted = classroom.video.frames_painted
    qtbot.wait(1000)  # a second of "camera off": at most what was in flight arrives
    assert classroom.video.frames_painted - painted <= 3
    assert not classroom.video.has_picture  # no frozen last picture of the pupil

    qtbot.keyClick(student.view.controls.camera, Qt.Key.Key_Space)  # keyboard works too
    qtbot.keyClick(student.view.controls.mic, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: classroom.pupil.showing == "video", timeout=3000)
    qtbot.waitUntil(lambda: classroom.video.frames_painted > painted + 10, timeout=5000)
    qtbot.waitUntil(lambda: (speaker.level_dbfs or -200) > -30, timeout=5000)


def test_the_state_in_words_leave_and_join_again(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    student = rig.open(Role.STUDENT).window
    assert isinstance(student, StudentWindow)
    qtbot.waitUntil(lambda: student.connection is Connection.CLASS_OFFLINE, timeout=SETUP_MS)
    assert student.view.waiting.title.text() == "The class is not online yet"
    assert not student.video.isVisible()

    rig.open(Role.CLASSROOM)  # the class comes online: the pupil connects by itself
    qtbot.waitUntil(lambda: student.connection is Connection.CONNECTED, timeout=SETUP_MS)
    button = student.view.controls.leave
    assert button.text() == "Leave lesson"

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: student.connection is Connection.LEFT, timeout=5000)
    assert button.text() == "Join again" and button.accessibleName() == "Join again"
    assert student.view.waiting.title.text() == "You left the lesson"
    assert not student.live_call

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: student.connection is Connection.CONNECTED, timeout=SETUP_MS)
    assert button.text() == "Leave lesson"
    assert student.situation.state is CallState.LIVE


def test_joining_again_while_the_server_is_down_says_so(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    """Issue 15, item 13: not "Reconnecting… Hold on" for ever, but the words the class
    unit uses."""
    student, classroom = _windows(rig)
    qtbot.waitUntil(lambda: student.connection is Connection.CONNECTED, timeout=SETUP_MS)
    rig.server.stop()
    qtbot.waitUntil(lambda: not student.situation.signaling, timeout=SETUP_MS)
    assert student.connection is Connection.CONNECTED  # the call itself goes on
    button = student.view.controls.leave
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # "Les verlaten"
    qtbot.waitUntil(lambda: student.connection is Connection.LEFT, timeout=5000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # "Opnieuw meedoen"
    qtbot.waitUntil(lambda: student.connection is Connection.NO_SERVER, timeout=5000)
    words = "No connection with the server"
    assert student.view.waiting.title.text() == words
    qtbot.wait(1500)  # it does not fall back to "Connecting…" / "Reconnecting…"
    assert student.connection is Connection.NO_SERVER
    assert student.view.waiting.title.text() == words
    qtbot.waitUntil(lambda: classroom.pupil.idle.title.text() == words, timeout=SETUP_MS)


def test_leaving_releases_the_camera_and_microphone_and_joining_again_restarts_them(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    student, classroom = _windows(rig)
    sources = rig.devices[1].sources  # the pupil's
    camera, microphone = sources.camera, sources.microphone
    qtbot.waitUntil(lambda: classroom.video.frames_painted >= 5, timeout=SETUP_MS)
    assert camera.state is DeviceState.SYNTHETIC and microphone.state is DeviceState.SYNTHETIC
    controls = student.view.controls

    qtbot.mouseClick(controls.leave, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: student.connection is Connection.LEFT, timeout=5000)
    assert camera.state is DeviceState.OFF  # released: a real camera's light goes off
    assert microphone.state is DeviceState.OFF
    assert not student.preview.has_picture  # the self-view says the camera is off
    # The pupil's choices stay theirs, and pressing them while away starts nothing.
    assert controls.camera.isChecked() and controls.mic.isChecked()
    qtbot.mouseClick(controls.camera, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(controls.camera, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(controls.mic, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(controls.mic, Qt.MouseButton.LeftButton)
    assert camera.state is DeviceState.OFF and microphone.state is DeviceState.OFF

    painted = classroom.video.frames_painted
    qtbot.mouseClick(controls.leave, Qt.MouseButton.LeftButton)  # "Join again"
    qtbot.waitUntil(lambda: student.connection is Connection.CONNECTED, timeout=SETUP_MS)
    assert camera.state is DeviceState.SYNTHETIC and microphone.state is DeviceState.SYNTHETIC
    qtbot.waitUntil(lambda: classroom.video.frames_painted > painted + 10, timeout=SETUP_MS)
    assert classroom.pupil.showing == "video"  # the class sees the pupil again
    qtbot.waitUntil(lambda: student.preview.has_picture, timeout=5000)


def test_joining_again_with_the_camera_off_keeps_it_released(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    student, classroom = _windows(rig)
    camera = rig.devices[1].sources.camera
    qtbot.waitUntil(lambda: student.connection is Connection.CONNECTED, timeout=SETUP_MS)
    student.set_presence("voice")  # microphone on, camera off
    assert camera.state is DeviceState.OFF
    controls = student.view.controls
    qtbot.mouseClick(controls.leave, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: student.connection is Connection.LEFT, timeout=5000)
    qtbot.mouseClick(controls.leave, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: student.connection is Connection.CONNECTED, timeout=SETUP_MS)
    assert camera.state is DeviceState.OFF  # the pupil's choice: still no camera
    assert rig.devices[1].sources.microphone.state is DeviceState.SYNTHETIC
    qtbot.waitUntil(lambda: classroom.pupil.showing == "avatar", timeout=5000)


def test_both_windows_are_accessible(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    student, classroom = _windows(rig)
    qtbot.waitUntil(lambda: student.video.frames_painted >= 1, timeout=SETUP_MS)
    for window in (student, classroom):
        assert_accessible(window)
    controls = student.view.controls
    for button in (controls.mic, controls.camera, controls.leave):
        assert button.height() >= 48 and button.focusPolicy() & Qt.FocusPolicy.TabFocus


# -- the words and the link-quality rating, on their own ------------------------------


def test_the_connection_words_follow_the_engine() -> None:
    offline = Situation(CallState.WAITING, signaling=True, peer_online=False)
    assert connection(offline) is Connection.CLASS_OFFLINE
    assert headline(Connection.CLASS_OFFLINE) == "The class is not online yet"
    assert connection(Situation(CallState.WAITING)) is Connection.NO_SERVER
    assert connection(Situation(CallState.LIVE)) is Connection.CONNECTED
    assert headline(Connection.CONNECTED) == "Connected"
    assert headline(connection(Situation(CallState.RECONNECTING))) == "Reconnecting…"
    ended = {
        EndReason.HANGUP_LOCAL: Connection.LEFT,
        EndReason.HANGUP_REMOTE: Connection.ENDED,
        EndReason.UPDATE_NEEDED: Connection.UPDATE_NEEDED,
        EndReason.PEER_UNTRUSTED: Connection.NOT_TRUSTED,
        EndReason.PEER_REVOKED: Connection.NOT_TRUSTED,
        EndReason.OUTSIDE_SCHEDULE: Connection.OUTSIDE_HOURS,
    }
    for reason, expected in ended.items():
        assert connection(Situation(CallState.ENDED, reason)) is expected
    assert headline(Connection.OUTSIDE_HOURS) == "Outside lesson hours"
    assert can_rejoin(Connection.LEFT) and not can_rejoin(Connection.UPDATE_NEEDED)
    # Issue 15, item 12: this laptop revoked is said as such, never as the class unit's fault.
    revoked = connection(Situation(CallState.ENDED, EndReason.REVOKED))
    assert revoked is Connection.REVOKED and not can_rejoin(revoked)
    assert headline(revoked) == "This laptop has been revoked"
    assert "helpdesk" in detail(revoked) and "not trusted" not in headline(revoked)


def test_a_stopped_engine_leaves_no_threads_behind(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    """aiortc encodes on the loop's executor: its workers must end with the engine."""
    before = {t.ident for t in threading.enumerate()}
    pupil, _room = _windows(rig)
    qtbot.waitUntil(lambda: pupil.video.frames_painted >= 10, timeout=SETUP_MS)
    for device in rig.devices:  # the signaling server is the rig's, started before
        device.stop()
    left = [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    # the rig's signaling server starts its handshake worker at the first handshake (after
    # ``before``) and keeps it while it runs: the server's, not the engine's
    assert [name for name in left if not name.startswith(HANDSHAKE_THREADS)] == []
