"""How well the connection log is doing, for technician mode.

A broken, locked or full database never stops a call: the log drops what it cannot
write, counts it, and reports the fault here with the time it happened.
"""

from __future__ import annotations

import enum
import errno
import sqlite3
from dataclasses import dataclass

from privacy.errors import LogDamaged, LogUnavailable, PrivacyError


class LogFault(enum.StrEnum):
    NONE = "none"
    UNAVAILABLE = "unavailable"  # the database cannot be opened or created
    LOCKED = "locked"  # another program held the database too long
    FULL = "full"  # the disk (or the database's limit) is full
    DAMAGED = "damaged"  # not a database any more, or written by a newer version
    READ_ONLY = "read_only"
    BACKLOG = "backlog"  # more records came in than the disk could take
    REJECTED = "rejected"  # a caller passed a value outside the fixed sets
    CLOSED = "closed"  # records arrived after close()


@dataclass(frozen=True, slots=True)
class LogHealth:
    fault: LogFault = LogFault.NONE  # the most recent fault; NONE if there never was one
    at: float | None = None  # when it happened, on the log's clock
    dropped: int = 0  # records not written since the log was opened
    working: bool = True  # False while writes fail; True again after a good write
    # A damaged database was set aside then (privacy/recovery.py) and a new one begun;
    # audit_kept: its audit trail was intact and carried over.
    set_aside_at: float | None = None
    audit_kept: bool = True

    @property
    def ok(self) -> bool:
        return self.fault is LogFault.NONE


_SQLITE_FAULTS = {
    3: LogFault.UNAVAILABLE,  # SQLITE_PERM
    5: LogFault.LOCKED,  # SQLITE_BUSY
    6: LogFault.LOCKED,  # SQLITE_LOCKED
    8: LogFault.READ_ONLY,  # SQLITE_READONLY
    11: LogFault.DAMAGED,  # SQLITE_CORRUPT
    13: LogFault.FULL,  # SQLITE_FULL
    14: LogFault.UNAVAILABLE,  # SQLITE_CANTOPEN
    26: LogFault.DAMAGED,  # SQLITE_NOTADB
}


def classify(exc: BaseException) -> LogFault:
    """The fault an exception from SQLite or the file system stands for."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:  # raised by our own code (e.g. SchemaTooNew)
            return LogFault.DAMAGED
        return _SQLITE_FAULTS.get(code & 0xFF, LogFault.UNAVAILABLE)
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return LogFault.FULL
        if exc.errno == errno.EROFS:
            return LogFault.READ_ONLY
    return LogFault.UNAVAILABLE


def read_failure(
    exc: BaseException, otherwise: type[PrivacyError] = LogUnavailable
) -> PrivacyError:
    """The error a person reading the log sees: a damaged database is named as such
    (the fix is to erase it), anything else is ``otherwise`` (try again)."""
    cls = LogDamaged if classify(exc) is LogFault.DAMAGED else otherwise
    return cls(type(exc).__name__)
