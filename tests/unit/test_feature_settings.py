"""The technician's feature settings in settings.json: round trip, limits, damage →
defaults (one value at a time), other settings kept, and the engine's FeatureConfig."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app import feature_settings as fs
from app.feature_settings import FeatureSettings, FeatureSettingsInvalid, LessonTimesInvalid
from app.settings import DeviceSettings, SettingsStore
from app.technician.pin import hash_pin
from media.features.schedule import MAX_DAYS_OFF, Schedule, from_json
from media.features.switches import FeatureSwitches

SCHOOL = from_json(
    '{"week": {"mon": [["08:30", "12:00"], ["12:30", "15:15"]], "wed": [["08:30", "12:00"]]},'
    ' "days_off": ["2026-12-25"], "open_day": "2026-11-25"}'
)
EMPTY_WEEK: list[list[tuple[str, str]]] = [[] for _ in range(7)]


def _week(**days: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return [days.get(name, []) for name in names]


def test_nothing_stored_gives_the_product_defaults(tmp_path: Path) -> None:
    settings = fs.load(SettingsStore(tmp_path))
    assert settings == FeatureSettings()
    config = settings.feature_config()
    assert config.switches == FeatureSwitches(schedule=False)  # all on, school hours off
    assert config.schedule is None and config.presence == "video"
    assert config.pause_minutes == 10.0


def test_round_trip_keeps_every_other_setting(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    pin = hash_pin("2468")
    store.save(DeviceSettings(language="en", camera="cam-b", pin=pin,
                              extra={"log_retention_days": 30}))  # fmt: skip
    wanted = FeatureSettings(
        switches=FeatureSwitches(whisper=False, schedule=True),
        schedule=SCHOOL,
        pause_minutes=25,
        start_presence="listening",
    )
    fs.save(store, wanted)
    assert fs.load(store) == wanted
    after = store.load()
    assert (after.language, after.camera, after.pin) == ("en", "cam-b", pin)
    assert after.extra["log_retention_days"] == 30
    assert isinstance(after.extra["schedule"], str)  # JSON text: the file stays small
    # Back to the defaults: the stored switches and lesson times go, the rest stays.
    fs.save(store, FeatureSettings())
    assert fs.load(store) == FeatureSettings()
    assert "features" not in store.load().extra and "schedule" not in store.load().extra
    assert store.load().extra["log_retention_days"] == 30


BAD_VALUES: list[tuple[str, Any]] = [
    ("features", "all"),
    ("features", {"hand": True}),  # incomplete
    ("features", {**dict.fromkeys(FeatureSwitches().to_body(), True), "spy": True}),
    ("features", {**dict.fromkeys(FeatureSwitches().to_body(), True), "hand": 1}),
    ("schedule", {"week": {}}),  # not the JSON text
    ("schedule", "{not json"),
    ("schedule", '{"week": {"mon": [["12:00", "08:00"]]}}'),
    ("schedule", '{"timezone": "Mars/Olympus"}'),
    ("pause_minutes", 0),
    ("pause_minutes", 61),
    ("pause_minutes", 10.5),
    ("pause_minutes", True),
    ("pause_minutes", "10"),
    ("start_presence", "camera"),
    ("start_presence", None),
    ("start_presence", ["video"]),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_a_damaged_value_gives_its_default_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, key: str, value: Any
) -> None:
    store = SettingsStore(tmp_path)
    good = FeatureSettings(switches=FeatureSwitches(hand=False, schedule=True), schedule=SCHOOL,
                           pause_minutes=5, start_presence="voice")  # fmt: skip
    fs.save(store, good)
    doc = json.loads(store.path.read_text())
    doc[key] = value
    store.path.write_text(json.dumps(doc))
    with caplog.at_level(logging.WARNING):
        loaded = fs.load(store)
    default = {"features": None, "schedule": None, "pause_minutes": 10,
               "start_presence": "video"}[key]  # fmt: skip
    field = {"features": "switches"}.get(key, key)
    assert getattr(loaded, field) == default
    assert replace(loaded, **{field: getattr(good, field)}) == good  # the others survive
    assert any(key in r.getMessage() for r in caplog.records)


def test_a_damaged_file_gives_defaults(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.path.write_bytes(b"\x00garbage")
    assert fs.load(store) == FeatureSettings()
    fs.save(store, FeatureSettings(pause_minutes=3))  # and it can be written again
    assert fs.load(store).pause_minutes == 3


@pytest.mark.parametrize(
    "changes", [{"pause_minutes": 0}, {"pause_minutes": 61}, {"start_presence": "loud"}]
)
def test_out_of_limits_values_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(FeatureSettingsInvalid):
        replace(FeatureSettings(), **changes)


def test_school_hours_are_never_on_without_lesson_times() -> None:
    stored = FeatureSettings(switches=FeatureSwitches(schedule=True))
    assert not stored.effective_switches.schedule
    assert not stored.feature_config().switches.schedule  # type: ignore[union-attr]
    lessons = FeatureSettings(schedule=SCHOOL)
    assert lessons.effective_switches.schedule  # the default once lesson times exist


def test_the_first_lesson_times_switch_school_hours_on_later_ones_leave_it() -> None:
    settings = FeatureSettings().with_switch("whisper", False)
    assert settings.switches == FeatureSwitches(whisper=False, schedule=False)
    settings = settings.with_schedule(SCHOOL)
    assert settings.effective_switches == FeatureSwitches(whisper=False, schedule=True)
    settings = settings.with_switch("schedule", False).with_schedule(SCHOOL)
    assert not settings.effective_switches.schedule  # the technician's choice stays
    with pytest.raises(FeatureSettingsInvalid):
        settings.with_switch("camera", True)


def test_feature_config_carries_every_setting() -> None:
    settings = FeatureSettings(schedule=SCHOOL, pause_minutes=7, start_presence="voice")
    config = settings.feature_config()
    assert config.schedule == SCHOOL and config.presence == "voice"
    assert config.pause_minutes == 7.0
    assert config.switches == FeatureSwitches(schedule=True)


# -- what the technician types -------------------------------------------------------


def test_typed_lesson_times_become_a_schedule() -> None:
    week = _week(mon=[("8:30", "12:00"), ("", ""), ("12.30", "15:15")], fri=[("08:00", "12:00")])
    days_off = {dt.date(2026, 12, 25)}
    schedule = fs.lesson_schedule(week, days_off, open_day=dt.date(2026, 11, 25))
    friday = ((dt.time(8), dt.time(12)),)
    assert schedule == replace(SCHOOL, week=(SCHOOL.week[0], (), (), (), friday, (), ()))
    assert schedule.timezone == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("week", "problem", "day", "row"),
    [
        (_week(tue=[("08:30", "25:00")]), "time", 1, 0),
        (_week(tue=[("8h30", "12:00")]), "time", 1, 0),
        (_week(tue=[("08:30", "")]), "time", 1, 0),
        (_week(wed=[("08:00", "09:00"), ("12:00", "11:00")]), "order", 2, 1),
        (_week(wed=[("10:00", "10:00")]), "order", 2, 0),
        (_week(thu=[("08:00", "12:00"), ("11:30", "13:00")]), "overlap", 3, 1),
        (_week(fri=[(f"{h:02}:00", f"{h:02}:30") for h in range(8, 21)]), "too_many", 4, None),
    ],
)
def test_every_invalid_entry_is_named(
    week: list[list[tuple[str, str]]], problem: str, day: int, row: int | None
) -> None:
    with pytest.raises(LessonTimesInvalid) as caught:
        fs.lesson_schedule(week, ())
    assert (caught.value.problem, caught.value.day, caught.value.row) == (problem, day, row)


def test_touching_lesson_times_are_fine_and_sorted() -> None:
    schedule = fs.lesson_schedule(_week(mon=[("12:30", "13:00"), ("12:00", "12:30")]), ())
    assert schedule.week[0] == ((dt.time(12), dt.time(12, 30)), (dt.time(12, 30), dt.time(13)))


def test_days_off_are_added_as_ranges_with_limits() -> None:
    first = dt.date(2026, 12, 21)
    days = fs.add_days_off(frozenset(), first, dt.date(2027, 1, 1))
    assert len(days) == 12 and min(days) == first
    assert fs.add_days_off(days, first, first) == days  # already there
    with pytest.raises(LessonTimesInvalid, match="days_order"):
        fs.add_days_off(days, first, first - dt.timedelta(days=1))
    with pytest.raises(LessonTimesInvalid, match="days_count"):
        fs.add_days_off(days, dt.date(2027, 1, 2), dt.date(2027, 1, 2) + dt.timedelta(MAX_DAYS_OFF))
    with pytest.raises(LessonTimesInvalid, match="days_count"):
        fs.lesson_schedule(EMPTY_WEEK, {first + dt.timedelta(i) for i in range(MAX_DAYS_OFF + 1)})


def test_the_largest_schedule_still_fits_the_settings_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.save(DeviceSettings(pin=hash_pin("2468")))
    ranges = [(f"{h:02}:00", f"{h:02}:30") for h in range(8, 20)]
    days = fs.add_days_off(frozenset(), dt.date(2026, 1, 1),
                           dt.date(2026, 1, 1) + dt.timedelta(MAX_DAYS_OFF - 1))  # fmt: skip
    biggest = fs.lesson_schedule([ranges] * 7, days, open_day=dt.date(2026, 1, 1))
    fs.save(store, FeatureSettings(schedule=biggest))
    assert fs.load(store).schedule == biggest
    assert store.load().pin is not None  # the file did not grow past its limit


def test_a_file_that_would_grow_too_large_is_not_written(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.save(DeviceSettings(extra={"bulky": "x" * 16_000}))
    before = store.path.read_bytes()
    with pytest.raises(FeatureSettingsInvalid):
        fs.save(store, FeatureSettings(schedule=SCHOOL))
    assert store.path.read_bytes() == before


def test_the_audit_summary_is_short() -> None:
    assert fs.schedule_summary(None) == "none"
    assert fs.schedule_summary(SCHOOL) == "2 days, 3 lesson times, 1 days off"
    assert fs.schedule_summary(Schedule()) == "0 days, 0 lesson times, 0 days off"
