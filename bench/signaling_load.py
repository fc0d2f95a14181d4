"""Load benchmark of the signaling server: N real mTLS devices against 1 or 2 instances.

    .venv/bin/python -m bench.signaling_load --devices 1000 [--instances 2] [--restart]
        [--relay-rate 500] [--seconds 20] [--json out.json] [--crowd [--time-stayed-only]]
        [--device-tls-threads 1] [--storm | --revoke] [--revoked N]
        [--old-devices | --devices-hold-crl]

Each instance is a real ``klasgenoot server`` process on 127.0.0.1 (two share a
redis-server the benchmark starts on a free loopback port). All devices connect
(real device certificates, made once and cached: bench.fleetcache); the pairs of
half of them exchange relays: the student sends, the classroom echoes, the student
measures the round trip through the server(s) twice. ``--restart`` (two instances)
then stops instance 1 with SIGTERM: its devices drain to instance 2, and the pairs
that sat on instance 2 throughout must lose no relay. ``--crowd``: the devices that
do not relay run in a second process (bench.loadcrowd), as devices on other machines
would: the devices' side of their handshakes then does not hold the loop that times
the relays. ``--time-stayed-only`` (with ``--crowd --restart``) goes one step further:
only the relaying pairs that sit on instance 2 throughout run here, and every device
that moves runs in the crowd process, so this process does no handshake during the
move and its round trips are the server's and the machine's, not its own.
``--storm`` (instead of ``--restart``): after the steady phase every device but an
eighth of the pairs loses its connection at once and reconnects with its backoff
(bench.loadstorm); that eighth keeps relaying through it and times it.
``--revoked N``: the servers' CRL lists N other certificates (a fleet's ended
pairings), so each device gets that much on connecting; the devices say which CRL
they hold when they reconnect, as real ones do, unless ``--old-devices``.
``--revoke``: after the steady phase a CRL one number higher reaches every device
(bench.loadrevoke).
A relay is lost if it was sent during the move (or storm) and never echoed: each
carries a number, and the count is taken a second after the last was sent.

Printed: devices connected, TLS handshakes per second, relay round trip p50/p99
(steady, and during the move), server CPU and resident memory per 1,000 devices,
and the first failure (where it broke). Bounded: it stops by itself after the
phases; everything is loopback. Not a test: the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from app.demo.servers import RedisProcess
from bench.fleetcache import crl_with, fleet
from bench.loadparts import (
    ROOT,
    TICK,
    Device,
    Figures,
    Instance,
    all_descriptors,
    pct,
    placed,
    print_report,
    relaying,
    run_device,
    seconds,
    send,
)
from bench.loadrevoke import revoke
from bench.loadstorm import storm
from bench.loadtls import thread_device_handshakes
from common.paths import write_private_file
from pairing.credentials import DeviceCredentials
from signaling.stalls import StallWatch
from signaling.tls import client_context
from signaling.tuning import small_tls_buffers

SOURCES = 250
_random = secrets.SystemRandom()


class LoadRun:
    """One run: the instances (and Redis), the devices, and what was measured."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="klasgenoot-load-"))
        self.redis: RedisProcess | None = None
        self.instances: list[Instance] = []
        self.devices: list[Device] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.sessions: list[aiohttp.ClientSession] = []
        self.figures = Figures()
        self.report: dict[str, Any] = {"instances": args.instances}
        self.report["load_average_at_start"] = round(os.getloadavg()[0], 1)
        self.crowd = Crowd() if args.crowd else None
        self.pairs = 0
        self.fleet_dir = Path()  # the cached fleet's server folder (start_servers)

    async def start_servers(self, fleet_dir: Path) -> None:
        self.fleet_dir = fleet_dir
        if self.args.instances > 1:
            self.redis = RedisProcess(self.work / "redis")
            self.redis.start()
        crl = crl_with(fleet_dir, self.args.revoked) if self.args.revoked else None
        if crl is not None:
            self.report["crl_pem_kb"] = round(len(crl) / 1000, 1)
        for n in range(self.args.instances):
            shutil.copytree(fleet_dir, self.work / f"server-{n}")
            if crl is not None:
                write_private_file(self.work / f"server-{n}" / "crl.pem", crl)
            url = self.redis.url if self.redis else None
            extra: tuple[str, ...] = ("--stall-stacks",) if self.args.stall_stacks else ()
            if self.args.server_tls_threads is not None:
                extra += ("--handshake-threads", str(self.args.server_tls_threads))
            self.instances.append(Instance(self.work / f"server-{n}", url, extra))
            await self.instances[-1].start()

    def make_devices(self, pairs: list[tuple[DeviceCredentials, DeviceCredentials]]) -> None:
        self.pairs = len(pairs)
        self.devices = placed(pairs, [i.url for i in self.instances])
        for dev in self.here():
            dev.ctx = client_context(dev.creds)  # the device's own set-up: not timed
            dev.says_crl = not self.args.old_devices
            dev.crl_number = 1 if self.args.devices_hold_crl else None
        self.report["devices"] = len(self.devices)
        self.report["devices_in_crowd_process"] = len(self.devices) - len(self.here())

    def active(self) -> set[int]:
        """The pairs that relay: half of them (bench.loadparts.relaying), with --storm
        an eighth (runs of four, every placement), or with --time-stayed-only those
        of that half that sit on the last instance."""
        if self.args.storm:
            return {k for k in range(self.pairs) if (k // 4) % 8 == 0}
        pairs = relaying(self.pairs)
        if not self.args.time_stayed_only:
            return pairs
        last = self.instances[-1].url
        homes = [d.urls[0] for d in self.devices]
        return {k for k in pairs if homes[2 * k] == last == homes[2 * k + 1]}

    def here(self) -> list[Device]:
        """The devices this process runs: all, or with --crowd those that relay."""
        if self.crowd is None:
            return self.devices
        return [d for k in sorted(self.active()) for d in self.devices[2 * k : 2 * k + 2]]

    def elsewhere(self) -> list[int]:
        """With --crowd, the indices of the devices the crowd process runs."""
        active = self.active()
        return [i for i in range(len(self.devices)) if i // 2 not in active]

    def on_relay(self, dev: Device, payload: dict[str, Any]) -> None:
        k = int(payload.get("k", -1))
        if payload.get("echo"):
            rtt = time.monotonic() - payload["t"]
            self.figures.rtts[self.figures.phase].append(rtt)
            if k in self.figures.stayed:  # through a move or a storm
                self.figures.echoed.add((k, int(payload.get("n", -1))))
                if self.figures.phase == "move":
                    self.figures.rtts["move_stayed"].append(rtt)
            if self.figures.phase == "storm":  # by when it was sent: the cut, or after
                self.figures.storm_relays.append((payload["t"], rtt))
        else:  # the classroom answers at once
            asyncio.get_running_loop().create_task(send(dev, {**payload, "echo": 1}))

    async def connect(self) -> None:
        # Devices come from many addresses in the field; the server allows 8 pending
        # handshakes per source, so the devices here spread over 127.0.0.2-127.0.0.251.
        self.sessions = [
            aiohttp.ClientSession(
                # not rounded: 10,000 heartbeats rounded up to whole seconds fired
                # ~500 at a time here, as they did in the server
                connector=aiohttp.TCPConnector(
                    limit=0, local_addr=(f"127.0.0.{2 + n}", 0), timeout_ceil_threshold=math.inf
                )
            )
            for n in range(SOURCES)
        ]
        gate = asyncio.Semaphore(self.args.concurrency)

        async def admit(index: int, dev: Device) -> None:
            async with gate:  # at most --concurrency connects in flight
                session = self.sessions[index % SOURCES]
                task = run_device(dev, session, self.figures, self.on_relay, index)
                self.tasks.append(asyncio.create_task(task))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(dev.connected.wait(), 30)

        rss0, cpu0, loop0 = self.rss(), self.cpu(), self.loop_cpu()
        started = time.monotonic()
        if self.crowd is not None:
            spec = {"pairs": self.pairs, "urls": [i.url for i in self.instances],
                    "indices": self.elsewhere(), "concurrency": self.args.concurrency,
                    "tls_threads": self.args.device_tls_threads,
                    "says_crl": not self.args.old_devices,
                    "hold_crl": self.args.devices_hold_crl}  # fmt: skip
            await self.crowd.start(spec)
        index = {id(d): i for i, d in enumerate(self.devices)}
        await asyncio.gather(*(admit(index[id(d)], d) for d in self.here()))
        if self.crowd is not None:
            await self.crowd.until(lambda c: c.connected == c.size, 60)
        connected = sum(d.connected.is_set() for d in self.here())
        connected += self.crowd.connected if self.crowd else 0
        took = time.monotonic() - started
        print(f"… {connected} connected in {took:.1f} s", file=sys.stderr, flush=True)
        await asyncio.sleep(2.0)  # settle: presence across instances
        gc.collect()  # this process's own pauses would count as relay time
        gc.freeze()
        rss1 = self.rss()
        self.report |= {
            "connected": connected,
            "handshakes_per_s": round(connected / took, 1),
            "server_cpu_ms_per_handshake": round(1000 * (self.cpu() - cpu0) / max(1, connected), 2),
            # ... of which on the instances' loop threads (the rest: TLS and log threads)
            "server_loop_cpu_ms_per_handshake": round(
                1000 * (self.loop_cpu() - loop0) / max(1, connected), 2
            ),
            "server_rss_mb": round(rss1 / 2**20, 1),
            "server_kb_per_device": round((rss1 - rss0) / max(1, connected) / 1000, 1),
        }

    async def relay_phase(self) -> None:
        relays = asyncio.create_task(
            relay_loop(self.devices, self.active(), self.args.relay_rate, self.figures)
        )
        watching = asyncio.create_task(watch_lag(self.figures))
        own = StallWatch(0.02)  # this process's stalls: longer ones hold every relay here
        own.start()
        cpu1, t0 = self.cpu(), time.monotonic()
        last0, last_loop0 = self.instances[-1].cpu(), self.instances[-1].loop_cpu()
        devices0 = devices_cpu(self.crowd)
        await asyncio.sleep(self.args.seconds)
        self.report["bench_stalls_over_20ms"] = own.stalls
        self.report["bench_longest_stall_ms"] = round(own.longest * 1000, 1)
        busy = (self.cpu() - cpu1) / (time.monotonic() - t0)
        steady_busy = (self.instances[-1].cpu() - last0) / (time.monotonic() - t0)
        steady_loop = (self.instances[-1].loop_cpu() - last_loop0) / (time.monotonic() - t0)
        steady_devices = (devices_cpu(self.crowd) - devices0) / (time.monotonic() - t0)
        self.report["server_cpu_pct_relay"] = round(100 * busy, 1)
        if self.args.restart and len(self.instances) > 1:
            steady, own.stalls, own.longest = own.stalls, 0, 0.0
            self.report |= await restart(
                self.instances,
                self.devices,
                self.here(),
                self.figures,
                self.crowd,
                steady_busy=steady_busy,
                steady_loop=steady_loop,
                steady_devices=steady_devices,
            )
            # the devices' side of the move's handshakes runs here too: is it the limit?
            self.report["bench_stalls_over_20ms_during_move"] = own.stalls
            self.report["bench_longest_stall_ms_during_move"] = round(own.longest * 1000, 1)
            own.stalls = steady
        if self.args.storm:
            steady, own.stalls, own.longest = own.stalls, 0, 0.0
            self.figures.stayed = self.active()  # they keep relaying through it
            index = {id(d): i for i, d in enumerate(self.devices)}
            cut_here = [d for d in self.here() if index[id(d)] // 2 not in self.figures.stayed]
            self.report |= await storm(
                self.instances, cut_here, self.figures, self.crowd, lambda s: busy * s
            )
            self.report["bench_stalls_over_20ms_during_storm"] = own.stalls
            self.report["bench_longest_stall_ms_during_storm"] = round(own.longest * 1000, 1)
            own.stalls = steady
        if self.args.revoke:
            steady, own.stalls, own.longest = own.stalls, 0, 0.0
            self.report |= await revoke(
                self.instances, self.here(), self.figures, self.fleet_dir, self.args.revoked
            )
            self.report["bench_stalls_over_20ms_during_revoke"] = own.stalls
            self.report["bench_longest_stall_ms_during_revoke"] = round(own.longest * 1000, 1)
            own.stalls = steady
        own.stop()
        relays.cancel()
        watching.cancel()
        await asyncio.sleep(1.0)  # the last echoes
        if (self.args.restart and len(self.instances) > 1) or self.args.storm:
            sent = self.figures.sent_in_move
            during = "storm" if self.args.storm else "move"
            self.report[f"relays_sent_during_{during}_by_pairs_that_stayed"] = len(sent)
            self.report["relays_lost_by_pairs_that_stayed"] = len(sent - self.figures.echoed)

    def rss(self) -> int:
        return sum(i.rss() for i in self.instances if i.proc and i.proc.returncode is None)

    def cpu(self) -> float:
        return sum(i.cpu() for i in self.instances if i.proc and i.proc.returncode is None)

    def loop_cpu(self) -> float:
        return sum(i.loop_cpu() for i in self.instances if i.proc and i.proc.returncode is None)

    def results(self) -> dict[str, Any]:
        rtts = self.figures.rtts
        failures, first = len(self.figures.failures), self.figures.first_failure_at
        if self.crowd is not None:
            failures += self.crowd.failures
            found = [i for i in (first, self.crowd.first_failure) if i is not None]
            first = min(found) if found else None
        self.report |= {
            "load_average_at_end": round(os.getloadavg()[0], 1),
            "relay_rtt_ms_p50": pct(rtts["steady"], 0.5),
            "relay_rtt_ms_p99": pct(rtts["steady"], 0.99),
            "relay_samples": len(rtts["steady"]),
            # The benchmark's own loop: when it lags, it (not the server) is the limit
            # and the round trips above say more about this machine than the server.
            "bench_loop_lag_ms_p99": pct(self.figures.lag, 0.99),
            "failures": failures,
            "broke_at_device": first,
            "failure_kinds": sorted(set(self.figures.failures))[:5],
        }
        if rtts["storm"]:
            self.report["relay_rtt_ms_p50_during_storm"] = pct(rtts["storm"], 0.5)
            self.report["relay_rtt_ms_p99_during_storm"] = pct(rtts["storm"], 0.99)
            self.report["relay_samples_during_storm"] = len(rtts["storm"])
        if rtts["move"]:
            self.report["relay_rtt_ms_p99_during_move"] = pct(rtts["move"], 0.99)
            # the target's figure: pairs that stayed connected (the others moved)
            self.report["relay_rtt_ms_p99_during_move_stayed"] = pct(rtts["move_stayed"], 0.99)
            self.report["relay_samples_during_move_stayed"] = len(rtts["move_stayed"])
        return self.report

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for session in self.sessions:
            await session.close()
        if self.crowd is not None:
            await self.crowd.stop()
        for instance in self.instances:
            await instance.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.args.keep:  # the instances' logs, to see where it broke
            print(f"… kept {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    pairs_count = args.devices // 2
    print(f"… certificates for {pairs_count} pairs (cached)", file=sys.stderr, flush=True)
    fleet_dir, pairs = fleet(pairs_count)
    # as on machines of their own: one device's handshake does not hold the others
    threaded = thread_device_handshakes(asyncio.get_running_loop(), args.device_tls_threads)
    run = LoadRun(args)
    run.report["device_tls_threads"] = args.device_tls_threads if threaded else 0
    run.report["server_tls_threads"] = args.server_tls_threads
    try:
        await run.start_servers(fleet_dir)
        run.make_devices(pairs)
        await run.connect()
        await run.relay_phase()
        return run.results()
    finally:
        await run.close()


class Crowd:
    """The process that runs the devices that do not relay (bench.loadcrowd)."""

    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self.size = 0
        self.connected = self.on_last = self.failures = 0
        self.gaps: list[float] = []
        self.first_failure: int | None = None
        self._changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self, spec: dict[str, Any]) -> None:
        self.size = len(spec["indices"])
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.loadcrowd", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(spec).encode() + b"\n")
        await self.proc.stdin.drain()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for line in self.proc.stdout:
            words = line.decode().split()
            if words and words[0] == "gaps":
                self.gaps += [float(w) for w in words[1:]]
            elif len(words) == 5 and words[0] == "state":
                self.connected, self.on_last, self.failures = map(int, words[1:4])
                self.first_failure = None if words[4] == "None" else int(words[4])
                self._changed.set()

    async def until(self, done: Any, within: float) -> bool:
        deadline = time.monotonic() + within
        while not done(self):
            self._changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return True

    def cpu(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    async def cut(self) -> None:
        """Its devices lose their connections at once (bench.loadstorm)."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(b"storm\n")
        await self.proc.stdin.drain()

    async def leave(self, *, reset: bool = False) -> None:
        """Its devices lose their connections at once (``reset``: with a reset) and
        stay away, and the process stops itself until :meth:`stop` (bench.teardown)."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(b"leave reset\n" if reset else b"leave\n")
        await self.proc.stdin.drain()

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        assert self.proc.stdin is not None
        self.proc.send_signal(signal.SIGCONT)  # after leave: it stopped itself
        self.proc.stdin.close()  # EOF: it closes its devices and ends
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            self._reader.cancel()


async def relay_loop(
    devices: list[Device], active: set[int], rate: float, figures: Figures
) -> None:
    """``rate`` relays per second in all, round robin over the active pairs' students."""
    order = sorted(active)
    step = 1.0 / rate
    next_at = time.monotonic()
    n = 0
    while True:
        k = order[n % len(order)]
        n += 1
        moving = figures.phase != "steady" and k in figures.stayed
        if await send(devices[2 * k], {"k": k, "n": n, "t": time.monotonic()}) and moving:
            figures.sent_in_move.add((k, n))
        next_at += step
        delay = next_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif n % 64 == 0:
            await asyncio.sleep(0)


async def watch_lag(figures: Figures) -> None:
    while True:
        before = time.monotonic()
        await asyncio.sleep(0.01)
        if figures.phase == "steady":
            figures.lag.append(time.monotonic() - before - 0.01)


def devices_cpu(crowd: Crowd | None) -> float:
    """The CPU of the devices' side so far: this process and its crowd process."""
    return time.process_time() + (crowd.cpu() if crowd else 0)


async def restart(
    instances: list[Instance],
    devices: list[Device],
    here: list[Device],
    figures: Figures,
    crowd: Crowd | None,
    *,
    steady_busy: float,
    steady_loop: float,
    steady_devices: float,
) -> dict[str, Any]:
    """SIGTERM instance 1 (drain), time its devices' move to instance 2; then count the
    relays lost by pairs that stayed on instance 2 throughout (pairs of ``here``, the
    devices this process runs)."""
    first, second = instances[0].url, instances[1].url
    ours = {id(d) for d in here}
    stayed = [
        k
        for k in range(len(devices) // 2)
        if id(devices[2 * k]) in ours and devices[2 * k].url == second == devices[2 * k + 1].url
    ]
    figures.stayed = set(stayed)
    moving = [d for d in here if d.url == first]
    crowd_moving = crowd.size - crowd.on_last if crowd else 0
    figures.phase = "move"
    started = time.monotonic()
    # CPU of the receiving instance, and of the devices' side (this process, the crowd)
    server0, devices0 = instances[1].cpu(), devices_cpu(crowd)
    loop0 = instances[1].loop_cpu()
    stopping = asyncio.create_task(instances[0].stop())
    deadline = started + 30
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        crowd_done = crowd is None or crowd.on_last == crowd.connected == crowd.size
        if crowd_done and all(d.connected.is_set() and d.url == second for d in moving):
            break
    moved_in = time.monotonic() - started
    # less what it spent relaying before the move, at the same rate
    server_cpu = instances[1].cpu() - server0 - steady_busy * moved_in
    loop_cpu = instances[1].loop_cpu() - loop0 - steady_loop * moved_in
    devices_used = devices_cpu(crowd) - devices0
    # the same less the relaying (sending, timing, answering) they did before the move
    devices_move_cpu = devices_used - steady_devices * moved_in
    code = await stopping
    gaps = figures.gaps + (crowd.gaps if crowd else [])
    figures.phase = "steady"
    crowd_moved = crowd_moving - (crowd.size - crowd.on_last) if crowd else 0
    return {
        "restart_moved": sum(d.connected.is_set() and d.url == second for d in moving)
        + crowd_moved,
        "restart_of": len(moving) + crowd_moving,
        "restart_move_s": round(moved_in, 2),
        # each moved device's own time without signaling (losing one, hello of the other)
        "restart_device_gap_s_p50": seconds(pct(gaps, 0.5)),
        "restart_device_gap_s_p99": seconds(pct(gaps, 0.99)),
        "restart_device_gap_s_max": seconds(pct(gaps, 1.0)),
        "restart_exit_code": code,
        # what the receiving instance spent beyond its steady relaying, per device moved
        "restart_receiver_cpu_ms_per_device": round(
            1000 * server_cpu / max(1, len(moving) + crowd_moving), 2
        ),
        "restart_receiver_loop_cpu_ms_per_device": round(
            1000 * loop_cpu / max(1, len(moving) + crowd_moving), 2
        ),
        "restart_devices_side_cpu_ms_per_device": round(
            1000 * devices_used / max(1, len(moving) + crowd_moving), 2
        ),
        "restart_devices_side_move_cpu_ms_per_device": round(
            1000 * devices_move_cpu / max(1, len(moving) + crowd_moving), 2
        ),
        "pairs_that_stayed": len(stayed),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--instances", type=int, choices=(1, 2), default=1)
    parser.add_argument("--relay-rate", type=float, default=500.0, help="relays/s in all")
    parser.add_argument("--seconds", type=float, default=20.0, help="relay phase length")
    parser.add_argument("--concurrency", type=int, default=60, help="connects in flight")
    parser.add_argument("--restart", action="store_true", help="stop instance 1 midway")
    parser.add_argument(
        "--storm", action="store_true", help="all but an eighth of the pairs reconnect at once"
    )
    parser.add_argument(
        "--crowd", action="store_true", help="the devices that do not relay in a second process"
    )
    parser.add_argument(
        "--time-stayed-only",
        action="store_true",
        help="with --crowd: only the pairs on the last instance relay, here; all else in the crowd",
    )
    parser.add_argument(
        "--server-tls-threads",
        type=int,
        help="the servers' --handshake-threads (default: the server's, 1; 0: on its loop)",
    )
    parser.add_argument(
        "--device-tls-threads",
        type=int,
        default=0,
        help="the devices' handshakes in this many threads (bench.loadtls; 0: on the loop)",
    )
    parser.add_argument(
        "--revoked",
        type=int,
        default=0,
        help="the servers' CRL lists this many other certificates (a fleet's ended pairings)",
    )
    parser.add_argument(
        "--revoke",
        action="store_true",
        help="after the steady phase, a new CRL (one more certificate) reaches every device",
    )
    parser.add_argument(
        "--old-devices",
        action="store_true",
        help="the devices do not say which CRL they hold (as before it was asked): "
        "every connect gets the CRL",
    )
    parser.add_argument(
        "--devices-hold-crl",
        action="store_true",
        help="the devices hold the servers' CRL already (they connected before): "
        "it is not sent on connecting",
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the servers' folders")
    parser.add_argument(
        "--stall-stacks", action="store_true", help="the servers log their stalls with stacks"
    )
    args = parser.parse_args()
    if not 2 <= args.devices <= 20_000 or args.seconds > 300:
        parser.error("--devices 2..20000, --seconds at most 300")
    if args.time_stayed_only and not (args.crowd and args.restart and args.instances == 2):
        parser.error("--time-stayed-only needs --crowd --restart --instances 2")
    if args.devices_hold_crl and args.old_devices:
        parser.error("--devices-hold-crl or --old-devices, not both")
    if not 0 <= args.revoked <= 9000:  # 9,000 are about 480 kB: under MAX_CRL_PEM
        parser.error("--revoked 0..9000")
    if args.storm + args.restart + args.revoke > 1:
        parser.error("one of --storm, --restart and --revoke")
    timing = sum((k // 4) % 8 == 0 for k in range(args.devices // 2))
    if args.storm and args.relay_rate > 15 * timing:  # the server allows 20 a second each
        parser.error(f"--storm: {timing} pairs relay, too few for --relay-rate")
    all_descriptors()
    small_tls_buffers()  # 10,000 client connections here too: 32 KiB each, not 256
    print_report(asyncio.run(bench(args)), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
