"""One number per NIK at the kiosk (a service's one_per_nik): the NIK on the status check's keypad, then how many
people of one Kartu Keluarga (1-5); the same NIK again gets its own number back, printed again, never a second
one. Real waitress server, real Chromium, both orientations, English, axe."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from kiosk.domain.guide import FIXED
from tests.conftest import Clock
from tests.support import LiveServer, make_app
from tests.test_bookings import HOURS, services

NIK = "6203014107900001"
OTHER_NIK = "6203010101900002"
BAD_NIK = "9903014107900001"  # no province 99
SHOTS = os.environ.get("KIOSK_SCREENSHOTS")


@pytest.fixture
def office(tmp_path):
    app = make_app(
        tmp_path,
        clock=Clock(),
        office__hours__sun="",
        **HOURS,
        services=services(one_per_nik=True, daily_quota=20, booking_quota=4),
    )
    live = LiveServer(app).start(workers=False)
    yield live
    live.stop()


def take(page, nik: str, members: int = 1) -> None:
    page.click(".k-service-btn[data-code=REKAM]")
    expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")
    page.keyboard.type(nik)
    page.click("[data-key=next]")
    page.click(f"[data-members='{members}']")
    page.click("#choose-regular")
    page.wait_for_selector("#screen-result:not([hidden])")


def rows(live) -> list[tuple]:
    return [tuple(row) for row in live.runtime.db.conn.execute("SELECT number, members FROM tickets ORDER BY id")]


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_the_same_nik_again_gets_its_own_number_back_never_a_second(new_page, office, width, height):
    page = new_page(width, height)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-service-btn[data-code=REKAM]")
    expect(page.locator("#entry-step")).to_have_text("Satu nomor per NIK per hari")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/kiosk-nik-{'portrait' if height > width else 'landscape'}.png")
    page.click("[data-action=status-back]")  # back from the NIK: the start screen, nothing kept
    expect(page.locator("#screen-start")).to_be_visible()

    take(page, NIK, members=3)
    expect(page.locator("#result-number")).to_have_text("A-001")
    expect(page.locator("#result-members")).to_have_text("Untuk 3 orang")
    # voice mode says it too: a sentence of the spoken catalogue ("Untuk tiga orang.")
    assert FIXED[page.get_attribute("#result-members", "data-say")] == "Untuk tiga orang."
    expect(page.locator("#result-existing")).to_be_hidden()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/kiosk-members-result-{'portrait' if height > width else 'landscape'}.png")
    page.click("#screen-result [data-action=home]")
    expect(page.locator("#entry-digits")).to_have_text("")  # the NIK is gone from the page

    take(page, NIK)
    expect(page.locator("#result-number")).to_have_text("A-001")
    expect(page.locator("#result-existing")).to_have_text(
        "NIK ini sudah mendapat nomor hari ini. Ini nomor Anda, dicetak ulang."
    )
    page.click("#screen-result [data-action=home]")
    take(page, OTHER_NIK)
    expect(page.locator("#result-number")).to_have_text("A-002")
    assert rows(office) == [("A-001", 3), ("A-002", 1)]
    # the NIK itself is nowhere in the database: only the day's keyed hash
    stored = [tuple(row) for row in office.runtime.db.conn.execute("SELECT * FROM tickets")]
    assert NIK not in repr(stored) and OTHER_NIK not in repr(stored)


def test_a_nik_that_cannot_be_valid_brings_the_keypad_back_with_the_reason_in_english(new_page, office):
    page = new_page(1080, 1920)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-lang-btn[data-lang=en]")
    page.click(".k-service-btn[data-code=REKAM]")
    expect(page.locator("#entry-title")).to_have_text("Enter your NIK")
    page.keyboard.type(BAD_NIK)
    page.click("[data-key=next]")
    expect(page.locator("#members-title")).to_have_text("For how many people?")
    page.click("[data-members='1']")
    page.click("#choose-regular")
    expect(page.locator("#entry-message")).to_have_text(
        "This NIK is not valid. Please check the 16 digits on your Family Card."
    )
    expect(page.locator("#entry-digits")).to_have_text("")
    assert rows(office) == []


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_the_nik_and_members_screens_are_axe_clean(new_page, office, width, height):
    from tests.browser.axe import problems as _problems

    page = new_page(width, height)
    page.goto(f"{office.url}/kiosk?idle=600")
    page.click(".k-service-btn[data-code=REKAM]")
    page.wait_for_selector("#screen-status-entry:not([hidden])")
    states = {"nik": _problems(page)}
    page.keyboard.type(NIK)
    page.click("[data-key=next]")
    page.wait_for_selector("#screen-members:not([hidden])")
    states["members"] = _problems(page)
    assert {state: found for state, found in states.items() if found} == {}
