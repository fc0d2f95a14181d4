"""Calls across the network lab under outages, a network change and impaired links.

    .venv/bin/python -m bench.network_bench recovery [--outages 5,15,60,300] [--udp-only]
    .venv/bin/python -m bench.network_bench change [--repeat 3] [--laptop]
    .venv/bin/python -m bench.network_bench adapt [--phase-seconds 15] [--target-only]

A real home ↔ school call (netlab, coturn, both engines in their namespaces; needs
root). ``recovery`` cuts the home site off (everything, or UDP only) for each outage
length and measures how long after the link returns media flows again both ways.
``change`` switches the home router to its other uplink mid-call (a new public
address: every flow and NAT mapping is gone) and measures when both sides show
"reconnecting" and when media flows again; with ``--laptop`` the laptop itself
loses its Wi-Fi for its own 4G link instead (bench.laptop_change). ``adapt`` caps the pupil's link
(tc tbf) and adds user-space loss and delay on the pupil's ICE sockets (there is no
netem here), phase by phase, each next to the unimpaired baseline of the same call.

It reports; it is not a test. Exit 0 for a completed run, 1 if the call never started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import netlab
from app.demo.headless import _wait_media
from app.demo.network import LabCall, lab_network
from app.demo.workspace import prepare
from media.control import ControlMessage
from media.impair import Impairment
from media.measure import FrameMeter
from media.ports import EngineListener
from media.state import CallState, StateChange
from media.stats import CallStats
from pairing.roles import Role

PUPIL_SITE, CLASS_SITE = "home", "school"
FREEZE_S = 1.0
LIFTED_KBPS_AT_S = 10.0  # issue 10 item 5: back to full quality within 10 s


@dataclass
class Watch:
    """What one device received, timed on its own thread (monotonic clock)."""

    video: deque[float] = field(default_factory=lambda: deque(maxlen=20_000))
    audio: deque[float] = field(default_factory=lambda: deque(maxlen=60_000))
    states: list[tuple[float, CallState]] = field(default_factory=list)
    meter: FrameMeter = field(default_factory=FrameMeter)
    stats: CallStats | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Tap:
    """Wraps a device's listener on its own thread: times every frame and state."""

    def __init__(self, inner: EngineListener, watch: Watch) -> None:
        self._inner, self._watch = inner, watch

    def on_state(self, change: StateChange) -> None:
        self._watch.states.append((time.monotonic(), change.state))
        self._inner.on_state(change)

    def on_stats(self, stats: CallStats) -> None:
        self._watch.stats = stats
        self._inner.on_stats(stats)

    def on_control(self, message: ControlMessage) -> None:
        self._inner.on_control(message)

    def on_signaling(self, connected: bool) -> None:
        self._inner.on_signaling(connected)

    def on_peer_online(self, online: bool) -> None:
        self._inner.on_peer_online(online)

    def on_video_frame(self, frame: Any) -> None:
        self._watch.video.append(time.monotonic())
        with self._watch.lock:
            self._watch.meter.on_video(frame)
        self._inner.on_video_frame(frame)

    def on_audio_frame(self, frame: Any) -> None:
        self._watch.audio.append(time.monotonic())
        self._inner.on_audio_frame(frame)

    def on_sending(self, sending: bool) -> None:
        self._inner.on_sending(sending)


def _first_after(times: deque[float], t: float) -> float | None:
    return next((x for x in list(times) if x > t), None)


def _window(times: deque[float], start: float, end: float) -> list[float]:
    return [x for x in list(times) if start <= x <= end]


def _longest_gap(times: list[float], start: float, end: float) -> float:
    points = [start, *times, end]
    return max((b - a for a, b in itertools.pairwise(points)), default=end - start)


class Bench:
    def __init__(self, *, impair: bool = False) -> None:
        self.watch = {Role.STUDENT: Watch(), Role.CLASSROOM: Watch()}
        self.impairment = Impairment(rng=__import__("random").Random(7)) if impair else None

    def tap(self, role: Role, inner: EngineListener) -> EngineListener:
        return Tap(inner, self.watch[role])

    def reset_meters(self) -> None:
        for w in self.watch.values():
            with w.lock:
                w.meter = FrameMeter()


async def _until(check: Callable[[], bool], limit: float) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


def _recovered(bench: Bench, since: float) -> float | None:
    firsts = [_first_after(w.video, since) for w in bench.watch.values()]
    if any(f is None for f in firsts):
        return None
    return max(f for f in firsts if f is not None) - since


def _recovered_since(bench: Bench, since: float) -> Callable[[], bool]:
    return lambda: _recovered(bench, since) is not None


def _reconnecting_after(bench: Bench, since: float) -> dict[str, float | None]:
    out = {}
    for role, w in bench.watch.items():
        t = next((t for t, s in w.states if t >= since and s is CallState.RECONNECTING), None)
        out[role.value] = None if t is None else round(t - since, 2)
    return out


async def _outage(call: LabCall, bench: Bench, seconds: float, *, udp_only: bool) -> dict[str, Any]:
    lab = call.lab
    router = f"{PUPIL_SITE}-nat"
    start = time.monotonic()
    if udp_only:
        lab.exec(router, ["iptables", "-A", "KGBLOCK", "-p", "udp", "-j", "DROP"])
    else:
        lab.blackhole(PUPIL_SITE, True)
    await asyncio.sleep(seconds)
    if udp_only:
        lab.exec(router, ["iptables", "-F", "KGBLOCK"])
    else:
        lab.blackhole(PUPIL_SITE, False)
    healed = time.monotonic()
    during = {
        r.value: (
            len(_window(w.video, start + 3, healed)),
            len(_window(w.audio, start + 3, healed)),
        )
        for r, w in bench.watch.items()
    }
    print("  frames received during the outage (video, audio):", during)
    ok = await _until(lambda: _recovered(bench, healed) is not None, 120)
    return {
        "outage_s": seconds,
        "reconnecting_after_s": _reconnecting_after(bench, start),
        "media_back_after_s": round(_recovered(bench, healed) or -1, 2) if ok else None,
    }


async def run_recovery(call: LabCall, bench: Bench, args: argparse.Namespace) -> None:
    print(f"outage ({'UDP only' if args.udp_only else 'everything'}) → media both ways again")
    t0 = time.monotonic()
    for seconds in args.outages:
        result = await _outage(call, bench, seconds, udp_only=args.udp_only)
        print(
            f"  {seconds:>5g} s: reconnecting after {result['reconnecting_after_s']}, "
            f"media back {result['media_back_after_s']} s after the link returned",
            flush=True,
        )
        await asyncio.sleep(3)
    if args.verbose:
        for role, w in bench.watch.items():
            print(role.value, [(round(t - t0, 2), st.value) for t, st in w.states])


async def run_change(call: LabCall, bench: Bench, args: argparse.Namespace) -> None:
    print("home router switches uplink (new public address) mid-call")
    uplinks = ("b", "a")
    for i in range(args.repeat):
        await asyncio.sleep(4)
        start = time.monotonic()
        call.lab.set_uplink(PUPIL_SITE, uplinks[i % 2])
        since = start + 0.5
        ok = await _until(_recovered_since(bench, since), 60)
        back = _recovered(bench, start + 0.5)
        gaps = {
            role.value: round(_longest_gap(_window(w.video, start - 1, start + 20), start - 1,
                                           min(time.monotonic(), start + 20)), 2)
            for role, w in bench.watch.items()
        }  # fmt: skip
        print(
            f"  switch {i + 1}: reconnecting after {_reconnecting_after(bench, start)}, "
            f"media back {round(back + 0.5, 2) if ok and back is not None else None} s "
            f"after the switch; longest video gap {gaps} s",
            flush=True,
        )


@dataclass(frozen=True)
class Phase:
    name: str
    cap_kbit: int | None = None
    loss: float = 0.0
    delay_ms: float = 0.0  # on the pupil's sends and receives: round trip + 2×


PHASES = (
    Phase("unimpaired"),
    Phase("2 Mbit/s", cap_kbit=2000),
    Phase("1 Mbit/s", cap_kbit=1000),
    Phase("500 kbit/s", cap_kbit=500),
    Phase("2 % loss", loss=0.02),
    Phase("5 % loss", loss=0.05),
    Phase("150 ms RTT", delay_ms=75),
    Phase("1 Mbit/s + 2 % + 150 ms", cap_kbit=1000, loss=0.02, delay_ms=75),
    Phase("lifted"),
)
# ``--target-only``: issue 10 item 5's target straight from an unimpaired call,
# not after the other phases have left the encoder at their rate.
TARGET_PHASES = (PHASES[0], PHASES[-2], PHASES[-1])


async def _phase_figures(bench: Bench, call: LabCall, start: float, end: float) -> dict[str, Any]:
    out = {}
    for role, w in bench.watch.items():
        video = _window(w.video, start, end)
        audio = _window(w.audio, start, end)
        with w.lock:
            snap = w.meter.snapshot()
        out[role.value] = {
            "distinct_fps": round(snap.frames_received / (end - start), 1),
            "longest_video_gap_s": round(_longest_gap(video, start, end), 2),
            "freezes_over_1s": sum(
                1 for a, b in zip([start, *video], [*video, end], strict=False) if b - a > FREEZE_S
            ),
            "longest_audio_gap_ms": round(1000 * _longest_gap(audio, start, end)),
            "latency_ms_p95": snap.latency_ms_p95,
            "kbps_in": w.stats.bitrate_in_kbps if w.stats else None,
        }
    return out


async def run_adapt(call: LabCall, bench: Bench, args: argparse.Namespace) -> None:
    assert bench.impairment is not None
    rows: list[tuple[str, dict[str, Any]]] = []
    for phase in TARGET_PHASES if args.target_only else PHASES:
        call.lab.cap(PUPIL_SITE, phase.cap_kbit)
        bench.impairment.loss = phase.loss
        bench.impairment.delay_ms = phase.delay_ms
        bench.reset_meters()
        start = time.monotonic()
        if phase.name == "lifted":
            pupil = bench.watch[Role.STUDENT]
            recovered = await _until(_fps_reached(pupil, start, 25), 30)
            print(
                f"  after the cap lifts: class → pupil back at ≥ 25 fps after "
                f"{round(time.monotonic() - start, 1) if recovered else 'not within 30'} s",
                flush=True,
            )
            await asyncio.sleep(max(0.0, start + LIFTED_KBPS_AT_S - time.monotonic()))
            stats = pupil.stats
            print(f"  kbit/s in {LIFTED_KBPS_AT_S:g} s after the cap lifts: "
                  f"{stats.bitrate_in_kbps if stats else None} (unimpaired: "
                  f"{rows[0][1]['student']['kbps_in']})", flush=True)  # fmt: skip
        await asyncio.sleep(max(0.0, start + args.phase_seconds - time.monotonic()))
        figures = await _phase_figures(bench, call, start, time.monotonic())
        rows.append((phase.name, figures))
        c2p, p2c = figures["student"], figures["classroom"]  # measured where received
        print(
            f"  {phase.name:<26} class→pupil {c2p['distinct_fps']:>5} fps, gap "
            f"{c2p['longest_video_gap_s']} s, audio gap {c2p['longest_audio_gap_ms']} ms, "
            f"p95 {c2p['latency_ms_p95']} ms, {c2p['kbps_in']} kbit/s | pupil→class "
            f"{p2c['distinct_fps']} fps, p95 {p2c['latency_ms_p95']} ms",
            flush=True,
        )
    base = rows[0][1]["student"]["distinct_fps"] or 1
    print("ratios to the unimpaired phase (class → pupil distinct fps):")
    for name, figures in rows:
        print(f"  {name:<26} {figures['student']['distinct_fps'] / base:.2f}")


def _fps_reached(watch: Watch, since: float, fps: float) -> Callable[[], bool]:
    return lambda: _fps_since(watch, since) >= fps


def _fps_since(watch: Watch, since: float) -> float:
    now = time.monotonic()
    if now - since < 2:
        return 0.0
    recent = _window(watch.video, now - 2, now)
    return len(recent) / 2


async def _main(args: argparse.Namespace) -> int:
    bench = Bench(impair=args.mode == "adapt")
    workspace, _ = prepare(None, lab_network())
    try:
        mobile = (PUPIL_SITE,) if args.mode == "change" and args.laptop else ()
        with netlab.Lab(sites=(PUPIL_SITE, CLASS_SITE), mobile=mobile) as lab:
            lab.start_coturn(workspace.turn_config)
            impairments = {Role.STUDENT: bench.impairment} if bench.impairment else None
            call = LabCall(
                lab, workspace, (PUPIL_SITE, CLASS_SITE),
                listeners=bench.tap, impairments=impairments,
            )  # fmt: skip
            try:
                await call.start()
                await _wait_media(call.parties, lambda _s: None)
                if any(p.first_frame is None for p in call.parties.values()):
                    print("the call never carried media", file=sys.stderr)
                    return 1
                paths = {r.value: (p.stats.relay_protocol if p.stats else None)
                         for r, p in call.parties.items()}  # fmt: skip
                print(f"call up: home ↔ school, relay transports {paths}")
                runner = {"recovery": run_recovery, "change": run_change, "adapt": run_adapt}
                if mobile:
                    from bench.laptop_change import run_laptop_change

                    runner["change"] = run_laptop_change
                await runner[args.mode](call, bench, args)
            finally:
                await call.stop()
            print(f"packets that tried to leave the lab: {lab.leaks()}")
    finally:
        workspace.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.network_bench")
    parser.add_argument("mode", choices=("recovery", "change", "adapt"))
    parser.add_argument(
        "--outages",
        type=lambda t: [float(x) for x in t.split(",")],
        default=[5.0, 15.0, 60.0, 300.0],
    )
    parser.add_argument("--udp-only", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print every state change")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--laptop", action="store_true", help="change: the laptop loses "
                        "its Wi-Fi for its own 4G link (not the home router)")  # fmt: skip
    parser.add_argument("--phase-seconds", type=float, default=15.0)
    parser.add_argument("--target-only", action="store_true", help="adapt: the 1 Mbit/s + "
                        "2 %% + 150 ms phase between unimpaired and lifted only")  # fmt: skip
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_main(args))
    return 1


if __name__ == "__main__":
    sys.exit(main())
