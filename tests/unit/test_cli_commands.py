"""Every ``klasgenoot`` command and subcommand is registered and its ``--help`` runs.

The command modules are imported plainly (no optional-module scaffolding): a
command that fails to import or to build its parser fails here, not in the field.
"""

from __future__ import annotations

import argparse

import pytest

from app import cli

TOP_LEVEL = {
    "fleet", "enroll", "server", "technician", "nettest", "demo", "logs", "wipe",
    "student", "classroom", "console", "update-window",
}  # fmt: skip


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    found = []
    for name, sub in _subparsers(parser).items():
        found.append((*prefix, name))
        found.extend(_commands(sub, (*prefix, name)))
    return found


COMMANDS = _commands(cli.build_parser())


def test_every_command_group_is_registered() -> None:
    assert {c[0] for c in COMMANDS} == TOP_LEVEL
    assert len(COMMANDS) > len(TOP_LEVEL)  # the groups have their subcommands too


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_runs(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("gebruik: klasgenoot " + " ".join(command))  # Dutch, this command
