"""The console's store: retention as docs/helpdesk.md says, and indexed lookups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from console import registry
from console.store import AUDIT_DAYS, DAY, Store


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def _count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_retention_audit_13_months_idle_sessions_unused_codes_and_reports(
    tmp_path: Path,
) -> None:
    clock = Clock()
    store = Store(tmp_path, clock)
    pid, _ = registry.create_pairing(store, "KG-0042", dt.date.today(), "anna")
    store.conn.execute(
        "INSERT INTO sessions (token_hash, user, csrf, created, last_seen) "
        "VALUES ('h', 'anna', 'c', ?, ?)",
        (clock.now, clock.now),
    )
    store.conn.execute(
        "INSERT INTO reports (pairing, device, role, received, state, body) "
        "VALUES (?, 'ABCDEFG', 'student', ?, 'new', '{}')",
        (pid, clock.now),
    )
    store.purge(session_idle=900)
    kept = {t: _count(store, t) for t in ("audit", "sessions", "codes", "reports")}
    assert kept == {"audit": 3, "sessions": 1, "codes": 2, "reports": 1}
    clock.now += 2 * DAY + 1  # codes expired over a day ago, the session idle
    store.purge(session_idle=900)
    assert (_count(store, "sessions"), _count(store, "codes")) == (0, 0)
    assert (_count(store, "audit"), _count(store, "reports")) == (3, 1)
    clock.now += 89 * DAY
    store.purge(session_idle=900)
    assert (_count(store, "audit"), _count(store, "reports")) == (3, 0)
    clock.now += (AUDIT_DAYS - 90) * DAY
    store.purge(session_idle=900)
    assert _count(store, "audit") == 0


def test_the_overview_queries_use_indexes_so_thousands_of_pairs_stay_quick(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path)
    plans = {
        sql: " ".join(str(row[-1]) for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        for sql, args in (
            ("SELECT revoked FROM codes WHERE pairing = ? AND role = ?", (1, "student")),
            ("SELECT count(*) FROM reports WHERE pairing = ? AND state != ?", (1, "solved")),
            ("SELECT * FROM audit WHERE target = ?", ("KG-0042",)),
        )
    }
    assert all("USING INDEX" in plan for plan in plans.values()), plans
