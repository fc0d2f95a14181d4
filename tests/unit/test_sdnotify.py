"""systemd's notify protocol against a fake notify socket: a unix datagram socket the
test binds, named in NOTIFY_SOCKET as systemd names its own."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from common import sdnotify


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def received(sock: socket.socket) -> list[bytes]:
    """Every datagram waiting on the socket, without blocking."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096))
    except BlockingIOError:
        return out
    finally:
        sock.settimeout(5)


def test_ready_reaches_the_socket(notify_socket: socket.socket) -> None:
    assert sdnotify.notify("READY=1")
    assert notify_socket.recv(4096) == b"READY=1"


def test_an_abstract_socket_name_is_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"klasgenoot-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.notify("WATCHDOG=1")
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not sdnotify.notify("READY=1")


def test_a_socket_that_is_gone_does_not_stop_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "no-such-socket"))
    assert not sdnotify.notify("READY=1")


@pytest.mark.parametrize(
    ("usec", "pid", "child", "expected"),
    [
        ("30000000", "self", False, 30.0),
        ("30000000", "", False, 30.0),
        ("30000000", "1", False, None),  # the watchdog is another process's
        ("30000000", "1", True, 30.0),  # ...handed on: the kiosk app under cage
        ("0", "self", False, None),
        ("", "", False, None),
        ("thirty", "self", False, None),
    ],
)
def test_the_watchdog_interval_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, usec: str, pid: str, child: bool, expected: float | None
) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", usec)
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()) if pid == "self" else pid)
    assert sdnotify.watchdog_seconds(child_of_main=child) == expected


def test_the_watchdog_is_fed_only_when_every_part_beat(notify_socket: socket.socket) -> None:
    heartbeat = sdnotify.Heartbeat(("engine", "gui"))
    heartbeat.beat("gui")
    assert not heartbeat.ping()  # the engine said nothing: a stuck engine is restarted
    assert received(notify_socket) == []
    heartbeat.beat("gui")
    heartbeat.beat("engine")
    assert heartbeat.ping()
    assert received(notify_socket) == [b"WATCHDOG=1"]
    assert not heartbeat.ping()  # beats count once: the next ping needs fresh ones
    assert received(notify_socket) == []


def test_an_unknown_part_is_refused() -> None:
    heartbeat = sdnotify.Heartbeat(("gui",))
    with pytest.raises(ValueError, match="unknown"):
        heartbeat.beat("engine")
    with pytest.raises(ValueError, match="at least one"):
        sdnotify.Heartbeat(())
