"""Technician, classroom: one weekday's lesson times in the school-hours editor.

Rows of start – end fields, added and removed by the technician; what they hold
is checked by app.feature_settings when the school hours are saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.technician.widgets import MIN_TARGET, big_button


def day_name(day: int, *, capital: bool = False) -> str:
    """Monday = 0, in the UI language (app.i18n sets the default locale); Dutch
    writes weekdays in lower case, so ``capital`` for the start of a line."""
    name = QLocale().dayName(day + 1, QLocale.FormatType.LongFormat)
    return name[:1].upper() + name[1:] if capital else name


def _time_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setPlaceholderText("08:30")
    field.setMaxLength(5)
    field.setMinimumSize(MIN_TARGET * 2, MIN_TARGET)
    return field


class RangeRow(QWidget):
    """One lesson time: start – end, and a button to remove it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.start, self.end = _time_field(self), _time_field(self)
        self.dash = QLabel("–", self)
        self.remove_button = big_button(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.start, self.dash, self.end, self.remove_button):
            row.addWidget(widget)
        row.addStretch(1)

    def texts(self) -> tuple[str, str]:
        return self.start.text(), self.end.text()


class DayView(QWidget):
    """The lesson times of one weekday, with "Add lesson time"."""

    grew = Signal()  # new fields exist (technician mode watches them for activity)

    def __init__(self, day: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.day = day
        self.rows: list[RangeRow] = []
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self.add_button = big_button(self)
        self.add_button.clicked.connect(lambda _=False: self.add_row())
        self._column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.retranslate()

    def add_row(self, start: str = "", end: str = "") -> RangeRow:
        row = RangeRow(self)
        row.start.setText(start)
        row.end.setText(end)
        row.remove_button.clicked.connect(lambda _=False, r=row: self.remove_row(r))
        self._column.insertWidget(len(self.rows), row)
        self.rows.append(row)
        self.retranslate()
        self.grew.emit()
        return row

    def remove_row(self, row: RangeRow) -> None:
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        self.retranslate()

    def set_ranges(self, ranges: Sequence[tuple[dt.time, dt.time]]) -> None:
        for row in list(self.rows):
            self.remove_row(row)
        for start, end in ranges:
            self.add_row(start.strftime("%H:%M"), end.strftime("%H:%M"))

    def texts(self) -> list[tuple[str, str]]:
        return [row.texts() for row in self.rows]

    def retranslate(self) -> None:
        name, first = day_name(self.day), day_name(self.day, capital=True)
        self.add_button.setText(self.tr("Add lesson time"))
        self.add_button.setAccessibleName(self.tr("Add a lesson time on {day}").format(day=name))
        for n, row in enumerate(self.rows, start=1):
            row.start.setAccessibleName(
                self.tr("{day}, lesson time {n}, start").format(day=first, n=n)
            )
            row.end.setAccessibleName(self.tr("{day}, lesson time {n}, end").format(day=first, n=n))
            row.remove_button.setText(self.tr("Remove"))
            row.remove_button.setAccessibleName(
                self.tr("Remove lesson time {n} on {day}").format(day=name, n=n)
            )
