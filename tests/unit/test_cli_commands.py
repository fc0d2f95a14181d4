"""Every ``klasgenoot`` command and subcommand is registered and its ``--help`` runs.

The command modules are imported plainly (no optional-module scaffolding): a
command that fails to import or to build its parser fails here, not in the field.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

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
    assert {c[0] for c in COMMANDS} == TOP_LEVEL == set(cli.COMMANDS)
    assert len(COMMANDS) > len(TOP_LEVEL)  # the groups have their subcommands too


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_runs(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("gebruik: klasgenoot " + " ".join(command))  # Dutch, this command


@pytest.mark.parametrize("command", sorted(TOP_LEVEL))
def test_a_command_alone_is_all_its_parser(command: str) -> None:
    """The parser built for one command (what `klasgenoot COMMAND ...` runs) has that
    command exactly as the whole parser has it."""
    alone = cli.build_parser(cli.needed(["-v", command, "--help"]))
    assert list(_subparsers(alone)) == [
        name for name in cli.COMMANDS if cli.COMMANDS[name] == cli.COMMANDS[command]
    ]
    whole = {c for c in COMMANDS if c[0] == command}
    assert {c for c in _commands(alone) if c[0] == command} == whole


def test_the_words_tell_which_commands_the_parser_needs() -> None:
    assert cli.needed(["-v", "fleet", "pair", "--help"]) == ("fleet",)
    assert cli.needed(["wipe", "--config", "fleet"]) == ("wipe",)  # an argument, not a command
    assert cli.needed(["--help"]) == cli.needed(["-vh"]) == cli.COMMANDS  # lists them
    assert cli.needed(["-h", "--version"]) == cli.needed([]) == cli.COMMANDS
    assert cli.needed(["flet", "init"]) == cli.COMMANDS  # a typo: the error names them all
    assert cli.needed(["--version"]) == ()


def test_version_and_a_missing_command_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("klasgenoot ")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["-v"])
    assert exit_.value.code == 2 and "COMMAND" in capsys.readouterr().err


def test_a_command_imports_only_its_own_module() -> None:
    """`klasgenoot fleet ...` does not wait for the network test's HTTP client and ICE
    (0.85 s of imports for every command before)."""
    probe = (
        "import sys\nfrom app import cli\n"
        "try:\n    cli.main(['fleet', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(*sorted(m for m in sys.modules if m.startswith('app.cli_') or m == 'aiohttp'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(done.stdout.splitlines()[-1].split())  # the line after fleet's help
    assert "app.cli_fleet" in loaded
    assert not {"app.cli_nettest", "app.cli_console", "app.cli_gui", "aiohttp"} & loaded
