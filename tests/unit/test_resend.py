"""Lost video packets are resent once per round trip, however often a NACK names them."""

from __future__ import annotations

import asyncio

import aiortc.rtcrtpsender
from aiortc import RTCCertificate, RTCDtlsTransport, RTCIceGatherer, RTCIceTransport
from aiortc.rtp import RTCP_RTPFB_NACK, RtcpRtpfbPacket

from media import codecs
from media.codecs import SteadyVp8Encoder
from media.resend import MIN_WAIT_S, ROUND_TRIPS, Resends


def test_a_packet_named_again_within_a_round_trip_is_not_resent() -> None:
    now = [0.0]
    resends = Resends(clock=lambda: now[0])
    assert resends.due([1, 2, 3], rtt=0.2) == [1, 2, 3]
    now[0] += 0.05
    assert resends.due([1, 2, 3, 4], rtt=0.2) == [4]  # aiortc lists all still missing
    now[0] = ROUND_TRIPS * 0.2  # the first resends should have arrived: lost again
    assert resends.due([1, 2, 3, 4], rtt=0.2) == [1, 2, 3]
    now[0] += MIN_WAIT_S
    assert resends.due([4], rtt=None) == [4]


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
        for seq in range(0, 60, 3):  # a gap shows with every third packet
            missing.append(seq)
            nack = RtcpRtpfbPacket(fmt=RTCP_RTPFB_NACK, ssrc=1, media_ssrc=sender._ssrc)
            nack.lost = list(missing)
            await sender._handle_rtcp_packet(nack)

    asyncio.run(run())
    assert sorted(resent) == list(range(0, 60, 3))  # old code: 210 resends for 20 packets
