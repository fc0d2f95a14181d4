"""The headless demo call: embedded server, two engines, synthetic media, a report.

Everything runs on one asyncio loop on 127.0.0.1 with ICE confined to loopback.
The report measures what the *receiving* side saw: distinct frames by the
sequence number stamped into the synthetic picture, glass-to-glass latency from
the capture time stamped next to it, audio frames, freezes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.demo.exercise import Exercise
from app.demo.servers import DemoServers
from app.demo.workspace import Workspace
from app.runtime import DeviceRuntime
from media.audio.meter import EchoMeter
from media.audio.room import ROOMS, SimulatedRoom
from media.control import ControlMessage
from media.engine import Engine
from media.measure import MeterStats
from media.peer import LocalMedia
from media.state import CallState, StateChange
from media.stats import CallStats
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack
from pairing.roles import Role

SIZES = {Role.CLASSROOM: (1280, 720), Role.STUDENT: (640, 480)}
FPS = 30
SETUP_TIMEOUT = 15.0


@dataclass
class Party:
    """One device in the demo: its engine and what it observed."""

    role: Role
    states: list[StateChange] = field(default_factory=list)
    stats: CallStats | None = None
    first_frame: float | None = None
    last_frame: float | None = None
    verified: bool = False
    engine: Engine | None = None
    media_started: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    # What --exercise checks (app.demo.exercise): recent control messages, bounded.
    controls: deque[ControlMessage] = field(default_factory=lambda: deque(maxlen=512))
    control_count: int = 0  # all ever received, so a position survives the deque's bound
    last_video: Any = None
    sending: bool = False
    # --room (issue 11): the simulated room this device's speaker and microphone are in.
    room: SimulatedRoom | None = None
    echo: EchoMeter | None = None

    # EngineListener -----------------------------------------------------------
    def on_state(self, change: StateChange) -> None:
        self.states.append(change)
        if change.state is CallState.LIVE and change.peer is not None:
            self.verified = True
        if change.state is CallState.ENDED:
            self.ended.set()

    def on_stats(self, stats: CallStats) -> None:
        self.stats = stats

    def on_control(self, message: ControlMessage) -> None:
        self.controls.append(message)
        self.control_count += 1

    def on_signaling(self, connected: bool) -> None:
        pass

    def on_peer_online(self, online: bool) -> None:
        pass

    def on_video_frame(self, frame: Any) -> None:
        self.last_video = frame
        self.last_frame = time.monotonic()
        if self.first_frame is None:
            self.first_frame = self.last_frame
            self.media_started.set()

    def on_audio_frame(self, frame: Any) -> None:
        # The engine's own meter counts it (EngineConfig.measure); a room plays it.
        if self.room is not None:
            self.room.play(frame)

    def on_sending(self, sending: bool) -> None:
        self.sending = sending  # the headless demo lets the engine open its send gate

    @property
    def state(self) -> CallState | None:
        return self.states[-1].state if self.states else None


def _engine(
    workspace: Workspace, party: Party, url: str, exercise: Exercise | None = None
) -> Engine:
    runtime = DeviceRuntime.load(
        workspace.device_dir(party.role), dev_keyring=True, signaling_url=url
    )
    width, height = SIZES[party.role]
    audio = SyntheticAudioTrack(markers=True)  # mouth-to-ear delay in the report
    media = LocalMedia(audio=audio, video=SyntheticVideoTrack(width, height, FPS))
    if exercise is not None:  # a 4K classroom camera and a pupil tone it can change
        media = exercise.media(party.role)
    if party.room is not None:  # the room's microphone: echo, a talker, class babble
        media = LocalMedia(audio=party.room, video=media.video)
    engine = runtime.engine(party, media, loopback_only=True, measure=True)
    if party.room is not None and engine.processing is not None:
        # The room's speaker gives the echo canceller its reference, as app.av.speaker does.
        party.room.reference_sink = engine.play_reference
        party.room.ducker = engine.processor.ducker  # the speaker plays it ducked
        party.echo = engine.processing.tap = EchoMeter(party.room)
    return engine


async def run_call(
    workspace: Workspace,
    seconds: float,
    progress: Callable[[str], None] = lambda _s: None,
    *,
    exercise: bool = False,
    room: str | None = None,
    servers: int = 1,
) -> dict[str, Any]:
    """Run one call for ``seconds`` of media and return the report.

    With ``room`` (a name in media.audio.room.ROOMS) each device's microphone hears
    its own speaker through a simulated room, and the report gets the echo figures.

    With ``exercise``, every classroom feature is driven once during the call
    (app.demo.exercise) and the report gets ``interactions``. With ``servers`` > 1
    the devices connect to different instances sharing a Redis (app.demo.servers).
    """
    drill = Exercise() if exercise else None
    signaling = await DemoServers.start(workspace.server, servers)
    urls = signaling.urls
    parties = {role: Party(role) for role in (Role.CLASSROOM, Role.STUDENT)}
    if room is not None:
        class_room, home = ROOMS[room]
        parties[Role.CLASSROOM].room = SimulatedRoom(class_room)
        parties[Role.STUDENT].room = SimulatedRoom(home)
    started = time.monotonic()
    try:
        for n, party in enumerate(parties.values()):
            party.engine = _engine(workspace, party, urls[n % len(urls)], drill)
            await party.engine.start()
        await _wait_media(parties, progress)
        setup_done = time.monotonic()
        instances = signaling.instances()  # both are connected once media flows
        if drill is not None and all(p.first_frame is not None for p in parties.values()):
            await asyncio.gather(
                _run_for(parties, seconds, progress),
                drill.run(parties[Role.STUDENT], parties[Role.CLASSROOM]),
            )
        else:
            await _run_for(parties, seconds, progress)
        student_engine = parties[Role.STUDENT].engine
        assert student_engine is not None
        await student_engine.hangup()
        await _wait_ended(parties)
        snapshots = {role: _meter(p) for role, p in parties.items()}
        report = _report(parties, started, setup_done, snapshots)
        report["signaling_instance"] = {r.value: instances.get(r.value) for r in parties}
        if drill is not None:
            names = ("features", "hand", "presence", "whisper", "reaction", "level", "view",
                     "pause", "schedule")  # fmt: skip
            report["interactions"] = {
                n: drill.interactions.get(n, "failed: the call never carried media") for n in names
            }
        return report
    finally:
        for party in parties.values():
            if party.engine is not None:
                with contextlib.suppress(Exception):
                    await party.engine.stop()
        await signaling.stop()


async def _wait_media(parties: dict[Role, Party], progress: Callable[[str], None]) -> None:
    """Until both sides receive frames, either side ends, or set-up times out."""
    progress("Verbinden…")
    waiters: list[asyncio.Future[Any]] = [
        asyncio.ensure_future(asyncio.gather(*(p.media_started.wait() for p in parties.values())))
    ]
    waiters += [asyncio.ensure_future(p.ended.wait()) for p in parties.values()]
    await asyncio.wait(waiters, timeout=SETUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)


async def _run_for(
    parties: dict[Role, Party], seconds: float, progress: Callable[[str], None]
) -> None:
    if any(p.first_frame is None for p in parties.values()):
        return
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        progress(f"Gesprek loopt: nog {left:4.1f} s")
        await asyncio.sleep(min(1.0, left))


async def _wait_ended(parties: dict[Role, Party]) -> None:
    waits = asyncio.gather(*(p.ended.wait() for p in parties.values()))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(waits, 2.0)


def _meter(party: Party) -> MeterStats:
    assert party.engine is not None and party.engine.meter is not None
    return party.engine.meter.snapshot()


def _direction(receiver: Party, snap: MeterStats, sender: Party) -> dict[str, Any]:
    first, last = receiver.first_frame, receiver.last_frame
    span = last - first if first is not None and last is not None else 0.0
    return _echo(sender) | {
        "frames_received": snap.frames_received,
        # frames per second between the first and the last frame that arrived
        "fps": round((snap.frames_received - 1) / span, 1) if span > 0 else 0.0,
        "width": snap.width,
        "height": snap.height,
        "latency_ms_p50": _round(snap.latency_ms_p50),
        "latency_ms_p95": _round(snap.latency_ms_p95),
        "latency_samples": snap.latency_samples,
        "audio_frames_received": snap.audio_frames_received,
        "audio_latency_ms_p50": _round(snap.audio_latency_ms_p50),
        "audio_latency_ms_p95": _round(snap.audio_latency_ms_p95),
        "audio_latency_samples": snap.audio_latency_samples,
        "freezes": snap.freezes,
    }


def _report(
    parties: dict[Role, Party],
    started: float,
    setup_done: float,
    snapshots: dict[Role, MeterStats],
) -> dict[str, Any]:
    student, classroom = parties[Role.STUDENT], parties[Role.CLASSROOM]
    now = time.monotonic()
    firsts = [p.first_frame for p in parties.values()]
    both = all(f is not None for f in firsts)
    connected = all(any(s.state is CallState.LIVE for s in p.states) for p in parties.values())
    stats = student.stats
    ends = {
        p.role.value: (p.states[-1].reason.value if p.states and p.states[-1].reason else None)
        for p in parties.values()
    }
    return {
        "connected": connected,
        "peer_verified": {p.role.value: p.verified for p in parties.values()},
        "setup_ms": round(1000 * (max(f for f in firsts if f) - started)) if both else None,
        "classroom_to_student": _direction(student, snapshots[Role.STUDENT], classroom),
        "student_to_classroom": _direction(classroom, snapshots[Role.CLASSROOM], student),
        "rtt_ms": stats.rtt_ms if stats else None,
        **paths_report(parties),
        "end_reason": ends[Role.STUDENT.value],
        "end_reasons": ends,
        "media_seconds": round(now - setup_done, 1),
    }


_TYPE_ORDER = ("host", "prflx", "srflx", "relay")
_RELAY_ORDER = ("udp", "tcp", "tls")


def paths_report(parties: dict[Role, Party]) -> dict[str, Any]:
    """Which path the call took (no addresses): each side's view and the call's.

    The call's ``candidate_type`` is the more indirect side's; its ``relay_protocol``
    the most constrained transport any side used to reach the relay (udp < tcp < tls).
    """
    sides = {
        p.role.value: {
            "candidate_type": p.stats.candidate_type if p.stats else None,
            "relay_protocol": p.stats.relay_protocol if p.stats else None,
        }
        for p in parties.values()
    }
    types = [s["candidate_type"] for s in sides.values() if s["candidate_type"] in _TYPE_ORDER]
    relays = [s["relay_protocol"] for s in sides.values() if s["relay_protocol"] in _RELAY_ORDER]
    return {
        "candidate_type": max(types, key=_TYPE_ORDER.index) if types else None,
        "relay_protocol": max(relays, key=_RELAY_ORDER.index) if relays else None,
        "paths": sides,
    }


def _echo(sender: Party) -> dict[str, Any]:
    """What the sender's audio processing left of its own speaker's sound (--room)."""
    if sender.echo is None or sender.engine is None:
        return {}
    figures = sender.echo.report()
    room, processing = sender.room, sender.engine.processing
    return {
        "audio_processing": sender.engine.processor.state.value,
        "echo_return_loss_enhancement_db": figures.echo_return_loss_enhancement_db,
        "near_end_kept_db": figures.near_end_kept_db,
        "noise_suppressed_db": figures.noise_suppressed_db,
        "echo_convergence_ms": figures.convergence_ms,
        # Why a run's ERLE is what it is (docs/performance.md, "the live spread").
        "echo_worst_100ms_share": figures.worst_100ms_share,
        "echo_delay_hints_ms": list(sender.engine.processor.delay_hints),
        "echo_reference_dropped_chunks": processing.reference_dropped if processing else None,
        "echo_leak_guard_cut_chunks": sender.engine.processor.guard_cuts,  # media.audio.leakguard
        "room_speaker_underruns": room.underruns if room is not None else None,
        "room_mic_clipped_samples": room.clipped_samples if room is not None else None,
    }


def media_flowed(report: dict[str, Any]) -> bool:
    """Both ways: video frames and audio arrived."""
    return all(
        report[d]["frames_received"] > 0 and report[d]["audio_frames_received"] > 0
        for d in ("classroom_to_student", "student_to_classroom")
    )


def exercised(report: dict[str, Any]) -> bool:
    """Every interaction of --exercise was observed on the other side."""
    interactions = report.get("interactions", {})
    return all(v == "ok" for v in interactions.values())


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
