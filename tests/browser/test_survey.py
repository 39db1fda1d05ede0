"""The satisfaction survey in real Chromium: the phone page after a ticket is done, the kiosk for a number
served today, and the admin's SKM report counting both."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.test_contrast import assert_all_pass, measure
from tests.support import free_counter

pytestmark = pytest.mark.browser
SETTLING = re.compile(r"\bis-settling\b")  # a kiosk screen ignores taps while it settles


def serve(server, staff, service: str = "REKAM", counter: int = 1) -> dict:
    """Issue a ticket and finish it at a counter, as the counter screen does."""
    ticket = server.post("/api/tickets", json={"service": service}).json()["ticket"]
    free_counter(server, staff, counter)
    called = server.post(f"/api/counters/{counter}/next", headers=staff).json()["ticket"]
    assert called["id"] == ticket["id"]
    server.post(f"/api/tickets/{ticket['id']}/done", headers=staff).raise_for_status()
    return ticket


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "status of 409" not in message.text and "status of 404" not in message.text
            else None
        ),
    )
    return problems


def admin_report(new_page, server, query: str):
    """Log in as the admin in Chromium and open the SKM report page for ``query``."""
    page = new_page(1366, 768)
    page.goto(f"{server.url}/admin/skm?{query}")
    page.wait_for_url(re.compile(r"/login\?next=/admin/skm"))  # back to the same report after logging in
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url and "/admin/skm" in url)
    page.wait_for_load_state("load")
    if page.url != f"{server.url}/admin/skm?{query}":
        page.goto(f"{server.url}/admin/skm?{query}")
    return page


def answer_phone(page, scores: list[int]) -> None:
    for code, score in zip(
        ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana"),
        scores,
        strict=False,
    ):  # the first len(scores) questions
        page.locator(f"[data-element={code}] .p-choice").nth(score - 1).click()


def test_the_phone_page_offers_the_survey_once_done_and_the_report_counts_it(new_page, live_server):
    staff = live_server.login()
    mine = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    problems = watch(page)
    page.goto(f"{live_server.url}/t/{mine['token']}")
    expect(page.locator("#status")).to_have_text("Menunggu")
    expect(page.locator("#survey")).to_be_hidden()

    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()
    live_server.post(f"/api/tickets/{mine['id']}/done", headers=staff).raise_for_status()
    expect(page.locator("#status")).to_have_text("Selesai", timeout=8000)
    expect(page.locator("#survey-start")).to_be_visible()
    expect(page.locator("#survey-title")).to_have_text("Survei Kepuasan Masyarakat")
    page.locator("#survey-start").click()

    answer_phone(page, [4, 4, 3, 4, 3, 4, 4, 3])  # eight of nine
    page.locator("#survey-send").click()
    expect(page.locator("#survey-error")).to_have_text("Pertanyaan 9 belum dijawab.")
    expect(page.locator("[data-element=sarana]")).to_have_attribute("data-missing", "Belum dijawab")
    # the marker after "Pertanyaan 9 dari 9 ·" is really drawn, not an empty pseudo-element
    expect(page.locator("[data-element=sarana] .p-question-count")).to_have_text("Pertanyaan 9 dari 9")
    expect(page.locator("[data-element=sarana] .p-question-missing")).to_be_visible()
    expect(page.locator("[data-element=sarana] legend")).to_contain_text("Pertanyaan 9 dari 9 · Belum dijawab")
    expect(page.locator("[data-element=prosedur] .p-question-missing")).to_have_count(0)
    page.locator("[data-element=sarana] .p-choice").nth(2).click()
    expect(page.locator("[data-element=sarana] .p-question-missing")).to_have_count(0)  # answered: marker gone
    page.locator(".p-chips .p-choice", has_text="Perempuan").click()
    page.locator(".p-chips .p-choice", has_text="Wirausaha").click()
    page.fill("#survey-suggestion", "Tambah kursi di ruang tunggu.")
    page.locator("#survey-send").click()
    expect(page.locator("#survey-title")).to_have_text("Terima kasih")
    expect(page.locator("#survey-thanks")).to_contain_text("Penilaian Anda sudah kami terima")
    assert "NIK" not in page.content()

    page.reload()  # the ticket answered: no second offer
    expect(page.locator("#survey-thanks")).to_have_text("Survei untuk nomor ini sudah diisi. Terima kasih.")
    assert problems == []

    today = live_server.runtime.today()
    report = admin_report(new_page, live_server, f"from={today}&to={today}")
    expect(report.locator("#skm-respondents")).to_have_text("1")
    expect(report.locator("#skm-population")).to_have_text("1")
    expect(report.locator("#skm-ikm")).to_have_text("88,89")  # 32/9 x 25
    expect(report.locator("#skm-grade")).to_have_text("Mutu A · Sangat Baik")
    expect(report.locator("#skm-suggestions li")).to_have_text(["Tambah kursi di ruang tunggu."])  # once: no count
    assert mine["number"] not in report.content()
    expect(report.locator("#skm-elements tbody tr").nth(2).locator("td").nth(2)).to_have_text("3,00")


def test_the_phone_keeps_unsent_answers_for_later_the_same_day_and_speaks_english(new_page, live_server):
    staff = live_server.login()
    mine = serve(live_server, staff)
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/t/{mine['token']}")
    page.locator("#survey-start").click()
    answer_phone(page, [2, 3, 4])
    page.reload()  # later: the same link, the answers still there
    expect(page.locator("[data-element=waktu] input:checked")).to_have_value("4")
    expect(page.locator("input:checked")).to_have_count(3)
    page.locator(".p-lang-btn[data-lang=en]").click()
    expect(page.locator("#survey-title")).to_have_text("Satisfaction survey")
    expect(page.locator("[data-element=biaya] .p-question-text")).to_have_text(
        "How fair was the cost or fee of the service?"
    )
    expect(page.locator("[data-element=persyaratan] input:checked")).to_have_value("2")


def test_the_kiosk_takes_a_number_served_today_and_the_report_counts_it(new_page, live_server):
    staff = live_server.login()
    serve(live_server, staff)
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()  # A-002, still waiting
    page = new_page(1080, 1920)
    problems = watch(page)
    page.goto(f"{live_server.url}/kiosk?idle=600&result=600")
    page.locator("#survey-open").click()
    number = page.locator("#screen-survey-number")
    expect(number).not_to_have_class(SETTLING)
    number.locator("[data-letter=A]").click()
    number.locator("[data-key='2']").click()
    expect(page.locator("#survey-number")).to_have_text("A-002")
    number.locator("#survey-number-next").click()
    expect(page.locator("#survey-number-error")).to_have_text(
        "Survei dapat diisi setelah nomor A-002 selesai dilayani."
    )
    number.locator("[data-key=erase]").click()
    number.locator("[data-key='1']").click()
    number.locator("#survey-number-next").click()
    question = page.locator("#screen-survey-question")
    for index, score in enumerate([3, 3, 3, 4, 3, 4, 3, 4, 3]):
        expect(page.locator("#survey-count")).to_have_text(f"Nomor A-001 · Pertanyaan {index + 1} dari 9")
        expect(question).not_to_have_class(SETTLING)
        question.locator(f".ks-answer[data-score='{score}']").click()
    profile = page.locator("#screen-survey-profile")
    expect(profile).to_be_visible()
    expect(profile).not_to_have_class(SETTLING)
    profile.locator("[data-part=age][data-option='36-45']").click()
    profile.locator("#survey-send").click()
    expect(page.locator("#screen-survey-thanks")).to_be_visible()
    page.locator("#screen-survey-thanks .k-done").click()
    expect(page.locator("#screen-start")).to_be_visible()
    assert page.inner_text("#survey-number") == ""  # the next resident sees nothing of this one

    page.locator("#survey-open").click()  # the same number cannot answer twice
    expect(number).not_to_have_class(SETTLING)
    number.locator("[data-letter=A]").click()
    number.locator("[data-key='1']").click()
    number.locator("#survey-number-next").click()
    expect(page.locator("#survey-number-error")).to_have_text("Survei untuk nomor A-001 sudah diisi. Terima kasih.")
    assert problems == []

    today = live_server.runtime.today()
    report = admin_report(new_page, live_server, f"from={today}&to={today}&service=REKAM")
    expect(report.locator("#skm-respondents")).to_have_text("1")
    expect(report.locator("#skm-ikm")).to_have_text("83,33")  # 30/9 x 25
    expect(report.locator("#skm-improve li").first).to_contain_text("Persyaratan")
    profile_rows = report.locator("#skm-profile tr", has_text="36-45 tahun")
    expect(profile_rows.locator("td").nth(1)).to_have_text("1")


@pytest.mark.serial  # a 1 s idle timer: alone on the machine
def test_the_kiosk_survey_is_forgotten_when_the_resident_walks_away(new_page, live_server):
    staff = live_server.login()
    serve(live_server, staff)
    page = new_page(1080, 1920)
    page.goto(f"{live_server.url}/kiosk?idle=1&warn=1")
    page.locator("#survey-open").click()
    expect(page.locator("#screen-survey-number")).not_to_have_class(SETTLING)
    page.locator("[data-letter=A]").click()
    page.locator(".ks-key[data-key='1']").click()
    page.locator("#survey-number-next").click()
    expect(page.locator("#screen-survey-question")).to_be_visible()
    expect(page.locator("#screen-start")).to_be_visible(timeout=8000)  # idle warning, then the reset
    assert page.inner_text("#survey-count") == "" and page.inner_text("#survey-question") == ""


def test_the_phone_survey_meets_wcag_aa(new_page, live_server):
    staff = live_server.login()
    mine = serve(live_server, staff)
    results: dict[str, list[str]] = {}
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/t/{mine['token']}")
    expect(page.locator("#survey-start")).to_be_visible()
    measure(page, "phone survey offer", results, "Isi survei")
    page.locator("#survey-start").click()
    answer_phone(page, [4, 3])
    page.locator("#survey-send").click()
    expect(page.locator("#survey-error")).to_be_visible()
    page.locator("[data-element=persyaratan]").scroll_into_view_if_needed()
    measure(page, "phone survey form, unanswered marked", results, "Pertanyaan 1 dari 9")
    answer_phone(page, [4, 3, 3, 4, 3, 4, 4, 3, 3])
    page.locator("#survey-send").click()
    expect(page.locator("#survey-title")).to_have_text("Terima kasih")
    measure(page, "phone survey thanks", results, "Terima kasih")
    assert_all_pass(results)


def test_the_display_shows_the_latest_ikm_readably_when_configured(new_page, tmp_path):
    from kiosk.cli import _seed_demo
    from tests.support import LiveServer, make_app

    app = make_app(tmp_path, survey__show_on_display=True)
    _seed_demo(app.extensions["kiosk"])
    server = LiveServer(app).start(workers=False)
    try:
        page = new_page(1920, 1080)
        page.goto(f"{server.url}/display")
        expect(page.locator("#ikm-badge .ikm-grade")).to_have_text("B · Baik")
        results: dict[str, list[str]] = {}
        measure(page, "display with the IKM", results, "Indeks Kepuasan Masyarakat")
        assert_all_pass(results)
        box = page.locator("#ikm-badge").bounding_box()
        assert box["y"] + box["height"] <= page.locator(".display-head").bounding_box()["height"]  # in the header
    finally:
        server.stop()


def test_the_printed_skm_report_is_signed_in_the_official_form(new_page, tmp_path):
    """Place and date, the head's title, name (bold, underlined) and NIP, from [office] in the config."""
    import io

    from pypdf import PdfReader

    from kiosk.files.reports import long_date
    from tests.support import LiveServer, add_staff, make_app

    app = make_app(
        tmp_path,
        office__place="Selat",
        office__head_title="Camat Selat",
        office__head_name="Drs. Ahmad Fauzi, M.Si.",
        office__head_nip="19700512 199003 1 004",
    )
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start()
    try:
        page = admin_report(new_page, server, "")
        page.emulate_media(media="print")
        assert page.locator("#skm-sign p").all_inner_texts() == [
            f"Selat, {long_date(server.runtime.today())}",
            "Camat Selat,",
            "Drs. Ahmad Fauzi, M.Si.",
            "NIP 19700512 199003 1 004",
        ]
        pdf = page.pdf(format="A4", print_background=True)
        text = " ".join(" ".join(sheet.extract_text().split()) for sheet in PdfReader(io.BytesIO(pdf)).pages)
        assert "Camat Selat, Drs. Ahmad Fauzi, M.Si. NIP 19700512 199003 1 004" in text
        shots = os.environ.get("KIOSK_SCREENSHOTS")
        if shots:
            (tmp_path / "skm.pdf").write_bytes(pdf)
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", str(tmp_path / "skm.pdf"), f"{shots}/skm-signed-a4"], check=False
            )
    finally:
        server.stop()
