"""Both windows fit half a 1920 px screen (the demo) and a small kiosk screen with
every word whole: in Dutch and English, in their busiest states.

A button squeezed below its words ("Vinger opsteke", ".uisteren") was once what a
pupil saw in the demo; the pupil's presence bar now wraps onto a second line.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from app.kiosk import KioskWindow
from app.student.soundcheck import Step
from app.student.window import StudentWindow
from app.widgets.flow import FlowLayout
from media.audio.echo import EchoStatus
from media.control import ControlMessage
from media.features.soundcheck import CheckResult, Heard
from media.features.switches import FeatureSwitches
from media.state import CallState, StateChange
from media.stats import CallStats
from tests.support.a11y import assert_accessible, cut_words

DEMO_WIDTH = 960  # app/demo/windows.py: half a 1920 px screen, at most
SIZES = [(DEMO_WIDTH, 640), (1280, 720), (1920, 1080)]
NARROW_WIDTH = 800  # the window is at least ~760 wide (the bottom controls)


def _busy_student(qtbot: QtBot) -> StudentWindow:
    window = StudentWindow(EngineBridge(), windowed=True)
    qtbot.addWidget(window)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    window.bridge.control_received.emit(
        ControlMessage("speaker", {"volume": 0.0, "whisper": False, "available": False})
    )
    window.view.features.show_hand(True)
    window.view.features.show_whisper(True)
    check = window.view.features.check  # the sound check's longest answer (issue 11.5)
    check.result, check.step = CheckResult(Heard.SPEAKER_OFF, -20.0, None), Step.DONE
    check.refresh()
    assert window.view.features.speaker.isVisibleTo(window)  # "no speaker in class"
    window.show_error("De verbinding met de klas is weggevallen; we proberen het opnieuw.")
    return window


def _busy_classroom(qtbot: QtBot) -> ClassroomWindow:
    window = ClassroomWindow(EngineBridge(), windowed=True)
    qtbot.addWidget(window)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    window.features.switches_read.emit(FeatureSwitches(schedule=True), 10.0)
    for kind, body in (
        ("presence", {"level": "listening"}),
        ("whisper", {"on": True}),
        ("schedule", {"closes_in_s": 300}),
        ("hand", {"raised": True}),
    ):
        window.bridge.control_received.emit(ControlMessage(kind, body))
    window.volume.set_speaker_available(False)
    window.bridge.stats_updated.emit(CallStats(echo=EchoStatus.UNAVAILABLE))  # its longest
    return window


def _shown_at(qtbot: QtBot, window: KioskWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.width() == size[0], timeout=2000)


@pytest.mark.parametrize("code", ["nl", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("make", [_busy_student, _busy_classroom], ids=["student", "classroom"])
def test_every_word_whole_at_demo_and_kiosk_sizes(
    qtbot: QtBot, language: Path, code: str, size: tuple[int, int], make: object
) -> None:
    assert i18n.set_language(code, language)
    window = make(qtbot)  # type: ignore[operator]
    _shown_at(qtbot, window, size)  # wider than asked: the window would leave the screen
    assert window.width() == size[0]
    assert_accessible(window)  # includes: no button or one-line label cut
    # Laid out to the end, the window is still as wide as asked: a row that needs
    # more once settled widened it (the classroom's bar: 1554 px in Dutch) and hid
    # the cut words the demo then showed at 960 px.
    assert window.width() == size[0]
    if isinstance(window, ClassroomWindow):  # the hand badge is not under LIVE
        hand = window.features.hand
        badge = QRect(hand.mapTo(window, QPoint(0, 0)), hand.size())
        assert window.live.isVisible() and hand.isVisible()
        assert not badge.intersects(window.live.geometry())


def test_the_classroom_bar_takes_two_rows_only_when_one_does_not_fit(
    qtbot: QtBot, language: Path
) -> None:
    assert i18n.set_language("nl", language)
    window = _busy_classroom(qtbot)
    bar = window.features.bar
    _shown_at(qtbot, window, (DEMO_WIDTH, 640))
    # the words above the buttons
    qtbot.waitUntil(lambda: bar.two_rows and bar.board_state.y() < bar.board.y(), timeout=2000)
    _shown_at(qtbot, window, (1920, 1080))
    qtbot.waitUntil(lambda: not bar.two_rows, timeout=2000)
    qtbot.waitUntil(  # one line
        lambda: abs(bar.presence.geometry().center().y() - bar.pause.geometry().center().y()) < 20,
        timeout=2000,
    )


def test_the_pupils_bar_wraps_when_narrow_and_is_one_line_when_wide(
    qtbot: QtBot, language: Path
) -> None:
    assert i18n.set_language("nl", language)
    window = _busy_student(qtbot)
    bar, hand, heard = window.view.features, window.view.features.hand, window.view.features.heard
    # Narrower than the demo since the presence levels left the bar (issue 15, item 14).
    _shown_at(qtbot, window, (NARROW_WIDTH, 640))
    qtbot.waitUntil(lambda: heard.y() > hand.y() + hand.height(), timeout=2000)
    _shown_at(qtbot, window, (1920, 1080))
    qtbot.waitUntil(lambda: heard.y() < hand.y() + hand.height(), timeout=2000)
    assert (
        heard.geometry().right()
        == bar.contentsRect().right() - bar.layout().contentsMargins().right()
    )


def test_the_walker_finds_cut_words(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    squeezed = QPushButton("Vinger opsteken", root)
    squeezed.setGeometry(0, 0, 60, 48)
    fine = QPushButton("OK", root)
    fine.setGeometry(0, 60, 200, 48)
    root.show()
    qtbot.waitExposed(root)
    found = cut_words(root)
    assert len(found) == 1 and "'Vinger opsteken': words cut" in found[0]


def _boxes(count: int, parent: QWidget, layout: FlowLayout) -> list[QWidget]:
    boxes = []
    for _ in range(count):
        box = QWidget(parent)
        box.setFixedSize(QSize(100, 40))
        layout.addWidget(box)
        boxes.append(box)
    return boxes


def test_flow_layout_wraps_measures_and_keeps_the_last_to_the_right(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    layout = FlowLayout(root, spacing=10, last_to_right=True)
    layout.setContentsMargins(0, 0, 0, 0)
    boxes = _boxes(4, root, layout)
    assert layout.sizeHint() == QSize(4 * 100 + 3 * 10, 40)
    assert layout.minimumSize() == QSize(100, 40)  # anything wider goes onto its own line
    assert layout.heightForWidth(430) == 40
    assert layout.heightForWidth(320) == 40 + 10 + 40  # three, then one
    assert layout.heightForWidth(100) == 4 * 40 + 3 * 10
    layout.setGeometry(root.rect().adjusted(0, 0, 600 - root.width(), 0))
    assert [b.x() for b in boxes] == [0, 110, 220, 500]  # the last keeps to the right
    boxes[1].hide()  # hidden items take no room
    QApplication.sendPostedEvents()
    assert layout.heightForWidth(320) == 40
