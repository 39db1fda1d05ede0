"""Every SQL statement of the reports: per-day facts drawn from the ticket event log of a range of days.

Each query reads one action over the range (index on action and day) and groups in SQLite, so a year
of ~700,000 events reaches Python as ~40,000 small rows: moving rows into Python, not reading them,
is what costs (a year's 150,000 issue rows alone took ~0.17 s to fetch). For each issue the query
finds, through the ticket's other events (index on ticket and action), its first call, and hands
the waits of a group over as one comma-separated text (the median and p90 need every wait). Dones
look up the serve or call they were timed from, no-shows whether they were requeued.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from kiosk.db import Database
from kiosk.reports import Called, Done, Facts, Issued, NoShow, Waits

_HOUR = "CAST(substr(e.at, 12, 2) AS INTEGER)"  # stamps are written in office time: the office-local hour
_RANGE = "e.day BETWEEN ?1 AND ?2"

# Issues by day, service and hour, each group split by where its tickets were first called (in the range):
# the waits of a group as "600,1740,...", seconds from issue to first call.
_ISSUES = (
    f"SELECT e.day, e.service, {_HOUR}, c.day, c.service, c.counter_id, c.staff_id, COUNT(*),"
    " group_concat(unixepoch(c.at) - unixepoch(e.at))"
    " FROM ticket_events e LEFT JOIN ticket_events c"
    "  ON c.id = (SELECT MIN(f.id) FROM ticket_events f WHERE f.ticket_id = e.ticket_id AND f.action = 'call')"
    "  AND c.day BETWEEN ?1 AND ?2"
    f" WHERE e.action = 'issue' AND {_RANGE}"
    " GROUP BY 1, 2, 3, 4, 5, 6, 7"
)
_CALLS = f"SELECT e.day, e.counter_id, e.staff_id, COUNT(*) FROM ticket_events e" \
         f" WHERE e.action = 'call' AND {_RANGE} GROUP BY 1, 2, 3"
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


def _rows(conn: sqlite3.Connection, sql: str, first: str, last: str, make=None) -> list:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples
    rows = cursor.execute(sql, [first, last]).fetchall()
    return rows if make is None else list(map(make, rows))


def _dones_and_no_shows(conn: sqlite3.Connection, first: str, last: str) -> tuple[list[Done], list[NoShow]]:
    return _rows(conn, _DONES, first, last, Done._make), _rows(conn, _NO_SHOWS, first, last, NoShow._make)


def _on_own_connection(db: Database, first: str, last: str) -> tuple[list[Done], list[NoShow]]:
    conn = db.connect()
    try:
        return _dones_and_no_shows(conn, first, last)
    finally:
        conn.close()


def _issues_and_calls(conn: sqlite3.Connection, first: str, last: str) -> tuple[list[Issued], list[Waits], list]:
    issued: Counter = Counter()
    waits: dict[tuple, list[int]] = {}
    for day, service, hour, call_day, call_service, counter_id, staff_id, count, seconds in _rows(
            conn, _ISSUES, first, last):
        issued[(day, service, hour)] += count
        if seconds is not None:
            key = (call_day, call_service, counter_id, staff_id)
            (waits.get(key) or waits.setdefault(key, [])).extend(map(int, seconds.split(",")))
    return ([Issued(*key, count) for key, count in issued.items()],
            [Waits(*key, seconds) for key, seconds in waits.items()], _rows(conn, _CALLS, first, last, Called._make))


def report_facts(db: Database, first: str, last: str) -> Facts:
    """Return the report facts of the office days ``first`` to ``last`` (ISO, inclusive).

    SQLite lets go of Python's lock while it reads, so the dones are read on a second connection in
    another thread while this one reads the issues: with a core free, a year's report takes ~40% less.
    """
    if db.in_memory:  # a second connection would open a second, empty database
        return Facts(*_issues_and_calls(db.conn, first, last), *_dones_and_no_shows(db.conn, first, last))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-read") as pool:
        later = pool.submit(_on_own_connection, db, first, last)
        issues = _issues_and_calls(db.conn, first, last)
        return Facts(*issues, *later.result())


def staff_names(db: Database) -> dict[int, str]:
    """Return every staff account's username by id (disabled ones too: they appear in old reports)."""
    return {row["id"]: row["username"] for row in db.conn.execute("SELECT id, username FROM staff")}
