"""The settings changed on the admin screen: an append-only history; its latest row is in force over the file."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk.storage.db import Database

HISTORY_LIMIT = 50


def latest(db: Database) -> dict[str, Any] | None:
    """Return the latest change as {"id", "changed_at", "changed_by", "patch", "changes"}, or None."""
    row = db.conn.execute(
        "SELECT id, changed_at, changed_by, patch, changes FROM settings_changes ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return _decoded(row) if row else None


def record(db: Database, patch: dict, changes: dict, who: str, now: datetime) -> dict[str, Any]:
    """Append one change: what was sent (``patch``) and every screen change now in force (``changes``)."""
    stamp = now.isoformat(timespec="seconds")
    with db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO settings_changes (changed_at, changed_by, patch, changes) VALUES (?,?,?,?)",
            [stamp, who, json.dumps(patch, ensure_ascii=False), json.dumps(changes, ensure_ascii=False)],
        )
        return {"id": cursor.lastrowid, "changed_at": stamp, "changed_by": who, "patch": patch, "changes": changes}


def history(db: Database, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """Return the latest changes, newest first."""
    rows = db.conn.execute(
        "SELECT id, changed_at, changed_by, patch, changes FROM settings_changes ORDER BY id DESC LIMIT ?", [limit]
    ).fetchall()
    return [_decoded(row) for row in rows]


def services_with_tickets(db: Database, day: str) -> set[str]:
    """Return the codes of the services that have (or had) a ticket on ``day``."""
    rows = db.conn.execute(
        "SELECT service FROM tickets WHERE day = ? UNION SELECT origin_service FROM tickets WHERE day = ?", [day, day]
    ).fetchall()
    return {row[0] for row in rows}


def _decoded(row) -> dict[str, Any]:
    item = dict(row)
    item["patch"] = json.loads(item["patch"])
    item["changes"] = json.loads(item["changes"])
    return item


# ---------------------------------------------------------------- test pages (the printer's "Cetak uji")


def queue_test_print(db: Database, who: str, now: datetime) -> dict[str, Any]:
    """Queue one test page for the print worker; return it."""
    with db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO test_prints (requested_at, requested_by) VALUES (?, ?)",
            [now.isoformat(timespec="seconds"), who],
        )
        return dict(conn.execute("SELECT * FROM test_prints WHERE id = ?", [cursor.lastrowid]).fetchone())


def get_test_print(db: Database, test_id: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM test_prints WHERE id = ?", [test_id]).fetchone()
    return dict(row) if row else None


def oldest_test_print(db: Database) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM test_prints WHERE status = 'pending' ORDER BY id LIMIT 1").fetchone()
    return dict(row) if row else None


def finish_test_print(db: Database, test_id: int, status: str, now: datetime, error: str | None = None) -> None:
    with db.write(durable=False) as conn:
        conn.execute(
            "UPDATE test_prints SET status = ?, finished_at = ?, last_error = ? WHERE id = ?",
            [status, now.isoformat(timespec="seconds"), error, test_id],
        )
