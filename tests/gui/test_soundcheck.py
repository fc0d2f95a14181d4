"""Issue 11.5 on both screens: the pupil's "Does my sound work?" and the teacher's echo line.

First each window on its own, fed the messages and stats an engine would send;
then a real call between both windows (real engines, the embedded server).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from app.student.soundcheck import SoundCheckView, Step
from app.student.window import StudentWindow
from media.audio.echo import EchoStatus
from media.control import ControlMessage
from media.features.soundcheck import Heard
from media.state import CallState, StateChange
from media.stats import CallStats
from pairing.roles import Role
from tests.gui.devices import CallRig, received, rig  # noqa: F401 (the fixture)
from tests.gui.test_gui_demo import SHOT_SIZE, _env, _publish
from tests.support.a11y import assert_accessible

MIN_LINE_PX = 26  # read from 3 m on a 1920×1080 class screen (test_classroom_legibility)
SETUP_MS = 20_000


def _pupil(qtbot: QtBot) -> StudentWindow:
    window = StudentWindow(EngineBridge(), windowed=True)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    return window


def _send(window: StudentWindow | ClassroomWindow, kind: str, **body: object) -> None:
    window.bridge.control_received.emit(ControlMessage(kind, body))


def _fast(check: SoundCheckView) -> None:
    check.speak_ms, check.listen_ms = 600, 300


def _run_check(qtbot: QtBot, window: StudentWindow, dbfs: float | None,
               listening: str = "Listen: the class") -> SoundCheckView:  # fmt: skip
    """Press the button from the keyboard; the class sends ``dbfs`` ~10 a second meanwhile."""
    check = window.view.features.check
    _fast(check)
    check.button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(check.button, Qt.Key.Key_Space)
    assert check.step is Step.SPEAK
    assert check.label.text().startswith("Say something…")
    assert check.button.text() == "Stop the check"
    width = check.button.width()
    while check.step is Step.SPEAK:
        if dbfs is not None:
            _send(window, "level", dbfs=dbfs)
        qtbot.wait(50)
    assert check.step is Step.LISTEN
    assert check.label.text().startswith(listening)
    assert check.bar.accessibleName() == "The class's sound"
    with qtbot.waitSignal(check.finished, timeout=3000):
        pass
    qtbot.wait(10)  # the layout settles
    assert check.button.width() == width  # the same under the finger in every step
    return check


def test_the_pupil_hears_that_the_class_hears_them_well(qtbot: QtBot) -> None:
    window = _pupil(qtbot)
    _send(window, "speaker", volume=0.8, whisper=False, available=True)
    check = window.view.features.check
    assert check.isVisible() and check.button.text() == "Does my sound work?"
    assert check.button.accessibleName() == "Does my sound work?"
    assert not check.label.isVisible()  # nothing to say before the check
    check = _run_check(qtbot, window, -22.0)
    assert check.result is not None and check.result.heard is Heard.GOOD
    assert check.label.text() == "Heard well"
    assert check.accessibleDescription() == "Heard well"
    # The answer in full, where the pupil reads notices (and a screen reader hears it).
    assert window.banner.isVisible()
    assert window.banner.accessibleDescription() == "The class hears you well."
    assert check.bar.value() > 30  # the level as the class received it
    assert check.button.text() == "Does my sound work?"  # press again to check again
    assert_accessible(window)


def test_too_soft_nothing_and_a_class_speaker_that_is_off(qtbot: QtBot) -> None:
    window = _pupil(qtbot)
    _send(window, "speaker", volume=0.8, whisper=False, available=True)
    check = _run_check(qtbot, window, -46.0)
    assert check.label.text() == "Too soft"
    assert window.banner.accessibleDescription().startswith("The class hears you, but too softly")
    check = _run_check(qtbot, window, None)  # no level arrives at all
    assert check.label.text() == "Nothing heard"
    assert window.banner.accessibleDescription().startswith("The class heard nothing")
    _send(window, "speaker", volume=0.0, whisper=False, available=True)
    check = _run_check(qtbot, window, -20.0)
    assert check.label.text() == "Class speaker off"
    assert window.banner.accessibleDescription().startswith(
        "Your sound arrives, but the class speaker is off"
    )


def test_with_the_microphone_off_the_check_says_so(qtbot: QtBot) -> None:
    window = _pupil(qtbot)
    window.view.controls.mic.click()  # off
    assert not window.mic_on
    check = _run_check(qtbot, window, -20.0)  # a stale level cannot make it "good"
    assert check.result is not None and check.result.heard is Heard.MIC_OFF
    assert check.label.text() == "Microphone off"
    assert window.banner.accessibleDescription().startswith("Your microphone is off")


def test_without_a_speaker_on_the_laptop_the_check_says_the_class_cannot_be_heard(
    qtbot: QtBot,
) -> None:
    window = _pupil(qtbot)
    window.view.features.check.can_hear_class = False  # as the window sets it: no speaker
    check = _run_check(qtbot, window, -22.0, listening="No speaker on this laptop")
    assert check.label.text() == "Heard well"  # the class hears the pupil all the same
    assert window.banner.accessibleDescription() == (
        "The class hears you well. You cannot hear the class: plug in headphones or a speaker."
    )


def test_tab_reaches_the_check_after_the_bar_s_other_buttons(qtbot: QtBot) -> None:
    window = _pupil(qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    features = window.view.features
    features.whisper.setFocus(Qt.FocusReason.TabFocusReason)
    reached: list[object] = []
    for _ in range(5):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert features.check.button in reached
    assert reached.index(features.check.button) < reached.index(window.view.controls.mic)


def test_pressing_again_stops_and_the_end_of_the_call_resets(qtbot: QtBot) -> None:
    window = _pupil(qtbot)
    check = window.view.features.check
    check.button.click()
    assert check.step is Step.SPEAK
    check.button.click()
    assert check.step is Step.IDLE and not check.label.isVisible()
    check.button.click()
    window.bridge.state_changed.emit(StateChange(CallState.RECONNECTING))
    assert check.step is Step.IDLE


def test_the_check_is_hidden_when_the_school_switched_the_level_off(qtbot: QtBot) -> None:
    window = _pupil(qtbot)
    switches = dict.fromkeys(
        ("hand", "presence", "view", "pause", "whisper", "reactions", "schedule"), True
    )
    _send(window, "features", level=False, **switches)
    assert not window.view.features.check.isVisible()


# -- the teacher's screen ---------------------------------------------------------------


def _class(qtbot: QtBot) -> ClassroomWindow:
    window = ClassroomWindow(EngineBridge(), windowed=True)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_teacher_reads_the_echo_state_from_across_the_room(qtbot: QtBot) -> None:
    window = _class(qtbot)
    echo = window.echo
    window.bridge.stats_updated.emit(CallStats(echo=EchoStatus.CONVERGED))
    assert not echo.isVisible()  # outside a call it says nothing
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    assert not echo.isVisible()  # nothing known yet in this call
    expected = {
        EchoStatus.CONVERGING: "adjusting",
        EchoStatus.CONVERGED: "on",
        EchoStatus.OFF: "off",
        EchoStatus.UNAVAILABLE: "not available",
    }
    for status, words in expected.items():
        window.bridge.stats_updated.emit(CallStats(echo=status))
        assert echo.isVisible() and echo.state.text() == words
        assert echo.caption.text() == "Echo cancellation"
        assert echo.accessibleName() == "Echo cancellation"
        assert echo.accessibleDescription().startswith("Echo cancellation")  # a sentence
    assert QFontInfo(echo.state.font()).pixelSize() >= MIN_LINE_PX
    assert_accessible(window)
    window.bridge.stats_updated.emit(CallStats(echo=None))  # no microphone: nothing said
    assert not echo.isVisible()
    window.bridge.stats_updated.emit(CallStats(echo=EchoStatus.CONVERGED))
    window.bridge.state_changed.emit(StateChange(CallState.ENDED))
    assert not echo.isVisible()
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    assert not echo.isVisible()  # the last call's state is not shown as this one's


# -- a real call ------------------------------------------------------------------------


def test_a_real_call_the_pupil_checks_and_the_class_shows_its_echo_state(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    classroom = rig.open(Role.CLASSROOM)
    pupil = rig.open(Role.STUDENT, start=False)
    levels = received(pupil.bridge, "level")
    pupil.start()
    window, room = pupil.window, classroom.window
    assert isinstance(window, StudentWindow) and isinstance(room, ClassroomWindow)
    qtbot.waitUntil(lambda: len(levels) >= 5, timeout=SETUP_MS)
    check = window.view.features.check
    _fast(check)
    check.speak_ms, check.listen_ms = 3000, 1500  # ~30 levels: enough on a loaded machine
    with qtbot.waitSignal(check.finished, timeout=10_000):
        check.button.click()
        # "Listen": the bar shows the class's live sound as this laptop's speaker plays it.
        qtbot.waitUntil(lambda: check.step is Step.LISTEN, timeout=5000)
        qtbot.waitUntil(lambda: check.bar.value() > 20, timeout=1400)  # above -40 dBFS
    # The pupil's synthetic voice (-20 dBFS) as the class received it, back over the channel.
    result = check.result
    assert result is not None and result.heard is Heard.GOOD, (result, levels[-20:])
    assert result.received_dbfs is not None and -26 < result.received_dbfs < -14
    assert window.banner.accessibleDescription() == "The class hears you well."
    # The class's synthetic microphone bypasses the processing: the teacher reads "off".
    qtbot.waitUntil(room.echo.isVisible, timeout=5000)
    assert room.echo.state.text() == "off"


# -- the pictures in docs/user-guide.md --------------------------------------------------


def render_calibration(folder: str, translations: str | None = None) -> None:
    """In its own process (the UI language is global): the check's answer and the echo
    line, in Dutch. ``translations``: a folder with klasgenoot_nl.qm (default: the app's)."""
    from PySide6.QtWidgets import QApplication

    from app.i18n import set_language

    app = QApplication.instance() or QApplication([])
    set_language("nl", Path(translations) if translations else None)
    student = StudentWindow(EngineBridge(), windowed=True)
    classroom = ClassroomWindow(EngineBridge(), windowed=True)
    for window in (student, classroom):
        window.resize(*SHOT_SIZE)
        window.show()
        window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    _send(student, "speaker", volume=0.8, whisper=False, available=True)
    check = student.view.features.check
    check.speak_ms, check.listen_ms = 400, 100
    check.button.click()
    while check.step is not Step.DONE:  # a helper process, not a test: no qtbot here
        if check.step is Step.SPEAK:
            _send(student, "level", dbfs=-22.0)
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()  # the layout settles
    student.grab().save(str(Path(folder) / "student-soundcheck.png"), "PNG")
    _send(classroom, "media", mic=True, camera=False)
    classroom.bridge.stats_updated.emit(CallStats(echo=EchoStatus.CONVERGED))
    app.processEvents()
    classroom.grab().save(str(Path(folder) / "classroom-echo.png"), "PNG")
    print(check.label.text())
    print(student.banner.accessibleDescription())
    print(classroom.echo.state.text())


def test_pictures_of_the_check_and_the_echo_line_for_the_user_guide(
    tmp_path: Path, qm_dir: Path
) -> None:
    """Built from translations/*.ts (conftest's qm_dir), as the layout tests are."""
    code = (
        "from tests.gui.test_soundcheck import render_calibration as r; "
        f"r({str(tmp_path)!r}, {str(qm_dir)!r})"
    )
    result = subprocess.run([sys.executable, "-c", code], env=_env(QT_QPA_PLATFORM="offscreen"),
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-3:] == [
        "Goed gehoord",
        "De klas hoort je goed.",
        "actief",
    ]
    names = ("student-soundcheck.png", "classroom-echo.png")
    for name in names:
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == SHOT_SIZE
    _publish(tmp_path, names)
