"""The steady VP8 encoder: fewer rebuilds (keyframes), congestion still obeyed."""

from __future__ import annotations

import aiortc.rtcrtpsender
from aiortc import RTCRtpCodecParameters

from media import codecs
from media.codecs import HOLD_S, START_BITRATE, SteadyVp8Encoder


def test_rises_wait_for_a_real_step_and_the_hold_time() -> None:
    now = [100.0]
    enc = SteadyVp8Encoder(clock=lambda: now[0])
    assert enc.target_bitrate == START_BITRATE
    enc.target_bitrate = int(START_BITRATE * 1.12)  # aiortc's usual ramp step
    assert enc.target_bitrate == START_BITRATE
    enc.target_bitrate = int(START_BITRATE * 1.3)
    assert enc.target_bitrate == int(START_BITRATE * 1.3)
    changed = enc.target_bitrate
    now[0] += 1.0
    enc.target_bitrate = 1_500_000
    assert enc.target_bitrate == changed  # within the hold time
    now[0] += HOLD_S
    enc.target_bitrate = 1_800_000
    assert enc.target_bitrate == 1_500_000  # applied, and clamped like aiortc's


def test_drops_apply_at_once() -> None:
    enc = SteadyVp8Encoder(clock=lambda: 0.0)
    enc.target_bitrate = 600_000  # below 70 %: congestion, obey now
    assert enc.target_bitrate == 600_000
    enc.target_bitrate = 500_000  # a small further drop waits
    assert enc.target_bitrate == 600_000


def test_senders_get_the_steady_encoder_for_vp8_only() -> None:
    vp8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000)
    opus = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2)
    codecs.install()
    assert aiortc.rtcrtpsender.get_encoder is codecs.get_encoder
    assert isinstance(aiortc.rtcrtpsender.get_encoder(vp8), SteadyVp8Encoder)
    assert not isinstance(aiortc.rtcrtpsender.get_encoder(opus), SteadyVp8Encoder)
