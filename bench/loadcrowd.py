"""The devices that do not relay, in a process of their own (bench.signaling_load
``--crowd``).

In the field every device does its own side of the TLS handshake on its own machine.
In one benchmark process, the devices' side of a reconnect storm (1,000 handshakes
in a few seconds) held that process's loop for up to 100-280 ms at a time, and the
relays it timed waited with them: the round trips then said more about the benchmark
than about the server. Here the devices that only keep a connection (half of them)
run in a second process; the benchmark keeps the pairs that relay and times them.
They still share this machine's cores with the servers.

Reads one JSON line on stdin: ``{"pairs": P, "urls": [...], "indices": [...],
"concurrency": C, "tls_threads": T}`` (device indices as bench.loadparts.placed orders them), then
prints ``state CONNECTED ON_LAST FAILURES FIRST_FAILURE`` whenever that changes (at
most every 50 ms), and ``gaps S ...`` with the seconds each device that came back
was without a connection, until stdin closes. A line ``storm`` cuts every device's
connection at once (bench.loadstorm); ``leave`` cuts them and they stay away
(bench.teardown; ``leave reset``: with a reset instead of the end of the stream).
The process then stops itself (``SIGSTOP``) until it is told to go on
(``SIGCONT``), so that what the devices' side does with its ends (several ms of CPU
each: aiohttp's and asyncio's, here on the server's two cores) does not take the
machine from the server it measures, as devices whose network failed do not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import sys
from typing import Any

import aiohttp

from bench.fleetcache import fleet
from bench.loadparts import Device, Figures, placed, run_device
from bench.loadstorm import cut, reset
from bench.loadtls import thread_device_handshakes
from signaling.tls import client_context
from signaling.tuning import small_tls_buffers

SOURCES = 250
REPORT_EVERY = 0.05


async def crowd(spec: dict[str, Any]) -> None:
    # the devices' side of their handshakes in threads, as bench.signaling_load's
    # --device-tls-threads does there
    thread_device_handshakes(asyncio.get_running_loop(), int(spec.get("tls_threads", 0)))
    _, pairs = fleet(spec["pairs"])
    urls: list[str] = spec["urls"]
    everyone = placed(pairs, urls)
    devices = [everyone[i] for i in spec["indices"]]
    for dev in devices:
        dev.ctx = client_context(dev.creds)
        dev.says_crl = bool(spec.get("says_crl", True))
        dev.crl_number = 1 if spec.get("hold_crl") else None  # the servers' CRL is number 1
    figures = Figures()
    sessions = [
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=0, local_addr=(f"127.0.0.{2 + n}", 0), timeout_ceil_threshold=math.inf
            )
        )
        for n in range(SOURCES)
    ]
    gate = asyncio.Semaphore(spec["concurrency"])
    tasks: list[asyncio.Task[None]] = []

    async def admit(n: int, dev: Device) -> None:
        async with gate:
            task = run_device(dev, sessions[n % SOURCES], figures, _ignore, spec["indices"][n])
            tasks.append(asyncio.create_task(task))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(dev.connected.wait(), 30)

    admitting = asyncio.gather(*(admit(n, d) for n, d in enumerate(devices)))
    reporting = asyncio.create_task(_report(devices, urls[-1], figures))
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):  # until EOF
            if line.strip() == "storm":
                for dev in devices:
                    cut(dev)
            elif line.strip() in {"leave", "leave reset"}:  # cut, stay away (bench.teardown)
                resets = line.strip() == "leave reset"
                for dev in devices:
                    (reset if resets else cut)(dev)
                if resets:
                    await asyncio.sleep(0.2)  # asyncio closes the sockets a pass later
                os.kill(os.getpid(), signal.SIGSTOP)  # silent until SIGCONT
                admitting.cancel()
                for task in tasks:
                    task.cancel()
    finally:
        admitting.cancel()
        reporting.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(admitting, reporting, *tasks, return_exceptions=True)
        for session in sessions:
            await session.close()


def _ignore(dev: Device, payload: dict[str, Any]) -> None:
    return None  # these devices do not relay


async def _report(devices: list[Device], last: str, figures: Figures) -> None:
    said = ""
    while True:
        gaps, figures.gaps[:] = figures.gaps[:], []
        if gaps:
            print("gaps", *(f"{g:.3f}" for g in gaps), flush=True)
        up = [d for d in devices if d.connected.is_set()]
        line = (
            f"state {len(up)} {sum(d.url == last for d in up)} "
            f"{len(figures.failures)} {figures.first_failure_at}"
        )
        if line != said:
            print(line, flush=True)
            said = line
        await asyncio.sleep(REPORT_EVERY)


def main() -> int:
    spec = json.loads(sys.stdin.readline())
    small_tls_buffers()
    asyncio.run(crowd(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
