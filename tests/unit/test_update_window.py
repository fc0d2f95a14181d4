"""When a classroom unit may update: outside its lessons, or at night without school hours."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app import feature_settings
from app.feature_settings import FeatureSettings, lesson_schedule
from app.settings import SettingsStore
from app.update_window import decide

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = dt.date(2026, 12, 7)
WEEK = [[("08:30", "12:00"), ("12:30", "15:15")]] * 5 + [[], []]


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), AMS)


def _lessons(**changes: object) -> FeatureSettings:
    return replace(FeatureSettings().with_schedule(lesson_schedule(WEEK, ())), **changes)


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        ("10:00", False),  # in a lesson
        ("12:10", False),  # the break: the next lesson starts within the hour
        ("15:14", False),
        ("15:15", True),  # school is out
        ("22:00", True),
        ("07:29", True),  # 61 minutes before the first lesson
        ("07:31", False),  # 59 minutes before it
    ],
)
def test_school_hours_decide(when: str, allowed: bool) -> None:
    verdict = decide(_lessons(), _at(MONDAY, when))
    assert verdict.allowed is allowed, verdict.sentence
    assert verdict.sentence


def test_the_weekend_and_days_off_are_free() -> None:
    assert decide(_lessons(), _at(dt.date(2026, 12, 12), "10:00")).allowed  # Saturday
    holiday = FeatureSettings().with_schedule(lesson_schedule(WEEK, (MONDAY,)))
    assert decide(holiday, _at(MONDAY, "10:00")).allowed


def test_a_day_the_technician_opened_is_not_free() -> None:
    settings = _lessons()
    assert settings.schedule is not None
    opened = settings.schedule.open_rest_of_today(_at(MONDAY, "16:00"))
    verdict = decide(replace(settings, schedule=opened), _at(MONDAY, "20:00"))
    assert not verdict.allowed
    assert "opengezet door de technicus" in verdict.sentence
    assert decide(replace(settings, schedule=opened), _at(dt.date(2026, 12, 8), "06:00")).allowed


def test_without_school_hours_only_the_night_window() -> None:
    none = FeatureSettings()
    assert not decide(none, _at(MONDAY, "10:00")).allowed
    assert not decide(none, _at(MONDAY, "23:30")).allowed
    assert decide(none, _at(MONDAY, "03:00")).allowed
    # Lesson times stored but the school-hours switch off: the pupil may call any time.
    switched_off = _lessons().with_switch("schedule", False)
    assert not decide(switched_off, _at(MONDAY, "22:00")).allowed
    assert decide(switched_off, _at(MONDAY, "01:30")).allowed


def _cli(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "update-window", "--config", str(config), *extra],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_command_reads_the_devices_settings_and_writes_nothing(tmp_path: Path) -> None:
    feature_settings.save(SettingsStore(tmp_path), _lessons())
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir())
    lesson = _cli(tmp_path, "--at", "2026-12-07T10:00+01:00")
    assert lesson.returncode == 1, lesson.stderr
    assert "Les bezig tot 12:00" in lesson.stdout
    evening = _cli(tmp_path, "--at", "2026-12-07T19:00+01:00")
    assert evening.returncode == 0, evening.stderr
    assert "bijwerken mag nu" in evening.stdout
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir()) == before


def test_the_command_refuses_bad_input(tmp_path: Path) -> None:
    missing = _cli(tmp_path / "nowhere")
    assert missing.returncode == 1  # the gate stays shut: no update
    assert "instellingenmap bestaat niet" in missing.stderr
    naive = _cli(tmp_path, "--at", "2026-12-07T10:00")
    assert naive.returncode == 2 and "tijdzone" in naive.stderr
    (tmp_path / "settings.json").write_text("{ damaged")
    damaged = _cli(tmp_path, "--at", "2026-12-07T10:00+01:00")
    assert damaged.returncode == 1  # the defaults: no school hours, so only at night
    assert "01:00 en 05:00" in damaged.stdout
