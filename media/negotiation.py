"""The attempts of one call and their four handshake steps: hello, welcome, offer, answer.

A :class:`Negotiator` belongs to a :class:`media.session.CallSession` and talks to it
only through :class:`media.ports.NegotiationHost` (the call's state, and what the
handshake decides: an attempt begun, the peer verified or untrusted, a relayed bye).
It owns the current :class:`Attempt` and its link. Every certificate is verified
before anything else is done with a message, and every SDP is sealed to the peer's
device key (media.sealing) before it is relayed. A message that belongs to no
current attempt (a late welcome, a replayed answer) is dropped and logged with its
kind, short call id and the call's state, summarised if the relay floods them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from media import sealing
from media.control import ControlMessage
from media.handshake import Handshake, new_call_id, new_nonce
from media.refusals import RefusalSummary
from media.state import CallState, EndReason
from pairing.certificates import certificate_pem, load_certificate
from pairing.errors import CertificateInvalid, PeerUntrusted
from pairing.roles import Role

if TYPE_CHECKING:
    from media.paths import PathPlan
    from media.peer import LinkEvents, PeerLink
    from media.ports import LinkSource, NegotiationHost
    from pairing.certificates import DeviceCertInfo
    from pairing.credentials import DeviceCredentials
    from pairing.revocation import RevocationList

logger = logging.getLogger(__name__)

SendRelay = Callable[[dict[str, Any]], Awaitable[bool]]
CALL_SHORT = 6  # hex digits of a call id in the log: enough to tell attempts apart


@dataclass
class Attempt:
    """One try at a peer connection, named by its call id."""

    call: str
    nonce: bytes
    started: float
    peer_nonce: bytes | None = None
    peer_cert: Any = None
    link: PeerLink | None = None
    plan: PathPlan | None = None  # the network path this attempt takes (media.paths)
    went_live: bool = False
    linked_at: float | None = None  # when our offer or answer went out


class Negotiator:
    def __init__(
        self,
        host: NegotiationHost,
        *,
        credentials: DeviceCredentials,
        links: LinkSource,
        events: LinkEvents,
        send_relay: SendRelay,
        crl: Callable[[], RevocationList | None],
    ) -> None:
        self._host = host
        self._own = credentials
        self._role = credentials.info.role
        self._links = links
        self._events = events
        self._send_relay = send_relay
        self._crl = crl
        self.attempt: Attempt | None = None
        # Student: a new attempt begun beside a live link that fell briefly silent; it
        # takes over once the peer welcomes it (the peer has then given that link up).
        self.standby: Attempt | None = None
        self._pending_hello: tuple[Handshake, float] | None = None  # see _on_hello
        # Late or replayed set-up messages: normal now and then, a flood if hostile.
        self.dropped = RefusalSummary("handshake message", verb="dropped", level=logging.INFO)

    @property
    def link(self) -> PeerLink | None:
        return self.attempt.link if self.attempt else None

    def wants_attempt(self) -> bool:
        waiting = self._host.state in (CallState.WAITING, CallState.RECONNECTING)
        return self.attempt is None and waiting

    async def begin(self) -> None:
        """Student: a new attempt, if the call wants one (the session holds its lock)."""
        if not self.wants_attempt():
            return
        self.attempt = Attempt(new_call_id(), new_nonce(), time.monotonic())
        self._host.attempt_begun()
        await self._send_relay(self._introduce("hello", self.attempt).to_payload())

    async def begin_standby(self) -> None:
        """Student, live, the peer briefly silent (the router may have changed its
        uplink: every flow is gone): a new attempt's hello goes out beside the live
        link, which stays until the peer welcomes the new one."""
        self.standby = Attempt(new_call_id(), new_nonce(), time.monotonic())
        await self._send_relay(self._introduce("hello", self.standby).to_payload())

    def cancel_standby(self) -> None:
        """The live link speaks again: a late welcome for the standby is stale."""
        self.standby = None

    def _take_standby(self, standby: Attempt) -> None:
        """The peer welcomed the standby: it has given the live link up, so do we."""
        old, self.attempt, self.standby = self.attempt, standby, None
        if old is not None and old.link is not None:
            self._links.close(old.link)
        self._host.standby_taken()

    async def drop(self, *, bye: str | None) -> None:
        """Give the current attempt up; with ``bye``, the peer is told on both paths."""
        self.standby = None
        attempt, self.attempt = self.attempt, None
        if attempt is None:
            return
        if bye is not None:
            if attempt.link is not None:
                try:
                    attempt.link.send_control(ControlMessage("bye", {"reason": bye}))
                except Exception:  # a link in any state: the relayed bye still goes
                    logger.debug("bye over the control channel failed", exc_info=True)
            try:
                await self._send_relay(Handshake("bye", attempt.call, reason=bye).to_payload())
            except Exception:  # the signaling connection may be gone
                logger.debug("relayed bye failed", exc_info=True)
            if attempt.link is not None:
                await attempt.link.drain_control()
        if attempt.link is not None:
            self._links.close(attempt.link)

    def failed(self, attempt: Attempt | None) -> None:
        """An attempt that never went live: its path is not for this network."""
        if attempt is not None and not attempt.went_live and attempt.plan is not None:
            self._links.failed(attempt.plan)

    def hello_waiting(self, max_age: float) -> bool:
        """Whether a hello kept back during a live call is recent enough to answer."""
        pending = self._pending_hello
        return pending is not None and time.monotonic() - pending[1] < max_age

    def take_pending_hello(self, max_age: float) -> Handshake | None:
        """A hello kept back during a live call, if it is recent enough to answer."""
        pending, self._pending_hello = self._pending_hello, None
        if pending is None or time.monotonic() - pending[1] >= max_age:
            return None
        return pending[0]

    async def on_handshake(self, msg: Handshake) -> None:
        if msg.kind == "bye":
            if self.attempt and msg.call == self.attempt.call:
                await self._host.remote_bye(msg.reason, msg.next)
            else:
                self._stale(msg)
            return
        handler = {
            (Role.CLASSROOM, "hello"): self._on_hello,
            (Role.STUDENT, "welcome"): self._on_welcome,
            (Role.CLASSROOM, "offer"): self._on_offer,
            (Role.STUDENT, "answer"): self._on_answer,
        }.get((self._role, msg.kind))
        if handler is None:
            self._stale(msg, "unexpected")  # e.g. an offer to a student
            return
        try:
            await handler(msg)
        except PeerUntrusted as exc:
            logger.warning("peer untrusted (%s): %s", msg.kind, exc.detail)
            await self.drop(bye=None)
            self._host.peer_untrusted()

    def _stale(self, msg: Handshake, why: str = "stale") -> None:
        state = self._host.state.value
        self.dropped.note(f"{why} {msg.kind} (call {msg.call[:CALL_SHORT]}, {state})")

    def _introduce(self, kind: str, attempt: Attempt) -> Handshake:
        cert = certificate_pem(self._own.certificate).decode()
        return Handshake(kind, attempt.call, nonce=attempt.nonce, cert=cert)

    def _peer_certificate(self, pem: str) -> tuple[Any, DeviceCertInfo]:
        """Parse and fully check a certificate that came through the relay."""
        try:
            cert = load_certificate(pem)
        except CertificateInvalid as exc:
            raise PeerUntrusted("peer certificate unreadable") from exc
        return cert, sealing.verify_peer(cert, own=self._own, crl=self._crl())

    async def _on_hello(self, msg: Handshake) -> None:
        state, reason, link = self._host.state, self._host.reason, self.link
        if state is CallState.LIVE and link is not None and link.channels_open:
            # The relay may replay a hello (the certificate is public): it must not
            # tear down a live, authenticated call. Kept until that link fails, or
            # falls silent for the session's hello_silence (media.recovery).
            logger.info("hello during a live call kept back until the link fails")
            self._pending_hello = (msg, time.monotonic())
            return
        if state is CallState.ENDED and reason is EndReason.STOPPED:
            self._stale(msg, "unanswered")  # this device is stopping: its successor answers
            return
        if state is CallState.ENDED and reason is EndReason.HANGUP_LOCAL:
            await self._send_relay(Handshake("bye", msg.call, reason="declined").to_payload())
            return
        refusal = self._host.admit()  # school hours: outside them, say when they start
        if refusal is not None:
            bye = Handshake("bye", msg.call, reason="schedule", next=refusal)
            await self._send_relay(bye.to_payload())
            return
        cert, info = self._peer_certificate(msg.cert)
        self.failed(self.attempt)  # superseded before it went live
        await self.drop(bye=None)  # a new hello supersedes any earlier attempt
        self.attempt = Attempt(
            msg.call, new_nonce(), time.monotonic(), peer_nonce=msg.nonce, peer_cert=cert
        )
        self._host.peer_verified(info)
        self._host.attempt_begun()
        await self._send_relay(self._introduce("welcome", self.attempt).to_payload())

    def _current(self, msg: Handshake, *, linked: bool) -> Attempt | None:
        """The attempt ``msg`` belongs to, at the step it may come in; else logged."""
        attempt = self.attempt
        if attempt is None or msg.call != attempt.call or (attempt.link is not None) != linked:
            self._stale(msg)
            return None
        return attempt

    async def _on_welcome(self, msg: Handshake) -> None:
        if self.standby is not None and msg.call == self.standby.call:
            self._take_standby(self.standby)
        if (attempt := self._current(msg, linked=False)) is None:
            return
        cert, info = self._peer_certificate(msg.cert)
        attempt.peer_nonce, attempt.peer_cert = msg.nonce, cert
        self._host.peer_verified(info)
        sdp = await self._gathered(attempt, lambda link: link.create_offer())
        if sdp is None:  # given up meanwhile: send no stale offer
            self._stale(msg, "superseded")
            return
        attempt.linked_at = time.monotonic()
        await self._send_sealed(attempt, "offer", sdp)

    async def _on_offer(self, msg: Handshake) -> None:
        if (attempt := self._current(msg, linked=False)) is None:
            return
        opened = self._open_sealed(attempt, msg, "offer")
        sdp = await self._gathered(attempt, lambda link: link.accept_offer(opened.sdp))
        if sdp is None:
            self._stale(msg, "superseded")
            return
        attempt.linked_at = time.monotonic()
        await self._send_sealed(attempt, "answer", sdp)

    async def _on_answer(self, msg: Handshake) -> None:
        if (attempt := self._current(msg, linked=True)) is None or attempt.link is None:
            return
        opened = self._open_sealed(attempt, msg, "answer")
        await attempt.link.accept_answer(opened.sdp)

    async def _gathered(
        self, attempt: Attempt, describe: Callable[[PeerLink], Awaitable[str]]
    ) -> str | None:
        """Choose the path, make the link and gather (``describe`` makes our offer or
        answer); None when the attempt was given up meanwhile.

        A path whose relay did not allocate just now (a network that stopped passing
        UDP since it was last probed) cannot reach a peer behind a NAT: rather than
        send a description that is bound to fail and wait out its timeout, the next
        path of the ladder is tried at once, at most once per transport.
        """
        for tries_left in (2, 1, 0):
            attempt.plan = await self._links.plan()
            if attempt is not self.attempt:  # dropped while the path was chosen
                return None
            link = attempt.link = self._links.open(attempt.plan, self._events)
            sdp = await describe(link)  # gathers: up to media.ice.GATHER_TIMEOUT
            if attempt is not self.attempt:
                return None
            if attempt.plan.protocol is None or link.has_relay or not tries_left:
                return sdp
            logger.info("no relay over %s just now: the next path", attempt.plan.protocol.value)
            self.failed(attempt)
            attempt.link = None
            self._links.close(link)
        return None  # not reached: the last try returns its description

    async def _send_sealed(self, attempt: Attempt, kind: sealing.Kind, sdp: str) -> None:
        """Seal our SDP to the peer (bound to both nonces) and relay it."""
        sealed = sealing.seal(
            sdp,
            kind,
            own=self._own,
            peer_certificate=attempt.peer_cert,
            own_nonce=attempt.nonce,
            peer_nonce=attempt.peer_nonce,
            crl=self._crl(),
        )
        await self._send_relay(Handshake(kind, attempt.call, sealed=sealed).to_payload())

    def _open_sealed(
        self, attempt: Attempt, msg: Handshake, kind: sealing.Kind
    ) -> sealing.OpenedSdp:
        """Check and decrypt the peer's sealed SDP of this attempt (PeerUntrusted if not)."""
        return sealing.open_sealed(
            msg.sealed,
            own=self._own,
            expected_kind=kind,
            own_nonce=attempt.nonce,
            peer_nonce=attempt.peer_nonce,
            crl=self._crl(),
        )
