"""Every SQL statement of the reports: per-day facts drawn from the ticket event log of a range of days.

Each query reads one action over the range (index on action and day). Issues and calls come as
they are (the waits need them paired per ticket); for dones and no-shows the query looks up,
through the ticket's other events (index on ticket and action), the serve or call a done was
timed from and whether a no-show was requeued, and groups them, so a year of ~700,000 events
reaches Python as ~300,000 small rows.
"""

from __future__ import annotations

from kiosk.db import Database
from kiosk.reports import Done, Facts, NoShow

_HOUR = "CAST(substr(e.at, 12, 2) AS INTEGER)"  # stamps are written in office time: the office-local hour
_RANGE = "e.day BETWEEN ? AND ?"

# In commit order (day, then id): the index on (action, day) gives it without sorting.
_ISSUES = f"SELECT e.ticket_id, e.day, e.service, {_HOUR}, unixepoch(e.at) FROM ticket_events e" \
          f" WHERE e.action = 'issue' AND {_RANGE} ORDER BY e.day, e.id"
_CALLS = "SELECT e.ticket_id, e.day, e.service, e.counter_id, e.staff_id, unixepoch(e.at) FROM ticket_events e" \
         f" WHERE e.action = 'call' AND {_RANGE} ORDER BY e.day, e.id"
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


def _rows(db: Database, sql: str, first: str, last: str, make=None) -> list:
    cursor = db.conn.cursor()
    cursor.row_factory = None  # plain tuples (issues and calls stay plain: a year has ~150,000 of each)
    rows = cursor.execute(sql, [first, last]).fetchall()
    return rows if make is None else list(map(make, rows))


def report_facts(db: Database, first: str, last: str) -> Facts:
    """Return the report facts of the office days ``first`` to ``last`` (ISO, inclusive)."""
    return Facts(
        issues=_rows(db, _ISSUES, first, last),
        calls=_rows(db, _CALLS, first, last),
        dones=_rows(db, _DONES, first, last, Done._make),
        no_shows=_rows(db, _NO_SHOWS, first, last, NoShow._make),
    )


def staff_names(db: Database) -> dict[int, str]:
    """Return every staff account's username by id (disabled ones too: they appear in old reports)."""
    return {row["id"]: row["username"] for row in db.conn.execute("SELECT id, username FROM staff")}
