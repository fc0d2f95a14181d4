"""signaling.dialer: TCP connects that leave several times a second, against a real
listener on 127.0.0.1 that drops SYNs as a dead link does (tests.support.lateport)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time

import pytest

from signaling.dialer import staggered_connect
from tests.support.lateport import LatePort

_ESTABLISHED, _CLOSE_WAIT = "01", "08"  # TCP states as /proc/net/tcp writes them
OPENS_AFTER = 2.1  # between the kernel's SYN retransmits (1 s and 3 s after the first)


def _info(port: int) -> list[tuple[int, int, int, str, tuple[str, int]]]:
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]


def _sockets_on(port: int, state: str | None = None) -> int:
    """This process's TCP sockets (not listeners) with ``port`` at either end, only
    those in ``state`` (/proc/net/tcp's hex code) if given. Not a count of all open
    files: another test's thread may open one meanwhile."""
    ours = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                ours.add(target[8:-1])
    count = 0
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            ends = {int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)}
            if port in ends and fields[3] != "0A" and fields[9] in ours:  # 0A: LISTEN
                count += state is None or fields[3] == state
    return count


async def _open_later(port: LatePort, delay: float) -> float:
    await asyncio.sleep(delay)
    port.open()
    return time.monotonic()


async def test_a_port_back_after_dropped_syns_is_connected_within_a_stagger() -> None:
    late = LatePort()
    await late.block()
    try:
        opener = asyncio.create_task(_open_later(late, OPENS_AFTER))
        sock = await asyncio.wait_for(staggered_connect(_info(late.port), 0.3), 10)
        connected = time.monotonic()
        opened = await opener
        sock.close()
        # The kernel alone sends its next SYN 3 s after the first: ~0.9 s late here.
        assert connected - opened < 0.5
    finally:
        await late.close()


async def test_only_the_winner_stays_open() -> None:
    late = LatePort()
    before = _sockets_on(late.port)
    await late.block()
    try:
        opener = asyncio.create_task(_open_later(late, 1.0))
        sock = await asyncio.wait_for(staggered_connect(_info(late.port), 0.2), 10)
        await opener
        await asyncio.sleep(1.5)  # a loser left pending would retransmit and connect
        # Connected: the winner and its accepted end (the blocker that filled the
        # queue is closed when the port opens). On a slow machine a second SYN may
        # complete in the kernel before the loop sees the first: the dialer closes
        # that loser, so only its accepted end is left, half-closed (CLOSE_WAIT).
        losers = _sockets_on(late.port, _CLOSE_WAIT)
        assert before == 0 and _sockets_on(late.port, _ESTABLISHED) == 2
        assert _sockets_on(late.port) == 2 + losers  # nothing pending, nothing else
        assert late.accepted == 1 + losers
        sock.close()
    finally:
        await late.close()


async def test_a_dial_that_is_given_up_leaves_no_socket() -> None:
    late = LatePort()
    await late.block()
    before = _sockets_on(late.port)  # the blocker
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(staggered_connect(_info(late.port), 0.1), 1.0)
        assert before == 1 and _sockets_on(late.port) == before
    finally:
        await late.close()


async def test_a_refused_port_fails_at_once() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: the kernel answers with a reset
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.wait_for(staggered_connect(_info(port), 0.3), 5)
    assert time.monotonic() - started < 0.2


async def test_no_address_or_a_bad_stagger_is_refused() -> None:
    with pytest.raises(OSError):
        await staggered_connect([], 0.3)
    with pytest.raises(ValueError):
        await staggered_connect(_info(1), 0.0)
