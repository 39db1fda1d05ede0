"""Measure the SKM report on a year of survey responses (40 a day), in-process through the Flask test client.

Run:  python bench/skm_bench.py [--per-day 40] [--repeat 5]

Prints the median time of GET /api/reports/skm for one month and for the whole year, and of the
year's Excel download. Responses are written straight into a fresh, migrated database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.domain import survey as skm  # noqa: E402
from kiosk.storage import survey as survey_store
from tests.support import add_staff, make_app  # noqa: E402

FIRST, LAST = date(2025, 11, 26), date(2026, 11, 25)


def responses(per_day: int) -> list[dict]:
    rng = random.Random(1)
    rows, day = [], FIRST
    while day <= LAST:
        for _ in range(per_day):
            row = {
                "day": day.isoformat(),
                "service": rng.choice(["REKAM", "CETAK", "AMBIL"]),
                "channel": "phone",
                **{code: rng.randint(1, 4) for code in skm.ELEMENT_CODES},
                **{part: rng.choice(options)[0] for part, options in skm.PROFILE.items()},
                "suggestion": f"saran {rng.randint(1, 300)}" if rng.random() < 0.1 else None,
            }
            rows.append(row)
        day += timedelta(days=1)
    return rows


def median_ms(client, path: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-day", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    app = make_app(Path(tempfile.mkdtemp()))
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    runtime = app.extensions["kiosk"]
    try:
        rows = responses(options.per_day)
        survey_store.add_demo_responses(runtime.db, rows)
        client = app.test_client()
        client.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
        print(f"{len(rows)} responses over {FIRST} to {LAST}")
        for label, query in (("one month", "from=2026-11-01&to=2026-11-25"), ("the year", f"from={FIRST}&to={LAST}")):
            print(
                f"GET /api/reports/skm, {label}: {median_ms(client, '/api/reports/skm?' + query, options.repeat):.1f} ms"
            )
        year = f"/api/reports/skm.xlsx?from={FIRST}&to={LAST}"
        print(f"GET /api/reports/skm.xlsx, the year: {median_ms(client, year, options.repeat):.1f} ms")
    finally:
        runtime.stop()


if __name__ == "__main__":
    main()
