"""The widgets of the classroom features: the hand badge, a reaction, the feature bar.

Thin views for :mod:`app.classroom.features`: they show what they are given.
The hand badge is yellow with dark ink, a drawn hand and words (not colour alone).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.classroom.looking import ViewOverviewWidget
from app.widgets import feature_icons, theme
from app.widgets.buttons import ActionButton
from app.widgets.sign_card import SignCard

HAND_ICON = 64
REACTION_ICON = 56
BAR_POINTS = 22  # read from 3 m on a 1920×1080 class screen (issue 15, item 16)
_BAR_SPACING = 18

_HAND_STYLE = (
    "QPushButton { background: #ffd54a; color: #1f2a44; border: 6px solid #1f2a44;"
    " border-radius: 28px; padding: 16px 28px; }"
    " QPushButton:focus { border-color: #c62828; }"
)
# Whispering: an amber card, so it is told from the presence words at a glance.
WHISPER_STYLE = (
    "QLabel { background: #ffe0a3; color: #1f2a44; border: 3px solid #b7791f;"
    " border-radius: 16px; padding: 4px 18px; }"
)
PAUSED_STYLE = (
    "QLabel { background: #ffe0a3; color: #1f2a44; border: 3px solid #b7791f;"
    " border-radius: 20px; padding: 10px 24px; }"
)


class HandView(QPushButton):
    """The raised hand: yellow and dark ink, a hand sign and words (not colour alone)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(theme.font(26, bold=True))
        self.setStyleSheet(_HAND_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 120)
        self.setIcon(feature_icons.icon("hand", theme.INK, size=HAND_ICON))
        self.setIconSize(QSize(HAND_ICON, HAND_ICON))
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.setText(self.tr("Hand raised\nTap to answer"))
        self.setAccessibleName(self.tr("The pupil raises their hand"))
        self.setAccessibleDescription(self.tr("Tap to let the pupil know you saw it"))
        self.adjustSize()


class ReactionView(SignCard):
    """The pupil's reaction, large and friendly, for a few seconds (a drawn sign and words)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("reaction", radius=24, points=26, margins=(28, 14, 28, 14), spacing=16,
                         parent=parent)  # fmt: skip
        self.kind = ""

    def text(self) -> str:
        return self.words.text()

    def show_kind(self, kind: str) -> None:
        texts = {
            "thumbs_up": self.tr("Thumbs up"),
            "confused": self.tr("I don't understand"),
            "repeat": self.tr("Please repeat"),
        }
        if kind not in texts:
            return
        self.kind = kind
        self.sign.setPixmap(feature_icons.pixmap(kind, REACTION_ICON, theme.INK))
        self.words.setText(texts[kind])
        self.setAccessibleName(texts[kind])
        self.adjustSize()
        self.show()
        self.raise_()


class FeatureBarView(QFrame):
    """Presence, whisper, notice and pause status; where the pupil looks; the Pause and
    board buttons. Large type: the class reads it from across the room.

    One row on a wide screen. Below the width that row needs (half a 1920 px screen
    in the demo, a small class screen), the words go on a line above the overview
    and the buttons: a row that does not fit would either cut the buttons' words or
    push the window off the screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bar")
        self.presence = QLabel(self)
        self.whisper = QLabel(self)
        self.notice = QLabel(self)
        self.board_state = QLabel(self)
        for label in (self.presence, self.whisper, self.notice, self.board_state):
            label.setFont(theme.font(BAR_POINTS if label is not self.notice else 16, bold=True))
            label.hide()
            label.setWordWrap(True)  # a narrow screen wraps rather than widens
        self.board_state.setFont(theme.font(14, bold=True))
        self.whisper.setStyleSheet(WHISPER_STYLE)
        self.overview = ViewOverviewWidget(self)
        self.overview.hide()
        self.board = ActionButton(self)
        self.pause = ActionButton(self)
        self.board.hide()
        self.pause.hide()
        self._words = QHBoxLayout()
        self._words.setSpacing(_BAR_SPACING)
        # The words take the free width (so they wrap only when the screen is
        # narrow); with none shown, the spacer keeps the buttons on the right.
        for label in (self.presence, self.whisper, self.notice):
            self._words.addWidget(label, 1)
        self._words.addStretch(0)
        self._actions = QHBoxLayout()
        self._actions.setSpacing(_BAR_SPACING)
        self._actions.addWidget(self.overview)
        self._actions.addStretch(0)  # two rows: the buttons keep to the right
        for widget in (self.board_state, self.board, self.pause):
            self._actions.addWidget(widget)
        self._rows = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._rows.setContentsMargins(24, 8, 24, 8)
        self._rows.setSpacing(_BAR_SPACING)
        self._rows.addLayout(self._words, 1)
        self._rows.addLayout(self._actions)

    @property
    def two_rows(self) -> bool:
        return self._rows.direction() is QBoxLayout.Direction.TopToBottom

    def minimumSizeHint(self) -> QSize:
        """What two rows need: the window may be narrower than one row needs."""
        m = self._rows.contentsMargins()
        words = _row_minimum(self._words_of_two_rows())
        actions = _row_minimum([self.overview, self.board, self.pause])
        return QSize(max(words, actions) + m.left() + m.right(), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit(event.size().width())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a part was shown or hidden
            self._fit(self.width())
        return super().event(event)

    def _words_of_two_rows(self) -> list[QWidget]:
        return [self.presence, self.whisper, self.notice, self.board_state]

    def _fit(self, width: int) -> None:
        """One row when everything fits in it at its smallest, else two."""
        m = self._rows.contentsMargins()
        everything = [self.presence, self.whisper, self.notice, self.overview, self.board_state,
                      self.board, self.pause]  # fmt: skip
        two = _row_minimum(everything) + m.left() + m.right() > width
        if two == self.two_rows:
            return
        # The board's state joins the words above; beside the overview it would need
        # more room than the buttons leave.
        (self._actions if two else self._words).removeWidget(self.board_state)
        if two:
            self._words.insertWidget(self._words.count() - 1, self.board_state, 1)
        else:
            self._actions.insertWidget(2, self.board_state)  # after the overview and stretch
        self._rows.setDirection(
            QBoxLayout.Direction.TopToBottom if two else QBoxLayout.Direction.LeftToRight
        )
        self.updateGeometry()  # two rows are taller: the window gives the picture less


def _row_minimum(widgets: list[QWidget]) -> int:
    """The narrowest one row of these (the shown ones) can be, spacing included."""
    shown = [w for w in widgets if not w.isHidden()]
    # A fixed size (the overview) is a minimum size, not a minimum size hint.
    widths = (max(w.minimumSizeHint().width(), w.minimumWidth()) for w in shown)
    return sum(widths) + _BAR_SPACING * max(0, len(shown) - 1)
