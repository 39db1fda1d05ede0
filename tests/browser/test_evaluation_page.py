"""The yearly evaluation pack as an A4 page (/admin/evaluation) in real Chromium: axe-clean on screen, printed
to PDF on A4 paper with every aspect's section and no navigation; screenshots of screen and print."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import problems as _problems
from tests.support import log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save screenshots there (docs/screenshots)
A4_POINTS = (595.3, 841.9)  # 210 x 297 mm at 72 points per inch


def test_the_evaluation_pack_prints_on_a4_with_every_aspect(live_server, new_page):
    headers = live_server.login()
    answer = live_server.post(
        "/api/disruptions", json={"service": None, "reason": "power", "note": ""}, headers=headers
    )
    assert answer.status_code == 201
    page = new_page(1366, 900)
    log_in(page, live_server.url, "/admin/evaluation", "kepala", "rahasia-Admin1")
    year = page.locator("#evaluation-year-text").inner_text()
    expect(page.locator("h2")).to_have_text(
        [
            "Standar Pelayanan dan Maklumat Pelayanan",
            "Survei Kepuasan Masyarakat (SKM) per triwulan",
            "Pengaduan diterima dan ditangani per jenis dan bulan",
            "Hari layanan dan gangguan layanan per bulan",
        ]
    )
    expect(page.locator("#download-xlsx")).to_have_attribute("href", f"/api/reports/evaluation.xlsx?year={year}")
    assert _problems(page) == []
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/admin-evaluation.png", full_page=True)

    page.emulate_media(media="print")
    expect(page.locator("#evaluation-year")).to_be_hidden()  # the form and the navigation stay off paper
    expect(page.locator(".report-title h1")).to_have_text(f"Paket evaluasi pelayanan publik tahun {year}")
    pdf = page.pdf(format="A4", print_background=True)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 2 <= pages <= 5, pages
    boxes = [[float(v) for v in box.decode().split()[2:]] for box in re.findall(rb"/MediaBox \[([^\]]+)\]", pdf)]
    assert boxes and all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in boxes), boxes
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/admin-evaluation-print.png", full_page=True)


def test_the_evaluation_pack_in_english_is_axe_clean_and_still_prints_on_a4(live_server, new_page):
    page = new_page(1366, 900)
    log_in(page, live_server.url, "/admin/evaluation", "kepala", "rahasia-Admin1")
    page.locator(".lang-switch a[lang=en]").click()
    page.wait_for_url("**/admin/evaluation?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h2")).to_have_text(
        [
            "Service standards and the service pledge (Maklumat Pelayanan)",
            "Community satisfaction survey (SKM) per quarter",
            "Complaints received and handled per category and month",
            "Service days and service disruptions per month",
        ]
    )
    expect(page.locator("#table-days tbody tr").first.locator("td").first).to_have_text("January")
    expect(page.locator("#table-complaint-categories thead th").last).to_have_text("Within the deadline")
    year = page.locator("#evaluation-year-text").inner_text()
    page.fill("#evaluation-year input[name=year]", str(int(year) - 1))
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(f"**/admin/evaluation?year={int(year) - 1}&lang=en")  # another year stays in English
    expect(page.locator(".ev-aspect").first).to_have_text("Aspect: Service policy")
    assert _problems(page) == []
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/admin-evaluation-en.png", full_page=True)

    page.emulate_media(media="print")
    expect(page.locator(".lang-switch")).to_be_hidden()
    expect(page.locator(".report-title h1")).to_have_text(f"Public service evaluation pack for {int(year) - 1}")
    pdf = page.pdf(format="A4", print_background=True)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 2 <= pages <= 5, pages
    boxes = [[float(v) for v in box.decode().split()[2:]] for box in re.findall(rb"/MediaBox \[([^\]]+)\]", pdf)]
    assert boxes and all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in boxes), boxes
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/admin-evaluation-en-print.png", full_page=True)
