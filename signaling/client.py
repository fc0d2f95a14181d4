"""The device side: one WebSocket to the signaling server, kept up with backoff.

Construct it with the server URL (or several: instances of one fleet, tried in turn)
and the device's credentials, ``await start()``,
then read events from ``on_event`` (a plain callback, called on the event loop) or,
without one, from the ``events`` queue. ``send_relay`` hands an opaque payload to
the paired device; the server never looks inside.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Callable, Sequence

import aiohttp

from common.backoff import Backoff
from pairing.credentials import DeviceCredentials
from pairing.errors import RevocationListInvalid
from pairing.revocation import RevocationList, load_crl, newer
from privacy import logfilter
from signaling.config import ClientConfig
from signaling.dialer import STAGGER, StaggeredConnector
from signaling.errors import PayloadTooLarge, ProtocolError
from signaling.events import (
    Connected,
    CrlReceived,
    Disconnected,
    DisconnectReason,
    PeerOffline,
    PeerOnline,
    Relayed,
    ServerError,
    SignalingEvent,
    TurnReceived,
    reason_for_close,
)
from signaling.protocol import (
    APP_VERSION_HEADER,
    CRL_NUMBER_HEADER,
    CallReport,
    CrlPush,
    ErrorCode,
    ErrorFrame,
    Hello,
    Payload,
    Ping,
    Pong,
    Presence,
    Relay,
    ServerMessage,
    TurnFrame,
    app_version,
    encode,
    parse_server,
)
from signaling.tls import client_context
from signaling.turn import TurnCredential

logger = logging.getLogger(__name__)

_ENDED = (aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
_random = secrets.SystemRandom()
URGENT_BACKOFF_MAX = 0.5
# A call waiting on us: TCP connects leave every STAGGER s (signaling.dialer) for up
# to URGENT_DIAL_LIMIT, then TLS and the WebSocket upgrade get URGENT_CONNECT_TIMEOUT.
URGENT_DIAL_LIMIT = 5.0
URGENT_CONNECT_TIMEOUT = 2.0
CHECK_LIMIT = 1.0  # a live server answers a ping within a round trip or two


class SignalingClient:
    def __init__(
        self,
        url: str | Sequence[str],
        credentials: DeviceCredentials,
        *,
        on_event: Callable[[SignalingEvent], None] | None = None,
        crl: RevocationList | None = None,
        config: ClientConfig | None = None,
        start_at: int | None = None,
    ) -> None:
        self._urls = [url] if isinstance(url, str) else list(url)
        if not self._urls:
            raise ValueError("no signaling URL")
        # A random first URL spreads a fleet over the instances (``start_at``: tests).
        self._next = _random.randrange(len(self._urls)) if start_at is None else start_at
        self.url = self._urls[self._next]  # the one connected to, or tried last
        self._credentials = credentials
        self._on_event = on_event
        self._config = config or ClientConfig()
        self.crl = crl  # the highest-numbered CRL seen (the device stores it)
        self.events: asyncio.Queue[SignalingEvent] = asyncio.Queue()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session: aiohttp.ClientSession | None = None
        self._connector: StaggeredConnector | None = None
        self._task: asyncio.Task[None] | None = None
        self._up = False  # hello received on the current connection
        self._down_announced = False
        self._final: DisconnectReason | None = None
        self._hurry = asyncio.Event()  # reconnect_now(): skip the backoff once
        self._urgent = False  # reconnect_now() until the next hello: short backoff
        self._pong = asyncio.Event()
        self._checking = 0  # check_connection() calls in flight: a call waits on us

    @property
    def connected(self) -> bool:
        return self._up

    async def start(self) -> None:
        if self._task is not None:
            return
        logfilter.install()
        ssl_context = client_context(self._credentials)
        self._connector = StaggeredConnector(ssl=ssl_context)
        self._session = aiohttp.ClientSession(
            connector=self._connector,
            # No total: it would also bound the long-lived WebSocket.
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=self._config.connect_timeout,
                sock_read=self._config.connect_timeout,
            ),
        )
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._up:
            self._went_down(DisconnectReason.STOPPED)

    async def send_relay(self, payload: Payload) -> bool:
        """Send to the paired device; False if not connected right now."""
        text = encode(Relay(payload))
        if len(text.encode()) > self._config.max_payload:
            raise PayloadTooLarge(f"{len(text)} bytes")
        return await self._send(text)

    async def send_call(self, report: CallReport) -> bool:
        """The summary of a call that ended, for the server; False if not connected."""
        return await self._send(encode(report))

    async def _send(self, text: str) -> bool:
        ws = self._ws
        if ws is None or ws.closed or not self._up:
            return False
        try:
            await ws.send_str(text)
        except ConnectionError:
            return False
        return True

    async def _run(self) -> None:
        backoff = Backoff(self._config.backoff_initial, self._config.backoff_max)
        untried = len(self._urls) - 1  # other instances left in this round
        while True:
            try:
                reason = await self._connect_once()
            except Exception:  # a bug must not end reconnecting for good
                logger.exception("signaling connection failed")
                reason = DisconnectReason.LOST
            was_up = self._up
            if was_up:
                backoff.reset()
            self._went_down(reason)
            if was_up and self._checking and not reason.final:
                # A call's check saw this connection die (a reset after the home
                # router's new address): it is gone, so redial now, not after a backoff.
                self.reconnect_now()
            if reason.final:
                logger.warning("signaling stopped for good: %s", reason.value)
                return
            # The next instance: a draining or failed one is not tried again first.
            self._next = (self._next + 1) % len(self._urls)
            if reason is DisconnectReason.UNREACHABLE and not was_up and untried > 0:
                untried -= 1
                continue  # one that is down costs no wait while others are left to try
            untried = len(self._urls) - 1
            # After a close from a draining instance the others are up: go soon. A call
            # waits on us (reconnect_now): a new try at least every 2.5 s (each bounded
            # to 2 s), so a link that comes back is used within about a second or two,
            # however long it was gone.
            low = 0.0 if reason is DisconnectReason.SERVER_CLOSED else None
            wait = backoff.next(URGENT_BACKOFF_MAX if self._urgent else None, low=low)
            if not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), wait)
            self._hurry.clear()

    async def check_connection(self, limit: float = CHECK_LIMIT) -> bool:
        """A call's peer fell silent: is this connection still alive, or does it run
        over the same dead link? A ping the server must answer within ``limit``;
        without an answer, :meth:`reconnect_now`. A healthy connection is kept, so
        nothing relayed to it in the meantime is lost."""
        ws = self._ws
        if ws is None or ws.closed or not self._up:
            self.reconnect_now()
            return False
        self._pong.clear()
        self._checking += 1
        try:
            with contextlib.suppress(ConnectionError):
                await ws.send_str(encode(Ping()))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._pong.wait(), limit)
                    return True
        finally:
            self._checking -= 1
        if self._ws is not ws:
            # A new connection was made meanwhile (reconnect_now after a network
            # change): the one pinged is gone, and dropping its successor, just
            # hello'd, would cost the call its set-up messages a second time.
            return self._up
        logger.info("signaling connection did not answer: reconnecting")
        self.reconnect_now()
        return False

    def reconnect_now(self) -> None:
        """The network may have changed under us (a call's peer fell silent, local
        addresses changed): drop the current connection, which may run over a link
        that is gone and would take the heartbeat ~30 s to notice, and connect again
        at once. A server that is really down still gets the usual backoff after."""
        self._hurry.set()
        self._urgent = True
        ws = self._ws
        if ws is None or ws.closed:
            return
        sock = ws.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # the receive loop ends at once

    async def _connect_once(self) -> DisconnectReason:
        assert self._session is not None
        self._final = None
        self.url = self._urls[self._next]
        connector = self._connector
        assert connector is not None
        urgent = self._urgent
        try:
            # A call waiting on us: a SYN every STAGGER s while the link is gone, not
            # TCP's own 1, 3, 7 s schedule, so the link's return bounds recovery; once
            # one connect has won, TLS and the upgrade are bounded to 2 s.
            async with asyncio.timeout(URGENT_DIAL_LIMIT if urgent else None) as bound:
                loop = asyncio.get_running_loop()
                connector.stagger = STAGGER if urgent else None
                connector.on_dialled = (
                    (lambda: bound.reschedule(loop.time() + URGENT_CONNECT_TIMEOUT))
                    if urgent
                    else None
                )
                ws = await self._session.ws_connect(
                    self.url,
                    heartbeat=self._config.heartbeat,
                    max_msg_size=self._config.max_message,
                    timeout=aiohttp.ClientWSTimeout(ws_close=2.0),
                    headers=self._headers(),
                )
        except (aiohttp.ClientError, OSError, TimeoutError):
            # The exception text names host and port: keep it out of the log.
            return DisconnectReason.UNREACHABLE
        self._ws = ws
        # The code of the server's close frame as it arrived: aiohttp replaces it by
        # 1006 when our reply cannot be written because the server already closed
        # the transport (it does not wait for the reply while its reader is busy),
        # and a revoked device would then take "revoked" for "unreachable".
        close_code: int | None = None
        try:
            while True:
                frame = await ws.receive()
                if frame.type is aiohttp.WSMsgType.CLOSE:
                    close_code = frame.data
                    break
                if frame.type in _ENDED:
                    break
                if frame.type is aiohttp.WSMsgType.TEXT and not self._on_frame(frame.data):
                    break
        finally:
            self._ws = None
            if not ws.closed:
                await ws.close()
        return self._final or reason_for_close(close_code or ws.close_code)

    def _headers(self) -> dict[str, str]:
        """The app version (the helpdesk's overview) and the CRL we hold: the server
        sends its CRL only when it has a newer one."""
        headers = {APP_VERSION_HEADER: app_version()}
        if self.crl is not None:
            headers[CRL_NUMBER_HEADER] = str(self.crl.number)
        return headers

    def _on_frame(self, data: str) -> bool:
        """Handle one frame; False when the connection must end."""
        try:
            message = parse_server(data, self._config.max_message)
        except ProtocolError as exc:
            logger.warning("ignored a frame from the server: %s", exc.code)
            if exc.code == ErrorCode.UNSUPPORTED_VERSION:
                self._final = DisconnectReason.UPDATE_NEEDED
                return False
            return True
        self._dispatch(message)
        return True

    def _dispatch(self, message: ServerMessage) -> None:
        match message:
            case Hello(device=device, peer_online=peer_online):
                self._up = True
                self._urgent = False
                self._down_announced = False
                logger.info("signaling connected as %s", device)
                self._emit(Connected(device, peer_online))
            case Presence(peer_online=True):
                self._emit(PeerOnline())
            case Presence(peer_online=False):
                self._emit(PeerOffline())
            case Relay(payload=payload):
                self._emit(Relayed(payload))
            case CrlPush():
                self._take_crl(message)
            case TurnFrame(username=username, password=password, expires=expires):
                logger.debug("TURN credential received")  # never the credential itself
                self._emit(TurnReceived(TurnCredential(username, password, float(expires))))
            case ErrorFrame(code=code, message=text):
                logger.debug("server error frame: %s", code)
                self._emit(ServerError(code, text))
            case Pong():
                self._pong.set()

    def _take_crl(self, push: CrlPush) -> None:
        try:
            crl = load_crl(push.pem, self._credentials.ca_certificate)
        except RevocationListInvalid as exc:
            logger.warning("ignored a CRL from the server: %s", exc.detail)
            return
        if crl.number != push.number:
            logger.warning("ignored a CRL from the server: number mismatch")
            return
        if newer(self.crl, crl):
            self.crl = crl
            self._emit(CrlReceived(crl))

    def _went_down(self, reason: DisconnectReason) -> None:
        was_up, self._up = self._up, False
        if was_up or not self._down_announced:
            self._down_announced = True
            logger.info("signaling down: %s", reason.value)
            self._emit(Disconnected(reason))

    def _emit(self, event: SignalingEvent) -> None:
        if self._on_event is None:
            self.events.put_nowait(event)
            return
        try:
            self._on_event(event)
        except Exception:  # a consumer's bug must not break the connection
            logger.exception("signaling event handler failed")
