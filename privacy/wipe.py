"""The privacy part of a wipe at service end: every log and the audit trail go.

app/cli_logs.py orchestrates the whole wipe (key store, certificates, settings and
this); here only the state folder is removed, its files zero-filled first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from privacy.erase import overwrite_and_remove


@dataclass(frozen=True, slots=True)
class WipeReport:
    removed: int = 0
    failed: list[str] = field(default_factory=list)  # names only, for the message

    @property
    def complete(self) -> bool:
        return not self.failed


def wipe_state(state: Path) -> WipeReport:
    """Remove the state folder (log database, WAL, program logs, audit) entirely."""
    if not state.is_dir() or state.is_symlink():
        return WipeReport()
    removed, failed = 0, []
    for root, dirs, files in os.walk(state, topdown=False, followlinks=False):
        for name in files:
            path = Path(root, name)
            # A symlink is removed, never followed: its target is not ours to zero.
            gone = _remove(path) if path.is_symlink() else overwrite_and_remove(path)
            removed += gone
            if not gone:
                failed.append(name)
        for name in dirs:
            path = Path(root, name)
            if not (_remove(path) if path.is_symlink() else _rmdir(path)):
                failed.append(name)
    if not _rmdir(state):
        failed.append(state.name)
    return WipeReport(removed, failed)


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _rmdir(path: Path) -> bool:
    try:
        path.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True
