"""The SQL the connection log runs on its writer thread, one small function per row kind.

Every value here has been checked against the fixed sets (privacy/codes.py) before
it is queued; column names come from privacy/schema.py, never from a caller.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from privacy.codes import EventKind


def ms(seconds: float) -> int:
    """Seconds since 1970 as the integer milliseconds the database stores."""
    return round(seconds * 1000)


def count(value: object) -> int | None:
    """A non-negative whole number, or None (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def insert_session(conn: sqlite3.Connection, role: str, peer_short: str, now: float) -> int | None:
    cur = conn.execute(
        "INSERT INTO sessions (role, peer_short, started_at) VALUES (?, ?, ?)",
        (role, peer_short, ms(now)),
    )
    return cur.lastrowid


def insert_event(
    conn: sqlite3.Connection, now: float, row: int | None, kind: EventKind, code: str | None
) -> None:
    # The session row may be gone (erased or purged meanwhile): then the event stands alone.
    conn.execute(
        "INSERT INTO events (at, session_id, kind, code) "
        "VALUES (?, (SELECT id FROM sessions WHERE id = ?), ?, ?)",
        (ms(now), row, kind.value, code),
    )


def close_interrupted(conn: sqlite3.Connection) -> int:
    """Close the sessions a previous run left open (it was killed, or the power went):
    ended at their last known moment, as "interrupted". Returns how many."""
    open_ids = [row[0] for row in conn.execute("SELECT id FROM sessions WHERE ended_at IS NULL")]
    for sid in open_ids:
        conn.execute(
            "UPDATE sessions SET end_reason = 'interrupted', ended_at = coalesce("
            "(SELECT max(at) FROM events WHERE session_id = ?), connected_at, started_at) "
            "WHERE id = ?",
            (sid, sid),
        )
        conn.execute(
            "INSERT INTO events (at, session_id, kind, code) "
            "SELECT ended_at, id, 'ended', 'interrupted' FROM sessions WHERE id = ?",
            (sid,),
        )
    return len(open_ids)


def mark_connected(
    conn: sqlite3.Connection,
    row: int | None,
    now: float,
    setup_ms: int,
    candidate: str | None,
    *,
    relay: str | None = None,
) -> None:
    """The first connection's time and setup stay; the path (candidate type and relay
    transport) follows the newest link that named one."""
    conn.execute(
        "UPDATE sessions SET connected_at = coalesce(connected_at, ?), "
        "setup_ms = coalesce(setup_ms, ?), "
        "relay_protocol = CASE WHEN ? IS NULL THEN relay_protocol ELSE ? END, "
        "candidate_type = coalesce(?, candidate_type) WHERE id = ?",
        (ms(now), setup_ms, candidate, relay, candidate, row),
    )


def update_session(conn: sqlite3.Connection, row: int | None, values: Mapping[str, object]) -> None:
    """Set summary and end columns (names from privacy.schema, values checked)."""
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(
        f"UPDATE sessions SET {assignments} WHERE id = ?",  # noqa: S608
        (*values.values(), row),
    )
