"""A compromised signaling server gets PEER_UNTRUSTED, never media.

The real server never routes between devices of different pairings nor delivers a
revoked device, so those cases go through a test-only compromised relay that does.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import re
from typing import Any

import pytest
from aiortc import RTCPeerConnection

from media import sealing
from media.ice import rtc_configuration
from media.state import CallState, EndReason
from pairing.certificates import certificate_pem
from tests.support.calls import make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


async def _untrusted_call(
    fleet: TestFleet, relay: MemoryRelay, student: Any, classroom: Any, **classroom_extra: Any
) -> tuple[Any, Any]:
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port, **classroom_extra)
    async with running(ec, es):
        await wait_until(lambda: rc.state is CallState.ENDED, 5, "classroom to refuse")
        assert rc.last is not None and rc.last.reason is EndReason.PEER_UNTRUSTED
        assert CallState.LIVE not in [c.state for _, c in rs.changes + rc.changes]
        assert rs.video_times == [] and rc.video_times == []
    return rs, rc


def _flip(b64: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


async def test_tampered_offer_is_refused(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()

    def tamper(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if kind == "offer":
            payload["sealed"]["ciphertext"] = _flip(payload["sealed"]["ciphertext"])
        return payload

    await _untrusted_call(fleet, MemoryRelay(tamper), student, classroom)


async def test_peer_of_another_pairing_is_refused(fleet: TestFleet) -> None:
    student_a, _ = fleet.pair()
    _, classroom_b = fleet.pair()
    await _untrusted_call(fleet, MemoryRelay(), student_a, classroom_b)


async def test_revoked_peer_is_refused(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    crl = fleet.revoke(student.info.serial)
    await _untrusted_call(fleet, MemoryRelay(), student, classroom, crl=crl)


async def test_swapped_certificate_is_refused(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    other_student, _ = fleet.pair()
    other_pem = certificate_pem(other_student.certificate).decode()

    def tamper(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if kind == "offer":
            payload["sealed"]["certificate"] = other_pem
        return payload

    await _untrusted_call(fleet, MemoryRelay(tamper), student, classroom)


async def test_planted_candidate_receives_nothing(fleet: TestFleet) -> None:
    """A server that substitutes its own SDP (its own key) gets no packet at its socket."""
    student, classroom = fleet.pair()
    attacker, _ = fleet.pair()  # a real fleet device, but of another pairing
    received: list[bytes] = []

    class Sink(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: Any) -> None:
            received.append(data)

    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(Sink, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    pc = RTCPeerConnection(rtc_configuration([]))
    pc.addTransceiver("video")
    pc.createDataChannel("control")
    await pc.setLocalDescription(await pc.createOffer())
    planted = re.sub(r"a=candidate:.*\r\n", "", pc.localDescription.sdp)
    planted = planted.replace(
        "a=end-of-candidates",
        f"a=candidate:1 1 udp 2130706431 127.0.0.1 {port} typ host\r\na=end-of-candidates",
    )
    await pc.close()

    def tamper(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if kind == "offer":
            nonces = (
                base64.urlsafe_b64decode(payload["sealed"]["nonce"] + "=="),
                base64.urlsafe_b64decode(payload["sealed"]["peer_nonce"] + "=="),
            )
            payload["sealed"] = sealing._seal_to(
                planted, "offer", attacker, classroom.certificate, nonces
            )
        return payload

    try:
        await _untrusted_call(fleet, MemoryRelay(tamper), student, classroom)
        await asyncio.sleep(1.0)  # a window in which a leaked ICE check would arrive
        assert received == []
    finally:
        transport.close()


async def test_server_never_sees_sdp_or_addresses(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: rs.video_times and rc.video_times, 10, "media both ways")
    kinds = [p["t"] for p in relay.seen]
    assert "offer" in kinds and "answer" in kinds
    text = repr(relay.seen)
    assert "v=0" not in text and "candidate" not in text and "fingerprint" not in text
    for match in re.findall(r"\d{1,3}(?:\.\d{1,3}){3}", text):
        with pytest.raises(ValueError):
            ipaddress.ip_address(match)  # nothing that even parses as an IPv4 address
