"""The server's log written by a thread (issue 14): the revocation purge still removes
the lines about a revoked device logged just before it, and nothing is lost at the end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacy.applog import LogThread, ProgramLog, quiet_libraries, setup_program_log
from privacy.files import logs_dir
from signaling.logpurge import LogPurger

GONE, KEPT = "GONEAAA", "KEPTBBB"  # short DeviceIds as the hub logs them
SERIAL = 42


class Slow(logging.Filter):
    """Makes the file handler slow, so lines are still queued when the purge starts."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.thread: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        self.thread = threading.current_thread().name
        time.sleep(self.seconds)
        return True


@pytest.fixture
def threaded(tmp_path: Path) -> Iterator[ProgramLog]:
    log = setup_program_log(tmp_path, threaded=True)
    yield log
    log.close()
    quiet_libraries()


def _file(log: ProgramLog) -> logging.Handler:
    (thread,) = log.handlers
    assert isinstance(thread, LogThread)
    return thread.handlers[0]


def _text(tmp_path: Path) -> str:
    return (logs_dir(tmp_path) / "klasgenoot.log").read_text()


async def test_the_purge_removes_lines_still_queued_when_it_starts(
    threaded: ProgramLog, tmp_path: Path
) -> None:
    slow = Slow(0.02)
    _file(threaded).addFilter(slow)
    hub = logging.getLogger("signaling.hub")
    for short in (KEPT, GONE, GONE, KEPT, GONE):
        hub.info("device %s online (student)", short)
    hub.info("closing %s: revoked", GONE)  # as set_crl logs it, just before the purge
    purger = LogPurger(tmp_path, tmp_path / "no-fleet", {SERIAL: GONE})
    assert await purger.purge([SERIAL]) == 4
    threaded.close()  # everything written
    text = _text(tmp_path)
    assert GONE not in text and text.count(KEPT) == 2
    assert slow.thread != threading.current_thread().name  # written off this thread


def test_nothing_queued_is_lost_at_close(threaded: ProgramLog, tmp_path: Path) -> None:
    _file(threaded).addFilter(Slow(0.001))
    for n in range(300):
        logging.getLogger("signaling.hub").info("line %d", n)
    threaded.close()
    assert [f"line {n}" in _text(tmp_path) for n in range(300)] == [True] * 300
    logging.getLogger("signaling.hub").info("after the end")  # not an error: dropped


def test_a_line_costs_the_caller_no_file_work(threaded: ProgramLog, tmp_path: Path) -> None:
    """The point of the thread: a slow disk does not hold the caller (the event loop)."""
    _file(threaded).addFilter(Slow(0.01))
    started = time.perf_counter()
    for n in range(50):
        logging.getLogger("signaling.hub").info("device %d offline", n)
    assert time.perf_counter() - started < 0.25  # 50 lines at 10 ms each: 0.5 s inline
    threaded.close()
    assert _text(tmp_path).count("offline") == 50


def test_addresses_are_redacted_by_the_thread(threaded: ProgramLog, tmp_path: Path) -> None:
    logging.getLogger("aiohttp.server").warning("Error handling request from 85.144.10.7")
    logging.getLogger("signaling.hub").info("peer at %s", "2001:db8::1")
    threaded.close()
    assert "85.144.10.7" not in _text(tmp_path) and "2001:db8::1" not in _text(tmp_path)
    assert "peer at" in _text(tmp_path)


def test_lines_from_several_threads_all_arrive_in_each_threads_order(
    threaded: ProgramLog, tmp_path: Path
) -> None:
    def lines(name: str) -> None:
        for n in range(200):
            logging.getLogger("signaling.hub").info("%s line %03d", name, n)

    workers = [threading.Thread(target=lines, args=(f"w{k}",)) for k in range(4)]
    for worker in workers:
        worker.start()
    lines("main")
    for worker in workers:
        worker.join()
    threaded.close()
    text = _text(tmp_path)
    for name in ("main", "w0", "w1", "w2", "w3"):
        found = [line.rsplit(" ", 1)[1] for line in text.splitlines() if f" {name} line " in line]
        assert found == [f"{n:03d}" for n in range(200)]


def test_a_line_says_what_its_arguments_were_when_it_was_logged(
    threaded: ProgramLog, tmp_path: Path
) -> None:
    _file(threaded).addFilter(Slow(0.05))  # the writer is behind when the list changes
    online = ["a"]
    logging.getLogger("signaling.hub").info("online now: %s", online)
    online.append("b")
    threaded.close()
    assert "online now: ['a']" in _text(tmp_path)


def test_drain_waits_for_the_lines_before_it_only(threaded: ProgramLog, tmp_path: Path) -> None:
    (thread,) = threaded.handlers
    assert isinstance(thread, LogThread)
    _file(threaded).addFilter(Slow(0.002))
    for n in range(100):
        logging.getLogger("signaling.hub").info("queued %d", n)
    thread.drain()
    assert _text(tmp_path).count("queued") == 100
