"""axe-core (bundled by axe-playwright-python) on every screen and state: no serious or critical violation.

Each page is opened in real Chromium on a real waitress server and brought into the state a resident or
a member of staff sees; axe then checks names, roles, landmarks, labels, contrast and the rest of WCAG A/AA.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import problems as _problems
from tests.support import free_counter, log_in

pytestmark = pytest.mark.browser

KIOSK_SIZES = [(1080, 1920), (1920, 1080)]


@pytest.mark.parametrize("width,height", KIOSK_SIZES)
def test_kiosk_screens_have_no_serious_accessibility_violation(live_server, new_page, width, height):
    page = new_page(width, height)
    page.goto(live_server.url + "/kiosk?idle=600")
    page.wait_for_selector(".k-service-btn[data-code=REKAM]")
    states = {"start": _problems(page)}
    page.locator(".k-service-btn[data-code=REKAM]").click()
    page.wait_for_selector("#screen-priority:not([hidden])")
    states["priority"] = _problems(page)
    page.locator("#choose-regular").click()
    page.wait_for_selector("#screen-result:not([hidden])")
    states["result"] = _problems(page)
    page.locator(".k-lang-btn[data-lang=en]").click()
    states["result, English"] = _problems(page)
    assert {state: found for state, found in states.items() if found} == {}


def test_phone_page_states_have_no_serious_accessibility_violation(live_server, new_page):
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/t/{ticket['token']}")
    expect(page.locator("#status")).to_have_text("Menunggu")
    states = {"waiting": _problems(page)}
    headers = live_server.login()
    free_counter(live_server, headers, 1)
    assert live_server.post("/api/counters/1/next", headers=headers).status_code == 200
    page.reload()
    expect(page.locator("#status")).not_to_have_text("Menunggu")
    states["called"] = _problems(page)
    page.goto(f"{live_server.url}/t/not-a-ticket-token-at-all")
    states["unknown"] = _problems(page)
    assert {state: found for state, found in states.items() if found} == {}


def test_display_has_no_serious_accessibility_violation(live_server, new_page):
    page = new_page(1920, 1080)
    page.goto(live_server.url + "/display")
    page.wait_for_selector("#current[data-state=idle]")
    states = {"idle": _problems(page)}
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    headers = live_server.login()
    free_counter(live_server, headers, 1)
    assert live_server.post("/api/counters/1/next", headers=headers).status_code == 200
    page.wait_for_selector("#current[data-state=call]")
    states["call"] = _problems(page)
    assert {state: found for state, found in states.items() if found} == {}


def test_staff_screens_have_no_serious_accessibility_violation(live_server, new_page):
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    page = new_page(1366, 768)
    page.goto(live_server.url + "/login?next=/counter")
    states = {"login": _problems(page)}
    log_in(page, live_server.url, "/counter", "petugas", "rahasia-Loket1")
    page.click("#counter-picker [data-counter='1']")
    page.wait_for_selector("[data-action=next]:not([disabled])")
    states["counter"] = _problems(page)
    page.click("[data-action=next]")
    expect(page.locator("#ticket-number")).to_have_text("A-001")
    states["counter, calling"] = _problems(page)

    admin = new_page(1366, 768)
    log_in(admin, live_server.url, "/admin", "kepala", "rahasia-Admin1")
    admin.wait_for_selector("#services-body tr[data-service=REKAM]")
    states["admin"] = _problems(admin)
    admin.goto(live_server.url + "/admin/settings")
    admin.wait_for_selector("#services-body tr[data-service=REKAM]")
    admin.wait_for_selector("#printer-fields select")
    states["admin settings"] = _problems(admin)
    admin.fill("#office-form [name=hours-mon]", "25:00-26:00")
    admin.click("#office-form button[type=submit]")
    expect(admin.locator("#office-form [data-error]")).to_be_visible()
    states["admin settings, refused"] = _problems(admin)
    assert {state: found for state, found in states.items() if found} == {}


@pytest.mark.parametrize("width,height", KIOSK_SIZES)
def test_kiosk_status_check_screens_have_no_serious_accessibility_violation(new_page, tmp_path, width, height):
    from tests.browser.test_kiosk_status import (
        DEMO_KK,
        READY_NIK,
        UNKNOWN_NIK,
        enter_both,
        open_kiosk,
        seed_demo_records,
        start_check,
    )
    from tests.support import LiveServer, make_app

    server = LiveServer(make_app(tmp_path)).start()
    try:
        seed_demo_records(server)
        page = open_kiosk(new_page, server, width=width, height=height)
        page.get_by_role("button", name="Cek Status KTP-el").click()
        expect(page.locator("#screen-status-notice")).to_be_visible()
        states = {"notice": _problems(page)}
        page.get_by_role("button", name="Kembali").click()
        start_check(page)
        page.keyboard.type("620301")
        states["NIK keypad"] = _problems(page)
        for _ in range(6):
            page.keyboard.press("Backspace")
        enter_both(page, UNKNOWN_NIK, DEMO_KK)
        expect(page.locator("#entry-message")).to_be_visible()
        states["not found"] = _problems(page)
        page.get_by_role("button", name="Kembali").click()
        for _ in range(16):
            page.keyboard.press("Backspace")
        enter_both(page, READY_NIK, DEMO_KK)
        expect(page.locator("#screen-status-answer")).to_be_visible()
        states["answer"] = _problems(page)
        assert {state: found for state, found in states.items() if found} == {}
    finally:
        server.stop()


def test_the_checker_finds_a_serious_violation_and_checks_the_same_page_again_after_a_change(new_page):
    page = new_page(800, 600)
    page.set_content(
        "<html lang='id'><head><title>Uji</title></head><body><main><button></button></main></body></html>"
    )
    assert [line.split(" ")[0] for line in _problems(page)] == ["button-name"]
    page.evaluate("() => { document.querySelector('button').textContent = 'Ambil nomor'; }")
    assert _problems(page) == []  # axe's script stays in the document: the second check sees the change
