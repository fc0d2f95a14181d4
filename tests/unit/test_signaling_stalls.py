"""The stall monitor (signaling.stalls): a pass of the loop that holds every device
is logged with its length, the collector's share and, sampled, what ran."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

import pytest

from signaling.stalls import StallWatch


def _hold_the_loop(seconds: float) -> None:
    time.sleep(seconds)  # what a blocking call in a callback does to every device


async def _stall(watch: StallWatch, hold: object) -> None:
    watch.start()
    try:
        await asyncio.sleep(0.05)  # a few ticks first
        asyncio.get_running_loop().call_soon(hold)
        async with asyncio.timeout(5):
            while watch.stalls == 0:
                await asyncio.sleep(0.01)
    finally:
        watch.stop()


async def test_a_long_pass_is_logged_with_what_it_ran(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "signaling.stalls")
    watch = StallWatch(0.05, stacks=True)
    await _stall(watch, lambda: _hold_the_loop(0.3))
    assert watch.stalls == 1
    assert 0.25 <= watch.longest < 1.0
    (line,) = [r.getMessage() for r in caplog.records if r.name == "signaling.stalls"]
    assert line.startswith("the event loop stalled for ")
    stalled_ms = int(line.split("stalled for ")[1].split(" ms")[0])
    assert 250 <= stalled_ms < 1000
    assert "test_signaling_stalls.py" in line and "_hold_the_loop" in line  # the culprit
    assert "/tmp" not in line and "/work" not in line  # no machine's folders


async def test_the_collectors_share_is_measured(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "signaling.stalls")
    cycles = [[] for _ in range(200_000)]
    for c in cycles:
        c.append(c)  # garbage only the collector frees: a long full collection
    del cycles

    def collect() -> None:
        started = time.perf_counter()
        gc.collect()
        _hold_the_loop(max(0.0, 0.12 - (time.perf_counter() - started)))

    watch = StallWatch(0.1)
    await _stall(watch, collect)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "signaling.stalls"]
    collected_ms = int(line.split("garbage collection ")[1].split(" ms")[0])
    assert collected_ms >= 5 and "generation 2" in line
    assert "running:" not in line  # no stacks unless asked


async def test_short_passes_are_not_stalls(caplog: pytest.LogCaptureFixture) -> None:
    watch = StallWatch(0.1)
    watch.start()
    try:
        for _ in range(20):
            _hold_the_loop(0.005)
            await asyncio.sleep(0.005)
    finally:
        watch.stop()
    assert watch.stalls == 0
    assert watch._on_collection not in gc.callbacks  # stopped: nothing left behind


async def test_a_flood_of_stalls_is_capped_in_the_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("signaling.stalls.LINES_PER_MINUTE", 2)
    caplog.set_level(logging.WARNING, "signaling.stalls")
    watch = StallWatch(0.02)
    watch.start()
    try:
        for _ in range(4):
            _hold_the_loop(0.05)
            await asyncio.sleep(0.03)
    finally:
        watch.stop()
    assert watch.stalls == 4  # all counted
    assert len([r for r in caplog.records if r.name == "signaling.stalls"]) == 2
