"""SQL of disruptions ("gangguan layanan"): start, end, the active ones, and those overlapping a period."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from kiosk.domain.errors import KioskError, NotFound
from kiosk.storage.db import Database

Row = dict[str, Any]
_COLUMNS = "id, service, reason, note, since, until, started_by, ended_at, ended_by"


def _stamp(when: datetime | None) -> str | None:
    return when.isoformat(timespec="seconds") if when is not None else None


def start(
    db: Database, service: str | None, reason: str, note: str, until: datetime | None, username: str, now: datetime
) -> Row:
    """Record a disruption of one service (or of all when ``service`` is None) from ``now``; return it."""
    with db.write() as conn:
        cur = conn.execute(
            "INSERT INTO disruptions (service, reason, note, since, until, started_by) VALUES (?,?,?,?,?,?)",
            [service, reason, note, _stamp(now), _stamp(until), username],
        )
        return dict(conn.execute(f"SELECT {_COLUMNS} FROM disruptions WHERE id = ?", [cur.lastrowid]).fetchone())


def end(db: Database, disruption_id: int, username: str, now: datetime) -> Row:
    """End an active disruption now; raise NotFound (unknown) or 409 already_ended."""
    with db.write() as conn:
        changed = conn.execute(
            "UPDATE disruptions SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL",
            [_stamp(now), username, disruption_id],
        ).rowcount
        row = conn.execute(f"SELECT {_COLUMNS} FROM disruptions WHERE id = ?", [disruption_id]).fetchone()
        if row is None:
            raise NotFound("Gangguan tidak ditemukan.", code="unknown_disruption")
        if not changed:
            raise KioskError("Gangguan ini sudah diakhiri.", code="already_ended", status=409)
        return dict(row)


def active(db: Database) -> list[Row]:
    """Return the disruptions going on now, oldest first."""
    rows = db.conn.execute(f"SELECT {_COLUMNS} FROM disruptions WHERE ended_at IS NULL ORDER BY id").fetchall()
    return [dict(row) for row in rows]


def active_for(db: Database, service: str) -> Row | None:
    """Return the latest disruption going on now that covers ``service`` (its own or one of all), or None."""
    return active_for_in(db.conn, service)


def active_for_in(conn: sqlite3.Connection, service: str) -> Row | None:
    """``active_for`` on ``conn`` (e.g. inside the write transaction that issues a number)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM disruptions WHERE ended_at IS NULL AND (service IS NULL OR service = ?)"
        " ORDER BY id DESC LIMIT 1",
        [service],
    ).fetchone()
    return dict(row) if row is not None else None


def overlapping(db: Database, first: str, last: str) -> list[Row]:
    """Return the disruptions that began before the end of ``last`` and had not ended before ``first`` began.

    ``first`` and ``last`` are ISO timestamps in the office zone (the stored ones are too, so text order works
    within one zone; the caller clips exactly).
    """
    rows = db.conn.execute(
        f"SELECT {_COLUMNS} FROM disruptions WHERE since < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY id",
        [last, first],
    ).fetchall()
    return [dict(row) for row in rows]
