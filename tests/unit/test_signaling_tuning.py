"""The process settings for many connections (signaling.tuning)."""

from __future__ import annotations

import asyncio.sslproto
import gc
import ssl
from collections.abc import Iterator

import pytest

from signaling import tuning
from signaling.tuning import (
    SSL_READ_BUFFER,
    freeze_startup_objects,
    keep_frozen,
    small_tls_buffers,
)


@pytest.fixture
def restore() -> Iterator[None]:
    size = asyncio.sslproto.SSLProtocol.max_size
    yield
    asyncio.sslproto.SSLProtocol.max_size = size
    gc.unfreeze()
    if tuning._on_collection in gc.callbacks:
        gc.callbacks.remove(tuning._on_collection)


def test_tls_connections_read_into_32_kib(restore: None) -> None:
    small_tls_buffers()
    assert SSL_READ_BUFFER == 32 * 1024
    # asyncio allocates this much per connection at its creation
    protocol = asyncio.sslproto.SSLProtocol(
        asyncio.new_event_loop(), asyncio.Protocol(), ssl.create_default_context(), None
    )
    assert len(protocol._ssl_buffer) == SSL_READ_BUFFER
    protocol._loop.close()


def test_startup_objects_leave_the_collectors_sight(restore: None) -> None:
    gc.unfreeze()
    freeze_startup_objects()
    assert gc.get_freeze_count() > 0


def test_a_slow_full_collection_is_logged(
    restore: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tuning, "SLOW_COLLECTION", 0.0)  # every full collection counts
    tuning.watch_collections()
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(tuning._on_collection)
    assert "a full garbage collection held the server for" in caplog.text


async def test_objects_made_while_serving_are_frozen_again(restore: None) -> None:
    gc.unfreeze()
    freeze_startup_objects()
    before = gc.get_freeze_count()
    made = [[n] for n in range(1000)]  # tracked containers, alive
    task = asyncio.create_task(keep_frozen(0.01))
    try:
        async with asyncio.timeout(5):
            while gc.get_freeze_count() < before + len(made):
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert gc.get_freeze_count() >= before + len(made)


async def test_once_a_day_the_frozen_are_collected(restore: None) -> None:
    gc.unfreeze()
    gc.freeze()
    cycle: list[object] = []
    cycle.append(cycle)  # garbage only the collector frees, once unfrozen
    del cycle
    gc.freeze()
    frozen = gc.get_freeze_count()
    task = asyncio.create_task(keep_frozen(0.01, reclaim=0.02))
    try:
        await asyncio.sleep(0.2)
    finally:
        task.cancel()
    assert gc.get_freeze_count() < frozen  # the cycle was collected, not kept frozen


async def test_the_old_generation_is_frozen_within_a_second(restore: None) -> None:
    """What a full collection walks is at most a second of survivors: at 10,000
    devices ten seconds of them held the loop for 60-130 ms."""
    gc.unfreeze()
    freeze_startup_objects()
    task = asyncio.create_task(keep_frozen())  # as the server runs it
    try:
        made = [[n] for n in range(20_000)]  # connections' objects, alive
        gc.collect(1)  # survivors of young collections: the old generation
        assert len(gc.get_objects(2)) >= len(made)
        await asyncio.sleep(1.5)
        assert len(gc.get_objects(2)) < len(made) // 10
    finally:
        task.cancel()
