"""Issue 15, item 16: the class reads the signals from 3 m on a 1920×1080 screen, hears
a reaction, tells "listening" from "nobody there", and sees where the pupil looks."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QColor, QFontInfo
from pytestqt.qtbot import QtBot

from app.bridge import EngineBridge
from app.classroom.chime import NOTES_HZ, REACTION_NOTES_HZ
from app.classroom.features import REACTION_MS
from app.classroom.window import ClassroomWindow
from app.widgets import theme
from media.control import ControlMessage
from media.state import CallState, StateChange
from tests.support.a11y import assert_accessible

# ~1.4 cm letters on a 24" 1920×1080 screen: what a pupil at the back reads (was 16–22 px).
MIN_LINE_PX = 26


def _live(qtbot: QtBot) -> ClassroomWindow:
    window = ClassroomWindow(EngineBridge(), windowed=True)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    return window


def _control(window: ClassroomWindow, message_kind: str, **body: object) -> None:
    window.bridge.control_received.emit(ControlMessage(message_kind, body))


def test_live_presence_and_whisper_are_large(qtbot: QtBot) -> None:
    window = _live(qtbot)
    assert QFontInfo(window.live.line_font).pixelSize() >= MIN_LINE_PX
    _control(window, "presence", level="video")
    _control(window, "whisper", on=True)
    bar = window.features.bar
    assert bar.presence.text() == "Pupil: On camera" and bar.presence.isVisible()
    for label in (bar.presence, bar.whisper):
        assert QFontInfo(label.font()).pixelSize() >= MIN_LINE_PX
    # Whispering is a card of its own colour, not more words in a row of words.
    assert bar.whisper.isVisible() and "background" in bar.whisper.styleSheet()
    assert_accessible(window)


def test_a_reaction_sounds_its_own_chime_and_stays_long_enough(qtbot: QtBot) -> None:
    window = _live(qtbot)
    features = window.features
    assert REACTION_MS >= 10_000 and features.reaction_timer.interval() == REACTION_MS
    _control(window, "reaction", kind="thumbs_up")
    assert features.reaction.isVisible() and features.chime.played == 1
    assert features.chime.last_notes == REACTION_NOTES_HZ != NOTES_HZ  # not the hand's
    _control(window, "hand", raised=True)
    assert features.chime.last_notes == NOTES_HZ


def _has_color(window: ClassroomWindow, color: str) -> bool:
    image = window.pupil.grab().toImage()
    want = QColor(color)
    step = 4
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            if image.pixelColor(x, y) == want:
                return True
    return False


def test_listening_and_nobody_there_look_different(qtbot: QtBot) -> None:
    window = _live(qtbot)
    window.bridge.state_changed.emit(StateChange(CallState.ENDED))
    assert window.pupil.showing == "idle"
    assert not window.pupil.idle.avatar.isVisible()  # nobody there: no figure
    assert not _has_color(window, theme.CALM)
    window.bridge.state_changed.emit(StateChange(CallState.LIVE))
    _control(window, "presence", level="listening")
    _control(window, "media", mic=False, camera=False)
    assert window.pupil.showing == "avatar"
    assert window.pupil.avatar.avatar.isVisible() and window.pupil.avatar.title.text() == (
        "Listening"
    )
    assert _has_color(window, theme.CALM)  # the teal ring: someone is there


def test_the_class_sees_where_the_pupil_looks(qtbot: QtBot) -> None:
    window = _live(qtbot)
    overview = window.features.bar.overview
    assert overview.isVisible()
    whole = overview.viewed_rect()
    _control(window, "view", x=0.25, y=0.25, zoom=2.0)
    part = overview.viewed_rect()
    assert abs(part.width() - whole.width() / 2) < 1 and part.center().x() < whole.center().x()
    assert "zoomed 2.0" in overview.accessibleDescription()
    image = overview.grab().toImage()
    inside = image.pixelColor(part.center().toPoint())
    outside = image.pixelColor(whole.bottomRight().toPoint() - part.topLeft().toPoint() / 2)
    assert not part.contains(whole.bottomRight() - part.topLeft() / 2)
    assert inside.green() > outside.green() + 40  # the viewed part is lit, the rest is stage


def test_the_board_preset_says_when_it_is_not_set(qtbot: QtBot) -> None:
    window = _live(qtbot)
    features, bar = window.features, window.features.bar
    assert bar.board_state.text() == "Board view: not set yet"
    _control(window, "view_preset", name="board")
    assert bar.board_state.text() == "The pupil asked for the board: no board view saved yet"
    _control(window, "view", x=0.7, y=0.4, zoom=3.0)
    bar.board.click()
    assert bar.board_state.text() == "Board view: saved"
    _control(window, "view_preset", name="reset")
    assert features.looking.view.is_whole
    _control(window, "view_preset", name="board")
    assert features.looking.view.zoom == 3.0 and bar.board_state.text() == "Board view: saved"
