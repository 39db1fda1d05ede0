"""The later-day screens are kiosk screens (SPEC "Later days, fairness, disruptions"): in English, with large
text, in both orientations, by voice mode on the numeric keypad (every sentence from the server's catalogue),
and one booking per NIK on the status check's keypad. Real waitress server, real Chromium."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from kiosk.domain.guide import sentences
from tests.browser.test_kiosk_voice import Heard
from tests.conftest import Clock
from tests.support import LiveServer, add_staff, make_app
from tests.test_bookings import HOURS, services

SHOTS = os.environ.get("KIOSK_SCREENSHOTS")
NIK = "6203014107900001"


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path, clock=Clock(), office__hours__sun="", **HOURS, services=services(booking_quota=8))
    add_staff(app)
    live = LiveServer(app).start(workers=False)
    yield live
    live.stop()


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png")


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_in_english_with_large_text_a_resident_books_a_window(new_page, office, width, height):
    side = "portrait" if height > width else "landscape"
    page = new_page(width, height)
    page.goto(f"{office.url}/kiosk/later")
    page.click(".k-lang-btn[data-lang=en]")
    page.click("#large-text")
    expect(page.locator("#later-title")).to_have_text("Take a number for another day")
    expect(page.locator("#later-services .k-svc-name")).to_have_text(["KTP-el Enrolment"])
    for selector in ("#later-services .l-service", "#checkin-code", "#later-start [data-action=home]"):
        box = page.locator(selector).bounding_box()  # everything on screen without scrolling the page
        assert box and box["y"] + box["height"] <= height and box["height"] >= 64, (selector, box)
    shot(page, f"kiosk-later-en-{side}")
    page.click("#later-services .l-service")
    expect(page.locator("#day-list button").first).to_have_text("Thursday, 26 November 2026")
    shot(page, f"kiosk-later-days-en-{side}")
    page.click("#day-list button >> nth=0")
    expect(page.locator("#slot-list button").first).to_have_text("08.00–09.00 · 2 left")
    page.click("#slot-list button >> nth=0")
    expect(page.locator("#done-title")).to_have_text("Your number for another day")
    expect(page.locator("#done-window")).to_have_text("arrive between 08.00 and 09.00")
    expect(page.locator("#done-bring")).to_have_text(
        "Bring: Original Kartu Keluarga (family card); Aged 17 or over, or married or previously married"
    )
    shot(page, f"kiosk-later-done-en-{side}")
    page.click(".k-lang-btn[data-lang=id]")  # the same screen, redrawn in Indonesian
    expect(page.locator("#done-window")).to_have_text("datang pukul 08.00–09.00")
    expect(page.locator("#done-detail")).to_have_text("Perekaman KTP-el · Kamis, 26 November 2026")


def test_a_resident_books_by_voice_on_the_numeric_keypad_hearing_every_step(new_page, office):
    page = new_page(1080, 1920)
    heard = Heard(page)
    page.goto(f"{office.url}/kiosk/later")
    expect(page.locator("#later-services .l-service")).to_have_count(1)
    page.wait_for_function("() => fetch('/api/speech').then(() => true)")
    mark = heard.count()
    page.keyboard.press("Numpad5")  # the keypad starts voice mode, even with the code field focused
    assert heard.since(mark, "t.back_home") == [
        "voice.start",
        "help.keys",
        "screen.later",
        "t.later_day",
        "t.later_hint",
        "t.checkin_label",
        "t.checkin_late_hint",  # a missed call: scan the ticket here
        "press.1",
        "service.REKAM",
        "press.0",
        "t.back_home",
    ]
    page.keyboard.press("Numpad1")
    mark = heard.count()
    page.keyboard.press("NumpadEnter")
    days = heard.since(mark, "t.back")
    assert days[:7] == [
        "screen.later-days",
        "service.REKAM",
        "t.later_days_title",
        "press.1",
        "weekday.4",
        "count.26",
        "month.11",
    ]
    page.keyboard.press("Numpad1")
    mark = heard.count()
    page.keyboard.press("NumpadEnter")
    slots = heard.since(mark, "t.back")
    assert slots[:7] == [
        "screen.later-slots",
        "weekday.4",
        "count.26",
        "month.11",
        "t.later_slots_title",
        "press.1",
        "count.8",
    ]
    assert slots[7:9] == ["word.until", "count.9"]
    page.keyboard.press("Numpad1")
    mark = heard.count()
    page.keyboard.press("NumpadEnter")
    expect(page.locator("#done-code")).to_have_text(re.compile(r"^[A-Z0-9]{6}$"))
    done = heard.since(mark, "t.done")
    code = page.inner_text("#done-code")
    spelled = [f"digit.{c}" if c.isdigit() else f"letter.{c}" for c in code]
    assert done[done.index("screen.later-done") :] == [
        "screen.later-done",
        "t.later_booked",
        "service.REKAM",
        "weekday.4",
        "count.26",
        "month.11",
        "t.later_code",
        *spelled,
        "word.come",
        "count.8",
        "word.until",
        "count.9",
        "word.bring",
        "bring.REKAM.0",
        "bring.REKAM.1",
        "t.later_slip",
        "press.0",
        "t.done",
    ]
    catalogue = sentences(office.runtime.settings)
    asked = [entry["key"] for entry in page.evaluate("window.__spoken")]
    assert [key for key in asked if key not in catalogue] == []
    assert heard.errors == []


def test_one_booking_per_nik_asks_the_nik_on_the_keypad_first(new_page, tmp_path):
    app = make_app(
        tmp_path,
        clock=Clock(),
        office__hours__sun="",
        **HOURS,
        services=services(booking_quota=8, one_per_nik=True, daily_quota=20),
    )
    live = LiveServer(app).start(workers=False)
    try:
        page = new_page(1080, 1920)
        page.goto(f"{live.url}/kiosk/later?service=REKAM")  # the kiosk's disruption notice opens it this way
        page.click("#day-list button >> nth=0")
        page.click("#slot-list button >> nth=0")
        expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")
        page.keyboard.type(NIK)
        page.click("[data-key=next]")
        expect(page.locator("#done-title")).to_have_text("Nomor Anda untuk hari lain")
        page.click("#later-done [data-back]")
        page.goto(f"{live.url}/kiosk/later?service=REKAM")
        page.click("#day-list button >> nth=0")  # the same day, another window: still one per NIK a day
        page.click("#slot-list button >> nth=1")
        page.keyboard.type(NIK)
        page.click("[data-key=next]")
        expect(page.locator("#later-message")).to_have_text(
            "NIK ini sudah memiliki nomor atau pemesanan untuk layanan ini pada hari itu."
        )
        assert live.runtime.db.conn.execute("SELECT COUNT(*) FROM bookings").fetchone()[0] == 1
    finally:
        live.stop()


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_the_english_later_day_screens_are_axe_clean(new_page, office, width, height):
    from tests.browser.axe import problems as _problems

    page = new_page(width, height)
    page.goto(f"{office.url}/kiosk/later")
    page.click(".k-lang-btn[data-lang=en]")
    expect(page.locator("#later-services .l-service")).to_have_count(1)
    states = {"start": _problems(page)}
    page.click("#later-services .l-service")
    page.wait_for_selector("#later-days:not([hidden])")
    states["days"] = _problems(page)
    page.click("#day-list button >> nth=0")
    page.wait_for_selector("#later-slots:not([hidden])")
    states["slots"] = _problems(page)
    assert {state: found for state, found in states.items() if found} == {}
