"""The double-talk detector, ducking and the leak guard offline, on the simulated classroom.

    .venv/bin/python -m bench.doubletalk_bench [--seconds 20] [--json out.json]

Offline and deterministic: the classroom's room (media.audio.room.CLASSROOM, the
unit's loud speaker) without the teacher's time markers (a real microphone has
none; the markers' 40 ms tones every 0.5 s are a near-end sound, and the detector
rightly calls them one), two far ends: the offline table's (150 Hz, −20 dBFS,
3 s of every 4: sustained double talk with the teacher's 2 s turns) and the
demo's pupil (260 Hz, −24 dBFS, 2 s on and 2 s off) in four teacher phases.

Per run, from the room's own parts per 10 ms chunk (after 2 s):

- *false*: far-end-only chunks (echo, no teacher within 300 ms either side: the
  pupil talks alone) that the detector calls double talk, and the same over
  every chunk without the teacher's sound (the meter's 20 ms guard: this counts
  the teacher's pauses between words too);
- *caught*: double-talk chunks called double talk, by count and by the teacher's
  power;
- *ducked*: far-end-only chunks played ≥ 3 dB quieter (the release counts);
- the teacher's level in double talk and the ERLE, ducking off and on;
- the detector's CPU per 10 ms (its own time, on the recorded signals).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.audio_bench import _RoomSource, play_far_end
from media.audio import voices
from media.audio.doubletalk import DoubleTalkDetector, Talk
from media.audio.meter import ACTIVE, SILENT, EchoMeter
from media.audio.processor import CHUNK, Processor
from media.audio.room import CLASSROOM, HOME, RoomConfig, SimulatedRoom
from media.audio.settings import AudioSettings
from media.audio.track import ProcessedAudioTrack

SETTLED = 200  # chunks: the first 2 s are the detector's and the canceller's to converge
AROUND = 30  # chunks either side of the teacher's turn that are no far-end-only stretch


class _Watched(Processor):
    """A processor that keeps, per microphone chunk, the verdict and the ducking gain,
    and the signals, to time a fresh detector on them afterwards."""

    def __init__(self, settings: AudioSettings, *, duck: bool) -> None:
        super().__init__(settings)
        self.ducker.enabled = duck  # off: the detector still decides, nothing is ducked
        self.rows: list[tuple[bool, float]] = []
        self.signals: list[tuple[str, bytes]] = []

    def process_far(self, chunk: bytes) -> None:
        self.signals.append(("far", chunk))
        super().process_far(chunk)

    def process_near(self, chunk: bytes) -> bytes:
        self.signals.append(("near", chunk))
        out = super().process_near(chunk)
        detector = self.detector
        both = detector is not None and detector.converged and detector.talk is Talk.BOTH
        self.rows.append((both, self.ducker.gain_db))
        return out


def far_ends() -> dict[str, np.ndarray]:
    n = round(8.0 * voices.SAMPLE_RATE)
    bench = voices.voice(8.0, f0=150.0, seed=9, level_dbfs=-20.0)
    demo = voices.voice(8.0, f0=HOME.near_f0, seed=HOME.seed, level_dbfs=HOME.near_dbfs)
    turns = voices.turns(n, on_s=HOME.talk_on_s, off_s=HOME.talk_off_s,
                         offset_s=HOME.talk_offset_s)  # fmt: skip
    return {
        "150 Hz, 3 s of 4": bench * voices.turns(n, on_s=3.0, off_s=1.0),
        "260 Hz, 2 s of 4": demo * turns,
    }


async def _run(duck: bool, far: np.ndarray, seconds: float,
               config: RoomConfig) -> tuple[_Watched, dict[str, Any], np.ndarray]:  # fmt: skip
    room = SimulatedRoom(config)
    processor = _Watched(AudioSettings(ducking=True, leak_guard=False), duck=duck)
    track = ProcessedAudioTrack(_RoomSource(room), processor)  # type: ignore[arg-type]
    room.reference_sink = track.reference
    room.ducker = processor.ducker
    meter = EchoMeter(room)
    truth: list[tuple[float, float]] = []

    def tap(mic: np.ndarray, out: np.ndarray) -> None:
        echo, near = room.parts[0]
        for start in range(0, len(mic), CHUNK):
            e, n = echo[start : start + CHUNK], near[start : start + CHUNK]
            truth.append((float(e @ e) / CHUNK, float(n @ n) / CHUNK))
        meter(mic, out)

    track.tap = tap
    await play_far_end(room, track, far, seconds)
    return processor, meter.report().as_dict(), np.asarray(truth)


def _verdicts(processor: _Watched, truth: np.ndarray, config: RoomConfig) -> dict[str, Any]:
    both = np.array([r[0] for r in processor.rows])
    ducked = np.array([r[1] <= -3.0 for r in processor.rows])
    echo, near = truth[: len(both)].T
    index = np.arange(len(both))
    settled = index >= SETTLED
    seconds = index / 100
    turn = (seconds - config.talk_offset_s) % (config.talk_on_s + config.talk_off_s)
    near_turn = np.convolve(turn < config.talk_on_s, np.ones(2 * AROUND + 1), "same") > 0
    quiet = near < SILENT
    guarded = quiet.copy()
    guarded[1:] &= quiet[:-1]
    guarded[2:] &= quiet[:-2]
    alone = (echo > ACTIVE) & ~near_turn & settled
    no_teacher = (echo > ACTIVE) & guarded & settled
    double = (echo > ACTIVE) & (near > ACTIVE) & settled
    return {
        "false_pct": _pct(both, alone),
        "false_no_teacher_sound_pct": _pct(both, no_teacher),
        "caught_pct": _pct(both, double),
        "caught_by_power_pct": round(
            100 * float((near * both)[double].sum()) / max(float(near[double].sum()), 1e-9), 1
        ),
        "ducked_alone_pct": _pct(ducked, alone),
        "chunks_alone": int(alone.sum()),
        "chunks_double": int(double.sum()),
    }


def _pct(flags: np.ndarray, mask: np.ndarray) -> float | None:
    return round(100 * float(flags[mask].mean()), 1) if mask.any() else None


def _cpu(signals: list[tuple[str, bytes]]) -> float:
    """A fresh detector's own time per 10 ms microphone chunk, in ms."""
    detector = DoubleTalkDetector()
    detector.set_delay(60)
    started = time.perf_counter()
    nears = 0
    for kind, chunk in signals:
        samples = np.frombuffer(chunk, np.int16)
        if kind == "far":
            detector.far(samples)
        else:
            detector.near(samples)
            nears += 1
    return round(1000 * (time.perf_counter() - started) / max(1, nears), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for far_name, far in far_ends().items():
        phases = [0.0] if far_name.startswith("150") else [0.0, 0.8, 1.6, 2.4]
        for phase in phases:
            config = dataclasses.replace(CLASSROOM, markers=False,
                                         talk_offset_s=CLASSROOM.talk_offset_s + phase)  # fmt: skip
            row: dict[str, Any] = {}
            for ducking in (False, True):
                processor, report, truth = asyncio.run(_run(ducking, far, args.seconds, config))
                key = "ducking" if ducking else "no ducking"
                row[key] = report | _verdicts(processor, truth, config)
                row[key]["detector_cpu_ms_per_10ms"] = _cpu(processor.signals)
            results[f"{far_name}, teacher +{phase:.1f} s"] = row
    _print(results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _print(results: dict[str, Any]) -> None:
    print(f"{'far end, teacher phase':<32}{'false %':>8}{'(any) %':>8}{'caught %':>9}"
          f"{'(power) %':>10}{'kept dB':>8}{'ducked':>8}{'kept dB':>8}{'ERLE':>6}{'ERLE':>6}"
          f"{'CPU ms':>8}")  # fmt: skip
    print(f"{'':<32}{'':>8}{'':>8}{'':>9}{'':>10}{'off':>8}{'alone %':>8}{'on':>8}{'off':>6}"
          f"{'on':>6}")  # fmt: skip
    for name, row in results.items():
        off, on = row["no ducking"], row["ducking"]
        print(f"{name:<32}{_f(off['false_pct']):>8}{_f(off['false_no_teacher_sound_pct']):>8}"
              f"{_f(off['caught_pct']):>9}{_f(off['caught_by_power_pct']):>10}"
              f"{_f(off['near_end_kept_db']):>8}{_f(on['ducked_alone_pct']):>8}"
              f"{_f(on['near_end_kept_db']):>8}{_f(off['echo_return_loss_enhancement_db']):>6}"
              f"{_f(on['echo_return_loss_enhancement_db']):>6}"
              f"{off['detector_cpu_ms_per_10ms']:>8}")  # fmt: skip


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


if __name__ == "__main__":
    raise SystemExit(main())
