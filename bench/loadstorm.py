"""A reconnect storm (bench.signaling_load ``--storm``): every device that does not
time relays loses its connection at once, as when the network between the devices
and the server fails for a moment, and reconnects with its backoff; the pairs that time relays
stay connected and keep relaying through it (the issue's storm target is theirs)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import struct
import time
from collections.abc import Callable
from typing import Any, Protocol

from bench.loadparts import Device, Figures, Instance, pct, seconds

GIVE_UP = 90.0  # seconds: a storm that has not settled by then is reported as such


class Others(Protocol):
    """The crowd process's side (bench.signaling_load.Crowd), as far as a storm needs it."""

    connected: int
    gaps: list[float]

    def cpu(self) -> float: ...

    async def cut(self) -> None: ...


def cut(dev: Device) -> bool:
    """Cut ``dev``'s connection as a network would: both ends read the end of the
    stream (no WebSocket close, no TLS close_notify); its own loop then reconnects."""
    ws = dev.ws
    if ws is None or ws.closed or not dev.connected.is_set():
        return False
    sock = ws.get_extra_info("socket")
    if sock is None:
        return False
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    return True


def reset(dev: Device) -> bool:
    """Cut ``dev``'s connection with a reset, as a middlebox that drops its state may:
    closed with a linger of 0 (the kernel sends RST when asyncio closes the socket,
    one pass of this loop later)."""
    ws = dev.ws
    connection = ws._response.connection if ws is not None else None  # aiohttp's own
    transport = connection.transport if connection is not None else None
    if ws is None or ws.closed or transport is None or not dev.connected.is_set():
        return False
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True


async def storm(
    instances: list[Instance],
    cut_here: list[Device],
    figures: Figures,
    crowd: Others | None,
    steady_busy: Callable[[float], float],
) -> dict[str, Any]:
    """Cut ``cut_here`` and the crowd's devices at once; time until each is back (its
    ``hello`` again), and what the instances spent on it beyond their steady
    relaying (``steady_busy(seconds)``)."""
    figures.gaps.clear()
    crowd_cut = crowd.connected if crowd else 0
    if crowd:
        crowd.gaps.clear()
    figures.phase = "storm"
    cpu0 = sum(i.cpu() for i in instances)
    devices0 = time.process_time() + (crowd.cpu() if crowd else 0)
    started = time.monotonic()
    if crowd:
        await crowd.cut()
    here = sum(cut(d) for d in cut_here)
    total = here + crowd_cut

    def back() -> int:
        return len(figures.gaps) + (len(crowd.gaps) if crowd else 0)

    first_back = math.inf
    while time.monotonic() - started < GIVE_UP:  # polled: the crowd's figures come by pipe
        if back() and first_back == math.inf:
            first_back = time.monotonic()
        if back() >= total:
            break
        await asyncio.sleep(0.05)
    took = time.monotonic() - started
    server_cpu = sum(i.cpu() for i in instances) - cpu0 - steady_busy(took)
    devices_cpu = time.process_time() + (crowd.cpu() if crowd else 0) - devices0
    figures.phase = "steady"
    gaps = figures.gaps + (crowd.gaps if crowd else [])
    # The cut itself (the server ends every cut connection in the same moment) and
    # the reconnects that follow (what the backoff and the handshake budget spread)
    # hold relays differently: the second figure is of relays sent once devices
    # were coming back.
    reconnects = [rtt for sent, rtt in figures.storm_relays if sent >= first_back]
    return {
        "storm_devices": total,
        "storm_back": back(),
        "storm_s": round(took, 2),
        "storm_first_back_s": None if first_back == math.inf else round(first_back - started, 2),
        "relay_rtt_ms_p99_during_storm_reconnects": pct(reconnects, 0.99),
        "relay_samples_during_storm_reconnects": len(reconnects),
        "storm_device_gap_s_p50": seconds(pct(gaps, 0.5)),
        "storm_device_gap_s_p99": seconds(pct(gaps, 0.99)),
        "storm_device_gap_s_max": seconds(pct(gaps, 1.0)),
        "storm_server_cpu_ms_per_device": round(1000 * server_cpu / max(1, total), 2),
        "storm_devices_side_cpu_ms_per_device": round(1000 * devices_cpu / max(1, total), 2),
    }
