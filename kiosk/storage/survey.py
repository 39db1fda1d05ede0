"""Every SQL statement of the satisfaction survey: one response per served ticket, kept apart from the ticket.

A response row holds no ticket, no time and no insertion order (its id is random). The ticket that
answered is recorded only as a keyed hash in ``survey_tickets``, written in the same transaction,
so a ticket answers once and nothing joins an answer back to it.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from typing import Any

from kiosk.domain.errors import AlreadyAnswered, NotFound, NotServed
from kiosk.domain.survey import ELEMENT_CODES, PROFILE
from kiosk.storage.db import Database

_PROFILE_PARTS = tuple(PROFILE)
_RESPONSE_COLUMNS = ("day", "service", "channel", *ELEMENT_CODES, *_PROFILE_PARTS, "suggestion")


def _find_ticket(conn: sqlite3.Connection, token: str | None, number: str | None, day: str) -> dict:
    if token is not None:
        row = conn.execute(
            "SELECT token, day, number, service, status FROM tickets WHERE token = ?", [token]
        ).fetchone()
        if row is None:
            raise NotFound("Tiket tidak ditemukan.")
    else:
        # Today's ticket with that number (a finished one first, should a changed prefix repeat a number).
        row = conn.execute(
            "SELECT token, day, number, service, status FROM tickets WHERE day = ? AND number = ?"
            " ORDER BY status = 'done' DESC, id LIMIT 1",
            [day, number],
        ).fetchone()
        if row is None:
            raise NotFound(f"Nomor {number} tidak ditemukan di antrean hari ini. Periksa nomor pada tiket Anda.")
    return dict(row)


def _open_ticket(
    conn: sqlite3.Connection, token: str | None, number: str | None, day: str, ticket_hash: Callable[[str], str]
) -> tuple[dict, str]:
    """Return (ticket, its hash) when it may answer now, else raise NotFound / NotServed / AlreadyAnswered."""
    ticket = _find_ticket(conn, token, number, day)
    if ticket["day"] != day:
        raise NotServed("Survei untuk nomor ini hanya dapat diisi pada hari layanannya.")
    if ticket["status"] != "done":
        raise NotServed(f"Survei dapat diisi setelah nomor {ticket['number']} selesai dilayani.")
    key = ticket_hash(ticket["token"])
    if conn.execute("SELECT 1 FROM survey_tickets WHERE ticket_hash = ?", [key]).fetchone():
        raise AlreadyAnswered(f"Survei untuk nomor {ticket['number']} sudah diisi. Terima kasih.")
    return ticket, key


def survey_ticket(
    db: Database, day: str, ticket_hash: Callable[[str], str], token: str | None = None, number: str | None = None
) -> dict:
    """Return the number and service of the ticket (by token, or today's number) that may answer the survey now."""
    ticket, _ = _open_ticket(db.conn, token, number, day, ticket_hash)
    return {"number": ticket["number"], "service": ticket["service"]}


def add_survey_response(
    db: Database,
    day: str,
    ticket_hash: Callable[[str], str],
    channel: str,
    answers: tuple[int, ...],
    profile: dict[str, str | None],
    suggestion: str | None,
    token: str | None = None,
    number: str | None = None,
) -> dict:
    """Store one response for a ticket served today; raise AlreadyAnswered when it has one already."""
    with db.write() as conn:
        ticket, key = _open_ticket(conn, token, number, day, ticket_hash)
        try:
            conn.execute("INSERT INTO survey_tickets (ticket_hash) VALUES (?)", [key])
        except sqlite3.IntegrityError:  # another writer got there between the check and here
            raise AlreadyAnswered(f"Survei untuk nomor {ticket['number']} sudah diisi. Terima kasih.") from None
        values = [
            day,
            ticket["service"],
            channel,
            *answers,
            *(profile.get(part) for part in _PROFILE_PARTS),
            suggestion,
        ]
        marks = ", ".join("?" * (len(values) + 1))
        while True:
            try:
                conn.execute(
                    f"INSERT INTO survey_responses (id, {', '.join(_RESPONSE_COLUMNS)}) VALUES ({marks})",
                    [secrets.randbits(62) + 1, *values],
                )
                break
            except sqlite3.IntegrityError:  # the random id was taken (about once in 10^18 tries)
                continue
    return {"number": ticket["number"], "service": ticket["service"]}


def survey_responses(db: Database, first: str, last: str, service: str | None = None) -> list[dict[str, Any]]:
    """Return the responses of the office days ``first`` to ``last`` (of one service if given), by day then at random."""
    sql = f"SELECT {', '.join(_RESPONSE_COLUMNS)} FROM survey_responses WHERE day BETWEEN ? AND ?"
    args: list[Any] = [first, last]
    if service is not None:
        sql += " AND service = ?"
        args.append(service)
    return [dict(row) for row in db.conn.execute(sql + " ORDER BY day, id", args).fetchall()]


def served_tickets(db: Database, first: str, last: str, service: str | None = None) -> int:
    """Count the tickets served (done) on the office days ``first`` to ``last``: the survey's population."""
    sql = "SELECT COUNT(*) FROM tickets WHERE day BETWEEN ? AND ? AND status = 'done'"
    args: list[Any] = [first, last]
    if service is not None:
        sql += " AND service = ?"
        args.append(service)
    return db.conn.execute(sql, args).fetchone()[0]


def add_demo_responses(db: Database, rows: list[dict[str, Any]]) -> int:
    """Store generated responses (demo office) in one transaction; return how many."""
    with db.write() as conn:
        for row in rows:
            conn.execute(
                f"INSERT INTO survey_responses (id, {', '.join(_RESPONSE_COLUMNS)})"
                f" VALUES ({', '.join('?' * (len(_RESPONSE_COLUMNS) + 1))})",
                [secrets.randbits(62) + 1, *(row.get(column) for column in _RESPONSE_COLUMNS)],
            )
    return len(rows)


def has_survey_responses(db: Database) -> bool:
    """Tell whether any response is stored (the demo seeds only an empty office)."""
    return db.conn.execute("SELECT 1 FROM survey_responses LIMIT 1").fetchone() is not None
