"""The reports part of ``kiosk bench``: a year of a busy office written into a temporary database, then timed.

A year (Monday to Saturday, 2025-12-01 to 2026-11-30 by default) of tickets and their events is
written straight into a fresh, migrated database, shaped like the product writes them: most
tickets are called, served and done, some recalled, some finished straight from the call, one in
ten a no-show. The reports are then asked for in-process through the Flask test client (no
socket, so the figures are the server's work). bench/reports_bench.py and bench/backup_bench.py
build on the same generator.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from werkzeug.security import generate_password_hash

from kiosk import create_app
from kiosk.domain.settings import load_settings
from kiosk.paths import packaged_config
from kiosk.storage import reports as reports_store
from kiosk.storage import staff as staff_store
from kiosk.tools.bench_table import Row, _ms

JAKARTA = ZoneInfo("Asia/Jakarta")
FIRST_DAY, LAST_DAY = date(2025, 12, 1), date(2026, 11, 30)
TODAY = datetime(2026, 12, 1, 10, 0, tzinfo=JAKARTA)  # a Tuesday after the year
ADMIN, ADMIN_PASSWORD = "kepala", "rahasia-Admin1"
ALWAYS_OPEN = {f"office.hours.{day}": "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# (share of tickets, the actions after "issue"): on average ~4.65 events a ticket
PATHS = (
    (0.40, ("call", "serve", "done")),
    (0.30, ("call", "recall", "serve", "done")),
    (0.15, ("call", "recall", "recall", "serve", "done")),
    (0.10, ("call", "recall", "recall", "no_show")),
    (0.05, ("call", "done")),
)
STATUS_AFTER = {"call": "called", "recall": "called", "serve": "serving", "done": "done", "no_show": "no_show"}
# Targets (docs/performance.md): daily < 50 ms, 30 days < 300 ms, 365 days < 2 s, the report page's first render < 1 s.
DAILY_MS, MONTH_MS, YEAR_MS, PAGE_MS = 50, 300, 2000, 1000


def open_app(directory: Path, clock):
    """Return an app on a fresh database in ``directory`` (always open, no printer, no kiosk ticket rate) with an
    admin account."""
    settings = load_settings(
        packaged_config(),
        {
            **ALWAYS_OPEN,
            "office.observe_national_holidays": False,
            "database.path": str(directory / "kiosk.db"),
            "printer.type": "none",
            "kiosk.tickets_per_second": 1_000_000,
            "kiosk.ticket_burst": 1_000_000,
        },
    )
    app = create_app({"settings": settings, "TESTING": True, "clock": clock})
    runtime = app.extensions["kiosk"]
    staff_store.add_staff(
        runtime.db, ADMIN, generate_password_hash(ADMIN_PASSWORD, method="pbkdf2:sha256:1000"), "admin", clock()
    )
    return app


def office_services(app) -> list[tuple[str, str, tuple[int, ...]]]:
    """Return each service of the app's office as (code, number prefix, the counters that serve it)."""
    settings = app.extensions["kiosk"].settings
    return [
        (
            service.code,
            service.prefix,
            tuple(counter.id for counter in settings.counters if service.code in counter.services) or (1,),
        )
        for service in settings.services
    ]


def fill_year(
    path: Path,
    per_day: int,
    services: list[tuple[str, str, tuple[int, ...]]],
    first_day: date = FIRST_DAY,
    last_day: date = LAST_DAY,
) -> tuple[int, int]:
    """Write tickets and their events for every day but Sunday from ``first_day`` to ``last_day`` straight into the
    database; return (tickets, events)."""
    rng = random.Random(9)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    weights = [share for share, _ in PATHS]
    tickets = events = 0
    day = first_day
    with conn:
        while day <= last_day:
            if day.weekday() == 6:  # closed on Sundays
                day += timedelta(days=1)
                continue
            iso = day.isoformat()
            opening = datetime(day.year, day.month, day.day, 8, 0, tzinfo=JAKARTA)
            seqs = {code: 0 for code, _, _ in services}
            ticket_rows, event_rows = [], []
            for index in range(per_day):
                code, prefix, counters = services[index % len(services)]
                seqs[code] += 1
                issued = opening + timedelta(seconds=int(index * 7 * 3600 / per_day))
                tickets += 1
                ticket_id = tickets
                at = issued + timedelta(minutes=rng.uniform(2, 60))
                counter, staff = rng.choice(counters), 1
                status, stamps = "waiting", {}
                event_rows.append((ticket_id, iso, issued.isoformat(), "issue", None, "waiting", code, None, None))
                actions = rng.choices(PATHS, weights)[0][1]
                for action in actions:
                    after = STATUS_AFTER[action]
                    event_rows.append(
                        (ticket_id, iso, at.isoformat(timespec="seconds"), action, status, after, code, counter, staff)
                    )
                    stamps[action] = at.isoformat(timespec="seconds")
                    status = after
                    at += timedelta(minutes=rng.uniform(0.5, 12))
                ticket_rows.append(
                    (
                        ticket_id,
                        f"bench{ticket_id}",
                        iso,
                        code,
                        seqs[code],
                        f"{prefix}-{seqs[code]:03d}",
                        code,
                        0,
                        status,
                        issued.isoformat(),
                        issued.isoformat(),
                        stamps.get("call"),
                        stamps.get("serve"),
                        stamps.get("done") or stamps.get("no_show"),
                        counter,
                        staff,
                        "printed",
                    )
                )
            conn.executemany(
                "INSERT INTO tickets (id, token, day, origin_service, seq, number, service, priority, status,"
                " issued_at, queued_at, called_at, serving_at, finished_at, counter_id, staff_id, print_status)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                ticket_rows,
            )
            conn.executemany(
                "INSERT INTO ticket_events (ticket_id, day, at, action, from_status, to_status, service, counter_id,"
                " staff_id) VALUES (?,?,?,?,?,?,?,?,?)",
                event_rows,
            )
            events += len(event_rows)
            day += timedelta(days=1)
    # No ANALYZE: the product never runs it, so the reports are timed with the query plans an office gets.
    conn.close()
    return tickets, events


def timed(client, path: str, repeat: int) -> tuple[float, float, float]:
    """Return the first GET's wall milliseconds and the median wall and CPU milliseconds of ``repeat`` GETs of
    ``path`` (each must answer 200). The first reads every day (the kept facts of the database are dropped
    before it); the others reuse the days that did not change.

    CPU time is this process's own: on a shared machine it shows the work even when other
    processes stretch the wall time.
    """
    reports_store.forget_days(client.application.extensions["kiosk"].db)
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        answer = client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.get_data(as_text=True)[:200]}")
    return walls[0], statistics.median(walls), statistics.median(cpus)


def login(app):
    """Return a test client signed in as the admin."""
    admin = app.test_client()
    answer = admin.post("/api/login", json={"username": ADMIN, "password": ADMIN_PASSWORD})
    if answer.status_code != 200:
        raise RuntimeError(f"admin login answered {answer.status_code}")
    return admin


def report_rows(
    directory: Path,
    days: int = 365,
    per_day: int = 480,
    repeat: int = 5,
    progress: Callable[[str], None] = lambda text: None,
) -> tuple[list[Row], str]:
    """Write ``days`` days (to 2026-11-30) of ``per_day`` tickets into a database in ``directory`` and time the
    reports on it; return the table rows and a line describing the history.

    The 365-day range always spans the whole year, whatever ``days`` holds (the days before are empty).
    """
    clock = lambda: TODAY  # noqa: E731
    app = open_app(directory, clock)
    runtime = app.extensions["kiosk"]
    try:
        started = time.perf_counter()
        tickets, events = fill_year(
            directory / "kiosk.db", per_day, office_services(app), first_day=LAST_DAY - timedelta(days=days - 1)
        )
        written = time.perf_counter() - started
        progress(f"timing the reports on {tickets:,} tickets")
        admin = login(app)
        month_start = (LAST_DAY - timedelta(days=29)).isoformat()
        year_start = (LAST_DAY - timedelta(days=364)).isoformat()
        # The report page first: nothing read yet, its first render is the one a head of office waits for.
        page = f"/admin/reports?from={month_start}&to={LAST_DAY}"
        started = time.perf_counter()
        answer = admin.get(page)
        page_first = (time.perf_counter() - started) * 1000
        if answer.status_code != 200 or b"chart-trend" not in answer.data:
            raise RuntimeError(f"the report page answered {answer.status_code} without its charts")
        daily_first, daily_then, _ = timed(admin, f"/api/reports/daily?date={LAST_DAY}", repeat)
        month_first, month_then, _ = timed(admin, f"/api/reports/range?from={month_start}&to={LAST_DAY}", repeat)
        year_first, year_then, _ = timed(admin, f"/api/reports/range?from={year_start}&to={LAST_DAY}", repeat)
    finally:
        runtime.stop()
        runtime.db.close()
        reports_store.forget_days(runtime.db)
    later = f"median of {repeat - 1} later" if repeat > 2 else "later"
    rows = [
        Row(
            f"daily report, {per_day} tickets: first / later",
            f"{_ms(daily_first)} / {_ms(daily_then)}",
            f"< {DAILY_MS} ms",
            max(daily_first, daily_then) < DAILY_MS,
        ),
        Row(
            "30-day range report: first / later",
            f"{_ms(month_first)} / {_ms(month_then)}",
            f"< {MONTH_MS} ms",
            max(month_first, month_then) < MONTH_MS,
        ),
        Row("365-day range report: first (reads every day)", _ms(year_first), "< 2 s", year_first < YEAR_MS),
        Row(f"365-day range report: {later}", _ms(year_then), "< 2 s", year_then < YEAR_MS),
        Row("report page, 30 days: first render", _ms(page_first), "< 1 s", page_first < PAGE_MS),
    ]
    history = (
        f"reports in-process on {days} days of history ({tickets:,} tickets, {events:,} events, "
        f"written in {written:.1f} s)"
    )
    return rows, history
