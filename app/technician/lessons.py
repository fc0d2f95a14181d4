"""Technician, classroom: school hours — lesson times per weekday, days off, and
"open for the rest of today" (media.features.schedule).

Thin: it shows a Schedule and turns what the technician typed into a new one
through app.feature_settings, which names the first problem; then the problem is
shown and nothing is emitted, so nothing is saved. FeatureSettingsMode stores
what is emitted and hands it to the running engine.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QEvent, QLocale, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.feature_settings import LessonTimesInvalid, add_days_off, lesson_schedule, parse_time
from app.technician.weekday import DayView, day_name
from app.technician.widgets import MIN_TARGET, big_button
from media.features.schedule import DEFAULT_TZ, MAX_DAYS_OFF, MAX_RANGES_PER_DAY, Schedule

ISO = "yyyy-MM-dd"
ITEM_DATE = Qt.ItemDataRole.UserRole


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


class LessonTimesView(QWidget):
    """School hours: every weekday's lesson times, the days off, the time zone, today."""

    save_requested = Signal(object)  # a checked media.features.schedule.Schedule
    open_today_requested = Signal()
    close_today_requested = Signal()  # back to the normal school hours today
    widgets_added = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timezone = DEFAULT_TZ
        self._open_day: dt.date | None = None
        self._days_off: frozenset[dt.date] = frozenset()
        self._problem: LessonTimesInvalid | None = None
        self._saved = False
        self._today: tuple[bool, bool, dt.datetime | None, dt.datetime | None] = (
            False, False, None, None,
        )  # fmt: skip
        self.intro, self.timezone_label = QLabel(self), QLabel(self)
        self.intro.setWordWrap(True)
        week = QFormLayout()
        self.days = [DayView(day, self) for day in range(7)]
        self._day_labels = [QLabel(self) for _ in range(7)]
        for label, day in zip(self._day_labels, self.days, strict=True):
            day.grew.connect(self.widgets_added)
            week.addRow(label, day)
        self._build_days_off()
        self.hint, self.message = QLabel(self), QLabel(self)
        self.message.setWordWrap(True)
        self.save_button = big_button(self)
        self.save_button.clicked.connect(lambda _=False: self.save())
        self.today_status = QLabel(self)
        self.today_status.setWordWrap(True)
        self.open_today_button, self.close_today_button = big_button(self), big_button(self)
        self.open_today_button.clicked.connect(self.open_today_requested)
        self.close_today_button.clicked.connect(self.close_today_requested)
        save_row = _row(self.save_button, self.hint)
        today_row = _row(self.open_today_button, self.close_today_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.timezone_label)
        layout.addLayout(week)
        layout.addWidget(self.days_off_title)
        layout.addWidget(self.days_off_list)
        layout.addLayout(self._days_off_row)
        layout.addLayout(save_row)
        layout.addWidget(self.message)
        layout.addWidget(self.today_status)
        layout.addLayout(today_row)
        self.retranslate()

    def _build_days_off(self) -> None:
        self.days_off_title = QLabel(self)
        self.days_off_list = QListWidget(self)
        self.days_off_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.days_off_list.setMinimumHeight(MIN_TARGET * 3)
        self.first_day, self.last_day = QDateEdit(self), QDateEdit(self)
        self._until = QLabel(self)
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(ISO)
            edit.setMinimumSize(MIN_TARGET * 3, MIN_TARGET)
        self.first_day.dateChanged.connect(self._first_day_changed)
        self.add_days_button, self.remove_days_button = big_button(self), big_button(self)
        self.add_days_button.clicked.connect(lambda _=False: self.add_days())
        self.remove_days_button.clicked.connect(lambda _=False: self.remove_days())
        self._days_off_row = QHBoxLayout()
        for widget in (self.first_day, self._until, self.last_day, self.add_days_button,
                       self.remove_days_button):  # fmt: skip
            self._days_off_row.addWidget(widget)
        self._days_off_row.addStretch(1)

    # -- what it shows ------------------------------------------------------------------

    def set_schedule(self, schedule: Schedule | None, today: dt.date) -> None:
        """Show the stored school hours (unsaved edits are dropped)."""
        schedule = schedule or Schedule()
        self._timezone, self._open_day = schedule.timezone, schedule.open_day
        for day, ranges in zip(self.days, schedule.week, strict=True):
            day.set_ranges(ranges)
        self._days_off = schedule.days_off
        self._show_days_off()
        for edit in (self.first_day, self.last_day):
            edit.setDate(_qdate(today))
        self._problem, self._saved = None, False
        self.retranslate()

    def set_open_day(self, day: dt.date | None) -> None:
        self._open_day = day

    def show_today(
        self,
        *,
        in_use: bool,
        open_today: bool,
        closes: dt.datetime | None = None,
        next_start: dt.datetime | None = None,
    ) -> None:
        """Whether the pupil may join now; times are shown in the schedule's zone."""
        self._today = (in_use, open_today, closes, next_start)
        self._show_today()

    def _show_today(self) -> None:
        in_use, open_today, closes, next_start = self._today
        if open_today:
            text = self.tr("Open for the pupil until midnight today (opened by a technician).")
        elif not in_use:
            text = self.tr("School hours are off: the pupil can join at any time.")
        elif closes is not None:
            text = self.tr("Open now, until {time}.").format(time=self._when(closes, day=False))
        elif next_start is not None:
            text = self.tr("Closed now. Next lesson: {when}.").format(when=self._when(next_start))
        else:
            text = self.tr("Closed now. No lesson is planned.")
        self.today_status.setText(text)
        self.open_today_button.setEnabled(in_use and not open_today)
        self.close_today_button.setVisible(open_today)

    def show_saved(self) -> None:
        self._problem, self._saved = None, True
        self._show_message()

    def show_error(self, text: str) -> None:
        self._problem, self._saved = None, False
        self.message.setText(text)

    # -- what the technician does ------------------------------------------------------

    def save(self) -> bool:
        """Check what was typed; emit it only if all of it is right."""
        try:
            week = [day.texts() for day in self.days]
            schedule = lesson_schedule(
                week, self._days_off, timezone=self._timezone, open_day=self._open_day
            )
        except LessonTimesInvalid as exc:
            self._problem, self._saved = exc, False
            self._show_message()
            self._focus_problem(exc)
            return False
        self._problem = None
        self.message.clear()
        self.save_requested.emit(schedule)
        return True

    def add_days(self) -> bool:
        """Add the days from the first to the last date (one day: both the same)."""
        first, last = self.first_day.date().toPython(), self.last_day.date().toPython()
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        try:
            self._days_off = add_days_off(self._days_off, first, last)
        except LessonTimesInvalid as exc:
            self._problem, self._saved = exc, False
            self._show_message()
            return False
        self._problem = None
        self.message.clear()
        self._show_days_off()
        return True

    def remove_days(self) -> None:
        chosen = {dt.date.fromisoformat(item.data(ITEM_DATE))
                  for item in self.days_off_list.selectedItems()}  # fmt: skip
        self._days_off = self._days_off - chosen
        self._show_days_off()

    # -- internals ------------------------------------------------------------------------

    def _first_day_changed(self, date: QDate) -> None:
        if self.last_day.date() < date:  # one day off is the usual case: follow along
            self.last_day.setDate(date)

    def _show_days_off(self) -> None:
        self.days_off_list.clear()
        for day in sorted(self._days_off):
            item = QListWidgetItem(QLocale().toString(_qdate(day), "dddd d MMMM yyyy"))
            item.setData(ITEM_DATE, day.isoformat())
            self.days_off_list.addItem(item)
        self.remove_days_button.setEnabled(bool(self._days_off))

    def _show_message(self) -> None:
        if self._problem is not None:
            self.message.setText(self._problem_text(self._problem))
        elif self._saved:
            self.message.setText(self.tr("Saved. The classroom uses the new school hours now."))
        else:
            self.message.clear()

    def _problem_text(self, problem: LessonTimesInvalid) -> str:
        texts = {
            "time": self.tr("{where}: type a time as hours:minutes, for example 08:30."),
            "order": self.tr("{where}: the end must be after the start."),
            "overlap": self.tr("{where} overlaps another lesson time on the same day."),
            "too_many": self.tr("{where}: at most {ranges} lesson times a day."),
            "days_order": self.tr("The last day off is before the first."),
            "days_count": self.tr("At most {days} days off."),
            "timezone": self.tr("The time zone is not known on this device."),
        }
        text = texts.get(problem.problem, self.tr("The lesson times are not valid."))
        where = "" if problem.day is None else day_name(problem.day, capital=True)
        if problem.day is not None and problem.row is not None:
            where = self.tr("{day}, lesson time {n}").format(day=where, n=problem.row + 1)
        text = text.format(where=where, ranges=MAX_RANGES_PER_DAY, days=MAX_DAYS_OFF)
        return text + " " + self.tr("Nothing was saved.")

    def _focus_problem(self, problem: LessonTimesInvalid) -> None:
        """Put the cursor where the first problem is."""
        if problem.day is None or problem.row is None:
            return
        rows = self.days[problem.day].rows
        if problem.row < len(rows):
            row = rows[problem.row]
            start_ok = parse_time(row.start.text()) is not None
            end_wrong = problem.problem == "order" or (problem.problem == "time" and start_ok)
            (row.end if end_wrong else row.start).setFocus()

    def _when(self, when: dt.datetime, *, day: bool = True) -> str:
        local = when.astimezone(ZoneInfo(self._timezone))
        moment = QDateTime(_qdate(local.date()), QTime(local.hour, local.minute))
        return QLocale().toString(moment, "dddd d MMMM HH:mm" if day else "HH:mm")

    def retranslate(self) -> None:
        self.intro.setText(self.tr(
            "The pupil is let in only during these times. Outside them the pupil sees "
            "when the next lesson starts; a call gets a notice 5 minutes before the end."
        ))  # fmt: skip
        self.timezone_label.setText(self.tr("Time zone: {zone}").format(zone=self._timezone))
        for label, day in zip(self._day_labels, self.days, strict=True):
            label.setText(day_name(day.day, capital=True))
            day.retranslate()
        self.days_off_title.setText(self.tr("Days off (holidays, study days)"))
        self.days_off_list.setAccessibleName(self.tr("Days off"))
        self._until.setText(self.tr("to"))
        self.first_day.setAccessibleName(self.tr("First day off"))
        self.last_day.setAccessibleName(self.tr("Last day off"))
        self.add_days_button.setText(self.tr("Add days off"))
        self.remove_days_button.setText(self.tr("Remove chosen days"))
        self.save_button.setText(self.tr("Save school hours"))
        self.hint.setText(self.tr("Nothing changes until you press Save."))
        self.open_today_button.setText(self.tr("Open for the rest of today"))
        self.close_today_button.setText(self.tr("Back to the normal school hours"))
        for button in (self.add_days_button, self.remove_days_button, self.save_button,
                       self.open_today_button, self.close_today_button):  # fmt: skip
            button.setAccessibleName(button.text())
        self._show_days_off()
        self._show_message()
        self._show_today()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
