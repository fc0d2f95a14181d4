"""What a :class:`signaling.client.SignalingClient` reports, as immutable events.

Presence events mirror the server's ``presence`` frames only: losing the server
says nothing about the peer (a live call carries on without signaling).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pairing.revocation import RevocationList
from signaling.protocol import CloseCode, Payload
from signaling.turn import TurnCredential


class DisconnectReason(enum.StrEnum):
    STOPPED = "stopped"  # stop() was called
    UNREACHABLE = "unreachable"  # no TCP connection, or the server refused us in TLS
    LOST = "lost"  # the connection broke
    SERVER_CLOSED = "server_closed"  # the server shut down or restarted
    REPLACED = "replaced"  # another connection of this same device took over
    REVOKED = "revoked"
    EXPIRED = "expired"
    UPDATE_NEEDED = "update_needed"  # the server speaks another protocol version
    RATE_LIMITED = "rate_limited"
    TOO_SLOW = "too_slow"

    @property
    def final(self) -> bool:
        """After these the client stops reconnecting: trying again cannot help."""
        return self in _FINAL


_FINAL = {
    DisconnectReason.STOPPED,
    DisconnectReason.REPLACED,
    DisconnectReason.REVOKED,
    DisconnectReason.EXPIRED,
    DisconnectReason.UPDATE_NEEDED,
}

_BY_CLOSE_CODE = {
    CloseCode.GOING_AWAY: DisconnectReason.SERVER_CLOSED,
    CloseCode.TRY_AGAIN: DisconnectReason.SERVER_CLOSED,
    CloseCode.REPLACED: DisconnectReason.REPLACED,
    CloseCode.REVOKED: DisconnectReason.REVOKED,
    CloseCode.EXPIRED: DisconnectReason.EXPIRED,
    CloseCode.UNSUPPORTED_VERSION: DisconnectReason.UPDATE_NEEDED,
    CloseCode.RATE_LIMITED: DisconnectReason.RATE_LIMITED,
    CloseCode.TOO_SLOW: DisconnectReason.TOO_SLOW,
}


def reason_for_close(code: int | None) -> DisconnectReason:
    return _BY_CLOSE_CODE.get(code, DisconnectReason.LOST)  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class Connected:
    device: str  # our short DeviceId, as the server read it from our certificate
    peer_online: bool


@dataclass(frozen=True, slots=True)
class Disconnected:
    reason: DisconnectReason


@dataclass(frozen=True, slots=True)
class PeerOnline:
    pass


@dataclass(frozen=True, slots=True)
class PeerOffline:
    pass


@dataclass(frozen=True, slots=True)
class Relayed:
    payload: Payload  # from the peer, unverified: the media layer opens the seal


@dataclass(frozen=True, slots=True)
class CrlReceived:
    crl: RevocationList  # verified against the fleet CA, newer than any seen before


@dataclass(frozen=True, slots=True)
class TurnReceived:
    credential: TurnCredential  # minted by the server for this device; never log it


@dataclass(frozen=True, slots=True)
class ServerError:
    code: str  # an ErrorCode value, e.g. "peer_offline" or "rate_limited"
    message: str


SignalingEvent = (
    Connected
    | Disconnected
    | PeerOnline
    | PeerOffline
    | Relayed
    | CrlReceived
    | TurnReceived
    | ServerError
)
