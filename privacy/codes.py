"""Every value the logs may hold in a coded column: fixed sets, never free text.

The database enforces the same sets with CHECK constraints (privacy/schema.py), so
a value that is not listed here cannot be stored even by a bug; a test fails when an
enum gains a value that no migration allows yet.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping


class LocalRole(enum.StrEnum):
    STUDENT = "student"
    CLASSROOM = "classroom"


class EventKind(enum.StrEnum):
    SIGNALING_UP = "signaling_up"
    SIGNALING_DOWN = "signaling_down"
    PEER_ONLINE = "peer_online"
    PEER_OFFLINE = "peer_offline"
    ICE_STATE = "ice_state"
    DTLS_STATE = "dtls_state"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    SENDING_STARTED = "sending_started"  # LIVE: media may leave this device
    SENDING_STOPPED = "sending_stopped"
    PEER_UNTRUSTED = "peer_untrusted"
    PEER_REVOKED = "peer_revoked"
    UPDATE_NEEDED = "update_needed"
    CRL_UPDATED = "crl_updated"
    DEVICE_LOST = "device_lost"  # a camera, microphone or speaker went away
    DEVICE_FOUND = "device_found"
    # Issue 11: echo cancellation and the rest could not load or failed; sound goes
    # unprocessed (schema v4).
    AUDIO_PROCESSING_UNAVAILABLE = "audio_processing_unavailable"
    ENDED = "ended"


class EndReason(enum.StrEnum):
    """Why a call ended: the engine's (media.state uses this one; privacy may not
    import media) and INTERRUPTED, which the engine never gives."""

    HANGUP_LOCAL = "hangup_local"
    HANGUP_REMOTE = "hangup_remote"
    PEER_UNTRUSTED = "peer_untrusted"
    PEER_REVOKED = "peer_revoked"
    UPDATE_NEEDED = "update_needed"
    DECLINED = "declined"
    STOPPED = "stopped"
    OUTSIDE_SCHEDULE = "outside_schedule"  # schema v2; school hours (media.features.schedule)
    # schema v3, the log's own: the program ended without closing the session (it
    # was killed, or the power went); closed so at the next start (privacy.store).
    INTERRUPTED = "interrupted"
    REVOKED = "revoked"  # schema v4: the server refused this device's own certificate for good


class CandidateType(enum.StrEnum):
    HOST = "host"
    SRFLX = "srflx"
    PRFLX = "prflx"
    RELAY = "relay"


class RelayProtocol(enum.StrEnum):
    """How this device reached the fleet's relay (media.turnurls), when it did."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


class IceState(enum.StrEnum):
    NEW = "new"
    CHECKING = "checking"
    COMPLETED = "completed"
    FAILED = "failed"
    CLOSED = "closed"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


class DtlsState(enum.StrEnum):
    NEW = "new"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CLOSED = "closed"
    FAILED = "failed"


class DeviceKind(enum.StrEnum):
    CAMERA = "camera"
    MICROPHONE = "microphone"
    SPEAKER = "speaker"


class SignalingDown(enum.StrEnum):
    CLOSED = "closed"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    ERROR = "error"


class ActorRole(enum.StrEnum):
    TECHNICIAN = "technician"
    TEACHER = "teacher"
    PUPIL = "pupil"
    OPERATOR = "operator"
    SYSTEM = "system"


class AuditAction(enum.StrEnum):
    SETTING_CHANGED = "setting_changed"
    TECHNICIAN_MODE_OPENED = "technician_mode_opened"
    TECHNICIAN_MODE_CLOSED = "technician_mode_closed"
    BUNDLE_INSTALLED = "bundle_installed"
    DIAGNOSTICS_RUN = "diagnostics_run"
    LOGS_VIEWED = "logs_viewed"
    LOGS_EXPORTED = "logs_exported"
    LOGS_ERASED = "logs_erased"
    LOG_SET_ASIDE = "log_set_aside"  # a damaged database moved aside, a new one begun


# Which code an event of each kind may carry; a kind not listed carries none.
EVENT_CODES: Mapping[EventKind, frozenset[str]] = {
    EventKind.ICE_STATE: frozenset(IceState),
    EventKind.DTLS_STATE: frozenset(DtlsState),
    EventKind.DEVICE_LOST: frozenset(DeviceKind),
    EventKind.DEVICE_FOUND: frozenset(DeviceKind),
    EventKind.SIGNALING_DOWN: frozenset(SignalingDown),
    EventKind.ENDED: frozenset(EndReason),
}

ALL_EVENT_CODES: frozenset[str] = frozenset().union(*EVENT_CODES.values())

# DeviceId.short: the first group of seven base32 characters (pairing.deviceid).
_PEER_SHORT = re.compile(r"[A-Z2-7]{7}")


def valid_peer_short(value: object) -> bool:
    """True for the short form of a DeviceId, and only for that: never a full id."""
    return isinstance(value, str) and _PEER_SHORT.fullmatch(value) is not None


def coded[E: enum.StrEnum](enum_type: type[E], value: object) -> E | None:
    """``value`` as a member of ``enum_type`` (a member, another enum's member of the
    same value, or its text), or None when it is not one of the fixed set."""
    raw = value.value if isinstance(value, enum.Enum) else value
    if not isinstance(raw, str):
        return None
    try:
        return enum_type(raw)
    except ValueError:
        return None


def event_code_allowed(kind: EventKind, code: str | None) -> bool:
    allowed = EVENT_CODES.get(kind)
    if allowed is None:
        return code is None
    return code is None or code in allowed
