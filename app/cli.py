"""The ``klasgenoot`` command.

Each command group lives in its own module with a ``register(subparsers)`` function
and sets ``func`` on its parser. Qt is imported only inside the GUI commands, so the
operator's server and fleet tools run on a machine without Qt libraries.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import logging
import sys
from collections.abc import Callable, Collection, Sequence

from app.cli_words import speak_dutch
from common.errors import KlasgenootError
from common.process import limit_malloc_arenas
from privacy import logfilter
from privacy.applog import quiet_libraries
from privacy.coredump import disable_core_dumps

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]

# The module (in app) that registers each command, in the order help lists them. A
# command imports only its own: all of them took 0.85 s (the network test's HTTP
# client and ICE most of it), which every technician's command waited for.
COMMANDS = {
    "fleet": "cli_fleet", "enroll": "cli_enroll", "server": "cli_server",
    "technician": "cli_technician", "nettest": "cli_nettest", "demo": "cli_demo",
    "logs": "cli_logs", "wipe": "cli_logs", "student": "cli_gui", "classroom": "cli_gui",
    "console": "cli_console", "update-window": "cli_update",
}  # fmt: skip


def build_parser(commands: Collection[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser with ``commands`` (default: all of them); their modules are imported."""
    speak_dutch()
    parser = argparse.ArgumentParser(
        prog="klasgenoot",
        description="Klasgenoot: een zieke leerling blijft in de eigen klas.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="meer technische uitvoer")
    parser.add_argument(
        "--version", action="version", version=f"klasgenoot {version()}", help="de versie tonen"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in dict.fromkeys(COMMANDS[command] for command in commands):
        importlib.import_module(f"app.{module}").register(sub)
    return parser


def needed(argv: Sequence[str]) -> Collection[str]:
    """The commands the parser needs for ``argv``: the one it names, none for
    ``--version`` alone, else all of them (to list them for help, in any spelling
    argparse takes, or to say which there are)."""
    if list(argv) == ["--version"]:
        return ()
    word = next((w for w in argv if not w.startswith("-")), None)  # -v, --version: no value
    return (word,) if word in COMMANDS else COMMANDS


def version() -> str:
    """The installed version: pyproject.toml's, as the wheel, the frozen build and the
    Debian packages all carry it (the packages take theirs from the same place)."""
    try:
        return importlib.metadata.version("klasgenoot")
    except importlib.metadata.PackageNotFoundError:
        return "onbekend"


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(needed(words)).parse_args(words)
    # Frames, audio and keys live in this process's memory: never dump it to disk.
    disable_core_dumps()
    limit_malloc_arenas()
    level = logging.DEBUG if args.verbose else logging.INFO
    if getattr(args, "own_logging", False):
        # The command sets up its own handlers (the server: a file, stderr only when
        # asked); a stderr handler here would print every line, or print it twice.
        logging.getLogger().setLevel(level)
    else:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        logfilter.attach(handler)  # no IP address reaches any log line in clear
    quiet_libraries()
    func: Handler = args.func
    try:
        return func(args)
    except KlasgenootError as exc:
        print(f"klasgenoot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
