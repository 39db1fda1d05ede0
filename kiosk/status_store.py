"""Every SQL statement of KTP-el status records, their history and the lookup audit log.

Functions take the database first. A record's history gets a row only when something really changed.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from kiosk.db import Database
from kiosk.status import FINISHED_STATUSES, READY_FOR_PICKUP, Application, can_become_ready

_FIELDS = ("kk", "name", "birth_date", "status", "note")


def get_application(db: Database, nik: str) -> dict | None:
    """Return the record of a NIK, or None."""
    row = db.conn.execute("SELECT nik, kk, name, birth_date, status, note, updated_at, updated_by"
                          " FROM applications WHERE nik = ?", [nik]).fetchone()
    return dict(row) if row else None


def _upsert(conn: sqlite3.Connection, record: Application, at: str, by: str, source: str) -> str:
    """Write one record inside the caller's transaction; return created, updated or unchanged."""
    old = conn.execute("SELECT kk, name, birth_date, status, note FROM applications WHERE nik = ?",
                       [record.nik]).fetchone()
    values = [getattr(record, name) for name in _FIELDS]
    if old is not None and list(old) == values:
        return "unchanged"
    conn.execute(
        "INSERT INTO applications (nik, kk, name, birth_date, status, note, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (nik) DO UPDATE SET kk = excluded.kk, name = excluded.name,"
        " birth_date = excluded.birth_date, status = excluded.status, note = excluded.note,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [record.nik, *values, at, by])
    conn.execute("INSERT INTO application_history (nik, at, by, source, kk, name, birth_date, status, note)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [record.nik, at, by, source, *values])
    return "created" if old is None else "updated"


def save_application(db: Database, record: Application, at: str, by: str, source: str = "staff") -> str:
    """Create or change one record (history only on a real change); return created, updated or unchanged."""
    with db.write() as conn:
        return _upsert(conn, record, at, by, source)


def save_applications(db: Database, records: Iterable[Application], at: str, by: str,
                      source: str = "import") -> dict[str, int]:
    """Upsert many records in one transaction; return how many were created, updated and unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with db.write() as conn:
        for record in records:
            counts[_upsert(conn, record, at, by, source)] += 1
    return counts


def set_status(db: Database, nik: str, status: str, note: str, at: str, by: str) -> str | None:
    """Change the status and note of an existing record (staff); return updated or unchanged, None when unknown."""
    with db.write() as conn:
        old = conn.execute("SELECT nik, kk, name, birth_date, note FROM applications WHERE nik = ?",
                           [nik]).fetchone()
        if old is None:
            return None
        return _upsert(conn, Application(old["nik"], old["kk"], old["name"], old["birth_date"], status, note),
                       at, by, "staff")


def mark_ready(db: Database, niks: Iterable[str], note: str, at: str, by: str) -> dict[str, str]:
    """Set many records to READY_FOR_PICKUP with a note, in one transaction.

    Return each NIK's outcome: updated, already_ready (left as it is, note included), not_ready_state (a status
    from which no card can be at the office: left as it is) or unknown.
    """
    outcomes: dict[str, str] = {}
    with db.write() as conn:
        for nik in niks:
            old = conn.execute("SELECT nik, kk, name, birth_date, status FROM applications WHERE nik = ?",
                               [nik]).fetchone()
            if old is None:
                outcomes[nik] = "unknown"
            elif old["status"] == READY_FOR_PICKUP:
                outcomes[nik] = "already_ready"
            elif not can_become_ready(old["status"]):
                outcomes[nik] = "not_ready_state"
            else:
                _upsert(conn, Application(nik, old["kk"], old["name"], old["birth_date"], READY_FOR_PICKUP, note),
                        at, by, "staff")
                outcomes[nik] = "updated"
    return outcomes


def application_history(db: Database, nik: str) -> list[dict]:
    """Return a record's changes, oldest first."""
    rows = db.conn.execute("SELECT at, by, source, kk, name, birth_date, status, note FROM application_history"
                           " WHERE nik = ? ORDER BY id", [nik]).fetchall()
    return [dict(row) for row in rows]


def count_applications(db: Database) -> int:
    """Return how many status records there are."""
    return db.conn.execute("SELECT count(*) FROM applications").fetchone()[0]


def record_lookup(db: Database, at: str, client: str, outcome: str, nik_hmac: str | None,
                  staff: str | None = None) -> None:
    """Append a status lookup (a resident's at the kiosk, or a staff member's) to the audit log.

    The NIK is kept as a keyed hash, never as the NIK.
    """
    with db.write() as conn:
        conn.execute("INSERT INTO status_lookups (at, client, outcome, nik_hmac, staff) VALUES (?, ?, ?, ?, ?)",
                     [at, client, outcome, nik_hmac, staff])


def lookups(db: Database) -> list[dict]:
    """Return the lookup audit log, oldest first."""
    return [dict(row) for row in db.conn.execute(
        "SELECT at, client, outcome, nik_hmac, staff FROM status_lookups ORDER BY id").fetchall()]


def purge(db: Database, before: str) -> dict[str, int]:
    """Delete audit entries, and history of finished records, from before ``before`` (ISO time)."""
    marks = ", ".join("?" for _ in FINISHED_STATUSES)
    with db.write() as conn:
        audit = conn.execute("DELETE FROM status_lookups WHERE at < ?", [before]).rowcount
        history = conn.execute(
            f"DELETE FROM application_history WHERE at < ? AND nik IN"
            f" (SELECT nik FROM applications WHERE status IN ({marks}))", [before, *FINISHED_STATUSES]).rowcount
    return {"lookups": audit, "history": history}

