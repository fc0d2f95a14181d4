"""The systemd units agree with the Debian packaging that installs them and with the
program's own options: a path nothing creates, a user nothing adds, or a flag the
program does not know stops the unit on the device (226/NAMESPACE, exit code 2)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from app.cli import build_parser
from privacy.files import state_dir

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
UNIT = PACKAGING / "server" / "klasgenoot-server.service"
KIOSK = PACKAGING / "kiosk" / "klasgenoot-kiosk.service"
DEBIAN = PACKAGING / "debian"
DOCS = REPO / "docs" / "operations.md"
STATE_ROOT = PurePosixPath("/var/lib")  # where systemd puts StateDirectory= folders


def unit(path: Path = UNIT) -> dict[str, list[str]]:
    """Every Key=Value of the unit (a key may repeat), comments left out."""
    entries: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def exec_start(path: Path = UNIT) -> list[str]:
    (command,) = unit(path)["ExecStart"]
    return shlex.split(command)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def lines(path: Path) -> list[list[str]]:
    """The fields of a sysusers.d/tmpfiles.d/debhelper list file, comments left out."""
    return [
        shlex.split(line)
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def made_by_tmpfiles(package: str, folder: str) -> tuple[str, str]:
    """(mode, user) of the folder the package's tmpfiles.d creates, or a failure."""
    for fields in lines(DEBIAN / f"{package}.tmpfiles"):
        if fields[0] == "d" and fields[1] == folder:
            return fields[2], fields[3]
    raise AssertionError(f"{package}.tmpfiles creates no {folder}")


def system_users(package: str) -> set[str]:
    return {fields[1] for fields in lines(DEBIAN / f"{package}.sysusers") if fields[0] == "u"}


def klasgenoot_command(args: list[str]) -> list[str]:
    """The `klasgenoot ...` part of an ExecStart= (the kiosk wraps it in cage)."""
    return args[args.index("/usr/bin/klasgenoot") :]


def test_the_program_is_where_the_klasgenoot_package_puts_it() -> None:
    (link,) = lines(DEBIAN / "klasgenoot.links")
    assert [f"/{link[1]}"] == [exec_start()[0]] == [klasgenoot_command(exec_start(KIOSK))[0]]
    # The link points at the frozen build's executable, laid out under /opt/klasgenoot.
    installed = {fields[0]: fields[1] for fields in lines(DEBIAN / "klasgenoot.install")}
    assert installed["frozen/*"] == "opt/klasgenoot"
    assert link[0] == "opt/klasgenoot/klasgenoot"
    assert 'name="klasgenoot"' in (PACKAGING / "freeze" / "klasgenoot.spec").read_text()


def test_the_data_folder_and_the_user_are_made_by_the_server_package() -> None:
    data = option(exec_start(), "--data")
    (user,) = unit()["User"]
    assert made_by_tmpfiles("klasgenoot-server", data) == ("0700", user)
    assert user in system_users("klasgenoot-server")


def test_the_kiosk_runs_the_classroom_app_as_its_own_user_in_its_folder() -> None:
    entries = unit(KIOSK)
    (user,) = entries["User"]
    args = klasgenoot_command(exec_start(KIOSK))
    assert args[1] == "classroom"
    parsed = build_parser().parse_args(args[1:])  # exits with 2 on an unknown flag
    assert made_by_tmpfiles("klasgenoot-kiosk", str(parsed.config)) == ("0700", user)
    assert user in system_users("klasgenoot-kiosk")
    (pam,) = entries["PAMName"]
    assert (DEBIAN / f"{pam}.pam").is_file()  # debhelper installs it as /etc/pam.d/NAME
    assert exec_start(KIOSK)[0] == "/usr/bin/systemd-inhibit"  # sleep held off
    assert "/usr/bin/cage" in exec_start(KIOSK)


@pytest.mark.parametrize("path", [UNIT, KIOSK], ids=["server", "kiosk"])
def test_readiness_and_watchdog_are_asked_for(path: Path) -> None:
    entries = unit(path)
    assert entries["Type"] == ["notify"]
    assert int(entries["WatchdogSec"][0]) >= 10
    # The kiosk app is cage's child: only NotifyAccess=all lets its messages count.
    assert entries["NotifyAccess"] == (["all"] if path == KIOSK else ["main"])
    assert entries["LimitCORE"] == ["0"]


def test_every_writable_path_exists_when_the_unit_starts() -> None:
    entries = unit()
    data = PurePosixPath(option(exec_start(), "--data"))
    (state,) = entries["StateDirectory"]  # systemd creates it, owned by User=, at start
    assert STATE_ROOT / state == PurePosixPath(state_dir(Path(data)))
    assert entries["StateDirectoryMode"] == ["0700"]
    assert entries["ProtectSystem"] == ["strict"]
    for paths in entries.get("ReadWritePaths", []):
        for path in paths.split():
            made_by_tmpfiles("klasgenoot-server", path.lstrip("-"))


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
@pytest.mark.parametrize("path", [UNIT, KIOSK], ids=["server", "kiosk"])
def test_systemd_accepts_the_unit(tmp_path: Path, path: Path) -> None:
    # verify wants the program to exist: the same unit, run by an executable that does.
    # tools/package-check verifies the units as installed, with the real programs.
    copy = tmp_path / path.name
    text = path.read_text().replace("/usr/bin/klasgenoot", sys.executable)
    copy.write_text(text.replace("/usr/bin/systemd-inhibit", sys.executable))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # an unknown or misspelt key is only a warning


COTURN = Path("/lib/systemd/system/coturn.service")


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None or not COTURN.exists(),
    reason="no systemd-analyze or no coturn here",
)
def test_the_coturn_drop_in_applies_to_debians_coturn_unit(tmp_path: Path) -> None:
    drop_in = PACKAGING / "server" / "coturn-klasgenoot.conf"
    assert "coturn.service.d/klasgenoot.conf" in (DEBIAN / "rules").read_text()
    assert unit(drop_in)["AmbientCapabilities"] == ["CAP_NET_BIND_SERVICE"]  # port 443
    (tmp_path / "coturn.service.d").mkdir()
    shutil.copy(COTURN, tmp_path / "coturn.service")
    shutil.copy(drop_in, tmp_path / "coturn.service.d" / "klasgenoot.conf")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "coturn.service"],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin", "SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # an unknown key in the drop-in is a warning


APT_UPGRADE = Path("/lib/systemd/system/apt-daily-upgrade.service")


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None or not APT_UPGRADE.exists(),
    reason="no systemd-analyze or no apt-daily-upgrade units here",
)
def test_the_kiosks_update_gate_applies_to_debians_apt_units(tmp_path: Path) -> None:
    """The classroom unit updates only outside its lessons: an ExecCondition on
    apt-daily-upgrade.service and an hourly timer, installed by the kiosk package."""
    rules = (DEBIAN / "rules").read_text()
    kiosk_unit = unit(PACKAGING / "kiosk" / "klasgenoot-kiosk.service")
    device = kiosk_unit["ExecStart"][0].split("--config ")[1].split()[0]
    gate = PACKAGING / "kiosk" / "apt-daily-upgrade-service.conf"
    timer = PACKAGING / "kiosk" / "apt-daily-upgrade-timer.conf"
    assert unit(gate)["ExecCondition"] == [
        f"/usr/bin/klasgenoot update-window --config {device}"
    ]  # the folder the kiosk session runs with
    assert unit(timer)["OnCalendar"] == ["", "*-*-* *:20"]  # the 6:00 run replaced, hourly
    for name, drop_in in (("service", gate), ("timer", timer)):
        assert f"apt-daily-upgrade.{name}.d/klasgenoot-kiosk.conf" in rules
        shutil.copy(APT_UPGRADE.with_suffix(f".{name}"), tmp_path)
        (tmp_path / f"apt-daily-upgrade.{name}.d").mkdir()
        text = drop_in.read_text().replace("/usr/bin/klasgenoot", sys.executable)
        (tmp_path / f"apt-daily-upgrade.{name}.d" / "klasgenoot-kiosk.conf").write_text(text)
    for name in ("service", "timer"):
        done = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", f"apt-daily-upgrade.{name}"],
            capture_output=True, text=True, timeout=60, check=False,
            env={"PATH": "/usr/bin:/bin", "SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", done.stderr
