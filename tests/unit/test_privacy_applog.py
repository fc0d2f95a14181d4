"""The program log: a private rotating file, redacted, library debug off, bounded."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from privacy.applog import (
    LogThread,
    ProgramLog,
    formatter,
    lean_records,
    quiet_libraries,
    setup_program_log,
)

DAY = 86400.0
T0 = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def program_log(tmp_path: Path, clock: Clock) -> Iterator[ProgramLog]:
    log = setup_program_log(tmp_path, clock=clock, max_bytes=4096, backup_count=5)
    yield log
    log.close()
    quiet_libraries()


def test_file_is_private_and_redacted(program_log: ProgramLog, tmp_path: Path) -> None:
    logging.getLogger("aiohttp.server").warning("Error handling request from 85.144.10.7")
    logging.getLogger("klasgenoot.test").info("session with %s", "QZQZQZQ")
    for handler in program_log.handlers:
        handler.flush()
    path = tmp_path / "logs" / "klasgenoot.log"
    assert program_log.path == path
    text = path.read_text()
    assert "85.144.10.7" not in text and "[address]" in text and "QZQZQZQ" in text
    assert path.stat().st_mode & 0o077 == 0
    assert (tmp_path / "logs").stat().st_mode & 0o077 == 0
    assert text.split(" ", 1)[0].endswith("Z")  # UTC times


def test_first_run_makes_every_folder_private(tmp_path: Path, clock: Clock) -> None:
    """The pupil's first start: config, state and logs are all made here, all 0700."""
    config = tmp_path / "config"
    old = os.umask(0o022)  # the usual desktop umask: plain mkdir would give 0755
    try:
        log = setup_program_log(config / "state", clock=clock)
    finally:
        os.umask(old)
    log.close()
    for folder in (config, config / "state", config / "state" / "logs"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder


def test_library_debug_is_off_by_default(program_log: ProgramLog) -> None:
    assert not logging.getLogger("aioice.ice").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("aiortc.rtcdtlstransport").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("aiohttp.access").isEnabledFor(logging.INFO)


def test_library_debug_can_be_switched_on_and_is_still_redacted(
    tmp_path: Path, clock: Clock
) -> None:
    log = setup_program_log(tmp_path, clock=clock, debug_libraries=True)
    try:
        logging.getLogger("aioice.ice").debug("check 192.168.0.3:5000")
        for handler in log.handlers:
            handler.flush()
        text = log.path.read_text()
        assert "check [address]:5000" in text and "192.168" not in text
    finally:
        log.close()
        quiet_libraries()


def test_size_is_bounded(program_log: ProgramLog, tmp_path: Path) -> None:
    for i in range(2000):
        logging.getLogger("klasgenoot.test").info("line %d %s", i, "x" * 40)
    files = list((tmp_path / "logs").iterdir())
    assert len(files) <= 6  # the file and at most five old ones
    assert sum(f.stat().st_size for f in files) <= 6 * 4096 + 200


def test_rolls_over_daily_and_old_files_are_purged(tmp_path: Path, clock: Clock) -> None:
    log = setup_program_log(tmp_path, clock=clock)
    logger = logging.getLogger("klasgenoot.test")
    logger.info("day one")
    clock.now += DAY
    logger.info("day two")
    log.close()
    folder = tmp_path / "logs"
    assert sorted(p.name for p in folder.iterdir()) == ["klasgenoot.log", "klasgenoot.log.1"]
    assert "day one" in (folder / "klasgenoot.log.1").read_text()
    assert "day one" not in (folder / "klasgenoot.log").read_text()
    old = T0 - 100 * DAY
    os.utime(folder / "klasgenoot.log.1", (old, old))
    log = setup_program_log(tmp_path, clock=clock)  # at start: purge by retention
    log.close()
    assert not (folder / "klasgenoot.log.1").exists()
    assert (folder / "klasgenoot.log").exists()


def test_lean_records_print_the_same_line_without_looking_up_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing",
                 "logAsyncioTasks"):  # fmt: skip
        monkeypatch.setattr(logging, name, getattr(logging, name))  # restored after
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log = logging.getLogger("test.lean")
    keep = Keep()
    log.addHandler(keep)
    monkeypatch.setattr(log, "level", logging.INFO)
    try:
        log.info("device %s offline", "ABCDEFG")
        lean_records()
        log.info("device %s offline", "ABCDEFG")
    finally:
        log.removeHandler(keep)
    full, lean = records
    assert full.lineno > 0 and full.threadName is not None
    assert lean.lineno == 0 and lean.threadName is None and lean.process is None
    lean.created, lean.msecs = full.created, full.msecs  # the same moment
    assert formatter().format(lean) == formatter().format(full)


def test_a_line_is_formatted_once_and_still_rolls_over_at_its_size(
    tmp_path: Path, clock: Clock
) -> None:
    log = setup_program_log(tmp_path, clock=clock, max_bytes=4096, backup_count=5)
    try:
        handler = log.handlers[0]
        counted: list[str] = []

        class Counting(logging.Formatter):
            def format(self, record: logging.LogRecord) -> str:
                counted.append(record.getMessage())
                return formatter().format(record)

        handler.setFormatter(Counting())
        for i in range(200):  # ~60 bytes a line: 12 kB, so two rollovers at least
            logging.getLogger("klasgenoot.test").info("line %d from 10.1.2.3 %s", i, "x" * 20)
        assert len(counted) == 200  # the standard library's formats each line twice
    finally:
        log.close()
    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) >= 3 and all(f.stat().st_size <= 4096 for f in files)
    text = "".join(f.read_text() for f in files)
    assert text.count("line ") == 200 and "10.1.2.3" not in text and "[address]" in text


def test_the_writer_thread_flushes_each_batch_and_keeps_the_order(
    tmp_path: Path, clock: Clock
) -> None:
    log = setup_program_log(tmp_path, clock=clock, threaded=True)
    try:
        (writer,) = log.handlers
        assert isinstance(writer, LogThread)
        for i in range(500):
            logging.getLogger("klasgenoot.test").info("line %d of 192.168.1.20", i)
        writer.drain()  # what the purge waits for: then every line is in the file
        lines = (tmp_path / "logs" / "klasgenoot.log").read_text().splitlines()
        assert [line.split("line ")[1] for line in lines] == [
            f"{i} of [address]" for i in range(500)
        ]
    finally:
        log.close()
