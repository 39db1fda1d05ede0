"""Small persistent values of the office (the ``app_state`` table), e.g. which secrets moved to files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.storage.db import Database, stamp

Row = dict[str, Any]


def get_state(db: Database, key: str) -> str | None:
    """Return a small persistent setting (e.g. the session secret), or None."""
    row = db.conn.execute("SELECT value FROM app_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def ensure_state(db: Database, key: str, make: Any, now: datetime) -> str:
    """Return the stored value of ``key``, storing ``make()`` first if there is none."""
    with db.write() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO app_state (key, value, updated_at) VALUES (?, ?, ?)", [key, make(), stamp(now)]
        )
        return conn.execute("SELECT value FROM app_state WHERE key = ?", [key]).fetchone()[0]


def set_state(db: Database, key: str, value: str, now: datetime) -> None:
    """Store a small persistent setting."""
    with db.write() as conn:
        conn.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [key, value, stamp(now)],
        )


def delete_state(db: Database, key: str) -> None:
    """Remove a small persistent setting (one that moved out of the database)."""
    with db.write() as conn:
        conn.execute("DELETE FROM app_state WHERE key = ?", [key])
