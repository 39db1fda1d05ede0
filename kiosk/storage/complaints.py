"""Every SQL statement of complaints (pengaduan): numbering per year, the holder's view, the staff inbox."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk.domain.complaints import format_code
from kiosk.domain.errors import AlreadyAnswered, NotFound
from kiosk.storage.db import Database


def add_complaint(
    db: Database,
    *,
    received_at: datetime,
    due_at: datetime,
    token: str,
    category: str,
    text: str,
    phone: str | None,
    channel: str,
    received_by: str | None = None,
    ticket_hash: str | None = None,
    receipt_lang: str | None = None,
) -> dict[str, Any]:
    """Store a complaint under the next code of its year (one writer at a time: never a repeated code); with
    ``receipt_lang``, queue its printed receipt in that language in the same transaction."""
    year = received_at.year
    with db.write() as conn:
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM complaints WHERE year = ?", [year]).fetchone()[0]
        conn.execute(
            "INSERT INTO complaints (code, year, seq, token, category, text, phone, channel, received_at, received_by,"
            " due_at, ticket_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                format_code(year, seq),
                year,
                seq,
                token,
                category,
                text,
                phone,
                channel,
                received_at.isoformat(timespec="seconds"),
                received_by,
                due_at.isoformat(timespec="seconds"),
                ticket_hash,
            ],
        )
        row = dict(conn.execute("SELECT * FROM complaints WHERE year = ? AND seq = ?", [year, seq]).fetchone())
        if receipt_lang is not None:
            conn.execute(
                "INSERT INTO complaint_receipts (complaint_id, lang, created_at) VALUES (?, ?, ?)",
                [row["id"], receipt_lang, received_at.isoformat(timespec="seconds")],
            )
        return row


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
            " WHERE code = ? AND status = 'open'",
            [text, lapor_ref, at.isoformat(timespec="seconds"), by, code],
        )
        row = conn.execute("SELECT * FROM complaints WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFound(f"Pengaduan {code[:20]} tidak ditemukan.")
    if cursor.rowcount != 1:
        raise AlreadyAnswered(f"Pengaduan {code} sudah dijawab.")
    return dict(row)


def complaints_received(db: Database, first: str, last: str) -> list[dict[str, Any]]:
    """Return the complaints received on the office days ``first`` to ``last`` (ISO dates), oldest first."""
    rows = db.conn.execute(
        "SELECT * FROM complaints WHERE substr(received_at, 1, 10) BETWEEN ? AND ? ORDER BY year, seq", [first, last]
    ).fetchall()
    return [dict(row) for row in rows]


def settings_changes_until(db: Database, last_stamp: str) -> list[dict[str, Any]]:
    """Return the admin screen's settings changes up to ``last_stamp`` (ISO), oldest first, decoded."""
    rows = db.conn.execute(
        "SELECT id, changed_at, changed_by, changes FROM settings_changes WHERE changed_at <= ? ORDER BY id",
        [last_stamp],
    ).fetchall()
    return [{**dict(row), "changes": json.loads(row["changes"])} for row in rows]


def disruptions_of_year(db: Database, first: str, last: str) -> tuple[bool, list[dict[str, Any]]]:
    """Return whether any disruption was ever recorded, and those overlapping ``first``..``last`` (ISO stamps)."""
    recorded = db.conn.execute("SELECT EXISTS (SELECT 1 FROM disruptions)").fetchone()[0] == 1
    rows = db.conn.execute(
        "SELECT service, reason, since, ended_at FROM disruptions WHERE since < ?"
        " AND (ended_at IS NULL OR ended_at > ?) ORDER BY id",
        [last, first],
    ).fetchall()
    return recorded, [dict(row) for row in rows]


def days_served(db: Database, first: str, last: str) -> list[str]:
    """Return the office days from ``first`` to ``last`` on which at least one ticket was served."""
    rows = db.conn.execute(
        "SELECT DISTINCT day FROM tickets WHERE day BETWEEN ? AND ? AND status = 'done' ORDER BY day", [first, last]
    ).fetchall()
    return [row[0] for row in rows]


def forget_phones(db: Database, answered_before: datetime) -> int:
    """Remove the phone number of every complaint answered before ``answered_before``; return how many."""
    with db.write() as conn:
        return conn.execute(
            "UPDATE complaints SET phone = NULL WHERE phone IS NOT NULL AND status = 'answered' AND answered_at < ?",
            [answered_before.isoformat(timespec="seconds")],
        ).rowcount


# ---------------------------------------------------------------- receipts to print


def oldest_receipt_job(db: Database) -> dict[str, Any] | None:
    """Return the oldest pending receipt job with its complaint's code, dates and token (nothing else), or None."""
    row = db.conn.execute(
        "SELECT r.id AS job_id, r.lang, r.attempts, c.code, c.category, c.received_at, c.due_at, c.token"
        " FROM complaint_receipts r JOIN complaints c ON c.id = r.complaint_id"
        " WHERE r.status = 'pending' ORDER BY r.id LIMIT 1"
    ).fetchone()
    return dict(row) if row is not None else None


def finish_receipt_job(db: Database, job_id: int, status: str, now: datetime, error: str | None = None) -> None:
    """Close a receipt job as printed or failed (for good)."""
    with db.write(durable=False) as conn:
        conn.execute(
            "UPDATE complaint_receipts SET status = ?, printed_at = ?, last_error = ?,"
            " attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
            [status, now.isoformat(timespec="seconds") if status == "printed" else None, error, job_id],
        )


def postpone_receipt_job(db: Database, job_id: int, error: str) -> None:
    """Keep a receipt job pending after a failed attempt (the printer was away)."""
    with db.write() as conn:
        conn.execute(
            "UPDATE complaint_receipts SET attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'pending'",
            [error, job_id],
        )


def receipt_jobs_of(db: Database, code: str) -> list[dict[str, Any]]:
    """Return the receipt jobs of a complaint, oldest first."""
    return [
        dict(row)
        for row in db.conn.execute(
            "SELECT r.id, r.lang, r.status, r.attempts, r.last_error, r.printed_at FROM complaint_receipts r"
            " JOIN complaints c ON c.id = r.complaint_id WHERE c.code = ? ORDER BY r.id",
            [code],
        ).fetchall()
    ]
