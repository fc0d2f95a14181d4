"""``klasgenoot server``: run the signaling server in the foreground.

Made for a service manager (see packaging/klasgenoot-server.service): SIGTERM ends
it cleanly with exit code 0. The first stdout line says the bound port
(``listening on port N``) so scripts and tests can use ``--port 0``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from signaling.config import ServerConfig
from signaling.errors import ListenFailed

DEFAULT_PORT = 8443
DEFAULT_HEALTH_PORT = 8444


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
        "--port", type=int, default=DEFAULT_PORT, help=f"TLS-poort (standaard {DEFAULT_PORT})"
    )
    server.add_argument(
        "--health-port",
        type=int,
        default=DEFAULT_HEALTH_PORT,
        help=f"HTTP-poort voor /health op 127.0.0.1 (standaard {DEFAULT_HEALTH_PORT}, "
        "0 = vrije poort)",
    )
    server.add_argument("--no-health", action="store_true", help="geen /health aanbieden")
    server.add_argument(
        "--log-console",
        action="store_true",
        help="ook naar stderr loggen (standaard alleen naar DATA/state/logs, 90 dagen)",
    )
    server.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from privacy.applog import setup_program_log
    from privacy.files import state_dir

    # The server's own log: a rotating file next to the fleet, addresses redacted,
    # purged after the same 90 days, and cleaned by `fleet revoke` (DESIGN.md "What
    # is kept"). The journal gets it only when asked (it has its own retention).
    log = setup_program_log(state_dir(args.data), console=args.log_console)
    try:
        return asyncio.run(_serve(args))
    finally:
        log.close()


async def _serve(args: argparse.Namespace) -> int:
    from signaling.server import start_server  # aiohttp: only when serving

    try:
        running = await start_server(
            args.data,
            args.host,
            args.port,
            ServerConfig(),
            health_port=None if args.no_health else args.health_port,
        )
    except OSError as exc:  # the port is taken, or the address is not ours
        raise ListenFailed(exc.strerror or type(exc).__name__) from exc
    print(f"listening on port {running.port}", flush=True)
    if running.health_port is not None:
        print(f"health on port {running.health_port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C still works
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await running.stop()
    return 0
