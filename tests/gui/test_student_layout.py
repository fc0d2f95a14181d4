"""Issue 15, item 14: on a 1366×768 laptop the class picture has the screen; the
look-around pad and the reactions sit beside it, "reset" does not read as leaving,
and the reactions carry the same drawn signs as the class sees."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.bridge import EngineBridge
from app.student.window import StudentWindow
from media.state import CallState, StateChange
from tests.support.a11y import assert_accessible, cut_words


def _laptop(qtbot: QtBot) -> StudentWindow:
    window = StudentWindow(EngineBridge(), windowed=True)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    qtbot.waitUntil(window.view.look_pad.isVisible)
    return window


def _rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def test_nothing_of_the_pupils_controls_covers_the_class_picture(qtbot: QtBot) -> None:
    window = _laptop(qtbot)
    view = window.view
    video = _rect(view.video, window)
    for covering in (view.look_pad, view.features.reactions):
        assert covering.isVisible()
        assert not _rect(covering, window).intersects(video), covering.accessibleName()
    assert not _rect(view.look_pad, window).intersects(_rect(view.features.reactions, window))
    # The 16:9 picture fits the video widget's height: the pad took only letterbox room.
    assert video.width() >= video.height() * 16 / 9
    assert not cut_words(window)
    assert_accessible(window)


def test_reset_reads_as_the_whole_class_and_reactions_have_signs(
    qtbot: QtBot, language: Path
) -> None:
    window = _laptop(qtbot)
    reset = window.view.look_pad.buttons["reset"]
    assert reset.text() == "Whole class"
    for button in window.view.features.reaction_buttons.values():
        assert not button.icon().isNull() and button.toolTip() == button.accessibleName()
    assert i18n.set_language("nl", language)
    qtbot.waitUntil(lambda: reset.text() == "Hele klas" and not cut_words(window))


def test_no_control_says_the_same_thing_twice(qtbot: QtBot) -> None:
    """The presence level is what the microphone and camera buttons say: no second set."""
    window = _laptop(qtbot)
    shown = [b for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]
    names = {b.accessibleName() for b in shown}
    assert not names & {"Listening", "Voice", "Video"}
    assert {"Microphone", "Camera"} <= {n.split(" ")[0] for n in names}
    window.view.controls.mic.click()
    window.view.controls.camera.click()
    assert window.presence == "listening"  # only listening, by the two buttons
    window.view.controls.mic.click()
    assert window.presence == "voice"
