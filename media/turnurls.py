"""The fleet's STUN and TURN URLs, split by the relay transport they give.

A bundle names the relay by URLs only (never a credential): typically
``stun:H:3478``, ``turn:H:3478?transport=udp``, ``turn:H:3478?transport=tcp`` and
``turns:H:443?transport=tcp``. aiortc 1.16 uses only the first ``turn:``/``turns:``
URL of a configuration, so the engine builds one configuration per attempt with
exactly one of them (:func:`attempt_servers`), with the short-lived credential the
signaling server minted for this device.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

_URL = re.compile(
    r"^(?P<scheme>stun|turn|turns):(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"
    r"(?::(?P<port>[0-9]{1,5}))?(?:\?transport=(?P<transport>udp|tcp))?$"
)
_DEFAULT_PORT = {"stun": 3478, "turn": 3478, "turns": 5349}


class RelayProtocol(enum.StrEnum):
    """How this device reaches the relay; the order is the order attempts try them."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


LADDER = (RelayProtocol.UDP, RelayProtocol.TCP, RelayProtocol.TLS)


class TurnLogin(Protocol):
    """A TURN REST credential (signaling.turn.TurnCredential has this shape)."""

    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def expires_at(self) -> float: ...


@dataclass(frozen=True, slots=True)
class TurnEndpoint:
    protocol: RelayProtocol
    url: str
    host: str  # without brackets
    port: int


@dataclass(frozen=True, slots=True)
class FleetRelays:
    stun: tuple[str, ...]
    turn: Mapping[RelayProtocol, TurnEndpoint]

    @property
    def has_turn(self) -> bool:
        return bool(self.turn)

    def endpoints(self) -> list[TurnEndpoint]:
        return [self.turn[p] for p in LADDER if p in self.turn]


def split(ice_servers: Sequence[Mapping[str, Any]]) -> FleetRelays:
    """The bundle's (already validated) entries; the first URL of each kind wins."""
    stun: list[str] = []
    turn: dict[RelayProtocol, TurnEndpoint] = {}
    for entry in ice_servers:
        urls = entry.get("urls", ())
        for url in [urls] if isinstance(urls, str) else urls:
            match = _URL.match(url)
            if match is None:
                continue
            scheme = match["scheme"]
            host = match["host"].strip("[]")
            port = int(match["port"] or _DEFAULT_PORT[scheme])
            if scheme == "stun":
                stun.append(url)
                continue
            if scheme == "turns":
                if match["transport"] == "udp":
                    continue  # DTLS to the relay: aioice has no such transport
                protocol = RelayProtocol.TLS
            else:
                protocol = RelayProtocol(match["transport"] or "udp")
            turn.setdefault(protocol, TurnEndpoint(protocol, url, host, port))
    return FleetRelays(tuple(stun), turn)


def attempt_servers(
    relays: FleetRelays, protocol: RelayProtocol | None, login: TurnLogin | None
) -> list[dict[str, Any]]:
    """The ICE servers of one attempt: STUN with UDP, and at most one TURN URL.

    Over TCP or TLS the network is one that UDP to the relay did not cross, so no
    STUN either (aioice would wait its whole gathering time for an answer).
    """
    servers: list[dict[str, Any]] = []
    if protocol in (None, RelayProtocol.UDP) and relays.stun:
        servers.append({"urls": list(relays.stun)})
    if protocol is not None and login is not None and protocol in relays.turn:
        servers.append(
            {
                "urls": [relays.turn[protocol].url],
                "username": login.username,
                "credential": login.password,
            }
        )
    return servers
