"""Where a device keeps what privacy/ owns: one ``state`` folder in its config folder.

``<config>/state/connections.sqlite3`` (with SQLite's ``-wal``/``-shm``/``-journal``
companions) holds the connection log and the audit trail; ``<config>/state/logs/``
holds the program's own rotating text log; ``<config>/state/damaged/`` holds a
damaged database the log set aside (privacy/recovery.py), until retention removes
it. Nothing else of ours is written there.
"""

from __future__ import annotations

from pathlib import Path

STATE_DIR = "state"
DB_NAME = "connections.sqlite3"
DB_COMPANIONS = ("-wal", "-shm", "-journal")
LOGS_DIR = "logs"
DAMAGED_DIR = "damaged"
LOG_NAME = "klasgenoot.log"


def state_dir(config_dir: Path) -> Path:
    return config_dir / STATE_DIR


def database_path(state: Path) -> Path:
    return state / DB_NAME


def database_files(state: Path) -> list[Path]:
    """The database and every companion file SQLite may leave next to it."""
    db = database_path(state)
    return [db, *(db.with_name(db.name + suffix) for suffix in DB_COMPANIONS)]


def logs_dir(state: Path) -> Path:
    return state / LOGS_DIR


def program_log_files(state: Path) -> list[Path]:
    """The program log and its rotated predecessors (``klasgenoot.log.1`` ...)."""
    folder = logs_dir(state)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(LOG_NAME) and p.is_file())


def damaged_dir(state: Path) -> Path:
    return state / DAMAGED_DIR


def damaged_files(state: Path) -> list[Path]:
    """Damaged databases set aside (with their companions), oldest name first."""
    folder = damaged_dir(state)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() or p.is_symlink())
