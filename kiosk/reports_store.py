"""Every SQL statement of the reports: per-day facts drawn from the ticket event log of a range of days.

Each query reads one action over the range (index on action and day) and looks up, through the
ticket's other events (index on ticket and action), what the report needs: the issue a first call
waited from, the serve or call a done was timed from. Counts and sums are grouped here, so a year
of ~700,000 events reaches Python as the first calls' waits (for medians and p90) and small groups.
"""

from __future__ import annotations

from kiosk.db import Database
from kiosk.reports import Called, Done, Facts, Issued, NoShow, Wait

_HOUR = "CAST(substr(e.at, 12, 2) AS INTEGER)"  # stamps are written in office time: the office-local hour
_RANGE = "e.day BETWEEN ? AND ?"

_ISSUED = f"SELECT e.day, e.service, {_HOUR}, COUNT(*) FROM ticket_events e WHERE e.action = 'issue' AND {_RANGE}" \
          " GROUP BY 1, 2, 3"
_CALLED = f"SELECT e.day, e.counter_id, e.staff_id, COUNT(*) FROM ticket_events e WHERE e.action = 'call'" \
          f" AND {_RANGE} GROUP BY 1, 2, 3"
_WAITS = (
    "SELECT e.day, e.service, e.counter_id, e.staff_id,"
    " unixepoch(e.at) - (SELECT unixepoch(i.at) FROM ticket_events i"
    "                    WHERE i.ticket_id = e.ticket_id AND i.action = 'issue')"
    f" FROM ticket_events e WHERE e.action = 'call' AND {_RANGE} AND NOT EXISTS ("
    "  SELECT 1 FROM ticket_events f WHERE f.ticket_id = e.ticket_id AND f.action = 'call' AND f.id < e.id)"
)
_DONES = (  # MATERIALIZED: the start-of-service lookup runs once per done, not once per aggregate using it
    "WITH finished AS MATERIALIZED ("
    f" SELECT e.day, e.service, {_HOUR} AS hour, e.counter_id, e.staff_id,"
    "  unixepoch(e.at) - (SELECT unixepoch(s.at) FROM ticket_events s WHERE s.ticket_id = e.ticket_id"
    "                     AND s.action IN ('call', 'recall', 'serve') AND s.id < e.id ORDER BY s.id DESC LIMIT 1)"
    "  AS seconds"
    f" FROM ticket_events e WHERE e.action = 'done' AND {_RANGE})"
    " SELECT day, service, hour, counter_id, staff_id, COUNT(*), COUNT(seconds), COALESCE(SUM(seconds), 0)"
    " FROM finished GROUP BY 1, 2, 3, 4, 5"
)
_NO_SHOWS = (
    f"SELECT e.day, e.service, e.counter_id, e.staff_id, COUNT(*) FROM ticket_events e"
    f" WHERE e.action = 'no_show' AND {_RANGE} AND NOT EXISTS ("
    "  SELECT 1 FROM ticket_events r WHERE r.ticket_id = e.ticket_id AND r.action = 'requeue' AND r.id > e.id)"
    " GROUP BY 1, 2, 3, 4"
)


def _rows(db: Database, sql: str, first: str, last: str, make) -> list:
    cursor = db.conn.cursor()
    cursor.row_factory = None  # plain tuples
    return list(map(make, cursor.execute(sql, [first, last])))


def report_facts(db: Database, first: str, last: str) -> Facts:
    """Return the report facts of the office days ``first`` to ``last`` (ISO, inclusive)."""
    return Facts(
        issued=_rows(db, _ISSUED, first, last, Issued._make),
        called=_rows(db, _CALLED, first, last, Called._make),
        waits=_rows(db, _WAITS, first, last, Wait._make),
        dones=_rows(db, _DONES, first, last, Done._make),
        no_shows=_rows(db, _NO_SHOWS, first, last, NoShow._make),
    )


def staff_names(db: Database) -> dict[int, str]:
    """Return every staff account's username by id (disabled ones too: they appear in old reports)."""
    return {row["id"]: row["username"] for row in db.conn.execute("SELECT id, username FROM staff")}
