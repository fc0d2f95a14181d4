"""The pieces of the signaling load benchmark (bench.signaling_load): a device that
keeps itself connected, an instance process, and what is measured."""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from pairing.credentials import DeviceCredentials
from signaling.protocol import CRL_NUMBER_HEADER

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
_random = secrets.SystemRandom()
_CRL_FRAME = re.compile(r'\{"v":1,"type":"crl","number":([0-9]+),')  # signaling.protocol.encode


@dataclass
class Device:
    creds: DeviceCredentials
    urls: list[str]  # its instance first, then the others
    ctx: Any = None
    ws: aiohttp.ClientWebSocketResponse | None = None
    url: str = ""
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    moves: int = 0
    lost_at: float | None = None  # when it last lost a connection it had
    # the number of the last CRL the server pushed, said on reconnecting as a real
    # device does (signaling.protocol.CRL_NUMBER_HEADER); off: as devices before it
    crl_number: int | None = None
    says_crl: bool = True


@dataclass
class Figures:
    rtts: dict[str, list[float]] = field(
        default_factory=lambda: {
            name: []
            for name in ("steady", "move", "move_stayed", "storm", "revoke", "after_revoke")
        }
    )
    phase: str = "steady"
    # pairs on instance 2 through a restart, or connected through a storm
    stayed: set[int] = field(default_factory=set)
    # Each relay a pair that stayed sent during the move (or storm), and each echo such a pair
    # got back, by (pair, number): lost is the first less the second, counted after
    # the last echo could have come, so a relay in flight at either edge of the move
    # is neither lost nor counted twice.
    sent_in_move: set[tuple[int, int]] = field(default_factory=set)
    echoed: set[tuple[int, int]] = field(default_factory=set)
    lag: list[float] = field(default_factory=list)  # this process's loop lag, steady phase
    storm_relays: list[tuple[float, float]] = field(default_factory=list)  # (sent, rtt)
    # each device's time without signaling when it moved: from losing its instance to
    # the other's hello (what a device, and a pair's presence, sees of a restart)
    gaps: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    first_failure_at: int | None = None


class Instance:
    def __init__(
        self, folder: Path, redis: str | None, extra: tuple[str, ...] = (), root: Path = ROOT
    ) -> None:
        self.folder, self.redis, self.extra = folder, redis, extra
        self.root = root  # the tree whose server runs (another one: a baseline side by side)
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0

    async def start(self, port: int = 0) -> None:
        args = ["-m", "app.cli", "server", "--data", str(self.folder), "--host", "127.0.0.1",
                "--port", str(port), "--no-health"]  # fmt: skip
        if self.redis:
            args += ["--redis", self.redis]
        args += self.extra
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, stdout=asyncio.subprocess.PIPE, cwd=self.root,
            env={**os.environ, "PYTHONPATH": str(self.root)},
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode()
        self.port = int(line.rsplit(" ", 1)[1])
        await asyncio.sleep(1.0)  # the backplane's first session

    @property
    def url(self) -> str:
        return f"wss://localhost:{self.port}/ws"

    def cpu(self) -> float:
        assert self.proc is not None
        return _cpu(Path(f"/proc/{self.proc.pid}/stat"))

    def loop_cpu(self) -> float:
        """The CPU of the process's main thread alone: the one that runs the loop."""
        assert self.proc is not None
        return _cpu(Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/stat"))

    def rss(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


def _cpu(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def placed(
    pairs: list[tuple[DeviceCredentials, DeviceCredentials]], urls: list[str]
) -> list[Device]:
    """The devices of ``pairs`` in order (student, classroom, ...), each with its
    instance first. Pair k: the student on instance k % n, the classroom on
    (k // n) % n, so with two instances a quarter of the pairs sit on each instance
    and half are split."""
    devices = []
    for k, pair in enumerate(pairs):
        homes = (k % len(urls), (k // len(urls)) % len(urls))
        for creds, home in zip(pair, homes, strict=True):
            devices.append(Device(creds, urls[home:] + urls[:home]))
    return devices


def relaying(pairs: int) -> set[int]:
    """The pairs that relay: half of them, in runs of four, so that every placement
    (both on instance 1, split either way, both on instance 2) has its share, and
    pairs that stay on instance 2 through a restart relay too."""
    return {k for k in range(pairs) if (k // 4) % 2 == 0}


async def run_device(
    dev: Device, session: aiohttp.ClientSession, figures: Figures, on_relay: Any, index: int
) -> None:
    """Keep one device connected: its own instance first, then the next on loss."""
    attempt, delay, untried = 0, 0.5, len(dev.urls) - 1
    while True:
        dev.url = dev.urls[attempt % len(dev.urls)]
        reached = False
        try:
            async with session.ws_connect(
                dev.url, ssl=dev.ctx, heartbeat=20.0, headers=_headers(dev)
            ) as ws:
                dev.ws = ws
                async for msg in ws:
                    if msg.type is not aiohttp.WSMsgType.TEXT:
                        break
                    if _on_frame(dev, _parsed(msg.data), figures, on_relay):
                        delay = 0.5  # connected: the next loss starts the backoff again
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            reached = not isinstance(exc, aiohttp.ClientConnectorError)
            if not dev.connected.is_set() and dev.moves == 0:
                if figures.first_failure_at is None:
                    figures.first_failure_at = index
                figures.failures.append(type(exc).__name__)
        else:
            reached = True
        dev.ws = None
        was_up = dev.connected.is_set()
        if was_up:
            dev.moves += 1
            dev.lost_at = time.monotonic()
        dev.connected.clear()
        attempt += 1
        if not reached and not was_up and untried > 0:  # as signaling.client does
            untried -= 1
            continue
        untried = len(dev.urls) - 1
        await asyncio.sleep(_random.uniform(0, delay))  # jittered, capped backoff
        delay = min(delay * 2, 10.0)


def _parsed(text: str) -> dict[str, Any]:
    """A frame, without parsing a CRL's PEM: a real device does that on its own CPU,
    and thousands of 160 kB parses here would be this process's stall, not the server's."""
    crl = _CRL_FRAME.match(text)
    if crl is not None:
        return {"type": "crl", "number": int(crl.group(1))}
    body: dict[str, Any] = json.loads(text)
    return body


def _headers(dev: Device) -> dict[str, str] | None:
    if dev.says_crl and dev.crl_number is not None:
        return {CRL_NUMBER_HEADER: str(dev.crl_number)}
    return None


def _on_frame(dev: Device, body: dict[str, Any], figures: Figures, on_relay: Any) -> bool:
    """One frame from the server; True for the hello (the device is connected)."""
    match body["type"]:
        case "hello":
            dev.connected.set()
            if dev.lost_at is not None:
                figures.gaps.append(time.monotonic() - dev.lost_at)
                dev.lost_at = None
            return True
        case "relay":
            on_relay(dev, body["payload"])
        case "crl":
            dev.crl_number = int(body["number"])
    return False


async def send(dev: Device, payload: dict[str, Any]) -> bool:
    ws = dev.ws
    if ws is None or ws.closed or not dev.connected.is_set():
        return False
    try:
        await ws.send_str(json.dumps({"v": 1, "type": "relay", "payload": payload}))
    except (ConnectionError, aiohttp.ClientError):
        return False
    return True


def all_descriptors() -> None:
    """The file-descriptor limit up to its hard limit: one socket per device here, and
    in the server processes started from here (they inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def print_report(report: dict[str, Any], json_path: Path | None) -> None:
    """One figure a line; with ``json_path`` also as JSON there."""
    width = max(map(len, report), default=0)
    for key, value in report.items():
        print(f"{key:{width}} {value}")
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n")


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def seconds(ms: float | None) -> float | None:
    """A :func:`pct` of seconds, back in seconds."""
    return None if ms is None else round(ms / 1000, 2)
