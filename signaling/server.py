"""The signaling server: TLS with a client certificate, one WebSocket per device.

Start it in-process with :func:`start_server` (the CLI, the demo and the tests do);
``await running.stop()`` ends it. Health is served on a separate plain-HTTP port on
loopback, because the main port answers nobody without a fleet certificate.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
import time
from pathlib import Path

from aiohttp import WSMsgType, web
from cryptography import x509

from pairing.certificates import DeviceCertInfo, load_certificate, verify_device_certificate
from pairing.errors import PairingError
from privacy import logfilter
from signaling.config import FleetFiles, ServerConfig
from signaling.crlwatch import CrlWatcher
from signaling.errors import ProtocolError, ServerConfigError
from signaling.gate import Gate
from signaling.hub import Hub, Link
from signaling.listener import Listener
from signaling.protocol import CloseCode, ErrorCode, ErrorFrame, Ping, Pong, parse_client
from signaling.ratelimit import Verdict
from signaling.tls import server_context

logger = logging.getLogger(__name__)


def version() -> str:
    try:
        return importlib.metadata.version("klasgenoot")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"  # running from a source tree that was never installed


class RunningServer:
    """A started server: ``port`` (and ``health_port``) are the bound ports."""

    def __init__(self, data_dir: Path, config: ServerConfig) -> None:
        self.config = config
        self.files = FleetFiles(data_dir)
        try:
            self._ca_cert = load_certificate(self.files.ca.read_bytes())
        except (OSError, PairingError) as exc:
            raise ServerConfigError("ca.pem unreadable") from exc
        self.hub = Hub()
        self._watcher = CrlWatcher(self.files.crl, self._ca_cert)
        self._runner: web.AppRunner | None = None
        self._health: web.AppRunner | None = None
        self.listener: Listener | None = None
        self._maintain_task: asyncio.Task[None] | None = None
        self.gate: Gate | None = None
        self.port = 0
        self.health_port: int | None = None

    async def _start(self, host: str, port: int, health_port: int | None) -> None:
        logfilter.install()
        ctx = server_context(self.files)
        self.hub.crl = self._watcher.load()
        app = web.Application()
        app.router.add_get("/ws", self._websocket)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        assert self._runner.server is not None
        self.gate = Gate(self._runner.server, self._verify, self.config)
        self.listener = Listener(self.gate.factory, ctx, self.config)
        self.port = await self.listener.start(host, port)
        if health_port is not None:
            self.health_port = await self._start_health(health_port)
        self._maintain_task = asyncio.create_task(self._maintain())
        logger.info("signaling server listening on port %d", self.port)

    async def _start_health(self, port: int) -> int:
        app = web.Application()
        app.router.add_get("/health", self._healthcheck)
        self._health = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._health.setup()
        site = web.TCPSite(self._health, "127.0.0.1", port)
        await site.start()
        return int(self._health.addresses[0][1])

    async def _healthcheck(self, request: web.Request) -> web.Response:
        serving = self.listener is not None and self.listener.serving
        return web.Response(
            text=f"ok {version()}" if serving else "down", status=200 if serving else 503
        )

    def _verify(self, cert: x509.Certificate) -> DeviceCertInfo:
        return verify_device_certificate(cert, self._ca_cert, crl=self.hub.crl)

    async def _maintain(self) -> None:
        """Poll the CRL file; now and then close links whose certificate expired."""
        last_sweep = time.monotonic()
        while True:
            await asyncio.sleep(self.config.crl_poll)
            try:
                crl = self._watcher.poll()
                if crl is not None:
                    self.hub.set_crl(crl)
                if time.monotonic() - last_sweep >= self.config.expiry_sweep:
                    last_sweep = time.monotonic()
                    self.hub.sweep()
            except Exception:  # a bug here must not stop revocation for good
                logger.exception("maintenance step failed")

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
        await ws.prepare(request)
        link = Link(ws, info, self.config)
        try:
            if self.hub.register(link):
                async for frame in ws:
                    self._on_frame(link, frame.type, frame.data)
                    await link.settle()
        finally:
            self.hub.unregister(link)
            await link.finish(self.config.close_timeout)
        return ws

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
            link.send(ErrorFrame(exc.code, exc.detail))
            if exc.code == ErrorCode.UNSUPPORTED_VERSION:
                link.close(CloseCode.UNSUPPORTED_VERSION, "unsupported protocol version")
            return
        if isinstance(message, Ping):
            link.send(Pong())
        else:
            self.hub.relay(link, message.payload)

    async def stop(self) -> None:
        """Stop accepting, close every device with 1001, and wait for them briefly."""
        if self.listener is not None:
            await self.listener.close()
        if self._maintain_task is not None:
            self._maintain_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintain_task
        self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._health is not None:
            await self._health.cleanup()
        self.listener = None
        logger.info("signaling server stopped")


async def start_server(
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    config: ServerConfig | None = None,
    *,
    health_port: int | None = None,
) -> RunningServer:
    """Start a server on ``host:port`` (0 = any free port) reading the fleet files in ``data_dir``.

    ``health_port``: None = no health endpoint, 0 = any free port on 127.0.0.1.
    """
    running = RunningServer(Path(data_dir), config or ServerConfig())
    try:
        await running._start(host, port, health_port)
    except BaseException:
        await running.stop()
        raise
    return running
