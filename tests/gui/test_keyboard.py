"""The pupil's window by keyboard: Enter presses a button as Space does, focus that
came by the keyboard is marked, and Tab reaches every presence level without an
arrow key choosing one by accident."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.bridge import EngineBridge
from app.student.window import StudentWindow
from media.control import ControlMessage
from media.state import CallState, StateChange


def _window(qtbot: QtBot) -> StudentWindow:
    window = StudentWindow(EngineBridge(), windowed=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    return window


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_enter_presses_a_button_as_space_does(qtbot: QtBot) -> None:
    window = _window(qtbot)
    mic, hand = window.view.controls.mic, window.view.features.hand
    assert mic.isChecked()
    qtbot.keyClick(mic, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not mic.isChecked(), timeout=1000)  # animateClick: a moment
    qtbot.keyClick(mic, Qt.Key.Key_Enter)  # the keypad's Enter too
    qtbot.waitUntil(mic.isChecked, timeout=1000)
    with qtbot.waitSignal(window.view.features.hand_toggled, timeout=1000):
        qtbot.keyClick(hand, Qt.Key.Key_Return)


def test_only_keyboard_focus_is_marked(qtbot: QtBot) -> None:
    window = _window(qtbot)
    window.view.controls.mic.setFocus(Qt.FocusReason.ActiveWindowFocusReason)  # as at start
    start = _focused()
    assert not start.property("keyboardFocus")  # not at start
    qtbot.keyClick(start, Qt.Key.Key_Tab)
    tabbed = _focused()
    assert tabbed is not start
    assert tabbed.property("keyboardFocus") is True
    assert not start.property("keyboardFocus")  # the mark moves with the focus
    leave = window.view.controls.leave
    qtbot.mouseClick(leave, Qt.MouseButton.LeftButton)  # a tap gives focus, unmarked
    assert QApplication.focusWidget() is leave and not leave.property("keyboardFocus")
    assert not tabbed.property("keyboardFocus")


def test_tab_reaches_the_bar_and_arrows_choose_nothing(qtbot: QtBot) -> None:
    """The presence level follows the microphone and camera buttons (issue 15, item 14):
    Tab goes from the hand to whisper, and an arrow key never switches the camera off."""
    window = _window(qtbot)
    features, camera = window.view.features, window.view.controls.camera
    features.hand.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is features.whisper
    camera.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(camera, Qt.Key.Key_Left)
    qtbot.keyClick(camera, Qt.Key.Key_Right)
    assert camera.isChecked() and window.presence == "video"  # nothing chosen by an arrow
    qtbot.keyClick(camera, Qt.Key.Key_Space)
    assert not camera.isChecked() and window.presence == "voice"


def test_the_sent_line_does_not_move_the_reaction_buttons(qtbot: QtBot, language: Path) -> None:
    assert i18n.set_language("nl", language)  # "Verstuurd: Nog een keer, graag": long
    window = _window(qtbot)
    features = window.view.features
    button = features.reaction_buttons["repeat"]
    before = button.mapTo(window, button.rect().topLeft()), button.width()
    features.confirm_reaction("repeat")  # "Sent: Please repeat" under the buttons
    qtbot.waitUntil(features.confirmation.isVisible)
    QApplication.sendPostedEvents()
    assert (button.mapTo(window, button.rect().topLeft()), button.width()) == before


def test_the_teacher_seeing_the_hand_is_said(qtbot: QtBot) -> None:
    window = _window(qtbot)
    window.view.features.show_hand(True)
    window.bridge.control_received.emit(ControlMessage("hand_ack"))
    assert not window.view.features.hand.isChecked()
    assert window.banner.isVisible()
    assert window.banner.accessibleDescription() == "The teacher saw your raised hand."
