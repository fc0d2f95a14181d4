"""The four handshake steps of one attempt: hello, welcome, offer, answer.

A mixin of :class:`media.session.CallSession`, kept apart so each file stays small.
Every certificate is verified before anything else is done with a message, and
every SDP is sealed to the peer's device key (media.sealing) before it is relayed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from media import sealing
from media.handshake import Handshake, new_call_id, new_nonce
from media.state import CallState, EndReason
from pairing.certificates import certificate_pem, load_certificate
from pairing.errors import CertificateInvalid, PeerUntrusted
from pairing.roles import Role

if TYPE_CHECKING:
    from asyncio import Lock

    from media.paths import PathPlan
    from media.peer import PeerLink
    from media.session import SessionHooks
    from pairing.certificates import DeviceCertInfo
    from pairing.credentials import DeviceCredentials
    from pairing.revocation import RevocationList

logger = logging.getLogger(__name__)


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


class Negotiation:
    # Provided by CallSession (declared for the type checker).
    if TYPE_CHECKING:
        _own: DeviceCredentials
        _role: Role
        _attempt: Attempt | None
        _state: CallState
        _reason: EndReason | None
        _lock: Lock
        _hooks: SessionHooks
        peer: DeviceCertInfo | None
        _crl: Callable[[], RevocationList | None]
        _send_relay: Callable[[dict[str, Any]], Awaitable[bool]]
        _pending_hello: tuple[Handshake, float] | None

        def _wants_attempt(self) -> bool: ...
        def _new_link(self, plan: PathPlan | None) -> PeerLink: ...
        async def _plan_path(self) -> PathPlan: ...
        def _attempt_failed(self, attempt: Attempt | None) -> None: ...
        def _close_link(self, link: PeerLink) -> None: ...
        async def _drop_attempt(self, *, bye: str | None) -> None: ...
        async def _remote_bye(
            self, reason: str, next_start: str = "", *, authenticated: bool = False
        ) -> None: ...
        def _set_state(self, state: CallState, reason: EndReason | None = None) -> None: ...

    async def _begin_attempt(self) -> None:
        async with self._lock:
            if not self._wants_attempt():
                return
            self._attempt = Attempt(new_call_id(), new_nonce(), time.monotonic())
            if self._state is not CallState.RECONNECTING:
                self._set_state(CallState.CONNECTING)
            hello = Handshake(
                "hello",
                self._attempt.call,
                nonce=self._attempt.nonce,
                cert=certificate_pem(self._own.certificate).decode(),
            )
            await self._send_relay(hello.to_payload())

    async def _on_handshake(self, msg: Handshake) -> None:
        if msg.kind == "bye":
            if self._attempt and msg.call == self._attempt.call:
                await self._remote_bye(msg.reason, msg.next)
            return
        handler = {
            (Role.CLASSROOM, "hello"): self._on_hello,
            (Role.STUDENT, "welcome"): self._on_welcome,
            (Role.CLASSROOM, "offer"): self._on_offer,
            (Role.STUDENT, "answer"): self._on_answer,
        }.get((self._role, msg.kind))
        if handler is None:
            logger.warning("unexpected %s for %s refused", msg.kind, self._role.value)
            return
        try:
            await handler(msg)
        except PeerUntrusted as exc:
            logger.warning("peer untrusted (%s): %s", msg.kind, exc.detail)
            await self._drop_attempt(bye=None)
            self._set_state(CallState.ENDED, EndReason.PEER_UNTRUSTED)

    def _peer_certificate(self, pem: str) -> tuple[Any, DeviceCertInfo]:
        """Parse and fully check a certificate that came through the relay."""
        try:
            cert = load_certificate(pem)
        except CertificateInvalid as exc:
            raise PeerUntrusted("peer certificate unreadable") from exc
        return cert, sealing.verify_peer(cert, own=self._own, crl=self._crl())

    async def _on_hello(self, msg: Handshake) -> None:
        attempt = self._attempt
        if (
            self._state is CallState.LIVE
            and attempt is not None
            and attempt.link is not None
            and attempt.link.channels_open
        ):
            # The relay may replay a hello (the certificate is public): it must not
            # tear down a live, authenticated call. Kept until that link fails.
            logger.info("hello during a live call kept back until the link fails")
            self._pending_hello = (msg, time.monotonic())
            return
        if self._state is CallState.ENDED and self._reason is EndReason.STOPPED:
            return  # this device is going away: its successor will answer
        if self._state is CallState.ENDED and self._reason is EndReason.HANGUP_LOCAL:
            await self._send_relay(Handshake("bye", msg.call, reason="declined").to_payload())
            return
        refusal = self._hooks.admit()  # school hours: outside them, say when they start
        if refusal is not None:
            bye = Handshake("bye", msg.call, reason="schedule", next=refusal)
            await self._send_relay(bye.to_payload())
            return
        cert, info = self._peer_certificate(msg.cert)
        self._attempt_failed(self._attempt)  # superseded before it went live
        await self._drop_attempt(bye=None)  # a new hello supersedes any earlier attempt
        self._attempt = Attempt(
            msg.call, new_nonce(), time.monotonic(), peer_nonce=msg.nonce, peer_cert=cert
        )
        self.peer = info
        if self._state is not CallState.RECONNECTING:
            self._set_state(CallState.CONNECTING)
        welcome = Handshake(
            "welcome",
            msg.call,
            nonce=self._attempt.nonce,
            cert=certificate_pem(self._own.certificate).decode(),
        )
        await self._send_relay(welcome.to_payload())

    async def _on_welcome(self, msg: Handshake) -> None:
        attempt = self._attempt
        if attempt is None or msg.call != attempt.call or attempt.link is not None:
            return
        cert, info = self._peer_certificate(msg.cert)
        attempt.peer_nonce, attempt.peer_cert = msg.nonce, cert
        self.peer = info
        sdp = await self._gathered(attempt, lambda link: link.create_offer())
        if sdp is None:  # given up meanwhile: send no stale offer
            return
        attempt.linked_at = time.monotonic()
        await self._send_sealed(attempt, "offer", sdp)

    async def _on_offer(self, msg: Handshake) -> None:
        attempt = self._attempt
        if attempt is None or msg.call != attempt.call or attempt.link is not None:
            return
        opened = self._open_sealed(attempt, msg, "offer")
        sdp = await self._gathered(attempt, lambda link: link.accept_offer(opened.sdp))
        if sdp is None:
            return
        attempt.linked_at = time.monotonic()
        await self._send_sealed(attempt, "answer", sdp)

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
            attempt.plan = await self._plan_path()
            if attempt is not self._attempt:  # dropped while the path was chosen
                return None
            link = attempt.link = self._new_link(attempt.plan)
            sdp = await describe(link)  # gathers: up to media.ice.GATHER_TIMEOUT
            if attempt is not self._attempt:
                return None
            if attempt.plan.protocol is None or link.has_relay or not tries_left:
                return sdp
            logger.info("no relay over %s just now: the next path", attempt.plan.protocol.value)
            self._attempt_failed(attempt)
            attempt.link = None
            self._close_link(link)
        return None  # not reached: the last try returns its description

    async def _on_answer(self, msg: Handshake) -> None:
        attempt = self._attempt
        if attempt is None or msg.call != attempt.call or attempt.link is None:
            return
        opened = self._open_sealed(attempt, msg, "answer")
        await attempt.link.accept_answer(opened.sdp)

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
