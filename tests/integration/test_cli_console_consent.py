"""`klasgenoot console pair --consent-date D --consent-ref R`: consent recorded with the
pairing; half or bad consent exits 1 with a Dutch sentence and creates nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.support.console import init_fleet, ok, run


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    fleet = tmp_path / "fleet"
    init_fleet(fleet)
    return fleet


def _pairings(folder: Path) -> list[tuple[str, str | None, str | None]]:
    db = folder / "console" / "console.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT label, consent_day, consent_ref FROM pairings").fetchall()


def test_consent_given_on_the_command_line_is_recorded(folder: Path) -> None:
    out = ok("console", "pair", "KG-0007", "--data", str(folder),
             "--consent-date", "2026-09-01", "--consent-ref", "dossier 2026/017")  # fmt: skip
    assert "nog geen toestemming" not in out and "Koppeling KG-0007" in out
    assert _pairings(folder) == [("KG-0007", "2026-09-01", "dossier 2026/017")]
    with sqlite3.connect(folder / "console" / "console.db") as conn:
        rows = conn.execute("SELECT actor, action FROM audit WHERE target = 'KG-0007'").fetchall()
    assert ("cli", "consent recorded (2026-09-01)") in rows


def test_without_consent_the_pairing_waits_and_says_so(folder: Path) -> None:
    out = ok("console", "pair", "KG-0008", "--data", str(folder))
    assert "nog geen toestemming vastgelegd" in out
    assert _pairings(folder) == [("KG-0008", None, None)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--consent-date", "2026-09-01"], "verwijzing"),  # no reference
        (["--consent-ref", "dossier 17"], "JJJJ-MM-DD"),  # no date
        (["--consent-date", "1-9-2026", "--consent-ref", "dossier 17"], "JJJJ-MM-DD"),
        (
            [
                "--consent-date",
                (dt.date.today() + dt.timedelta(days=3)).isoformat(),
                "--consent-ref",
                "dossier 17",
            ],
            "niet in de toekomst",
        ),
        (["--consent-date", "2026-09-01", "--consent-ref", "Jan de Vries, 12 jaar!"], "verwijzing"),
    ],
)
def test_half_or_bad_consent_is_refused_and_creates_nothing(
    folder: Path, extra: list[str], message: str
) -> None:
    done = run("console", "pair", "KG-0009", "--data", str(folder), *extra)
    assert done.returncode == 1, done.stdout
    assert message in done.stderr and "Traceback" not in done.stderr
    assert _pairings(folder) == []
