"""The admin page in real Chromium against a real waitress server: today's figures live, staff accounts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from tests.support import hold_next_answer, wait_for_late_answer

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")
STRONG = "Tinta-Biru-Kapuas-42"


def _watch_console(page, refusals: tuple[str, ...] = ()) -> list[str]:
    """Collect script errors and console errors (CSP violations among them), bar the expected HTTP refusals."""
    problems: list[str] = []
    expected = tuple(f"the server responded with a status of {status}" for status in refusals)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not any(text in message.text for text in expected)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _figure(page, service: str, figure: str) -> str:
    return page.inner_text(f"#services-body tr[data-service={service}] td[data-figure={figure}]")


def test_admin_sees_today_adds_a_member_and_disables_them_after_confirming(live_server, new_page):
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()

    page = new_page(1366, 768)
    problems = _watch_console(page, refusals=("400",))  # the weak password below
    page.goto(live_server.url + "/admin")
    page.wait_for_url("**/login?next=/admin")
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_url(live_server.url + "/admin")

    # Hari ini: the ticket issued through the API, then one more arriving while the page is open (live).
    page.wait_for_selector("#services-body tr[data-service=REKAM]")
    assert (_figure(page, "REKAM", "issued"), _figure(page, "REKAM", "waiting")) == ("1", "1")
    assert page.inner_text("#admin-name") == "kepala"
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    page.wait_for_function(
        "() => document.querySelector('#services-body tr[data-service=REKAM] td[data-figure=issued]')"
        ".textContent === '2'",
        timeout=10000,
    )
    assert page.inner_text("#total-waiting") == "2"

    # Petugas: add a counter staff member.
    page.fill("#add-staff [name=username]", "budi")
    page.select_option("#add-staff [name=role]", "counter")
    page.fill("#add-staff [name=password]", STRONG)
    page.click("#add-staff button[type=submit]")
    row = "#staff-body tr[data-username=budi]"
    page.wait_for_selector(row)
    assert "Akun budi (Petugas loket) ditambahkan." in page.inner_text("#message")
    assert page.inner_text(f"{row} td.state") == "Aktif"
    assert (
        requests.post(
            live_server.url + "/api/login", json={"username": "budi", "password": STRONG}, timeout=10
        ).status_code
        == 200
    )

    # Reset the password in the dialog: a weak one is refused there, in Indonesian.
    page.click(f"{row} [data-staff-action=password]")
    page.wait_for_selector("#confirm[open] #confirm-password")
    page.fill("#confirm-password", "budi12345678")
    page.click("#confirm-ok")
    page.wait_for_selector("#confirm-error:not([hidden])")
    assert page.inner_text("#confirm-error") == "Kata sandi tidak boleh memuat nama pengguna."
    page.fill("#confirm-password", STRONG + "-baru")
    page.click("#confirm-ok")
    page.wait_for_selector("#confirm", state="hidden")
    assert "Kata sandi budi diganti. 1 sesi diakhiri." in page.inner_text("#message")
    assert (
        requests.post(
            live_server.url + "/api/login", json={"username": "budi", "password": STRONG + "-baru"}, timeout=10
        ).status_code
        == 200
    )
    new_password = STRONG + "-baru"

    # Disable asks first: cancelling changes nothing.
    page.click(f"{row} [data-staff-action=disable]")
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-title") == "Nonaktifkan budi?"
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "admin-confirm-disable.png"))
    page.click("#confirm-cancel")
    page.wait_for_selector("#confirm", state="hidden")
    assert page.inner_text(f"{row} td.state") == "Aktif"

    page.click(f"{row} [data-staff-action=disable]")
    page.wait_for_selector("#confirm[open]")
    page.click("#confirm-ok")
    page.wait_for_selector("#confirm", state="hidden")
    page.wait_for_function(
        "() => document.querySelector('#staff-body tr[data-username=budi] td.state').textContent === 'Nonaktif'"
    )
    assert "Akun budi dinonaktifkan. 1 sesi diakhiri." in page.inner_text("#message")
    actions = page.eval_on_selector_all(f"{row} [data-staff-action]", "els => els.map(e => e.dataset.staffAction)")
    assert actions == ["enable"]  # a disabled account can only be enabled again
    # Riwayat perubahan akun: who created and who disabled budi, newest first.
    # The record is asked for beside the staff list, so it may answer after the state cell changed: wait for
    # the disable itself, not for a row count the record already had before it.
    page.wait_for_function(
        "() => (document.querySelector('#staff-changes-body tr')?.cells[2]?.textContent || '') === 'Dinonaktifkan'"
    )
    rows = page.eval_on_selector_all(
        "#staff-changes-body tr", "rows => rows.map(r => [...r.cells].slice(1).map(c => c.textContent))"
    )
    assert rows[:2] == [["budi", "Dinonaktifkan", "kepala"], ["budi", "Dibuat: Petugas loket", "kepala"]]

    # budi can no longer log in: the login form says so.
    other = new_page(1366, 768)
    other.goto(live_server.url + "/login?next=/counter")
    other.fill("#username", "budi")
    other.fill("#password", new_password)
    other.click("#login-submit")
    other.wait_for_selector("#login-error:not([hidden])")
    assert other.inner_text("#login-error") == "Nama pengguna atau kata sandi salah."
    assert other.url.endswith("/login?next=/counter")

    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "admin-1366x768.png"), full_page=True)
    assert problems == []


def test_counter_staff_opening_admin_get_a_403_page(live_server, new_page):
    page = new_page(1366, 768)
    page.goto(live_server.url + "/login?next=/admin")
    page.fill("#username", "petugas")
    page.fill("#password", "rahasia-Loket1")
    page.click("#login-submit")
    page.wait_for_url(live_server.url + "/admin")
    assert "Halaman ini hanya untuk admin" in page.inner_text("main")
    assert page.query_selector("#services-body") is None


def _login_admin(page, server):
    page.goto(server.url + "/login?next=/admin")
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_url(server.url + "/admin")
    page.wait_for_selector("#rules-body tr[data-service=REKAM]")


def _kiosk_button(kiosk, server, code: str):
    kiosk.goto(server.url + "/kiosk?idle=600")
    kiosk.wait_for_selector(".k-service-btn")
    return kiosk.locator(f".k-service-btn[data-code={code}]")


def test_admin_closes_a_service_the_kiosk_shows_why_then_reopens_it_and_sets_a_quota(live_server, new_page):
    from playwright.sync_api import expect

    page = new_page(1366, 768)
    problems = _watch_console(page)
    _login_admin(page, live_server)
    kiosk = new_page(1080, 1920)
    expect(_kiosk_button(kiosk, live_server, "REKAM")).to_be_enabled()

    rekam = "#rules-body tr[data-service=REKAM]"
    page.click(f"{rekam} [data-rule=close]")
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-title") == "Tutup Perekaman KTP-el hari ini?"
    page.click("#confirm-ok")
    page.wait_for_selector(f"{rekam} [data-rule=open]")
    assert "Perekaman KTP-el ditutup untuk hari ini." in page.inner_text("#message")
    assert page.inner_text(f"{rekam} td:nth-child(5)").startswith("kepala, pukul ")

    button = _kiosk_button(kiosk, live_server, "REKAM")
    expect(button).to_be_disabled()
    expect(button).to_contain_text("ditutup sementara hari ini")
    refused = live_server.post("/api/tickets", json={"service": "REKAM"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "service_closed")

    page.click(f"{rekam} [data-rule=open]")
    page.wait_for_selector(f"{rekam} [data-rule=close]")
    expect(_kiosk_button(kiosk, live_server, "REKAM")).to_be_enabled()
    assert live_server.post("/api/tickets", json={"service": "REKAM"}).status_code == 201

    # Today's quota: 1 ticket for Pencetakan; once taken, the kiosk shows the service full.
    cetak = "#rules-body tr[data-service=CETAK]"
    page.fill(f"{cetak} [data-quota]", "1")
    page.click(f"{cetak} [data-rule=quota]")
    page.wait_for_selector(f"{cetak} [data-rule=quota-default]")
    assert page.input_value(f"{cetak} [data-quota]") == "1"
    assert live_server.post("/api/tickets", json={"service": "CETAK"}).status_code == 201
    expect(_kiosk_button(kiosk, live_server, "CETAK")).to_be_disabled()
    page.click(f"{cetak} [data-rule=quota-default]")
    page.wait_for_selector(f"{cetak} [data-rule=quota-default]", state="detached")
    expect(_kiosk_button(kiosk, live_server, "CETAK")).to_be_enabled()
    assert problems == []


def test_admin_closes_the_office_on_a_date_the_kiosk_says_why_then_removes_it(live_server, new_page):
    from playwright.sync_api import expect

    today = live_server.runtime.today()
    page = new_page(1366, 768)
    problems = _watch_console(page)
    _login_admin(page, live_server)
    page.wait_for_selector("#closed-empty:not([hidden])")

    page.fill("#add-closed [name=date]", today)
    page.fill("#add-closed [name=reason]", "Acara daerah")
    page.click("#add-closed button[type=submit]")
    closed_row = f"#closed-body tr[data-date='{today}']"
    page.wait_for_selector(closed_row)
    assert page.inner_text(f"{closed_row} td:nth-child(2)") == "Acara daerah"
    assert page.inner_text(f"{closed_row} td:nth-child(3)") == "kepala"
    assert page.is_hidden("#closed-empty")
    page.wait_for_function("() => document.querySelector('#services-body tr[data-service=REKAM] td.closed')")

    kiosk = new_page(1080, 1920)
    button = _kiosk_button(kiosk, live_server, "REKAM")
    expect(button).to_be_disabled()
    expect(button).to_contain_text("Tutup")  # the whole office is closed: the reason is said once
    expect(kiosk.locator("#services-note")).to_contain_text("Acara daerah")
    refused = live_server.post("/api/tickets", json={"service": "REKAM"})
    assert refused.status_code == 409

    page.click(f"{closed_row} [data-closed]")
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-title").startswith("Hapus tanggal tutup ")
    page.click("#confirm-ok")
    page.wait_for_selector(closed_row, state="detached")
    expect(_kiosk_button(kiosk, live_server, "REKAM")).to_be_enabled()
    assert live_server.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    assert problems == []


def test_admin_downloads_this_months_report_as_excel_and_csv(live_server, new_page, tmp_path):
    from openpyxl import load_workbook

    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    today = live_server.runtime.today()
    page = new_page(1366, 768, accept_downloads=True)
    problems = _watch_console(page)
    _login_admin(page, live_server)
    page.wait_for_function("() => document.querySelector('#report-form [name=to]').value !== ''")
    assert page.input_value("#report-form [name=from]") == today[:8] + "01"
    assert page.input_value("#report-form [name=to]") == today

    with page.expect_download() as download:
        page.click("#report-form [data-format=xlsx]")
    assert download.value.suggested_filename == f"laporan-antrean-{today[:8]}01-{today}.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    workbook = load_workbook(saved)
    cells = [str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value]
    assert any(live_server.runtime.settings.office.name in value for value in cells)

    with page.expect_download() as download:
        page.click("#report-form [data-format=csv]")
    assert download.value.suggested_filename == f"laporan-antrean-{today[:8]}01-{today}.csv"

    page.fill("#report-form [name=from]", today)
    page.fill("#report-form [name=to]", today[:8] + "01" if today[8:] != "01" else "2000-01-01")
    page.click("#report-form [data-format=xlsx]")
    page.wait_for_selector("#message:not([hidden])")
    assert page.inner_text("#message") == "Tanggal awal tidak boleh sesudah tanggal akhir."
    assert page.url == live_server.url + "/admin"
    assert problems == []


def test_the_admin_page_meets_wcag_aa_contrast(live_server, new_page):
    from tests.browser.test_contrast import assert_all_pass, measure

    headers = live_server.login()
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    live_server.post("/api/counters/1/next", headers=headers).raise_for_status()
    page = new_page(1366, 768)
    _login_admin(page, live_server)
    page.wait_for_selector("#counters-body tr[data-counter='1']")
    page.click("#rules-body tr[data-service=IKD] [data-rule=close]")
    page.click("#confirm-ok")
    page.wait_for_selector("#rules-body tr[data-service=IKD] [data-rule=open]")
    page.click("#staff-body tr[data-username=petugas] [data-staff-action=disable]")
    page.click("#confirm-ok")
    page.wait_for_selector("#staff-body tr[data-username=petugas].disabled")
    results: dict = {}
    measure(page, "admin", results, must_include="Nonaktif")
    page.click("#staff-body tr[data-username=petugas] [data-staff-action=enable]")
    page.wait_for_selector("#confirm[open]")
    measure(page, "admin with the dialog open", results, must_include="Ya, aktifkan")
    assert_all_pass(results)


def test_admin_imports_a_siak_csv_on_the_admin_page_without_picking_a_loket(live_server, new_page, tmp_path):
    from playwright.sync_api import expect

    from tests.test_status_import import MIXED

    csv_file = tmp_path / "siak-2026-11-29.csv"
    csv_file.write_text(MIXED, encoding="utf-8")
    page = new_page(1366, 768)
    problems = _watch_console(page)
    page.goto(live_server.url + "/login?next=/admin")
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_url(live_server.url + "/admin")
    page.click("#siak-form button[type=submit]")
    expect(page.locator("#siak-message")).to_have_text("Pilih berkas CSV dari SIAK terlebih dahulu.")
    page.set_input_files("#siak-file", str(csv_file))
    expect(page.locator("#siak-file-name")).to_have_text("siak-2026-11-29.csv")
    page.click("#siak-form button[type=submit]")
    expect(page.locator("#siak-counts")).to_have_text("Diterima 3 baris (baru 3, berubah 0, tetap 0); ditolak 7 baris.")
    expect(page.locator("#siak-body tr")).to_have_count(7)
    expect(page.locator("#siak-body tr").first).to_have_text("4NIK tidak valid: harus 16 angka, tertulis 15")
    assert live_server.runtime.db.conn.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 3
    if SCREENSHOTS:
        page.locator("#impor-siak").screenshot(path=str(Path(SCREENSHOTS) / "admin-siak-import.png"))
    assert problems == []


def test_a_late_answer_from_before_a_change_does_not_put_back_the_old_rules(live_server, new_page):
    """A live refresh of today's figures can be on its way when the admin closes a service; its answer, from
    before the close, arrived after the close's own reload and put "Buka" and "Tutup hari ini" back."""
    page = new_page(1366, 768)
    _login_admin(page, live_server)
    # The next answer of /api/admin/today reaches the page 1.5 s late (asked at once, so it holds the old state).
    hold_next_answer(page, "/api/admin/today")
    with page.expect_request("**/api/admin/today"):
        live_server.post("/api/tickets", json={"service": "IKD"}).raise_for_status()  # a live event: a refresh
    rekam = "#rules-body tr[data-service=REKAM]"
    page.click(f"{rekam} [data-rule=close]")
    page.click("#confirm-ok")
    page.wait_for_selector(f"{rekam} [data-rule=open]")
    wait_for_late_answer(page)
    assert page.locator(f"{rekam} [data-rule=open]").count() == 1
    assert page.inner_text(f"{rekam} td:nth-child(2)") == "Layanan ini ditutup sementara hari ini."


def test_a_live_refresh_between_pressing_and_releasing_close_does_not_lose_the_press(live_server, new_page):
    """Every live event drew today's rules table anew (any issued number changes a count in it), replacing the
    button under a finger between pressing and releasing it: the press was lost. Rows are now updated in place."""
    from playwright.sync_api import expect

    page = new_page(1366, 768)
    _login_admin(page, live_server)
    close = page.locator("#rules-body tr[data-service=REKAM] [data-rule=close]")
    button = close.element_handle()
    close.hover()
    page.mouse.down()
    with page.expect_response("**/api/admin/today") as answer:
        live_server.post("/api/tickets", json={"service": "IKD"}).raise_for_status()  # a live event: a refresh
    answer.value.finished()
    expect(page.locator("#rules-body tr[data-service=IKD] td:nth-child(3)")).to_have_text("1")  # drawn
    assert button.evaluate("(b) => b.isConnected")
    page.mouse.up()
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-title") == "Tutup Perekaman KTP-el hari ini?"
