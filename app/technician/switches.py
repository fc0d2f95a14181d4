"""Technician, classroom: the feature switches (the school decides) and the pause time.

Thin: it shows the switches it is given and emits each change the technician
makes; FeatureSettingsMode stores it, writes the audit trail and hands it to the
running engine, which tells a pupil in a call at once (the switches are
announced on every change, not only at call start).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.feature_settings import PAUSE_DEFAULT
from app.technician.widgets import MIN_TARGET
from media.features.messages import SWITCH_NAMES
from media.features.switches import FeatureSwitches

PAUSE_CHOICES = (1, 2, 3, 5, 10, 15, 20, 30, 45, 60)  # minutes; one tap each, no typing


class FeatureSwitchesView(QWidget):
    switch_toggled = Signal(str, bool)  # switch name, on
    pause_chosen = Signal(int)  # minutes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._has_lessons = False
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        grid = QGridLayout()
        self.checks: dict[str, QCheckBox] = {}
        self.explanations: dict[str, QLabel] = {}
        for row, name in enumerate(SWITCH_NAMES):
            check, explanation = QCheckBox(self), QLabel(self)
            check.setMinimumHeight(MIN_TARGET)
            check.clicked.connect(lambda on, n=name: self.switch_toggled.emit(n, bool(on)))
            explanation.setWordWrap(True)
            grid.addWidget(check, row, 0)
            grid.addWidget(explanation, row, 1)
            self.checks[name], self.explanations[name] = check, explanation
        grid.setColumnStretch(1, 1)
        self.pause_label = QLabel(self)
        self.pause_choice = QComboBox(self)
        self.pause_choice.setMinimumHeight(MIN_TARGET)
        self.pause_label.setBuddy(self.pause_choice)
        self.pause_choice.activated.connect(
            lambda i: self.pause_chosen.emit(int(self.pause_choice.itemData(i)))
        )
        pause = QHBoxLayout()
        pause.addWidget(self.pause_label)
        pause.addWidget(self.pause_choice)
        pause.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(grid)
        layout.addLayout(pause)
        self._fill_pause(PAUSE_DEFAULT)
        self.retranslate()

    def show_settings(
        self, switches: FeatureSwitches, *, has_lessons: bool, pause_minutes: int
    ) -> None:
        self._has_lessons = has_lessons
        for name, check in self.checks.items():
            check.setChecked(bool(getattr(switches, name)))
        # School hours without lesson times would lock the pupil out: enter them first.
        self.checks["schedule"].setEnabled(has_lessons)
        self._fill_pause(pause_minutes)
        self.retranslate()

    def _fill_pause(self, minutes: int) -> None:
        choices = sorted({*PAUSE_CHOICES, minutes})  # a hand-edited value stays visible
        self.pause_choice.clear()
        for value in choices:
            self.pause_choice.addItem("", value)
        self.pause_choice.setCurrentIndex(self.pause_choice.findData(minutes))
        self._name_pause_choices()

    def _name_pause_choices(self) -> None:
        for i in range(self.pause_choice.count()):
            minutes = int(self.pause_choice.itemData(i))
            text = self.tr("1 minute") if minutes == 1 else self.tr("{n} minutes").format(n=minutes)
            self.pause_choice.setItemText(i, text)

    def retranslate(self) -> None:
        self.note.setText(self.tr(
            "The school decides which features this pairing uses. A feature that is off "
            "is hidden on both devices. Changes apply at once, also in a call."
        ))  # fmt: skip
        texts = {
            "hand": (self.tr("Raise hand"),
                     self.tr("The pupil can raise a hand; the class hears a soft chime.")),
            "presence": (self.tr("Listening, voice or video"),
                         self.tr("The pupil chooses to only listen, to talk, or to be seen.")),
            "view": (self.tr("Looking around"),
                     self.tr("The pupil can zoom into the class picture, e.g. the board.")),
            "pause": (self.tr("Teacher pause"),
                      self.tr("The teacher can pause the picture and sound for a private "
                              "moment.")),
            "whisper": (self.tr("Whisper"),
                        self.tr("The pupil can turn the class speaker down.")),
            "reactions": (self.tr("Reactions"),
                          self.tr("Thumbs up, \u201cI don't understand\u201d, \u201cplease "
                                  "repeat\u201d on the class screen.")),
            "level": (self.tr("Am I heard?"),
                      self.tr("The pupil sees how loud their voice arrives in class.")),
            "schedule": (self.tr("School hours"),
                         self.tr("The pupil is let in only during the lesson times.")
                         if self._has_lessons else
                         self.tr("Enter lesson times first; then this turns on by itself.")),
        }  # fmt: skip
        for name, (title, explanation) in texts.items():
            self.checks[name].setText(title)
            self.checks[name].setAccessibleName(title)
            self.checks[name].setAccessibleDescription(explanation)
            self.explanations[name].setText(explanation)
        self.pause_label.setText(self.tr("A teacher pause ends by itself after"))
        self.pause_choice.setAccessibleName(self.tr("Length of a teacher pause"))
        self._name_pause_choices()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
