"""`klasgenoot console …` and `enroll code` as an operator and a technician run them:
refusals exit 1 with a Dutch sentence and change nothing."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from pairing import enrollcode
from tests.support.console import KLASGENOOT, add_user, env, init_fleet, ok, run, services


def refused(message: str, *args: str) -> str:
    done = run(*args)
    assert done.returncode == 1, f"{args}: {done.stdout} {done.stderr}"
    assert message in done.stderr and "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture
def fleet(tmp_path: Path) -> tuple[Path, int]:
    folder = tmp_path / "fleet"
    return folder, init_fleet(folder)


def _users(fleet: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(fleet / "console" / "console.db") as conn:
        return conn.execute("SELECT name, role FROM users").fetchall()


def test_user_add_prints_the_otpauth_uri_once_and_refuses_bad_input(
    fleet: tuple[Path, int],
) -> None:
    folder, _ = fleet
    account = add_user(folder, "anna", "operator")
    assert account.totp.issuer == "Klasgenoot helpdesk" and len(account.code()) == 6
    refused("bestaat al", "console", "user", "add", "anna", "--role", "helpdesk",
            "--data", str(folder))  # fmt: skip
    refused("gebruikersnaam", "console", "user", "add", "Anna Jansen", "--role", "helpdesk",
            "--data", str(folder))  # fmt: skip
    assert _users(folder) == [("anna", "operator")]
    done = subprocess.run(
        [KLASGENOOT, "console", "user", "add", "bert", "--role", "helpdesk", "--data", str(folder)],
        env=env(KLASGENOOT_CONSOLE_PASSWORD="short"), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and "te kort" in done.stderr
    assert _users(folder) == [("anna", "operator")]


def test_console_pair_prints_two_codes_and_the_fingerprint(fleet: tuple[Path, int]) -> None:
    folder, _ = fleet
    out = ok("console", "pair", "kg-0042", "--data", str(folder))
    rows = [line.split() for line in out.splitlines()]
    codes = [row[1] for row in rows if row and row[0] in ("student", "classroom")]
    assert len(codes) == 2 and all(enrollcode.parse(c) for c in codes)
    assert "Koppeling KG-0042" in out
    refused("Er is al een koppeling", "console", "pair", "KG-0042", "--data", str(folder))
    refused("pseudoniem", "console", "pair", "Jan de Vries", "--data", str(folder))


def test_a_wrong_passphrase_stops_the_console_before_it_writes_anything(
    fleet: tuple[Path, int],
) -> None:
    folder, _ = fleet
    done = subprocess.run(
        [KLASGENOOT, "console", "--data", str(folder), "--port", "0"],
        env=env(KLASGENOOT_FLEET_PASSPHRASE="not the passphrase"),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and "wachtwoord" in done.stderr
    assert not (folder / "console").exists()


def test_enroll_code_refusals_change_nothing_on_the_device(
    fleet: tuple[Path, int], tmp_path: Path
) -> None:
    folder, signaling_port = fleet
    config = tmp_path / "device"
    # A typo is caught before any network: the URL here answers nobody.
    refused("niet goed overgenomen", "enroll", "code", "22222-22223", "--config", str(config),
            "--url", "https://127.0.0.1:1", "--ca-fingerprint", "00")  # fmt: skip
    out = ok("console", "pair", "KG-0042", "--data", str(folder))
    code = next(line.split()[1] for line in out.splitlines() if "student" in line)
    with services(folder, signaling_port) as svc:
        refused("vingerafdruk", "enroll", "code", code, "--config", str(config),
                "--url", svc.url, "--ca-fingerprint", "AB:" * 31 + "AB")  # fmt: skip
        done = subprocess.run(  # no fingerprint given: shown, and "no" changes nothing
            [KLASGENOOT, "enroll", "code", code, "--config", str(config), "--url", svc.url],
            env=env(), input="n\n", capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 1 and "niets veranderd" in done.stderr
        assert len([ln for ln in done.stdout.splitlines() if ln.count(":") == 7]) == 4
    assert not config.exists()
