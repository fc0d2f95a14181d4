"""The log database: its schema, its migrations and how every connection is opened.

``PRAGMA user_version`` is the schema version; ``MIGRATIONS[i]`` takes a database
from version ``i`` to ``i + 1``. Migrations are frozen once released: the coded
value lists below are written out, not derived from privacy/codes.py, so adding an
enum value means adding a migration (SQLite changes a CHECK only by rebuilding
the table, as migration V2 does). tests/unit/test_privacy_schema.py fails
when an enum and the newest schema disagree.

Every column is a technical fact of DESIGN.md "What is kept"; STRICT tables and
CHECK constraints keep free text, full DeviceIds and addresses out even if a
caller has a bug. privacy/keeplist.py describes each column to people.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from common.paths import ensure_private_dir


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_ROLES = ("student", "classroom")
_END_REASONS = (
    "hangup_local", "hangup_remote", "peer_untrusted", "peer_revoked",
    "update_needed", "declined", "stopped",
)  # fmt: skip
_CANDIDATES = ("host", "srflx", "prflx", "relay")
_KINDS = (
    "signaling_up", "signaling_down", "peer_online", "peer_offline", "ice_state",
    "dtls_state", "connected", "reconnecting", "sending_started", "sending_stopped",
    "peer_untrusted", "peer_revoked", "update_needed", "crl_updated", "device_lost",
    "device_found", "ended",
)  # fmt: skip
_CODES = (
    *_END_REASONS,
    "new", "checking", "completed", "failed", "closed", "connected", "disconnected",
    "connecting", "camera", "microphone", "speaker", "refused", "timeout", "error",
)  # fmt: skip
_ACTORS = ("technician", "teacher", "pupil", "operator", "system")
_ACTIONS = (
    "setting_changed", "technician_mode_opened", "technician_mode_closed",
    "bundle_installed", "diagnostics_run", "logs_viewed", "logs_exported", "logs_erased",
)  # fmt: skip
# Per-second values kept as min/avg/max (names of media.stats.CallStats fields).
SUMMARIES = (
    "bitrate_out_kbps", "bitrate_in_kbps", "packet_loss_pct", "rtt_ms", "fps_out", "fps_in",
)  # fmt: skip
_SUMMARY_COLUMNS = ",\n".join(
    f"  {name}_{part} REAL CHECK ({name}_{part} IS NULL OR {name}_{part} >= 0)"
    for name in SUMMARIES
    for part in ("min", "avg", "max")
)


def _count(name: str) -> str:
    return f"{name} INTEGER CHECK ({name} IS NULL OR {name} >= 0)"


def _sessions_table(name: str, end_reasons: Sequence[str]) -> str:
    return f"""CREATE TABLE {name} (
  id INTEGER PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN {_in(_ROLES)}),
  peer_short TEXT CHECK (peer_short IS NULL OR
    (length(peer_short) = 7 AND peer_short NOT GLOB '*[^A-Z2-7]*')),
  started_at INTEGER NOT NULL,
  connected_at INTEGER,
  ended_at INTEGER,
  end_reason TEXT CHECK (end_reason IS NULL OR end_reason IN {_in(end_reasons)}),
  setup_ms INTEGER CHECK (setup_ms IS NULL OR setup_ms BETWEEN 0 AND 3600000),
  candidate_type TEXT CHECK (candidate_type IS NULL OR candidate_type IN {_in(_CANDIDATES)}),
  {_count("bytes_out")},
  {_count("bytes_in")},
{_SUMMARY_COLUMNS},
  {_count("freezes")},
  {_count("reconnects")}
) STRICT;
"""


def _events_table(name: str, codes: Sequence[str], kinds: Sequence[str] = _KINDS) -> str:
    return f"""CREATE TABLE {name} (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  session_id INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN {_in(kinds)}),
  code TEXT CHECK (code IS NULL OR code IN {_in(codes)})
) STRICT;
"""


_V1 = f"""
{_sessions_table("sessions", _END_REASONS)}CREATE INDEX sessions_started ON sessions (started_at);

{_events_table("events", _CODES)}CREATE INDEX events_at ON events (at);
CREATE INDEX events_session ON events (session_id);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL CHECK (actor IN {_in(_ACTORS)}),
  action TEXT NOT NULL CHECK (action IN {_in(_ACTIONS)}),
  setting TEXT CHECK (setting IS NULL OR
    (length(setting) BETWEEN 1 AND 64 AND setting NOT GLOB '*[^a-z0-9_.]*')),
  sensitive INTEGER NOT NULL CHECK (sensitive IN (0, 1)),
  old_value TEXT CHECK (old_value IS NULL OR length(old_value) <= 64),
  new_value TEXT CHECK (new_value IS NULL OR length(new_value) <= 64),
  mac BLOB NOT NULL CHECK (length(mac) = 32),
  CHECK (sensitive = 0 OR (old_value IS NULL AND new_value IS NULL))
) STRICT;

CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_id INTEGER NOT NULL,
  last_mac BLOB NOT NULL CHECK (length(last_mac) = 32),
  purged_before INTEGER NOT NULL,
  mac BLOB NOT NULL CHECK (length(mac) = 32)
) STRICT;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
"""

# V2: calls ended by the school-hours schedule ("outside_schedule", issue 5). SQLite
# changes a CHECK only by rebuilding the table; rows are kept, indexes recreated.
_END_REASONS_V2 = (*_END_REASONS, "outside_schedule")
_CODES_V2 = (*_CODES, "outside_schedule")
# Built from this module's constants only: no outside input reaches this SQL.
_V2 = f"""
{_sessions_table("sessions_new", _END_REASONS_V2)}
INSERT INTO sessions_new SELECT * FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_started ON sessions (started_at);

{_events_table("events_new", _CODES_V2)}
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_session ON events (session_id);
"""  # noqa: S608

# V3: a session the program never closed (killed, power cut) is closed at the next
# start as "interrupted" (privacy.store), a reason only the log knows.
_END_REASONS_V3 = (*_END_REASONS_V2, "interrupted")
_CODES_V3 = (*_CODES_V2, "interrupted")
_V3 = f"""
{_sessions_table("sessions_new", _END_REASONS_V3)}
INSERT INTO sessions_new SELECT * FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_started ON sessions (started_at);

{_events_table("events_new", _CODES_V3)}
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_session ON events (session_id);
"""  # noqa: S608

# V4: the connection log itself may record in the audit trail that it set a damaged
# database aside and started afresh ("log_set_aside", actor "system"). Records are
# copied as they are (their MACs cover the values, not the table); the append-only
# triggers go with the old table and are made again. And a call can end because the
# server refused this device's own certificate as revoked ("revoked").
_ACTIONS_V4 = (*_ACTIONS, "log_set_aside")
_END_REASONS_V4 = (*_END_REASONS_V3, "revoked")
_CODES_V4 = (*_CODES_V3, "revoked")
_V4 = f"""
{_sessions_table("sessions_new", _END_REASONS_V4)}
INSERT INTO sessions_new SELECT * FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_started ON sessions (started_at);

{_events_table("events_new", _CODES_V4)}
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_session ON events (session_id);

CREATE TABLE audit_new (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL CHECK (actor IN {_in(_ACTORS)}),
  action TEXT NOT NULL CHECK (action IN {_in(_ACTIONS_V4)}),
  setting TEXT CHECK (setting IS NULL OR
    (length(setting) BETWEEN 1 AND 64 AND setting NOT GLOB '*[^a-z0-9_.]*')),
  sensitive INTEGER NOT NULL CHECK (sensitive IN (0, 1)),
  old_value TEXT CHECK (old_value IS NULL OR length(old_value) <= 64),
  new_value TEXT CHECK (new_value IS NULL OR length(new_value) <= 64),
  mac BLOB NOT NULL CHECK (length(mac) = 32),
  CHECK (sensitive = 0 OR (old_value IS NULL AND new_value IS NULL))
) STRICT;
INSERT INTO audit_new SELECT * FROM audit;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
"""  # noqa: S608

# V5: the audio processing (issue 11) could not load or failed; the call went on
# with unprocessed sound (a new event kind). And which transport this device used to
# reach the fleet's relay (issue 10): udp, tcp or tls, next to candidate_type.
_RELAY_PROTOCOLS = ("udp", "tcp", "tls")
_KINDS_V5 = (*_KINDS, "audio_processing_unavailable")
_V5 = f"""
{_events_table("events_new", _CODES_V4, _KINDS_V5)}
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_session ON events (session_id);

ALTER TABLE sessions ADD COLUMN relay_protocol TEXT
  CHECK (relay_protocol IS NULL OR relay_protocol IN {_in(_RELAY_PROTOCOLS)});
"""  # noqa: S608

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5)
VERSION = len(MIGRATIONS)
# Guarded by these triggers; only privacy.audit's purge lifts them, inside its own
# transaction (DDL is transactional in SQLite), and puts them back before COMMIT.
AUDIT_GUARDS = ("audit_no_update", "audit_no_delete")


class SchemaTooNew(sqlite3.DatabaseError):
    """The database was written by a newer Klasgenoot; we do not guess its meaning."""


def connect(path: Path, *, busy_ms: int = 1000) -> sqlite3.Connection:
    """Open (creating it 0600 if needed) and migrate the log database.

    ``secure_delete`` is a per-connection setting, so every connection is opened
    here: deleted records are overwritten with zeros, not just unlinked from a page.
    """
    ensure_private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # SQLite copies the mode
    conn = sqlite3.connect(path, timeout=busy_ms / 1000, isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise sqlite3.OperationalError(f"journal mode {mode}")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Small WAL: fewer stale page copies lying around, and bounded disk use.
        conn.execute("PRAGMA wal_autocheckpoint = 64")
        conn.execute("PRAGMA journal_size_limit = 262144")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to :data:`VERSION`; each step in its own transaction.

    Foreign keys are off while migrating (SQLite's procedure for changing a table:
    otherwise dropping a rebuilt table would cascade into its events) and checked
    before they are switched on again.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > VERSION:
        raise SchemaTooNew(f"schema {version} > {VERSION}")
    if version == VERSION:
        return VERSION
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for number in range(version, VERSION):
            _step(conn, number)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return VERSION


def _step(conn: sqlite3.Connection, number: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock.
        if conn.execute("PRAGMA user_version").fetchone()[0] == number:
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.IntegrityError(f"migration {number + 1} broke a reference")
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN...END)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError("incomplete statement in migration")
    return out


TABLE_ORDER = ("sessions", "events", "audit", "audit_anchor")


def table_names(conn: sqlite3.Connection) -> list[str]:
    """Our tables in a fixed order (a migration that rebuilds one must not reorder
    what people are shown); SQLite's own ``sqlite_*`` tables left out."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    names = [row[0] for row in rows]
    rank = {name: i for i, name in enumerate(TABLE_ORDER)}
    return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


def column_names(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def current_schema() -> dict[str, list[str]]:
    """table -> columns of the newest schema, built in memory (no file needed)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn)
        return {table: column_names(conn, table) for table in table_names(conn)}
    finally:
        conn.close()
