"""A disruption reaches the residents (SPEC "Later days, fairness, disruptions"): started by staff at the API, it
shows within 2 s on the kiosk (reason and what to do instead), the waiting-room display (a band) and the phone
pages of waiting tickets and bookings; ending it clears them. Real waitress server, real Chromium."""

from __future__ import annotations

import os
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import Clock
from tests.support import LiveServer, add_staff, make_app
from tests.test_bookings import HOURS, services

SHOTS = os.environ.get("KIOSK_SCREENSHOTS")


@pytest.fixture
def office(tmp_path):
    app = make_app(
        tmp_path,
        clock=Clock(),
        office__hours__sun="",
        **HOURS,
        services=services(booking_quota=8),
        disruption__alternatives={"blanko": ["IKD", "INFO"]},
    )
    add_staff(app)
    live = LiveServer(app).start(workers=False)
    yield live
    live.stop()


def _pages(new_page, live):
    """A kiosk, a display, the phone page of a waiting REKAM ticket and of a REKAM booking, all loaded."""
    ticket = live.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    booking = live.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"},
        headers={"Idempotency-Key": "slip-1"},
    ).json()["booking"]
    kiosk = new_page(1080, 1920)
    kiosk.goto(f"{live.url}/kiosk?idle=600")
    kiosk.wait_for_selector(".k-service-btn[data-code=REKAM]:not([disabled])")
    display = new_page(1920, 1080)
    display.goto(f"{live.url}/display")
    display.wait_for_selector("#connection[data-state=online]", state="attached")
    phone = new_page(390, 844, is_mobile=True, has_touch=True)
    phone.goto(live.url + urlparse(ticket["track_url"]).path)
    slip = new_page(390, 844, is_mobile=True, has_touch=True)
    slip.goto(live.url + urlparse(booking["track_url"]).path)
    for page in (kiosk, display):
        page.wait_for_selector("body[data-disruptions='0']", state="attached")  # the first answer is in
    return kiosk, display, phone, slip


@pytest.mark.serial  # asserts the SPEC's time bound (API -> screens under 2 s): alone on the machine
def test_a_disruption_started_at_the_api_is_on_kiosk_display_and_phones_within_two_seconds(new_page, office):
    kiosk, display, phone, slip = _pages(new_page, office)
    headers = office.login()
    started = time.monotonic()
    office.post("/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers=headers).raise_for_status()
    seen = {}
    for name, page, selector in (
        ("kiosk", kiosk, "#screen-start .k-disruption:not([hidden])"),
        ("display", display, "#disruption:not([hidden])"),
        ("phone", phone, "#disruption:not([hidden])"),
        ("booking", slip, "#disruption:not([hidden])"),
    ):
        page.wait_for_selector(selector, timeout=5000)
        seen[name] = round(time.monotonic() - started, 2)
    print(f"disruption start -> visible (s): {seen}")
    assert {name: after for name, after in seen.items() if after >= 2.0} == {}, seen


def test_each_screen_says_why_in_plain_words_and_the_kiosk_offers_what_to_do_instead(new_page, office):
    kiosk, display, phone, slip = _pages(new_page, office)
    headers = office.login()
    started = office.post(
        "/api/disruptions", json={"service": "REKAM", "reason": "blanko", "until": "11:00"}, headers=headers
    ).json()["disruption"]

    box = kiosk.locator("#screen-start .k-disruption")
    expect(box).to_contain_text(
        "Blanko KTP-el habis Layanan Perekaman KTP-el dihentikan sementara. Perkiraan pulih pukul 11.00."
    )
    expect(box.locator(".k-alt")).to_have_text(["Aktivasi IKD", "Informasi", "Ambil nomor untuk hari lain"])
    assert box.locator("[data-action=later]").get_attribute("data-service") == "REKAM"  # -> /kiosk/later?service=
    expect(kiosk.locator(".k-service-btn[data-code=REKAM]")).to_be_disabled()  # the list reloaded at once
    kiosk.click(".k-lang-btn[data-lang=en]")
    expect(box).to_contain_text(
        "KTP-el card blanks have run out KTP-el Enrolment is paused for now. Expected back at 11.00."
    )
    expect(box.locator(".k-alt").first).to_have_text("IKD (Digital ID) Activation")
    if SHOTS:
        kiosk.screenshot(path=f"{SHOTS}/kiosk-disruption-portrait-en.png")
        kiosk.set_viewport_size({"width": 1920, "height": 1080})
        kiosk.click(".k-lang-btn[data-lang=id]")
        kiosk.wait_for_timeout(600)
        kiosk.screenshot(path=f"{SHOTS}/kiosk-disruption-landscape.png")
        kiosk.set_viewport_size({"width": 1080, "height": 1920})
        kiosk.click(".k-lang-btn[data-lang=en]")
    box.locator(".k-alt").first.click()  # an alternative is the same as that service's button
    expect(kiosk.locator("#screen-priority")).to_be_visible()
    expect(kiosk.locator("#chosen-service")).to_have_text("IKD (Digital ID) Activation")

    expect(display.locator("#disruption")).to_have_text(
        "Gangguan layanan Blanko KTP-el habis — Layanan Perekaman KTP-el dihentikan sementara. "
        "Perkiraan pulih pukul 11.00.",
        use_inner_text=False,
    )
    expect(phone.locator("#disruption")).to_contain_text(
        "Blanko KTP-el habis Layanan Perekaman KTP-el dihentikan sementara. Perkiraan pulih pukul 11.00."
    )
    expect(phone.locator("#disruption")).to_contain_text("Nomor Anda tetap berlaku")
    phone.click("[data-page-lang=en]")
    expect(phone.locator("#disruption")).to_contain_text("KTP-el card blanks have run out KTP-el Enrolment is paused")
    expect(slip.locator("#disruption")).to_contain_text("Blanko KTP-el habis")
    if SHOTS:
        for name, page in (("display-disruption", display), ("phone-disruption", phone)):
            page.screenshot(path=f"{SHOTS}/{name}.png")

    office.post(f"/api/disruptions/{started['id']}/end", headers=headers).raise_for_status()
    for page in (kiosk, display, phone, slip):
        expect(page.locator("#disruption, #screen-start .k-disruption").first).to_be_hidden()
    expect(kiosk.locator(".k-service-btn[data-code=REKAM]")).to_be_enabled()


def test_a_disruption_of_every_service_on_an_english_display(new_page, office):
    display = new_page(1920, 1080)
    display.goto(f"{office.url}/display?lang=en")
    display.wait_for_selector("body[data-disruptions='0']", state="attached")
    office.post(
        "/api/disruptions", json={"service": None, "reason": "power", "note": "PLN padam"}, headers=office.login()
    ).raise_for_status()
    expect(display.locator("#disruption-list")).to_have_text("Power cut: PLN padam — All services are paused for now.")


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_the_disruption_notices_are_axe_clean(new_page, office, width, height):
    from tests.browser.axe import problems as _problems

    kiosk, display, phone, slip = _pages(new_page, office)
    kiosk.set_viewport_size({"width": width, "height": height})
    office.post(
        "/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers=office.login()
    ).raise_for_status()
    for page in (kiosk, display, phone, slip):
        page.wait_for_selector("#disruption:not([hidden]), #screen-start .k-disruption:not([hidden])")
    kiosk.click(".k-lang-btn[data-lang=en]")
    found = {
        name: _problems(page)
        for name, page in (("kiosk", kiosk), ("display", display), ("phone", phone), ("booking", slip))
    }
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_voice_mode_reads_the_disruption_notice_first_on_the_start_screen(new_page, office):
    from kiosk.domain.guide import sentences
    from tests.browser.test_kiosk_voice import Heard

    page = new_page(1080, 1920)
    heard = Heard(page)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.wait_for_selector("body[data-disruptions='0']", state="attached")
    office.post(
        "/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers=office.login()
    ).raise_for_status()
    expect(page.locator("#screen-start .k-disruption")).to_be_visible()
    # The notice and the service list come from separate requests: the paused service must be grey (the list
    # reloaded) before the start screen is read, or the voice still counts it among the services on offer.
    expect(page.locator(".k-service-btn[data-code=REKAM]")).to_be_disabled()
    page.wait_for_function("() => fetch('/api/speech').then(() => true)")
    mark = heard.count()
    page.keyboard.press("Numpad5")
    keys = heard.since(mark, "help.more")
    # the notice, with what can be done instead (those services are numbered once, in the list)
    assert keys == [
        "voice.start",
        "help.services.5",
        "t.disruption_title",
        "reason.blanko",
        "disruption.one",
        "service.REKAM",
        "t.disruption_instead",
        "service.IKD",
        "service.INFO",
        "press.6",
        "t.status_start",
        "press.7",
        "t.survey_entry",
        "help.more",
    ]
    assert heard.sentences(mark)[2:5] == [
        "Gangguan layanan.",
        "Blanko ka te pe el habis.",
        "Layanan ini dihentikan sementara:",
    ]
    assert [key for key in keys if key not in sentences(office.runtime.settings)] == []
