"""Can this network reach the fleet's TURN server, and over which transports?

One real allocation per transport (UDP, TCP, TLS), bounded in time, given back at
once. The call engine uses it to choose the path of an attempt before it starts,
so that an attempt never waits on a transport the network blocks (aioice would
spend its whole 5 s gathering time on it); the network self-test uses it too.

``turns:`` is checked against the fleet CA and the TURN host name only
(:func:`turn_tls_context`), never against the system store: aioice would otherwise
trust any public CA for our relay (aioice/turn.py ``create_turn_endpoint`` takes an
``SSLContext`` in place of its ``ssl`` flag).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from dataclasses import dataclass

from aioice.turn import create_turn_endpoint
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from media.turnurls import RelayProtocol, TurnEndpoint, TurnLogin

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 2.0  # a relay allocation is 2 round trips (4 over TLS): ample


def turn_tls_context(ca_certificate: x509.Certificate) -> ssl.SSLContext:
    """TLS to the fleet's TURN server: only the fleet CA, the host name checked."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies and checks names
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cadata=ca_certificate.public_bytes(Encoding.PEM).decode())
    return context


@dataclass(frozen=True, slots=True)
class ProbeResult:
    protocol: RelayProtocol
    ok: bool
    ms: float  # time to the allocation (or to giving up)
    error: str | None = None  # a short, address-free word: "timeout", "refused", ...


class _Sink(asyncio.DatagramProtocol):
    """The probe's allocation receives nothing worth keeping."""


async def probe(
    endpoint: TurnEndpoint,
    login: TurnLogin,
    tls: ssl.SSLContext | None,
    *,
    limit: float = PROBE_TIMEOUT,
) -> ProbeResult:
    """Allocate once on ``endpoint`` and release it; never raises."""
    started = time.monotonic()
    if endpoint.protocol is RelayProtocol.TLS and tls is None:
        # Fail closed: no fleet CA context, no TLS to the relay at all.
        return ProbeResult(endpoint.protocol, False, 0.0, "no-tls-context")
    transport = None
    try:
        transport, _ = await asyncio.wait_for(
            create_turn_endpoint(
                _Sink,
                server_addr=(endpoint.host, endpoint.port),
                username=login.username,
                password=login.password,
                ssl=tls if endpoint.protocol is RelayProtocol.TLS else None,
                transport="udp" if endpoint.protocol is RelayProtocol.UDP else "tcp",
            ),
            limit,
        )
    except TimeoutError:
        return ProbeResult(endpoint.protocol, False, _ms(started), "timeout")
    except ssl.SSLError:
        return ProbeResult(endpoint.protocol, False, _ms(started), "tls")
    except OSError:
        return ProbeResult(endpoint.protocol, False, _ms(started), "unreachable")
    except Exception as exc:  # aioice's TransactionFailed (401: refused credential), ...
        logger.debug("TURN probe failed: %s", type(exc).__name__)
        return ProbeResult(endpoint.protocol, False, _ms(started), "refused")
    result = ProbeResult(endpoint.protocol, True, _ms(started))
    with contextlib.suppress(Exception):
        transport.close()  # releases the allocation (REFRESH lifetime 0)
    return result


async def probe_all(
    endpoints: list[TurnEndpoint],
    login: TurnLogin,
    tls: ssl.SSLContext | None,
    *,
    limit: float = PROBE_TIMEOUT,
) -> dict[RelayProtocol, ProbeResult]:
    """Every transport at once: the whole probe takes at most ``limit``."""
    results = await asyncio.gather(*(probe(e, login, tls, limit=limit) for e in endpoints))
    return {r.protocol: r for r in results}


def _ms(started: float) -> float:
    return round(1000 * (time.monotonic() - started), 1)
