"""The console's systemd unit runs a command the console knows, systemd accepts it,
and the passphrase comes from the encrypted credential it names."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser
from app.cli_console import CREDENTIAL, credential_passphrase

UNIT = Path(__file__).resolve().parents[2] / "packaging" / "klasgenoot-console.service"


def _values(key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in UNIT.read_text().splitlines()
            if line.startswith(f"{key}=")]  # fmt: skip


def test_the_unit_runs_a_console_command_with_known_flags() -> None:
    (command,) = _values("ExecStart")
    args = shlex.split(command)
    parsed = build_parser().parse_args(args[1:])  # exits 2 on an unknown flag
    assert parsed.func.__name__ == "_serve" and parsed.host == "127.0.0.1"
    assert str(parsed.data) in _values("ReadWritePaths")
    (credential,) = _values("LoadCredentialEncrypted")
    assert credential.startswith(f"{CREDENTIAL}:")


def test_the_passphrase_comes_from_the_credential_when_systemd_gives_one(
    tmp_path: Path,
) -> None:
    (tmp_path / CREDENTIAL).write_text("correct horse battery\n")
    assert credential_passphrase({"CREDENTIALS_DIRECTORY": str(tmp_path)}) == (
        "correct horse battery"
    )
    assert credential_passphrase({}) is None
    assert credential_passphrase({"CREDENTIALS_DIRECTORY": str(tmp_path / "none")}) is None


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    copy = tmp_path / UNIT.name
    text = UNIT.read_text()
    copy.write_text(text.replace(shlex.split(_values("ExecStart")[0])[0], sys.executable))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
