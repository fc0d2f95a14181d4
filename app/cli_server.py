"""``klasgenoot server``: run the signaling server in the foreground.

Made for a service manager (see packaging/server/klasgenoot-server.service): it tells systemd
when it listens and feeds its watchdog (common.sdnotify); SIGTERM drains
(devices are told to move to another instance) and ends it with exit code 0.
``--redis URL`` shares presence and relays with other instances (signaling.backplane).
The first stdout line says the bound port
(``listening on port N``) so scripts and tests can use ``--port 0``.

The server logs to its own rotating file in ``DATA/state/logs`` (and to stderr only
with ``--log-console``). A start that fails changes nothing: the data folder is
checked and both ports are bound before ``state/`` is created, and the lines logged
meanwhile are held back and written only once the server runs. The refusal itself
is the one Dutch sentence that ``app.cli`` prints on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from common import sdnotify
from common.paths import ensure_private_dir
from privacy.files import state_dir
from signaling.config import FleetFiles, ServerConfig
from signaling.errors import ServerStateUnwritable

if TYPE_CHECKING:
    from privacy.applog import ProgramLog
    from signaling.backplane.base import Backplane
    from signaling.server import RunningServer

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8443
DEFAULT_HEALTH_PORT = 8444
MAX_PORT = 65535
MAX_EARLY_LINES = 1000  # lines held back during a start: a handful in practice


def _whole_number(text: str, highest: int, error: str) -> int:
    """A whole number from 0 to ``highest``, else argparse's error with ``error``."""
    try:
        number = int(text, 10)
    except ValueError:
        number = -1
    if not 0 <= number <= highest:
        raise argparse.ArgumentTypeError(error)
    return number


def port_number(text: str) -> int:
    """argparse type: a TCP port, 0 (any free port) to 65535."""
    return _whole_number(
        text,
        MAX_PORT,
        f"{text!r} is geen poortnummer (0 tot en met {MAX_PORT}; 0 = een vrije poort)",
    )


MAX_HANDSHAKE_THREADS = 8


def thread_count(text: str) -> int:
    """argparse type: how many TLS handshake threads, 0 (on the loop's thread) to 8."""
    return _whole_number(
        text,
        MAX_HANDSHAKE_THREADS,
        f"{text!r} is geen aantal threads (0 tot en met {MAX_HANDSHAKE_THREADS})",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = sub.add_parser(
        "server",
        help="de signaleringsserver draaien (beheerder)",
        description="Start de signaleringsserver met de bestanden uit de vlootmap "
        "(ca.pem, server.pem, server-key.pem, crl.pem).",
    )
    server.add_argument("--data", type=Path, required=True, help="vlootmap van de server")
    server.add_argument(
        "--host",
        default="127.0.0.1",
        help="adres om op te luisteren (* = alle adressen, IPv4 en IPv6)",
    )
    server.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"TLS-poort (standaard {DEFAULT_PORT}, 0 = vrije poort)",
    )
    server.add_argument(
        "--health-port",
        type=port_number,
        default=DEFAULT_HEALTH_PORT,
        help=f"HTTP-poort voor /health op 127.0.0.1 (standaard {DEFAULT_HEALTH_PORT}, "
        "0 = vrije poort)",
    )
    server.add_argument("--no-health", action="store_true", help="geen /health aanbieden")
    shared = server.add_mutually_exclusive_group()
    shared.add_argument(
        "--redis",
        metavar="URL",
        help="gedeelde toestand in Redis (redis:// of rediss://), voor meerdere instanties "
        "naast elkaar; zonder deze optie houdt de server alles in zijn eigen geheugen",
    )
    shared.add_argument(
        "--redis-file",
        metavar="BESTAND",
        type=Path,
        help="als --redis, maar het adres (met het wachtwoord) staat in dit bestand, "
        "bijvoorbeeld een systemd-credential: op de opdrachtregel ziet elke gebruiker het",
    )
    server.add_argument(
        "--stall-stacks",
        action="store_true",
        help="diagnose: elke stilstand van de server langer dan 50 ms loggen met de "
        "code die toen liep (standaard alleen stilstanden vanaf 100 ms, zonder code)",
    )
    server.add_argument(
        "--handshake-threads",
        type=thread_count,
        default=1,
        help="threads voor het TLS-werk van nieuwe verbindingen (standaard 1; 0 = in de "
        "thread die berichten doorgeeft)",
    )
    server.add_argument(
        "--log-console",
        action="store_true",
        help="ook naar stderr loggen (standaard alleen naar DATA/state/logs, 90 dagen)",
    )
    # app.cli then adds no stderr handler of its own: the server logs to its file.
    server.set_defaults(func=handler, own_logging=True)


class EarlyLines(logging.Handler):
    """Holds the records logged while the server starts, until we know it started."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < MAX_EARLY_LINES:
            self.records.append(record)

    def replay(self, handlers: list[logging.Handler]) -> None:
        logging.getLogger().removeHandler(self)
        for record in self.records:
            for target in handlers:
                target.handle(record)
        self.records.clear()


def handler(args: argparse.Namespace) -> int:
    # Nothing is created before the folder is known to be a server data folder.
    FleetFiles(args.data).check()
    from signaling.backplane.redisurl import (  # redis: on use
        has_password,
        read_url_file,
        readable_by_others,
    )

    on_command_line = args.redis is not None
    if args.redis_file is not None:
        args.redis = read_url_file(args.redis_file)
    early = EarlyLines()
    logging.getLogger().addHandler(early)
    if on_command_line and has_password(args.redis):
        logger.warning(
            "the Redis password is on the command line, where every local user can read "
            "it (ps): give the URL in a file with --redis-file instead"
        )
    elif args.redis_file is not None and readable_by_others(args.redis_file):
        logger.warning(
            "the Redis URL file is readable by other users (chmod 600, or systemd's "
            "LoadCredential=)"
        )
    try:
        return asyncio.run(_serve(args, early))
    finally:
        if early.records and args.log_console:  # a failed start, asked to be told
            early.replay([_console()])
        logging.getLogger().removeHandler(early)


def _console() -> logging.Handler:
    from privacy import logfilter
    from privacy.applog import formatter

    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(formatter())
    return logfilter.attach(console)


async def _serve(args: argparse.Namespace, early: EarlyLines) -> int:
    from privacy.retention import ProgramLogPurge, purge_daily
    from signaling.server import start_server  # aiohttp: only when serving
    from signaling.tuning import freeze_startup_objects, keep_frozen, unwatch_collections

    running = await start_server(
        args.data,
        args.host,
        args.port,
        _config(args),
        health_port=None if args.no_health else args.health_port,
        log_state=state_dir(args.data),
        backplane=_backplane(args.redis),
    )
    freeze_startup_objects()
    try:
        log = _program_log(args)
    except BaseException:
        await running.stop()
        raise
    early.replay(log.handlers)
    # Rotated files past 90 days go daily, not only at start: a server runs for months.
    purging = asyncio.create_task(purge_daily(ProgramLogPurge(state_dir(args.data))))
    freezing = asyncio.create_task(keep_frozen())  # full collections stay short
    try:
        return await _until_signalled(running)
    finally:
        for task in (purging, freezing):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        unwatch_collections()
        log.close()


def _config(args: argparse.Namespace) -> ServerConfig:
    threads = args.handshake_threads
    if args.stall_stacks:  # a watchdog thread samples the loop: diagnosis only
        return ServerConfig(stall_threshold=0.05, stall_stacks=True, handshake_threads=threads)
    return ServerConfig(handshake_threads=threads)


def _backplane(url: str | None) -> Backplane | None:
    if url is None:
        return None  # in memory: this instance alone
    from signaling.backplane.redisbus import RedisBackplane
    from signaling.backplane.redisurl import in_the_clear_to_another_host

    backplane = RedisBackplane(url)  # checks the URL first
    if in_the_clear_to_another_host(url):
        logger.warning(
            "Redis is reached without TLS on another machine: its password and the "
            "relayed messages cross the network readable (use rediss://)"
        )
    return backplane


def _program_log(args: argparse.Namespace) -> ProgramLog:
    """The server's own log: a rotating file next to the fleet, addresses redacted,
    purged after the same 90 days and of revoked devices (DESIGN.md "What is kept").
    The journal gets it only when asked (it has its own retention)."""
    from privacy.applog import lean_records, setup_program_log

    lean_records()
    state = state_dir(args.data)
    try:
        ensure_private_dir(state)  # 0700 like the fleet folder: the log names devices
        return setup_program_log(
            state,
            level=logging.DEBUG if args.verbose else logging.INFO,
            console=args.log_console,
            threaded=True,  # off the event loop: 10,000 lines at once held it for seconds
        )
    except OSError as exc:
        raise ServerStateUnwritable(str(state)) from exc


async def _until_signalled(running: RunningServer) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C still works
            loop.add_signal_handler(signum, stop.set)
    # Only now: a script that reads this line may send SIGTERM at once.
    print(f"listening on port {running.port}", flush=True)
    if running.health_port is not None:
        print(f"health on port {running.health_port}", flush=True)
    sdnotify.notify("READY=1")  # Type=notify: the unit counts as started only now
    feeding = asyncio.create_task(_feed_watchdog(sdnotify.watchdog_seconds()))
    try:
        await stop.wait()
    finally:  # drain: the devices move to another instance before we go
        sdnotify.notify("STOPPING=1")
        feeding.cancel()
        await running.stop(drain=running.config.drain_timeout)
    return 0


async def _feed_watchdog(interval: float | None) -> None:
    """``WATCHDOG=1`` at half of ``WatchdogSec=`` from the server's own event loop: a
    loop that hangs stops the pings, and systemd restarts the server."""
    if interval is None:
        return
    while True:
        sdnotify.notify("WATCHDOG=1")
        await asyncio.sleep(interval / 2)
