"""The counter screen's "Status KTP-el" tab in real Chromium against a real waitress server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.domain.status import check_application
from kiosk.storage import status as status_store
from tests.browser.test_contrast import CONTRAST_PROBLEMS
from tests.browser.test_counter import _login
from tests.browser.test_security import watch_csp
from tests.support import hold_next_answer, wait_for_late_answer
from tests.test_status_import import MIXED

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")
KK = "6203010102150003"
BUDI = "6203011708900001"
SITI = "6203015708900002"
AGUS = "6203010305850003"
DEWI = "6203016112000004"
NOBODY = "6203012004080005"
SEEDED_AT = "2026-11-20T10:15:00+07:00"


@pytest.fixture
def office(live_server):
    runtime = live_server.runtime
    for nik, name, born, status, note in (
        (BUDI, "Budi Santoso", "1990-08-17", "CARD_SHIPPED", "dikirim dari kabupaten"),
        (SITI, "Siti Aminah", "1990-08-17", "READY_FOR_PICKUP", "blanko datang 20-11"),
        (AGUS, "Agus Salim", "1985-05-03", "PRINT_READY_RECORD", ""),
        (DEWI, "Dewi Lestari", "2000-12-21", "CARD_PRINTED", ""),
    ):
        record = check_application(nik, KK, name, born, status, note, runtime.now().date())
        status_store.save_application(runtime.db, record, SEEDED_AT, "import", "import")
    return live_server


def _at_counter(page, server, counter: int, username="petugas", password="rahasia-Loket1") -> None:
    _login(page, server, username, password)
    page.click(f"#counter-picker [data-counter='{counter}']")
    page.wait_for_selector(f"body[data-counter='{counter}']", state="attached")


def open_status_tab(new_page, server, username="petugas", password="rahasia-Loket1"):
    page = new_page(1366, 768)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    violations = watch_csp(page)  # what the Content-Security-Policy blocked: checked at the end of each test
    _at_counter(page, server, 1, username, password)
    page.get_by_role("tab", name="Status KTP\u2011el").click()
    expect(page.locator("#status-panel")).to_be_visible()
    expect(page.locator("#queue-panel")).to_be_hidden()
    return page, urls, violations


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name))


def test_staff_find_a_record_change_its_status_and_see_the_history(office, new_page):
    page, urls, violations = open_status_tab(new_page, office)
    expect(page.locator("#import-form")).to_have_count(0)  # the upload is for admins only
    # The call keys do nothing on this tab: a waiting resident is not called by typing.
    office.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    page.locator("#find-title").click()
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    assert office.get("/api/queue").json()["counters"][0]["ticket"] is None

    page.fill("#find-nik", "620301170890001")
    page.click("#find-form button")
    expect(page.locator("#find-message")).to_have_text("NIK tidak valid: harus 16 angka, tertulis 15")
    page.fill("#find-nik", NOBODY)
    page.click("#find-form button")
    expect(page.locator("#find-message")).to_have_text("Belum ada data status KTP-el untuk NIK ini.")
    expect(page.locator("#record")).to_be_hidden()

    page.fill("#find-nik", "620301 170890 0001")
    page.keyboard.press("Enter")
    expect(page.locator("#record-name")).to_have_text("Budi Santoso")
    expect(page.locator("#record-nik")).to_have_text("620301 170890 0001")
    expect(page.locator("#record-status")).to_have_text("Dalam pengiriman (CARD_SHIPPED)")
    expect(page.locator("#history-body tr")).to_have_count(1)

    page.select_option("#change-status", "READY_FOR_PICKUP")
    page.fill("#change-note", "kartu sampai, rak B")
    page.click("#change-form button")
    expect(page.locator("#find-message")).to_have_text("Status disimpan: Siap diambil (READY_FOR_PICKUP).")
    expect(page.locator("#record-status")).to_have_text("Siap diambil (READY_FOR_PICKUP)")
    expect(page.locator("#history-body tr")).to_have_count(2)
    latest = page.locator("#history-body tr").first.locator("td")
    expect(latest.nth(1)).to_have_text("petugas")
    expect(latest.nth(2)).to_have_text("Siap diambil (READY_FOR_PICKUP)")
    expect(latest.nth(3)).to_have_text("kartu sampai, rak B")
    expect(page.locator("#history-body tr").last.locator("td").nth(1)).to_have_text("impor SIAK")
    shot(page, "counter-status-find.png")

    stored = status_store.get_application(office.runtime.db, BUDI)
    assert (stored["status"], stored["note"], stored["updated_by"]) == (
        "READY_FOR_PICKUP",
        "kartu sampai, rak B",
        "petugas",
    )
    assert [(h["by"], h["status"]) for h in status_store.application_history(office.runtime.db, BUDI)] == [
        ("import", "CARD_SHIPPED"),
        ("petugas", "READY_FOR_PICKUP"),
    ]
    assert [url for url in urls if BUDI in url or NOBODY in url or "620301" in url] == []

    page.get_by_role("tab", name="Antrean").click()  # back to the queue: the call keys work again
    expect(page.locator("#queue-panel")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#ticket")).to_have_attribute("data-status", "called")
    assert violations == []


def test_staff_paste_a_batch_and_see_the_report(office, new_page):
    page, urls, violations = open_status_tab(new_page, office)
    page.fill("#find-nik", AGUS)
    page.click("#find-form button")
    expect(page.locator("#record-status")).to_have_text("Siap dicetak (PRINT_READY_RECORD)")
    page.fill("#ready-niks", "\n".join([BUDI, SITI, "620301 030585 0003", f"{NOBODY}, 620301570890000", BUDI]))
    page.fill("#ready-note", "kiriman blanko 29-11-2026")
    page.click("#ready-form button")
    expect(page.locator("#ready-counts")).to_have_text(
        "2 diubah menjadi siap diambil, 1 sudah siap sebelumnya, 1 tidak dikenal, 1 tidak valid, 1 berulang."
    )
    outcomes = page.locator("#ready-body tr").evaluate_all("rows => rows.map(r => r.dataset.outcome)")
    assert outcomes == ["updated", "already_ready", "updated", "unknown", "invalid", "duplicate"]
    expect(page.locator("#ready-body tr").nth(4)).to_contain_text("NIK tidak valid: harus 16 angka, tertulis 15")
    expect(page.locator("#ready-niks")).to_have_value("")
    # The record on screen was in the batch: it shows its new status.
    expect(page.locator("#record-status")).to_have_text("Siap diambil (READY_FOR_PICKUP)")
    shot(page, "counter-status-batch.png")
    assert page.evaluate(CONTRAST_PROBLEMS)["problems"] == []  # WCAG AA, as the other screens
    db = office.runtime.db
    assert [status_store.get_application(db, nik)["status"] for nik in (BUDI, SITI, AGUS, DEWI)] == [
        "READY_FOR_PICKUP",
        "READY_FOR_PICKUP",
        "READY_FOR_PICKUP",
        "CARD_PRINTED",
    ]
    assert status_store.get_application(db, AGUS)["note"] == "kiriman blanko 29-11-2026"
    assert [url for url in urls if "620301" in url] == []
    assert violations == []


def test_admin_uploads_a_siak_csv_and_sees_the_report(office, new_page, tmp_path):
    csv_file = tmp_path / "siak-2026-11-29.csv"
    csv_file.write_text(MIXED, encoding="utf-8")
    page, _, violations = open_status_tab(new_page, office, "kepala", "rahasia-Admin1")
    page.click("#import-form button")
    expect(page.locator("#import-message")).to_have_text("Pilih berkas CSV dari SIAK terlebih dahulu.")
    page.set_input_files("#import-file", str(csv_file))
    page.click("#import-form button")
    expect(page.locator("#import-counts")).to_have_text(
        "Diterima 3 baris (baru 1, berubah 2, tetap 0); ditolak 7 baris."
    )
    rows = page.locator("#import-body tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_have_text("4NIK tidak valid: harus 16 angka, tertulis 15")
    expect(rows.nth(3)).to_have_text("7NIK berulang (pertama di baris 2).")
    page.fill("#find-nik", BUDI)
    page.click("#find-form button")
    expect(page.locator("#history-body tr").first.locator("td").nth(1)).to_have_text("kepala (impor SIAK)")
    shot(page, "counter-status-import.png")
    assert page.evaluate(CONTRAST_PROBLEMS)["problems"] == []
    assert status_store.get_application(office.runtime.db, BUDI)["status"] == "READY_FOR_PICKUP"

    page.set_input_files("#import-file", {"name": "foto.csv", "mimeType": "text/csv", "buffer": b"\x89PNG\r\n\xff"})
    page.click("#import-form button")
    expect(page.locator("#import-message")).to_have_text(
        "Berkas bukan teks UTF-8. Ekspor ulang dari SIAK sebagai CSV UTF-8."
    )
    expect(page.locator("#import-report")).to_be_hidden()
    assert violations == []


WAHYU = "6203010101800005"  # never recorded
RINA = "6203014203950006"  # recording failed


def test_a_batch_report_names_each_refused_record_and_its_status(office, new_page):
    runtime = office.runtime
    for nik, name, born, status in (
        (WAHYU, "Wahyu Hidayat", "1980-01-01", "UNREGISTERED"),
        (RINA, "Rina Wati", "1995-03-02", "ENROLL_FAILURE_AT_CENTRAL"),
    ):
        record = check_application(nik, KK, name, born, status, "", runtime.now().date())
        status_store.save_application(runtime.db, record, SEEDED_AT, "import", "import")
    page, urls, violations = open_status_tab(new_page, office)
    page.fill("#ready-niks", "\n".join([WAHYU, BUDI, RINA]))
    page.click("#ready-form button")
    expect(page.locator("#ready-counts")).to_have_text("1 diubah menjadi siap diambil, 2 ditolak karena statusnya.")
    rows = page.locator("#ready-body tr")
    expect(rows.nth(0)).to_have_text(
        "1620301 010180 0005Ditolak Status saat ini Belum rekam (UNREGISTERED): kartu belum dapat ada di kantor; "
        "tidak diubah."
    )
    expect(rows.nth(2)).to_contain_text("Ditolak Status saat ini Perlu rekam ulang (ENROLL_FAILURE_AT_CENTRAL)")
    shot(page, "counter-status-batch-refused.png")
    assert page.evaluate(CONTRAST_PROBLEMS)["problems"] == []
    assert [status_store.get_application(runtime.db, nik)["status"] for nik in (WAHYU, BUDI, RINA)] == [
        "UNREGISTERED",
        "READY_FOR_PICKUP",
        "ENROLL_FAILURE_AT_CENTRAL",
    ]
    assert [url for url in urls if "620301" in url] == []
    assert violations == []


def test_a_served_pickup_ticket_hands_the_card_over_from_the_queue_tab(office, new_page):
    page = new_page(1366, 768)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    violations = watch_csp(page)
    _at_counter(page, office, 2)
    office.post("/api/tickets", json={"service": "INFO"}).raise_for_status()
    page.click("[data-action='next']")
    expect(page.locator("#ticket-number")).to_have_text("F-001")
    expect(page.locator("#handover-form")).to_be_hidden()  # not a pickup ticket
    page.click("[data-action='done']")
    office.post("/api/tickets", json={"service": "AMBIL"}).raise_for_status()
    page.click("[data-action='next']")
    expect(page.locator("#ticket-number")).to_have_text("C-001")
    page.click("[data-action='serve']")
    expect(page.locator("#handover-form")).to_be_visible()
    page.fill("#handover-nik", BUDI)  # card still on its way: refused, naming the status
    page.click("#handover-form button")
    expect(page.locator("#message")).to_have_text(
        "KTP-el ini belum siap diambil: status saat ini Dalam pengiriman (CARD_SHIPPED). Tidak diubah."
    )
    page.fill("#handover-nik", "620301 570890 0002")
    page.click("#handover-form button")
    expect(page.locator("#message")).to_have_text("KTP-el Siti Aminah tercatat sudah diterima (antrean C-001).")
    shot(page, "counter-handover.png")
    for selector in ("#handover-form", "[data-action='reprint']"):  # the form pushes no action off the screen
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 768, selector
    assert status_store.get_application(office.runtime.db, SITI)["status"] == "CARD_ISSUED"
    page.click("[data-action='done']")
    expect(page.locator("#handover-form")).to_be_hidden()
    assert [url for url in urls if "620301" in url] == []
    assert violations == []


def test_a_slow_answer_to_an_earlier_action_never_covers_the_handovers_message(office, new_page):
    # "Mulai layani" answers late (the screen already shows the ticket serving, from the live update); the
    # handover typed meanwhile answers first. The message line must end with the handover's words.
    page = new_page(1366, 768)
    _at_counter(page, office, 2)
    office.post("/api/tickets", json={"service": "AMBIL"}).raise_for_status()
    page.click("[data-action='next']")
    expect(page.locator("#ticket-number")).to_have_text("C-001")
    hold_next_answer(page, "/serve", 2500)
    page.click("[data-action='serve']")
    expect(page.locator("#handover-form")).to_be_visible()  # from the live update: the answer is still held
    page.fill("#handover-nik", BUDI)
    page.click("#handover-form button")
    refused = "KTP-el ini belum siap diambil: status saat ini Dalam pengiriman (CARD_SHIPPED). Tidak diubah."
    expect(page.locator("#message")).to_have_text(refused)
    wait_for_late_answer(page)
    assert page.inner_text("#message") == refused
