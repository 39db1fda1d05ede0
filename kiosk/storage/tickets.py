"""Tickets: issuing, the state changes and their events, the print outbox, and the queries screens ask.

Functions take the Database first and return plain rows/dicts; staff accounts, service days and small
state values have modules of their own beside this one."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.domain import bookings as booking_rules
from kiosk.domain import queue
from kiosk.domain.errors import (
    BadRequest,
    BadTransition,
    KioskError,
    NotFound,
    OtherCounter,
    QuotaReached,
    ServiceClosed,
)
from kiosk.domain.settings import Counter, Service, Settings
from kiosk.storage.db import Database, row_or_none, stamp

Row = dict[str, Any]

_TICKET_COLUMNS = (
    "id, token, day, origin_service, seq, number, service, priority, status, issued_at, queued_at, "
    "called_at, serving_at, finished_at, counter_id, staff_id, recalls, print_status, members, booked_at"
)


_TICKET_COLUMN_NAMES = tuple(name.strip() for name in _TICKET_COLUMNS.split(","))
_ISSUED_DEFAULTS = {
    "recalls": 0,
    "members": 1,
}  # a new ticket's columns with a default other than NULL (besides those written)


def _log(
    conn: sqlite3.Connection,
    ticket: Row,
    action: str,
    to_status: str,
    now: datetime,
    counter_id: int | None = None,
    staff_id: int | None = None,
    detail: str | None = None,
) -> int:
    cur = conn.execute(
        "INSERT INTO ticket_events (ticket_id, day, at, action, from_status, to_status, service,"
        " counter_id, staff_id, detail) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            ticket["id"],
            queue.office_day(now),
            stamp(now),
            action,
            ticket.get("status"),
            to_status,
            ticket["service"],
            counter_id,
            staff_id,
            detail,
        ],
    )
    return cur.lastrowid


# ---------------------------------------------------------------- counts per service


def issued_counts(db: Database, day: str) -> dict[str, int]:
    """Return how many numbers each service has issued on ``day`` (by the service that issued them)."""
    rows = db.conn.execute(
        "SELECT origin_service, MAX(seq) AS issued FROM tickets WHERE day = ? GROUP BY origin_service", [day]
    ).fetchall()
    return {row["origin_service"]: row["issued"] for row in rows}


def waiting_counts(db: Database, day: str) -> dict[str, int]:
    """Return how many tickets wait per current service on ``day`` (with any left from before, until they expire)."""
    rows = db.conn.execute(
        "SELECT service, COUNT(*) AS waiting FROM tickets WHERE day <= ? AND status = 'waiting' GROUP BY service",
        [day],
    ).fetchall()
    return {row["service"]: row["waiting"] for row in rows}


# ---------------------------------------------------------------- tickets


class IssuedTicket(dict):
    """A ticket row as issued (equal to the stored row), carrying the wait figures read in its own transaction.

    ``wait_figures`` is ``(count_ahead, people_ahead, average_service_minutes)`` as ``wait_figures`` returns
    them. The answer to the kiosk needs them; read after the commit, in a read transaction of its own on the
    server thread's connection, they cost several times the issue itself with 20 kiosks at once.
    """

    wait_figures: tuple[int, int, float] | None = None


def issue_ticket(
    db: Database,
    settings: Settings,
    service: Service,
    priority: bool,
    now: datetime,
    idempotency_key: str | None = None,
    print_job: bool = True,
    party: Any = None,
    check: Callable[[sqlite3.Connection], None] | None = None,
) -> tuple[Row, bool]:
    """Issue the next number of ``service`` (or return the ticket of a repeated key); return (ticket, created).

    ``party`` (kiosk.domain.bookings.Party): family members, NIK hash, phone or booked window of the number.
    ``check(conn)`` runs first in the same transaction and may raise to refuse the number (a repeated key
    included). Kiosks issuing at the same moment are committed together, each durable before it returns
    (``Database.write_together``).
    """

    def work(conn: sqlite3.Connection) -> tuple[Row, bool]:
        if check is not None:
            check(conn)
        row, created = issue_in(conn, settings, service, priority, now, idempotency_key, print_job, party)
        ticket = IssuedTicket(row)
        ticket.wait_figures = wait_figures_in(conn, ticket, settings.queue.default_service_minutes)
        return ticket, created

    return db.write_together(work)


def existing_ticket(conn: sqlite3.Connection, day: str, service: str, nik_hash: str, columns: str) -> Row | None:
    """Return the latest ticket of ``day`` and service taken with this NIK hash, or None."""
    row = conn.execute(
        f"SELECT {columns} FROM tickets WHERE day = ? AND origin_service = ? AND nik_hash = ? ORDER BY id DESC LIMIT 1",
        [day, service, nik_hash],
    ).fetchone()
    return dict(row) if row is not None else None


def quota_counted(
    conn: sqlite3.Connection, day: str, service: Service, override: Row | None, issued: int, party: Any
) -> int:
    """Return what counts against today's quota before this number: numbers issued, family members beyond the
    first, seats kept for bookings not yet checked in, and this number's own extra members.

    A booked ticket checked in has its seat already: it counts as nothing (only a quota of 0 stops it).
    """
    quota = override.get("daily_quota") if override and override.get("daily_quota") is not None else service.daily_quota
    if quota is None:
        return issued
    if party is not None and party.booked_at is not None:
        return 0 if quota > 0 else issued
    extra = conn.execute(
        "SELECT COALESCE(SUM(members - 1), 0) FROM tickets WHERE day = ? AND origin_service = ? AND members > 1",
        [day, service.code],
    ).fetchone()[0]
    held = conn.execute(
        "SELECT COALESCE(SUM(members), 0) FROM bookings WHERE day = ? AND service = ? AND status = 'booked'",
        [day, service.code],
    ).fetchone()[0]
    return issued + extra + held + (party.members - 1 if party is not None else 0)


def booked_turn(conn: sqlite3.Connection, day: str, counter: Any, now: str) -> Any:
    """Return the checked-in booking a counter calls next ahead of walk-ins (queue.Waiting), or None.

    The earliest window that has started goes first, unless this counter's last call today was such a ticket:
    at most every other call, so walk-ins keep moving.
    """
    marks = ",".join("?" * len(counter.services))
    row = conn.execute(
        f"SELECT id, priority, queued_at FROM tickets WHERE status = 'waiting' AND booked_at IS NOT NULL"
        f" AND booked_at <= ? AND day <= ? AND service IN ({marks}) ORDER BY booked_at, queued_at, id LIMIT 1",
        [now, day, *counter.services],
    ).fetchone()
    if row is None:
        return None
    last = conn.execute(
        "SELECT t.booked_at IS NOT NULL FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
        " WHERE e.day = ? AND e.counter_id = ? AND e.action = 'call' ORDER BY e.id DESC LIMIT 1",
        [day, counter.id],
    ).fetchone()
    return booking_rules.booked_turn(
        bool(last and last[0]), queue.Waiting(row["id"], bool(row["priority"]), row["queued_at"])
    )


def issue_in(
    conn: sqlite3.Connection,
    settings: Settings,
    service: Service,
    priority: bool,
    now: datetime,
    idempotency_key: str | None = None,
    print_job: bool = True,
    party: Any = None,
) -> tuple[Row, bool]:
    """Issue a number inside the caller's write transaction (see issue_ticket)."""
    day = queue.office_day(now)
    if idempotency_key:
        existing = conn.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE idempotency_key = ?",  # any day: kept >= 48 h
            [idempotency_key],
        ).fetchone()
        if existing:
            # The same key must mean the same request: a kiosk retry, not a different choice.
            if existing["origin_service"] != service.code or bool(existing["priority"]) != bool(priority):
                raise KioskError(
                    "Idempotency-Key ini sudah dipakai untuk permintaan lain (layanan atau prioritas berbeda).",
                    code="idempotency_mismatch",
                    status=422,
                )
            return dict(existing), False
    # One statement inside the write lock: numbers issued so far, today's staff override, a closed date.
    facts = conn.execute(
        "SELECT (SELECT COALESCE(MAX(seq), 0) FROM tickets WHERE day = :day AND origin_service = :service)"
        " AS issued, o.day IS NOT NULL AS overridden, o.open, o.daily_quota,"
        " (SELECT reason FROM closed_dates WHERE day = :day) AS closed"
        " FROM (SELECT 1) LEFT JOIN service_overrides o ON o.day = :day AND o.service = :service",
        {"day": day, "service": service.code},
    ).fetchone()
    issued = facts["issued"]
    override = {"open": facts["open"], "daily_quota": facts["daily_quota"]} if facts["overridden"] else None
    closed = facts["closed"]
    if party is not None and party.nik_hash and party.reuse_existing:  # one number per NIK per day
        existing = existing_ticket(conn, day, service.code, party.nik_hash, _TICKET_COLUMNS)
        if existing is not None:
            return {**existing, "existing": True}, False
    # family members and seats kept for bookings count against the quota
    counted = quota_counted(conn, day, service, override, issued, party)
    state = queue.service_availability(
        settings.office, service, now, override, counted, {now.date(): closed} if closed is not None else None
    )
    early_booking = party is not None and party.booked_at is not None and state.reason == "before_hours"
    if not state.open and not early_booking:  # a booking may check in early_minutes before opening time
        error = QuotaReached if state.reason == "quota_reached" else ServiceClosed
        raise error(state.message)
    seq = issued + 1
    issued_at = stamp(now)
    ticket = {
        "token": secrets.token_urlsafe(12),
        "day": day,
        "origin_service": service.code,
        "seq": seq,
        "number": queue.format_number(service.prefix, seq),
        "service": service.code,
        "priority": int(bool(priority)),
        "status": "waiting",
        "issued_at": issued_at,
        "queued_at": issued_at,
        "print_status": "pending" if print_job else "failed",
        "idempotency_key": idempotency_key,
    }
    if party is not None:
        ticket.update(members=party.members, nik_hash=party.nik_hash, phone=party.phone, booked_at=party.booked_at)
    cur = conn.execute(
        f"INSERT INTO tickets ({', '.join(ticket)}) VALUES ({', '.join('?' * len(ticket))})",
        list(ticket.values()),
    )
    ticket["id"] = cur.lastrowid
    _log(conn, {**ticket, "status": None}, "issue", "waiting", now)
    if print_job:
        conn.execute("INSERT INTO print_jobs (ticket_id, created_at) VALUES (?, ?)", [ticket["id"], issued_at])
    # The row as stored (the columns not written take their defaults), without reading it back.
    return {
        "id": ticket["id"],
        **{column: ticket.get(column, _ISSUED_DEFAULTS.get(column)) for column in _TICKET_COLUMN_NAMES[1:]},
    }, True


def get_ticket(db: Database, ticket_id: int) -> Row:
    """Return a ticket by id or raise NotFound."""
    row = db.conn.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    if row is None:
        raise NotFound("Tiket tidak ditemukan.")
    return dict(row)


def ticket_phone(db: Database, ticket_id: int) -> str | None:
    """Return the SMS number kept with a ticket (None without one); the ticket views never carry it."""
    row = db.conn.execute("SELECT phone FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


def get_ticket_by_token(db: Database, token: str) -> Row:
    """Return a ticket by its public token or raise NotFound."""
    row = db.conn.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE token = ?", [token]).fetchone()
    if row is None:
        raise NotFound("Tiket tidak ditemukan.")
    return dict(row)


def count_ahead(db: Database, ticket: Row) -> int:
    """Count waiting tickets of the same service that will be called before this waiting ticket."""
    if ticket["status"] != "waiting":
        return 0
    return db.conn.execute(
        "SELECT COUNT(*) FROM tickets WHERE day <= ? AND service = ? AND status = 'waiting' AND id != ?"
        " AND (priority > ? OR (priority = ? AND (queued_at < ? OR (queued_at = ? AND id < ?))))",
        [
            ticket["day"],
            ticket["service"],
            ticket["id"],
            ticket["priority"],
            ticket["priority"],
            ticket["queued_at"],
            ticket["queued_at"],
            ticket["id"],
        ],
    ).fetchone()[0]


def ahead_counts(db: Database, ticket: Row) -> tuple[int, int]:
    """Return (tickets, people) ahead of a waiting ticket: a family's number counts each member for the wait."""
    tickets = count_ahead(db, ticket)
    return tickets, tickets + (extra_members_ahead(db, ticket) if tickets else 0)


def extra_members_ahead(db: Database, ticket: Row) -> int:
    """Return the family members beyond the first of the waiting numbers ahead of ``ticket``."""
    return db.conn.execute(  # family numbers only (a small partial index)
        "SELECT COALESCE(SUM(members - 1), 0) FROM tickets WHERE status = 'waiting' AND members > 1"
        " AND day <= ? AND service = ? AND id != ?"
        " AND (priority > ? OR (priority = ? AND (queued_at < ? OR (queued_at = ? AND id < ?))))",
        [
            ticket["day"],
            ticket["service"],
            ticket["id"],
            ticket["priority"],
            ticket["priority"],
            ticket["queued_at"],
            ticket["queued_at"],
            ticket["id"],
        ],
    ).fetchone()[0]


def average_service_minutes(db: Database, day: str, service: str, default: float, recent: int = 20) -> float:
    """Return the mean serving time of the last ``recent`` finished tickets of a service today.

    A ticket finished straight from ``called`` (no "serve" pressed) counts from its call.
    """
    value = db.conn.execute(
        "SELECT AVG((julianday(finished_at) - julianday(started)) * 1440) FROM ("
        " SELECT finished_at, COALESCE(serving_at, called_at) AS started FROM tickets"
        " WHERE day = ? AND service = ? AND status = 'done' AND COALESCE(serving_at, called_at) IS NOT NULL"
        " ORDER BY finished_at DESC LIMIT ?)",
        [day, service, recent],
    ).fetchone()[0]
    return float(value) if value is not None else float(default)


def wait_facts(db: Database, ticket: Row, default: float, recent: int = 20) -> tuple[int, float]:
    """Return ``(count_ahead, average_service_minutes)`` of a ticket in one statement (see wait_figures)."""
    ahead, _, average = wait_figures(db, ticket, default, recent)
    return ahead, average


def wait_figures(db: Database, ticket: Row, default: float, recent: int = 20) -> tuple[int, int, float]:
    """Return ``(count_ahead, people_ahead, average_service_minutes)`` of a ticket in one statement (a view's
    wait estimate; asked for every ticket issued).

    The same figures as ``ahead_counts`` and ``average_service_minutes``; a ticket that does not wait has
    nobody ahead (the average is then not read and ``default`` is returned).
    """
    return wait_figures_in(db.conn, ticket, default, recent)


def wait_figures_in(conn: sqlite3.Connection, ticket: Row, default: float, recent: int = 20) -> tuple[int, int, float]:
    """``wait_figures`` on a given connection (inside a transaction under way: it sees that transaction's rows)."""
    if ticket["status"] != "waiting":
        return 0, 0, float(default)
    ahead, extra, average = conn.execute(
        "SELECT (SELECT COUNT(*) FROM tickets WHERE day <= :day AND service = :service AND status = 'waiting'"
        "  AND id != :id AND (priority > :priority OR (priority = :priority AND (queued_at < :queued_at"
        "  OR (queued_at = :queued_at AND id < :id))))),"
        " (SELECT COALESCE(SUM(members - 1), 0) FROM tickets WHERE status = 'waiting' AND members > 1"
        "  AND day <= :day AND service = :service AND id != :id"
        "  AND (priority > :priority OR (priority = :priority AND (queued_at < :queued_at"
        "  OR (queued_at = :queued_at AND id < :id))))),"
        " (SELECT AVG((julianday(finished_at) - julianday(started)) * 1440) FROM ("
        "  SELECT finished_at, COALESCE(serving_at, called_at) AS started FROM tickets"
        "  WHERE day = :day AND service = :service AND status = 'done' AND COALESCE(serving_at, called_at) IS NOT NULL"
        "  ORDER BY finished_at DESC LIMIT :recent))",
        {
            "day": ticket["day"],
            "service": ticket["service"],
            "id": ticket["id"],
            "priority": ticket["priority"],
            "queued_at": ticket["queued_at"],
            "recent": recent,
        },
    ).fetchone()
    return ahead, ahead + extra if ahead else 0, float(average) if average is not None else float(default)


def served_today(db: Database, day: str, counter_id: int) -> int:
    """Count the tickets a counter finished as done on ``day``."""
    return db.conn.execute(
        "SELECT COUNT(*) FROM ticket_events WHERE day = ? AND action = 'done' AND counter_id = ?", [day, counter_id]
    ).fetchone()[0]


def _oldest_waiting(
    conn: sqlite3.Connection, day: str, services: tuple[str, ...], priority: int
) -> queue.Waiting | None:
    marks = ",".join("?" * len(services))
    row = conn.execute(
        f"SELECT id, priority, queued_at FROM tickets WHERE day <= ? AND status = 'waiting' AND priority = ?"
        f" AND service IN ({marks}) ORDER BY queued_at, id LIMIT 1",
        [day, priority, *services],
    ).fetchone()
    return queue.Waiting(row["id"], bool(row["priority"]), row["queued_at"]) if row else None


def call_next(
    db: Database, counter: Counter, now: datetime, max_consecutive_priority: int, staff_id: int | None = None
) -> tuple[Row, int] | None:
    """Call the next waiting ticket for ``counter``; return (ticket, event id) or None when nobody waits.

    Waiting tickets left from an earlier day (a 24-hour office just after midnight) come first, oldest first.
    """
    day = queue.office_day(now)
    with db.write() as conn:
        # Checked inside the write transaction (the partial UNIQUE index tickets_counter_hold backs it):
        # a second "next" must never strand the ticket the counter is still calling or serving.
        held = _held(conn, counter.id)
        if held is not None:
            raise BadTransition(
                f"Loket ini masih menangani tiket {held['number']} ({queue.STATUS_LABELS[held['status']]}). "
                "Selesaikan, tandai tidak hadir, atau alihkan tiket itu terlebih dahulu.",
                code="counter_busy",
            )
        recent = conn.execute(
            "SELECT t.priority FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
            " WHERE e.day = ? AND e.counter_id = ? AND e.action = 'call' ORDER BY e.id DESC LIMIT ?",
            [day, counter.id, max_consecutive_priority],
        ).fetchall()
        # A checked-in booking whose window has started goes first, at most every other call.
        chosen = booked_turn(conn, day, counter, stamp(now)) or queue.choose_next(
            _oldest_waiting(conn, day, counter.services, 1),
            _oldest_waiting(conn, day, counter.services, 0),
            queue.priority_streak([bool(r["priority"]) for r in recent]),
            max_consecutive_priority,
        )
        if chosen is None:
            return None
        ticket = dict(conn.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", [chosen.id]).fetchone())
        try:
            event_id = _apply(conn, ticket, "call", now, counter.id, staff_id)
        except sqlite3.IntegrityError:  # the index caught a writer that skipped the check above
            raise BadTransition("Loket ini masih menangani tiket lain.", code="counter_busy") from None
        return _fetch(conn, ticket["id"]), event_id


def _held(conn: sqlite3.Connection, counter_id: int) -> Row | None:
    row = conn.execute(
        f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE counter_id = ? AND status IN ('called', 'serving')"
        " ORDER BY called_at DESC, id DESC LIMIT 1",
        [counter_id],
    ).fetchone()
    return row_or_none(row)


def held_ticket(db: Database, counter_id: int) -> Row | None:
    """Return the ticket a counter is calling or serving (whatever its day), or None."""
    return _held(db.conn, counter_id)


def _fetch(conn: sqlite3.Connection, ticket_id: int) -> Row:
    return dict(conn.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", [ticket_id]).fetchone())


_STAMP_COLUMN = {
    "call": "called_at",
    "recall": "called_at",
    "serve": "serving_at",
    "done": "finished_at",
    "no_show": "finished_at",
    "cancel": "finished_at",
    "expire": "finished_at",
}


def _apply(
    conn: sqlite3.Connection,
    ticket: Row,
    action: str,
    now: datetime,
    counter_id: int | None,
    staff_id: int | None,
    detail: str | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """Move one ticket with a guarded UPDATE (compare-and-set on its status) and log the event."""
    target = queue.next_status(action, ticket["status"], ticket["number"])
    changes: dict[str, Any] = {"status": target, **(extra or {})}
    if action in _STAMP_COLUMN:
        changes[_STAMP_COLUMN[action]] = stamp(now)
    if action == "call":
        changes.update(counter_id=counter_id, staff_id=staff_id, recalls=0)
    elif action == "recall":
        changes["recalls"] = ticket["recalls"] + 1
    elif action in ("requeue", "transfer"):
        changes.update(counter_id=None, called_at=None, serving_at=None)
    if action == "requeue":
        changes["queued_at"] = stamp(now)  # back of the queue: fair to those who waited
    if target in ("done", "cancelled", "expired"):
        changes["phone"] = None  # an SMS phone is kept only until the ticket ends
    assignments = ", ".join(f"{column} = ?" for column in changes)
    cur = conn.execute(
        f"UPDATE tickets SET {assignments} WHERE id = ? AND status = ?",
        [*changes.values(), ticket["id"], ticket["status"]],
    )
    if cur.rowcount != 1:  # moved since it was read: refuse, never log a change that did not happen
        current = _fetch(conn, ticket["id"])
        queue.next_status(action, current["status"], current["number"])  # the precise reason, if there is one
        raise BadTransition(f"Tiket {ticket['number']} baru saja diubah. Silakan coba lagi.")
    return _log(
        conn,
        ticket,
        action,
        target,
        now,
        counter_id if counter_id is not None else ticket["counter_id"],
        staff_id,
        detail,
    )


def _check_scope(ticket: Row, counter_scope: int | None) -> None:
    """Refuse a ticket held (or last handled) by another counter; ``counter_scope`` None means any counter."""
    holder = ticket["counter_id"]
    if counter_scope is not None and holder is not None and holder != counter_scope:
        raise OtherCounter(ticket["number"], holder)


def transition(
    db: Database,
    ticket_id: int,
    action: str,
    now: datetime,
    staff_id: int | None = None,
    counter_id: int | None = None,
    counter_scope: int | None = None,
) -> tuple[Row, int]:
    """Apply ``action`` (recall, serve, done, no_show, requeue, cancel) to a ticket; return (ticket, event id).

    ``counter_scope``: the counter the acting user works at; a ticket another counter holds is refused.
    """
    with db.write() as conn:
        ticket = _fetch_or_404(conn, ticket_id)
        _check_scope(ticket, counter_scope)
        event_id = _apply(conn, ticket, action, now, counter_id, staff_id)
        return _fetch(conn, ticket_id), event_id


def _fetch_or_404(conn: sqlite3.Connection, ticket_id: int) -> Row:
    row = conn.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    if row is None:
        raise NotFound("Tiket tidak ditemukan.")
    return dict(row)


def transfer(
    db: Database,
    ticket_id: int,
    service: Service,
    now: datetime,
    staff_id: int | None = None,
    counter_scope: int | None = None,
) -> Row:
    """Move a ticket to another service's queue; it keeps its number and its place in time."""
    with db.write() as conn:
        ticket = _fetch_or_404(conn, ticket_id)
        _check_scope(ticket, counter_scope)
        if ticket["service"] == service.code:
            raise BadRequest("Tiket sudah berada di layanan ini.")
        _apply(
            conn,
            ticket,
            "transfer",
            now,
            None,
            staff_id,
            detail=f"{ticket['service']}->{service.code}",
            extra={"service": service.code},
        )
        return _fetch(conn, ticket_id)


def expire_waiting(db: Database, now: datetime, deadline: Callable[[str, str], datetime]) -> int:
    """Expire waiting tickets whose (day, service) ``deadline`` has passed; return how many.

    Only ``waiting`` tickets: a ticket a counter is calling or serving is never taken from under the staff.
    """
    with db.write() as conn:
        groups = conn.execute("SELECT DISTINCT day, service FROM tickets WHERE status = 'waiting'").fetchall()
        due = [(row["day"], row["service"]) for row in groups if now >= deadline(row["day"], row["service"])]
        expired = 0
        for day, service in due:
            for ticket in conn.execute(
                f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day = ? AND service = ? AND status = 'waiting'",
                [day, service],
            ).fetchall():
                _apply(conn, dict(ticket), "expire", now, None, None)
                expired += 1
        return expired


def forget_idempotency_keys(db: Database, issued_before: datetime) -> int:
    """Drop the Idempotency-Key of tickets issued before a time (keys are kept at least 48 h); return how many."""
    with db.write() as conn:
        return conn.execute(
            "UPDATE tickets SET idempotency_key = NULL"
            " WHERE idempotency_key IS NOT NULL AND julianday(issued_at) < julianday(?)",
            [stamp(issued_before)],
        ).rowcount


# ---------------------------------------------------------------- queue views


def current_tickets(db: Database, day: str) -> dict[int, Row]:
    """Return the ticket each counter has called or is serving now (latest call wins).

    A ticket called before midnight and still held is current too: expiry never takes a held ticket.
    """
    rows = db.conn.execute(
        f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day <= ? AND status IN ('called', 'serving')"
        " AND counter_id IS NOT NULL ORDER BY called_at, id",
        [day],
    ).fetchall()
    return {row["counter_id"]: dict(row) for row in rows}


def calls(db: Database, day: str, after_event: int = 0, limit: int = 5) -> list[Row]:
    """Return call and recall events of ``day`` after an event id, newest first."""
    rows = db.conn.execute(
        "SELECT e.id AS event_id, e.at AS called_at, e.action, e.counter_id, t.number, t.service"
        " FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
        " WHERE e.day = ? AND e.action IN ('call', 'recall') AND e.id > ? ORDER BY e.id DESC LIMIT ?",
        [day, after_event, limit],
    ).fetchall()
    return [dict(row) for row in rows]


def call_event(db: Database, event_id: int) -> Row | None:
    """Return one call/recall event with its ticket number, or None."""
    row = db.conn.execute(
        "SELECT e.id AS event_id, e.at AS called_at, e.action, e.counter_id, t.number, t.service"
        " FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
        " WHERE e.id = ? AND e.action IN ('call', 'recall')",
        [event_id],
    ).fetchone()
    return row_or_none(row)


def waiting_list(db: Database, day: str, services: tuple[str, ...]) -> list[Row]:
    """Return the waiting tickets of some services in calling order (priority first, then time).

    Tickets left from an earlier day still count until housekeeping expires them (closing time plus grace).
    """
    marks = ",".join("?" * len(services))
    rows = db.conn.execute(
        f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day <= ? AND status = 'waiting' AND service IN ({marks})"
        " ORDER BY priority DESC, queued_at, id",
        [day, *services],
    ).fetchall()
    return [dict(row) for row in rows]


def recent_no_shows(db: Database, day: str, counter_id: int, limit: int = 10) -> list[Row]:
    """Return the tickets a counter marked as no-show on ``day``, latest first (for putting back in the queue)."""
    rows = db.conn.execute(
        f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day = ? AND status = 'no_show' AND counter_id = ?"
        " ORDER BY finished_at DESC, id DESC LIMIT ?",
        [day, counter_id, limit],
    ).fetchall()
    return [dict(row) for row in rows]


# ---------------------------------------------------------------- print outbox


def oldest_print_job(db: Database) -> Row | None:
    """Return the oldest pending print job with its ticket, due or not (the outbox prints in issue order)."""
    # last_action: the latest of the ticket's issue/reprint/call events, in commit order (timestamps
    # have one-second resolution); newer_jobs: reprints queued after this job and still pending;
    # earlier_jobs: jobs of the ticket before this one (so this one is a reprint).
    row = db.conn.execute(
        f"SELECT j.id AS job_id, j.attempts, j.created_at AS job_created_at, j.next_attempt_at, t.*,"
        " (SELECT e.action FROM ticket_events e WHERE e.ticket_id = j.ticket_id"
        "   AND e.action IN ('issue', 'reprint', 'call', 'recall') ORDER BY e.id DESC LIMIT 1) AS last_action,"
        " (SELECT COUNT(*) FROM print_jobs k WHERE k.ticket_id = j.ticket_id AND k.status = 'pending'"
        "   AND k.id > j.id) AS newer_jobs,"
        " (SELECT COUNT(*) FROM print_jobs k WHERE k.ticket_id = j.ticket_id AND k.id < j.id) AS earlier_jobs"
        f" FROM print_jobs j JOIN (SELECT {_TICKET_COLUMNS} FROM tickets) t ON t.id = j.ticket_id"
        " WHERE j.status = 'pending' ORDER BY j.id LIMIT 1"
    ).fetchone()
    return row_or_none(row)


def print_jobs_of(db: Database, ticket_id: int) -> list[Row]:
    """Return every print job of a ticket, oldest first."""
    rows = db.conn.execute(
        "SELECT id, ticket_id, created_at, status, attempts, next_attempt_at, last_error, printed_at"
        " FROM print_jobs WHERE ticket_id = ? ORDER BY id",
        [ticket_id],
    ).fetchall()
    return [dict(row) for row in rows]


def finish_print_job(
    db: Database, job_id: int, ticket_id: int, status: str, now: datetime, error: str | None = None
) -> None:
    """Close a print job as printed or failed and copy the outcome to its ticket (not flushed to disk at once)."""
    with db.write(durable=False) as conn:
        conn.execute(
            "UPDATE print_jobs SET status = ?, printed_at = ?, last_error = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            [status, stamp(now) if status == "printed" else None, error, job_id],
        )
        conn.execute("UPDATE tickets SET print_status = ? WHERE id = ?", [status, ticket_id])


def postpone_print_job(db: Database, job_id: int, next_attempt: datetime, error: str) -> None:
    """Keep a print job pending, recording the failure and when the worker will try again."""
    with db.write() as conn:
        conn.execute(
            "UPDATE print_jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
            " WHERE id = ? AND status = 'pending'",
            [stamp(next_attempt), error, job_id],
        )


def queue_reprint(
    db: Database, ticket_id: int, now: datetime, staff_id: int | None = None, counter_scope: int | None = None
) -> Row:
    """Add a new print job for a ticket (staff reprint) and mark it pending."""
    with db.write() as conn:
        ticket = _fetch_or_404(conn, ticket_id)
        _check_scope(ticket, counter_scope)
        conn.execute("INSERT INTO print_jobs (ticket_id, created_at) VALUES (?, ?)", [ticket_id, stamp(now)])
        conn.execute("UPDATE tickets SET print_status = 'pending' WHERE id = ?", [ticket_id])
        _log(conn, ticket, "reprint", ticket["status"], now, ticket["counter_id"], staff_id)
        return _fetch(conn, ticket_id)


def latest_print_failure(db: Database, day: str, reason_prefix: str) -> Row | None:
    """Return the number and reason of the day's latest print job that failed with a reason starting so, or None."""
    row = db.conn.execute(
        "SELECT t.number, j.last_error AS reason FROM print_jobs j JOIN tickets t ON t.id = j.ticket_id"
        " WHERE t.day = ? AND j.status = 'failed' AND substr(j.last_error, 1, ?) = ? ORDER BY j.id DESC LIMIT 1",
        [day, len(reason_prefix), reason_prefix],
    ).fetchone()
    return row_or_none(row)


def pending_print_jobs(db: Database) -> int:
    """Return how many print jobs wait for the printer."""
    return db.conn.execute("SELECT COUNT(*) FROM print_jobs WHERE status = 'pending'").fetchone()[0]


# ---------------------------------------------------------------- counts, health and the demo's history


def status_counts(db: Database, day: str) -> dict[str, dict[str, int]]:
    """Return how many of ``day``'s tickets each current service has per status."""
    rows = db.conn.execute(
        "SELECT service, status, COUNT(*) AS tickets FROM tickets WHERE day = ? GROUP BY service, status", [day]
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["service"], {})[row["status"]] = row["tickets"]
    return counts


def ping(db: Database) -> bool:
    """Return True when the database answers a query."""
    return db.conn.execute("SELECT 1").fetchone()[0] == 1


def has_history_before(db: Database, day: str) -> bool:
    """Tell whether any ticket was issued before office day ``day``."""
    return db.conn.execute("SELECT 1 FROM tickets WHERE day < ? LIMIT 1", [day]).fetchone() is not None


def add_history(db: Database, tickets) -> int:
    """Write finished tickets of earlier days and their events in one transaction (the demo's history).

    ``tickets`` are ``demo_history.PastTicket``: number, service, priority and events
    ``(at, action, from_status, to_status, counter_id, staff_id)``. Returns the events written.
    """
    written = 0
    with db.write() as conn:
        for ticket in tickets:
            issued = stamp(ticket.stamp("issue"))
            called, serving = ticket.stamp("call"), ticket.stamp("serve")
            ticket_id = conn.execute(
                "INSERT INTO tickets (token, day, origin_service, seq, number, service, priority, status, issued_at,"
                " queued_at, called_at, serving_at, finished_at, counter_id, staff_id, recalls, print_status)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'printed')",
                [
                    secrets.token_urlsafe(12),
                    ticket.day,
                    ticket.service,
                    ticket.seq,
                    ticket.number,
                    ticket.service,
                    int(ticket.priority),
                    ticket.status,
                    issued,
                    issued,
                    called and stamp(called),
                    serving and stamp(serving),
                    stamp(ticket.events[-1][0]),
                    ticket.counter_id,
                    ticket.staff_id,
                    sum(1 for event in ticket.events if event[1] == "recall"),
                ],
            ).lastrowid
            conn.executemany(
                "INSERT INTO ticket_events (ticket_id, day, at, action, from_status, to_status, service, counter_id,"
                " staff_id) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (ticket_id, ticket.day, stamp(at), action, before, after, ticket.service, counter_id, staff_id)
                    for at, action, before, after, counter_id, staff_id in ticket.events
                ],
            )
            written += len(ticket.events)
    return written
