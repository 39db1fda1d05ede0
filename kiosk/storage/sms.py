"""Every SQL statement of the SMS channel: messages in and out, and residents' opt-in phone numbers.

An outgoing message is a row first (status ``pending``), committed before anything touches the
outbox; the worker then writes its outbox file and marks it ``queued``; gammu-smsd's sent and error
folders end it as ``sent``, or back to ``pending`` with a later attempt, or ``failed`` for good.
``dropped`` messages were never sent (the day's budget was spent). Incoming rows are ``answered``,
``ignored`` (short codes, promotions) or ``limited`` (the sender's replies for now are used up).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from kiosk.storage.db import Database

Row = dict


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Outgoing:
    """A message to send: to whom, what, why (``kind``), and when at the earliest."""

    phone: str
    body: str
    kind: str  # reply | near | called | reminder | disruption | optin | complaint
    not_before: datetime | None = None  # quiet hours: not written to the outbox before
    dedupe: str | None = None  # one message per key, ever (e.g. "near:<ticket id>")
    ticket_id: int | None = None


def _budget_left(conn: sqlite3.Connection, day: str, daily_limit: int) -> int:
    used = conn.execute(
        "SELECT COUNT(*) FROM sms_messages WHERE day = ? AND direction = 'out' AND status != 'dropped'", [day]
    ).fetchone()[0]
    return daily_limit - used


def _insert_out(conn: sqlite3.Connection, message: Outgoing, day: str, now: datetime, daily_limit: int) -> int | None:
    """Insert an outgoing message in the caller's transaction; return its id, or None for a repeated dedupe key."""
    status = "pending" if _budget_left(conn, day, daily_limit) > 0 else "dropped"
    cursor = conn.execute(
        "INSERT INTO sms_messages (direction, phone, kind, body, status, day, created_at, updated_at,"
        " next_attempt_at, dedupe, ticket_id, last_error) VALUES ('out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (dedupe) DO NOTHING",
        [
            message.phone,
            message.kind,
            message.body,
            status,
            day,
            _stamp(now),
            _stamp(now),
            _stamp(message.not_before or now),
            message.dedupe,
            message.ticket_id,
            "daily budget spent" if status == "dropped" else None,
        ],
    )
    return cursor.lastrowid if cursor.rowcount else None


def enqueue(db: Database, message: Outgoing, day: str, now: datetime, daily_limit: int) -> int | None:
    """Commit one outgoing message (``dropped`` when today's budget is spent); None when its key was used."""
    with db.write() as conn:
        return _insert_out(conn, message, day, now, daily_limit)


def receive(
    db: Database,
    key: str,
    phone: str,
    keyword: str,
    status: str,
    day: str,
    now: datetime,
    reply: Outgoing | None,
    daily_limit: int,
) -> bool:
    """Record an incoming message and its reply in one transaction; False when it was recorded before.

    ``key`` is the inbox file's name: a message read again after a crash is recognised, never answered twice.
    A message left unanswered (ignored, limited) is recorded without waiting for the disk: losing that row in
    a power cut loses nothing, and a flood of them must not hold up issuing behind a disk flush each.
    """
    with db.write(durable=reply is not None) as conn:
        cursor = conn.execute(
            "INSERT INTO sms_messages (direction, phone, kind, body, status, day, created_at, updated_at, dedupe)"
            " VALUES ('in', ?, ?, '', ?, ?, ?, ?, ?) ON CONFLICT (dedupe) DO NOTHING",
            [phone, keyword, status, day, _stamp(now), _stamp(now), f"in:{key}"],
        )
        if not cursor.rowcount:
            return False
        if reply is not None:
            _insert_out(conn, reply, day, now, daily_limit)
    return True


def replies_since(db: Database, phone: str, since: datetime) -> int:
    """Count the replies (and other messages) sent or to be sent to ``phone`` since ``since``."""
    return db.conn.execute(
        "SELECT COUNT(*) FROM sms_messages WHERE phone = ? AND direction = 'out' AND created_at >= ?"
        " AND status != 'dropped'",
        [phone, _stamp(since)],
    ).fetchone()[0]


def due(db: Database, now: datetime, limit: int = 50) -> list[Row]:
    """Return pending messages whose time has come, oldest first."""
    rows = db.conn.execute(
        "SELECT * FROM sms_messages WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        [_stamp(now), limit],
    ).fetchall()
    return [dict(row) for row in rows]


def queued(db: Database) -> list[Row]:
    """Return the messages whose outbox file was written and whose outcome is not known yet."""
    return [dict(row) for row in db.conn.execute("SELECT * FROM sms_messages WHERE status = 'queued' ORDER BY id")]


def get(db: Database, message_id: int) -> Row | None:
    """Return one message row, or None."""
    row = db.conn.execute("SELECT * FROM sms_messages WHERE id = ?", [message_id]).fetchone()
    return dict(row) if row else None


def mark_queued(db: Database, message_id: int, file: str, now: datetime) -> None:
    """Record that this attempt's outbox file was written."""
    with db.write() as conn:
        conn.execute(
            "UPDATE sms_messages SET status = 'queued', file = ?, attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND status = 'pending'",
            [file, _stamp(now), message_id],
        )


def mark_sent(db: Database, message_id: int, now: datetime) -> None:
    """gammu-smsd moved the message to its sent folder."""
    with db.write() as conn:
        conn.execute(
            "UPDATE sms_messages SET status = 'sent', updated_at = ?, last_error = NULL"
            " WHERE id = ? AND status IN ('pending', 'queued')",
            [_stamp(now), message_id],
        )


def mark_failed(db: Database, message_id: int, now: datetime, retry_at: datetime | None, error: str) -> None:
    """gammu-smsd moved the message to its error folder: try again at ``retry_at``, or give up (None)."""
    with db.write() as conn:
        if retry_at is None:
            conn.execute(
                "UPDATE sms_messages SET status = 'failed', updated_at = ?, last_error = ?"
                " WHERE id = ? AND status IN ('pending', 'queued')",
                [_stamp(now), error, message_id],
            )
        else:
            conn.execute(
                "UPDATE sms_messages SET status = 'pending', next_attempt_at = ?, updated_at = ?,"
                " last_error = ? WHERE id = ? AND status IN ('pending', 'queued')",
                [_stamp(retry_at), _stamp(now), error, message_id],
            )


def postpone(db: Database, message_id: int, until: datetime, now: datetime) -> None:
    """Keep a pending message back until ``until`` (the end of quiet hours)."""
    with db.write() as conn:
        conn.execute(
            "UPDATE sms_messages SET next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
            [_stamp(until), _stamp(now), message_id],
        )


def drop(db: Database, message_id: int, now: datetime, reason: str) -> None:
    """Give up a pending message that no longer means anything (its ticket moved on while it waited)."""
    with db.write() as conn:
        conn.execute(
            "UPDATE sms_messages SET status = 'dropped', updated_at = ?, last_error = ?"
            " WHERE id = ? AND status = 'pending'",
            [_stamp(now), reason, message_id],
        )


def ticket_status(db: Database, ticket_id: int) -> str | None:
    """Return a ticket's status, or None when there is no such ticket."""
    row = db.conn.execute("SELECT status FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


def summary(db: Database, day: str, daily_limit: int) -> dict:
    """Return today's counts per direction and status, and the budget left."""
    counts = {
        "received": 0,
        "answered": 0,
        "ignored": 0,
        "limited": 0,
        "pending": 0,
        "queued": 0,
        "sent": 0,
        "failed": 0,
        "dropped": 0,
    }
    for row in db.conn.execute(
        "SELECT direction, status, COUNT(*) AS n FROM sms_messages WHERE day = ? GROUP BY direction, status", [day]
    ):
        counts[row["status"]] += row["n"]
        if row["direction"] == "in":
            counts["received"] += row["n"]
    left = db.conn.execute(
        "SELECT COUNT(*) FROM sms_messages WHERE day = ? AND direction = 'out' AND status != 'dropped'", [day]
    ).fetchone()[0]
    return {"day": day, **counts, "budget": daily_limit, "budget_left": max(daily_limit - left, 0)}


def recent_failures(db: Database, limit: int = 20) -> list[Row]:
    """Return the latest messages that failed at least once (given up or waiting for a retry)."""
    rows = db.conn.execute(
        "SELECT id, phone, kind, status, attempts, last_error, updated_at, next_attempt_at FROM sms_messages"
        " WHERE direction = 'out' AND last_error IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT ?",
        [limit],
    )
    return [dict(row) for row in rows]


def purge(db: Database, before: str) -> int:
    """Delete messages (and so the numbers they were sent to) finished before ``before``; return how many."""
    with db.write(durable=False) as conn:
        return conn.execute(
            "DELETE FROM sms_messages WHERE created_at < ? AND status NOT IN ('pending', 'queued')", [before]
        ).rowcount


# ---------------------------------------------------------------- opt-in numbers of today's tickets


def add_optin(db: Database, ticket_id: int, phone: str, now: datetime) -> None:
    """Keep a phone number for a ticket's "your turn is near" messages (a later number replaces it)."""
    with db.write() as conn:
        conn.execute(
            "INSERT INTO sms_optins (ticket_id, phone, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (ticket_id) DO UPDATE SET phone = excluded.phone",
            [ticket_id, phone, _stamp(now)],
        )


def optins(db: Database, day: str) -> list[Row]:
    """Return today's opted-in tickets still in the queue, with their ticket's fields.

    Read from the opt-ins (a few) to their tickets: CROSS JOIN keeps SQLite from starting at today's tickets
    (thousands on a busy day), which it otherwise picks by the day's index. Asked after every queue change.
    """
    rows = db.conn.execute(
        "SELECT o.ticket_id, o.phone, o.near_sent, o.called_sent, t.* FROM sms_optins o"
        " CROSS JOIN tickets t ON t.id = o.ticket_id WHERE t.day = ? AND t.status IN ('waiting', 'called', 'serving')",
        [day],
    ).fetchall()
    return [dict(row) for row in rows]


def optin_of(db: Database, ticket_id: int) -> Row | None:
    """Return a ticket's opt-in (phone, near_sent, called_sent), or None."""
    row = db.conn.execute("SELECT * FROM sms_optins WHERE ticket_id = ?", [ticket_id]).fetchone()
    return dict(row) if row else None


def mark_optin(db: Database, ticket_id: int, column: str) -> None:
    """Remember that a ticket's near (``near_sent``) or called (``called_sent``) message was queued."""
    assert column in ("near_sent", "called_sent")
    with db.write() as conn:
        conn.execute(f"UPDATE sms_optins SET {column} = 1 WHERE ticket_id = ?", [ticket_id])


def forget_ended_optins(db: Database, today: str) -> int:
    """Delete the numbers of tickets that ended (done, no-show, expired) or are from an earlier day."""
    # From the opt-ins to their tickets (CROSS JOIN), not through every ticket ever issued.
    ended = db.conn.execute(
        "SELECT 1 FROM sms_optins o CROSS JOIN tickets t ON t.id = o.ticket_id WHERE t.day < ?"
        " OR t.status NOT IN ('waiting', 'called', 'serving') LIMIT 1",
        [today],
    ).fetchone()
    if ended is None:  # the usual case: no write
        return 0
    with db.write(durable=False) as conn:
        return conn.execute(
            "DELETE FROM sms_optins WHERE ticket_id IN (SELECT o.ticket_id FROM sms_optins o"
            " CROSS JOIN tickets t ON t.id = o.ticket_id"
            " WHERE t.day < ? OR t.status NOT IN ('waiting', 'called', 'serving'))",
            [today],
        ).rowcount


def ticket_by_number(db: Database, day: str, number: str) -> Row | None:
    """Return the ticket of a day by its printed number ("A-012"), or None."""
    row = db.conn.execute(
        "SELECT * FROM tickets WHERE day = ? AND number = ? ORDER BY id DESC LIMIT 1", [day, number]
    ).fetchone()
    return dict(row) if row else None


# ---------------------------------------------------------------- numbers given with a ticket or a booking

LIVE = "('waiting', 'called', 'serving')"


def adopt_ticket_phones(db: Database, day: str, now: datetime) -> int:
    """Opt in the day's live tickets that got a phone when taken (``"phone"``) or from their booking; return how many.

    The same near/called messages then follow as for a number given through the opt-in route.
    """
    unseen = (
        f" FROM tickets t WHERE t.day = ? AND t.phone IS NOT NULL AND t.status IN {LIVE}"
        " AND NOT EXISTS (SELECT 1 FROM sms_optins o WHERE o.ticket_id = t.id)"
    )
    if db.conn.execute("SELECT 1" + unseen + " LIMIT 1", [day]).fetchone() is None:  # the usual case: no write
        return 0
    with db.write() as conn:
        return conn.execute(
            "INSERT INTO sms_optins (ticket_id, phone, created_at) SELECT t.id, t.phone, ?" + unseen, [_stamp(now), day]
        ).rowcount


def bookings_to_remind(db: Database, day: str) -> list[Row]:
    """Return the bookings of ``day`` still to come that hold a phone and were not reminded yet."""
    rows = db.conn.execute(
        "SELECT b.id, b.code, b.service, b.day, b.slot_start, b.slot_end, b.phone, b.created_at FROM bookings b"
        " WHERE b.day = ? AND b.status = 'booked' AND b.phone IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM sms_messages m WHERE m.dedupe = 'reminder:' || b.id) ORDER BY b.id",
        [day],
    ).fetchall()
    return [dict(row) for row in rows]


def bookings_with_phones(db: Database, first_day: str, last_day: str, service: str | None) -> list[Row]:
    """Return bookings still to come from ``first_day`` to ``last_day`` that hold a phone (of ``service``, or all)."""
    sql = (
        "SELECT id, code, service, day, slot_start, slot_end, phone FROM bookings WHERE status = 'booked'"
        " AND phone IS NOT NULL AND day >= ? AND day <= ?"
    )
    args: list[object] = [first_day, last_day]
    if service is not None:
        sql += " AND service = ?"
        args.append(service)
    return [dict(row) for row in db.conn.execute(sql + " ORDER BY day, slot_start, id", args).fetchall()]


def set_booking_phone(db: Database, booking_id: int, phone: str) -> bool:
    """Keep ``phone`` with a booking still to come (a later number replaces it); False when it is no longer booked."""
    with db.write() as conn:
        return (
            conn.execute(
                "UPDATE bookings SET phone = ? WHERE id = ? AND status = 'booked'", [phone, booking_id]
            ).rowcount
            == 1
        )
