"""Start the console: TLS with the fleet's server certificate, next to the signaling
server, reading the same fleet folder.

The fleet CA passphrase is checked at start (it issues the certificates when codes
are used) and kept in memory only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from console.enrollment import Enroller
from console.presence import StatusPoller
from console.reports import ReportInbox
from console.service import FleetAccess, erase_due
from console.store import Store
from console.web import build_app
from pairing.fleet import CA_CERT, SERVER_CERT, SERVER_KEY, ca_fingerprint, load_ca

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8445
DEFAULT_STATUS_URL = "http://127.0.0.1:8444/status"  # the signaling server's health port
IDLE_SECONDS = 15 * 60  # a session ends after a quarter of an hour without a request


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    status_url: str = DEFAULT_STATUS_URL
    idle: float = IDLE_SECONDS
    poll: float = 2.0


def tls_context(fleet: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    # The chain: a device fetches the CA from it before it trusts anything (pinned by
    # the fingerprint the technician compares; pairing/codeenroll.py).
    ctx.load_cert_chain(certfile=str(fleet / SERVER_CERT), keyfile=str(fleet / SERVER_KEY))
    return ctx


MAINTENANCE_SECONDS = 3600.0


def maintain(store: Store, fleet: Path, idle: float) -> None:
    """Retention: old rows go, and pairings whose collection window closed are erased."""
    store.purge(idle)
    erased = erase_due(store, fleet)
    if erased:
        logger.info("erased %d pairings after their collection window", erased)


async def _maintenance(store: Store, fleet: Path, idle: float) -> None:
    while True:
        await asyncio.sleep(MAINTENANCE_SECONDS)
        try:
            maintain(store, fleet, idle)
        except Exception:  # a failed round must not stop retention for good
            logger.exception("console maintenance failed")


class RunningConsole:
    def __init__(
        self, runner: web.AppRunner, poller: StatusPoller, store: Store, task: asyncio.Task[None]
    ) -> None:
        self._runner, self._poller, self._store, self._task = runner, poller, store, task
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._poller.stop()
        await self._runner.cleanup()
        self._store.close()


async def start_console(fleet: Path, passphrase: str, config: ConsoleConfig) -> RunningConsole:
    load_ca(fleet, passphrase)  # PassphraseWrong now, not when the first code is used
    fingerprint = ca_fingerprint(fleet)
    store = Store(fleet)
    maintain(store, fleet, config.idle)
    poller = StatusPoller(config.status_url, store, config.poll)
    inbox = ReportInbox(store, fleet)
    app = build_app(
        store,
        enroller=Enroller(store, fleet, passphrase),
        inbox=inbox,
        fleet=FleetAccess(fleet, passphrase),
        presence=poller,
        fingerprint=fingerprint,
        idle=config.idle,
    )
    app.router.add_get("/ca.pem", _ca_handler(fleet))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)  # no addresses logged
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, ssl_context=tls_context(fleet))
    await site.start()
    await poller.start()
    task = asyncio.create_task(_maintenance(store, fleet, config.idle))
    running = RunningConsole(runner, poller, store, task)
    logger.info("console listening on port %d", running.port)
    return running


def _ca_handler(fleet: Path) -> Callable[[web.Request], Awaitable[web.Response]]:
    pem = (fleet / CA_CERT).read_bytes()

    async def ca(request: web.Request) -> web.Response:
        return web.Response(body=pem, content_type="application/x-pem-file")

    return ca
