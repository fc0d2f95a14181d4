"""A large frame leaves the server one TLS record at a time (signaling.tlswrites).

OpenSSL's memory BIO keeps the capacity of the most it ever held, so a CRL of a
large fleet written whole would stay with the connection for its whole life. The
real server, over real TLS on loopback, pushes a CRL of 3,000 entries (about 160 kB);
the device must get it intact, while the server's outgoing BIO never holds more than
about one record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography import x509

from common.paths import write_private_file
from pairing.revocation import build_crl
from signaling import handshakes
from signaling.config import ServerConfig
from signaling.server import RunningServer
from signaling.tlswrites import RECORD
from tests.support.pki import TestFleet
from tests.support.signaling import serve
from tests.support.wsdevice import device, frame

ENTRIES = 3000


@pytest.fixture
async def big_crl_server(fleet: TestFleet) -> AsyncIterator[RunningServer]:
    serials = [x509.random_serial_number() for _ in range(ENTRIES)]
    crl = build_crl(ca_key=fleet.ca.key, ca_cert=fleet.ca.certificate, number=5, serials=serials)
    write_private_file(fleet.crl_path, crl.pem)
    async for running in serve(fleet, ServerConfig()):
        yield running


async def test_a_large_crl_leaves_a_record_at_a_time_and_arrives_whole(
    fleet: TestFleet, big_crl_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[int] = []  # what the outgoing BIO held each time it was emptied
    process_outgoing = handshakes.ThreadedTLS._process_outgoing

    def watched(protocol: Any) -> None:
        held.append(protocol._outgoing.pending)
        process_outgoing(protocol)

    monkeypatch.setattr(handshakes.ThreadedTLS, "_process_outgoing", watched)
    student, _ = fleet.pair()
    async with device(big_crl_server, student) as ws:
        pushed = await frame(ws, "crl")
    pem = fleet.crl_path.read_text()
    assert len(pem) > 150_000 and pushed["number"] == 5 and pushed["pem"] == pem
    assert held, "the server's TLS protocol is not the one signaling.tlswrites gives it"
    # one record and its overhead (header, tag), or the handshake's own flight
    assert max(held) <= RECORD + 256
