"""The steady VP8 encoder: fewer rebuilds (keyframes), congestion still obeyed."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import aiortc.rtcrtpsender
import pytest
from aiortc import RTCRtpCodecParameters
from av import VideoFrame

from media import codecs
from media.codecs import HOLD_S, START_BITRATE, SteadyVp8Encoder
from media.losscap import MARGIN
from media.synthetic_video import SyntheticVideoTrack

ROOT = Path(__file__).resolve().parents[2]


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


def _frames(width: int, height: int) -> Iterator[VideoFrame]:
    source = SyntheticVideoTrack(width, height, 30)
    for seq in itertools.count():
        yield source.make_frame(seq, 0, pts=seq * 3000)


def test_rebuild_due_agrees_with_aiortc() -> None:
    enc, frames = SteadyVp8Encoder(clock=lambda: 0.0), _frames(640, 480)
    assert enc.rebuild_due(next(frames))  # no encoder yet
    enc.encode(next(frames))
    built = enc.codec
    frame = next(frames)
    assert not enc.rebuild_due(frame)
    enc.encode(frame)
    assert enc.codec is built
    enc.target_bitrate = START_BITRATE // 2  # a drop: applies at once, aiortc rebuilds
    frame = next(frames)
    assert enc.rebuild_due(frame)
    enc.encode(frame)
    assert enc.codec is not None and enc.codec is not built


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _rebuild_rounds() -> tuple[list[float], list[int]]:
    """Ten rebuilds of both encoders on a thread pool: RSS (MB) after each, builds each.

    What a call does: aiortc encodes on a thread pool, and each bitrate step
    rebuilds the encoder (~50 MB at 720p) on whichever thread is free, while
    other small blocks stay alive.
    """
    sizes = [(1280, 720), (640, 480)]
    frames = {size: _frames(*size) for size in sizes}
    now = [0.0]
    encoders = {size: SteadyVp8Encoder(clock=lambda: now[0]) for size in sizes}
    kept: list[bytearray] = []
    builds = dict.fromkeys(sizes, 0)

    def encode(size: tuple[int, int]) -> None:
        enc = encoders[size]
        before = enc.codec
        enc.encode(next(frames[size]))
        builds[size] += enc.codec is not before

    rss = []
    with ThreadPoolExecutor(6) as pool:
        for round_ in range(10):
            now[0] += HOLD_S
            for enc in encoders.values():  # a step every round: one rebuild each
                enc.target_bitrate = 1_400_000 if round_ % 2 else 1_000_000  # not steep: REMB leads
            for _ in range(6):
                list(pool.map(encode, sizes))  # one encoder is never used by two threads
                kept.append(bytearray(3000))
            rss.append(_resident_mb())
    return rss, list(builds.values())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc only")
def test_encoder_rebuilds_on_pool_threads_do_not_grow_resident_memory() -> None:
    # In a heap that grew ~5 MB a rebuild (88-100 MB over these rounds); in its own
    # mappings it stays level. A fresh interpreter, as a call's process is: in the
    # test run's own process, free heap space left by earlier tests hides growth.
    code = "import json, tests.unit.test_codecs as t; print(json.dumps(t._rebuild_rounds()))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    rss, builds = json.loads(done.stdout)
    assert builds == [10, 10]  # the first build and nine rebuilds, each size
    assert rss[-1] - rss[1] < 15, rss


def test_keyframe_requests_within_a_round_trip_of_the_last_keyframe_are_merged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # After a drop onto 1 Mbit/s the receiver asked for 5 keyframes in 150 ms
    # (~100 kB into a link that carries ~12 kB per 100 ms).
    forced: list[bool] = []

    def record(_s: object, _f: object, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        forced.append(force_keyframe)
        _s.codec = SimpleNamespace(width=64, height=48, bit_rate=START_BITRATE)  # type: ignore[attr-defined]
        return [], 0

    monkeypatch.setattr(codecs.Vp8Encoder, "encode", record)
    now = [10.0]
    enc = SteadyVp8Encoder(clock=lambda: now[0])
    enc.loss_cap.rtt = 0.3
    frame = VideoFrame(64, 48, "yuv420p")
    enc.encode(frame)  # the first frame builds the encoder: a keyframe anyway
    for _ in range(4):
        now[0] += 0.04
        enc.encode(frame, force_keyframe=True)
    now[0] += 0.45  # a round trip and a half since the keyframe: it was lost
    enc.encode(frame, force_keyframe=True)
    assert forced == [False, False, False, False, False, True]


def _cut_to(enc: SteadyVp8Encoder, bitrate: int) -> None:
    """A receiver report with the loss that cuts the cap to ``bitrate``."""
    enc.on_loss_report(1 - bitrate / (enc.target_bitrate * MARGIN))
    assert abs(enc.target_bitrate - bitrate) < 1000


def _keyframe_after_cut(bitrate: int) -> tuple[int, tuple[int, int]]:
    now = [0.0]
    enc = SteadyVp8Encoder(clock=lambda: now[0])
    frames = _frames(1280, 720)
    for _ in range(10):
        enc.encode(next(frames))
    _cut_to(enc, bitrate)  # applies at once: a new encoder, a keyframe
    payloads, _ = enc.encode(next(frames))
    assert enc.codec is not None
    return sum(len(p) for p in payloads), (enc.codec.width, enc.codec.height)


def test_a_keyframe_after_a_cut_fits_a_small_router_queue() -> None:
    # A home router holds ~100 ms: ~12 kB at 1 Mbit/s, ~6-9 kB at 500 kbit/s. aiortc's
    # encoder made 20-27 kB keyframes at 720p at any target (old code: 21.8 kB at
    # 400 kbit/s, at 1280x720).
    size, picture = _keyframe_after_cut(400_000)
    assert picture == (640, 360)
    assert size < 7_000, size
    size, picture = _keyframe_after_cut(700_000)
    assert picture == (960, 540)
    assert size < 11_000, size


def test_the_picture_is_back_at_full_size_when_the_target_is() -> None:
    now = [0.0]
    enc = SteadyVp8Encoder(clock=lambda: now[0])
    frames = _frames(1280, 720)
    enc.encode(next(frames))
    assert enc.codec is not None and (enc.codec.width, enc.codec.height) == (1280, 720)
    enc.target_bitrate = 650_000  # REMB, before the link has shown a limit: full size
    enc.encode(next(frames))
    assert enc.codec is not None and (enc.codec.width, enc.codec.height) == (1280, 720)
    _cut_to(enc, 400_000)
    enc.encode(next(frames))
    assert enc.codec is not None and (enc.codec.width, enc.codec.height) == (640, 360)
    for _ in range(12):  # clean reports: the cap grows and the target follows
        now[0] += 1
        enc.on_loss_report(0.0)
    assert enc.target_bitrate >= 1_000_000
    assert enc.rebuild_due(next(frames))
    payloads, _ = enc.encode(next(frames))
    assert (enc.codec.width, enc.codec.height) == (1280, 720)
    assert payloads
