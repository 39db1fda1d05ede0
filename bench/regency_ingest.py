"""Regency ingest and overview on a real PostgreSQL: events/s through the HTTP API, overview query time.

Usage (a database made for the purpose; the script creates its schema and offices):
    KIOSK_REGENCY_DSN=postgresql://kiosk@127.0.0.1:5432/bench .venv/bin/python bench/regency_ingest.py \\
        [--offices 17] [--days 30] [--per-day 150] [--batch 1000]

Sends ``days`` of ticket events (issued, called, done per ticket), a day summary and 10 survey responses a day
for every office in batches of ``batch`` events over one keep-alive connection per office, then times
GET /regency/api/offices and each office's trend (GET /regency/api/offices/<code>/days over the whole period).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg
import requests
from waitress import create_server
from werkzeug.security import generate_password_hash

from kiosk.regency import store
from kiosk.regency.app import create_app
from kiosk.regency.db import dsn_from_env, migrate, open_pool

JAKARTA = timezone(timedelta(hours=7))


ELEMENTS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
SURVEYS_PER_DAY = 10


def events_for(office: int, days: int, per_day: int):
    """Each day: its tickets' events, then (as an office sends once the day is over) its summary and surveys."""
    start = datetime.now(JAKARTA).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    for day in range(days):
        base = start + timedelta(days=day)
        for n in range(per_day):
            number, issued = f"A{n + 1:03d}", base + timedelta(minutes=n * 2)
            for kind, minutes in (("ticket_issued", 0), ("ticket_called", 7 + n % 11), ("ticket_done", 20 + n % 7)):
                yield {
                    "id": f"{office}-{day}-{n}-{kind}",
                    "kind": kind,
                    "number": number,
                    "service": "rekam",
                    "counter": 1 + n % 3,
                    "at": (issued + timedelta(minutes=minutes)).isoformat(),
                }
        end, text = base.replace(hour=23, minute=59, second=59).isoformat(), base.date().isoformat()
        yield {
            "id": f"day-{text}",
            "kind": "day_summary",
            "at": end,
            "day": text,
            "issued": per_day,
            "served": per_day,
            "no_show": 0,
            "services": [
                {"code": "rekam", "issued": per_day, "served": per_day, "no_show": 0, "median_wait_minutes": 12.0}
            ],
        }
        for n in range(SURVEYS_PER_DAY):
            yield {
                "id": f"survey-{office}-{day}-{n}",
                "kind": "survey_response",
                "at": end,
                "day": text,
                "service": "rekam",
                "channel": "kiosk",
                **{code: 3 + (n + i) % 2 for i, code in enumerate(ELEMENTS)},
            }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=17)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=150)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument(
        "--queries-only",
        action="store_true",
        help="keep what an earlier run sent (same --offices and --days) and time the queries only",
    )
    args = parser.parse_args()
    dsn = dsn_from_env()
    with psycopg.connect(dsn) as conn:
        migrate(conn)
        if args.queries_only:
            keys = {row[0]: "" for row in conn.execute("SELECT code FROM offices ORDER BY code")}
        else:
            conn.execute("TRUNCATE events, staff_sessions, staff, offices CASCADE")
            conn.commit()
            keys = {
                f"62.03.{n + 1:02d}": store.add_office(conn, f"62.03.{n + 1:02d}", f"Kantor {n + 1}")
                for n in range(args.offices)
            }
            store.add_staff(conn, "bench", "admin", generate_password_hash("bench-Password-123"))
    pool = open_pool(dsn, max_size=8)
    server = create_server(create_app(pool), host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}/regency/api"

    def send(code: str, index: int, totals: list[int]) -> None:
        http, batch = requests.Session(), []
        for event in events_for(index, args.days, args.per_day):
            batch.append(event)
            if len(batch) == args.batch:
                totals.append(
                    http.post(
                        url + "/batches",
                        json={"office": code, "events": batch},
                        headers={"Authorization": f"Bearer {keys[code]}"},
                    ).json()["accepted"]
                )
                batch = []
        if batch:
            totals.append(
                http.post(
                    url + "/batches",
                    json={"office": code, "events": batch},
                    headers={"Authorization": f"Bearer {keys[code]}"},
                ).json()["accepted"]
            )

    if not args.queries_only:
        totals: list[int] = []
        started = time.perf_counter()
        threads = [threading.Thread(target=send, args=(code, i, totals)) for i, code in enumerate(keys)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        accepted = sum(totals)
        print(
            f"ingest: {accepted} events from {args.offices} offices in {elapsed:.1f} s = "
            f"{accepted / elapsed:,.0f} events/s (batches of {args.batch}, {args.offices} senders at once)"
        )
        one_office = (3 * args.per_day + 1 + SURVEYS_PER_DAY) * 7
        print(f"a week of one office ({one_office} events) at that rate: {one_office / (accepted / elapsed):.1f} s")
    with psycopg.connect(dsn) as conn:
        count, size = conn.execute("SELECT count(*), pg_total_relation_size('events') FROM events").fetchone()
    print(f"events: {count:,} rows, {size / 2**20:,.0f} MiB with indexes ({size / max(count, 1):.0f} bytes each)")
    http = requests.Session()
    http.post(url + "/login", json={"username": "bench", "password": "bench-Password-123"}).raise_for_status()
    times = []
    for _ in range(10):
        t = time.perf_counter()
        http.get(url + "/offices").raise_for_status()
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"GET /regency/api/offices over {args.offices} offices x {args.days} days: "
        f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms"
    )
    today = datetime.now(JAKARTA).date()
    first = max(today - timedelta(days=args.days - 1), today - timedelta(days=366))
    times = []
    for code in keys:  # one office's trend over the whole period (the dashboard's second screen)
        t = time.perf_counter()
        answer = http.get(f"{url}/offices/{code}/days?from={first}&to={today}")
        answer.raise_for_status()
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"GET /regency/api/offices/<code>/days over {len(answer.json()['days'])} days, each of "
        f"{args.offices} offices: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms"
    )
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        month = conn.execute(  # by the day index (migration 0003), office by office
            "SELECT office, count(*) FROM events WHERE kind = 'day_summary' AND office = ANY(%s)"
            " AND data->>'day' >= %s GROUP BY office",
            (list(keys), (today - timedelta(days=30)).isoformat()),
        ).fetchall()
    print(f"a month across {len(month)} offices (day summaries): {(time.perf_counter() - started) * 1000:.0f} ms")
    server.close()
    pool.close()


if __name__ == "__main__":
    main()
