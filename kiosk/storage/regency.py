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
        conn.execute(
            "INSERT INTO regency_outbox (id, kind, at, data) VALUES (?, ?, ?, ?)",
            [event_id, kind, at, json.dumps(data, ensure_ascii=False, separators=(",", ":"))],
        )
    return event_id


ENABLED_KEY = "regency_enabled"
SUMMARISED_KEY = "regency_summarised_through"


def set_enabled(db: Database, enabled: bool, now: str) -> None:
    """Turn the outbox triggers (migration 0019) on or off: they copy each change only while this is on.

    Nothing is written when it already says so (a missing value is off), so an office without a regency never
    writes here at start-up.
    """
    row = db.conn.execute("SELECT value FROM app_state WHERE key = ?", [ENABLED_KEY]).fetchone()
    if (row is not None and row["value"] == "1") == enabled:
        return
    with db.write() as conn:
        conn.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key)"
            " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [ENABLED_KEY, "1" if enabled else "0", now],
        )


STATUS_CURSOR_KEY = "regency_status_cursor"


def status_cursor(db: Database) -> int:
    """Return the regency's cursor of the last status record this office applied (0 before the first pull)."""
    row = db.conn.execute("SELECT value FROM app_state WHERE key = ?", [STATUS_CURSOR_KEY]).fetchone()
    return int(row["value"]) if row else 0


def set_status_cursor(db: Database, cursor: int, now: str) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key)"
            " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [STATUS_CURSOR_KEY, str(cursor), now],
        )


def summarised_through(db: Database) -> str | None:
    """Return the last office day whose summary is in the outbox, or None before the first."""
    row = db.conn.execute("SELECT value FROM app_state WHERE key = ?", [SUMMARISED_KEY]).fetchone()
    return row["value"] if row else None


def add_day(
    db: Database, day: str, at: str, summary: dict[str, Any] | None, surveys: list[dict[str, Any]], now: str
) -> None:
    """Queue one closed day's summary and its survey responses, and mark the day done, in one transaction.

    Their ids are derived from the day (and the response's own random id), so a repeat is dropped by the regency.
    """
    with db.write() as conn:
        rows = [] if summary is None else [(f"day-{day}", "day_summary", at, summary)]
        rows += [(f"survey-{response.pop('id'):x}", "survey_response", at, response) for response in surveys]
        conn.executemany(
            "INSERT OR IGNORE INTO regency_outbox (id, kind, at, data) VALUES (?, ?, ?, ?)",
            [
                (event_id, kind, stamp, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                for event_id, kind, stamp, data in rows
            ],
        )
        conn.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key)"
            " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [SUMMARISED_KEY, day, now],
        )


def survey_rows(db: Database, day: str) -> list[dict[str, Any]]:
    """Return a day's survey responses as stored (with their random id), without the free-text suggestion."""
    rows = db.conn.execute("SELECT * FROM survey_responses WHERE day = ? ORDER BY id", [day]).fetchall()
    return [{key: row[key] for key in row.keys() if key != "suggestion"} for row in rows]


def quarantine(db: Database, seq: int, reason: str, at: str) -> None:
    """Set one event aside that the regency refused as bad data: it is kept, counted and never sent again."""
    with db.write(durable=False) as conn:
        conn.execute(
            "UPDATE regency_outbox SET quarantined_at = ?, quarantine_reason = ? WHERE seq = ?", [at, reason[:200], seq]
        )


def quarantined(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """Return the latest quarantined events (newest first): id, kind, at, when and why."""
    rows = db.conn.execute(
        "SELECT id, kind, at, quarantined_at, quarantine_reason FROM regency_outbox"
        " WHERE quarantined_at IS NOT NULL ORDER BY seq DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [
        {
            "id": row["id"],
            "kind": row["kind"],
            "at": row["at"],
            "quarantined_at": row["quarantined_at"],
            "reason": row["quarantine_reason"],
        }
        for row in rows
    ]


def pending(db: Database, limit: int) -> list[dict[str, Any]]:
    """Return the oldest unsent events (at most ``limit``), in order, as {"seq", "event"}; quarantined ones never."""
    rows = db.conn.execute(
        "SELECT seq, id, kind, at, data FROM regency_outbox"
        " WHERE sent_at IS NULL AND quarantined_at IS NULL"
        " ORDER BY seq LIMIT ?",
        [limit],
    ).fetchall()
    return [
        {"seq": row["seq"], "event": {"id": row["id"], "kind": row["kind"], "at": row["at"], **json.loads(row["data"])}}
        for row in rows
    ]


def mark_sent(db: Database, first_seq: int, last_seq: int, sent_at: str) -> None:
    """Mark the events ``first_seq``..``last_seq`` sent."""
    with db.write(durable=False) as conn:
        conn.execute(
            "UPDATE regency_outbox SET sent_at = ? WHERE seq BETWEEN ? AND ? AND sent_at IS NULL",
            [sent_at, first_seq, last_seq],
        )


def backlog(db: Database) -> dict[str, Any]:
    """Return {"pending", "quarantined", "oldest_at", "last_sent_at"} of the outbox."""
    row = db.conn.execute(
        "SELECT (SELECT count(*) FROM regency_outbox WHERE sent_at IS NULL AND quarantined_at IS NULL) AS pending,"
        " (SELECT count(*) FROM regency_outbox WHERE quarantined_at IS NOT NULL) AS quarantined,"
        " (SELECT at FROM regency_outbox WHERE sent_at IS NULL AND quarantined_at IS NULL ORDER BY seq LIMIT 1)"
        " AS oldest_at,"
        " (SELECT sent_at FROM regency_outbox WHERE sent_at IS NOT NULL ORDER BY seq DESC LIMIT 1)"
        " AS last_sent_at"
    ).fetchone()
    return dict(row)
