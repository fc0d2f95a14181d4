"""Opus in-band FEC and concealment with real Opus frames (media.audio.fec)."""

from __future__ import annotations

import ctypes
import ctypes.util
import fractions
from collections.abc import Iterator
from typing import Any

import av
import numpy as np
import pytest
from aiortc.codecs.opus import OpusDecoder, OpusEncoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

from media import codecs
from media.audio import fec
from media.audio.markers import MarkerWriter, stamp
from media.audio.playout import PlayoutBuffer
from media.audio.voices import voice
from media.measure import FrameMeter

FRAME = fec.FRAME


@pytest.fixture
def no_libopus(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As on a machine without libopus0; the next test looks the library up again."""
    monkeypatch.setattr(fec, "_candidates", lambda: [])
    fec.libopus.cache_clear()
    yield
    fec.libopus.cache_clear()


def _frames(mono: np.ndarray) -> list[av.AudioFrame]:
    out = []
    for index in range(len(mono) // FRAME):
        chunk = mono[index * FRAME : (index + 1) * FRAME].astype(np.int16)
        frame = av.AudioFrame.from_ndarray(np.repeat(chunk, 2).reshape(1, -1), format="s16",
                                           layout="stereo")  # fmt: skip
        frame.sample_rate, frame.pts = fec.RATE, index * FRAME
        frame.time_base = fractions.Fraction(1, fec.RATE)
        out.append(frame)
    return out


def _encode(encoder: OpusEncoder, frames: list[av.AudioFrame]) -> list[bytes]:
    packets: list[bytes] = []
    for frame in frames:
        packets += encoder.encode(frame)[0]
    return packets


def _decode(packets: list[bytes], lost: set[int], *, rebuild: bool) -> np.ndarray:
    """Mono samples of the stream with ``lost`` packets missing: rebuilt, or silence."""
    decoder = fec.ConcealingOpusDecoder(fec.libopus())
    out: list[np.ndarray] = []
    gap = 0
    for index, packet in enumerate(packets):
        if index in lost:
            gap += 1
            if not rebuild:
                out.append(np.zeros(FRAME, np.int16))
            continue
        frame = fec.AfterLoss(packet, index * FRAME, gap) if gap and rebuild else None
        for decoded in decoder.decode(frame or JitterFrame(packet, index * FRAME)):
            out.append(decoded.to_ndarray().reshape(-1, 2)[:, 0])
        gap = 0
    return np.concatenate(out)


def _error_db(got: np.ndarray, want: np.ndarray) -> float:
    """Error energy relative to the wanted signal's (0 dB: as bad as silence)."""
    error = np.mean((got.astype(float) - want) ** 2)
    return float(10 * np.log10(error / np.mean(want.astype(float) ** 2) + 1e-12))


SPEECH = voice(2.0, f0=140, seed=3, level_dbfs=-20)
# Packets inside syllables (20 ms each); the first ~0.5 s lets the encoder settle.
LOST = (37, 55, 70)


@pytest.mark.skipif(fec.libopus() is None, reason="needs libopus0")
@pytest.mark.parametrize("lost", LOST)
def test_a_lost_packet_rebuilt_from_fec_is_closer_to_the_original_than_silence(lost: int) -> None:
    packets = _encode(fec.FecOpusEncoder(), _frames(SPEECH))
    whole = _decode(packets, set(), rebuild=True)
    span = slice(lost * FRAME, (lost + 1) * FRAME)
    rebuilt = _decode(packets, {lost}, rebuild=True)
    silent = _decode(packets, {lost}, rebuild=False)
    assert len(rebuilt) == len(silent) == len(whole)
    assert _error_db(silent[span], whole[span]) == pytest.approx(0.0, abs=0.1)
    assert _error_db(rebuilt[span], whole[span]) < -10  # FEC: within a tenth of the energy


@pytest.mark.skipif(fec.libopus() is None, reason="needs libopus0")
def test_without_fec_in_the_stream_the_loss_is_only_concealed() -> None:
    """What the FEC encoder adds: aiortc's own encoder sends no copy to rebuild from."""
    packets = _encode(OpusEncoder(), _frames(SPEECH))
    assert not any(fec.carries_fec(p) for p in packets)
    with_fec = _encode(fec.FecOpusEncoder(), _frames(SPEECH))
    assert all(fec.carries_fec(with_fec[lost + 1]) for lost in LOST)
    whole = _decode(packets, set(), rebuild=True)
    for lost in LOST:
        span = slice(lost * FRAME, (lost + 1) * FRAME)
        assert _error_db(_decode(packets, {lost}, rebuild=True)[span], whole[span]) > -3


@pytest.mark.skipif(fec.libopus() is None, reason="needs libopus0")
def test_a_longer_gap_is_concealed_then_rebuilt_and_keeps_its_timing() -> None:
    packets = _encode(fec.FecOpusEncoder(), _frames(SPEECH))
    decoder = fec.ConcealingOpusDecoder(fec.libopus())
    for index in range(40):
        decoder.decode(JitterFrame(packets[index], index * FRAME))
    frames = decoder.decode(fec.AfterLoss(packets[43], 43 * FRAME, lost=3))  # 40-42 lost
    assert [f.pts for f in frames] == [40 * FRAME, 41 * FRAME, 42 * FRAME, 43 * FRAME]
    assert all(f.samples == FRAME and f.format.name == "s16" for f in frames)
    assert fec.carries_fec(packets[43])
    assert (decoder.concealed, decoder.recovered) == (2, 1)
    concealed = frames[0].to_ndarray()
    assert np.abs(concealed).max() > 0  # the sound goes on, fading, not a cut to silence
    assert decoder.decode(JitterFrame(b"", 44 * FRAME)) == []  # nothing made up for nothing
    # A long gap is rebuilt only up to MAX_CONCEALED frames: the delay must not grow.
    frames = decoder.decode(fec.AfterLoss(packets[80], 80 * FRAME, lost=36))
    assert len(frames) == fec.MAX_CONCEALED + 1
    assert frames[0].pts == (80 - fec.MAX_CONCEALED) * FRAME


@pytest.mark.skipif(fec.libopus() is None, reason="needs libopus0")
def test_time_markers_survive_the_fec_encoder_and_our_decoder() -> None:
    now = [1_700_000_000.0]
    writer = MarkerWriter(lambda: now[0])
    meter = FrameMeter(wall_clock=lambda: now[0] + 0.1)  # as if 100 ms in flight
    encoder, decoder = fec.FecOpusEncoder(), fec.ConcealingOpusDecoder(fec.libopus())
    for frame in _frames(np.zeros(150 * FRAME)):  # 3 s
        now[0] += 0.020
        for packet in encoder.encode(stamp(frame, writer))[0]:
            for decoded in decoder.decode(JitterFrame(packet, 0)):
                meter.on_audio(decoded)
    snap = meter.snapshot()
    assert snap.audio_latency_samples >= 5
    assert snap.audio_latency_ms_p50 is not None and 100 <= snap.audio_latency_ms_p50 <= 130


def test_without_libopus_aiortcs_decoder_runs_and_a_hole_stays_silent(no_libopus: None) -> None:
    opus = next(c for c in _codecs() if c.mimeType.lower() == "audio/opus")
    decoder = fec.get_decoder(opus)
    assert isinstance(decoder, OpusDecoder)
    packets = _encode(fec.FecOpusEncoder(), _frames(SPEECH[: 10 * FRAME]))
    frames = decoder.decode(fec.AfterLoss(packets[5], 5 * FRAME, lost=1))
    assert len(frames) == 1  # decoded as it is; nothing made up


def test_calls_use_the_fec_encoder_and_our_decoder() -> None:
    import aiortc.rtcrtpreceiver
    import aiortc.rtcrtpsender

    codecs.install()
    opus = next(c for c in _codecs() if c.mimeType.lower() == "audio/opus")
    assert isinstance(aiortc.rtcrtpsender.get_encoder(opus), fec.FecOpusEncoder)
    decoder = aiortc.rtcrtpreceiver.get_decoder(opus)
    want = OpusDecoder if fec.libopus() is None else fec.ConcealingOpusDecoder
    assert isinstance(decoder, want)


def _codecs() -> list[object]:
    from aiortc.codecs import get_capabilities

    return list(get_capabilities("audio").codecs)  # type: ignore[arg-type]


def _packet(seq: int) -> RtpPacket:
    packet = RtpPacket(payload_type=111, sequence_number=seq & 0xFFFF, timestamp=seq * FRAME)
    packet._data = bytes([seq & 0xFF])  # type: ignore[attr-defined]
    return packet


def _released(buffer: PlayoutBuffer, seqs: list[int]) -> list[JitterFrame]:
    out = []
    for seq in seqs:
        frame = buffer.add(_packet(seq))[1]
        if frame is not None:
            out.append(frame)
    return out


def test_the_playout_buffer_marks_the_packet_after_a_given_up_hole() -> None:
    frames = _released(PlayoutBuffer(), [s for s in range(30) if s not in (10, 11)])
    marked = [(f.timestamp // FRAME, f.lost) for f in frames if isinstance(f, fec.AfterLoss)]
    assert marked == [(12, 2)]


def test_a_library_without_the_decoder_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = ctypes.util.find_library("c")
    assert libc is not None
    monkeypatch.setattr(fec, "_candidates", lambda: [libc, "/nonexistent/libopus.so.0"])
    assert fec._load_libopus() is None


def _bundled_libopus() -> object | None:
    """PyAV's own libopus, when it is new enough (1.5+) to say whether a packet has FEC."""
    for path in fec._candidates()[1:]:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "opus_packet_has_lbrr"):
            lib.opus_packet_has_lbrr.argtypes = [ctypes.c_char_p, ctypes.c_int32]
            return lib
    return None


@pytest.mark.skipif(_bundled_libopus() is None, reason="needs libopus >= 1.5 (PyAV's copy)")
def test_carries_fec_agrees_with_libopus() -> None:
    lib: Any = _bundled_libopus()
    packets = _encode(fec.FecOpusEncoder(), _frames(SPEECH)) + _encode(
        OpusEncoder(), _frames(SPEECH)
    )
    said = [bool(lib.opus_packet_has_lbrr(p, len(p))) for p in packets]
    assert [fec.carries_fec(p) for p in packets] == said
    assert any(said) and not all(said)
