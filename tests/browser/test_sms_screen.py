"""The SMS screen in real Chromium: modem state, today's messages, budget left and a failure; axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import problems as _problems
from tests.support import LiveServer, add_staff, log_in, make_app
from tests.test_sms import gammu_sends, receive, sms_overrides, worker

pytestmark = pytest.mark.browser


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path, printer__type="none", **sms_overrides(tmp_path, sms__daily_limit=50))
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    yield server
    server.stop()


def test_admin_sees_the_modem_todays_messages_the_budget_and_failures(office, new_page):
    sms = worker(office.app)
    receive(office.app, "INFO")
    receive(office.app, "halo", sender="+6285712345678")
    sms.run_once()
    gammu_sends(office.app, "error")  # the first attempt of both fails
    sms.run_once()
    page = new_page(1366, 768)
    log_in(page, office.url, "/admin/sms", "kepala", "rahasia-Admin1")
    expect(page.locator("#sms-enabled")).to_have_text("Aktif")
    expect(page.locator("#today-received")).to_have_text("2")
    expect(page.locator("#today-budget")).to_have_text("48 dari 50")
    expect(page.locator("#failures-body tr")).to_have_count(2)
    expect(page.locator("#failures-body")).to_contain_text("Dicoba lagi")
    expect(page.locator("#failures-body")).not_to_contain_text("4567890")  # numbers are masked
    assert _problems(page) == []
