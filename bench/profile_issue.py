"""Profile ``POST /api/tickets`` in-process (Flask test client, no socket) with pyinstrument.

Run:  python bench/profile_issue.py [--tickets 3000] [--printer file|none] [--html out.html] [--no-profile]

The demo office on a temporary database (``synchronous=FULL``); with ``--printer file`` the
print worker runs in its own thread as in the server (pyinstrument samples only the request
thread; the worker shows up as the time the request waits for the GIL or the write lock).
Prints the p50 of the timed requests and pyinstrument's call tree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyinstrument import Profiler  # noqa: E402

from kiosk import create_app  # noqa: E402
from kiosk.domain.settings import load_settings  # noqa: E402
from kiosk.tools.bench import SERVICES, write_config  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--printer", choices=("file", "none"), default="file")
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    parser.add_argument("--no-profile", action="store_true", help="time the requests without the profiler")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        settings = load_settings(write_config(Path(temporary), printer=args.printer))  # no quotas, always open
        app = create_app({"settings": settings})
        runtime = app.extensions["kiosk"]
        runtime.start()
        client = app.test_client()
        try:
            for i in range(200):  # warm-up: imports, first connections, caches
                client.post("/api/tickets", json={"service": SERVICES[i % len(SERVICES)]})
            timings = []
            profiler = Profiler(interval=0.0001)
            if not args.no_profile:
                profiler.start()
            for i in range(args.tickets):
                start = time.perf_counter()
                answer = client.post("/api/tickets", json={"service": SERVICES[i % len(SERVICES)]})
                timings.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 201, answer.get_json()
            if not args.no_profile:
                profiler.stop()
        finally:
            runtime.stop()
    print(
        f"{args.tickets} tickets, printer {args.printer}: p50 {statistics.median(timings):.3f} ms, "
        f"p99 {sorted(timings)[int(len(timings) * 0.99)]:.3f} ms" + ("" if args.no_profile else " (under the profiler)")
    )
    if args.no_profile:
        return
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html(), encoding="utf-8")


if __name__ == "__main__":
    main()
