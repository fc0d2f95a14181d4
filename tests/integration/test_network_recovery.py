"""A live call across the lab survives an outage and a change of network, and comes
back soon after the link does (bounds generous: the figures are bench/network_bench's).

Needs root (namespaces); CI runs as root with iproute2, iptables and coturn installed.
"""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import Callable, Iterator

import pytest

import netlab
from app.demo.headless import _wait_media
from app.demo.network import LabCall, lab_network
from app.demo.workspace import Workspace, prepare
from media.state import CallState
from pairing.roles import Role

if os.geteuid() != 0:
    pytest.skip("the network lab needs root (CI runs as root)", allow_module_level=True)

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def workspace() -> Iterator[Workspace]:
    made, _ = prepare(None, lab_network())
    try:
        yield made
    finally:
        made.cleanup()


async def _until(check: Callable[[], bool], limit: float, what: str) -> float:
    """Seconds until ``check`` held; fails the test after ``limit``."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > limit:
            raise AssertionError(f"not within {limit} s: {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


def _both_receive_since(call: LabCall, since: float) -> bool:
    return all((p.last_frame or 0) > since for p in call.parties.values())


def _both(call: LabCall, state: CallState) -> bool:
    return all(p.state is state for p in call.parties.values())


async def _live_call(lab: netlab.Lab, workspace: Workspace) -> LabCall:
    call = LabCall(lab, workspace, ("home", "school"))
    await call.start()
    await _wait_media(call.parties, lambda _s: None)
    assert _both_receive_since(call, 0), "the call never carried media"
    return call


def test_media_is_back_soon_after_an_outage_of_the_pupils_link(workspace: Workspace) -> None:
    async def scenario(lab: netlab.Lab) -> None:
        call = await _live_call(lab, workspace)
        try:
            lab.blackhole("home", True)  # everything: media, relay and signaling
            noticed = await _until(
                lambda: _both(call, CallState.RECONNECTING), 4.0, "both show reconnecting"
            )
            assert noticed <= 3.5
            await asyncio.sleep(9.0 - noticed)  # longer than aioice's check schedule
            lab.blackhole("home", False)
            healed = time.monotonic()
            back = await _until(lambda: _both_receive_since(call, healed), 8.0, "media back")
            assert back <= 6.0, back  # target 2 s: see docs/performance.md
            assert _both(call, CallState.LIVE)
        finally:
            await call.stop()

    with netlab.Lab(sites=("home", "school")) as lab:
        lab.start_coturn(workspace.turn_config)
        asyncio.run(scenario(lab))
        assert lab.leaks() == 0


def test_after_udp_comes_back_the_call_does_not_wait_on_a_blocked_path(
    workspace: Workspace,
) -> None:
    """A guest Wi-Fi that stops passing UDP for 5 s: the remembered UDP path gathers no
    relay, so the next path is taken at once instead of waiting out an attempt."""

    async def scenario(lab: netlab.Lab) -> None:
        call = await _live_call(lab, workspace)
        try:
            lab.exec("home-nat", ["iptables", "-A", "KGBLOCK", "-p", "udp", "-j", "DROP"])
            await _until(lambda: _both(call, CallState.RECONNECTING), 4.0, "both show reconnecting")
            await asyncio.sleep(2.5)
            lab.exec("home-nat", ["iptables", "-F", "KGBLOCK"])
            healed = time.monotonic()
            back = await _until(lambda: _both_receive_since(call, healed), 8.0, "media back")
            assert back <= 3.0, back  # 3.7-3.9 s before; target 2 s (docs/performance.md)
        finally:
            await call.stop()

    with netlab.Lab(sites=("home", "school")) as lab:
        lab.start_coturn(workspace.turn_config)
        asyncio.run(scenario(lab))
        assert lab.leaks() == 0


def test_the_laptop_losing_its_wifi_for_4g_mid_call_is_back_within_seconds(
    workspace: Workspace,
) -> None:
    """Issue 10 item 6: the laptop itself loses its Wi-Fi, its own 4G takes over (and
    back). Both sides show "reconnecting" within 3 s and media flows again soon: the
    pupil sees its address go, the class drops the old link once the pupil's new
    hello comes with the old link silent (0.5 s, not the 2.5 s peer timeout)."""

    async def one_switch(lab: netlab.Lab, call: LabCall, to: str) -> None:
        seen = {role: len(p.states) for role, p in call.parties.items()}

        def reconnecting(role: Role) -> bool:
            states = call.parties[role].states[seen[role] :]
            return any(c.state is CallState.RECONNECTING for c in states)

        lab.set_device_link("home", to)
        switched = time.monotonic()
        shown = {
            role: await _until(functools.partial(reconnecting, role), 3.0, f"{role} reconnecting")
            for role in (Role.STUDENT, Role.CLASSROOM)
        }
        assert shown[Role.CLASSROOM] <= 1.5, shown  # peer_timeout alone would take 2.5 s
        both_noticed = time.monotonic()
        back = await _until(lambda: _both_receive_since(call, both_noticed), 6.0, "media")
        assert time.monotonic() - switched <= 6.0, back
        await _until(lambda: _both(call, CallState.LIVE), 2.0, "both live")

    async def scenario(lab: netlab.Lab) -> None:
        call = await _live_call(lab, workspace)
        try:
            await one_switch(lab, call, "4g")
            await one_switch(lab, call, "wifi")
        finally:
            await call.stop()

    with netlab.Lab(sites=("home", "school"), mobile=("home",)) as lab:
        lab.start_coturn(workspace.turn_config)
        asyncio.run(scenario(lab))
        assert lab.leaks() == 0


def test_a_new_uplink_mid_call_reconnects_by_itself(workspace: Workspace) -> None:
    """Wi-Fi → 4G at the pupil's: a new public address, every flow and mapping gone."""

    async def scenario(lab: netlab.Lab) -> None:
        call = await _live_call(lab, workspace)
        try:
            switched = time.monotonic()
            lab.set_uplink("home", "b")
            pupil = call.parties[Role.STUDENT]
            # The pupil hears nothing any more; the class may still get the pupil's
            # packets for a moment (they leave by the new uplink with the old address).
            noticed = await _until(
                lambda: pupil.state is not CallState.LIVE, 4.0, "the pupil shows reconnecting"
            )
            assert noticed <= 3.5
            back = await _until(lambda: _both_receive_since(call, switched + 3.5), 10.0, "media")
            assert back <= 9.0, back
            await _until(lambda: _both(call, CallState.LIVE), 2.0, "both live")
        finally:
            await call.stop()

    with netlab.Lab(sites=("home", "school")) as lab:
        lab.start_coturn(workspace.turn_config)
        asyncio.run(scenario(lab))
        assert lab.leaks() == 0
