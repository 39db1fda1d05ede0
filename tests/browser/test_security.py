"""The strict Content-Security-Policy in real Chromium: every screen works and nothing is blocked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def watch_csp(page) -> list[str]:
    """Collect the console reports of anything the Content-Security-Policy blocked."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def log_in(page, server, query="next=/counter"):
    page.goto(f"{server.url}/login?{query}")
    page.fill("#username", "petugas")
    page.fill("#password", "rahasia-Loket1")
    with page.expect_response("**/api/login") as answer:
        page.click("#login-submit")
    assert answer.value.status == 200


@pytest.mark.parametrize(
    "query",
    [
        "next=/%09/evil.example",
        "next=/%0A/evil.example",
        "next=//evil.example",
        "next=/%5Cevil.example",
        "next=%5C%5Cevil.example",
        "next=https://evil.example/counter",
        "next=javascript:alert(document.domain)",
        "next=%20//evil.example",
        "",
    ],
)
def test_login_next_never_leaves_this_server(live_server, new_page, query):
    page = new_page(1366, 768)
    violations = watch_csp(page)
    log_in(page, live_server, query)
    page.wait_for_url(live_server.url + "/counter")
    page.wait_for_selector("#counter-picker", state="visible")
    assert violations == []


def test_login_next_keeps_a_path_of_this_server(live_server, new_page):
    page = new_page(1366, 768)
    log_in(page, live_server, "next=/display%3Fx%3D1")
    page.wait_for_url(live_server.url + "/display?x=1")


def test_no_screen_reports_a_csp_violation(live_server, new_page):
    display = new_page(1920, 1080)
    display_violations = watch_csp(display)
    display.goto(live_server.url + "/display")
    display.wait_for_selector("#connection[data-state=online]", state="attached", timeout=5000)

    kiosk = new_page(1080, 1920)
    kiosk_violations = watch_csp(kiosk)
    kiosk.goto(live_server.url + "/kiosk")
    kiosk.locator(".k-service-btn[data-code=REKAM]").click()
    kiosk.wait_for_timeout(600)  # a new screen ignores taps for a moment
    kiosk.locator("#choose-regular").click()
    expect(kiosk.locator("#screen-result")).to_be_visible()
    kiosk.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")
    token = kiosk.locator("#result-qr").get_attribute("src").split("/")[3]

    counter = new_page(1366, 768)
    counter_violations = watch_csp(counter)
    log_in(counter, live_server)
    counter.wait_for_url(live_server.url + "/counter")
    counter.click("#counter-picker [data-counter='1']")
    counter.wait_for_selector("[data-action=next]:not([disabled])")
    counter.click("[data-action=next]")
    expect(counter.locator("#ticket")).to_have_attribute("data-status", "called")
    expect(display.locator("#current-number")).to_have_text("A-001", timeout=5000)

    phone = new_page(390, 844, is_mobile=True, has_touch=True)
    phone_violations = watch_csp(phone)
    phone.goto(f"{live_server.url}/t/{token}")
    expect(phone.locator("#number")).to_have_text("A-001")
    phone.wait_for_timeout(500)

    assert {
        "display": display_violations,
        "kiosk": kiosk_violations,
        "counter": counter_violations,
        "phone": phone_violations,
    } == {"display": [], "kiosk": [], "counter": [], "phone": []}
