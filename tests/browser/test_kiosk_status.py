"""The KTP-el status check on the kiosk in real Chromium, against a real server holding the demo records."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kiosk.cli import DEMO_APPLICATIONS, DEMO_KK
from kiosk.domain.status import check_application
from kiosk.storage import status as status_store
from kiosk.web.status import NOT_FOUND_MESSAGE
from tests.browser.test_kiosk import CONTRAST_AND_TARGETS, lose_the_first_answer, same_origin
from tests.support import LiveServer, add_staff, make_app

pytestmark = pytest.mark.browser

READY_NIK = "6203011708900001"  # Budi Santoso, READY_FOR_PICKUP (demo office)
SHIPPED_NIK = "6203015708900002"  # Siti Aminah, CARD_SHIPPED: no next service
UNKNOWN_NIK = "6203011708900009"  # a NIK that can be valid but has no record
READY_NAME_MASKED = "B*** S******"


def seed_demo_records(server: LiveServer) -> None:
    """Store the demo office's made-up Kapuas residents (one family card, several statuses)."""
    rt = server.runtime
    today = rt.now().date()
    records = [
        check_application(nik, DEMO_KK, name, born, status, "", today) for nik, name, born, status in DEMO_APPLICATIONS
    ]
    status_store.save_applications(rt.db, records, rt.now().isoformat(timespec="seconds"), "demo", "demo")


@pytest.fixture
def office(tmp_path):
    server = LiveServer(make_app(tmp_path)).start()
    seed_demo_records(server)
    yield server
    server.stop()


def grouped(number: str) -> str:
    return f"{number[:6]} {number[6:12]} {number[12:]}"


def open_kiosk(new_page, server, query="?idle=600", width=1080, height=1920):
    page = new_page(width, height)
    page.goto(f"{server.url}/kiosk{query}")
    expect(page.locator(".k-service-btn").first).to_be_visible()
    return page


def start_check(page):
    """From the start screen, through the privacy notice, to the NIK keypad."""
    page.get_by_role("button", name="Cek Status KTP-el").click()
    expect(page.locator("#screen-status-notice")).to_be_visible()
    page.get_by_role("button", name="Lanjut", exact=True).click()
    expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")


def tap(page, digits: str) -> None:
    """Type digits on the on-screen keypad (buttons named "0" to "9")."""
    for digit in digits:
        page.get_by_role("button", name=digit, exact=True).click()


def enter_both(page, nik: str, kk: str) -> None:
    """Type the NIK and the nomor KK with the physical keyboard (digits and Enter)."""
    page.keyboard.type(nik)
    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")
    page.keyboard.type(kk)
    page.keyboard.press("Enter")


def tickets(server) -> list[tuple[str, str]]:
    return [tuple(row) for row in server.runtime.db.conn.execute("SELECT service, number FROM tickets")]


def test_a_ready_card_becomes_a_pengambilan_number_in_one_tap(new_page, office, offsite_requests):
    page = open_kiosk(new_page, office)
    history_length = page.evaluate("() => history.length")
    requested = []
    page.on("request", lambda request: requested.append(request))
    console = []
    page.on("console", lambda message: console.append(message.text))

    start_check(page)
    tap(page, READY_NIK[:8])
    expect(page.locator("#entry-digits")).to_have_text("620301 17")  # grouped 6-6-4 as typed
    expect(page.locator("#entry-count")).to_have_text("8 dari 16 angka")
    next_key = page.get_by_role("button", name="Lanjut", exact=True)
    expect(next_key).to_be_disabled()
    tap(page, READY_NIK[8:])
    expect(page.locator("#entry-digits")).to_have_text(grouped(READY_NIK))
    next_key.click()

    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")
    expect(page.locator("#entry-digits")).to_have_text("")
    expect(page.locator("#screen-status-entry")).to_have_attribute("data-step", "kk")
    tap(page, DEMO_KK[:15] + "9")
    page.get_by_role("button", name="Hapus").click()  # a slip corrected
    tap(page, DEMO_KK[15])
    expect(page.locator("#entry-digits")).to_have_text(grouped(DEMO_KK))
    page.get_by_role("button", name="Lanjut", exact=True).click()

    expect(page.locator("#answer-label")).to_have_text("Siap diambil")
    expect(page.locator("#answer-message")).to_have_text(
        "KTP-el Anda sudah dicetak dan siap diambil di kantor kecamatan ini."
    )
    expect(page.locator("#answer-name")).to_have_text(READY_NAME_MASKED)
    updated = office.runtime.now()
    months = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ]
    expect(page.locator("#answer-updated")).to_have_text(f"{updated.day} {months[updated.month - 1]} {updated.year}")
    take = page.locator("#answer-take")
    expect(take).to_contain_text("Pengambilan KTP-el")
    assert tickets(office) == []

    take.click()
    expect(page.locator("#screen-priority")).to_be_visible()  # Umum or Prioritas, as from the start screen
    assert tickets(office) == []
    with page.expect_request("**/api/tickets") as issuing:
        page.locator("#choose-regular").click()
    expect(page.locator("#result-number")).to_have_text("C-001")
    expect(page.locator("#result-service")).to_have_text("Pengambilan KTP-el")
    assert tickets(office) == [("AMBIL", "C-001")]
    assert issuing.value.headers["idempotency-key"].startswith("kiosk-")
    assert issuing.value.post_data_json == {"service": "AMBIL", "priority": False}

    # The numbers went only in the lookup's body: never in a URL, the console, or the page now shown.
    lookups = [request for request in requested if request.url.endswith("/api/status-lookups")]
    assert len(lookups) == 1 and lookups[0].method == "POST"
    assert lookups[0].post_data_json == {"nik": READY_NIK, "kk": DEMO_KK, "lang": "id"}
    assert all(same_origin(request.url, office.url) for request in requested)
    for number in (READY_NIK, DEMO_KK):
        assert not [request.url for request in requested if number in request.url or number[:6] in request.url]
        assert not [text for text in console if number in text or grouped(number) in text]
        assert number not in page.content() and grouped(number) not in page.content()
    assert page.evaluate("() => history.length") == history_length  # no entry added, so none holds a number
    assert offsite_requests == []


def test_a_lost_answer_is_retried_with_the_same_key_and_gives_one_ticket(new_page, office):
    page = open_kiosk(new_page, office)
    keys = lose_the_first_answer(page)
    start_check(page)
    enter_both(page, READY_NIK, DEMO_KK)
    page.locator("#answer-take").click()
    page.locator("#choose-regular").click()

    expect(page.locator("#result-number")).to_have_text("C-001")
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert tickets(office) == [("AMBIL", "C-001")]


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_the_answer_s_next_step_asks_umum_or_prioritas_so_a_priority_resident_keeps_it(new_page, office, size):
    page = open_kiosk(new_page, office, width=size[0], height=size[1])
    start_check(page)
    enter_both(page, READY_NIK, DEMO_KK)
    page.locator("#answer-take").click()

    expect(page.locator("#screen-priority")).to_be_visible()
    expect(page.locator("#chosen-service")).to_have_text("Pengambilan KTP-el")
    assert tickets(office) == []
    with page.expect_request("**/api/tickets") as issuing:
        page.locator("#choose-priority").click()
    expect(page.locator("#result-number")).to_have_text("C-001")
    expect(page.locator("#result-priority")).to_be_visible()
    assert issuing.value.post_data_json == {"service": "AMBIL", "priority": True}
    assert [tuple(row) for row in office.runtime.db.conn.execute("SELECT priority FROM tickets")] == [(1,)]


def test_no_next_service_offers_only_selesai(new_page, office):
    page = open_kiosk(new_page, office)
    start_check(page)
    enter_both(page, SHIPPED_NIK, DEMO_KK)

    expect(page.locator("#answer-label")).to_have_text("Dalam pengiriman")
    expect(page.locator("#answer-next")).to_have_text("Silakan tunggu dan cek kembali beberapa hari lagi.")
    expect(page.locator("#answer-take")).to_be_hidden()
    expect(page.locator("#screen-status-answer").get_by_role("button")).to_have_text(["Selesai"])
    page.get_by_role("button", name="Selesai").click()
    expect(page.locator("#screen-start")).to_be_visible()
    assert tickets(office) == []


def test_a_next_service_closed_today_says_why_instead_of_offering_a_number(new_page, office):
    add_staff(office.app, "kepala", "rahasia-Admin1", "admin")
    staff = office.login("kepala", "rahasia-Admin1")
    closing = office.session.patch(f"{office.url}/api/services/AMBIL", json={"open": False}, headers=staff, timeout=10)
    assert closing.status_code == 200, closing.text
    page = open_kiosk(new_page, office)
    start_check(page)
    enter_both(page, READY_NIK, DEMO_KK)

    expect(page.locator("#answer-label")).to_have_text("Siap diambil")
    expect(page.locator("#answer-take")).to_be_hidden()
    expect(page.locator("#answer-closed")).to_have_text(
        re.compile(r"^Layanan ini ditutup sementara hari ini\. Buka kembali ")
    )
    expect(page.locator("#screen-status-answer").get_by_role("button")).to_have_text(["Selesai"])
    assert tickets(office) == []


def test_an_unknown_nik_and_a_wrong_kk_get_the_not_found_message_on_the_same_screen(new_page, office):
    page = open_kiosk(new_page, office)
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    start_check(page)

    enter_both(page, UNKNOWN_NIK, DEMO_KK)
    expect(page.locator("#entry-message")).to_have_text(NOT_FOUND_MESSAGE)
    expect(page.locator("#screen-status-entry")).to_be_visible()
    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")

    page.get_by_role("button", name="Kembali").click()  # back to the NIK to correct it
    expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")
    expect(page.locator("#entry-digits")).to_have_text(grouped(UNKNOWN_NIK))
    for _ in range(16):
        page.keyboard.press("Backspace")
    expect(page.locator("#entry-digits")).to_have_text("")
    page.keyboard.type(READY_NIK)
    page.keyboard.press("Enter")
    expect(page.locator("#entry-digits")).to_have_text(grouped(DEMO_KK))  # the KK typed before is kept
    page.keyboard.press("Backspace")
    page.keyboard.type("4")  # a wrong KK number for a NIK that has a record: the same answer
    page.keyboard.press("Enter")
    expect(page.locator("#entry-message")).to_have_text(NOT_FOUND_MESSAGE)
    assert dialogs == []


def test_an_impossible_nik_is_sent_back_to_the_nik_step_with_the_server_message(new_page, office):
    page = open_kiosk(new_page, office)
    start_check(page)
    enter_both(page, "6203013208900001", DEMO_KK)  # day 32

    expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")
    expect(page.locator("#entry-message")).to_have_text(
        "NIK tidak valid. Periksa kembali 16 angka pada Kartu Keluarga Anda."
    )
    page.keyboard.press("Backspace")  # typing again clears the message
    expect(page.locator("#entry-message")).to_be_hidden()


def test_a_15_digit_nik_cannot_go_on_and_nothing_is_sent(new_page, office):
    page = open_kiosk(new_page, office)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "status-lookups" in request.url else None)
    start_check(page)

    tap(page, READY_NIK[:15])
    expect(page.locator("#entry-count")).to_have_text("15 dari 16 angka")
    expect(page.get_by_role("button", name="Lanjut", exact=True)).to_be_disabled()
    page.keyboard.press("Enter")
    expect(page.locator("#entry-message")).to_have_text("NIK harus 16 angka. Periksa kembali Kartu Keluarga Anda.")
    expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")

    page.keyboard.type("12")  # a 17th digit is not taken
    expect(page.locator("#entry-digits")).to_have_text(grouped(READY_NIK[:15] + "1"))
    expect(page.get_by_role("button", name="Lanjut", exact=True)).to_be_enabled()
    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")
    page.keyboard.type(DEMO_KK[:15])
    page.keyboard.press("Enter")
    expect(page.locator("#entry-message")).to_have_text("Nomor KK harus 16 angka. Periksa kembali Kartu Keluarga Anda.")
    assert sent == []


def test_too_many_lookups_are_refused_with_a_friendly_message(new_page, office):
    """The kiosk PC's lookups in the window are used up (a kiosk is never locked out of one NIK by misses)."""
    office.post("/api/status-lookups", json={"nik": READY_NIK, "kk": "6203010102150010"})  # the guard exists now
    office.app.extensions["kiosk_status_guard"].kiosk_addresses.limit = 3
    answers = [
        office.post("/api/status-lookups", json={"nik": READY_NIK, "kk": f"62030101021500{kk + 11}"}) for kk in range(3)
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 429]
    page = open_kiosk(new_page, office)
    start_check(page)
    enter_both(page, READY_NIK, DEMO_KK)

    expect(page.locator("#entry-message")).to_have_text(
        re.compile(r"^Terlalu banyak pencarian\. Silakan coba lagi dalam \d+ menit atau tanyakan kepada petugas\.$")
    )
    expect(page.locator("#screen-status-entry")).to_be_visible()

    page.locator(".k-lang-btn[data-lang=en]").click()
    page.keyboard.press("Enter")  # the same numbers again, now in English
    expect(page.locator("#entry-message")).to_have_text(
        re.compile(r"^Too many checks\. Please try again in \d+ minutes or ask the staff\.$")
    )


def test_in_english_the_flow_and_the_answer_are_english(new_page, office):
    page = open_kiosk(new_page, office)
    page.locator(".k-lang-btn[data-lang=en]").click()
    page.get_by_role("button", name="Check KTP-el status").click()
    expect(page.locator("#screen-status-notice")).to_contain_text("cannot be turned back into the NIK")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.locator("#entry-title")).to_have_text("Enter your NIK")
    expect(page.get_by_role("button", name="Delete")).to_be_visible()
    page.keyboard.type(READY_NIK)
    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("Enter the Family Card number")
    page.keyboard.type(DEMO_KK)
    page.keyboard.press("Enter")

    expect(page.locator("#answer-label")).to_have_text("Ready for collection")
    expect(page.locator("#answer-next")).to_have_text("Please take a number for KTP-el Collection.")
    expect(page.locator("#answer-take")).to_contain_text("Take a number for")
    expect(page.locator("#answer-take-service")).to_have_text("KTP-el Collection")


def resident_traces(page) -> list[str]:
    """Return the NIK, KK number (plain or grouped) and masked name wherever they still are on the page."""
    text = page.evaluate("() => document.documentElement.outerHTML + document.body.innerText")
    return [
        needle
        for needle in (
            READY_NIK,
            DEMO_KK,
            grouped(READY_NIK),
            grouped(DEMO_KK),
            READY_NAME_MASKED,
            READY_NIK[:12],
            DEMO_KK[:12],
        )
        if needle in text
    ]


def test_idle_wipes_the_answer_the_keypad_and_leaves_no_history(new_page, office):
    page = open_kiosk(new_page, office, "?idle=2&warn=2&result=120")
    history_length = page.evaluate("() => history.length")
    start_check(page)
    enter_both(page, READY_NIK, DEMO_KK)
    expect(page.locator("#answer-name")).to_have_text(READY_NAME_MASKED)
    assert resident_traces(page) == [READY_NAME_MASKED]

    expect(page.get_by_text("Masih di sana?")).to_be_visible(timeout=5000)
    expect(page.locator("#screen-start")).to_be_visible(timeout=5000)
    assert resident_traces(page) == []
    assert page.evaluate("() => history.length") == history_length
    assert page.evaluate("() => location.href") == f"{office.url}/kiosk?idle=2&warn=2&result=120"
    leftovers = page.evaluate(
        "() => ['answer-label', 'answer-message', 'answer-name', 'answer-updated', 'answer-next', 'entry-digits',"
        " 'entry-message'].map(id => document.getElementById(id).textContent).join('')"
    )
    assert leftovers == ""

    # Half a NIK typed, then the resident walks away: the next resident finds an empty keypad.
    start_check(page)
    tap(page, READY_NIK[:8])
    expect(page.locator("#entry-digits")).to_have_text("620301 17")
    expect(page.locator("#screen-start")).to_be_visible(timeout=8000)
    assert "620301 17" not in page.content() and READY_NIK[:8] not in page.content()
    page.get_by_role("button", name="Cek Status KTP-el").click()
    page.get_by_role("button", name="Lanjut", exact=True).click()
    expect(page.locator("#entry-digits")).to_have_text("")
    expect(page.locator("#entry-count")).to_have_text("0 dari 16 angka")
    assert page.evaluate("() => history.length") == history_length


def test_an_answer_arriving_after_the_resident_left_is_never_shown(new_page, office):
    page = open_kiosk(new_page, office, "?idle=3&warn=1")  # 3 s: typing 32 digits on a loaded machine is not idle
    held = []
    page.route("**/api/status-lookups", lambda route: held.append(route))
    start_check(page)
    enter_both(page, READY_NIK, DEMO_KK)
    expect(page.locator("#entry-message")).to_have_text("Sedang memeriksa…")
    expect(page.locator("#screen-start")).to_be_visible(timeout=8000)  # the resident left meanwhile
    assert held
    held[0].continue_()
    page.wait_for_timeout(500)
    expect(page.locator("#screen-start")).to_be_visible()
    assert resident_traces(page) == []


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_each_step_fits_the_screen_with_big_targets_and_high_contrast(new_page, office, size):
    page = open_kiosk(new_page, office, "?idle=600", *size)
    width, height = size

    def check(state, *selectors):
        found = page.evaluate(CONTRAST_AND_TARGETS)
        assert found == {"low": [], "small": [], "scrolls": False}, state
        for selector in selectors:
            for box in [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]:
                assert box and box["x"] >= 0 and box["y"] >= 0, (state, selector, box)
                assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, (state, selector, box)

    check("start", "#status-start", ".k-service-btn")
    page.locator("#status-start").click()
    check("notice", "#screen-status-notice button:visible")
    page.locator("#notice-next").click()
    page.keyboard.type(READY_NIK[:15])
    page.keyboard.press("Enter")  # the longest state: a message under the number
    expect(page.locator("#entry-message")).to_be_visible()
    check(
        "NIK keypad with a message",
        ".k-key",
        "#entry-digits",
        "#entry-message",
        "#entry-picture",
        "#screen-status-entry .k-back",
    )
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    page.keyboard.type(DEMO_KK)
    check("KK keypad, 16 digits", ".k-key", "#entry-digits", "#entry-picture")
    page.keyboard.press("Enter")
    expect(page.locator("#answer-take")).to_be_visible()
    check("answer with its next step", "#answer-card", "#answer-take", "#answer-done")
