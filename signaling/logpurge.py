"""The server removes what its own log says about revoked devices.

`fleet revoke` purges the log of a server that shares the fleet folder, but the
server itself writes "closing X: revoked" and "device X offline" just after it loads
the new CRL, and a server on another machine is out of that command's reach. So
whenever the server loads a CRL that newly revokes certificates, it removes every
line of its own log that names those devices (and once at start, for a CRL that
arrived while it was stopped).

The server has no database: it knows which device a serial belongs to from the
certificates it has seen since it started, and from ``issued.json`` if the operator
copies that file along with ``crl.pem`` (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pairing.errors import PairingError
from pairing.fleet import read_records
from privacy.applog import LogThread, purge_lines
from privacy.files import program_log_files

logger = logging.getLogger(__name__)

# A short DeviceId as the server logs it: seven base32 capitals standing alone.
_SHORT_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z2-7]{7}(?![A-Za-z0-9])")


class LogPurger:
    def __init__(self, state: Path, data: Path, seen: Mapping[int, str]) -> None:
        self._state = state
        self._data = data
        self._seen = seen  # serial -> short DeviceId, filled by the gate

    def shorts(self, serials: Iterable[int]) -> set[str]:
        """The short DeviceIds behind ``serials``, as far as the server can tell."""
        wanted = set(serials)
        found = {self._seen[s] for s in wanted if s in self._seen}
        if (self._data / "issued.json").is_file():
            try:
                found |= {r.device_id.short for r in read_records(self._data) if r.serial in wanted}
            except PairingError:
                logger.warning("issued.json unreadable: not used to purge the log")
        return found

    async def purge(self, serials: Iterable[int]) -> int:
        """Remove the log lines about the devices behind ``serials``; return how many."""
        shorts = self.shorts(serials)
        if not shorts:
            return 0
        removed = await asyncio.to_thread(self._purge, shorts)
        if removed:
            logger.info("purged %d log lines about %d revoked devices", removed, len(shorts))
        return removed

    def _purge(self, shorts: set[str]) -> int:
        # Lines still queued for the log thread ("closing X: revoked", logged just
        # before this purge) must reach the file before it is read.
        threads = [h for h in logging.getLogger().handlers if isinstance(h, LogThread)]
        for thread in threads:
            thread.drain()
        present = shorts & _tokens(self._state)
        if not present:  # the usual case: one cheap pass, nothing rewritten
            return 0
        with _file_handlers_held():
            return purge_lines(self._state, present)


def _tokens(state: Path) -> set[str]:
    """Every short-DeviceId-like word in the log files (one pass, however many ids)."""
    found: set[str] = set()
    for path in program_log_files(state):
        try:
            with path.open(encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    found.update(_SHORT_ID.findall(line))
        except OSError:
            continue
    return found


@contextlib.contextmanager
def _file_handlers_held() -> Iterator[None]:
    """Hold our own log file handlers while the files are rewritten in place, so no
    line of this process is appended between the read and the truncate (and lost)."""
    handlers: list[logging.Handler] = []
    for handler in logging.getLogger().handlers:
        # a LogThread's file handlers write from its thread: held all the same
        inner = handler.handlers if isinstance(handler, LogThread) else [handler]
        handlers += [h for h in inner if isinstance(h, logging.FileHandler)]
    for handler in handlers:
        handler.acquire()
    try:
        yield
    finally:
        for handler in reversed(handlers):
            handler.release()
