"""Audio processing benchmark: the simulated classroom, each stage next to processing off.

    .venv/bin/python -m bench.audio_bench [--seconds 20] [--json out.json]

Offline and deterministic: the classroom's room (media.audio.room.CLASSROOM: the
unit's loud speaker a hand from its microphone, a teacher metres away, class
babble) gets a pupil talking 3 s of every 4 as its far end, frame by frame as
fast as the APM takes them. Each configuration is a fresh APM on the same
signals; the last two rows repeat off and default with the speaker 16 dB quieter.
Columns: ERLE (far-end-only chunks after 2 s), output over the teacher's level
during double talk (residual echo counts: "off" shows the echo on top), babble
lowered while nobody talks, time to reach 20 dB ERLE, and CPU per 10 ms chunk
(far end and near end) with its share of one core. The live figures (Opus, a
real network, both rooms) come from ``klasgenoot demo --headless --room
classroom``. It reports; it is not a test.

``--spread`` runs the default stages with the demo's far end instead: the pupil's
voice of media.audio.room.HOME (260 Hz, −24 dBFS, 2 s on and 2 s off), with the
teacher's turns moved by 0.8 s per run over ten runs, as the two devices' turns
fall differently in each live demo. It prints ERLE and the worst 100 ms's share
per phase: the live spread without network, load or timing. Each phase runs two
processors on the very same signals, one with the leak guard
(media.audio.leakguard) and one without, so the two columns differ only in the
guard. The teacher's time markers carry the wall clock, so which phase leaks
changes from run to run. ``--far-markers`` adds to the far end the pupil's time
markers (40 ms of tones every 0.5 s, as the demo's far end carries them, also
while the pupil is silent; a fixed clock, so the far end is the same every run).
The detector and ducking have their own benchmark: ``bench.doubletalk_bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import json
from pathlib import Path
from typing import Any

import av
import numpy as np

from media.audio import voices
from media.audio.markers import MarkerWriter
from media.audio.meter import EchoMeter
from media.audio.processor import Processor
from media.audio.room import CLASSROOM, FRAME, HOME, RoomConfig, SimulatedRoom
from media.audio.settings import OFF, AudioSettings
from media.audio.track import ProcessedAudioTrack

CONFIGS = {
    "off": OFF,
    "high-pass only": AudioSettings(False, False, True, False),
    "noise suppression only": AudioSettings(False, True, False, False),
    "echo cancellation only": AudioSettings(True, False, False, False),
    "default (AEC+NS+HPF)": AudioSettings(),
    "default + AGC": AudioSettings(auto_gain_control=True),
}


class _RoomSource:
    def __init__(self, room: SimulatedRoom) -> None:
        self.room, self.index = room, 0
        self.last: av.AudioFrame | None = None

    async def recv(self) -> av.AudioFrame:
        self.last = frame = self.room.make_frame(self.index)
        self.index += 1
        return frame


class _Again:
    """The frame a _RoomSource made last: a second processor on the same signals."""

    def __init__(self, source: _RoomSource) -> None:
        self.source = source

    async def recv(self) -> av.AudioFrame:
        assert self.source.last is not None
        return self.source.last


class _Parts:
    """The room's parts for a second EchoMeter (each meter takes its own)."""

    def __init__(self) -> None:
        self.parts: collections.deque[tuple[np.ndarray, np.ndarray]] = collections.deque()


# The same room with the speaker 16 dB quieter and the teacher closer: the echo
# now lies under the teacher (double talk is where an echo canceller trades).
QUIET = dataclasses.replace(CLASSROOM, speaker_gain_db=-10.0, near_dbfs=-22.0)


def _far_frame(far: np.ndarray, i: int) -> av.AudioFrame:
    """The ``i``-th 20 ms frame of ``far`` (looped), as the speaker plays it."""
    chunk = far[(i * FRAME) % len(far) :][:FRAME]
    frame = av.AudioFrame.from_ndarray(
        np.repeat(chunk.astype(np.int16), 2).reshape(1, -1), format="s16", layout="stereo"
    )
    frame.sample_rate = voices.SAMPLE_RATE
    return frame


async def play_far_end(
    room: SimulatedRoom, track: ProcessedAudioTrack, far: np.ndarray, seconds: float
) -> None:
    """Play ``far`` (looped) through the room for ``seconds``, one 20 ms frame at a
    time, each processed by ``track`` before the next is played."""
    for i in range(round(seconds * 50)):
        room.play(_far_frame(far, i))
        await track.recv()


async def _run(settings: AudioSettings, far: np.ndarray, seconds: float,
               config: RoomConfig = CLASSROOM) -> dict[str, Any]:  # fmt: skip
    room = SimulatedRoom(config)
    track = ProcessedAudioTrack(_RoomSource(room), Processor(settings))  # type: ignore[arg-type]
    room.reference_sink = track.reference
    room.ducker = track.processor.ducker
    meter = EchoMeter(room)
    track.tap = meter
    await play_far_end(room, track, far, seconds)
    cpu_ms = 1000 * track.busy_s / max(1, track.chunks)
    return meter.report().as_dict() | {
        "cpu_ms_per_10ms": round(cpu_ms, 3),
        "cpu_pct_of_one_core": round(cpu_ms / 10 * 100, 2),
    }


async def _guarded(far: np.ndarray, seconds: float, config: RoomConfig) -> dict[str, Any]:
    """One room, two processors on its signals: the leak guard on and off."""
    room = SimulatedRoom(config)
    source = _RoomSource(room)
    on = ProcessedAudioTrack(source, Processor(AudioSettings(leak_guard=True)))  # type: ignore[arg-type]
    off = ProcessedAudioTrack(_Again(source), Processor(AudioSettings(leak_guard=False)))  # type: ignore[arg-type]

    def both(chunk: np.ndarray) -> None:
        on.reference(chunk)
        off.reference(chunk)

    room.reference_sink = both
    second = _Parts()
    meters = EchoMeter(room), EchoMeter(second)  # type: ignore[arg-type]

    def tap(mic: np.ndarray, out: np.ndarray) -> None:
        second.parts.append(room.parts[0])
        meters[0](mic, out)

    on.tap, off.tap = tap, meters[1]
    for i in range(round(seconds * 50)):
        room.play(_far_frame(far, i))
        await on.recv()
        await off.recv()
    cuts = on.processor.guard_cuts
    return {"guard": meters[0].report().as_dict() | {"guard_cut_chunks": cuts},
            "no guard": meters[1].report().as_dict()}  # fmt: skip


def _spread(seconds: float, far_markers: bool) -> dict[str, Any]:
    n = round(8.0 * voices.SAMPLE_RATE)
    far = voices.voice(8.0, f0=HOME.near_f0, seed=HOME.seed, level_dbfs=HOME.near_dbfs)
    far = far * voices.turns(n, on_s=HOME.talk_on_s, off_s=HOME.talk_off_s,
                             offset_s=HOME.talk_offset_s)  # fmt: skip
    far = np.resize(far, round(seconds * voices.SAMPLE_RATE))
    if far_markers:
        far = MarkerWriter(lambda: 1000.0).mix(far)
    runs: dict[str, dict[str, Any]] = {}
    for k in range(10):
        room = dataclasses.replace(CLASSROOM, talk_offset_s=CLASSROOM.talk_offset_s + 0.8 * k)
        runs[f"teacher +{0.8 * k:.1f} s"] = asyncio.run(_guarded(far, seconds, room))
    print(f"{'phase':<18}{'ERLE dB':>9}{'kept dB':>9}{'worst 100 ms':>14}{'cut':>6}"
          "   (leak guard off, the same signals)")  # fmt: skip
    for name, pair in runs.items():
        r, o = pair["guard"], pair["no guard"]
        print(f"{name:<18}{_f(r['echo_return_loss_enhancement_db']):>9}"
              f"{_f(r['near_end_kept_db']):>9}{_f(r['worst_100ms_share']):>14}"
              f"{r['guard_cut_chunks']:>6}"
              f"   ({_f(o['echo_return_loss_enhancement_db'])}, {_f(o['near_end_kept_db'])}, "
              f"{_f(o['worst_100ms_share'])})")  # fmt: skip
    for key in ("guard", "no guard"):
        erle = sorted(p[key]["echo_return_loss_enhancement_db"] or 0.0 for p in runs.values())
        print(
            f"{key}: ERLE {erle[0]:g}–{erle[-1]:g} dB, "
            f"{sum(e < 30 for e in erle)} of {len(erle)} under 30"
        )
    cost = [(p["no guard"]["near_end_kept_db"] or 0.0) - (p["guard"]["near_end_kept_db"] or 0.0)
            for p in runs.values()]  # fmt: skip
    print(f"the guard costs the teacher {min(cost):.1f} to {max(cost):.1f} dB")
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--spread", action="store_true", help="the demo's far end, ten phases")
    parser.add_argument("--far-markers", action="store_true",
                        help="with --spread: the pupil's time markers in the far end")  # fmt: skip
    args = parser.parse_args()
    if args.spread:
        spread = _spread(args.seconds, args.far_markers)
        if args.json is not None:
            args.json.write_text(json.dumps(spread, indent=2) + "\n")
        return 0
    n = round(8.0 * voices.SAMPLE_RATE)
    far = voices.voice(8.0, f0=150.0, seed=9, level_dbfs=-20.0)
    far = far * voices.turns(n, on_s=3.0, off_s=1.0)
    results = {name: asyncio.run(_run(s, far, args.seconds)) for name, s in CONFIGS.items()}
    for name in ("off", "default (AEC+NS+HPF)"):
        results[f"{name}, quiet speaker"] = asyncio.run(
            _run(CONFIGS[name], far, args.seconds, QUIET)
        )
    header = f"{'configuration':<36}{'ERLE dB':>9}{'kept dB':>9}{'noise dB':>9}"
    print(header + f"{'conv. ms':>10}{'CPU ms/10ms':>13}{'% core':>8}")
    for name, r in results.items():
        print(f"{name:<36}{_f(r['echo_return_loss_enhancement_db']):>9}"
              f"{_f(r['near_end_kept_db']):>9}{_f(r['noise_suppressed_db']):>9}"
              f"{_f(r['convergence_ms']):>10}{r['cpu_ms_per_10ms']:>13}"
              f"{r['cpu_pct_of_one_core']:>8}")  # fmt: skip
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


if __name__ == "__main__":
    raise SystemExit(main())
