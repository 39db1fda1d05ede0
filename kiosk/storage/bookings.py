"""SQL of numbers for a later day: bookings, their seats in the quota, check-in, expiry, slips to print."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.domain import bookings as rules
from kiosk.domain.errors import BadTransition, KioskError
from kiosk.domain.settings import Service, Settings
from kiosk.storage.db import Database

Row = dict[str, Any]
COLUMNS = (
    "id, code, token, service, day, slot_start, slot_end, status, members, nik_hash IS NOT NULL AS has_nik,"
    " created_at, created_by, ticket_id, changed_at"
)
HOLDING = "('booked', 'checked_in')"  # bookings that hold their seat in the window


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


class SlotFull(KioskError):
    code = "slot_full"
    status = 409


class AlreadyBooked(KioskError):
    code = "already_booked"
    status = 409


class UnknownBooking(KioskError):
    code = "unknown_booking"
    status = 404


# ---------------------------------------------------------------- bookings


def booked_seats(db: Database, service: str, first: str, last: str) -> dict[tuple[str, str], int]:
    """Return seats held per (day, window start) of a service between two days."""
    rows = db.conn.execute(
        f"SELECT day, slot_start, SUM(members) AS seats FROM bookings WHERE service = ? AND day BETWEEN ? AND ?"
        f" AND status IN {HOLDING} GROUP BY day, slot_start",
        [service, first, last],
    ).fetchall()
    return {(row["day"], row["slot_start"]): row["seats"] for row in rows}


def create(
    db: Database,
    service: str,
    day: str,
    slot: rules.Slot,
    members: int,
    nik_hash: str | None,
    phone: str | None,
    created_by: str,
    key: str | None,
    now: datetime,
    slot_capacity: int,
    day_capacity: int,
    print_slip: bool,
) -> tuple[Row, bool]:
    """Book a seat in a window, counted inside the write transaction (race-safe); return (booking, created).

    Raise SlotFull, AlreadyBooked (the NIK holds a booking or a number that day), or 422 idempotency_mismatch.
    """
    with db.write() as conn:
        if key is not None:
            known = conn.execute(f"SELECT {COLUMNS} FROM bookings WHERE idempotency_key = ?", [key]).fetchone()
            if known is not None:
                if (known["service"], known["day"], known["slot_start"], known["members"]) != (
                    service,
                    day,
                    slot.start_text,
                    members,
                ):
                    raise KioskError(
                        "Idempotency-Key ini sudah dipakai untuk pemesanan lain.",
                        code="idempotency_mismatch",
                        status=422,
                    )
                return dict(known), False
        if nik_hash is not None:
            held = conn.execute(
                f"SELECT 1 FROM bookings WHERE day = ? AND service = ? AND nik_hash = ? AND status IN {HOLDING}"
                " UNION ALL SELECT 1 FROM tickets WHERE day = ? AND origin_service = ? AND nik_hash = ? LIMIT 1",
                [day, service, nik_hash, day, service, nik_hash],
            ).fetchone()
            if held is not None:
                raise AlreadyBooked("NIK ini sudah memiliki nomor atau pemesanan untuk layanan ini pada hari itu.")
        in_day, in_slot = conn.execute(
            "SELECT COALESCE(SUM(members), 0), COALESCE(SUM(CASE WHEN slot_start = ? THEN members END), 0)"
            f" FROM bookings WHERE day = ? AND service = ? AND status IN {HOLDING}",
            [slot.start_text, day, service],
        ).fetchone()
        if in_slot + members > slot_capacity or in_day + members > day_capacity:
            raise SlotFull("Kuota jam kedatangan ini sudah penuh. Silakan pilih jam atau hari lain.")
        for _ in range(20):  # a code already taken (one in 10^8 per booking): draw another
            try:
                booking_id = conn.execute(
                    "INSERT INTO bookings (code, token, service, day, slot_start, slot_end, members, nik_hash, phone,"
                    " created_at, created_by, idempotency_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        rules.make_code(),
                        secrets.token_urlsafe(12),
                        service,
                        day,
                        slot.start_text,
                        slot.end_text,
                        members,
                        nik_hash,
                        phone,
                        _stamp(now),
                        created_by,
                        key,
                    ],
                ).lastrowid
                break
            except sqlite3.IntegrityError as exc:
                if "bookings.code" not in str(exc):
                    raise
        else:  # pragma: no cover - twenty collisions in a row
            raise KioskError("Kode pemesanan tidak dapat dibuat. Silakan coba lagi.", code="try_again", status=503)
        if print_slip:
            conn.execute("INSERT INTO slip_jobs (booking_id, created_at) VALUES (?, ?)", [booking_id, _stamp(now)])
        return dict(conn.execute(f"SELECT {COLUMNS} FROM bookings WHERE id = ?", [booking_id]).fetchone()), True


def by_token(db: Database, token: str) -> Row:
    """Return a booking by its token or raise UnknownBooking."""
    row = db.conn.execute(f"SELECT {COLUMNS} FROM bookings WHERE token = ?", [token]).fetchone()
    if row is None:
        raise UnknownBooking("Pemesanan tidak ditemukan.")
    return dict(row)


def by_code(db: Database, code: str) -> Row:
    """Return a booking by its short code or raise UnknownBooking."""
    row = db.conn.execute(f"SELECT {COLUMNS} FROM bookings WHERE code = ?", [code]).fetchone()
    if row is None:
        raise UnknownBooking("Kode pemesanan tidak dikenal. Periksa kembali kode pada slip Anda.")
    return dict(row)


def cancel(db: Database, token: str, now: datetime) -> Row:
    """Cancel a booking still waiting for its day (again: unchanged); raise 409 bad_transition once used."""
    with db.write() as conn:
        changed = conn.execute(
            "UPDATE bookings SET status = 'cancelled', phone = NULL, changed_at = ? WHERE token = ?"
            " AND status = 'booked'",
            [_stamp(now), token],
        ).rowcount
        row = conn.execute(f"SELECT {COLUMNS} FROM bookings WHERE token = ?", [token]).fetchone()
        if row is None:
            raise UnknownBooking("Pemesanan tidak ditemukan.")
        if not changed and row["status"] != "cancelled":
            raise BadTransition("Pemesanan ini sudah dipakai atau sudah kedaluwarsa, sehingga tidak dapat dibatalkan.")
        return dict(row)


def expire(db: Database, booking_id: int, now: datetime) -> None:
    """Expire one booking that missed its window and grace (if it still waits)."""
    with db.write() as conn:
        conn.execute(
            "UPDATE bookings SET status = 'expired', phone = NULL, changed_at = ? WHERE id = ? AND status = 'booked'",
            [_stamp(now), booking_id],
        )


def expire_due(db: Database, today: str, past_grace: Callable[[Row], bool], now: datetime) -> int:
    """Expire bookings of earlier days, and today's whose window and grace are over; return how many."""
    due = [
        row["id"]
        for row in db.conn.execute(
            f"SELECT {COLUMNS} FROM bookings WHERE status = 'booked' AND day <= ?", [today]
        ).fetchall()
        if row["day"] < today or past_grace(dict(row))
    ]
    for booking_id in due:
        expire(db, booking_id, now)
    return len(due)


def check_in(
    db: Database, settings: Settings, service: Service, booking: Row, now: datetime, party: Any, print_job: bool
) -> Row:
    """Turn a booking into today's queue number in one transaction; raise 409 already_checked_in when used."""
    from kiosk.storage.tickets import issue_in

    with db.write() as conn:
        if (
            conn.execute(
                "UPDATE bookings SET status = 'checked_in', phone = NULL, changed_at = ? WHERE id = ?"
                " AND status = 'booked'",
                [_stamp(now), booking["id"]],
            ).rowcount
            != 1
        ):
            raise KioskError(
                "Kode ini sudah dipakai untuk mengambil nomor antrean.", code="already_checked_in", status=409
            )
        ticket, _ = issue_in(conn, settings, service, False, now, print_job=print_job, party=party)
        conn.execute("UPDATE bookings SET ticket_id = ? WHERE id = ?", [ticket["id"], booking["id"]])
        return ticket


def phone_of(db: Database, booking_id: int) -> str | None:
    """Return the SMS phone kept with a booking, or None."""
    row = db.conn.execute("SELECT phone, nik_hash FROM bookings WHERE id = ?", [booking_id]).fetchone()
    return row["phone"] if row else None


def nik_hash_of(db: Database, booking_id: int) -> str | None:
    """Return the NIK hash kept with a booking, or None."""
    row = db.conn.execute("SELECT nik_hash FROM bookings WHERE id = ?", [booking_id]).fetchone()
    return row["nik_hash"] if row else None


def list_day(db: Database, day: str, service: str | None = None) -> list[Row]:
    """Return the bookings of a day (of one service if given) by window, for the staff's arrivals list."""
    sql, args = f"SELECT {COLUMNS} FROM bookings WHERE day = ?", [day]
    if service is not None:
        sql, args = sql + " AND service = ?", [*args, service]
    return [dict(row) for row in db.conn.execute(sql + " ORDER BY slot_start, id", args).fetchall()]


# ---------------------------------------------------------------- late return, phones


def late_return(
    db: Database,
    ticket_id: int,
    now: datetime,
    within_minutes: int,
    after: int,
    staff_id: int | None,
    counter_scope: int | None,
) -> Row:
    """Put a no-show who came back within ``within_minutes`` back in the queue once, ``after`` numbers later.

    Placed behind the ``after``-th waiting ticket of its service and priority (behind every ticket queued in that
    same second), or at the back when fewer wait. Raise 409 already_returned the second time, too_late after the
    time, bad_transition when the ticket is not a no-show.
    """
    from datetime import timedelta

    from kiosk.domain import queue
    from kiosk.storage.tickets import _apply, _check_scope, _fetch, _fetch_or_404

    with db.write() as conn:
        ticket = _fetch_or_404(conn, ticket_id)
        _check_scope(ticket, counter_scope)
        if (
            conn.execute(
                "SELECT 1 FROM ticket_events WHERE ticket_id = ? AND detail = 'late_return'", [ticket_id]
            ).fetchone()
            is not None
        ):
            raise KioskError(
                f"Tiket {ticket['number']} sudah pernah dikembalikan karena terlambat; hanya sekali.",
                code="already_returned",
                status=409,
            )
        queue.next_status("requeue", ticket["status"], ticket["number"])  # 409 bad_transition unless a no-show
        missed = datetime.fromisoformat(ticket["finished_at"])
        if now - missed > timedelta(minutes=within_minutes):
            raise KioskError(
                f"Tiket {ticket['number']} ditandai tidak hadir lebih dari {within_minutes} menit lalu.",
                code="too_late",
                status=409,
            )
        ahead = conn.execute(
            "SELECT queued_at FROM tickets WHERE status = 'waiting' AND day <= ? AND service = ? AND priority = ?"
            " ORDER BY queued_at, id LIMIT ?",
            [queue.office_day(now), ticket["service"], ticket["priority"], after],
        ).fetchall()
        place = _stamp(now)
        if after and len(ahead) == after:
            behind = datetime.fromisoformat(ahead[-1]["queued_at"]) + timedelta(microseconds=1)
            place = behind.isoformat(timespec="microseconds")
        _apply(conn, ticket, "requeue", now, None, staff_id, detail="late_return")
        conn.execute("UPDATE tickets SET queued_at = ? WHERE id = ?", [place, ticket_id])
        return _fetch(conn, ticket_id)


def forget_phones(db: Database, missed_before: datetime) -> int:
    """Drop the SMS phone of tickets that ended, and of no-shows older than the late-return time; return how many."""
    with db.write() as conn:
        return conn.execute(
            "UPDATE tickets SET phone = NULL WHERE phone IS NOT NULL AND (status IN ('done', 'cancelled', 'expired')"
            " OR (status = 'no_show' AND julianday(finished_at) < julianday(?)))",
            [_stamp(missed_before)],
        ).rowcount


# ---------------------------------------------------------------- slips to print


def oldest_slip_job(db: Database) -> Row | None:
    """Return the oldest pending slip job with its booking, or None."""
    row = db.conn.execute(
        f"SELECT j.id AS job_id, j.attempts, b.* FROM slip_jobs j JOIN (SELECT {COLUMNS} FROM bookings) b"
        " ON b.id = j.booking_id WHERE j.status = 'pending' ORDER BY j.id LIMIT 1"
    ).fetchone()
    return dict(row) if row is not None else None


def finish_slip_job(db: Database, job_id: int, status: str, now: datetime, error: str | None = None) -> None:
    """Close a slip job as printed or failed (for good)."""
    with db.write(durable=False) as conn:
        conn.execute(
            "UPDATE slip_jobs SET status = ?, printed_at = ?, last_error = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            [status, _stamp(now) if status == "printed" else None, error, job_id],
        )


def postpone_slip_job(db: Database, job_id: int, error: str) -> None:
    """Keep a slip job pending after a failed attempt (the printer was away)."""
    with db.write() as conn:
        conn.execute(
            "UPDATE slip_jobs SET attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'pending'",
            [error, job_id],
        )


def slip_jobs_of(db: Database, booking_id: int) -> list[Row]:
    """Return the slip jobs of a booking, oldest first."""
    return [
        dict(row)
        for row in db.conn.execute(
            "SELECT id, status, attempts, last_error, printed_at FROM slip_jobs WHERE booking_id = ? ORDER BY id",
            [booking_id],
        ).fetchall()
    ]


def counts(db: Database, first: str, last: str) -> list[Row]:
    """Return the bookings of the days ``first``..``last`` counted per service and status (members too)."""
    rows = db.conn.execute(
        "SELECT service, status, COUNT(*) AS bookings, SUM(members) AS people FROM bookings"
        " WHERE day BETWEEN ? AND ? GROUP BY service, status",
        [first, last],
    ).fetchall()
    return [dict(row) for row in rows]


def held_by_phone(db: Database, phone: str, service: str, first: str, day: str | None = None) -> Row | None:
    """Return the earliest booking still to come (from day ``first`` on) that ``phone`` holds for ``service``
    (on ``day`` if given), or None: a resident's repeated SMS answers it instead of booking again."""
    sql = f"SELECT {COLUMNS} FROM bookings WHERE phone = ? AND service = ? AND status = 'booked' AND day >= ?"
    args = [phone, service, first]
    if day is not None:
        sql, args = sql + " AND day = ?", [*args, day]
    row = db.conn.execute(sql + " ORDER BY day, slot_start, id LIMIT 1", args).fetchone()
    return dict(row) if row is not None else None
