"""media.refusals: a flood of refused peer input becomes a few summary lines."""

from __future__ import annotations

import asyncio
import logging

import pytest

from media.refusals import MAX_KINDS, RefusalSummary


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "media.refusals"]


async def test_the_first_at_once_then_one_summary_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    summary = RefusalSummary("peer message", interval=0.2)
    for _ in range(1000):
        summary.note("control not JSON")
    summary.note("heartbeat")
    assert lines(caplog) == ["peer message refused: control not JSON"]
    await asyncio.sleep(0.3)
    assert lines(caplog)[1:] == [
        "1000 more peer messages refused: 999 control not JSON; 1 heartbeat"
    ]
    await asyncio.sleep(0.3)  # quiet: no empty summaries
    assert len(lines(caplog)) == 2
    summary.note("heartbeat")  # a new round starts with a line at once
    summary.close()
    assert lines(caplog)[2:] == ["peer message refused: heartbeat"]
    assert summary.total == 1002


async def test_close_writes_what_is_still_counted_and_kinds_are_bounded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    summary = RefusalSummary("peer message", interval=60)
    summary.note("first")
    for n in range(MAX_KINDS + 10):
        summary.note(f"field f{n}")
    summary.close()
    last = lines(caplog)[-1]
    assert last.startswith(f"{MAX_KINDS + 10} more peer messages refused: ")
    assert "10 other" in last
    assert last.count(";") == MAX_KINDS
