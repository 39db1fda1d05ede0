"""Every SQL statement of the reports: the slice of the ticket event log a report is computed from."""

from __future__ import annotations

from typing import Iterator

from kiosk.db import Database
from kiosk.reports import Event

# Seconds since the epoch (strftime reads the stamp's offset) and the office-local hour of the stamp.
_EVENTS = (
    "SELECT ticket_id, day, CAST(strftime('%s', at) AS INTEGER), CAST(substr(at, 12, 2) AS INTEGER),"
    " action, service, counter_id, staff_id FROM ticket_events WHERE day BETWEEN ? AND ? ORDER BY id"
)


def report_events(db: Database, first: str, last: str) -> Iterator[Event]:
    """Yield the ticket events of the office days ``first`` to ``last`` (ISO, inclusive) in commit order."""
    cursor = db.conn.cursor()
    cursor.row_factory = None  # plain tuples: a year is ~700,000 rows
    cursor.execute(_EVENTS, [first, last])
    make = Event._make
    while rows := cursor.fetchmany(4096):
        yield from map(make, rows)


def staff_names(db: Database) -> dict[int, str]:
    """Return every staff account's username by id (disabled ones too: they appear in old reports)."""
    return {row["id"]: row["username"] for row in db.conn.execute("SELECT id, username FROM staff")}
