"""Opus FEC in a real call: packets lost on the link are rebuilt from the next one's copy.

Two PeerLinks on loopback (the product's encoders, decoders and playout buffer),
5 % loss both ways for 3 s: the playout buffer gives the lost packets up, marks
the next one, and our decoder rebuilds them (media.audio.fec).
"""

from __future__ import annotations

import asyncio

import pytest

from bench.audio_drift import audio_link
from media import ice
from media.audio import fec
from media.audio.playout import MIN_DEPTH, PlayoutBuffer
from media.impair import Impairment
from media.measure import FrameMeter
from tests.support.calls import wait_until

pytestmark = pytest.mark.asyncio


@pytest.mark.skipif(fec.libopus() is None, reason="needs libopus0")
async def test_lost_audio_packets_are_rebuilt_from_fec() -> None:
    ice.set_loopback_only(True)
    link = Impairment()
    meters = (FrameMeter(), FrameMeter())
    connected = asyncio.Event()
    student, classroom = (
        audio_link(meters[0], link, connected),
        audio_link(meters[1], link, asyncio.Event()),
    )
    before = fec.Counts(fec.counts.recovered, fec.counts.concealed)
    try:
        await student.accept_answer(await classroom.accept_offer(await student.create_offer()))
        await asyncio.wait_for(connected.wait(), 10)
        flowing = lambda: all(m.snapshot().audio_frames_received for m in meters)  # noqa: E731
        await wait_until(flowing, 5, "audio")
        link.loss = 0.05
        await asyncio.sleep(3.0)
        link.loss = 0.0
        await asyncio.sleep(0.5)
        buffers = [
            t.receiver._RTCRtpReceiver__jitter_buffer
            for peer in (student, classroom)
            for t in peer.pc.getTransceivers()
            if t.kind == "audio"
        ]
    finally:
        await student.close()
        await classroom.close()
    recovered = fec.counts.recovered - before.recovered
    # ~10 % of 2 × 150 packets are lost (each way: the sender's and the receiver's socket);
    # libopus puts a copy in about a third of the synthetic tone's packets (10 of ~35
    # rebuilt in two runs; speech gets one in most, tests/unit/test_opus_fec.py).
    assert recovered >= 3, f"recovered {recovered}, concealed {fec.counts.concealed}"
    assert all(m.snapshot().audio_latency_samples >= 4 for m in meters)
    # Loss alone leaves the playout buffer one packet deep (media.audio.playout), and
    # the sender's audio level arrives, so a step down can pick a quiet frame.
    assert len(buffers) == 2 and all(isinstance(b, PlayoutBuffer) for b in buffers)
    assert all(b.skipped and b.depth.value == MIN_DEPTH for b in buffers)
    assert all(b.levelled > 100 for b in buffers)
