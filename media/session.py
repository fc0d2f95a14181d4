"""CallSession: one device's side of the call, as a state machine over peer links.

    idle → waiting → connecting → live ⇄ reconnecting → ended

The student offers, the classroom answers (media.handshake, run by the session's
media.negotiation.Negotiator). A link that fails, or a peer silent for
``peer_timeout`` (heartbeats and incoming media both count as life), is thrown away
and a new one is made with capped, jittered backoff (media.recovery decides when):
aiortc has no ICE restart and notices a dead peer only after ~30 s by itself.
Signaling may come and go while live without touching the media.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from media.control import ControlInvalid, ControlMessage, VersionMismatch
from media.handshake import Handshake, parse_handshake
from media.impair import Impairment
from media.links import LinkMaker
from media.negotiation import Attempt, Negotiator
from media.peer import LinkEvents, LocalMedia, PeerLink
from media.ports import LinkSource
from media.recovery import BEGIN, Recovery
from media.refusals import RefusalSummary
from media.sessionconfig import SendRelay, SessionHooks, SessionSettings
from media.state import CallState, EndReason, StateChange
from media.turnurls import TurnLogin
from pairing.certificates import DeviceCertInfo
from pairing.credentials import DeviceCredentials
from pairing.revocation import RevocationList
from pairing.roles import Role

__all__ = ["CallSession", "SendRelay", "SessionHooks", "SessionSettings"]

logger = logging.getLogger(__name__)

# Relayed byes that would end a call for good if believed: retried instead.
_RETRY_VIA_RELAY = ("update", "untrusted")
# How a peer's bye ends the call here (any other reason: the peer hung up).
_BYE_ENDS = {
    "schedule": EndReason.OUTSIDE_SCHEDULE,
    "declined": EndReason.DECLINED,
    "untrusted": EndReason.PEER_UNTRUSTED,
    "update": EndReason.UPDATE_NEEDED,
}
# A relayed bye ignored while the control channel was open is believed when the link
# falls silent within this long after it: the peer's authenticated bye may have died
# in its own SCTP queue (a flood, a closing link that could not drain in time).
HELD_BYE_WINDOW = 5.0


class CallSession:
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
        links: LinkSource | None = None,  # tests: a recording fake
    ) -> None:
        self._role = credentials.info.role
        self._hooks = hooks
        self.settings = settings or SessionSettings()
        self._recovery = Recovery(self.settings)  # when to give up, when to retry
        self._held_bye: tuple[str, str, str, float] | None = None  # call, reason, next, when
        self._links: LinkSource = links or LinkMaker(
            credentials=credentials,
            ice_servers=ice_servers,
            media=media,
            relay_only=self.settings.relay_only,
            impairment=impairment,
        )
        events = LinkEvents(
            on_control=self._on_control,
            on_life=self._recovery.alive,
            on_connected=self._on_connected,
            on_failed=self._on_link_failed,
            video_sink=hooks.video_sink,
            on_channels_open=hooks.on_channels_open,
            audio_sink=hooks.audio_sink,
            on_transport=hooks.on_transport,
        )
        self.negotiation = Negotiator(
            self, credentials=credentials, links=self._links, events=events,
            send_relay=send_relay, crl=crl,
        )  # fmt: skip
        self._state = CallState.IDLE
        self._reason: EndReason | None = None
        self._peer_online = False
        self._ticker: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        # Relayed messages refused: a broken or hostile server could send many.
        self.relay_refusals = RefusalSummary("relay message")
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
        return self.negotiation.link

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
        await self.negotiation.drop(bye="restarting")
        await self._links.aclose()
        self._set_state(CallState.ENDED, EndReason.STOPPED)
        self.relay_refusals.close()
        self.negotiation.dropped.close()  # what is still counted, written now

    async def hangup(self) -> None:
        """End the call from this side; the peer is told on both paths at once."""
        await self.negotiation.drop(bye="hangup")
        self._set_state(CallState.ENDED, EndReason.HANGUP_LOCAL)

    async def revoked(self) -> None:
        """The server refused this device's own certificate as revoked (not the peer's
        fault: the peer learns from the CRL). Only a new bundle helps."""
        logger.warning("this device's certificate was revoked: the call ends for good")
        await self.negotiation.drop(bye=None)
        self._set_state(CallState.ENDED, EndReason.REVOKED)

    async def rejoin(self) -> None:
        # Every end may be retried, "update needed" too: if the versions really
        # differ, the authenticated control channel says so again. Not a revoked
        # device: the server refuses it until a new bundle is installed.
        if self._state is not CallState.ENDED or self._reason is EndReason.REVOKED:
            return
        self._recovery.reset()
        self._set_state(CallState.WAITING)
        if self._peer_online and self._role is Role.STUDENT:
            await self._begin_attempt()

    async def end_for_schedule(self) -> None:
        """School hours are over: end politely; the peer is told why."""
        await self.negotiation.drop(bye="schedule")
        self._set_state(CallState.ENDED, EndReason.OUTSIDE_SCHEDULE)

    def send_control(self, message: ControlMessage) -> bool:
        link = self.link
        return link is not None and link.send_control(message)

    # -- from signaling -------------------------------------------------------

    async def peer_online(self, online: bool) -> None:
        self._peer_online = online
        attempt = self.negotiation.attempt
        if online and self._role is Role.STUDENT and attempt is not None and attempt.link is None:
            # Signaling is (back) up and this attempt never got past hello: that hello
            # may have gone out on the connection that died. Start again now rather
            # than wait out its connect timeout.
            logger.info("signaling back during set-up: a new attempt")
            async with self._lock:
                await self.negotiation.drop(bye=None)
        if not online and self._state is not CallState.LIVE and self.negotiation.attempt:
            # The device this attempt was set up with has gone (a restart): the
            # next one must start afresh, not wait for this attempt's timeout.
            async with self._lock:
                await self.negotiation.drop(bye=None)
            if self._state is CallState.CONNECTING:
                self._set_state(CallState.WAITING)  # not "connecting" to nobody
        if online and self.negotiation.standby is not None and self._state is CallState.LIVE:
            # Its hello may have left on the connection that died: a fresh one.
            async with self._lock:
                await self.negotiation.begin_standby()
        if online and self._role is Role.STUDENT and self.negotiation.wants_attempt():
            self._recovery.retry_at = None
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

    async def network_changed(self) -> None:
        """A local address went away: a link or attempt over it is gone, now; the
        new network's relay paths are probed meanwhile."""
        self._links.network_changed()
        if self.negotiation.attempt is not None:
            await self._lost("network changed")

    def turn_login(self, login: TurnLogin) -> None:
        """A TURN credential from the signaling server (first or renewed)."""
        self._links.set_login(login)

    async def crl_updated(self, crl: RevocationList) -> None:
        if self.peer is not None and crl.is_revoked(self.peer.serial):
            logger.warning("peer %s revoked: ending the call", self.peer.device_id.short)
            await self._end(EndReason.PEER_REVOKED)

    # -- NegotiationHost: what the handshake decided --------------------------

    def admit(self) -> str | None:
        return self._hooks.admit()

    def attempt_begun(self) -> None:
        if self._state is CallState.LIVE:
            # A new hello superseded a live link whose channels had already closed
            # (a dead path): to the people on both ends, that is reconnecting.
            self.reconnects += 1
            self._set_state(CallState.RECONNECTING)
        elif self._state is not CallState.RECONNECTING:
            self._set_state(CallState.CONNECTING)

    def standby_taken(self) -> None:
        """The live link was given up for the standby attempt the peer welcomed."""
        self.reconnects += 1
        self._recovery.failed(peer_online=self._peer_online)
        self._recovery.retry_at = None  # the standby is the next attempt: none after it
        self._set_state(CallState.RECONNECTING)

    def peer_verified(self, peer: DeviceCertInfo) -> None:
        self.peer = peer

    def peer_untrusted(self) -> None:
        self._set_state(CallState.ENDED, EndReason.PEER_UNTRUSTED)

    async def remote_bye(
        self, reason: str, next_start: str = "", *, authenticated: bool = False
    ) -> None:
        """The peer ends this attempt: over the control channel (authenticated) or
        the relay (anyone on the server's path can forge it: call ids are in clear)."""
        link = self.link
        if not authenticated and link is not None and link.channels_open:
            # The authenticated path exists: a bye that matters comes over it too.
            logger.warning("relayed bye (%s) ignored: the control channel is open", reason)
            attempt = self.negotiation.attempt
            if attempt is not None:
                self._held_bye = (attempt.call, reason, next_start, time.monotonic())
            return
        await self._take_bye(reason, next_start, authenticated=authenticated)

    async def _take_bye(self, reason: str, next_start: str, *, authenticated: bool) -> None:
        self._held_bye = None
        if reason == "restarting" or (not authenticated and reason in _RETRY_VIA_RELAY):
            await self._lost(f"peer bye {reason}")  # it comes back: wait for it
            return
        await self.negotiation.drop(bye=None)
        self.peer = None
        if reason == "schedule" and next_start:  # the pupil's screen says when it opens
            self._hooks.on_control(ControlMessage("next_lesson", {"at": next_start}))
        self._set_state(CallState.ENDED, _BYE_ENDS.get(reason, EndReason.HANGUP_REMOTE))

    # -- links and life -------------------------------------------------------

    async def _begin_attempt(self) -> None:
        async with self._lock:
            await self.negotiation.begin()

    async def _handshake(self, message: Handshake) -> None:
        async with self._lock:
            await self.negotiation.on_handshake(message)

    def _on_connected(self) -> None:
        self._recovery.connected()
        attempt = self.negotiation.attempt
        if attempt is not None and attempt.plan is not None:
            attempt.went_live = True
            self._links.succeeded(attempt.plan)
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
            self._spawn(self._link_bye(self.negotiation.attempt, message.body["reason"]))
            return
        self._hooks.on_control(message)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _link_bye(self, attempt: Attempt | None, reason: str) -> None:
        if attempt is not None and attempt is self.negotiation.attempt:
            await self.remote_bye(reason, authenticated=True)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tick)
            try:
                await self._tick(time.monotonic())
            except Exception:  # the watchdog must survive anything a link throws
                logger.exception("session tick failed")

    async def _tick(self, now: float) -> None:
        hello = self.negotiation.hello_waiting(self.settings.connect_timeout)
        step = self._recovery.next_step(now, self._state, self.negotiation.attempt, hello=hello)
        if step == BEGIN:
            if self._peer_online and self._role is Role.STUDENT:
                await self._begin_attempt()
        elif step is not None:
            await self._lost(step)
        elif self._state is CallState.LIVE and self._role is Role.STUDENT:
            await self._standby(self._recovery.quiet(now))

    async def _standby(self, quiet: bool) -> None:
        """Student, live: after ``standby_silence`` a standby attempt goes out beside
        the link (the class drops the link once it is there and the link is silent,
        media.recovery); dropped again if the link speaks before it is welcomed."""
        negotiation = self.negotiation
        if not quiet:
            negotiation.cancel_standby()
            return
        if negotiation.standby is not None or not self._peer_online:
            return
        logger.info("peer briefly silent: a standby attempt beside the live link")
        self._hooks.on_path_lost()  # signaling may run over the same dead path
        async with self._lock:
            await negotiation.begin_standby()

    async def _lost(self, why: str) -> None:
        """The link is gone: throw it away and (student) try again after a backoff."""
        attempt = self.negotiation.attempt
        if self._state in (CallState.ENDED, CallState.IDLE) or attempt is None:
            return
        held, self._held_bye = self._held_bye, None
        if (
            held is not None
            and held[0] == attempt.call
            and time.monotonic() - held[3] < HELD_BYE_WINDOW
            and held[1] != "restarting"
        ):
            # Forged, it would also need the link to die now; a lost link after a
            # forged bye then ends the call instead of waiting to reconnect.
            logger.info("connection lost (%s) right after a relayed bye: the call ends", why)
            await self._take_bye(held[1], held[2], authenticated=False)
            return
        logger.info("connection lost (%s); reconnecting", why)
        was_live = self._state is CallState.LIVE
        if was_live and (why.startswith("peer silent") or why == "network changed"):
            self._hooks.on_path_lost()
        self.negotiation.failed(attempt)
        await self.negotiation.drop(bye=None)
        self.reconnects += int(was_live)
        self._recovery.failed(peer_online=self._peer_online)
        self._set_state(CallState.RECONNECTING)
        # A hello kept back while the call was live (a pupil back after a crash) is
        # answered now, instead of after its own connect timeout.
        pending = self.negotiation.take_pending_hello(self.settings.connect_timeout)
        if pending is not None:
            self._spawn(self._handshake(pending))

    async def _end(self, reason: EndReason) -> None:
        if self._reason is EndReason.REVOKED:
            return  # this device is out: nothing after that may blame the peer
        bye = {EndReason.UPDATE_NEEDED: "update", EndReason.PEER_REVOKED: "untrusted"}
        await self.negotiation.drop(bye=bye.get(reason))
        self._set_state(CallState.ENDED, reason)

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
