"""The device app feeds systemd's watchdog only while both its Qt event loop and its
call engine's thread are alive (a fake notify socket stands in for systemd)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from pytestqt.qtbot import QtBot

from app.bridge import EngineBridge
from app.service_watchdog import ServiceWatchdog, ready

WATCHDOG = b"WATCHDOG=1"


class IdleEngine:
    """An engine that only lives on its thread: the test stalls that thread itself."""

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    yield sock
    sock.close()


def drain(sock: socket.socket) -> list[bytes]:
    out = []
    try:
        while True:
            out.append(sock.recv(4096))
    except BlockingIOError:
        return out


def pinged(sock: socket.socket, seen: list[bytes]) -> bool:
    """A WATCHDOG=1 arrived (keeping what came in ``seen`` across polls)."""
    seen.extend(drain(sock))
    return WATCHDOG in seen


def test_a_stuck_engine_stops_the_pings_until_it_recovers(
    qtbot: QtBot, notify_socket: socket.socket
) -> None:
    watchdog = ServiceWatchdog(0.4)  # WatchdogSec=0.4 s: a tick every 0.2 s
    bridge = EngineBridge()
    bridge.start(lambda _bridge: cast(Any, IdleEngine()))
    try:
        watchdog.watch(bridge)
        seen: list[bytes] = []
        qtbot.waitUntil(lambda: pinged(notify_socket, seen))
        bridge.run(lambda _engine: time.sleep(4.0))  # the engine's loop hangs (margin for load)
        qtbot.wait(600)  # a beat from before the hang may still be counted once
        drain(notify_socket)
        qtbot.wait(1200)  # the GUI loop runs and ticks, the engine answers nothing
        assert drain(notify_socket) == []
        seen.clear()  # the hang ends: the pings come back
        qtbot.waitUntil(lambda: pinged(notify_socket, seen), timeout=8000)
    finally:
        bridge.stop()


def test_the_pings_come_from_the_gui_event_loop(qtbot: QtBot, notify_socket: socket.socket) -> None:
    watchdog = ServiceWatchdog(0.2)  # before a call: the GUI is the only part
    seen: list[bytes] = []
    qtbot.waitUntil(lambda: pinged(notify_socket, seen))
    drain(notify_socket)
    time.sleep(0.5)  # the GUI thread hangs: Qt runs no timer
    assert drain(notify_socket) == []
    qtbot.waitUntil(lambda: WATCHDOG in drain(notify_socket))
    del watchdog


def test_ready_and_the_watchdog_follow_the_environment(
    notify_socket: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert ServiceWatchdog.from_environment() is None  # no WatchdogSec=: no timer
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", "1")  # cage's: the app is its child
    assert ServiceWatchdog.from_environment() is not None
    ready()
    assert drain(notify_socket) == [b"READY=1"]
