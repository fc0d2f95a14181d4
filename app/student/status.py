"""The connection, as the pupil reads it: one plain sentence and a friendly line below.

Derived only from what the engine reports (call state, end reason, whether the
class device and the server are reachable); the words are translated by Qt.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from media.state import CallState, EndReason


class Connection(enum.Enum):
    STARTING = "starting"
    NO_SERVER = "no_server"
    CLASS_OFFLINE = "class_offline"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OUTSIDE_HOURS = "outside_hours"
    LEFT = "left"
    ENDED = "ended"
    UPDATE_NEEDED = "update_needed"
    NOT_TRUSTED = "not_trusted"
    REVOKED = "revoked"  # this laptop itself, not the class unit


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything the sentence depends on."""

    state: CallState | None = None
    reason: EndReason | None = None
    peer_online: bool = False
    signaling: bool = False


_DIRECT = {
    None: Connection.STARTING,
    CallState.IDLE: Connection.STARTING,
    CallState.CONNECTING: Connection.CONNECTING,
    CallState.LIVE: Connection.CONNECTED,
    CallState.RECONNECTING: Connection.RECONNECTING,
}


def connection(s: Situation) -> Connection:
    if s.state in _DIRECT:
        return _DIRECT[s.state]
    if s.state is CallState.ENDED:
        return _ended(s.reason)
    if not s.signaling:  # waiting, without the server
        return Connection.NO_SERVER
    return Connection.CONNECTING if s.peer_online else Connection.CLASS_OFFLINE


_ENDED = {
    EndReason.OUTSIDE_SCHEDULE: Connection.OUTSIDE_HOURS,
    EndReason.HANGUP_LOCAL: Connection.LEFT,
    EndReason.UPDATE_NEEDED: Connection.UPDATE_NEEDED,
    EndReason.REVOKED: Connection.REVOKED,  # this laptop: never the class unit's fault
    EndReason.PEER_UNTRUSTED: Connection.NOT_TRUSTED,
    EndReason.PEER_REVOKED: Connection.NOT_TRUSTED,
}


def _ended(reason: EndReason | None) -> Connection:
    return Connection.ENDED if reason is None else _ENDED.get(reason, Connection.ENDED)


def can_rejoin(c: Connection) -> bool:
    """After these the pupil may join again by pressing one button."""
    return c in (Connection.LEFT, Connection.ENDED, Connection.OUTSIDE_HOURS)


def headline(c: Connection) -> str:
    return {
        Connection.STARTING: QCoreApplication.translate("StudentStatus", "Starting…"),
        Connection.NO_SERVER: QCoreApplication.translate(
            "StudentStatus", "No connection with the server"
        ),
        Connection.CLASS_OFFLINE: QCoreApplication.translate(
            "StudentStatus", "The class is not online yet"
        ),
        Connection.CONNECTING: QCoreApplication.translate("StudentStatus", "Connecting…"),
        Connection.CONNECTED: QCoreApplication.translate("StudentStatus", "Connected"),
        Connection.RECONNECTING: QCoreApplication.translate("StudentStatus", "Reconnecting…"),
        Connection.OUTSIDE_HOURS: QCoreApplication.translate(
            "StudentStatus", "Outside lesson hours"
        ),
        Connection.LEFT: QCoreApplication.translate("StudentStatus", "You left the lesson"),
        Connection.ENDED: QCoreApplication.translate("StudentStatus", "The call has ended"),
        Connection.UPDATE_NEEDED: QCoreApplication.translate(
            "StudentStatus", "An update is needed"
        ),
        Connection.NOT_TRUSTED: QCoreApplication.translate(
            "StudentStatus", "This Klasgenoot is not trusted"
        ),
        Connection.REVOKED: QCoreApplication.translate(
            "StudentStatus", "This laptop has been revoked"
        ),
    }[c]


def detail(c: Connection) -> str:
    """A second, kinder line under the headline: what happens next, what to do."""
    return {
        Connection.STARTING: "",
        Connection.NO_SERVER: QCoreApplication.translate(
            "StudentStatus", "Check the Wi-Fi. Klasgenoot keeps trying by itself."
        ),
        Connection.CLASS_OFFLINE: QCoreApplication.translate(
            "StudentStatus", "You are connected as soon as the class is there."
        ),
        Connection.CONNECTING: QCoreApplication.translate("StudentStatus", "Just a moment."),
        Connection.CONNECTED: "",
        Connection.RECONNECTING: QCoreApplication.translate(
            "StudentStatus", "The connection dropped. Hold on."
        ),
        Connection.OUTSIDE_HOURS: QCoreApplication.translate(
            "StudentStatus", "You can join again when class starts."
        ),
        Connection.LEFT: QCoreApplication.translate(
            "StudentStatus", "Press “Join again” when you want to be back."
        ),
        Connection.ENDED: QCoreApplication.translate(
            "StudentStatus", "Press “Join again” to go back to class."
        ),
        Connection.UPDATE_NEEDED: QCoreApplication.translate(
            "StudentStatus", "Ask the helpdesk to update Klasgenoot."
        ),
        Connection.NOT_TRUSTED: QCoreApplication.translate(
            "StudentStatus", "Ask the helpdesk to check the pairing."
        ),
        Connection.REVOKED: QCoreApplication.translate(
            "StudentStatus",
            "Contact the helpdesk. Klasgenoot stops trying until a new pairing is installed.",
        ),
    }[c]
