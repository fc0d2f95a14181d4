"""The video pacer: a keyframe's packets leave spread out, audio and RTX at once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiortc.rtp import RtpPacket

from media import pacer
from media.pacer import BURST_S, PACE_FACTOR, Pacer


def test_a_burst_leaves_at_once_and_the_rest_at_the_rate() -> None:
    now = [0.0]
    p = Pacer(clock=lambda: now[0])
    rate = 1_000_000  # 125 kB/s: a 1250-byte packet takes 10 ms
    waits = [p.wait(1250, rate) for _ in range(10)]
    assert waits[:2] == [0.0, 0.0]  # within the 20 ms burst
    assert waits[-1] == pytest.approx(0.1 - BURST_S)  # ten packets: 100 ms at the rate
    now[0] += 1.0  # the link had time to drain: a new frame goes at once
    assert p.wait(1250, rate) == 0.0


class _Encoder:
    target_bitrate = 500_000

    def __init__(self) -> None:
        self.pacer = Pacer()


def _rtp(ssrc: int, size: int = 1200) -> bytes:
    packet = RtpPacket(payload_type=96, sequence_number=1, timestamp=1, ssrc=ssrc)
    packet.payload = bytes(size)
    return packet.serialize()


def test_only_the_registered_video_stream_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[int, float]] = []

    async def record(_transport: Any, data: bytes) -> None:
        sent.append((int.from_bytes(data[8:12], "big"), time.monotonic()))

    monkeypatch.setattr(pacer, "_AIORTC_SEND_RTP", record)
    encoder = _Encoder()
    pacer._PACED[1111] = encoder

    async def run() -> float:
        start = time.monotonic()
        for _ in range(20):  # a ~24 kB keyframe of the paced stream
            await pacer._send_rtp(None, _rtp(1111))
        await pacer._send_rtp(None, _rtp(2222))  # audio or RTX: another SSRC
        return start

    start = asyncio.run(run())
    video = [t for ssrc, t in sent if ssrc == 1111]
    spread = 20 * len(_rtp(1111)) * 8 / (encoder.target_bitrate * PACE_FACTOR) - BURST_S
    assert video[-1] - start == pytest.approx(spread, abs=0.05)
    other_start = asyncio.run(_time_one(pacer._send_rtp, _rtp(2222)))
    assert other_start < 0.01  # never waits
    del pacer._PACED[1111]


async def _time_one(send: Any, data: bytes) -> float:
    start = time.monotonic()
    await send(None, data)
    return time.monotonic() - start
