"""Technician, pupil's laptop: the presence level Klasgenoot starts at (issue 5).

The pupil can change the level at any time in a call; this only says how the
laptop starts: listening (microphone and camera off and released), voice, or
video. Thin: FeatureSettingsMode stores the choice.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from app.feature_settings import PRESENCE_DEFAULT
from app.technician.widgets import MIN_TARGET
from media.features.messages import PRESENCE_LEVELS


class StartPresenceView(QGroupBox):
    level_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QComboBox(self)
        self.choice.setMinimumHeight(MIN_TARGET)
        for level in PRESENCE_LEVELS:
            self.choice.addItem("", level)
        self.choice.activated.connect(lambda i: self.level_chosen.emit(self.choice.itemData(i)))
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choice)
        layout.addWidget(self.explanation)
        self.show_level(PRESENCE_DEFAULT)
        self.retranslate()

    def show_level(self, level: str) -> None:
        self.choice.setCurrentIndex(max(0, self.choice.findData(level)))

    @property
    def level(self) -> str:
        return str(self.choice.currentData())

    def retranslate(self) -> None:
        self.setTitle(self.tr("How the pupil starts"))
        texts = {
            "listening": self.tr("Listening (microphone and camera off)"),
            "voice": self.tr("Voice (microphone on, camera off)"),
            "video": self.tr("Video (microphone and camera on)"),
        }
        for i in range(self.choice.count()):
            self.choice.setItemText(i, texts[self.choice.itemData(i)])
        self.choice.setAccessibleName(self.tr("Presence level at start"))
        self.explanation.setText(self.tr(
            "Used each time Klasgenoot starts. The pupil can change it at any time "
            "during the lesson."
        ))  # fmt: skip

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
