"""School hours: pure functions of an injected clock, across time zones and DST."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from media.control import ControlInvalid
from media.features.schedule import Schedule, ScheduleInvalid, from_json
from media.handshake import Handshake, parse_handshake

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC
WEEK = {
    "week": {
        "mon": [["08:30", "12:00"], ["12:00", "15:15"]],
        "tue": [["08:30", "12:00"], ["13:00", "15:00"]],
        "wed": [["08:30", "12:00"]],
        "thu": [["08:30", "15:15"]],
        "fri": [["08:30", "14:00"]],
    },
    "days_off": ["2026-12-24"],
}


def schedule(**extra: object) -> Schedule:
    return from_json(json.dumps({**WEEK, **extra}))


def ams(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=AMS)  # type: ignore[misc]


def test_open_inside_ranges_and_closed_outside() -> None:
    s = schedule()
    assert s.is_open(ams(2026, 11, 24, 9, 0))  # Tuesday morning
    assert not s.is_open(ams(2026, 11, 24, 12, 30))  # lunch break
    assert s.is_open(ams(2026, 11, 24, 13, 0))  # start is inclusive
    assert not s.is_open(ams(2026, 11, 24, 15, 0))  # end is exclusive
    assert not s.is_open(ams(2026, 11, 28, 10, 0))  # Saturday
    assert not s.is_open(ams(2026, 12, 24, 10, 0))  # a day off (Thursday)


def test_closes_at_merges_adjacent_ranges_and_is_none_when_closed() -> None:
    s = schedule()
    assert s.closes_at(ams(2026, 11, 23, 10, 0)) == ams(2026, 11, 23, 15, 15)  # 12:00 joins
    assert s.closes_at(ams(2026, 11, 24, 10, 0)) == ams(2026, 11, 24, 12, 0)
    assert s.closes_at(ams(2026, 11, 24, 12, 30)) is None


def test_next_start_skips_breaks_weekends_and_days_off() -> None:
    s = schedule()
    assert s.next_start(ams(2026, 11, 24, 12, 30)) == ams(2026, 11, 24, 13, 0)
    assert s.next_start(ams(2026, 11, 27, 16, 0)) == ams(2026, 11, 30, 8, 30)  # Fri → Mon
    assert s.next_start(ams(2026, 12, 23, 13, 0)) == ams(2026, 12, 25, 8, 30)  # skips the 24th
    assert Schedule().next_start(ams(2026, 11, 24, 9, 0)) is None  # no lessons at all


def test_the_clock_may_be_in_any_zone_the_schedule_is_local() -> None:
    s = schedule()
    utc_nine = dt.datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam (CET)
    assert s.is_open(utc_nine)
    assert s.closes_at(utc_nine) == dt.datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    ny = schedule(timezone="America/New_York")
    assert not ny.is_open(utc_nine)  # 03:00 in New York
    with pytest.raises(ValueError):
        s.is_open(dt.datetime(2026, 11, 24, 9, 0))  # a naive clock is a bug


def test_dst_changeover_keeps_local_wall_times() -> None:
    s = schedule()
    # Summer time ends Sunday 25 Oct 2026: Monday 08:30 is 07:30 UTC, Friday was 06:30 UTC.
    friday = dt.datetime(2026, 10, 23, 6, 30, tzinfo=UTC)
    assert s.is_open(friday) and not s.is_open(friday - dt.timedelta(seconds=1))
    start = s.next_start(dt.datetime(2026, 10, 23, 13, 0, tzinfo=UTC))
    assert start == dt.datetime(2026, 10, 26, 7, 30, tzinfo=UTC)
    # Summer time starts Sunday 29 Mar 2026: the spring gap does not shift Monday.
    assert s.next_start(ams(2026, 3, 28, 12, 0)) == dt.datetime(2026, 3, 30, 6, 30, tzinfo=UTC)
    # An override on the short day lasts exactly 23 hours of that local day.
    sunday = s.open_rest_of_today(ams(2026, 3, 29, 1, 0))
    closes = sunday.closes_at(ams(2026, 3, 29, 1, 0))
    assert closes == ams(2026, 3, 30, 0, 0)
    assert closes is not None  # aware minus aware in UTC: the real length of that day
    assert closes - ams(2026, 3, 29, 0, 0).astimezone(UTC) == dt.timedelta(hours=23)
    # and in autumn the long day: a 25-hour override
    autumn = s.open_rest_of_today(ams(2026, 10, 25, 1, 0))
    late = autumn.closes_at(ams(2026, 10, 25, 23, 0))
    assert late is not None
    assert late - ams(2026, 10, 25, 0, 0).astimezone(UTC) == dt.timedelta(hours=25)


def test_technician_opens_the_rest_of_today() -> None:
    s = schedule()
    evening = ams(2026, 11, 24, 19, 0)
    assert not s.is_open(evening)
    opened = s.open_rest_of_today(evening)
    assert opened.is_open(evening) and opened.closes_at(evening) == ams(2026, 11, 25, 0, 0)
    assert not opened.is_open(ams(2026, 11, 25, 7, 0))  # tomorrow is normal again
    assert not s.is_open(evening)  # the original is unchanged (frozen)


def test_json_round_trip() -> None:
    s = schedule(open_day="2026-11-24")
    assert from_json(s.to_json()) == s


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"week": {"mon": [["09:00", "08:00"]]}}',
        '{"week": {"mon": [["25:00", "26:00"]]}}',
        '{"week": {"mon": [["8:00", "9:00"]]}}',
        '{"week": {"maandag": []}}',
        '{"week": {"mon": [["08:00"]]}}',
        '{"timezone": "Mars/Olympus"}',
        '{"days_off": ["2026-13-01"]}',
        '{"days_off": "2026-12-24"}',
        '{"extra": 1}',
        '{"week": {"mon": [["08:00", "09:00"]]}, "open_day": 5}',
        "x" * 20000,
    ],
)
def test_bad_input_is_a_clear_error(text: str) -> None:
    with pytest.raises(ScheduleInvalid) as caught:
        from_json(text)
    assert "lestijden" in caught.value.message()


def test_bye_carries_an_optional_validated_next_start() -> None:
    bye = Handshake("bye", "0123456789abcdef", reason="schedule", next="2026-11-25T07:30:00+00:00")
    assert parse_handshake(bye.to_payload()).next == "2026-11-25T07:30:00+00:00"
    plain = Handshake("bye", "0123456789abcdef", reason="hangup").to_payload()
    assert "next" not in plain and parse_handshake(plain).next == ""
    for bad in ("tomorrow", "2026-11-25T07:30:00", 5):
        with pytest.raises(ControlInvalid):
            parse_handshake({**bye.to_payload(), "next": bad})
    with pytest.raises(ControlInvalid):  # only a schedule bye may carry it
        parse_handshake({**plain, "next": "2026-11-25T07:30:00+00:00"})


@pytest.mark.parametrize("hour", range(24))
@pytest.mark.parametrize("minute", [0, 58, 59])
def test_the_demo_exercise_schedule_closes_in_minutes_at_any_hour(hour: int, minute: int) -> None:
    """Near local midnight a lesson window cannot end 4 minutes later: the step failed."""
    from app.demo.exercise import _closing_soon

    now = dt.datetime(2026, 3, 29, hour, minute, 30, tzinfo=dt.UTC)  # a DST day as well
    schedule = _closing_soon(now)
    closes = schedule.closes_at(now)
    assert closes is not None and 150 <= (closes - now).total_seconds() <= 240
