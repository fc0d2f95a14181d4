"""``klasgenoot demo --headless --network NAME``: the demo call across the network lab.

The lab (netlab) builds network namespaces on this machine: the signaling server
and coturn in ``internet``, the pupil's laptop behind a home router, a carrier NAT
or hospital Wi-Fi, and the Klasgenoot behind a school firewall that lets out only
TCP 443. Each device's engine runs on its own thread inside its namespace (sockets
keep the namespace they were made in), so the call really crosses NATs and
firewalls and goes through the relay: nothing is faked, nothing leaves the lab.
The report is the loopback demo's, with the path the call took.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import time
from collections.abc import Callable, Coroutine
from typing import Any

import netlab
from app.demo.headless import (
    FPS,
    SIZES,
    Party,
    _report,
    _run_for,
    _wait_ended,
    _wait_media,
)
from app.demo.workspace import Network, Workspace
from app.runtime import DeviceRuntime
from media.control import ControlMessage
from media.engine import Engine
from media.impair import Impairment
from media.measure import MeterStats
from media.peer import LocalMedia
from media.ports import EngineListener
from media.state import StateChange
from media.stats import CallStats
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack
from netlab.topology import CORE_NET, LAB_NET, LAN_NET
from pairing.roles import Role
from signaling.server import RunningServer, start_server

# Where each device sits, per scenario: (pupil's site, classroom's site).
SCENARIOS: dict[str, tuple[str, str]] = {
    "home-school": ("home", "school"),
    "cgnat-school": ("cgnat", "school"),
    "hospital-school": ("hospital", "school"),
}
NAMES = ("loopback", *SCENARIOS)
SIGNALING_PORT = 443  # the school lets out only TCP 443


class _ToMainLoop:
    """The engine's listener on another thread: every report is handed to the main
    loop, where the demo's Party lives (only immutable values cross)."""

    def __init__(self, party: Party, loop: asyncio.AbstractEventLoop) -> None:
        self._party = party
        self._loop = loop

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the main loop has already closed
            self._loop.call_soon_threadsafe(fn, *args)

    def on_state(self, change: StateChange) -> None:
        self._post(self._party.on_state, change)

    def on_stats(self, stats: CallStats) -> None:
        self._post(self._party.on_stats, stats)

    def on_control(self, message: ControlMessage) -> None:
        self._post(self._party.on_control, message)

    def on_signaling(self, connected: bool) -> None:
        self._post(self._party.on_signaling, connected)

    def on_peer_online(self, online: bool) -> None:
        self._post(self._party.on_peer_online, online)

    def on_video_frame(self, frame: Any) -> None:
        self._post(self._party.on_video_frame, frame)

    def on_audio_frame(self, frame: Any) -> None:
        self._post(self._party.on_audio_frame, frame)

    def on_sending(self, sending: bool) -> None:
        self._post(self._party.on_sending, sending)


def check_lab() -> None:
    """Before anything is made: can this machine build the lab at all?"""
    netlab.check_requirements(coturn=True)


def lab_network() -> Network:
    """The fleet of a network demo: server and relay at the lab's addresses.

    coturn may relay to the sites' public addresses and to its own relay address
    (relay to relay), never to the rest of the core (the signaling server) nor to
    the sites' private LANs: they are the lab's RFC 1918, which the real relay
    denies too (coturn ends a session whose peer it cannot route to).
    """
    return Network(
        netlab.SERVER_IP,
        SIGNALING_PORT,
        netlab.TURN_IP,
        allowed_peers=(str(LAB_NET),),
        denied_peers=(str(CORE_NET), str(LAN_NET)),
    )


def run_network_demo(
    workspace: Workspace,
    seconds: float,
    scenario: str,
    progress: Callable[[str], None] = lambda _s: None,
) -> dict[str, Any]:
    """Build the lab, run the call across it, tear the lab down (always).

    Without root, ip, iptables or coturn: netlab.LabUnavailable, one Dutch sentence
    naming what is missing (the command prints it and exits 1).
    """
    netlab.check_requirements(coturn=True)
    pupil_site, class_site = SCENARIOS[scenario]
    progress("Netwerklab bouwen…")
    with netlab.Lab(sites=(pupil_site, class_site)) as lab:
        lab.start_coturn(workspace.turn_config)
        report = asyncio.run(
            _call(lab, workspace, seconds, progress, sites=(pupil_site, class_site))
        )
        report["network"] = scenario
        report["lab_leaks"] = lab.leaks()
        return report


async def _on[T](nsloop: Any, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a namespace's loop and wait for it here."""
    future: concurrent.futures.Future[T] = nsloop.submit(coro)
    return await asyncio.wrap_future(future)


class LabCall:
    """A call across a built lab: the signaling server in `internet`, each device's
    engine on its own thread inside its site (the demo, tests and bench/network_bench).

    ``listeners`` may wrap each device's listener (it runs on that device's thread);
    ``impairments`` add user-space delay and loss to a device's ICE sockets.
    """

    def __init__(
        self,
        lab: Any,
        workspace: Workspace,
        sites: tuple[str, str],
        *,
        listeners: Callable[[Role, EngineListener], EngineListener] | None = None,
        impairments: dict[Role, Impairment] | None = None,
    ) -> None:
        self.lab = lab
        self.workspace = workspace
        self.where = {Role.STUDENT: sites[0], Role.CLASSROOM: sites[1]}
        self.parties = {role: Party(role) for role in self.where}
        self.engines: dict[Role, Engine] = {}
        self._listeners = listeners
        self._impairments = impairments or {}
        self._server: RunningServer | None = None

    async def on[T](self, role: Role | str, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on a device's loop (a Role) or a place's (``"internet"``)."""
        place = self.where[role] if isinstance(role, Role) else role
        return await _on(self.lab.loop(place), coro)

    async def start(self) -> None:
        main = asyncio.get_running_loop()
        self._server = await self.on(
            "internet", start_server(self.workspace.server, netlab.SERVER_IP, SIGNALING_PORT)
        )
        for role in (Role.CLASSROOM, Role.STUDENT):
            listener: EngineListener = _ToMainLoop(self.parties[role], main)
            if self._listeners is not None:
                listener = self._listeners(role, listener)
            self.engines[role] = await self.on(
                role, _start_engine(self.workspace, role, listener, self._impairments.get(role))
            )

    async def snapshots(self) -> dict[Role, MeterStats]:
        return {role: await self.on(role, _snapshot(e)) for role, e in self.engines.items()}

    async def stop(self) -> None:
        for role, engine in self.engines.items():
            with contextlib.suppress(Exception):
                await self.on(role, engine.stop())
        if self._server is not None:
            await self.on("internet", self._server.stop())


async def _call(
    lab: Any,
    workspace: Workspace,
    seconds: float,
    progress: Callable[[str], None],
    *,
    sites: tuple[str, str],
) -> dict[str, Any]:
    call = LabCall(lab, workspace, sites)
    parties = call.parties
    started = time.monotonic()
    try:
        await call.start()
        await _wait_media(parties, progress)
        setup_done = time.monotonic()
        await _run_for(parties, seconds, progress)
        await call.on(Role.STUDENT, call.engines[Role.STUDENT].hangup())
        await _wait_ended(parties)
        return _report(parties, started, setup_done, await call.snapshots())
    finally:
        await call.stop()


async def _start_engine(
    workspace: Workspace, role: Role, listener: EngineListener, impairment: Impairment | None
) -> Engine:
    """Made and started on the device's own loop, inside its namespace."""
    runtime = DeviceRuntime.load(workspace.device_dir(role), dev_keyring=True)
    width, height = SIZES[role]
    media = LocalMedia(audio=SyntheticAudioTrack(), video=SyntheticVideoTrack(width, height, FPS))
    # Real interfaces, not loopback: host and server-reflexive candidates of the lab.
    engine = runtime.engine(
        listener, media, loopback_only=False, measure=True, impairment=impairment
    )
    await engine.start()
    return engine


async def _snapshot(engine: Engine) -> MeterStats:
    assert engine.meter is not None
    return engine.meter.snapshot()
