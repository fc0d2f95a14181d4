"""media.checkrto: a lost ICE check goes out again after 0.1 s; consent checks and
TURN/STUN transactions keep aioice's 0.5 s. Real aioice transactions and a real
UDP socket on 127.0.0.1 that never answers (a check lost on the way)."""

from __future__ import annotations

import asyncio
import time

import aioice.stun
import pytest

import media.ice  # noqa: F401 (the import installs it, as the engine's does)
from media.checkrto import CHECK_RTO


class _Silent(asyncio.DatagramProtocol):
    """The far side: receives and never answers."""


class _Sender:
    """What aioice calls to send: records the time of every (re)transmission."""

    def __init__(self, transport: asyncio.DatagramTransport) -> None:
        self.transport = transport
        self.sent: list[float] = []

    def send_stun(self, message: aioice.stun.Message, addr: tuple[str, int]) -> None:
        self.sent.append(time.monotonic())
        self.transport.sendto(bytes(message), addr)


def _binding(*, check: bool) -> aioice.stun.Message:
    request = aioice.stun.Message(
        message_method=aioice.stun.Method.BINDING, message_class=aioice.stun.Class.REQUEST
    )
    if check:
        request.attributes["PRIORITY"] = 1853824767
        request.attributes["ICE-CONTROLLING"] = 1
        request.attributes["USERNAME"] = "a:b"
    return request


async def _resends(request: aioice.stun.Message, seconds: float, **kwargs: object) -> list[float]:
    """The gaps between the first sending and each retransmission within ``seconds``."""
    loop = asyncio.get_running_loop()
    far, _ = await loop.create_datagram_endpoint(_Silent, local_addr=("127.0.0.1", 0))
    near, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )
    sender = _Sender(near)  # type: ignore[arg-type]
    try:
        transaction = aioice.stun.Transaction(
            request,
            far.get_extra_info("sockname"),
            sender,
            **kwargs,  # type: ignore[arg-type]
        )
        with pytest.raises((TimeoutError, aioice.stun.TransactionTimeout)):
            await asyncio.wait_for(transaction.run(), seconds)
    finally:
        far.close()
        near.close()
    return [round(t - sender.sent[0], 2) for t in sender.sent[1:]]


async def test_a_lost_check_is_sent_again_after_a_tenth_of_a_second() -> None:
    resent = await _resends(_binding(check=True), 0.5)
    # aioice alone: the first retransmission after 0.5 s, none within 0.5 s.
    assert resent, "no retransmission within 0.5 s"
    assert resent[0] == pytest.approx(CHECK_RTO, abs=0.05)
    assert resent[1] == pytest.approx(3 * CHECK_RTO, abs=0.05)  # it doubles


async def test_a_consent_check_keeps_its_half_second() -> None:
    started = time.monotonic()
    with pytest.raises(aioice.stun.TransactionTimeout):
        await _resends_until_done(_binding(check=True), retransmissions=0)
    assert time.monotonic() - started == pytest.approx(0.5, abs=0.1)


async def test_a_plain_stun_request_keeps_aioices_schedule() -> None:
    resent = await _resends(_binding(check=False), 0.8)
    assert resent == [pytest.approx(0.5, abs=0.05)]


async def _resends_until_done(request: aioice.stun.Message, **kwargs: object) -> None:
    loop = asyncio.get_running_loop()
    far, _ = await loop.create_datagram_endpoint(_Silent, local_addr=("127.0.0.1", 0))
    near, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )
    try:
        transaction = aioice.stun.Transaction(
            request,
            far.get_extra_info("sockname"),
            _Sender(near),
            **kwargs,  # type: ignore[arg-type]
        )
        await asyncio.wait_for(transaction.run(), 5)
    finally:
        far.close()
        near.close()
