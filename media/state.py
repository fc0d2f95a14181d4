"""The call's states and end reasons, and what a session tells its owner."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pairing.certificates import DeviceCertInfo

# One set of end reasons: the engine gives them, the connection log stores them
# (privacy may not import media, so the enum lives there). INTERRUPTED is the log's
# own, set at the next start for a session the program never closed.
from privacy.codes import EndReason

__all__ = ["CallState", "EndReason", "StateChange"]


class CallState(enum.Enum):
    IDLE = "idle"
    WAITING = "waiting"  # for the peer to come online
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class StateChange:
    state: CallState
    reason: EndReason | None = None
    peer: DeviceCertInfo | None = None  # the verified peer, once known
