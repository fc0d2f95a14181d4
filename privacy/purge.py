"""One purge of everything past retention: connection log, program log, audit trail.

Run on the connection log's writer thread (privacy/store.py), at start and daily.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from privacy.audit import purge_audit
from privacy.errors import AuditChainBroken
from privacy.recovery import purge_set_aside
from privacy.retention import (
    PurgeReport,
    Retention,
    audit_cutoff,
    purge_connection_logs,
    purge_program_logs,
)

logger = logging.getLogger(__name__)


def purge_all(
    conn: sqlite3.Connection | None,
    state: Path,
    *,
    now: float,
    retention: Retention,
    secret: bytes | None,
) -> PurgeReport:
    """Program log files go even when the database cannot be opened (``conn`` None)."""
    cutoff = retention.connection_cutoff(now)
    files = purge_program_logs(state, cutoff) + purge_set_aside(state, cutoff)
    if conn is None:
        return PurgeReport(ok=False, log_files=files)
    sessions, events = purge_connection_logs(conn, cutoff)
    audit, ok = 0, True
    if secret is not None:
        try:
            audit = purge_audit(conn, secret, audit_cutoff(now))
        except AuditChainBroken:
            # Keep the evidence: a broken chain is for a technician to look at.
            logger.warning("audit trail does not verify: nothing of it purged")
            ok = False
    if sessions or events or audit:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no old page copies in the WAL
    return PurgeReport(ok, sessions, events, audit, files)
