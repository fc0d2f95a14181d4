"""The call's states and end reasons, and what a session tells its owner."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pairing.certificates import DeviceCertInfo


class CallState(enum.Enum):
    IDLE = "idle"
    WAITING = "waiting"  # for the peer to come online
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    ENDED = "ended"


class EndReason(enum.Enum):
    HANGUP_LOCAL = "hangup_local"
    HANGUP_REMOTE = "hangup_remote"
    PEER_UNTRUSTED = "peer_untrusted"
    PEER_REVOKED = "peer_revoked"
    UPDATE_NEEDED = "update_needed"
    DECLINED = "declined"
    STOPPED = "stopped"
    OUTSIDE_SCHEDULE = "outside_schedule"  # school hours (media.features.schedule)
    REVOKED = "revoked"  # this device's own certificate: the server refused it for good


@dataclass(frozen=True, slots=True)
class StateChange:
    state: CallState
    reason: EndReason | None = None
    peer: DeviceCertInfo | None = None  # the verified peer, once known
