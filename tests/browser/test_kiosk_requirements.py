"""What to bring, before a number is spent ([kiosk] ask_requirements): "Sudah membawa semuanya?" with the
service's requirements; yes -> Umum/Prioritas and the number; not yet -> the list to bring and a number for a
later day. Real waitress server, real Chromium, both orientations, English, large text, axe."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import Clock
from tests.support import LiveServer, add_staff, make_app
from tests.test_bookings import HOURS, services

SHOTS = os.environ.get("KIOSK_SCREENSHOTS")
SIZES = [(1080, 1920), (1920, 1080)]


@pytest.fixture
def office(tmp_path):
    app = make_app(
        tmp_path,
        clock=Clock(),
        office__hours__sun="",
        **HOURS,
        services=services(booking_quota=8),
        kiosk__ask_requirements=True,
    )
    add_staff(app)
    live = LiveServer(app).start(workers=False)
    yield live
    live.stop()


def issued(live) -> int:
    return live.runtime.db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]


@pytest.mark.parametrize("width, height", SIZES)
def test_yes_takes_the_number_and_not_yet_offers_a_later_day_without_spending_one(new_page, office, width, height):
    page = new_page(width, height)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-service-btn[data-code=REKAM]")
    expect(page.locator("#screen-bring h2")).to_have_text("Sudah membawa semuanya?")
    expect(page.locator("#bring-service")).to_have_text("Perekaman KTP-el")
    expect(page.locator("#bring-list li")).to_have_text(
        ["Kartu Keluarga asli", "Sudah berusia 17 tahun atau sudah/pernah kawin"]
    )
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/kiosk-bring-{'portrait' if height > width else 'landscape'}.png")
    page.click("#bring-no")
    expect(page.locator("#screen-missing h2")).to_have_text("Bawa semua ini, lalu datang kembali")
    expect(page.locator("#missing-list li")).to_have_count(2)
    assert issued(office) == 0  # nothing spent
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/kiosk-bring-missing-{'portrait' if height > width else 'landscape'}.png")
    page.click("#missing-later")
    page.wait_for_url(f"{office.url}/kiosk/later?service=REKAM")

    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-service-btn[data-code=REKAM]")
    page.click("#bring-yes")
    page.click("#choose-regular")
    expect(page.locator("#result-number")).to_have_text("A-001")


def test_in_english_with_large_text_the_list_is_the_english_one_and_fits(new_page, office):
    page = new_page(1920, 1080)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-lang-btn[data-lang=en]")
    page.click("#large-text")
    page.click(".k-service-btn[data-code=REKAM]")
    expect(page.locator("#screen-bring h2")).to_have_text("Have you brought everything?")
    expect(page.locator("#bring-list li").first).to_have_text("Original Kartu Keluarga (family card)")
    for button in ("#bring-yes", "#bring-no"):  # both answers on screen, at least 64 px high
        box = page.locator(button).bounding_box()
        assert box and box["y"] + box["height"] <= 1080 and box["height"] >= 64, (button, box)
    page.click("#bring-no")
    expect(page.locator("#missing-later")).to_have_text("Take a number for another day")
    box = page.locator("#missing-later").bounding_box()
    assert box and box["y"] + box["height"] <= 1080
    page.click(".k-lang-btn[data-lang=id]")  # switching language redraws the list
    expect(page.locator("#missing-list li").first).to_have_text("Kartu Keluarga asli")


def test_a_service_without_later_days_offers_no_later_number(new_page, office):
    page = new_page(1080, 1920)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-service-btn[data-code=IKD]")
    page.click("#bring-no")
    expect(page.locator("#missing-list li")).to_have_count(3)
    expect(page.locator("#missing-later")).to_be_hidden()
    page.click("#screen-missing [data-action=home]")
    expect(page.locator("#screen-start")).to_be_visible()
    expect(page.locator("#bring-list li")).to_have_count(0)  # nothing of the last resident is kept


@pytest.mark.parametrize("width, height", SIZES)
def test_the_what_to_bring_screens_are_axe_clean(new_page, office, width, height):
    from tests.browser.axe import problems as _problems

    page = new_page(width, height)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-service-btn[data-code=REKAM]")
    page.wait_for_selector("#screen-bring:not([hidden])")
    states = {"bring": _problems(page)}
    page.click("#bring-no")
    page.wait_for_selector("#screen-missing:not([hidden])")
    states["missing"] = _problems(page)
    assert {state: found for state, found in states.items() if found} == {}
