"""Lost video packets are resent once per round trip, however often a NACK names them."""

from __future__ import annotations

import asyncio

import aiortc.rtcrtpsender
from aiortc import RTCCertificate, RTCDtlsTransport, RTCIceGatherer, RTCIceTransport
from aiortc.rtp import RTCP_RTPFB_NACK, RtcpRtpfbPacket

from media import codecs
from media.codecs import SteadyVp8Encoder
from media.resend import (
    BUDGET_S,
    BUDGET_SHARE,
    MIN_WAIT_S,
    PACKET_BITS,
    ROUND_TRIPS,
    STALE_S,
    Resends,
)

RATE = 1_000_000  # a target whose budget is not the limit here


def test_a_packet_named_again_within_a_round_trip_is_not_resent() -> None:
    now = [0.0]
    resends = Resends(clock=lambda: now[0])
    assert resends.due([1, 2, 3], 0.2, RATE) == [1, 2, 3]  # the oldest first
    now[0] += 0.05
    assert resends.due([1, 2, 3, 4], 0.2, RATE) == [4]  # aiortc lists all still missing
    now[0] = ROUND_TRIPS * 0.2  # the first resends should have arrived: lost again
    assert resends.due([1, 2, 3, 4], 0.2, RATE) == [1, 2, 3]
    now[0] += MIN_WAIT_S
    assert resends.due([4], None, RATE) == [4]


def test_resends_keep_within_a_share_of_the_target_oldest_first() -> None:
    now = [0.0]
    resends = Resends(clock=lambda: now[0])
    target = 800_000
    per_burst = int(BUDGET_SHARE * target * BUDGET_S // PACKET_BITS)
    assert resends.due(list(range(100)), 0.2, target) == list(range(per_burst))
    sent = per_burst
    for _ in range(10):  # one second of NACKs naming 100 packets each time
        now[0] += 0.1
        sent += len(resends.due(list(range(100, 200)), 0.2, target))
    assert sent * PACKET_BITS <= BUDGET_SHARE * target * (1 + BUDGET_S) + PACKET_BITS


def test_a_nack_storm_resends_each_packet_once() -> None:
    # A full-rate call dropped onto 1 Mbit/s + 150 ms: each NACK names every packet
    # still missing; aiortc resent them all each time (6-9 Mbit/s of RTX in the lab).
    resent: list[int] = []

    async def run() -> None:
        codecs.install()
        ice = RTCIceTransport(RTCIceGatherer())
        dtls = RTCDtlsTransport(ice, [RTCCertificate.generateCertificate()])
        sender = aiortc.rtcrtpsender.RTCRtpSender("video", dtls)
        sender._RTCRtpSender__encoder = SteadyVp8Encoder()  # type: ignore[attr-defined]

        async def retransmit(seq: int) -> None:
            resent.append(seq)

        sender._retransmit = retransmit  # type: ignore[method-assign]
        missing: list[int] = []
        for seq in range(0, 24, 3):  # a gap shows with every third packet
            missing.append(seq)
            nack = RtcpRtpfbPacket(fmt=RTCP_RTPFB_NACK, ssrc=1, media_ssrc=sender._ssrc)
            nack.lost = list(missing)
            await sender._handle_rtcp_packet(nack)

    asyncio.run(run())
    assert sorted(resent) == list(range(0, 24, 3))  # old code: 36 resends for 8 packets


def test_the_oldest_hole_still_waited_for_is_resent_first_and_a_given_up_one_not() -> None:
    # After a drop onto 1 Mbit/s + 2 % + 150 ms each NACK named 11-16 packets, most of
    # them of frames the receiver had given up; newest first, the budget reached the
    # packet that held 14 complete frames only 0.6 s after it was sent.
    now = [0.0]
    resends = Resends(clock=lambda: now[0])
    for seq in range(65530, 65536):  # given up by now
        resends.sent(seq)
    now[0] += STALE_S + 0.05
    for seq in range(6):  # across the sequence number wrap: aiortc sorts 0-5 first
        resends.sent(seq)
        now[0] += 0.03
    target = 400_000  # a budget of four packets
    named = [0, 1, 2, 3, 4, 5, *range(65530, 65536)]
    assert resends.due(named, 0.3, target) == [0, 1, 2, 3]  # old code: [65535, ..., 65532]


def test_a_packet_sent_again_keeps_the_time_it_first_left() -> None:
    # Without RTX a resend leaves with the packet's own sequence number: it must not
    # make a packet whose frame the receiver gave up look new again.
    now = [0.0]
    resends = Resends(clock=lambda: now[0])
    resends.sent(7)
    now[0] += STALE_S - 0.1
    resends.sent(7)
    now[0] += 0.2
    assert resends.due([7], 0.1, 400_000) == []
