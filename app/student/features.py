"""The pupil's presence controls (issue 5): hand, whisper, reactions and "am I
heard?" with the class speaker's volume next to it (app.student.speaker).

The presence level (listening, voice, video) has no buttons of its own: it is what
the microphone and camera buttons say (app.student.window follows them), and three
more buttons saying the same thing twice took room from the class (issue 15, item 14).

Thin: the view renders what the window tells it and passes the pupil's presses on
as signals; the window talks to the engine.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.student.soundcheck import SoundCheckView
from app.student.speaker import ClassSpeakerView
from app.widgets import feature_icons, theme
from app.widgets.buttons import TouchButton
from app.widgets.flow import FlowLayout
from media.features.speaker import ClassSpeaker

REACTIONS = ("thumbs_up", "confused", "repeat")
HEARD_DBFS = -50.0  # above this the class hears the pupil
METER_FLOOR_DBFS = -60.0
CONFIRM_MS = 2000
STALE_MS = 600  # levels come ~10 a second; none for this long: nothing arrives in class
REACTION_ICON = 40
REACTION_BUTTON = 72  # a big touch target for a tired hand


def _button(parent: QWidget, *, checkable: bool = False) -> TouchButton:
    button = TouchButton(parent)
    button.setCheckable(checkable)
    button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    button.setFont(theme.font(13, bold=True))
    return button


def _column(*widgets: QWidget) -> QVBoxLayout:
    column = QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(4)
    for widget in widgets:
        column.addWidget(widget)
    return column


class HeardMeterView(QWidget):
    """How loud the pupil's own voice arrives in class, with the answer in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, int(-METER_FLOOR_DBFS))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(14)
        self.bar.setMinimumWidth(120)
        self.label = QLabel(self)
        self.label.setFont(theme.font(12))
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.dbfs: float | None = None
        self.mic_on = True
        # The class speaker is off or missing: the sound arrives, nobody hears it
        # (the speaker's words under the meter say why).
        self.speaker_silent = False
        self._stale = QTimer(self)
        self._stale.setSingleShot(True)
        self._stale.setInterval(STALE_MS)
        self._stale.timeout.connect(lambda: self.show_level(None))
        self.refresh()

    def show_level(self, dbfs: float | None) -> None:
        """The level the class measured (None: no sound of the pupil arrives at all)."""
        self.dbfs = dbfs
        if dbfs is not None:
            self._stale.start()
        self.refresh()

    def show_mic(self, on: bool) -> None:
        self.mic_on = on
        self.refresh()

    def show_speaker_silent(self, silent: bool) -> None:
        self.speaker_silent = silent
        self.refresh()

    @property
    def arrives(self) -> bool:
        return self.mic_on and self.dbfs is not None and self.dbfs > HEARD_DBFS

    @property
    def heard(self) -> bool:
        return self.arrives and not self.speaker_silent

    def refresh(self) -> None:
        level = self.dbfs if self.mic_on and self.dbfs is not None else METER_FLOOR_DBFS
        self.bar.setValue(int(max(0.0, min(-METER_FLOOR_DBFS, level - METER_FLOOR_DBFS))))
        if not self.mic_on:
            text = self.tr("Your microphone is off")
        elif self.heard:
            text = self.tr("The class hears you")
        else:
            text = self.tr("The class hears nothing from you")
        self.label.setText(text)
        self.setAccessibleName(self.tr("Am I heard?"))
        self.setAccessibleDescription(text)


class FeaturesView(QFrame):
    """Second bar under the class: hand, whisper, reactions, meter."""

    hand_toggled = Signal(bool)
    whisper_toggled = Signal(bool)
    reacted = Signal(str)

    def __init__(self, stage: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bar")
        self.hand = _button(self, checkable=True)
        self.hand.set_target(theme.MIN_TARGET * 4, theme.MIN_TARGET)
        self.whisper = _button(self, checkable=True)
        # The reactions sit beside the class picture (left), where the eye is, each with
        # its drawn sign as the class sees it.
        self._build_reactions(stage)
        self._confirm_timer = QTimer(self)
        self._confirm_timer.setSingleShot(True)
        self._confirm_timer.setInterval(CONFIRM_MS)
        self._confirm_timer.timeout.connect(self.confirmation.hide)
        self.meter = HeardMeterView(self)
        self.speaker = ClassSpeakerView(self)  # how loud the class plays what the meter shows
        self.heard = QWidget(self)
        self.heard.setLayout(_column(self.meter, self.speaker))
        self.check = SoundCheckView(self)  # "Does my sound work?" (issue 11.5)
        # A narrow window (half a laptop screen in the demo) puts the rest on a
        # second line rather than cutting the buttons' words.
        layout = FlowLayout(self, spacing=12, last_to_right=True)
        layout.setContentsMargins(24, 8, 24, 8)
        for widget in (self.hand, self.whisper, self.check, self.heard):
            layout.addWidget(widget)
        self._allowed: dict[str, bool] = {}
        self._in_call = True
        self.hand.toggled.connect(self._hand_clicked)
        self.whisper.toggled.connect(self._whisper_clicked)
        self._sent_reaction: str | None = None
        self.retranslate()

    # -- rendering (the window decides) ---------------------------------------------

    def _build_reactions(self, stage: QWidget) -> None:
        self.reactions = QWidget(stage)
        self.reaction_buttons = {kind: _button(self.reactions) for kind in REACTIONS}
        column = QVBoxLayout(self.reactions)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(6)
        column.addLayout(row)
        for kind, button in self.reaction_buttons.items():
            # A sign, not words: three long labels took a third of a laptop's width.
            # The words are in the tooltip, the accessible name and the "sent" line.
            button.setIcon(feature_icons.icon(kind, theme.INK, size=REACTION_ICON))
            button.setIconSize(QSize(REACTION_ICON, REACTION_ICON))
            button.setFixedSize(REACTION_BUTTON, REACTION_BUTTON)
            row.addWidget(button)
            button.clicked.connect(lambda _=False, k=kind: self.reacted.emit(k))
        self.confirmation = QLabel(self.reactions)
        self.confirmation.setObjectName("reactionSent")
        self.confirmation.setFont(theme.font(12, bold=True))
        self.confirmation.setStyleSheet(
            "QLabel#reactionSent { background: #d9ece9; border-radius: 8px; padding: 6px; }"
        )
        self.confirmation.hide()
        # Wraps within the buttons' width: a wider column would move the buttons
        # under the pupil's finger just after a tap.
        self.confirmation.setWordWrap(True)
        self.confirmation.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Above the buttons: the column grows upwards from the pad (it sits at the
        # bottom), so a line below would lift the buttons from under the finger.
        column.insertWidget(0, self.confirmation)

    def allow(self, switches: Mapping[str, object]) -> None:
        """Hide every control whose feature the school switched off."""
        self._allowed = {name: bool(on) for name, on in switches.items()}
        self._show_allowed()

    def show_in_call(self, in_call: bool) -> None:
        self._in_call = in_call
        self.setVisible(in_call)
        self._show_allowed()

    def _show_allowed(self) -> None:
        def on(name: str) -> bool:
            return self._allowed.get(name, True)

        self.hand.setVisible(on("hand"))
        self.whisper.setVisible(on("whisper"))
        self.meter.setVisible(on("level"))
        self.check.setVisible(on("level"))  # it reads the same levels
        self.speaker.setVisible(on("level") and self.speaker.known)
        self.reactions.setVisible(self._in_call and on("reactions"))
        if self.reactions.isVisible():
            self.reactions.raise_()

    def show_hand(self, raised: bool) -> None:
        self.hand.blockSignals(True)
        self.hand.setChecked(raised)
        self.hand.blockSignals(False)
        self._render_hand()

    def show_whisper(self, on: bool) -> None:
        self.whisper.blockSignals(True)
        self.whisper.setChecked(on)
        self.whisper.blockSignals(False)
        self._render_whisper()

    def show_class_speaker(self, speaker: ClassSpeaker | None) -> None:
        """The class speaker as reported (None between calls: hidden)."""
        self.speaker.show_speaker(speaker)
        self.check.show_class_speaker(speaker)
        self.meter.show_speaker_silent(
            speaker is not None and (not speaker.available or speaker.volume <= 0)
        )
        self._show_allowed()

    def confirm_reaction(self, kind: str) -> None:
        """A short "sent" line next to the buttons."""
        self._sent_reaction = kind
        self.confirmation.setText(self._reaction_sent_text(kind))
        self.confirmation.show()
        self._confirm_timer.start()

    def retranslate(self) -> None:
        self._render_hand()
        self._render_whisper()
        self.reactions.setAccessibleName(self.tr("Reactions"))
        names = {
            "thumbs_up": (self.tr("Thumbs up"), self.tr("Thumbs up")),
            "confused": (self.tr("I don't understand"), self.tr("I don't understand")),
            "repeat": (self.tr("Please repeat"), self.tr("Please repeat")),
        }
        for kind, (text, name) in names.items():
            self.reaction_buttons[kind].setToolTip(text)
            self.reaction_buttons[kind].setAccessibleName(name)
        if self._sent_reaction is not None:
            self.confirmation.setText(self._reaction_sent_text(self._sent_reaction))
        self.meter.refresh()

    def _reaction_sent_text(self, kind: str) -> str:
        return {
            "thumbs_up": self.tr("Sent: thumbs up"),
            "confused": self.tr("Sent: I don't understand"),
            "repeat": self.tr("Sent: please repeat"),
        }[kind]

    def _render_hand(self) -> None:
        raised = self.hand.isChecked()
        text = self.tr("Your hand is up — lower it") if raised else self.tr("Raise your hand")
        self.hand.setText(text)
        self.hand.setAccessibleName(self.tr("Raise hand"))
        self.hand.setAccessibleDescription(
            self.tr("Your hand is up") if raised else self.tr("Your hand is down")
        )
        self.hand.setProperty("state", "on" if raised else "")
        theme.restyle(self.hand)

    def _render_whisper(self) -> None:
        on = self.whisper.isChecked()
        self.whisper.setText(self.tr("Whispering") if on else self.tr("Whisper"))
        self.whisper.setAccessibleName(self.tr("Whisper"))
        self.whisper.setAccessibleDescription(
            self.tr("The class speaker is turned down") if on else ""
        )
        self.whisper.setProperty("state", "on" if on else "")
        theme.restyle(self.whisper)

    def _hand_clicked(self, raised: bool) -> None:
        self._render_hand()
        self.hand_toggled.emit(raised)

    def _whisper_clicked(self, on: bool) -> None:
        self._render_whisper()
        self.whisper_toggled.emit(on)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
