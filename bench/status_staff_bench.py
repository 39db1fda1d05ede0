"""Measure the staff's KTP-el status work over a real waitress server (not a test: figures for the README).

Run:  python bench/status_staff_bench.py [--records 60000] [--searches 300] [--batch 2000]

A temporary office gets ``--records`` residents (a large kecamatan); then, through HTTP with a staff
session: ``POST /api/applications/search`` p50/p99, one batch of ``--batch`` NIKs set to
READY_FOR_PICKUP, and an admin upload of a SIAK CSV holding every resident (new status for each),
then the same file again (no change). While the first upload runs, a kiosk keeps issuing tickets:
the longest issue shows how long an upload holds up the queue (the import is one transaction).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from status_bench import KK, residents  # noqa: E402

from kiosk.domain.status import Application  # noqa: E402
from kiosk.storage import status as status_store  # noqa: E402
from tests.support import LiveServer, add_staff, make_app  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=60000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--batch", type=int, default=2000)
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kiosk-staff-bench-"))
    app = make_app(folder, printer__type="none")
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    runtime = app.extensions["kiosk"]
    people = list(residents(options.records))
    status_store.save_applications(
        runtime.db,
        (Application(nik, KK, f"Warga {index}", born, "CARD_SHIPPED") for index, (nik, born) in enumerate(people)),
        "2026-11-01T08:00:00+07:00",
        "bench",
        "import",
    )
    server = LiveServer(app).start()
    try:
        headers = server.login()
        sample = random.Random(7)
        times = []
        for _ in range(options.searches):
            nik = sample.choice(people)[0]
            started = time.perf_counter()
            answer = server.post("/api/applications/search", json={"nik": nik}, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
        print(
            f"search, {options.records} records: p50 {percentile(times, 0.5):.1f} ms, "
            f"p99 {percentile(times, 0.99):.1f} ms ({options.searches} searches)"
        )

        batch = "\n".join(nik for nik, _ in sample.sample(people, options.batch))
        started = time.perf_counter()
        answer = server.post("/api/applications/ready", json={"niks": batch, "note": "bench"}, headers=headers)
        print(
            f"batch of {options.batch} NIKs to READY_FOR_PICKUP: {time.perf_counter() - started:.2f} s, "
            f"counts {answer.json()['counts']}"
        )

        csv = "nik;no_kk;nama;tanggal_lahir;status\n" + "".join(
            f"{nik};{KK};Warga {index};{born};CARD_PRINTED\n" for index, (nik, born) in enumerate(people)
        )
        admin = requests.Session()
        admin_headers = {
            "X-CSRF-Token": admin.post(
                server.url + "/api/login", timeout=10, json={"username": "kepala", "password": "rahasia-Admin1"}
            ).json()["csrf_token"]
        }
        issue_times: list[float] = []
        stop = threading.Event()

        def kiosk() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                server.session.post(server.url + "/api/tickets", json={"service": "AMBIL"}, timeout=60)
                issue_times.append((time.perf_counter() - started) * 1000)

        for attempt in ("first", "again"):
            worker = threading.Thread(target=kiosk)
            issue_times.clear()
            stop.clear()
            worker.start()
            started = time.perf_counter()
            report = admin.post(
                server.url + "/api/admin/status-import",
                headers=admin_headers,
                files={"file": ("siak.csv", csv.encode())},
                timeout=300,
            ).json()
            took = time.perf_counter() - started
            stop.set()
            worker.join()
            print(
                f"upload of {len(people)} rows ({len(csv) / 1e6:.1f} MB), {attempt}: {took:.2f} s, accepted "
                f"{report['accepted']} (changed {report['updated']}, unchanged {report['unchanged']}); "
                f"tickets issued meanwhile {len(issue_times)}, longest {max(issue_times):.0f} ms"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
