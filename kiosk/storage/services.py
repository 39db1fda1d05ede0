"""A service's day: staff overrides of today (open, quota) with their log, and the extra closed dates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.domain.errors import NotFound
from kiosk.storage.db import Database, row_or_none, stamp

Row = dict[str, Any]


def service_overrides(db: Database, day: str) -> dict[str, Row]:
    """Return today's staff overrides per service code."""
    rows = db.conn.execute("SELECT * FROM service_overrides WHERE day = ?", [day]).fetchall()
    return {row["service"]: dict(row) for row in rows}


def service_override(db: Database, day: str, service: str) -> Row | None:
    """Return the staff override of ``service`` on ``day``, or None."""
    return row_or_none(
        db.conn.execute("SELECT * FROM service_overrides WHERE day = ? AND service = ?", [day, service]).fetchone()
    )


def set_service_override(
    db: Database, day: str, service: str, changes: dict[str, Any], staff: Row, now: datetime
) -> Row:
    """Apply ``changes`` (``open`` and/or ``daily_quota``) to the override of ``service`` on ``day``.

    Keyed by day, so it reverts by itself when the office day ends. Every change is logged with who and when.
    """
    changed_at = stamp(now)
    with db.write() as conn:
        current = row_or_none(
            conn.execute(
                "SELECT open, daily_quota FROM service_overrides WHERE day = ? AND service = ?", [day, service]
            ).fetchone()
        ) or {"open": None, "daily_quota": None}
        merged = {
            **current,
            **{key: (int(value) if isinstance(value, bool) else value) for key, value in changes.items()},
        }
        conn.execute(
            "INSERT INTO service_overrides (day, service, open, daily_quota, updated_at, updated_by)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT (day, service) DO UPDATE SET open = excluded.open,"
            " daily_quota = excluded.daily_quota, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [day, service, merged["open"], merged["daily_quota"], changed_at, staff["username"]],
        )
        conn.execute(
            "INSERT INTO service_override_log (day, service, at, staff_id, username, open, daily_quota, changes)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [
                day,
                service,
                changed_at,
                staff.get("id"),
                staff["username"],
                merged["open"],
                merged["daily_quota"],
                ",".join(sorted(changes)),
            ],
        )
        return dict(
            conn.execute("SELECT * FROM service_overrides WHERE day = ? AND service = ?", [day, service]).fetchone()
        )


def service_override_log(db: Database, day: str, service: str | None = None) -> list[Row]:
    """Return the override changes of ``day`` (of one service if given), oldest first."""
    sql = "SELECT * FROM service_override_log WHERE day = ?"
    args: list[Any] = [day]
    if service is not None:
        sql += " AND service = ?"
        args.append(service)
    return [dict(row) for row in db.conn.execute(sql + " ORDER BY id", args).fetchall()]


def closed_dates(db: Database, first: str, last: str | None = None) -> dict[str, str]:
    """Return the extra closed dates from ``first`` (to ``last`` if given) with their reasons."""
    rows = db.conn.execute(
        "SELECT day, reason FROM closed_dates WHERE day >= ? AND day <= ? ORDER BY day", [first, last or "9999-12-31"]
    ).fetchall()
    return {row["day"]: row["reason"] for row in rows}


def list_closed_dates(db: Database, first: str = "0000-01-01") -> list[Row]:
    """Return every extra closed date from ``first`` on, with who added it and when, in date order."""
    rows = db.conn.execute("SELECT * FROM closed_dates WHERE day >= ? ORDER BY day", [first]).fetchall()
    return [dict(row) for row in rows]


def set_closed_date(db: Database, day: str, reason: str, username: str, now: datetime) -> tuple[Row, bool]:
    """Close the office on ``day`` for ``reason`` (or change the reason); return (row, created)."""
    with db.write() as conn:
        created = conn.execute("SELECT 1 FROM closed_dates WHERE day = ?", [day]).fetchone() is None
        conn.execute(
            "INSERT INTO closed_dates (day, reason, created_at, created_by) VALUES (?,?,?,?) ON CONFLICT (day)"
            " DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at,"
            " created_by = excluded.created_by",
            [day, reason, stamp(now), username],
        )
        return dict(conn.execute("SELECT * FROM closed_dates WHERE day = ?", [day]).fetchone()), created


def remove_closed_date(db: Database, day: str) -> None:
    """Open the office again on ``day``; raise NotFound when it was not an extra closed date."""
    with db.write() as conn:
        if conn.execute("DELETE FROM closed_dates WHERE day = ?", [day]).rowcount != 1:
            raise NotFound(f"Tanggal {day} tidak ada dalam daftar hari tutup.")
