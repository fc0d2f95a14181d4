"""School hours: when the classroom device accepts the pupil.

Weekdays × time ranges plus days off, in the device's local time zone
(Europe/Amsterdam by default), and the technician's "open for the rest of today".
Pure functions of an aware ``now``: every instant is compared in UTC, so a lesson
on a DST changeover day starts at its local wall time and Python's same-tzinfo
comparison (which ignores the offset) never decides anything.

JSON form (what the technician screen stores)::

    {"timezone": "Europe/Amsterdam",
     "week": {"mon": [["08:30", "12:00"], ["12:30", "15:15"]], "tue": [...]},
     "days_off": ["2026-12-25"], "open_day": "2026-11-25"}
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from media.errors import MediaError

DEFAULT_TZ = "Europe/Amsterdam"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_JSON = 16384
MAX_RANGES_PER_DAY = 12
MAX_DAYS_OFF = 400
LOOKAHEAD_DAYS = 400  # next_start looks this far (a school year and its holidays)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_UTC = dt.UTC


class ScheduleInvalid(MediaError):
    """De lestijden zijn niet geldig. Er is niets veranderd; controleer de invoer."""


Range = tuple[dt.time, dt.time]


@dataclass(frozen=True, slots=True)
class Schedule:
    week: tuple[tuple[Range, ...], ...] = ((),) * 7  # Monday first
    days_off: frozenset[dt.date] = frozenset()
    timezone: str = DEFAULT_TZ
    open_day: dt.date | None = None  # technician: open for the rest of this local day
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScheduleInvalid("timezone") from exc
        if len(self.week) != 7:
            raise ScheduleInvalid("week")
        for ranges in self.week:
            if len(ranges) > MAX_RANGES_PER_DAY or any(a >= b for a, b in ranges):
                raise ScheduleInvalid("range")
        object.__setattr__(self, "zone", zone)

    @property
    def has_lessons(self) -> bool:
        return any(self.week)

    def open_rest_of_today(self, now: dt.datetime) -> Schedule:
        """The technician's override: open from now until local midnight."""
        return replace(self, open_day=_aware(now).astimezone(self.zone).date())

    # -- the three questions ----------------------------------------------------

    def is_open(self, now: dt.datetime) -> bool:
        return self.closes_at(now) is not None

    def closes_at(self, now: dt.datetime) -> dt.datetime | None:
        """When the open period around ``now`` ends (UTC), or None if closed now."""
        now = _aware(now).astimezone(_UTC)
        day = now.astimezone(self.zone).date()
        end: dt.datetime | None = None
        # Yesterday's range cannot reach into today (ranges end by 23:59), but merged
        # neighbours can chain: walk today's ranges in order.
        for start, stop in self._intervals(day):
            if end is None and start <= now < stop:
                end = stop
            elif end is not None and start <= end:
                end = max(end, stop)  # adjacent or overlapping: one open period
        return end

    def next_start(self, now: dt.datetime) -> dt.datetime | None:
        """The first start of an open period after ``now`` (UTC), or None."""
        now = _aware(now).astimezone(_UTC)
        first = now.astimezone(self.zone).date()
        for offset in range(LOOKAHEAD_DAYS):
            for start, _stop in self._intervals(first + dt.timedelta(days=offset)):
                if start > now:
                    return start
        return None

    def _intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The open intervals of one local day, in UTC, sorted."""
        if day == self.open_day:
            midnight = dt.datetime.combine(day, dt.time(), self.zone)
            following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), self.zone)
            return [(midnight.astimezone(_UTC), following.astimezone(_UTC))]
        if day in self.days_off:
            return []
        out = [
            (self._at(day, start), self._at(day, stop)) for start, stop in self.week[day.weekday()]
        ]
        return sorted(out)

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, self.zone).astimezone(_UTC)

    # -- JSON -------------------------------------------------------------------

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "timezone": self.timezone,
            "week": {
                name: [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in ranges]
                for name, ranges in zip(DAYS, self.week, strict=True)
                if ranges
            },
            "days_off": sorted(d.isoformat() for d in self.days_off),
        }
        if self.open_day is not None:
            data["open_day"] = self.open_day.isoformat()
        return json.dumps(data, sort_keys=True)


def from_json(text: str | bytes) -> Schedule:
    """Parse and validate; ScheduleInvalid (naming the field) for anything wrong."""
    try:
        data = jsondoc.loads(text, limit=MAX_JSON)
    except JsonDocInvalid as exc:
        raise ScheduleInvalid(exc.detail) from exc
    if not set(data) <= {"timezone", "week", "days_off", "open_day"}:
        raise ScheduleInvalid("fields")
    timezone = data.get("timezone", DEFAULT_TZ)
    if not isinstance(timezone, str) or len(timezone) > 64:
        raise ScheduleInvalid("timezone")
    week = data.get("week", {})
    if not isinstance(week, dict) or not set(week) <= set(DAYS):
        raise ScheduleInvalid("week")
    days_off = data.get("days_off", [])
    if not isinstance(days_off, list) or len(days_off) > MAX_DAYS_OFF:
        raise ScheduleInvalid("days_off")
    open_day = data.get("open_day")
    return Schedule(
        week=tuple(_ranges(week.get(name, []), name) for name in DAYS),
        days_off=frozenset(_date(d, "days_off") for d in days_off),
        timezone=timezone,
        open_day=None if open_day is None else _date(open_day, "open_day"),
    )


def _ranges(value: Any, name: str) -> tuple[Range, ...]:
    if not isinstance(value, list) or len(value) > MAX_RANGES_PER_DAY:
        raise ScheduleInvalid(name)
    out = []
    for item in value:
        if not isinstance(item, list) or len(item) != 2:
            raise ScheduleInvalid(name)
        start, stop = _time(item[0], name), _time(item[1], name)
        if start >= stop:
            raise ScheduleInvalid(f"{name}: start after end")
        out.append((start, stop))
    return tuple(sorted(out))


def _time(value: Any, name: str) -> dt.time:
    match = _HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise ScheduleInvalid(f"{name}: time")
    return dt.time(int(match[1]), int(match[2]))


def _date(value: Any, name: str) -> dt.date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ScheduleInvalid(name) from exc


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now


def parse_instant(text: str) -> dt.datetime | None:
    """An ISO 8601 instant with offset from the wire, or None if it is not one."""
    if not isinstance(text, str) or not 16 <= len(text) <= 40:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.utcoffset() is not None else None
