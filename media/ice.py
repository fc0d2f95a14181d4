"""ICE configuration: only what the bundle says, and loopback-only for tests and the demo.

aiortc falls back to a public Google STUN server when given ``iceServers=None``;
:func:`rtc_configuration` always passes an explicit list, so nothing but the
configured servers (usually none, or the school's TURN) is ever contacted.

aioice leaves 127.0.0.1 out of its host candidates, so a "loopback" call would
really run over the machine's other interfaces. :func:`loopback_only` replaces host
discovery with ``["127.0.0.1"]`` for the current asyncio context only (a
ContextVar, inherited by the tasks aiortc spawns), so two engines in one process
can each decide for themselves.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy

import media.checkrto  # noqa: F401 (installs the short check RTO)

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1",)
_override: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "klasgenoot_ice_hosts", default=None
)
_original_get_host_addresses = aioice.ice.get_host_addresses


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    hosts = _override.get()
    if hosts is not None:
        return list(hosts)
    return _original_get_host_addresses(use_ipv4, use_ipv6)


# Installed once at import; without an override it behaves exactly as aioice's own.
aioice.ice.get_host_addresses = _get_host_addresses


@contextmanager
def loopback_only(enabled: bool = True) -> Iterator[None]:
    """Within this context (and tasks created in it), gather host candidates on 127.0.0.1."""
    token = _override.set(LOOPBACK_HOSTS if enabled else None)
    try:
        yield
    finally:
        _override.reset(token)


def set_loopback_only(enabled: bool) -> None:
    """Set the override for the rest of the current context (an engine's main task)."""
    _override.set(LOOPBACK_HOSTS if enabled else None)


def ice_servers(config: Sequence[Mapping[str, Any]]) -> list[RTCIceServer]:
    """Turn the bundle's validated ICE server entries into aiortc objects."""
    servers = []
    for entry in config:
        urls = entry["urls"]
        servers.append(
            RTCIceServer(
                urls=list(urls) if not isinstance(urls, str) else [urls],
                username=entry.get("username"),
                credential=entry.get("credential"),
            )
        )
    return servers


def rtc_configuration(
    config: Sequence[Mapping[str, Any]], *, relay_only: bool = False
) -> RTCConfiguration:
    """An explicit configuration: never ``None`` (that would mean Google's STUN server)."""
    return RTCConfiguration(
        iceServers=ice_servers(config),
        iceTransportPolicy=(
            RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL
        ),
    )


def secure_turn(pc: RTCPeerConnection, tls: ssl.SSLContext | None) -> None:
    """Give every gatherer of ``pc`` our TLS context for ``turns:`` (call before gathering).

    aiortc passes aioice only a flag for ``turns:``, which checks the relay against
    the system CA store; ours trusts only the fleet CA. Without a context, TURN over
    TLS is switched off rather than checked against the system store (fail closed).
    """
    for connection in ice_connections(pc):
        if connection.turn_server is None or connection.turn_ssl is False:
            continue
        if tls is None:
            connection.turn_server = None
        else:
            connection.turn_ssl = tls


GATHER_TIMEOUT = 2.5  # aioice waits 5 s for STUN and TURN answers


def bound_gathering(pc: RTCPeerConnection, seconds: float = GATHER_TIMEOUT) -> None:
    """Let no gatherer of ``pc`` wait longer than ``seconds`` for STUN and TURN answers.

    On a network that has just stopped passing UDP, aioice would hold the offer for
    its full 5 s; 2.5 s still covers a TURN allocation over TLS (about 5 round trips)
    at 500 ms a round trip. Call before gathering starts (setLocalDescription).
    """
    for connection in ice_connections(pc):
        gather = connection.get_component_candidates
        if getattr(gather, "func", None) is not None:
            continue  # already bounded
        connection.get_component_candidates = functools.partial(gather, timeout=seconds)


def ice_connections(pc: RTCPeerConnection) -> list[Any]:
    # aiortc has no candidate-pair stats; aioice's connection is private, so this
    # reaches into it (aioice is pinned to ~=0.13 and tests cover this path).
    found: dict[int, Any] = {}
    sctp = pc.sctp
    transports = [sctp.transport.transport] if sctp is not None else []
    transports += [
        t.receiver.transport.transport for t in pc.getTransceivers() if t.receiver.transport
    ]
    for ice in transports:
        found.setdefault(id(ice), ice._connection)
    return list(found.values())


def _nominated_pair(pc: RTCPeerConnection) -> Any | None:
    for connection in ice_connections(pc):
        nominated = getattr(connection, "_nominated", {})
        if nominated:
            return nominated.get(1) or next(iter(nominated.values()))
    return None


_TYPE_ORDER = {"host": 0, "prflx": 1, "srflx": 2, "relay": 3}


def selected_candidate_type(pc: RTCPeerConnection) -> str | None:
    """host / srflx / prflx / relay of the selected pair: the more indirect side wins."""
    pair = _nominated_pair(pc)
    if pair is None:
        return None
    local = pair.local_candidate.type
    remote = pair.remote_candidate.type
    return max(local, remote, key=lambda t: _TYPE_ORDER.get(t, 0))


def selected_local_type(pc: RTCPeerConnection) -> str | None:
    """The type of our own side of the selected pair ("relay" when we use our TURN)."""
    pair = _nominated_pair(pc)
    return None if pair is None else str(pair.local_candidate.type)


def has_relay_candidate(pc: RTCPeerConnection) -> bool:
    """Whether any gatherer of ``pc`` got a relayed candidate."""
    return any(c.type == "relay" for conn in ice_connections(pc) for c in conn.local_candidates)


def local_candidate_hosts(pc: RTCPeerConnection) -> set[str]:
    """The addresses of every local candidate gathered (for tests and diagnostics)."""
    return {c.host for conn in ice_connections(pc) for c in conn.local_candidates}
