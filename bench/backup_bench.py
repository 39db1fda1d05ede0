"""Measure backups on a year of a busy office: an online copy, one taken while kiosks issue, and a restore.

Run:  python bench/backup_bench.py [--tickets-per-day 480] [--kiosks 4]

A year of ~150,000 tickets and ~700,000 events (kiosk/tools/bench_reports.py's generator) is written
into a fresh database. Then: ``backup_database`` on the idle database; the same while
``--kiosks`` threads issue tickets in-process (``synchronous=FULL``), with the issuing p50/p99
during the copy beside those without it; and ``restore_database`` of the copy. Each copy is
checked with ``PRAGMA integrity_check`` (part of the timed work, as in the product).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.storage.backup import backup_database, restore_database  # noqa: E402
from kiosk.tools.bench_reports import TODAY, fill_year, office_services, open_app  # noqa: E402

UNLIMITED = ("CETAK", "AMBIL", "UBAH", "IKD", "INFO")  # the demo services without a daily quota


def issue_latencies(app, kiosks: int, stop: threading.Event) -> tuple[list[float], list[threading.Thread]]:
    """Start ``kiosks`` threads issuing tickets until ``stop``; return (each request's seconds, the threads)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def kiosk() -> None:
        client = app.test_client()
        count = 0
        while not stop.is_set():
            count += 1
            service = UNLIMITED[count % len(UNLIMITED)]
            started = time.perf_counter()
            answer = client.post("/api/tickets", json={"service": service})
            took = time.perf_counter() - started
            assert answer.status_code == 201, answer.get_json()
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=kiosk) for _ in range(kiosks)]
    for thread in threads:
        thread.start()
    return latencies, threads


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_issuing(app, kiosks: int, during) -> tuple[list[float], float]:
    stop = threading.Event()
    latencies, threads = issue_latencies(app, kiosks, stop)
    time.sleep(0.5)
    del latencies[:]  # the warm-up does not count
    started = time.perf_counter()
    during()
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join()
    return latencies, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets-per-day", type=int, default=480)
    parser.add_argument("--kiosks", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        app = open_app(work_dir, lambda: TODAY)
        runtime = app.extensions["kiosk"]
        tickets, events = fill_year(work_dir / "kiosk.db", args.tickets_per_day, office_services(app))
        size = (work_dir / "kiosk.db").stat().st_size
        print(f"year: {tickets:,} tickets, {events:,} events, database {size / 1e6:.0f} MB")

        started = time.perf_counter()
        backup_database(runtime.db, work_dir / "idle.db")
        print(f"backup, idle database (copy + integrity_check): {time.perf_counter() - started:.2f} s")

        quiet, _ = run_issuing(app, args.kiosks, lambda: time.sleep(2.0))
        busy, elapsed = run_issuing(app, args.kiosks, lambda: backup_database(runtime.db, work_dir / "busy.db"))
        print(f"backup while {args.kiosks} kiosks issue: {elapsed:.2f} s")
        print(
            f"issuing p50/p99 without a backup: {statistics.median(quiet) * 1e3:.1f} / "
            f"{percentile(quiet, 0.99) * 1e3:.1f} ms ({len(quiet)} tickets)"
        )
        print(
            f"issuing p50/p99 during the backup: {statistics.median(busy) * 1e3:.1f} / "
            f"{percentile(busy, 0.99) * 1e3:.1f} ms ({len(busy)} tickets)"
        )

        runtime.stop()
        runtime.db.close()
        started = time.perf_counter()
        restore_database(work_dir / "kiosk.db", work_dir / "busy.db", TODAY)
        print(f"restore (check, keep the replaced file, copy, migrate): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
