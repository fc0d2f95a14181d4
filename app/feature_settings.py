"""The technician's settings of the classroom features (issue 5), in settings.json.

Kept in :attr:`app.settings.DeviceSettings.extra` under four keys:

- ``features``: one bool per feature switch (classroom; absent: the product's
  defaults, school hours on only once lesson times exist),
- ``schedule``: the lesson times as media.features.schedule's JSON *text*
  (classroom; a string, so the file's indentation cannot blow a long list of
  days off past the settings file's size limit),
- ``pause_minutes``: how long the teacher's pause lasts (classroom, 1–60),
- ``start_presence``: the level the pupil starts at (pupil: listening, voice, video).

Each value is checked on its own against fixed limits: a damaged one gives its
default and a warning in the log (never a crash, never the other values lost).
No Qt: the engine's :class:`media.features.hub.FeatureConfig` is built here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from app.settings import MAX_FILE, SettingsStore, dump
from media.features.hub import FeatureConfig
from media.features.messages import PRESENCE_LEVELS, SWITCH_NAMES
from media.features.schedule import (
    DEFAULT_TZ,
    MAX_DAYS_OFF,
    MAX_JSON,
    MAX_RANGES_PER_DAY,
    Schedule,
    ScheduleInvalid,
    from_json,
)
from media.features.switches import FeatureSwitches

if TYPE_CHECKING:
    from media.engine import Engine

logger = logging.getLogger(__name__)

SWITCHES_KEY = "features"
SCHEDULE_KEY = "schedule"
PAUSE_KEY = "pause_minutes"
PRESENCE_KEY = "start_presence"
PAUSE_MIN, PAUSE_MAX, PAUSE_DEFAULT = 1, 60, 10
PRESENCE_DEFAULT = "video"
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")  # forgiving: 8:30, 08:30, 8.30


class FeatureSettingsInvalid(ValueError):
    """Internal: a value outside its limits (never shown to people as it is)."""


class LessonTimesInvalid(ValueError):
    """What is wrong with the lesson times the technician typed; the view words it.

    ``problem``: "time" (not a time of day), "order" (the end is not after the
    start), "overlap" (two lesson times of one day overlap), "too_many" (more
    than MAX_RANGES_PER_DAY on one day), "days_order" (the last day off is
    before the first), "days_count" (more than MAX_DAYS_OFF days off),
    "timezone" (not a known time zone).
    ``day`` is the weekday (0 = Monday) and ``row`` the lesson time, when known.
    """

    def __init__(self, problem: str, day: int | None = None, row: int | None = None) -> None:
        super().__init__(problem, day, row)
        self.problem, self.day, self.row = problem, day, row


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    switches: FeatureSwitches | None = None  # None: the product's defaults
    schedule: Schedule | None = None
    pause_minutes: int = PAUSE_DEFAULT
    start_presence: str = PRESENCE_DEFAULT

    def __post_init__(self) -> None:
        pause = self.pause_minutes
        if isinstance(pause, bool) or not isinstance(pause, int):
            raise FeatureSettingsInvalid(PAUSE_KEY)
        if not PAUSE_MIN <= pause <= PAUSE_MAX:
            raise FeatureSettingsInvalid(PAUSE_KEY)
        if self.start_presence not in PRESENCE_LEVELS:
            raise FeatureSettingsInvalid(PRESENCE_KEY)

    @property
    def has_lessons(self) -> bool:
        return self.schedule is not None and self.schedule.has_lessons

    @property
    def effective_switches(self) -> FeatureSwitches:
        """What the classroom runs with: school hours are never on without lesson times
        (an empty schedule would lock the pupil out)."""
        switches = self.switches or FeatureSwitches.defaults(has_lessons=self.has_lessons)
        if switches.schedule and not self.has_lessons:
            return replace(switches, schedule=False)
        return switches

    def with_schedule(self, schedule: Schedule) -> FeatureSettings:
        """New lesson times; the first lesson times switch school hours on (issue 5)."""
        switches = self.switches
        if switches is not None and not self.has_lessons and schedule.has_lessons:
            switches = replace(switches, schedule=True)
        return replace(self, schedule=schedule, switches=switches)

    def with_switch(self, name: str, on: bool) -> FeatureSettings:
        if name not in SWITCH_NAMES:
            raise FeatureSettingsInvalid(name)
        return replace(self, switches=replace(self.effective_switches, **{name: on}))

    def feature_config(self) -> FeatureConfig:
        """The engine's feature settings (the rest of FeatureConfig keeps its defaults)."""
        return FeatureConfig(
            switches=self.effective_switches,
            schedule=self.schedule,
            presence=self.start_presence,
            pause_minutes=float(self.pause_minutes),
        )

    def to_extra(self) -> dict[str, Any]:
        """The keys as they go into settings.json (absent values are left out)."""
        doc: dict[str, Any] = {PAUSE_KEY: self.pause_minutes, PRESENCE_KEY: self.start_presence}
        if self.switches is not None:
            doc[SWITCHES_KEY] = self.switches.to_body()
        if self.schedule is not None:
            doc[SCHEDULE_KEY] = self.schedule.to_json()
        return doc


# -- reading ------------------------------------------------------------------------


def from_extra(extra: Mapping[str, Any]) -> FeatureSettings:
    """Checked field by field; a damaged value → its default and a warning."""
    return FeatureSettings(
        switches=_checked(extra, SWITCHES_KEY, _switches, None),
        schedule=_checked(extra, SCHEDULE_KEY, _schedule, None),
        pause_minutes=_checked(extra, PAUSE_KEY, _pause, PAUSE_DEFAULT),
        start_presence=_checked(extra, PRESENCE_KEY, _presence, PRESENCE_DEFAULT),
    )


def _checked(extra: Mapping[str, Any], key: str, parse: Any, default: Any) -> Any:
    if key not in extra:
        return default
    try:
        return parse(extra[key])
    except (FeatureSettingsInvalid, ScheduleInvalid) as exc:
        logger.warning("setting %s damaged (%s), using the default", key, type(exc).__name__)
        return default


def _switches(value: Any) -> FeatureSwitches:
    if not isinstance(value, dict) or set(value) != set(SWITCH_NAMES):
        raise FeatureSettingsInvalid(SWITCHES_KEY)
    if not all(isinstance(on, bool) for on in value.values()):
        raise FeatureSettingsInvalid(SWITCHES_KEY)
    return FeatureSwitches.from_body(value)


def _schedule(value: Any) -> Schedule:
    if not isinstance(value, str) or len(value) > MAX_JSON:
        raise FeatureSettingsInvalid(SCHEDULE_KEY)
    return from_json(value)


def _pause(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FeatureSettingsInvalid(PAUSE_KEY)
    if not PAUSE_MIN <= value <= PAUSE_MAX:
        raise FeatureSettingsInvalid(PAUSE_KEY)
    return value


def _presence(value: Any) -> str:
    if value not in PRESENCE_LEVELS:
        raise FeatureSettingsInvalid(PRESENCE_KEY)
    return str(value)


# -- the file -----------------------------------------------------------------------


def load(store: SettingsStore) -> FeatureSettings:
    return from_extra(store.load().extra)


def save(store: SettingsStore, settings: FeatureSettings) -> None:
    """Write the feature keys, keeping every other setting; raises SettingsNotSaved.

    FeatureSettingsInvalid if the whole file would pass the settings file's size
    limit (the next start would then fall back to all defaults, PIN included).
    """
    current = store.load()
    extra = {k: v for k, v in current.extra.items()
             if k not in (SWITCHES_KEY, SCHEDULE_KEY)}  # fmt: skip
    new = replace(current, extra={**extra, **settings.to_extra()})
    if len(dump(new)) > MAX_FILE:
        raise FeatureSettingsInvalid("too large")
    store.save(new)


def apply_to(engine: Engine, settings: FeatureSettings) -> None:
    """On the engine loop: the running engine takes the new settings at once.

    The classroom announces the switches to the pupil straight away; the starting
    presence only matters at the next start.
    """
    hub = engine.features
    hub.config = replace(hub.config, **_config_fields(settings))
    if hub.classroom is not None:
        hub.classroom.configure(switches=settings.effective_switches, schedule=settings.schedule)


def _config_fields(settings: FeatureSettings) -> dict[str, Any]:
    config = settings.feature_config()
    return {"switches": config.switches, "schedule": config.schedule,
            "presence": config.presence, "pause_minutes": config.pause_minutes}  # fmt: skip


# -- what the technician typed ------------------------------------------------------


def parse_time(text: str) -> dt.time | None:
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    return dt.time(hour, minute) if hour < 24 and minute < 60 else None


def lesson_schedule(
    week: Sequence[Sequence[tuple[str, str]]],
    days_off: Iterable[dt.date],
    *,
    timezone: str = DEFAULT_TZ,
    open_day: dt.date | None = None,
) -> Schedule:
    """The typed lesson times (Monday first; rows with both fields empty are skipped)
    as a Schedule; LessonTimesInvalid names the first problem."""
    if len(week) != 7:
        raise ValueError("week")
    ranges = tuple(_day_ranges(day, rows) for day, rows in enumerate(week))
    off = frozenset(days_off)
    if len(off) > MAX_DAYS_OFF:
        raise LessonTimesInvalid("days_count")
    try:
        return Schedule(week=ranges, days_off=off, timezone=timezone, open_day=open_day)
    except ScheduleInvalid as exc:  # only the time zone is left to check here
        raise LessonTimesInvalid("timezone") from exc


def _day_ranges(day: int, rows: Sequence[tuple[str, str]]) -> tuple[tuple[dt.time, dt.time], ...]:
    out: list[tuple[dt.time, dt.time, int]] = []
    for row, (start_text, end_text) in enumerate(rows):
        if not start_text.strip() and not end_text.strip():
            continue
        start, end = parse_time(start_text), parse_time(end_text)
        if start is None or end is None:
            raise LessonTimesInvalid("time", day, row)
        if end <= start:
            raise LessonTimesInvalid("order", day, row)
        out.append((start, end, row))
    if len(out) > MAX_RANGES_PER_DAY:
        raise LessonTimesInvalid("too_many", day)
    out.sort()
    for (_, end, _), (start, _, row) in itertools.pairwise(out):
        if start < end:  # touching (12:00–12:30, 12:30–13:00) is fine
            raise LessonTimesInvalid("overlap", day, row)
    return tuple((start, end) for start, end, _ in out)


def add_days_off(days: frozenset[dt.date], first: dt.date, last: dt.date) -> frozenset[dt.date]:
    """``days`` plus every date from ``first`` to ``last`` (a holiday is one entry)."""
    if last < first:
        raise LessonTimesInvalid("days_order")
    count = (last - first).days + 1
    if count > MAX_DAYS_OFF:
        raise LessonTimesInvalid("days_count")
    added = days | {first + dt.timedelta(days=i) for i in range(count)}
    if len(added) > MAX_DAYS_OFF:
        raise LessonTimesInvalid("days_count")
    return frozenset(added)


def schedule_summary(schedule: Schedule | None) -> str:
    """A short value for the audit trail (it keeps ≤ 64 characters, never a list)."""
    if schedule is None:
        return "none"
    days = sum(1 for ranges in schedule.week if ranges)
    times = sum(len(ranges) for ranges in schedule.week)
    return f"{days} days, {times} lesson times, {len(schedule.days_off)} days off"
