"""The report page in real Chromium: an admin opens it on weeks of history, every chart is drawn, nothing
leaves the machine, the CSP blocks nothing, and its A4 print renders to a PDF with the office and the figures."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk import cli
from tests.browser.test_contrast import assert_all_pass, measure
from tests.browser.test_security import watch_csp

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")
CHARTS = {  # chart image -> series (legend) or bars it must draw
    "chart-hourly": ["Diambil", "Dilayani"],
    "chart-waits": ["Median", "P90", "Perekaman KTP-el"],
    "chart-no-show": ["Perekaman KTP-el", "Aktivasi IKD"],
    "chart-trend": ["Diambil", "Dilayani", "Tidak hadir"],
    "chart-weekday": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat"],
}
A4_POINTS = (595, 842)


@pytest.fixture
def office_with_history(live_server):
    """The live office with the demo's four weeks of history before today."""
    cli._seed_demo_history(live_server.runtime)
    return live_server


def open_report(page, server, query: str = "") -> None:
    page.goto(f"{server.url}/login?next=/admin/reports{query}")
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}/admin/reports**")
    page.wait_for_load_state("load")


def test_an_admin_sees_every_chart_drawn_with_nothing_from_outside(office_with_history, new_page):
    server = office_with_history
    page = new_page(1366, 768, locale="id-ID")
    violations = watch_csp(page)
    open_report(page, server)
    assert page.inner_text("#report-office") == server.runtime.settings.office.name
    issued = page.inner_text("#total-issued")
    assert int(issued.replace(".", "")) > 1000  # four weeks of a small office
    for ident, names in CHARTS.items():
        chart = page.locator(f"#{ident}")
        chart.scroll_into_view_if_needed()
        drawn = page.evaluate(
            "(id) => { const img = document.getElementById(id);"
            " return [img.complete, img.naturalWidth, img.getBoundingClientRect().width]; }",
            ident,
        )
        assert drawn[0] and drawn[1] > 0 and drawn[2] > 300, (ident, drawn)
        svg = base64.b64decode(chart.get_attribute("src").split(",", 1)[1]).decode()
        assert "<script" not in svg
        assert [name for name in names if f">{name}<" not in svg] == [], ident
    assert violations == []
    if SCREENSHOTS:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SCREENSHOTS) / "report-1366x768.png"))
    # new_page asserts that no request left 127.0.0.1


def test_the_a4_print_holds_the_office_header_and_the_figures(office_with_history, new_page, tmp_path):
    server = office_with_history
    page = new_page(1366, 768, locale="id-ID")
    open_report(page, server)
    figures = [page.inner_text(f"#{ident}") for ident in ("total-issued", "total-served", "total-no-show")]
    period = page.inner_text("#report-period-text")
    page.emulate_media(media="print")
    assert page.is_hidden("#report-period") and page.is_hidden(".report-head")  # no form or navigation on paper
    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert 2 <= len(reader.pages) <= 4
    for sheet in reader.pages:  # A4 portrait, 210 x 297 mm (Chromium rounds to its own pixel grid)
        size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
        assert abs(size[0] - A4_POINTS[0]) < 2 and abs(size[1] - A4_POINTS[1]) < 2, size
    first = " ".join(reader.pages[0].extract_text().split())
    assert first.startswith(server.runtime.settings.office.name + " Laporan antrean KTP-el")
    assert f"Periode: {period}" in first
    assert all(figure in first for figure in figures), (figures, first[:400])
    text = " ".join(" ".join(sheet.extract_text().split()) for sheet in reader.pages)
    for heading in (
        "Nomor diambil dan dilayani per jam",
        "Lama menunggu per layanan",
        "Tidak hadir per layanan",
        "Tren 30 hari",
        "Jam tersibuk per hari",
    ):
        assert text.count(heading) == 1, heading  # every section printed, once
    if SCREENSHOTS:
        (tmp_path / "report.pdf").write_bytes(pdf)
        if shutil.which("pdftoppm"):  # the pages as printed
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", str(tmp_path / "report.pdf"), str(Path(SCREENSHOTS) / "report-a4")],
                check=True,
            )
        else:
            page.screenshot(path=str(Path(SCREENSHOTS) / "report-a4-print.png"), full_page=True)


def test_the_admin_page_opens_the_report_of_the_chosen_period(office_with_history, new_page):
    server = office_with_history
    page = new_page(1366, 768)
    page.goto(f"{server.url}/login?next=/admin")
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_url(server.url + "/admin")
    page.fill("#report-form [name=from]", "2026-11-02")
    page.fill("#report-form [name=to]", "2026-11-06")
    page.click("#report-show")
    page.wait_for_url(f"{server.url}/admin/reports?from=2026-11-02&to=2026-11-06")
    assert page.inner_text("#report-period-text") == "2 November 2026 s.d. 6 November 2026"
    assert page.get_attribute("#download-xlsx", "href") == "/api/reports/range.xlsx?from=2026-11-02&to=2026-11-06"
    page.click("text=Kembali ke admin")
    page.wait_for_url(server.url + "/admin")
    page.click("#report-page-link")
    page.wait_for_url(server.url + "/admin/reports")
    page.wait_for_selector("#chart-trend")


def test_the_report_page_meets_wcag_aa_contrast_on_screen_and_in_print(office_with_history, new_page):
    server = office_with_history
    page = new_page(1366, 768)
    open_report(page, server)
    results: dict[str, list[str]] = {}
    measure(page, "report page", results, "Jam tersibuk per hari")
    page.emulate_media(media="print")
    measure(page, "report page, print", results, "Laporan antrean KTP-el")
    assert_all_pass(results)


# ---------------------------------------------------------------- charts: labels apart, bars within their scale


def _hourly(hours) -> dict:
    return {"hourly": [{"hour": hour, "issued": 40 + 7 * (hour % 5), "served": 37 + 5 * (hour % 4)} for hour in hours]}


LABEL_BOXES = """() => [...document.querySelectorAll('g.axis.x text')]
    .filter(t => !t.closest('.x.title') && !t.classList.contains('title') && t.textContent.trim())
    .map(t => { const r = t.getBoundingClientRect(); return {text: t.textContent, x: r.x, y: r.y, w: r.width,
                                                               h: r.height}; })"""
VALUE_LABELS = """(axis) => [...document.querySelectorAll(`g.axis.${axis} .guides text`)]
    .map(t => parseFloat(t.textContent.replace(/\\./g, '').replace(',', '.'))).filter(v => !isNaN(v))"""


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x"] < b["x"] + b["w"] - 0.5
        and b["x"] < a["x"] + a["w"] - 0.5
        and a["y"] < b["y"] + b["h"] - 0.5
        and b["y"] < a["y"] + a["h"] - 0.5
    ]


@pytest.mark.parametrize("hours", [range(8, 16), range(7, 18), range(0, 24)], ids=["8h", "11h", "24h"])
@pytest.mark.parametrize("scale", [1.0, 0.45], ids=["screen", "a4"])  # on A4 the chart prints at ~45 %
def test_hour_labels_never_run_together(new_page, hours, scale):
    from kiosk.files.charts import hourly_chart, weekday_chart

    page = new_page(1366, 768)
    week = {
        "week": {"hours": list(hours), "rows": [{"weekday": "Senin", "days": 4, "averages": [float(h) for h in hours]}]}
    }
    for chart in (hourly_chart(_hourly(hours)), weekday_chart(week)):
        svg = chart.svg.split("?>", 1)[-1]
        page.set_content(f'<div style="width:{int(720 * scale)}px">{svg}</div>')
        page.evaluate(
            "() => { const s = document.querySelector('svg'); s.style.width = '100%'; s.style.height = 'auto'; }"
        )
        boxes = page.evaluate(LABEL_BOXES)
        assert len(boxes) >= len(hours) // 2, chart.name  # every label, or every other on a full day
        assert _overlapping(boxes) == [], (chart.name, [b["text"] for b in boxes])


def test_no_bar_or_point_runs_past_the_last_guide_of_its_scale(new_page):
    from kiosk.files.charts import hourly_chart, no_show_chart, trend_chart, wait_chart, weekday_chart

    services = [
        {
            "name": name,
            "issued": issued,
            "served": issued - 3,
            "no_show": 3,
            "median_wait_minutes": median,
            "p90_wait_minutes": p90,
            "no_show_percent": percent,
        }
        for name, issued, median, p90, percent in (
            ("Perekaman KTP-el", 484, 13.9, 57.9, 6.8),
            ("Informasi", 291, 1.9, 9.8, 7.2),
        )
    ]
    figures = {
        **_hourly(range(8, 16)),
        "active_services": services,
        "trend": [{"date": f"2026-11-{day:02d}", "issued": 146, "served": 134, "no_show": 17} for day in range(1, 31)],
        "week": {"hours": [8, 9, 10], "rows": [{"weekday": "Senin", "days": 4, "averages": [25.8, 35.5, 28.5]}]},
    }
    page = new_page(1366, 768)
    busiest_hour = max(value for row in figures["hourly"] for value in (row["issued"], row["served"]))
    for chart, axis, top in (
        (hourly_chart(figures), "y", busiest_hour),
        (wait_chart(figures), "x", 57.9),
        (no_show_chart(figures), "x", 7.2),
        (trend_chart(figures), "y", 146),
        (weekday_chart(figures), "y", 35.5),
    ):
        page.set_content(chart.svg.split("?>", 1)[-1])
        labels = page.evaluate(VALUE_LABELS, axis)
        assert labels and max(labels) >= top, (chart.name, labels, top)
