"""What the signaling server holds about a pairing: the lines of its program log that
name the pairing's devices (connections, refusals, revocations).

The server writes that log itself (DATA/state/logs, rotated daily, kept as long as
the connection logs: 90 days by default) with short DeviceIds and no addresses, so
retention is already applied; the console only reads, never copies it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from privacy.files import program_log_files, state_dir

logger = logging.getLogger(__name__)

MAX_LINES = 200
MAX_LINE = 300
MAX_READ = 16 * 1024 * 1024  # a day's log of a large fleet, at most


def server_history(fleet: Path, needles: Iterable[str]) -> list[str]:
    """The last MAX_LINES lines (oldest first) mentioning one of ``needles``."""
    wanted = [n for n in needles if n]
    if not wanted:
        return []
    found: list[str] = []
    for path in reversed(program_log_files(state_dir(fleet))):  # oldest file first
        try:
            with path.open("r", encoding="utf-8", errors="replace") as fh:
                text = fh.read(MAX_READ)
        except OSError:
            logger.warning("could not read a server log file")
            continue
        found += [ln[:MAX_LINE] for ln in text.splitlines() if any(n in ln for n in wanted)]
    return found[-MAX_LINES:]
