"""Every SQL statement of the reports: per-day facts drawn from the ticket event log of a range of days.

Each query reads one action over the range (index on action and day) and groups in SQLite, so a year
of ~700,000 events reaches Python as ~40,000 small rows: moving rows into Python, not reading them,
is what costs. First calls find their ticket's issue (index on ticket and action) and hand their waits
over as one comma-separated text per group (the median and p90 need every wait); dones look up the
serve or call they were timed from; no-shows whether they were requeued.

A day's facts depend only on that day's events (a wait belongs to the day of the first call and
names the day its ticket was issued), and the log is append-only, so they are kept per database in
memory, each with the day's stamp: its number of events and highest event id. A report reads the
stamps of its days (one pass over an index), reuses the days whose stamp has not moved and reads
the others. Today moves with every ticket and is read again; a year of closed days is not.
No-shows are always read (a later requeue undoes one without touching that day's stamp).
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from kiosk.domain.reports import Called, Done, Facts, Issued, NoShow, Waits
from kiosk.storage.db import Database

_HOUR = "CAST(substr(e.at, 12, 2) AS INTEGER)"  # stamps are written in office time: the office-local hour
_RANGE = "e.day BETWEEN ?1 AND ?2"
CACHED_DAYS = 400  # per database: a year and a month; a busy office's year (~150,000 tickets) is ~11 MB

_STAMPS = f"SELECT e.day, COUNT(*), MAX(e.id) FROM ticket_events e WHERE {_RANGE} GROUP BY 1"
_ISSUED = (
    f"SELECT e.day, e.service, {_HOUR}, COUNT(*) FROM ticket_events e"
    f" WHERE e.action = 'issue' AND {_RANGE} GROUP BY 1, 2, 3"
)
# A ticket's first call (the lowest id: calls after a requeue or transfer are not waits), with its waits as
# "600,1740,...": seconds from the issue to the call, grouped by the day the tickets were issued.
_WAITS = (
    "SELECT e.day, e.service, e.counter_id, e.staff_id, i.day, group_concat(unixepoch(e.at) - unixepoch(i.at))"
    " FROM ticket_events e JOIN ticket_events i ON i.ticket_id = e.ticket_id AND i.action = 'issue'"
    f" WHERE e.action = 'call' AND {_RANGE}"
    "  AND e.id = (SELECT MIN(f.id) FROM ticket_events f WHERE f.ticket_id = e.ticket_id AND f.action = 'call')"
    " GROUP BY 1, 2, 3, 4, 5"
)
_CALLS = (
    f"SELECT e.day, e.counter_id, e.staff_id, COUNT(*) FROM ticket_events e"
    f" WHERE e.action = 'call' AND {_RANGE} GROUP BY 1, 2, 3"
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


@dataclass
class _Day:
    """One day's facts (no-shows aside) and the stamp of the events they were read from."""

    stamp: tuple[int, int]
    issued: list[Issued]
    waits: list[Waits]
    calls: list[Called]
    dones: list[Done]


_CACHE: WeakKeyDictionary[Database, OrderedDict[str, _Day]] = WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _rows(db: Database, sql: str, first: str, last: str, make=None) -> list:
    cursor = db.conn.cursor()
    cursor.row_factory = None  # plain tuples
    rows = cursor.execute(sql, [first, last]).fetchall()
    return rows if make is None else list(map(make, rows))


def _read_days(db: Database, first: str, last: str, stamps: dict[str, tuple[int, int]]) -> dict[str, _Day]:
    """Read the facts of every day from ``first`` to ``last`` that has events."""
    days = {day: _Day(stamp, [], [], [], []) for day, stamp in stamps.items() if first <= day <= last}
    for row in _rows(db, _ISSUED, first, last, Issued._make):
        days[row.day].issued.append(row)
    for day, service, counter_id, staff_id, issued_day, seconds in _rows(db, _WAITS, first, last):
        waited = array("l", map(int, seconds.split(",")))  # compact: a year holds ~150,000 waits
        days[day].waits.append(Waits(day, service, counter_id, staff_id, waited, issued_day))
    for row in _rows(db, _CALLS, first, last, Called._make):
        days[row.day].calls.append(row)
    for row in _rows(db, _DONES, first, last, Done._make):
        days[row.day].dones.append(row)
    return days


def report_facts(db: Database, first: str, last: str) -> Facts:
    """Return the report facts of the office days ``first`` to ``last`` (ISO, inclusive)."""
    # Stamps first: a day that gains events while it is read keeps its older stamp and is read again next time.
    stamps = {day: (count, newest) for day, count, newest in _rows(db, _STAMPS, first, last)}
    with _CACHE_LOCK:
        cached = _CACHE.setdefault(db, OrderedDict())
        days = {day: cached[day] for day, stamp in stamps.items() if day in cached and cached[day].stamp == stamp}
    missing = sorted(set(stamps) - set(days))
    if missing:
        fresh = _read_days(db, missing[0], missing[-1], stamps)
        days.update((day, fresh[day]) for day in missing)
    with _CACHE_LOCK:
        for day in sorted(days):
            cached[day] = days[day]
            cached.move_to_end(day)
        while len(cached) > CACHED_DAYS:
            cached.popitem(last=False)
    ordered = [days[day] for day in sorted(days)]
    return Facts(
        issued=[row for day in ordered for row in day.issued],
        waits=[row for day in ordered for row in day.waits],
        calls=[row for day in ordered for row in day.calls],
        dones=[row for day in ordered for row in day.dones],
        no_shows=_rows(db, _NO_SHOWS, first, last, NoShow._make),
    )


def forget_days(db: Database) -> None:
    """Drop the facts kept for a database (the next report reads every day again)."""
    with _CACHE_LOCK:
        _CACHE.pop(db, None)


def staff_names(db: Database) -> dict[int, str]:
    """Return every staff account's username by id (disabled ones too: they appear in old reports)."""
    return {row["id"]: row["username"] for row in db.conn.execute("SELECT id, username FROM staff")}
