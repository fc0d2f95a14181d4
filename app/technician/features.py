"""Technician: the settings of the classroom features (issue 5).

On the classroom unit a page of its own (school hours, feature switches, pause
time), reached from the technician panel; on the pupil's laptop one section in
the panel (the presence level it starts at). :class:`FeatureSettingsMode` owns
them: each change is saved in settings.json (app.feature_settings), written to
the audit trail and handed to the running engine on its own thread through
``EngineBridge.run``; the classroom tells a pupil in a call at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.audit import AuditLog
from app.bridge import EngineBridge
from app.feature_settings import (
    FeatureSettings,
    FeatureSettingsInvalid,
    apply_to,
    load,
    save,
    schedule_summary,
)
from app.settings import SettingsStore
from app.technician.lessons import LessonTimesView
from app.technician.presence import StartPresenceView
from app.technician.switches import FeatureSwitchesView
from app.technician.widgets import big_button, scroll_area
from common.errors import KlasgenootError
from media.features.schedule import DEFAULT_TZ, Schedule
from pairing.roles import Role

logger = logging.getLogger(__name__)

Now = Callable[[], dt.datetime]  # aware
Change = tuple[str, object, object]  # audit setting name, old, new


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FeaturesPage(QWidget):
    """Classroom unit: school hours, feature switches and pause time, on one page."""

    back_requested = Signal()
    widgets_added = Signal()  # new fields (technician mode watches them for activity)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setFont(QFont(self.font().family(), 20, QFont.Weight.Bold))
        inner = QWidget(self)
        self.lessons = LessonTimesView(inner)
        self.switches = FeatureSwitchesView(inner)
        self.lessons.widgets_added.connect(self.widgets_added)
        self._boxes = (QGroupBox(inner), QGroupBox(inner))
        body = QVBoxLayout(inner)
        for box, view in zip(self._boxes, (self.lessons, self.switches), strict=True):
            QVBoxLayout(box).addWidget(view)
            body.addWidget(box)
        body.addStretch(1)
        scroll = scroll_area(self, inner)
        self.back_button = big_button(self)
        self.back_button.clicked.connect(self.back_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("School hours and features"))
        self._boxes[0].setTitle(self.tr("School hours"))
        self._boxes[1].setTitle(self.tr("Features"))
        self.back_button.setText(self.tr("Back"))
        self.back_button.setAccessibleName(self.tr("Back to technician mode"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class FeatureSettingsMode(QObject):
    """Stores, audits and applies the technician's feature settings (see the module)."""

    failed = Signal(object)  # a KlasgenootError: the window shows it in the banner

    def __init__(
        self,
        settings: SettingsStore,
        role: Role,
        *,
        bridge: EngineBridge | None = None,
        audit: AuditLog | None = None,
        clock: Now = _utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._bridge, self._audit, self._clock = settings, bridge, audit, clock
        self.current = load(settings)
        self.page: FeaturesPage | None = None
        self.presence: StartPresenceView | None = None
        if role is Role.CLASSROOM:
            page = self.page = FeaturesPage()
            page.lessons.save_requested.connect(self.save_schedule)
            page.lessons.open_today_requested.connect(self.open_rest_of_today)
            page.lessons.close_today_requested.connect(self.close_today)
            page.switches.switch_toggled.connect(self.set_switch)
            page.switches.pause_chosen.connect(self.set_pause)
        else:
            self.presence = StartPresenceView()
            self.presence.level_chosen.connect(self.set_start_presence)
        self.refresh()

    def refresh(self) -> None:
        """Show what is stored (reopening the page drops edits that were not saved)."""
        self.current = load(self._store)
        if self.page is not None:
            self.page.lessons.set_schedule(self.current.schedule, self._today())
            self._show()
        if self.presence is not None:
            self.presence.show_level(self.current.start_presence)

    # -- what the technician asked for ----------------------------------------------------

    def save_schedule(self, schedule: Schedule) -> bool:
        old = self.current
        new = old.with_schedule(schedule)
        changes: list[Change] = [
            ("schedule", schedule_summary(old.schedule), schedule_summary(new.schedule))
        ]
        if new.effective_switches.schedule != old.effective_switches.schedule:
            changes.append(("features.schedule", old.effective_switches.schedule,
                            new.effective_switches.schedule))  # fmt: skip
        if not self._commit(new, changes):
            return False
        if self.page is not None:
            self.page.lessons.set_schedule(new.schedule, self._today())
            self.page.lessons.show_saved()
        return True

    def open_rest_of_today(self) -> bool:
        """Let the pupil in until local midnight, lesson times or not (kept over a restart)."""
        schedule = self.current.schedule
        if schedule is None or not self.current.effective_switches.schedule:
            return False  # school hours are off: the pupil is let in anyway
        opened = schedule.open_rest_of_today(self._clock())
        return self._set_open_day(opened.open_day)

    def close_today(self) -> bool:
        """Back to the normal school hours today."""
        return self._set_open_day(None)

    def set_switch(self, name: str, on: bool) -> bool:
        old = self.current
        try:
            new = old.with_switch(name, on)
        except FeatureSettingsInvalid:
            logger.warning("unknown feature switch %r ignored", name)
            return False
        was = bool(getattr(old.effective_switches, name))
        return self._commit(new, [(f"features.{name}", was, on)])

    def set_pause(self, minutes: int) -> bool:
        old = self.current
        try:
            new = replace(old, pause_minutes=minutes)
        except FeatureSettingsInvalid:
            logger.warning("pause time %r refused", minutes)
            self._show()
            return False
        return self._commit(new, [("pause_minutes", old.pause_minutes, minutes)])

    def set_start_presence(self, level: str) -> bool:
        old = self.current
        try:
            new = replace(old, start_presence=level)
        except FeatureSettingsInvalid:
            logger.warning("presence level %r refused", level)
            return False
        return self._commit(new, [("start_presence", old.start_presence, level)])

    # -- internals ------------------------------------------------------------------------

    def _set_open_day(self, day: dt.date | None) -> bool:
        schedule = self.current.schedule
        if schedule is None or schedule.open_day == day:
            return False
        old_day = None if schedule.open_day is None else schedule.open_day.isoformat()
        new = replace(self.current, schedule=replace(schedule, open_day=day))
        if not self._commit(new, [("schedule.open_day", old_day,
                                   None if day is None else day.isoformat())]):  # fmt: skip
            return False
        if self.page is not None:
            self.page.lessons.set_open_day(day)  # a later save keeps it
        return True

    def _commit(self, new: FeatureSettings, changes: list[Change]) -> bool:
        """Save, audit, apply to the running engine; on failure nothing changes."""
        try:
            save(self._store, new)
        except KlasgenootError as exc:
            self._failed(exc, exc)
            return False
        except FeatureSettingsInvalid as exc:  # the settings file would grow too large
            logger.warning("feature settings not saved: %s", exc)
            self._failed(exc, None)
            return False
        self.current = new
        if self._audit is not None:
            for name, was, now in changes:
                if was != now:
                    self._audit.setting(name, was, now)
        if self._bridge is not None:
            self._bridge.run(lambda engine: apply_to(engine, new))
        self._show()
        return True

    def _failed(self, exc: Exception, error: KlasgenootError | None) -> None:
        if self.page is not None:
            text = (self.tr("The settings could not be saved: too many days off. "
                            "Remove some. Nothing was saved.")
                    if error is None else self.tr("Nothing was saved."))  # fmt: skip
            self.page.lessons.show_error(text)
        if error is not None:
            self.failed.emit(error)
        self._show()  # the switches show what is stored again

    def _show(self) -> None:
        if self.page is None:
            return
        settings = self.current
        self.page.switches.show_settings(settings.effective_switches,
                                         has_lessons=settings.has_lessons,
                                         pause_minutes=settings.pause_minutes)  # fmt: skip
        schedule, in_use = settings.schedule, settings.effective_switches.schedule
        if schedule is None or not in_use:
            self.page.lessons.show_today(in_use=False, open_today=False)
            return
        now = self._clock()
        self.page.lessons.show_today(in_use=True, open_today=schedule.open_day == self._today(),
                                     closes=schedule.closes_at(now),
                                     next_start=schedule.next_start(now))  # fmt: skip

    def _today(self) -> dt.date:
        schedule = self.current.schedule
        zone = schedule.zone if schedule is not None else ZoneInfo(DEFAULT_TZ)
        return self._clock().astimezone(zone).date()
