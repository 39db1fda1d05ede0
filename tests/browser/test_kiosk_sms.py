"""The kiosk's SMS opt-in in real Chromium: after a number, "Kirim SMS saat giliran saya dekat", a mobile
number on the keypad, a refusal of a bad number, the confirmation; the server keeps the number for that
ticket only. Both orientations, English, large text, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import problems as _problems
from tests.support import LiveServer, add_staff, make_app
from tests.test_sms import sms_overrides

pytestmark = pytest.mark.browser


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path, printer__type="none", **sms_overrides(tmp_path))
    add_staff(app)
    server = LiveServer(app).start(workers=False)
    yield server
    server.stop()


def take_number(page, office):
    page.goto(office.url + "/kiosk?idle=600&result=600")
    page.click(".k-service-btn[data-code=REKAM]")
    page.click("#choose-regular")
    page.wait_for_selector("#screen-result:not([hidden])")


def kept_phones(office) -> list[tuple]:
    return office.runtime.db.conn.execute("SELECT ticket_id, phone FROM sms_optins").fetchall()


def type_digits(page, digits: str) -> None:
    for digit in digits:
        page.click(f"#sms-keypad [data-sms-key='{digit}']")


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_a_resident_asks_for_an_sms_and_the_number_is_kept_for_that_ticket(office, new_page, width, height):
    page = new_page(width, height)
    take_number(page, office)
    number = page.inner_text("#result-number")
    expect(page.locator("#sms-offer")).to_have_text("Kirim SMS saat giliran saya dekat")
    expect(page.locator("#screen-result .k-done")).to_be_in_viewport()
    page.screenshot(path=f"/tmp/kiosk-sms-offer-{width}x{height}.png")
    page.click("#sms-offer")
    expect(page.locator("#screen-sms-phone")).to_be_visible()
    expect(page.locator("#sms-ticket")).to_have_text(f"Untuk nomor antrean {number}")
    expect(page.locator("#sms-send")).to_be_disabled()
    assert _problems(page) == []
    type_digits(page, "0712345678")  # not a mobile number
    page.click("#sms-send")
    expect(page.locator("#sms-message")).to_contain_text("Nomor HP tidak valid")
    for _ in range(10):
        page.click("#sms-keypad [data-sms-key=delete]")
    type_digits(page, "081234567890")
    expect(page.locator("#sms-digits")).to_have_text("0812 3456 7890")
    expect(page.locator("#sms-back")).to_be_in_viewport()
    page.screenshot(path=f"/tmp/kiosk-sms-phone-{width}x{height}.png")
    page.click("#sms-send")
    expect(page.locator("#screen-sms-done")).to_be_visible()
    expect(page.locator("#sms-done-phone")).to_have_text("0812*****890")
    expect(page.locator("#sms-done-text")).to_contain_text(number)
    assert _problems(page) == []
    page.screenshot(path=f"/tmp/kiosk-sms-done-{width}x{height}.png")
    ticket_id = office.runtime.db.conn.execute("SELECT id FROM tickets WHERE number = ?", [number]).fetchone()[0]
    assert [tuple(row) for row in kept_phones(office)] == [(ticket_id, "+6281234567890")]
    page.click("#screen-sms-done .k-done")
    expect(page.locator("#screen-start")).to_be_visible()
    assert page.inner_text("#sms-digits") == "" and page.inner_text("#sms-done-phone") == ""


def test_the_opt_in_in_english_with_large_text_and_a_physical_keypad(office, new_page):
    page = new_page(1080, 1920)
    take_number(page, office)
    page.click(".k-lang-btn[data-lang=en]")
    page.click("#large-text")
    expect(page.locator("#sms-offer")).to_have_text("Text me when my turn is near")
    page.click("#sms-offer")
    expect(page.locator("#sms-title")).to_have_text("Mobile number for SMS")
    type_digits(page, "0812345")
    expect(page.locator("#sms-send")).to_be_disabled()  # too short: nothing can be sent
    type_digits(page, "678")
    page.click("#sms-keypad [data-sms-key=delete]")
    type_digits(page, "89")
    expect(page.locator("#sms-digits")).to_have_text("0812 3456 789")
    assert _problems(page) == []
    page.screenshot(path="/tmp/kiosk-sms-phone-en-large.png")
    page.click("#sms-send")
    expect(page.locator("#screen-sms-done h2")).to_have_text("We will text you")
    expect(page.locator("#sms-done-text")).to_contain_text("when it is called")
    assert _problems(page) == []
    page.screenshot(path="/tmp/kiosk-sms-done-en-large.png")
    assert len(kept_phones(office)) == 1


def test_a_number_no_longer_waiting_is_refused_with_the_reason(office, new_page):
    page = new_page(1920, 1080)
    take_number(page, office)
    page.click("#sms-offer")
    headers = office.login()
    called = office.post("/api/counters/1/next", headers=headers)
    assert called.status_code == 200, called.text
    type_digits(page, "081234567890")
    page.click("#sms-send")
    expect(page.locator("#sms-message")).to_have_text("Nomor antrean ini tidak sedang menunggu.")
    assert kept_phones(office) == []
    page.click("#sms-back")
    expect(page.locator("#screen-result")).to_be_visible()


def test_without_sms_the_kiosk_offers_nothing(tmp_path, new_page):
    server = LiveServer(make_app(tmp_path, printer__type="none")).start(workers=False)
    try:
        page = new_page(1080, 1920)
        take_number(page, server)
        assert page.locator("#sms-offer").count() == 0
        assert page.locator("#screen-sms-phone").count() == 0
    finally:
        server.stop()


def test_voice_mode_offers_the_sms_reads_the_keypad_screen_and_says_a_refusal(office, new_page):
    """Keypad only: the offer is a numbered choice of the number screen, the phone number is the screen's digit
    entry (each digit echoed), a number that is no mobile is heard with its own sentence, then the confirmation."""
    from tests.browser.test_kiosk_voice import Heard, settled, type_on_keypad

    page = new_page(1080, 1920)
    heard = Heard(page)
    page.goto(office.url + "/kiosk?idle=600&result=600")
    expect(page.locator(".k-service-btn").first).to_be_visible()
    page.wait_for_function("() => fetch('/api/speech').then(() => true)")
    mark = heard.count()
    page.keyboard.press("Numpad5")  # voice mode on
    heard.since(mark, "help.more")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    settled(page, "priority")
    page.keyboard.press("1")
    mark = heard.count()
    page.keyboard.press("Enter")
    spoken = heard.since(mark, "t.done")
    assert spoken[-4:] == ["press.1", "t.sms_offer", "press.0", "t.done"]

    page.keyboard.press("1")
    mark = heard.count()
    page.keyboard.press("Enter")
    settled(page, "sms-phone")
    assert heard.since(mark, "t.sms_send") == [
        "screen.sms-phone",
        "t.sms_for",  # which number the SMS is for, as the screen shows it
        "letter.A",
        "digit.0",
        "digit.0",
        "digit.1",
        "t.sms_title",
        "t.sms_hint",
        "t.sms_kept",
        "input.help",
        "press.enter",
        "t.sms_send",
    ]
    type_on_keypad(page, heard, "0712345678")
    mark = heard.count()
    page.keyboard.press("Enter")
    spoken = heard.since(mark, "t.sms_send")  # the refusal first, then the screen again
    assert spoken[0] == "error.invalid_phone" and spoken[1] == "screen.sms-phone"
    expect(page.locator("#sms-message")).to_contain_text("Nomor HP tidak valid")
    for _ in range(10):
        page.keyboard.press("Backspace")
    expect(page.locator("#sms-digits")).to_have_text("")
    type_on_keypad(page, heard, "085712345678")
    expect(page.locator("#sms-digits")).to_have_text("0857 1234 5678")
    mark = heard.count()
    page.keyboard.press("Enter")
    settled(page, "sms-done")
    assert heard.since(mark, "t.done") == [
        "screen.sms-done",
        "t.sms_done_title",
        "t.sms_done_voice",
        "t.sms_kept",
        "press.0",
        "t.done",
    ]
    assert [tuple(row)[1] for row in kept_phones(office)] == ["+6285712345678"]
    assert heard.errors == []


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_with_large_text_every_action_of_the_sms_screens_stays_on_screen(office, new_page, width, height):
    page = new_page(width, height)
    take_number(page, office)
    page.click("#large-text")

    def whole(selector: str) -> bool:
        box = page.locator(selector).bounding_box()
        return (
            box is not None
            and box["y"] >= 0
            and box["y"] + box["height"] <= height + 0.5
            and box["x"] >= 0
            and box["x"] + box["width"] <= width + 0.5
        )

    assert whole("#sms-offer") and whole("#screen-result .k-done")
    page.click("#sms-offer")
    expect(page.locator("#screen-sms-phone")).to_be_visible()
    type_digits(page, "081234567890")
    for selector in ("#sms-digits", "#sms-send", "#sms-keypad [data-sms-key='1']", "#sms-back"):
        assert whole(selector), selector
    page.screenshot(path=f"/tmp/kiosk-sms-phone-large-{width}x{height}.png")


def test_another_flow_of_the_page_asks_a_number_for_a_booking(office, new_page):
    """askPhone() of kiosk-sms.js for a booking made on the page: the keypad names the booking, the number is kept
    with it (POST /api/bookings/<token>/sms), and the confirmation speaks of its reminder."""
    rt = office.runtime
    days = office.get("/api/bookings/availability?service=REKAM").json()["days"]
    assert days, "the demo office books REKAM for later days"
    booking = office.post(
        "/api/bookings", json={"service": "REKAM", "date": days[0]["date"], "slot": days[0]["slots"][0]["start"]}
    ).json()["booking"]
    page = new_page(1080, 1920)
    page.goto(office.url + "/kiosk?idle=600")
    expect(page.locator(".k-service-btn").first).to_be_visible()
    page.evaluate(
        """t => import('/static/js/kiosk-sms.js').then(m => m.askPhone(
        {number: t.code, url: `/api/bookings/${t.token}/sms`, booking: true}))""",
        booking,
    )
    expect(page.locator("#screen-sms-phone")).to_be_visible()
    expect(page.locator("#sms-ticket")).to_have_text(f"Untuk pemesanan {booking['code']}")
    type_digits(page, "085712345678")
    page.click("#sms-send")
    expect(page.locator("#screen-sms-done")).to_be_visible()
    expect(page.locator("#sms-done-text")).to_contain_text("pengingat")
    assert page.get_attribute("#sms-done-text", "data-say") == "t.sms_done_booking_voice"
    assert (
        rt.db.conn.execute("SELECT phone FROM bookings WHERE code = ?", [booking["code"]]).fetchone()[0]
        == "+6285712345678"
    )
    page.click("#screen-sms-done .k-done")
    expect(page.locator("#screen-start")).to_be_visible()


@pytest.mark.parametrize("width, height", [(1080, 1920), (1920, 1080)])
def test_a_booking_made_at_the_kiosk_offers_the_sms_and_keeps_the_number_with_it(office, new_page, width, height):
    """The later-day screen's confirmation offers "Kirim SMS saat giliran saya dekat" (a booking only, not a
    check-in); the keypad names the booking, "Kembali" returns to the booking, and the number is kept with it."""
    page = new_page(width, height)
    page.goto(office.url + "/kiosk/later?idle=600")
    page.click("button[data-service=REKAM]")
    page.click("#day-list button >> nth=0")
    page.click("#slot-list button:not([disabled]) >> nth=0")
    page.wait_for_selector("#later-done:not([hidden])")
    code = page.inner_text("#done-code")
    expect(page.locator("#later-sms-offer")).to_be_visible()
    assert _problems(page) == []
    page.screenshot(path=f"/tmp/kiosk-later-done-sms-{width}x{height}.png")
    page.click("#later-sms-offer")
    expect(page.locator("#screen-sms-phone")).to_be_visible()
    expect(page.locator("#sms-ticket")).to_have_text(f"Untuk pemesanan {code}")
    page.click("#sms-back")  # "Kembali": the booking again, nothing kept
    expect(page.locator("#later-done")).to_be_visible()
    assert page.inner_text("#done-code") == code
    db = office.runtime.db.conn
    assert db.execute("SELECT phone FROM bookings WHERE code = ?", [code]).fetchone()[0] is None
    page.click("#later-sms-offer")
    type_digits(page, "085712345678")
    page.click("#sms-send")
    expect(page.locator("#screen-sms-done")).to_be_visible()
    expect(page.locator("#sms-done-text")).to_contain_text("pengingat")
    assert db.execute("SELECT phone FROM bookings WHERE code = ?", [code]).fetchone()[0] == "+6285712345678"
    page.screenshot(path=f"/tmp/kiosk-later-sms-{width}x{height}.png")
