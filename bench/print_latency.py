"""Measure the time from issuing a ticket (POST /api/tickets, what a kiosk tap sends) to the complete
ticket arriving at a fake ESC/POS network printer, and how fast issuing answers with the printer off.

Run from the repository root:  python bench/print_latency.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakeprinter import FakePrinter  # noqa: E402
from tests.support import LiveServer, make_app  # noqa: E402


def figures(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"{name}: n={len(ms)} median={statistics.median(ms):.1f} ms  min={ms[0]:.1f} ms  max={ms[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakePrinter() as fake:
        app = make_app(Path(tmp), printer__type="network", printer__host="127.0.0.1", printer__port=fake.port)
        server = LiveServer(app).start()
        try:
            server.post("/api/tickets", json={"service": "INFO"})  # warm up connections and caches
            fake.wait_for_jobs(1)
            answered, printed = [], []
            for round_number in range(args.rounds):
                started = time.perf_counter()
                answer = server.post("/api/tickets", json={"service": "REKAM"})
                answered.append(time.perf_counter() - started)
                assert answer.status_code == 201, answer.text
                fake.wait_for_jobs(round_number + 2)
                printed.append(time.perf_counter() - started)
                time.sleep(0.05)  # one resident at a time, as at a kiosk
            fake.mode = "refuse"
            offline = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                assert server.post("/api/tickets", json={"service": "AMBIL"}).status_code == 201
                offline.append(time.perf_counter() - started)
        finally:
            server.stop()
    print(figures("POST /api/tickets answered (printer online)", answered))
    print(figures("POST -> complete ticket received by the fake printer", printed))
    print(figures("POST /api/tickets answered (printer refusing connections)", offline))


if __name__ == "__main__":
    main()
