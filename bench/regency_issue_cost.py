"""What the regency outbox costs issuing: ``POST /api/tickets`` in-process with the outbox triggers off and on.

Run:  python bench/regency_issue_cost.py [--tickets 2000] [--rounds 3]

The demo office on a temporary database (``synchronous=FULL``, printer none), no regency reachable (the sender
backs off, as during a week offline, so the outbox only grows). Alternates rounds with the triggers off and on
(app_state regency_enabled) and prints each side's p50 and p99 over all rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk import create_app  # noqa: E402
from kiosk.domain.settings import load_settings  # noqa: E402
from kiosk.storage import regency as outbox  # noqa: E402
from kiosk.tools.bench import SERVICES, write_config  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        settings = load_settings(write_config(Path(temporary), printer="none"))
        app = create_app({"settings": settings})
        runtime = app.extensions["kiosk"]
        client = app.test_client()
        for i in range(200):  # warm-up
            client.post("/api/tickets", json={"service": SERVICES[i % len(SERVICES)]})
        timings: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.rounds):
            for enabled in (False, True):
                outbox.set_enabled(runtime.db, enabled, runtime.now().isoformat())
                for i in range(args.tickets):
                    start = time.perf_counter()
                    answer = client.post("/api/tickets", json={"service": SERVICES[i % len(SERVICES)]})
                    timings[enabled].append((time.perf_counter() - start) * 1000)
                    assert answer.status_code == 201, answer.get_json()
        queued = runtime.db.conn.execute("SELECT count(*) FROM regency_outbox").fetchone()[0]
    for enabled, values in timings.items():
        values.sort()
        print(
            f"outbox {'on ' if enabled else 'off'}: {len(values)} tickets, p50 {statistics.median(values):.3f} ms, "
            f"p99 {values[int(len(values) * 0.99)]:.3f} ms"
        )
    print(f"outbox rows written: {queued} (one per ticket issued while on)")


if __name__ == "__main__":
    main()
