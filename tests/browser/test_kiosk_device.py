"""The kiosk page on a device that is not a kiosk: it says so at once, and a refused ticket shows on the error screen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import expect

from tests.support import LiveServer, make_app

pytestmark = pytest.mark.browser


def test_a_browser_on_another_device_is_told_the_kiosk_is_not_here(new_page, tmp_path):
    app = make_app(tmp_path, kiosk__addresses=["127.0.0.9"])  # the browser (127.0.0.1) is not the kiosk PC
    server = LiveServer(app).start(workers=False)
    try:
        page = new_page(1080, 1920)
        page.goto(f"{server.url}/kiosk")
        expect(page.locator("main[role=alert]")).to_contain_text("Perangkat ini bukan kios antrean kantor.")
        assert page.locator(".k-service-btn").count() == 0
    finally:
        server.stop()


def test_a_ticket_refused_as_not_a_kiosk_shows_the_message_on_the_error_screen(new_page, tmp_path):
    app = make_app(tmp_path)
    server = LiveServer(app).start(workers=False)
    try:
        page = new_page(1080, 1920)
        page.goto(f"{server.url}/kiosk")
        expect(page.locator(".k-service-btn").first).to_be_visible()
        # The kiosk PC is taken off the list while its page is open (e.g. its address changed).
        runtime = server.runtime
        # (the settings object alone: a new settings version would also reload the page at its start screen)
        runtime.settings = replace(runtime.settings, kiosk=replace(runtime.settings.kiosk, addresses=("127.0.0.9",)))
        page.locator(".k-service-btn[data-code=REKAM]").click()
        page.locator("#choose-regular").click()
        expect(page.locator("#screen-error")).to_be_visible()
        expect(page.locator("#error-text")).to_have_text(
            "Nomor antrean hanya dapat diambil di kios antrean kantor. Silakan menuju kios atau tanyakan kepada "
            "petugas."
        )
        assert server.runtime.db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
    finally:
        server.stop()
