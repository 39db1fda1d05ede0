"""A waiting-room display runs for months: 10,000 live events must not grow its memory or its page.

The events go through the real server's publisher and the real event stream to the real display page
in Chromium; the page's JavaScript heap (after a forced garbage collection) and its DOM node count are
read through the Chrome DevTools Protocol after a warm-up and again at the end.
"""

from __future__ import annotations

import pytest

from kiosk.office.views import call_json, live_queue_json
from kiosk.storage import tickets as store
from tests.support import LiveServer, add_staff, free_counter, make_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.serial]  # a long run: alone

BATCH = 250  # well under a subscriber's mailbox (512): a slow page is never dropped by the test itself
WARM_UP = 1_000
TOTAL = 10_000


def _measure(page, cdp) -> tuple[int, int]:
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
    nodes = page.evaluate("() => document.getElementsByTagName('*').length")
    return heap, nodes


def test_a_display_takes_ten_thousand_events_without_growing(new_page, tmp_path):
    app = make_app(tmp_path, printer__type="none")
    add_staff(app)
    server = LiveServer(app).start()
    try:
        runtime = server.runtime
        server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
        headers = server.login()
        free_counter(server, headers, 1)
        real = server.post("/api/counters/1/next", headers=headers).json()["ticket"]

        page = new_page(1920, 1080)
        page.goto(server.url + "/display?standard_seconds=600")  # the standards' first turn (8 nodes) after the run
        page.wait_for_function("() => document.getElementById('current-number').textContent !== ''")
        # the events below are published straight to the stream (no rows to replay): it must be listening
        page.wait_for_selector("#connection[data-state=online]", state="attached")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Runtime.enable")
        last_real = runtime.db.conn.execute("SELECT max(id) FROM ticket_events WHERE action = 'call'").fetchone()[0]
        template = call_json(runtime, store.call_event(runtime.db, last_real))
        queue = live_queue_json(runtime)

        sent = 0
        baseline = None
        next_id = last_real + 1
        while sent < TOTAL:
            for _ in range(BATCH // 2):
                number = f"Z-{next_id % 1000:03d}"  # never the real A-001
                runtime.events.publish(
                    "call", dict(template, id=next_id, number=number, recall=False), event_id=next_id
                )
                runtime.events.publish("queue", queue)
                next_id += 1
                sent += 2
            page.wait_for_function(
                "id => document.body.getAttribute('data-last-call') === String(id)", arg=next_id - 1, timeout=60_000
            )
            if sent == WARM_UP:
                baseline = _measure(page, cdp)
        final = _measure(page, cdp)
        print(
            f"display after {WARM_UP} events: heap {baseline[0]:,} B, {baseline[1]} nodes;"
            f" after {TOTAL}: heap {final[0]:,} B, {final[1]} nodes"
        )

        assert runtime.events.subscriber_count >= 1  # the page kept its stream all along (never dropped)
        assert baseline is not None
        heap_growth, node_growth = final[0] - baseline[0], final[1] - baseline[1]
        assert heap_growth < 150_000, (baseline, final)  # 9,000 more events: under 150 kB more heap (seen: 29 kB)
        assert node_growth <= 0, (baseline, final)  # the DOM is built once; only its text changes
        assert page.evaluate("() => window.__received.length") <= 50
        assert page.evaluate("() => window.__announced.length") <= 50
        recent = page.locator("#recent-list .recent-row").all_inner_texts()
        assert len(recent) <= 5 and real["number"] not in "".join(recent[:1])  # the board moved on
    finally:
        server.stop()
