"""Work that is ready together runs a few items per pass of the loop (signaling.turns),
and the TLS handshakes' steps back from their thread take turns (signaling.handshakes)."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from signaling.config import FleetFiles, ServerConfig
from signaling.errors import ServerConfigError
from signaling.handshakes import accept_tls
from signaling.tls import client_context, server_context
from signaling.turns import Turns
from tests.support.passes import Passes, most_in_one_pass, until
from tests.support.pki import TestFleet

PER_PASS = 3


@pytest.fixture
async def passes() -> AsyncIterator[Passes]:
    counter = Passes()
    yield counter
    counter.stop()


async def test_work_ready_together_runs_a_few_per_pass_in_order(passes: Passes) -> None:
    turns = Turns(asyncio.get_running_loop(), PER_PASS, "test work")
    ran: list[tuple[int, int]] = []
    for n in range(10):
        turns.call(lambda n=n: ran.append((n, passes.count)))
    assert turns.longest == 10 and not ran  # nothing runs in the pass that queued it
    await until(lambda: len(ran) == 10)
    assert [n for n, _ in ran] == list(range(10))
    in_pass = [p for _, p in ran]
    assert most_in_one_pass(in_pass) == PER_PASS
    assert len(set(in_pass)) == 4  # 3 + 3 + 3 + 1
    assert len(turns) == 0


async def test_coroutines_resume_a_few_per_pass(passes: Passes) -> None:
    turns = Turns(asyncio.get_running_loop(), PER_PASS, "test work")
    resumed: list[int] = []

    async def waiter() -> None:
        await turns.turn()
        resumed.append(passes.count)

    await asyncio.gather(*(waiter() for _ in range(9)))
    assert most_in_one_pass(resumed) == PER_PASS and len(set(resumed)) == 3


async def test_a_cancelled_waiter_does_not_hold_the_others(passes: Passes) -> None:
    turns = Turns(asyncio.get_running_loop(), 1, "test work")
    first = asyncio.create_task(turns.turn())
    second = asyncio.create_task(turns.turn())
    await asyncio.sleep(0)  # both are queued
    first.cancel()
    await asyncio.wait_for(second, 1.0)
    assert first.cancelled()


async def test_a_failing_item_is_logged_and_the_rest_run(
    passes: Passes, caplog: pytest.LogCaptureFixture
) -> None:
    turns = Turns(asyncio.get_running_loop(), 2, "test work")
    ran: list[int] = []

    def fails() -> None:
        raise RuntimeError("one connection's bug")

    turns.call(lambda: ran.append(1))
    turns.call(fails)
    turns.call(lambda: ran.append(3))
    await until(lambda: len(ran) == 2)
    assert ran == [1, 3]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "test work failed"
    ]


async def test_at_least_one_a_pass() -> None:
    with pytest.raises(ValueError):
        Turns(asyncio.get_running_loop(), 0, "test work")
    with pytest.raises(ServerConfigError):
        ServerConfig(starts_per_pass=0)


class Made(asyncio.Protocol):
    """The server's application side: notes the pass its connection was made in."""

    def __init__(self, passes: Passes, made: list[int]) -> None:
        self._passes, self._made = passes, made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._made.append(self._passes.count)


async def test_handshake_steps_back_from_the_thread_complete_a_few_per_pass(
    fleet: TestFleet, passes: Passes
) -> None:
    """Twelve handshakes' last steps come back from the thread together (held here
    until all have): they complete, and their connections are made, one per pass."""
    loop = asyncio.get_running_loop()
    starts = Turns(loop, 1, "starting a connection")
    starts._scheduled = True  # hold the queue: nothing runs until released below
    made: list[int] = []
    context = server_context(FleetFiles(fleet.folder))
    listening = socket.create_server(("127.0.0.1", 0))
    listening.setblocking(False)
    pool = ThreadPoolExecutor(1)
    handshakes: list[asyncio.Task[None]] = []

    async def accept() -> None:
        while True:
            conn, _ = await loop.sock_accept(listening)
            handshakes.append(
                loop.create_task(
                    accept_tls(lambda: Made(passes, made), conn, context, 10.0, pool, starts=starts)
                )
            )

    accepting = loop.create_task(accept())
    student, _ = fleet.pair()
    device = client_context(student)
    port = listening.getsockname()[1]
    opening = [
        loop.create_task(
            asyncio.open_connection("127.0.0.1", port, ssl=device, server_hostname="localhost")
        )
        for _ in range(12)
    ]
    try:
        await until(lambda: len(starts) == 12)  # every first step is back and waits
        while starts._waiting:  # the server's flights go out; the devices answer
            starts._waiting.popleft()()
        await until(lambda: len(starts) == 12)  # every last step is back and waits
        assert not made
        starts._scheduled = False
        starts._run()
        streams = await asyncio.wait_for(asyncio.gather(*opening), 10.0)
        await until(lambda: len(made) == 12)
        assert most_in_one_pass(made) == 1
        await asyncio.gather(*handshakes)  # all succeeded
        for _, writer in streams:
            writer.close()
    finally:
        accepting.cancel()
        listening.close()
        pool.shutdown(wait=False)
