"""The class speaker's volume, next to "am I heard?": how loud the class plays the pupil.

Renders the classroom's ``speaker`` message (media.features.speaker) in one
short line under the meter: an icon (struck through when nothing plays) and the
words: the percentage, "whisper" while the pupil whispers, "no speaker in class"
when there is none. The words carry the state, not the colour; screen readers
get a full sentence.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.widgets import icons, theme
from media.features.speaker import ClassSpeaker

ICON_PX = 20


class ClassSpeakerView(QWidget):
    """Hidden by its owner until the class said anything (:attr:`known`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel(self)
        self.label = QLabel(self)
        self.label.setFont(theme.font(12, bold=True))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.icon)
        row.addWidget(self.label, 1)
        self.speaker: ClassSpeaker | None = None
        self.refresh()

    @property
    def known(self) -> bool:
        return self.speaker is not None

    def show_speaker(self, speaker: ClassSpeaker | None) -> None:
        """What the class reported (None: nothing known, e.g. between calls)."""
        self.speaker = speaker
        self.refresh()

    @property
    def words(self) -> str:
        """Short, for the line on screen."""
        return self._texts()[0]

    @property
    def sentence(self) -> str:
        """In full, for screen readers."""
        return self._texts()[1]

    def _texts(self) -> tuple[str, str]:
        s = self.speaker
        if s is None:
            return "", ""
        if not s.available:
            return (
                self.tr("No speaker in class"),
                self.tr("There is no speaker in class: the class cannot hear you."),
            )
        percent = round(s.volume * 100)
        if s.whisper:
            return (
                self.tr("Whisper: {percent} %").format(percent=percent),
                self.tr("You are whispering: the class speaker plays at {percent} %.").format(
                    percent=percent
                ),
            )
        if percent == 0:
            return (
                self.tr("Class speaker off"),
                self.tr("The class speaker is turned all the way down."),
            )
        return (
            self.tr("Class speaker {percent} %").format(percent=percent),
            self.tr("The class speaker plays at {percent} %.").format(percent=percent),
        )

    def refresh(self) -> None:
        s = self.speaker
        silent = s is None or not s.available or s.volume <= 0
        color = theme.WARM if s is not None and (silent or s.whisper) else theme.INK
        self.icon.setPixmap(icons.pixmap("speaker", ICON_PX, color, off=silent))
        words, sentence = self._texts()
        self.label.setText(words)
        self.setAccessibleName(self.tr("Class speaker volume"))
        self.setAccessibleDescription(sentence)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
