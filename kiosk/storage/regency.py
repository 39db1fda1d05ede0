"""SQL of the regency outbox (store-and-forward to the regency) and the office key file beside the database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from kiosk.storage.db import Database
from kiosk.storage.keyfiles import make_private


def key_file(database: Path) -> Path:
    """Return the file beside ``database`` holding the office key the regency issued (0600, never in a backup)."""
    return database.with_name(database.name + ".regency-key")


def read_key(database: Path) -> str | None:
    """Return the office key, or None when its file is missing or empty; the file is made owner-only."""
    path = key_file(database)
    try:
        make_private(path)
        key = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return key or None


def add(db: Database, kind: str, at: str, data: dict[str, Any]) -> str:
    """Append one event to the outbox (one INSERT); return its stable id.

    Not waiting for the disk (see Database.write): it reaches the disk with the next durable commit,
    so issuing does not pay a second flush per ticket.
    """
    event_id = uuid.uuid4().hex
    with db.write(durable=False) as conn:
        conn.execute("INSERT INTO regency_outbox (id, kind, at, data) VALUES (?, ?, ?, ?)",
                     [event_id, kind, at, json.dumps(data, ensure_ascii=False, separators=(",", ":"))])
    return event_id


def pending(db: Database, limit: int) -> list[dict[str, Any]]:
    """Return the oldest unsent events (at most ``limit``), in order, as {"seq", "event"}."""
    rows = db.conn.execute("SELECT seq, id, kind, at, data FROM regency_outbox WHERE sent_at IS NULL"
                           " ORDER BY seq LIMIT ?", [limit]).fetchall()
    return [{"seq": row["seq"], "event": {"id": row["id"], "kind": row["kind"], "at": row["at"],
                                          **json.loads(row["data"])}} for row in rows]


def mark_sent(db: Database, first_seq: int, last_seq: int, sent_at: str) -> None:
    """Mark the events ``first_seq``..``last_seq`` sent."""
    with db.write(durable=False) as conn:
        conn.execute("UPDATE regency_outbox SET sent_at = ? WHERE seq BETWEEN ? AND ? AND sent_at IS NULL",
                     [sent_at, first_seq, last_seq])


def backlog(db: Database) -> dict[str, Any]:
    """Return {"pending", "oldest_at", "last_sent_at"} of the outbox."""
    row = db.conn.execute(
        "SELECT (SELECT count(*) FROM regency_outbox WHERE sent_at IS NULL) AS pending,"
        " (SELECT at FROM regency_outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1) AS oldest_at,"
        " (SELECT sent_at FROM regency_outbox WHERE sent_at IS NOT NULL ORDER BY seq DESC LIMIT 1)"
        " AS last_sent_at").fetchone()
    return dict(row)
