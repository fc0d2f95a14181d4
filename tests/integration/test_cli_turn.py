"""The real ``klasgenoot fleet turn`` and ``fleet it-sheet`` commands, as subprocesses."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pairing.errors import PassphraseWrong, TurnSettingsInvalid
from tests.integration.test_cli_pairing import PASS, Cli


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path)
    cli.ok("fleet", "init", "--data", "fleet", "--server-name", "signal.school.nl")
    return cli


def test_fleet_turn_writes_private_files_and_keeps_its_secret(cli: Cli, tmp_path: Path) -> None:
    out = cli.ok(
        "fleet", "turn", "--data", "fleet", "--host", "turn.school.nl", "--listen-ip", "198.18.0.1",
        "--relay-ip", "198.18.0.1", "--allow-peers", "198.18.0.0/15", "--out", "copy.conf",
    )  # fmt: skip
    turn = tmp_path / "fleet" / "turn"
    assert "TURN-server ingesteld voor turn.school.nl" in out
    assert "turns:turn.school.nl:443?transport=tcp" in out and "(nieuw gemaakt)" in out
    for path in [*turn.iterdir(), tmp_path / "copy.conf"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (tmp_path / "copy.conf").read_bytes() == (turn / "turnserver.conf").read_bytes()
    secret = (turn / "turn-secret").read_bytes()
    assert secret.decode().strip() not in out  # printed: where it is, never what
    again = cli.ok("fleet", "turn", "--data", "fleet", "--host", "turn.school.nl")
    assert "(bestaand, ongewijzigd)" in again
    assert (turn / "turn-secret").read_bytes() == secret
    assert "listening-ip" not in (turn / "turnserver.conf").read_text()  # settings of this run


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--host", "not a host"), TurnSettingsInvalid),
        (("--host", "turn.school.nl", "--udp-port", "0"), TurnSettingsInvalid),
        (("--host", "turn.school.nl", "--tls-port", "3478"), TurnSettingsInvalid),
        (("--host", "turn.school.nl", "--listen-ip", "ten.0.0.1"), TurnSettingsInvalid),
        (("--host", "turn.school.nl", "--allow-peers", "10.0.0.0/33"), TurnSettingsInvalid),
        (("--host", "turn.school.nl", "--allow-peers", "127.0.0.0/8"), TurnSettingsInvalid),
    ],
)
def test_bad_input_changes_nothing(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], error: type[Exception]
) -> None:
    cli.ok("fleet", "turn", "--data", "fleet", "--host", "turn.school.nl")
    before = tree(tmp_path / "fleet")
    cli.refused(str(error()), "fleet", "turn", "--data", "fleet", *args)
    assert tree(tmp_path / "fleet") == before


def test_a_wrong_passphrase_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    before = tree(tmp_path / "fleet")
    cli.passphrase = PASS + "x"
    cli.refused(
        PassphraseWrong.__doc__ or "",
        "fleet",
        "turn",
        "--data",
        "fleet",
        "--host",
        "turn.school.nl",
    )
    assert tree(tmp_path / "fleet") == before


def test_it_sheet_lists_every_port_from_the_settings(cli: Cli) -> None:
    before = cli.ok("fleet", "it-sheet", "--data", "fleet")
    assert "| signal.school.nl | 8443 | TCP" in before
    assert "nog geen TURN-server ingesteld" in before
    cli.ok(
        "fleet", "turn", "--data", "fleet", "--host", "turn.school.nl", "--udp-port", "3479",
        "--tls-port", "5349",
    )  # fmt: skip
    sheet = cli.ok("fleet", "it-sheet", "--data", "fleet")
    assert sheet.startswith("# Klasgenoot: wat de firewall moet doorlaten\n")
    for row in (
        "| signal.school.nl | 8443 | TCP (TLS, WebSocket) |",
        "| turn.school.nl | 3479 | UDP |",
        "| turn.school.nl | 3479 | TCP |",
        "| turn.school.nl | 5349 | TCP (TLS) |",
        "| turn.school.nl | 49152–65535 | UDP |",
    ):
        assert row in sheet, row
    assert "geen TURN-server" not in sheet
    assert "waarom" in sheet and "uitgaand" in sheet


def test_it_sheet_without_a_fleet_is_refused(tmp_path: Path) -> None:
    Cli(tmp_path).refused("In deze map staat geen vloot", "fleet", "it-sheet", "--data", "none")
