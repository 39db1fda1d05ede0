"""The admin's "Hari ini" shows the regency backlog in real Chromium (a fake regency on 127.0.0.1)."""

from __future__ import annotations

import pytest

from tests.support import add_staff, wait_until
from tests.test_regency_sender import FakeRegency, office, quick_backoff  # noqa: F401 (quick_backoff: a fixture)

pytestmark = pytest.mark.browser


def test_the_admin_sees_events_waiting_for_the_regency_then_all_sent(tmp_path, new_page):
    regency = FakeRegency()
    regency.fail = True
    server = office(tmp_path, regency.url)
    try:
        add_staff(server.app, "kepala", "rahasia-Admin1", "admin")
        for _ in range(2):
            server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
        wait_until(lambda: regency.batches)
        page = new_page(1366, 768)
        page.goto(server.url + "/login?next=/admin")
        page.fill("#username", "kepala")
        page.fill("#password", "rahasia-Admin1")
        page.click("#login-submit")
        page.wait_for_url(server.url + "/admin")
        page.wait_for_function("() => document.querySelector('#regency-state').textContent.includes('menunggu')")
        text = page.inner_text("#regency-state")
        assert text.startswith("2 peristiwa menunggu") and "gagal: HTTP 503" in text
        assert page.get_attribute("#regency-state", "data-state") == "failed"

        regency.fail = False
        wait_until(lambda: len(regency.delivered()) == 2, timeout=10)
        page.reload()
        page.wait_for_function("() => document.querySelector('#regency-state').textContent.startsWith('Terkirim')")
        assert page.get_attribute("#regency-state", "data-state") == "ok"

        # An event the regency refused as bad data is set aside, and the admin is told.
        from kiosk.storage import regency as outbox

        db = server.app.extensions["kiosk"].db
        outbox.add(db, "ticket_issued", "2026-11-02T09:00:00+07:00", {"number": "A001", "service": "REKAM"})
        seq = db.conn.execute("SELECT max(seq) FROM regency_outbox").fetchone()[0]
        outbox.quarantine(db, seq, "HTTP 400 bad_event", "2026-11-02T09:00:01+07:00")
        page.reload()
        page.wait_for_function("() => document.querySelector('#regency-state').textContent.includes('ditolak')")
        assert "1 peristiwa ditolak kabupaten dan disisihkan" in page.inner_text("#regency-state")
        assert page.get_attribute("#regency-state", "data-state") == "failed"
    finally:
        server.stop()
        regency.stop()
