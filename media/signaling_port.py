"""The engine's signaling port backed by the real signaling client.

Events are handled one at a time in arrival order (a relayed offer must not
overtake the welcome before it), on one pump task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from media.ports import SignalingHandler, SignalingPort
from pairing.credentials import DeviceCredentials
from pairing.revocation import RevocationList
from signaling.client import SignalingClient
from signaling.config import ClientConfig
from signaling.events import (
    Connected,
    CrlReceived,
    Disconnected,
    PeerOffline,
    PeerOnline,
    Relayed,
    ServerError,
    SignalingEvent,
    TurnReceived,
)
from signaling.protocol import CallReport

logger = logging.getLogger(__name__)


class ClientPort:
    def __init__(
        self,
        handler: SignalingHandler,
        url: str | Sequence[str],
        credentials: DeviceCredentials,
        crl: RevocationList | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        self._handler = handler
        self.client = SignalingClient(url, credentials, crl=crl, config=config)
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._pump = asyncio.get_running_loop().create_task(self._run())
        await self.client.start()

    async def stop(self) -> None:
        await self.client.stop()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump

    async def send_relay(self, payload: dict[str, Any]) -> bool:
        return await self.client.send_relay(payload)

    async def report_call(self, summary: CallReport) -> bool:
        return await self.client.send_call(summary)

    def reconnect_now(self) -> None:
        self.client.reconnect_now()

    async def check_connection(self) -> bool:
        return await self.client.check_connection()

    async def _run(self) -> None:
        while True:
            event = await self.client.events.get()
            try:
                await self._handle(event)
            except Exception:  # one bad event must not stop the pump
                logger.exception("signaling event failed: %s", type(event).__name__)

    async def _handle(self, event: SignalingEvent) -> None:
        handler = self._handler
        match event:
            case Connected(peer_online=online):
                await handler.signaling_changed(True)
                await handler.peer_changed(online)
            case Disconnected(reason=reason):
                logger.info("signaling disconnected (%s)", reason.value)
                await handler.signaling_changed(False, reason.value)
            case PeerOnline():
                await handler.peer_changed(True)
            case PeerOffline():
                await handler.peer_changed(False)
            case Relayed(payload=payload):
                await handler.relayed(payload)
            case CrlReceived(crl=crl):
                await handler.crl_received(crl)
            case TurnReceived(credential=credential):
                await handler.turn_received(credential)
            case ServerError(code=code):
                logger.info("signaling server said %s", code)


def client_port_factory(
    url: str | Sequence[str],
    credentials: DeviceCredentials,
    crl: RevocationList | None = None,
    config: ClientConfig | None = None,
) -> Any:
    """A SignalingFactory for :class:`media.engine.Engine`."""

    def make(handler: SignalingHandler) -> SignalingPort:
        return ClientPort(handler, url, credentials, crl, config)

    return make
