"""A new CRL goes out a bounded amount per pass of the loop (signaling.crlpush)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from signaling import crlpush
from signaling.crlpush import CrlFanout
from tests.support.passes import Passes


async def test_the_push_writes_at_most_pass_bytes_before_the_loop_runs_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(crlpush, "PASS_BYTES", 3000)
    passes = Passes()
    pushed: list[tuple[Any, int]] = []

    def push(link: Any) -> int:
        pushed.append((link, passes.count))
        return 0 if link == "has it" else 1000

    fanout = CrlFanout(push)
    links: list[Any] = ["a", "b", "has it", "c", "d", "e", "f", "g"]
    fanout.start(links)
    assert fanout.running and not pushed  # from the next pass on, not inline
    await fanout.wait()
    passes.stop()
    assert [link for link, _ in pushed] == links  # each once, in order
    by_pass: dict[int, int] = {}
    for link, seen in pushed:
        by_pass[seen] = by_pass.get(seen, 0) + (0 if link == "has it" else 1000)
    assert max(by_pass.values()) <= 3000
    assert len(by_pass) == 3  # 7 frames of 1000 bytes, 3000 a pass


async def test_a_newer_push_replaces_the_running_one() -> None:
    first: list[Any] = []
    second: list[Any] = []
    fanout = CrlFanout(lambda link: first.append(link) or crlpush.PASS_BYTES)
    fanout.start(["a", "b", "c"])
    await asyncio.sleep(0)  # "a" went; the loop runs before "b"
    fanout._push = lambda link: second.append(link) or 0
    fanout.start(["a", "b", "c"])
    await fanout.wait()
    await asyncio.sleep(0)
    assert first == ["a"] and second == ["a", "b", "c"]


async def test_cancel_stops_a_push() -> None:
    sent: list[Any] = []
    fanout = CrlFanout(lambda link: sent.append(link) or crlpush.PASS_BYTES)
    fanout.start(["a", "b"])
    await asyncio.sleep(0)
    fanout.cancel()
    await asyncio.sleep(0)
    assert sent == ["a"] and not fanout.running
