"""Standards and complaints in real Chromium: a complaint typed at the kiosk's on-screen keyboard is answered in
the admin inbox and the answer appears on its phone page; every screen axe-clean, in both kiosk orientations."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.axe import problems as _problems
from tests.support import hold_next_answer, log_in, wait_for_late_answer

pytestmark = pytest.mark.browser

KIOSK_SIZES = [(1080, 1920), (1920, 1080)]
SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save screenshots there (docs/screenshots)


def _within_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def _type(page, text: str) -> None:
    for character in text:
        if character == " ":
            page.locator("#keyboard [data-key=space]").click()
        else:
            page.locator(f"#keyboard .ks-key[aria-label='{character}']").click()


@pytest.mark.parametrize("width,height", KIOSK_SIZES)
def test_a_kiosk_complaint_is_answered_in_the_inbox_and_read_on_the_phone(live_server, new_page, width, height):
    page = new_page(width, height)
    page.goto(live_server.url + "/kiosk")
    page.locator("#more-open").click()  # "Layanan lainnya"
    page.locator("#standards-open").click()
    page.wait_for_url("**/kiosk/standar")
    states = {"list": _problems(page)}
    page.get_by_role("button", name="Perekaman KTP-el").click()
    expect(page.locator("#standard")).to_contain_text("Gratis")
    expect(page.locator("#standard")).to_contain_text("Kartu Keluarga asli")
    states["standard"] = _problems(page)
    page.locator(".ks-lang-btn[data-lang=en]").click()
    expect(page.locator("#standard")).to_contain_text("Free")
    page.locator(".ks-lang-btn[data-lang=id]").click()
    page.locator("#screen-service [data-go=category]").click()
    states["category"] = _problems(page)
    page.get_by_role("button", name=re.compile("Perilaku petugas")).click()
    _type(page, "petugas loket dua kasar")
    expect(page.locator("#typed")).to_have_text("Petugas loket dua kasar")
    assert _within_viewport(page, "#text-next"), "the Next button is off screen"
    states["text"] = _problems(page)
    page.locator("#text-next").click()
    for digit in "081234567890":
        page.locator("#keypad .ks-key", has_text=re.compile(f"^{re.escape(digit)}$")).click()
    assert _within_viewport(page, "#send"), "the Send button is off screen"
    states["phone"] = _problems(page)
    page.locator("#send").click()
    expect(page.locator("#sent-code")).to_have_text(re.compile(r"^PGD-\d{4}-0001$"))
    expect(page.locator("#sent-qr")).to_have_js_property("complete", True)
    assert page.locator("#sent-qr").evaluate("img => img.naturalWidth") > 0
    states["sent"] = _problems(page)
    token = page.locator("#sent-qr").get_attribute("src").split("/")[3]
    code = page.locator("#sent-code").inner_text()
    assert {state: found for state, found in states.items() if found} == {}

    admin = new_page(1366, 900)
    log_in(admin, live_server.url, "/admin/complaints", "kepala", "rahasia-Admin1")
    item = admin.locator(f".ci-item[data-code='{code}']")
    expect(item).to_contain_text("Petugas loket dua kasar")
    expect(item).to_contain_text("+6281234567890")
    assert _problems(admin) == []
    item.get_by_label("Jawaban untuk pelapor").fill("Mohon maaf. Petugas sudah ditegur oleh Camat.")
    item.get_by_role("button", name="Kirim jawaban").click()
    expect(admin.locator("#inbox-message")).to_have_text(f"Jawaban untuk {code} terkirim.")
    admin.get_by_role("button", name="Sudah dijawab").click()
    expect(admin.locator(f".ci-item[data-code='{code}'] .ci-answer")).to_have_text(
        "Mohon maaf. Petugas sudah ditegur oleh Camat."
    )

    phone = new_page(390, 844, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/c/{token}")
    expect(phone.locator("#answer")).to_have_text("Mohon maaf. Petugas sudah ditegur oleh Camat.")
    expect(phone.locator("#status")).to_have_text("Sudah dijawab")
    expect(phone.locator("#code")).to_have_text(code)
    assert _problems(phone) == []
    phone.locator("[data-page-lang=en]").click()
    expect(phone.locator("#status")).to_have_text("Answered")
    expect(phone.locator("#category")).to_have_text("Staff conduct")
    assert _problems(phone) == []


def test_the_display_and_the_queue_never_show_a_complaint(live_server):
    lodged = live_server.post("/api/complaints", json={"category": "conduct", "text": "Rahasia sekali"})
    assert lodged.status_code == 201
    for path in ("/display", "/api/queue", "/api/services", "/api/standards"):
        assert "Rahasia sekali" not in live_server.get(path).text
        assert lodged.json()["complaint"]["token"] not in live_server.get(path).text


def test_unknown_complaint_page_and_wall_print_are_axe_clean(live_server, new_page):
    phone = new_page(390, 844, is_mobile=True)
    phone.goto(f"{live_server.url}/c/not-a-complaint-token")
    expect(phone.locator(".p-missing").first).to_contain_text("Pengaduan tidak ditemukan")
    assert _problems(phone) == []
    admin = new_page(1366, 900)
    log_in(admin, live_server.url, "/admin/standards", "kepala", "rahasia-Admin1")
    expect(admin.locator("h1").first).to_have_text("Maklumat Pelayanan")
    expect(admin.locator(".wp-page")).to_have_count(7)
    assert _problems(admin) == []
    admin.emulate_media(media="print")
    pdf = admin.pdf(format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 7  # Maklumat, then one A4 page per service
    # The same sheets in English: the office's English texts, the same pages
    admin.emulate_media(media="screen")
    admin.click(".wp-lang a[lang=en]")
    admin.wait_for_url("**/admin/standards?lang=en")
    expect(admin.locator("html")).to_have_attribute("lang", "en")
    expect(admin.locator("h1").first).to_have_text("Service Pledge (Maklumat Pelayanan)")
    expect(admin.locator("#standard-REKAM")).to_have_text("KTP-el Enrolment")
    expect(admin.locator(".wp-standard").first).to_contain_text("Original Kartu Keluarga (family card)")
    expect(admin.locator(".wp-standard").first).to_contain_text("Free")
    expect(admin.locator(".wp-table").first).to_contain_text("1 working day")
    expect(admin.locator(".wp-table").first).not_to_contain_text("1 working days")
    assert _problems(admin) == []
    admin.emulate_media(media="print")
    pdf = admin.pdf(format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 7


def test_a_ticket_holder_lodges_a_complaint_from_the_phone_and_staff_record_one_in_the_inbox(live_server, new_page):
    ticket = live_server.post("/api/tickets", json={"service": "INFO"}).json()["ticket"]
    phone = new_page(390, 844, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/t/{ticket['token']}")
    phone.get_by_role("link", name=re.compile("Sampaikan pengaduan")).click()
    phone.wait_for_url(f"**/t/{ticket['token']}/pengaduan")
    assert _problems(phone) == []
    phone.get_by_label("Kesalahan atau gangguan layanan").check()
    phone.get_by_label("Tuliskan pengaduan Anda").fill("Layar antrean mati sejak pagi. NIK saya 6203014107900001")
    phone.get_by_role("button", name="Kirim pengaduan").click()
    phone.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]+$"))
    expect(phone.locator("#text")).to_have_text("Layar antrean mati sejak pagi. NIK saya [angka dihapus]")
    expect(phone.locator("#status")).to_have_text("Sedang ditangani")

    admin = new_page(1366, 900)
    log_in(admin, live_server.url, "/admin/complaints", "kepala", "rahasia-Admin1")
    expect(admin.locator(".ci-item")).to_have_count(1)
    expect(admin.locator(".ci-item .ci-channel")).to_have_text("Ponsel")
    form = admin.locator("#new-complaint")
    form.get_by_label("Jenis pengaduan").select_option("info")
    form.get_by_label("Isi pengaduan").fill("Warga bertanya syarat pindah domisili.")
    form.get_by_label("Nomor ponsel warga (tidak wajib)").fill("0813 1111 2222")
    form.get_by_role("button", name="Catat pengaduan").click()
    expect(admin.locator("#inbox-message")).to_have_text(re.compile(r"^Pengaduan PGD-\d{4}-0002 tercatat\.$"))
    expect(admin.locator(".ci-item")).to_have_count(2)
    staff_item = admin.locator(".ci-item", has_text="Warga bertanya syarat pindah domisili.")
    expect(staff_item.locator(".ci-channel")).to_have_text("Petugas (kepala)")
    expect(staff_item.locator(".ci-phone")).to_have_text("+6281311112222")
    assert _problems(admin) == []


def test_an_untouched_complaint_form_goes_back_to_the_start_and_keeps_nothing(live_server, new_page):
    page = new_page(1080, 1920)
    page.goto(live_server.url + "/kiosk/standar?idle=2")
    page.locator("#complain").click()
    page.get_by_role("button", name=re.compile("Lainnya")).click()
    _type(page, "rahasia")
    expect(page.locator("#typed")).to_have_text("Rahasia")
    page.wait_for_url("**/kiosk", timeout=10000)
    page.goto(live_server.url + "/kiosk/standar?idle=60")
    page.locator("#complain").click()
    page.get_by_role("button", name=re.compile("Lainnya")).click()
    expect(page.locator("#typed")).to_have_text("")
    from kiosk.storage.complaints import list_complaints

    assert list_complaints(live_server.runtime.db) == []  # nothing typed was sent


def test_the_kiosk_standards_screen_is_only_for_kiosk_pcs(client):
    client.environ_base["REMOTE_ADDR"] = "10.0.9.9"
    answer = client.get("/kiosk/standar")
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "lang, expected", [("id", "Standar Pelayanan: Perekaman KTP-el"), ("en", "Service standard: KTP-el Enrolment")]
)
def test_the_display_shows_a_standard_between_calls_and_a_call_covers_it(live_server, new_page, lang, expected):
    page = new_page(1920, 1080)
    page.goto(f"{live_server.url}/display?lang={lang}&standard_seconds=1")
    page.wait_for_selector("#current[data-state=idle]")
    expect(page.locator("#standard-panel h2")).to_have_text(expected)  # after the idle hint's turn
    expect(page.locator("#standard-panel")).to_be_visible()
    assert _problems(page) == []
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    headers = live_server.login()
    assert live_server.post("/api/counters/1/next", headers=headers).status_code == 200
    page.wait_for_selector("#current[data-state=call]")
    expect(page.locator("#standard-panel")).to_be_hidden()
    expect(page.locator("#current-number")).to_be_visible()


def test_the_inbox_in_english_answers_and_records_complaints(live_server, new_page):
    lodged = live_server.post("/api/complaints", json={"category": "conduct", "text": "Petugas tidak ramah."})
    assert lodged.status_code == 201
    code = lodged.json()["complaint"]["code"]
    admin = new_page(1366, 900)
    log_in(admin, live_server.url, "/admin/complaints", "kepala", "rahasia-Admin1")
    expect(admin.locator("#inbox-title")).to_have_text("Kotak masuk pengaduan")
    admin.locator(".lang-switch a[lang=en]").click()
    admin.wait_for_url("**/admin/complaints?lang=en")
    expect(admin.locator("html")).to_have_attribute("lang", "en")
    expect(admin.locator("#inbox-title")).to_have_text("Complaints inbox")
    item = admin.locator(f".ci-item[data-code='{code}']")
    expect(item.locator(".ci-category")).to_have_text("Staff conduct")
    expect(item.locator(".ci-channel")).to_have_text(re.compile(r"^(Kiosk|Phone|Staff)"))
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    expect(item.locator(".ci-received")).to_have_text(re.compile(rf"^\d{{1,2}} ({months}) \d{{4}}.* \d{{2}}:\d{{2}}$"))
    expect(item).to_contain_text("Deadline")
    assert _problems(admin) == []
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        admin.screenshot(path=f"{SCREENSHOTS}/admin-complaints-en.png", full_page=True)

    item.get_by_label("Answer to the complainant").fill("We apologise; the officer has been spoken to.")
    item.get_by_role("button", name="Send the answer").click()
    expect(admin.locator("#inbox-message")).to_have_text(f"Answer to {code} sent.")
    admin.get_by_role("button", name="Answered", exact=True).click()
    expect(admin.locator(f".ci-item[data-code='{code}'] .ci-answered")).to_contain_text("Answer:")

    form = admin.locator("#new-complaint")
    form.get_by_label("Kind of complaint").select_option(label="Request for information")
    form.get_by_label("Complaint text").fill("Warga bertanya syarat pindah domisili.")
    form.get_by_role("button", name="Record the complaint").click()
    expect(admin.locator("#inbox-message")).to_have_text(re.compile(r"^Complaint PGD-\d{4}-0002 recorded\.$"))
    admin.get_by_role("button", name="Not answered").click()
    expect(admin.locator(".ci-item .ci-channel")).to_have_text("Staff (kepala)")
    assert _problems(admin) == []
    admin.get_by_role("link", name="Evaluation pack (A4)").click()
    admin.wait_for_url("**/admin/evaluation?lang=en")
    expect(admin.locator("#section-complaints h2")).to_have_text(
        "Complaints received and handled per category and month"
    )


def test_switching_the_inbox_filter_never_ends_on_the_earlier_filters_late_list(live_server, new_page):
    opened = live_server.post("/api/complaints", json={"category": "service", "text": "Layar antrean mati."})
    answered = live_server.post("/api/complaints", json={"category": "info", "text": "Syarat pindah domisili?"})
    staff = requests.Session()
    login = staff.post(live_server.url + "/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
    code = answered.json()["complaint"]["code"]
    staff.post(
        f"{live_server.url}/api/complaints/{code}/answer",
        json={"text": "Bawa surat pindah."},
        headers={"X-CSRF-Token": login.json()["csrf_token"]},
    ).raise_for_status()
    assert opened.status_code == 201

    admin = new_page(1366, 900)
    log_in(admin, live_server.url, "/admin/complaints", "kepala", "rahasia-Admin1")
    expect(admin.locator(".ci-item .ci-text")).to_have_text(["Layar antrean mati."])
    # The open list's next answer reaches the page 1.5 s late; meanwhile the admin picks "answered".
    hold_next_answer(admin, "status=open")
    with admin.expect_request("**/api/complaints?status=open"):
        admin.click("[data-filter=overdue]")
        admin.click("[data-filter=open]")
    admin.click("[data-filter=answered]")
    expect(admin.locator(".ci-item .ci-text")).to_have_text(["Syarat pindah domisili?"])
    wait_for_late_answer(admin)
    assert admin.locator(".ci-item .ci-text").all_inner_texts() == ["Syarat pindah domisili?"]
    assert admin.get_attribute("[data-filter=answered]", "aria-pressed") == "true"


def test_the_english_inbox_says_a_lost_network_and_a_bare_refusal_in_english(live_server, new_page):
    """The staff client's own words (no server, a refusal without a message) were Indonesian on English pages."""
    lodged = live_server.post("/api/complaints", json={"category": "conduct", "text": "Petugas tidak ramah."})
    code = lodged.json()["complaint"]["code"]
    admin = new_page(1366, 900)
    log_in(admin, live_server.url, "/admin/complaints?lang=en", "kepala", "rahasia-Admin1")
    item = admin.locator(f".ci-item[data-code='{code}']")
    item.get_by_label("Answer to the complainant").fill("We apologise.")
    answer = f"**/api/complaints/{code}/answer"
    admin.route(answer, lambda route: route.abort())
    item.get_by_role("button", name="Send the answer").click()
    expect(admin.locator("#inbox-message")).to_have_text(
        "The server cannot be reached. Check the network and try again."
    )
    admin.unroute(answer)
    admin.route(answer, lambda route: route.fulfill(status=502, content_type="text/html", body="<h1>Bad gateway</h1>"))
    item.get_by_role("button", name="Send the answer").click()
    expect(admin.locator("#inbox-message")).to_have_text("The request failed (502).")
    admin.unroute(answer)
    item.get_by_role("button", name="Send the answer").click()
    expect(admin.locator("#inbox-message")).to_have_text(f"Answer to {code} sent.")
