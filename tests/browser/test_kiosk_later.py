"""The kiosk screen "Ambil nomor untuk hari lain" in real Chromium: book a window, then check in on the day by
typing the code as a USB barcode scanner does (the server runs on the app's controlled clock)."""

from __future__ import annotations

import os
import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.conftest import JAKARTA, Clock
from tests.support import LiveServer
from tests.test_bookings import office_app

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save screenshots there (docs/screenshots)


@pytest.fixture
def later(tmp_path):
    clock = Clock()
    app = office_app(tmp_path, clock)
    live = LiveServer(app).start(workers=False)
    yield live, clock
    live.stop()


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_a_resident_books_a_window_then_checks_in_with_the_slip_the_next_day(new_page, later, width, height):
    live, clock = later
    page = new_page(width, height)
    page.goto(f"{live.url}/kiosk/later")
    page.click("button[data-service=REKAM]")
    page.click("#day-list button >> nth=0")
    assert page.inner_text("#day-list button >> nth=0") == "Kamis, 26 November 2026"
    page.click("#slot-list button >> nth=0")
    page.wait_for_selector("#later-done:not([hidden])")
    code = page.inner_text("#done-code")
    assert len(code) == 6
    assert page.inner_text("#done-window") == "datang pukul 08.00–09.00"
    assert page.inner_text("#done-bring").startswith("Bawa: Kartu Keluarga asli")
    booking = live.runtime.db.conn.execute("SELECT token FROM bookings WHERE code = ?", [code]).fetchone()

    clock.current = datetime(2026, 11, 26, 7, 10, tzinfo=JAKARTA)
    page.click("#later-done [data-back]")  # "Selesai": the kiosk's start screen for the next resident
    page.wait_for_url(f"{live.url}/kiosk")
    page.goto(f"{live.url}/kiosk/later")
    page.click("#checkin-code")
    page.keyboard.type(code.lower())
    page.keyboard.press("Enter")
    expect(page.locator("#later-message")).to_have_text("Terlalu awal: silakan kembali pukul 07.30.")

    clock.current = datetime(2026, 11, 26, 8, 5, tzinfo=JAKARTA)
    page.click("#checkin-code")
    page.keyboard.type(f"{live.url}/b/{booking[0]}")  # the slip's QR code, typed by the scanner
    page.keyboard.press("Enter")
    page.wait_for_selector("#later-done:not([hidden])")
    assert page.inner_text("#done-code") == "A-001"
    assert page.inner_text("#done-title") == "Nomor antrean Anda"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_code_shown_on_the_wrong_day_or_too_early_says_when_in_the_kiosks_language(new_page, later, lang):
    """The English screen once said "Your number is for another day: ." (it looked for the day in the Indonesian
    words): the server names the day, the window and the time, and each language writes them its own way."""
    live, clock = later
    booked = live.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"})
    assert booked.status_code == 201, booked.text
    code = booked.json()["booking"]["code"]
    page = new_page(1080, 1920)
    page.goto(f"{live.url}/kiosk/later")
    if lang == "en":
        page.click(".k-lang-btn[data-lang=en]")
    page.click("#checkin-code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#later-message")).to_have_text(
        {
            "id": "Nomor Anda untuk Kamis, 26 November 2026, datang pukul 08.00-09.00.",
            "en": "Your number is for Thursday, 26 November 2026, arrive between 08.00 and 09.00.",
        }[lang]
    )
    clock.current = datetime(2026, 11, 26, 7, 10, tzinfo=JAKARTA)
    page.click("#checkin-code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#later-message")).to_have_text(
        {"id": "Terlalu awal: silakan kembali pukul 07.30.", "en": "Too early: please come back at 07.30."}[lang]
    )


def test_a_slip_or_ticket_scanned_on_the_start_screen_checks_in_and_never_works_the_keys(new_page, later):
    """A USB scanner types the slip's link and Enter. On the start screen, with no field focused, its digits once
    started voice mode and chose a service ("192.168…": service 1, then 9, 2 …), one Enter from a wrong number."""
    live, clock = later
    booking = live.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"}).json()
    slip = f"http://192.168.1.10:8080/b/{booking['booking']['token']}"  # the office's address, not this server's
    clock.current = datetime(2026, 11, 26, 8, 5, tzinfo=JAKARTA)
    page = new_page(1080, 1920)
    page.goto(f"{live.url}/kiosk")
    page.wait_for_selector(".k-service-btn")
    page.keyboard.type(slip, delay=3)
    page.keyboard.press("Enter")
    page.wait_for_selector("#later-done:not([hidden])")
    assert page.inner_text("#done-code") == "A-001"
    assert "k-voice" not in (page.get_attribute("html", "class") or "")
    assert "/b/" not in page.url and "192.168" not in page.url  # the token never went into an address
    assert [t["number"] for t in live.get("/api/queue").json()["recent_calls"]] == []
    waiting = {s["code"]: s["waiting"] for s in live.get("/api/queue").json()["services"]}
    assert sum(waiting.values()) == 1 and waiting["REKAM"] == 1  # the checked-in number, and nothing else

    page.click("#later-done [data-back]")  # the next resident, on the start screen again
    page.wait_for_url(f"{live.url}/kiosk")
    page.wait_for_selector(".k-service-btn")
    page.keyboard.type("http://192.168.1.10:8080/b/no-such-slip", delay=3)  # a link the office never printed
    page.keyboard.press("Enter")
    expect(page.locator("#later-message")).to_have_text("Pemesanan tidak ditemukan.")
    page.keyboard.type("WWW.EXAMPLE.COM/12", delay=3)  # no kiosk link at all: dropped, keys untouched
    page.keyboard.press("Enter")
    assert "k-voice" not in (page.get_attribute("html", "class") or "")
    assert sum(s["waiting"] for s in live.get("/api/queue").json()["services"]) == 1

    page.goto(f"{live.url}/kiosk/standar")  # the Standar Pelayanan screen drops a scan: no keys, no voice
    page.wait_for_selector("#services button")
    page.keyboard.type(slip, delay=3)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # what the keys would have set off, had they reached the screen
    assert "k-voice" not in (page.get_attribute("html", "class") or "")
    page.keyboard.press("Numpad5")  # the keypad still starts voice mode
    expect(page.locator("html")).to_have_class(re.compile(r"\bk-voice\b"))
    assert page.url == f"{live.url}/kiosk/standar"


def test_the_start_screen_offers_a_number_for_another_day(new_page, later):
    live, _ = later
    page = new_page(1080, 1920)
    page.goto(f"{live.url}/kiosk")
    page.click("#more-open")  # "Layanan lainnya"
    page.click("#later-open")
    page.wait_for_url(f"{live.url}/kiosk/later")
    assert page.inner_text("#later-title") == "Ambil nomor untuk hari lain"
    page.click("#later-start [data-action=home]")
    page.wait_for_url(f"{live.url}/kiosk")
    expect(page.locator("#screen-start")).to_be_visible()


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_the_later_day_screens_and_the_booking_phone_page_are_axe_clean(new_page, later, width, height):
    from tests.browser.axe import problems as _problems

    live, _ = later
    page = new_page(width, height)
    page.goto(f"{live.url}/kiosk/later")
    states = {"start": _problems(page)}
    page.click("button[data-service=REKAM]")
    page.click("#day-list button >> nth=0")
    states["days"] = _problems(page)
    page.click("#slot-list button >> nth=0")
    page.wait_for_selector("#later-done:not([hidden])")
    states["booked"] = _problems(page)
    token = live.runtime.db.conn.execute("SELECT token FROM bookings").fetchone()[0]
    phone = new_page(390, 844, is_mobile=True, has_touch=True)
    phone.goto(f"{live.url}/b/{token}")
    states["phone page"] = _problems(phone)
    phone.goto(f"{live.url}/b/{token}?lang=en")
    states["phone page, English"] = _problems(phone)
    assert {state: found for state, found in states.items() if found} == {}


def test_the_booking_phone_page_speaks_english_when_asked_and_keeps_it_through_a_cancel(new_page, later):
    live, _ = later
    booking = live.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"}).json()[
        "booking"
    ]
    code = booking["code"]
    phone = new_page(390, 844, is_mobile=True, has_touch=True)
    phone.goto(f"{live.url}/b/{booking['token']}")
    expect(phone.locator("#status")).to_have_text("Terpesan")
    assert phone.inner_text("#day") == "Kamis, 26 November 2026"
    phone.click("#page-lang a[hreflang=en]")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#status")).to_have_text("Booked")
    assert phone.inner_text("#code") == code
    assert phone.inner_text("#day") == "Thursday, 26 November 2026"
    assert phone.inner_text("#window") == "arrive 08.00-09.00"
    assert phone.inner_text("#requirements li >> nth=0") == "Original Kartu Keluarga (family card)"
    expect(phone.locator("#page-lang a[aria-current=page]")).to_have_text("English")
    phone.click("#cancel")
    expect(phone.locator("#status")).to_have_text("Cancelled")
    assert phone.url.endswith("?lang=en")
    phone.screenshot(path="/tmp/booking-phone-en.png", full_page=True)


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_the_later_day_start_is_never_wider_than_the_kiosk_in_any_language_or_text_size(new_page, later, width, height):
    """With large text in portrait the screen once took the width its check-in row wanted (1,168 px of 1,080):
    the page scrolled sideways and "Ambil nomor" stood half off the screen."""
    live, _ = later
    page = new_page(width, height)
    page.goto(f"{live.url}/kiosk/later?idle=600")
    page.wait_for_selector("#later-services .l-service")
    for lang in ("id", "en"):
        page.click(f"[data-lang={lang}]")
        for large in (False, True):
            if (page.get_attribute("#large-text", "aria-pressed") == "true") != large:
                page.click("#large-text")
            page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
            seen = page.evaluate(
                """() => ({page: document.documentElement.scrollWidth,
                  go: Math.round(document.getElementById("checkin-go").getBoundingClientRect().right)})"""
            )
            assert seen["page"] <= width and seen["go"] <= width, (lang, large, seen)


# The page as a phone shows it: how far its content reaches to the right, against the phone's own width.
OVERFLOW = """() => ({page: document.documentElement.scrollWidth, code: document.getElementById("code").scrollWidth,
  box: document.getElementById("code").clientWidth})"""


@pytest.mark.parametrize("width, height", [(320, 640), (390, 844)])
def test_the_widest_booking_code_fits_a_small_phone_without_widening_the_page(new_page, later, width, height):
    """A code of wide letters once pushed the page past the phone's width: the phone zoomed out and a tap
    on "Batalkan" landed on the text beside it (seen as a flaky click in CI, for codes like 7UVWNQ)."""
    from kiosk.domain.bookings import CODE_ALPHABET, CODE_LENGTH

    live, _ = later
    token = live.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"}).json()[
        "booking"
    ]["token"]
    phone = new_page(width, height, is_mobile=True, has_touch=True)
    for lang in ("id", "en"):
        phone.goto(f"{live.url}/b/{token}?lang={lang}")
        for letter in ("W", "M", "Q"):
            assert letter in CODE_ALPHABET
            phone.evaluate("code => { document.getElementById('code').textContent = code; }", letter * CODE_LENGTH)
            seen = phone.evaluate(OVERFLOW)
            assert seen["page"] <= width and seen["code"] <= seen["box"], (lang, letter, seen)


def test_a_suspended_service_is_refused_on_the_kiosk_with_the_reason_and_greyed(new_page, later):
    live, _ = later
    page = new_page(1080, 1920)
    page.goto(f"{live.url}/kiosk?idle=600")
    page.wait_for_selector(".k-service-btn[data-code=REKAM]")
    headers = live.login()
    live.post("/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers=headers).raise_for_status()
    page.locator(".k-service-btn[data-code=REKAM]").click()  # the list on screen is older than the disruption
    page.locator("#choose-regular").click()
    expect(page.locator("body")).to_contain_text("Layanan ini sedang dihentikan sementara (Blanko KTP-el habis).")
    page.goto(f"{live.url}/kiosk?idle=600")
    expect(page.locator(".k-service-btn[data-code=REKAM]")).to_contain_text("Blanko KTP-el habis")


@pytest.mark.parametrize(
    "width, height, lang", [(1080, 1920, "id"), (1920, 1080, "en")], ids=["portrait-id", "landscape-en"]
)
def test_a_resident_who_missed_the_call_scans_the_ticket_and_is_back_in_the_queue(new_page, later, width, height, lang):
    live, clock = later
    tickets = []
    for _ in range(7):
        tickets.append(live.post("/api/tickets", json={"service": "CETAK"}).json()["ticket"])
        clock.advance(seconds=5)
    staff = live.login()
    called = live.post("/api/counters/2/next", headers=staff).json()["ticket"]
    assert called["number"] == tickets[0]["number"] == "B-001"
    live.post(f"/api/tickets/{called['id']}/no-show", headers=staff).raise_for_status()
    clock.advance(minutes=10)

    page = new_page(width, height)
    page.goto(f"{live.url}/kiosk/later")
    if lang == "en":
        page.click(".k-lang-btn[data-lang=en]")
    hint = {
        "id": "Nomor Anda terlewat saat dipanggil? Pindai kode QR pada tiket Anda.",
        "en": "Missed your call? Scan the QR code on your ticket.",
    }[lang]
    expect(page.locator("#checkin-late-hint")).to_have_text(hint)
    page.click("#checkin-code")
    page.keyboard.type(tickets[1]["track_url"])  # a ticket still waiting: nothing changes, and the screen says why
    page.keyboard.press("Enter")
    refused = {
        "id": "Nomor B-002 masih dalam antrean. Silakan tunggu panggilan.",
        "en": "Number B-002 was not missed: please wait to be called, or ask the staff.",
    }[lang]
    expect(page.locator("#later-message")).to_have_text(refused)
    page.keyboard.type(tickets[0]["track_url"])  # the ticket's QR code, typed by the scanner
    page.keyboard.press("Enter")
    page.wait_for_selector("#later-done:not([hidden])")
    assert page.inner_text("#done-code") == "B-001"
    back = {
        "id": "Nomor Anda masuk antrean lagi. Silakan tunggu panggilan.",
        "en": "Your number is back in the queue. Please wait to be called.",
    }[lang]
    assert page.inner_text("#done-window") == back
    waiting = [t["number"] for t in live.get("/api/counters/2", headers=staff).json()["waiting"]]
    assert waiting == ["B-002", "B-003", "B-004", "B-005", "B-006", "B-001", "B-007"]  # five numbers later
    assert live.runtime.db.conn.execute("SELECT status FROM tickets WHERE id = ?", [called["id"]]).fetchone()[0] == (
        "waiting"
    )
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/kiosk-late-return-{lang}-{width}x{height}.png")
