"""The signaling server: TLS with a client certificate, one WebSocket per device.

Start it in-process with :func:`start_server` (the CLI, the demo and the tests do);
``await running.stop()`` ends it. Health is served on a separate plain-HTTP port on
loopback, because the main port answers nobody without a fleet certificate.

No response names the software behind it (aiohttp's default ``Server: Python/3.12
aiohttp/3.x``): health says only "ok" and the version, as the operator was promised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from pathlib import Path

from aiohttp import WSMsgType, web, web_response
from cryptography import x509

from pairing.certificates import (
    DeviceCertInfo,
    check_current,
    load_certificate,
    verify_device_certificate,
)
from pairing.errors import PairingError, RevocationListInvalid
from pairing.revocation import RevocationList, load_crl, newer
from privacy import logfilter
from signaling.backplane.base import Backplane
from signaling.backplane.wire import CrlNews
from signaling.config import FleetFiles, ServerConfig
from signaling.crlwatch import CrlWatcher
from signaling.drain import drain_hub
from signaling.errors import ProtocolError, ServerConfigError, listen_error
from signaling.gate import Gate
from signaling.hub import Hub, Link
from signaling.listener import Listener
from signaling.logpurge import LogPurger
from signaling.protocol import (
    APP_VERSION_HEADER,
    CRL_NUMBER_HEADER,
    CallReport,
    CloseCode,
    ErrorCode,
    ErrorFrame,
    Ping,
    Pong,
    app_version,
    app_version_from,
    crl_number_from,
    parse_client,
)
from signaling.ratelimit import Verdict
from signaling.refusals import RefusalLog
from signaling.stalls import StallWatch
from signaling.tls import server_context
from signaling.tuning import small_tls_buffers
from signaling.turnissuer import TurnIssuer

logger = logging.getLogger(__name__)

SERVER_HEADER = "klasgenoot"


def hide_server_software() -> None:
    """aiohttp's own answers (400 for a garbled request) are built before any app
    hook runs and take their Server header from this module constant."""
    if hasattr(web_response, "SERVER_SOFTWARE"):
        web_response.SERVER_SOFTWARE = SERVER_HEADER
    else:  # aiohttp changed: tests/integration/test_signaling_server.py will say so
        logger.warning("cannot replace aiohttp's Server header")


async def _plain_server_header(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = SERVER_HEADER


def _application() -> web.Application:
    app = web.Application()
    app.on_response_prepare.append(_plain_server_header)  # every routed response
    return app


def version() -> str:
    return app_version()


class RunningServer:
    """A started server: ``port`` (and ``health_port``) are the bound ports."""

    def __init__(
        self,
        data_dir: Path,
        config: ServerConfig,
        log_state: Path | None,
        backplane: Backplane | None = None,
    ) -> None:
        self.config = config
        self.files = FleetFiles(data_dir)
        self.files.check()
        self._log_state = log_state
        try:
            self._ca_cert = load_certificate(self.files.ca.read_bytes())
        except (OSError, PairingError) as exc:
            raise ServerConfigError("ca.pem unreadable") from exc
        turn = TurnIssuer(self.files.turn_secret, self.files.pseudonym_key, config.turn_lifetime)
        self.hub = Hub(turn, backplane)
        self.hub.on_crl_news = self._crl_news
        self._backplane_started = False
        self._watcher = CrlWatcher(self.files.crl, self._ca_cert)
        self._runner: web.AppRunner | None = None
        self._health: web.AppRunner | None = None
        self.listener: Listener | None = None
        self._maintain_task: asyncio.Task[None] | None = None
        self.gate: Gate | None = None
        self.refusals = RefusalLog(logging.INFO, config.refusal_log_interval)
        self._purger: LogPurger | None = None
        self._purges: set[asyncio.Task[int]] = set()
        self.stalls = StallWatch(config.stall_threshold, stacks=config.stall_stacks)
        self.port = 0
        self.health_port: int | None = None

    async def _start(self, host: str, port: int, health_port: int | None) -> None:
        logfilter.install()
        hide_server_software()
        small_tls_buffers()
        self.stalls.start()
        ctx = server_context(self.files)
        self.hub.crl = self._watcher.load()
        await self.hub.backplane.start(self.hub)
        self._backplane_started = True
        app = _application()
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/turn", self._turn)
        # timeout_ceil_threshold: aiohttp rounds timers over 5 s up to whole seconds,
        # so at 10,000 devices ~500 heartbeats fired in one loop pass every second.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, timeout_ceil_threshold=math.inf
        )
        await self._runner.setup()
        assert self._runner.server is not None
        self.gate = Gate(
            self._runner.server, self._verify, self.config, self.refusals, recheck=self._recheck
        )
        if self._log_state is not None:
            self._purger = LogPurger(self._log_state, self.files.folder, self.gate.seen)
        self.listener = Listener(self.gate.factory, ctx, self.config, self.refusals)
        try:
            self.port = await self.listener.start(host, port)
        except OSError as exc:
            raise listen_error(exc, f"port {port}") from exc
        if health_port is not None:
            try:
                self.health_port = await self._start_health(health_port)
            except OSError as exc:
                raise listen_error(exc, f"health port {health_port}") from exc
        self._maintain_task = asyncio.create_task(self._maintain())
        logger.info(
            "signaling server listening on port %d (instance %s)", self.port, self.hub.instance
        )

    async def _start_health(self, port: int) -> int:
        app = _application()
        app.router.add_get("/health", self._healthcheck)
        app.router.add_get("/status", self._status)  # the helpdesk console polls it
        self._health = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._health.setup()
        site = web.TCPSite(self._health, "127.0.0.1", port)
        await site.start()
        return int(self._health.addresses[0][1])

    async def _healthcheck(self, request: web.Request) -> web.Response:
        serving = self.listener is not None and self.listener.serving
        serving = serving and self.hub.backplane.healthy  # a split view serves nobody
        return web.Response(
            text=f"ok {version()}" if serving else "down", status=200 if serving else 503
        )

    async def _status(self, request: web.Request) -> web.Response:
        """Which devices are connected, since when: on loopback only, like /health."""
        devices = [
            {"device_id": d.text, "since": t.isoformat(), **({"version": v} if v else {})}
            for d, t, v in self.hub.online()
        ]
        calls = [entry.public() for entry in self.hub.calls.entries()]  # every instance's
        return web.json_response(
            {"devices": devices, "calls": calls, "calls_refused": self.hub.calls.refused}
        )

    def _recheck(self, info: DeviceCertInfo) -> None:
        check_current(info, crl=self.hub.crl)  # the same CA: the gate saw it pass before

    def _verify(self, cert: x509.Certificate) -> DeviceCertInfo:
        # the handshake verified the signature: server_context trusts only this CA
        return verify_device_certificate(
            cert, self._ca_cert, crl=self.hub.crl, signature_checked=True
        )

    async def _maintain(self) -> None:
        """Poll the CRL file (and purge the log of what it newly revokes); now and then
        close links whose certificate expired."""
        last_sweep = time.monotonic()
        if self.hub.crl is not None:  # a CRL that came while we were stopped
            self._purge_log(self.hub.crl.serials)
        while True:
            await asyncio.sleep(self.config.crl_poll)
            try:
                crl = self._watcher.poll()
                if crl is not None:
                    self._apply_crl(crl)
                if time.monotonic() - last_sweep >= self.config.expiry_sweep:
                    last_sweep = time.monotonic()
                    self.hub.sweep()
            except Exception:  # a bug here must not stop revocation for good
                logger.exception("maintenance step failed")

    def _apply_crl(self, crl: RevocationList, *, publish: bool = True) -> None:
        before = self.hub.crl.serials if self.hub.crl is not None else frozenset()
        self.hub.set_crl(crl)  # logs "closing X: revoked" and "device X offline" ...
        self._purge_log(crl.serials - before)  # ... which this then removes
        if publish:  # the other instances, within a second (they check it themselves)
            self.hub.backplane.publish(CrlNews(crl.number, crl.pem.decode()))

    def _crl_news(self, pem: str) -> None:
        """A CRL another instance loaded: used only if the fleet CA signed it and it is
        newer than ours (Redis is shared: its word alone un-revokes nothing)."""
        try:
            crl = load_crl(pem.encode(), self._ca_cert)
        except RevocationListInvalid as exc:
            logger.warning("ignored a CRL from another instance: %s", exc.detail or "invalid")
            return
        if newer(self.hub.crl, crl):
            logger.info("CRL %d from another instance (%d revoked)", crl.number, len(crl.serials))
            self._watcher.current = crl  # our copy of the file, when it comes, is not news
            self._apply_crl(crl, publish=False)

    def _purge_log(self, serials: frozenset[int]) -> None:
        if self._purger is None or not serials:
            return
        task = asyncio.create_task(self._purger.purge(serials))
        self._purges.add(task)
        task.add_done_callback(self._purged)

    def _purged(self, task: asyncio.Task[int]) -> None:
        self._purges.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("purging the log failed: %s", type(task.exception()).__name__)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        info = self.gate.identity(request.transport) if self.gate else None
        if info is None:  # cannot happen: the gate let no such connection through
            raise web.HTTPForbidden()
        ws = web.WebSocketResponse(
            heartbeat=self.config.heartbeat,
            max_msg_size=self.config.max_message,
            compress=False,  # payloads are sealed (incompressible); no deflate bombs
            timeout=self.config.close_timeout,
        )
        if not ws.can_prepare(request).ok:
            return web.Response(status=426, text="WebSocket only")
        if self.listener is not None:  # the upgrade and hello in turn (signaling.turns)
            await self.listener.turn()
        await ws.prepare(request)
        link = Link(ws, info, self.config)
        link.app_version = app_version_from(request.headers.get(APP_VERSION_HEADER))
        link.crl_number = crl_number_from(request.headers.get(CRL_NUMBER_HEADER))
        renew: asyncio.Task[None] | None = None
        try:
            if self.hub.register(link):  # sends hello, then the first TURN credential
                renew = asyncio.create_task(self._renew_turn(link))
                async for frame in ws:
                    self._on_frame(link, frame.type, frame.data)
                    await link.settle()
        finally:
            if renew is not None:
                renew.cancel()
            self.hub.unregister(link)
            await link.finish(self.config.close_timeout)
        return ws

    async def _turn(self, request: web.Request) -> web.Response:
        """``GET /turn``: one credential, minted as the WebSocket's ``turn`` frame, for
        the network self-test. The device is not put online: a self-test from the
        command line must not replace the running kiosk's WebSocket."""
        info = self.gate.identity(request.transport) if self.gate else None
        if info is None:  # cannot happen: the gate let no such connection through
            raise web.HTTPForbidden()
        headers = {"Cache-Control": "no-store"}
        if not self.hub.turn_enabled:
            return web.json_response({"error": "turn-not-configured"}, status=503,
                                     headers=headers)  # fmt: skip
        credential = self.hub.mint_turn(info)
        if credential is None:  # revoked since the handshake
            return web.json_response({"error": "revoked"}, status=403, headers=headers)
        body = {"username": credential.username, "password": credential.password,
                "expires": int(credential.expires_at)}  # fmt: skip
        return web.json_response(body, headers=headers)

    async def _renew_turn(self, link: Link) -> None:
        """A fresh credential before the last one expires, for as long as the link lives
        (the hub sends nothing once the link is closed, replaced or revoked)."""
        while True:
            await asyncio.sleep(self.config.turn_renew)
            self.hub.send_turn(link)

    def _on_frame(self, link: Link, kind: WSMsgType, data: object) -> None:
        if kind not in (WSMsgType.TEXT, WSMsgType.BINARY):
            return  # ERROR: aiohttp already closed with the right code
        verdict = link.limiter.check()
        if verdict is Verdict.CLOSE:
            link.close(CloseCode.RATE_LIMITED, "too many messages")
            return
        if verdict is Verdict.REFUSE:
            link.refuse(ErrorFrame(ErrorCode.RATE_LIMITED, "too many messages: slow down"))
            return
        link.accepted()
        if kind is WSMsgType.BINARY or not isinstance(data, str):
            link.send(ErrorFrame(ErrorCode.MALFORMED, "text frames only"))
            return
        try:
            message = parse_client(data, self.config.max_message)
        except ProtocolError as exc:
            if exc.detail.startswith("call "):  # a bad summary: refused, counted, not kept
                self.hub.calls.refused += 1
            link.send(ErrorFrame(exc.code, exc.detail))
            if exc.code == ErrorCode.UNSUPPORTED_VERSION:
                link.close(CloseCode.UNSUPPORTED_VERSION, "unsupported protocol version")
            return
        if isinstance(message, Ping):
            link.send(Pong())
        elif isinstance(message, CallReport):
            self.hub.call_reported(link, message)
        else:
            self.hub.relay(link, message.payload)

    async def stop(self, drain: float = 0.0) -> None:
        """Stop accepting, close every device with 1001, and wait for them briefly.

        With ``drain`` (seconds; SIGTERM uses ServerConfig.drain_timeout) the devices
        are first told to move, a few at a time, and we wait until they have gone.
        """
        if self.listener is not None:
            await self.listener.close()
        if drain > 0 and len(self.hub):
            # as fast as a receiving instance with spare time takes them; one
            # without waits its budget and leaves the rest in its accept queue
            rate = self.config.handshake_rate_max
            await drain_hub(self.hub, self.config.drain_spread, drain, rate)
        if self._maintain_task is not None:
            self._maintain_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintain_task
        self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._backplane_started:
            self._backplane_started = False
            await self.hub.backplane.stop()
        if self._health is not None:
            await self._health.cleanup()
        if self._purges:  # a purge runs in a thread: let it finish its files
            await asyncio.wait(set(self._purges))
        self.refusals.close()
        self.stalls.stop()
        self.listener = None
        logger.info("signaling server stopped")


async def start_server(
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    config: ServerConfig | None = None,
    *,
    health_port: int | None = None,
    log_state: Path | None = None,
    backplane: Backplane | None = None,
) -> RunningServer:
    """Start a server on ``host:port`` (0 = any free port) reading the fleet files in ``data_dir``.

    ``health_port``: None = no health endpoint, 0 = any free port on 127.0.0.1.
    ``log_state``: the state folder of the server's own log, purged of revoked devices.
    ``backplane``: shared state with other instances (default: in memory, this one only).
    Raises ServerConfigError (files) or a ListenFailed (ports) and leaves nothing behind.
    """
    running = RunningServer(Path(data_dir), config or ServerConfig(), log_state, backplane)
    try:
        await running._start(host, port, health_port)
    except BaseException:
        await running.stop()
        raise
    return running
