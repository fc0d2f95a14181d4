"""CallSession: one device's side of the call, as a state machine over peer links.

    idle → waiting → connecting → live ⇄ reconnecting → ended

The student offers, the classroom answers (media.handshake). A link that fails, or a
peer silent for ``peer_timeout`` (heartbeats and incoming media both count as
life), is thrown away and a new one is made with capped, jittered backoff: aiortc
has no ICE restart and notices a dead peer only after ~30 s by itself. Signaling
may come and go while live without touching the media.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common.backoff import capped_delay, jittered
from media.control import ControlInvalid, ControlMessage, VersionMismatch
from media.handshake import Handshake, parse_handshake
from media.impair import Impairment
from media.negotiation import Attempt, Negotiation
from media.paths import PathChooser, PathPlan
from media.peer import LinkEvents, LocalMedia, PeerLink
from media.refusals import RefusalSummary
from media.state import CallState, EndReason, StateChange
from media.turnprobe import turn_tls_context
from media.turnurls import TurnLogin
from pairing.certificates import DeviceCertInfo
from pairing.credentials import DeviceCredentials
from pairing.revocation import RevocationList
from pairing.roles import Role

logger = logging.getLogger(__name__)

# Relayed byes that would end a call for good if believed: retried instead.
_RETRY_VIA_RELAY = ("update", "untrusted")

SendRelay = Callable[[dict[str, Any]], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class SessionSettings:
    # Silence after which the peer is gone; with the 0.1 s tick a dead link is
    # declared within 3 s (heartbeats are 1/s, media ~50 packets/s).
    peer_timeout: float = 2.5
    connect_timeout: float = 10.0  # hello → connected, else try again
    # Reconnecting while the peer is online: an attempt whose offer or answer is out
    # gets this long, and the next one follows at most reconnect_backoff_max later.
    # aioice sends its checks at 0, 0.5 and 1.5 s, so a link that comes back is found
    # by the next attempt within about 1.5 s, however long it was gone (issue 10).
    reconnect_timeout: float = 2.5
    reconnect_backoff_max: float = 0.5
    backoff_initial: float = 0.25
    backoff_max: float = 8.0
    relay_only: bool = False
    tick: float = 0.1


@dataclass
class SessionHooks:
    """Where a session reports; all called on the engine loop, all must be quick."""

    on_state: Callable[[StateChange], None]
    on_control: Callable[[ControlMessage], None] = lambda _m: None
    video_sink: Callable[[Any], None] | None = None
    audio_sink: Callable[[Any], None] | None = None
    on_channels_open: Callable[[], None] = lambda: None
    on_transport: Callable[[str, str], None] = lambda _layer, _state: None  # ICE/DTLS states
    # The media path went away under a live call (peer silent, network changed): the
    # signaling connection may run over the same dead link (the engine reconnects it).
    on_path_lost: Callable[[], None] = lambda: None
    # Classroom: may the pupil call now (school hours)? None admits; otherwise the
    # next start as ISO 8601 ("" if none), sent back with bye "schedule".
    admit: Callable[[], str | None] = lambda: None


class CallSession(Negotiation):
    def __init__(
        self,
        *,
        credentials: DeviceCredentials,
        ice_servers: Sequence[Mapping[str, Any]],
        media: LocalMedia,
        send_relay: SendRelay,
        hooks: SessionHooks,
        crl: Callable[[], RevocationList | None] = lambda: None,
        settings: SessionSettings | None = None,
        impairment: Impairment | None = None,
    ) -> None:
        self._own = credentials
        self._role = credentials.info.role
        self._ice_servers = list(ice_servers)
        # One TURN transport per attempt, chosen and remembered per network.
        self._turn_tls = turn_tls_context(credentials.ca_certificate)
        self.paths = PathChooser(self._ice_servers, tls=self._turn_tls)
        self._media = media
        self._send_relay = send_relay
        self._hooks = hooks
        self._crl = crl
        self.settings = settings or SessionSettings()
        self._impairment = impairment
        self._state = CallState.IDLE
        self._reason: EndReason | None = None
        self._attempt: Attempt | None = None
        self._peer_online = False
        self._last_life = 0.0
        self._failures = 0
        self._retry_at: float | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing: set[asyncio.Task[None]] = set()  # links given up, still closing
        # Relayed messages refused: a broken or hostile server could send many.
        self.relay_refusals = RefusalSummary("relay message")
        self._pending_hello: tuple[Handshake, float] | None = None  # see _on_hello
        self.peer: DeviceCertInfo | None = None
        self.reconnects = 0

    # -- public ---------------------------------------------------------------

    @property
    def state(self) -> CallState:
        return self._state

    @property
    def reason(self) -> EndReason | None:
        return self._reason

    @property
    def link(self) -> PeerLink | None:
        return self._attempt.link if self._attempt else None

    def start(self) -> None:
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())
        self._set_state(CallState.WAITING)

    async def stop(self) -> None:
        """This device stops (a restart, an update, a shutdown): not a person's hangup.

        The peer is told ``restarting`` and waits for this device to come back, as
        it would after a crash.
        """
        if self._ticker:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        await self._drop_attempt(bye="restarting")
        await self._closed_links()
        await self.paths.close()
        self._set_state(CallState.ENDED, EndReason.STOPPED)
        self.relay_refusals.close()

    async def hangup(self) -> None:
        """End the call from this side; the peer is told on both paths at once."""
        await self._drop_attempt(bye="hangup")
        self._set_state(CallState.ENDED, EndReason.HANGUP_LOCAL)

    async def revoked(self) -> None:
        """The server refused this device's own certificate as revoked (not the peer's
        fault: the peer learns from the CRL). Only a new bundle helps."""
        logger.warning("this device's certificate was revoked: the call ends for good")
        await self._drop_attempt(bye=None)
        self._set_state(CallState.ENDED, EndReason.REVOKED)

    async def rejoin(self) -> None:
        # Every end may be retried, "update needed" too: if the versions really
        # differ, the authenticated control channel says so again. Not a revoked
        # device: the server refuses it until a new bundle is installed.
        if self._state is not CallState.ENDED or self._reason is EndReason.REVOKED:
            return
        self._failures, self._retry_at = 0, None
        self._set_state(CallState.WAITING)
        if self._peer_online and self._role is Role.STUDENT:
            await self._begin_attempt()

    def send_control(self, message: ControlMessage) -> bool:
        link = self.link
        return link is not None and link.send_control(message)

    # -- from signaling -------------------------------------------------------

    async def peer_online(self, online: bool) -> None:
        self._peer_online = online
        attempt = self._attempt
        if online and self._role is Role.STUDENT and attempt is not None and attempt.link is None:
            # Signaling is (back) up and this attempt never got past hello: that hello
            # may have gone out on the connection that died. Start again now rather
            # than wait out its connect timeout.
            logger.info("signaling back during set-up: a new attempt")
            async with self._lock:
                await self._drop_attempt(bye=None)
        if not online and self._state is not CallState.LIVE and self._attempt is not None:
            # The device this attempt was set up with has gone (a restart): the
            # next one must start afresh, not wait for this attempt's timeout.
            async with self._lock:
                await self._drop_attempt(bye=None)
            if self._state is CallState.CONNECTING:
                self._set_state(CallState.WAITING)  # not "connecting" to nobody
        if online and self._role is Role.STUDENT and self._wants_attempt():
            self._retry_at = None
            await self._begin_attempt()

    async def relayed(self, payload: Any) -> None:
        try:
            message = parse_handshake(payload)
        except VersionMismatch as exc:
            # The relay is not authenticated: another version seen there never ends
            # or downgrades a call; the student tries again later (backoff).
            logger.warning("relay message of another version (%s) in %s", exc.detail,
                           self._state.value)  # fmt: skip
            if self._state is not CallState.LIVE and self._role is Role.STUDENT:
                await self._lost("peer version")
            return
        except ControlInvalid as exc:
            self.relay_refusals.note(exc.detail or "invalid")
            return
        await self._handshake(message)

    async def _handshake(self, message: Handshake) -> None:
        async with self._lock:
            await self._on_handshake(message)

    async def network_changed(self) -> None:
        """A local address went away: a link or attempt over it is gone, now."""
        if self._attempt is not None:
            await self._lost("network changed")

    def turn_login(self, login: TurnLogin) -> None:
        """A TURN credential from the signaling server (first or renewed)."""
        self.paths.set_login(login)

    async def crl_updated(self, crl: RevocationList) -> None:
        if self.peer is not None and crl.is_revoked(self.peer.serial):
            logger.warning("peer %s revoked: ending the call", self.peer.device_id.short)
            await self._end(EndReason.PEER_REVOKED)

    def _wants_attempt(self) -> bool:
        busy = self._attempt is not None
        return not busy and self._state in (CallState.WAITING, CallState.RECONNECTING)

    # -- links and life -------------------------------------------------------

    async def _plan_path(self) -> PathPlan:
        return await self.paths.plan()

    def _attempt_failed(self, attempt: Attempt | None) -> None:
        """An attempt that never went live: its path is not for this network."""
        if attempt is not None and not attempt.went_live and attempt.plan is not None:
            self.paths.failed(attempt.plan)

    def _new_link(self, plan: PathPlan | None) -> PeerLink:
        events = LinkEvents(
            on_control=self._on_control,
            on_life=self._on_life,
            on_connected=self._on_connected,
            on_failed=self._on_link_failed,
            video_sink=self._hooks.video_sink,
            on_channels_open=self._hooks.on_channels_open,
            audio_sink=self._hooks.audio_sink,
            on_transport=self._hooks.on_transport,
        )
        return PeerLink(
            ice_servers=plan.ice_servers if plan is not None else self._ice_servers,
            media=self._media,
            events=events,
            relay_only=self.settings.relay_only,
            impairment=self._impairment,
            turn_tls=self._turn_tls,
            relay_protocol=plan.protocol.value if plan and plan.protocol else None,
        )

    def _on_life(self) -> None:
        self._last_life = time.monotonic()

    def _on_connected(self) -> None:
        self._on_life()
        self._failures = 0
        attempt = self._attempt
        if attempt is not None and attempt.plan is not None:
            attempt.went_live = True
            self.paths.succeeded(attempt.plan)
        self._set_state(CallState.LIVE)

    def _on_link_failed(self, why: str) -> None:
        if why == "update":
            self._spawn(self._end(EndReason.UPDATE_NEEDED))
        elif why == "protocol":  # the paired peer broke the data channel rules: hostile
            self._spawn(self._end(EndReason.PEER_UNTRUSTED))
        else:
            self._spawn(self._lost(f"link {why}"))

    def _on_control(self, message: ControlMessage) -> None:
        if message.kind == "bye":
            # Bound to the attempt whose link carried it: run later than the same bye
            # via the relay, it must not end an attempt begun since (a rejoin).
            self._spawn(self._link_bye(self._attempt, message.body["reason"]))
            return
        self._hooks.on_control(message)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _link_bye(self, attempt: Attempt | None, reason: str) -> None:
        if attempt is not None and attempt is self._attempt:
            await self._remote_bye(reason, authenticated=True)

    async def end_for_schedule(self) -> None:
        """School hours are over: end politely; the peer is told why."""
        await self._drop_attempt(bye="schedule")
        self._set_state(CallState.ENDED, EndReason.OUTSIDE_SCHEDULE)

    async def _remote_bye(
        self, reason: str, next_start: str = "", *, authenticated: bool = False
    ) -> None:
        """The peer ends this attempt: over the control channel (authenticated) or
        the relay (anyone on the server's path can forge it: call ids are in clear)."""
        link = self.link
        if not authenticated and link is not None and link.channels_open:
            # The authenticated path exists: a bye that matters comes over it too.
            logger.warning("relayed bye (%s) ignored: the control channel is open", reason)
            return
        if reason == "restarting" or (not authenticated and reason in _RETRY_VIA_RELAY):
            await self._lost(f"peer bye {reason}")  # it comes back: wait for it
            return
        await self._drop_attempt(bye=None)
        self.peer = None
        if reason == "schedule":
            if next_start:  # the pupil's screen says when the next lesson starts
                self._hooks.on_control(ControlMessage("next_lesson", {"at": next_start}))
            self._set_state(CallState.ENDED, EndReason.OUTSIDE_SCHEDULE)
        elif reason == "declined":
            self._set_state(CallState.ENDED, EndReason.DECLINED)
        elif reason == "untrusted":
            self._set_state(CallState.ENDED, EndReason.PEER_UNTRUSTED)
        elif reason == "update":
            self._set_state(CallState.ENDED, EndReason.UPDATE_NEEDED)
        else:
            self._set_state(CallState.ENDED, EndReason.HANGUP_REMOTE)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tick)
            try:
                await self._tick(time.monotonic())
            except Exception:  # the watchdog must survive anything a link throws
                logger.exception("session tick failed")

    async def _tick(self, now: float) -> None:
        attempt = self._attempt
        if self._state is CallState.LIVE:
            if now - self._last_life > self.settings.peer_timeout:
                await self._lost("peer silent")
        elif attempt is not None and self._overdue(attempt, now):
            await self._lost("connect timeout")
        elif self._retry_at is not None and now >= self._retry_at:
            self._retry_at = None
            if self._peer_online and self._role is Role.STUDENT:
                await self._begin_attempt()

    def _overdue(self, attempt: Attempt, now: float) -> bool:
        if now - attempt.started > self.settings.connect_timeout:
            return True
        linked = attempt.linked_at
        if self._state is not CallState.RECONNECTING or linked is None:
            return False
        return now - linked > self.settings.reconnect_timeout

    async def _lost(self, why: str) -> None:
        """The link is gone: throw it away and (student) try again after a backoff."""
        if self._state in (CallState.ENDED, CallState.IDLE) or self._attempt is None:
            return
        logger.info("connection lost (%s); reconnecting", why)
        was_live = self._state is CallState.LIVE
        if was_live and why in ("peer silent", "network changed"):
            self._hooks.on_path_lost()
        self._attempt_failed(self._attempt)
        await self._drop_attempt(bye=None)
        self.reconnects += int(was_live)
        self._failures += 1
        # The peer is online (signaling says so): try again soon; the long backoff
        # is for a peer that keeps failing while it is not known to be there.
        cap = (
            self.settings.reconnect_backoff_max if self._peer_online else self.settings.backoff_max
        )
        delay = capped_delay(self.settings.backoff_initial, cap, self._failures - 1)
        self._retry_at = time.monotonic() + jittered(delay)
        self._set_state(CallState.RECONNECTING)
        # A hello kept back while the call was live (a pupil back after a crash) is
        # answered now, instead of after its own connect timeout.
        pending, self._pending_hello = self._pending_hello, None
        if pending is not None and time.monotonic() - pending[1] < self.settings.connect_timeout:
            self._spawn(self._handshake(pending[0]))

    async def _end(self, reason: EndReason) -> None:
        if self._reason is EndReason.REVOKED:
            return  # this device is out: nothing after that may blame the peer
        bye = {EndReason.UPDATE_NEEDED: "update", EndReason.PEER_REVOKED: "untrusted"}
        await self._drop_attempt(bye=bye.get(reason))
        self._set_state(CallState.ENDED, reason)

    async def _drop_attempt(self, *, bye: str | None) -> None:
        attempt, self._attempt = self._attempt, None
        if attempt is None:
            return
        if bye is not None:
            if attempt.link is not None:
                with contextlib.suppress(Exception):
                    attempt.link.send_control(ControlMessage("bye", {"reason": bye}))
            with contextlib.suppress(Exception):
                await self._send_relay(Handshake("bye", attempt.call, reason=bye).to_payload())
            if attempt.link is not None:
                await attempt.link.drain_control()
        if attempt.link is not None:
            self._close_link(attempt.link)

    def _close_link(self, link: PeerLink) -> None:
        """Closing may wait on a dead path (aioice gives a TURN allocation back with
        retransmitted requests, for up to ~30 s): never hold the session on it."""
        link.detach()
        task = asyncio.get_running_loop().create_task(link.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _closed_links(self, limit: float = 3.0) -> None:
        """Wait, briefly, for links still closing (the engine is stopping)."""
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=limit)

    def _set_state(self, state: CallState, reason: EndReason | None = None) -> None:
        if state is self._state and reason is self._reason:
            return
        logger.info(
            "call %s -> %s%s",
            self._state.value,
            state.value,
            f" ({reason.value})" if reason else "",
        )
        self._state, self._reason = state, reason
        self._hooks.on_state(StateChange(state, reason, self.peer))
