"""The phone page and the waiting-room display in English, in real Chromium: words from the catalogue,
service names from [[services]] name_en, the spoken call still Indonesian."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.domain.announce import announcement_text
from kiosk.domain.words import messages
from tests.browser.test_survey import serve, watch
from tests.support import free_counter

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save screenshots there (docs/screenshots)
EN = messages("en")


def open_phone(new_page, server, token):
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    problems = watch(page)
    page.goto(f"{server.url}/t/{token}")
    return page, problems


def test_the_phone_page_switches_to_english_and_back(new_page, live_server):
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    mine = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    assert mine["service_name_en"] == "KTP-el Enrolment"
    page, problems = open_phone(new_page, live_server, mine["token"])
    expect(page.locator("#status")).to_have_text("Menunggu")
    expect(page.locator("#updated")).to_contain_text("Diperbarui pukul")

    page.locator("[data-page-lang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#status")).to_have_text("Waiting")
    expect(page.locator("#status-note")).to_have_text("Please wait until your number is called.")
    expect(page.locator("#service")).to_have_text("KTP-el Enrolment")
    expect(page.locator("[data-p=ahead]")).to_have_text("People ahead of you")
    expect(page.locator("[data-p=your_number]")).to_have_text("Your queue number")
    expect(page.locator("#wait")).to_contain_text(" min")
    expect(page.locator("#updated")).to_contain_text("Updated at")
    expect(page.locator("[data-page-lang=en]")).to_have_attribute("aria-pressed", "true")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "phone-waiting-en.png"), full_page=True)

    page.reload()  # remembered on the phone
    expect(page.locator("#status")).to_have_text("Waiting")
    expect(page.locator("#service")).to_have_text("KTP-el Enrolment")

    staff = live_server.login()
    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()
    free_counter(live_server, staff, 1)
    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()  # mine
    expect(page.locator("#status")).to_have_text("Called — please go to Loket 1", timeout=8000)

    page.locator("[data-page-lang=id]").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("#status")).to_have_text("Dipanggil — silakan menuju Loket 1")
    expect(page.locator("#service")).to_have_text("Perekaman KTP-el")
    expect(page.locator("[data-p=your_number]")).to_have_text("Nomor antrean Anda")
    page.reload()
    expect(page.locator("#status")).to_have_text("Dipanggil — silakan menuju Loket 1")
    assert problems == []


def test_the_survey_card_follows_the_page_language_and_leads_it(new_page, live_server):
    staff = live_server.login()
    mine = serve(live_server, staff)
    page, problems = open_phone(new_page, live_server, mine["token"])
    expect(page.locator("#survey-title")).to_have_text("Survei Kepuasan Masyarakat")
    page.locator("[data-page-lang=en]").click()
    expect(page.locator("#status")).to_have_text("Finished")
    expect(page.locator("#survey-title")).to_have_text(EN["phone_survey"]["title"])
    page.locator(".p-lang-btn[data-lang=id]").click()  # the card's own switch: the page follows
    expect(page.locator("#status")).to_have_text("Selesai")
    expect(page.locator("[data-page-lang=id]")).to_have_attribute("aria-pressed", "true")
    assert problems == []


def test_the_display_in_english_shows_english_labels_for_a_call(new_page, live_server):
    staff = live_server.login()
    page = new_page(1920, 1080)
    problems = watch(page)
    page.goto(live_server.url + "/display?lang=en")
    page.wait_for_selector("#connection[data-state=online]", state="attached", timeout=5000)
    words = EN["display"]
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".idle-title")).to_have_text("Welcome")
    expect(page.locator("#connection")).to_have_text("Connected")
    day = page.locator("#date").text_content()
    assert day.split(",")[0] in words["days"].split(","), day
    assert any(month in day for month in words["months"].split(",")), day

    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    free_counter(live_server, staff, 1)
    call = live_server.post("/api/counters/1/next", headers=staff).json()["ticket"]
    expect(page.locator("#current-number")).to_have_text(call["number"], timeout=5000)
    expect(page.locator(".current-label")).to_have_text("Queue number")
    expect(page.locator(".current-to")).to_have_text("please go to")
    expect(page.locator("#lokets-title")).to_have_text("Now serving")
    expect(page.locator("#waiting-title")).to_have_text("People waiting")
    expect(page.locator("[data-service=REKAM] .waiting-name")).to_contain_text(
        "KTP\u2011el Enrolment"
    )  # non-breaking hyphen
    # The voice is Indonesian: the spoken sentence is the same whatever the screen shows.
    spoken = live_server.get("/api/queue").json()["recent_calls"][0]["announcement"]
    assert spoken == announcement_text(call["number"], "Loket 1", live_server.runtime.settings.queue.announcement)
    assert "satu" in spoken, spoken  # A-001, said in Indonesian
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "display-en-1920x1080.png"))
    assert [p for p in problems if "autoplay" not in p.lower() and "play()" not in p] == []
