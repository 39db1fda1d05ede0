"""Measure call -> waiting-room display latency in real Chromium against a real waitress server.

For each call: the ticket is issued first; then the clock starts just before
``POST /api/counters/1/next`` and stops when the display page has the call in its
DOM (display.js stamps ``performance.timeOrigin + performance.now()`` right after
rendering the recent-calls list). Browser and script share this machine's clock.

    python bench/call_latency.py [--calls 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support import LiveServer, add_staff, make_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        add_staff(app)
        server = LiveServer(app).start()
        headers = server.login()
        latencies = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(server.url + "/display")
                page.wait_for_selector("#connection[data-state=online]", state="attached")
                for _ in range(args.calls):
                    server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
                    sent = time.time()
                    called = server.post("/api/counters/1/next", headers=headers).json()["ticket"]
                    number = called["number"]
                    page.wait_for_function("n => window.__received.some(c => c.number === n)", arg=number, timeout=5000)
                    shown = page.evaluate("n => window.__received.find(c => c.number === n).at", number)
                    latencies.append((shown / 1000 - sent) * 1000)
                    time.sleep(0.2)  # calls a few moments apart, announcements still queueing
                    # A counter holds one ticket at a time: finish it before the next call.
                    server.post(f"/api/tickets/{called['id']}/done", headers=headers).raise_for_status()
                browser.close()
        finally:
            server.stop()

    latencies.sort()
    print(f"calls: {len(latencies)}")
    print(
        f"call -> display latency: median {statistics.median(latencies):.1f} ms, "
        f"p90 {latencies[int(len(latencies) * 0.9) - 1]:.1f} ms, worst {latencies[-1]:.1f} ms, "
        f"best {latencies[0]:.1f} ms"
    )


if __name__ == "__main__":
    main()
