"""The systemd unit agrees with the install steps in docs/operations.md and with the
server's own options: a path the steps never create, or a flag the server does not
know, stops the unit on the operator's machine (226/NAMESPACE, exit code 2)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from app.cli import build_parser
from privacy.files import state_dir

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "packaging" / "klasgenoot-server.service"
DOCS = REPO / "docs" / "operations.md"
STATE_ROOT = PurePosixPath("/var/lib")  # where systemd puts StateDirectory= folders


def unit() -> dict[str, list[str]]:
    """Every Key=Value of the unit (a key may repeat), comments left out."""
    entries: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def shell_blocks(section: str) -> list[list[str]]:
    """The commands of the ```sh blocks under the docs heading ``section``."""
    text = DOCS.read_text()
    start = text.index(section)
    end = text.find("\n#", start + len(section))
    body = text[start : end if end != -1 else None]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", body, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip():
                commands.append(shlex.split(line, comments=True))
    return commands


def exec_start() -> list[str]:
    (command,) = unit()["ExecStart"]
    return shlex.split(command)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_the_program_is_where_the_install_steps_put_it() -> None:
    venvs = [cmd[-1] for cmd in shell_blocks("## Installing") if cmd[1:3] == ["-m", "venv"]]
    assert venvs, "the docs create no virtualenv"
    assert exec_start()[0] in [f"{venv}/bin/klasgenoot" for venv in venvs]


def test_the_data_folder_and_its_files_are_made_by_the_install_steps() -> None:
    steps = shell_blocks("### As a systemd service")
    data = option(exec_start(), "--data")
    (user,) = unit()["User"]
    made = [cmd for cmd in steps if cmd[:2] == ["install", "-d"] and cmd[-1] == data]
    assert made and option(made[0], "-o") == user and option(made[0], "-m") == "0700"
    copied = [
        cmd for cmd in steps if cmd[0] == "install" and "-d" not in cmd and cmd[-1] == f"{data}/"
    ]
    assert copied and {"ca.pem", "server.pem", "server-key.pem", "crl.pem"} <= set(copied[0])
    assert "ca-key.pem" not in copied[0]
    assert any(cmd[:2] == ["useradd", "--system"] and cmd[-1] == user for cmd in steps)


def test_every_writable_path_exists_when_the_unit_starts() -> None:
    entries = unit()
    data = PurePosixPath(option(exec_start(), "--data"))
    (state,) = entries["StateDirectory"]  # systemd creates it, owned by User=, at start
    assert STATE_ROOT / state == PurePosixPath(state_dir(Path(data)))
    assert entries["StateDirectoryMode"] == ["0700"]
    assert entries["ProtectSystem"] == ["strict"]
    steps = shell_blocks("### As a systemd service")
    created = {cmd[-1] for cmd in steps if cmd[:2] == ["install", "-d"]}
    for paths in entries.get("ReadWritePaths", []):
        for path in paths.split():
            assert path.lstrip("-") in created, f"ReadWritePaths={path}: nothing creates it"


def test_every_flag_is_one_the_server_knows() -> None:
    args = exec_start()
    assert args[1] == "server"
    parser = build_parser()
    parsed = parser.parse_args(args[1:])  # exits with 2 on an unknown flag or bad value
    assert parsed.data == Path(option(args, "--data"))
    (server,) = [
        sub.choices["server"]
        for sub in parser._subparsers._group_actions  # type: ignore[union-attr]
        if "server" in getattr(sub, "choices", {})
    ]
    help_text = server.format_help()
    for flag in (arg for arg in args if arg.startswith("--")):
        assert flag in help_text, flag


def test_the_docs_show_the_command_the_unit_runs() -> None:
    docs = " ".join(DOCS.read_text().split())
    args = exec_start()
    shown = " ".join([args[0], *(f"'{a}'" if a == "*" else a for a in args[1:])])
    assert shown in docs


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    # verify wants the program to exist: the same unit, run by an executable that does.
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text().replace(exec_start()[0], sys.executable))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # an unknown or misspelt key is only a warning
