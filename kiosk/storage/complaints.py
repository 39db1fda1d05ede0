"""Every SQL statement of complaints (pengaduan): numbering per year, the holder's view, the staff inbox."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk.domain.complaints import format_code
from kiosk.domain.errors import AlreadyAnswered, NotFound
from kiosk.storage.db import Database


def add_complaint(db: Database, *, received_at: datetime, due_at: datetime, token: str, category: str, text: str,
                  phone: str | None, channel: str, received_by: str | None = None,
                  ticket_hash: str | None = None) -> dict[str, Any]:
    """Store a complaint under the next code of its year (one writer at a time: never a repeated code)."""
    year = received_at.year
    with db.write() as conn:
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM complaints WHERE year = ?", [year]).fetchone()[0]
        conn.execute(
            "INSERT INTO complaints (code, year, seq, token, category, text, phone, channel, received_at, received_by,"
            " due_at, ticket_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [format_code(year, seq), year, seq, token, category, text, phone, channel,
             received_at.isoformat(timespec="seconds"), received_by, due_at.isoformat(timespec="seconds"),
             ticket_hash])
        return dict(conn.execute("SELECT * FROM complaints WHERE year = ? AND seq = ?", [year, seq]).fetchone())


def complaints_of_ticket(db: Database, ticket_hash: str) -> int:
    """Count the complaints lodged with one ticket's token."""
    return db.conn.execute("SELECT COUNT(*) FROM complaints WHERE ticket_hash = ?", [ticket_hash]).fetchone()[0]


def get_by_token(db: Database, token: str) -> dict[str, Any]:
    """Return the complaint whose holder has ``token``, or raise NotFound."""
    row = db.conn.execute("SELECT * FROM complaints WHERE token = ?", [token]).fetchone()
    if row is None:
        raise NotFound("Pengaduan tidak ditemukan.")
    return dict(row)


def get_by_code(db: Database, code: str) -> dict[str, Any]:
    """Return the complaint with this tracking code, or raise NotFound."""
    row = db.conn.execute("SELECT * FROM complaints WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFound(f"Pengaduan {code[:20]} tidak ditemukan.")
    return dict(row)


def list_complaints(db: Database, answered: bool | None = None) -> list[dict[str, Any]]:
    """Return complaints (answered or not, or all), earliest deadline first."""
    sql, args = "SELECT * FROM complaints", []
    if answered is not None:
        sql += " WHERE status = ?"
        args.append("answered" if answered else "open")
    return [dict(row) for row in db.conn.execute(sql + " ORDER BY due_at, year, seq", args).fetchall()]


def answer(db: Database, code: str, text: str, lapor_ref: str | None, at: datetime, by: str) -> dict[str, Any]:
    """Record the office's answer once (compare-and-set on the open state); raise NotFound / AlreadyAnswered."""
    with db.write() as conn:
        cursor = conn.execute(
            "UPDATE complaints SET status = 'answered', answer = ?, lapor_ref = ?, answered_at = ?, answered_by = ?"
            " WHERE code = ? AND status = 'open'", [text, lapor_ref, at.isoformat(timespec="seconds"), by, code])
        row = conn.execute("SELECT * FROM complaints WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFound(f"Pengaduan {code[:20]} tidak ditemukan.")
    if cursor.rowcount != 1:
        raise AlreadyAnswered(f"Pengaduan {code} sudah dijawab.")
    return dict(row)


def complaints_received(db: Database, first: str, last: str) -> list[dict[str, Any]]:
    """Return the complaints received on the office days ``first`` to ``last`` (ISO dates), oldest first."""
    rows = db.conn.execute(
        "SELECT * FROM complaints WHERE substr(received_at, 1, 10) BETWEEN ? AND ? ORDER BY year, seq",
        [first, last]).fetchall()
    return [dict(row) for row in rows]


def settings_changes_until(db: Database, last_stamp: str) -> list[dict[str, Any]]:
    """Return the admin screen's settings changes up to ``last_stamp`` (ISO), oldest first, decoded."""
    rows = db.conn.execute(
        "SELECT id, changed_at, changed_by, changes FROM settings_changes WHERE changed_at <= ? ORDER BY id",
        [last_stamp]).fetchall()
    return [{**dict(row), "changes": json.loads(row["changes"])} for row in rows]


def days_served(db: Database, first: str, last: str) -> list[str]:
    """Return the office days from ``first`` to ``last`` on which at least one ticket was served."""
    rows = db.conn.execute("SELECT DISTINCT day FROM tickets WHERE day BETWEEN ? AND ? AND status = 'done'"
                           " ORDER BY day", [first, last]).fetchall()
    return [row[0] for row in rows]
