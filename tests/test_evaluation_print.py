"""The evaluation pack's disruption minutes (a scripted year of disruptions on the app's clock, read back as JSON
and with openpyxl from the workbook: exactly the script's minutes) and its A4 page at /admin/evaluation."""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import pytest

from kiosk.files.evaluation import SHEETS
from tests.conftest import JAKARTA, Clock
from tests.support import add_staff, make_app

# (start, end or None, service or None = all, reason) -> minutes per month of 2026
SCRIPT = [
    ("2025-12-31 23:00", "2026-01-01 01:00", None, "network"),  # 60 in 2025, 60 in January
    ("2026-02-03 09:00", "2026-02-03 10:30", None, "power"),  # 90
    ("2026-03-31 14:00", "2026-04-01 09:00", "REKAM", "blanko"),  # 600 in March, 540 in April
    ("2026-12-31 16:00", None, "REKAM", "staff"),
]  # still going on: 480 up to the year's end
MINUTES_2026 = [60, 90, 600, 540, 0, 0, 0, 0, 0, 0, 0, 480]
MONTHS = (
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
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def login(app, username="kepala", password="rahasia-Admin1"):
    client = app.test_client()
    answer = client.post("/api/login", json={"username": username, "password": password})
    assert answer.status_code == 200
    return client, {"X-CSRF-Token": answer.get_json()["csrf_token"]}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    clock = Clock(at("2025-12-01 08:00"))
    app = make_app(tmp_path_factory.mktemp("evaluation-print"), clock=clock)
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    for start, end, service, reason in SCRIPT:
        clock.current = at(start)
        staff, headers = login(app, "petugas", "rahasia-Loket1")
        answer = staff.post(
            "/api/disruptions", json={"service": service, "reason": reason, "note": ""}, headers=headers
        )
        assert answer.status_code == 201, answer.get_json()
        if end:
            clock.current = at(end)
            staff, headers = login(app, "petugas", "rahasia-Loket1")
            number = answer.get_json()["disruption"]["id"]
            assert staff.post(f"/api/disruptions/{number}/end", headers=headers).status_code == 200
    clock.current = at("2027-01-05 10:00")
    yield app
    app.extensions["kiosk"].stop()


def test_disruption_minutes_per_month_match_the_script_in_json_and_workbook(office):
    admin, _ = login(office)
    days = admin.get("/api/reports/evaluation?year=2026").get_json()["service_days"]
    assert days["disruptions_recorded"] is True
    assert [month["disruption_minutes"] for month in days["months"]] == MINUTES_2026
    assert days["disruption_minutes"] == sum(MINUTES_2026) == 1770

    book = openpyxl.load_workbook(io.BytesIO(admin.get("/api/reports/evaluation.xlsx?year=2026").data))
    sheet = book[SHEETS["service_days"]]
    rows = {row[0]: row[3] for row in sheet.iter_rows(values_only=True) if row and row[0] in (*MONTHS, "Jumlah")}
    assert [rows[name] for name in MONTHS] == MINUTES_2026
    assert rows["Jumlah"] == 1770
    assert not any("belum dicatat" in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def test_a_year_before_the_first_disruption_counts_only_its_own_minutes(office):
    admin, _ = login(office)
    days = admin.get("/api/reports/evaluation?year=2025").get_json()["service_days"]
    assert [month["disruption_minutes"] for month in days["months"]] == [0] * 11 + [60]


def test_without_any_disruption_recorded_the_minutes_stay_null(tmp_path):
    app = make_app(tmp_path)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    try:
        admin, _ = login(app)
        days = admin.get("/api/reports/evaluation?year=2026").get_json()["service_days"]
        assert (days["disruptions_recorded"], days["disruption_minutes"]) == (False, None)
        assert {month["disruption_minutes"] for month in days["months"]} == {None}
        page = admin.get("/admin/evaluation?year=2026").get_data(as_text=True)
        assert "Gangguan layanan belum dicatat oleh aplikasi." in page
    finally:
        app.extensions["kiosk"].stop()


def test_the_a4_page_shows_the_same_figures_for_admins_only(office):
    admin, _ = login(office)
    answer = admin.get("/admin/evaluation?year=2026")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Paket evaluasi pelayanan publik tahun 2026" in page
    for aspect in ("Aspek: Kebijakan Pelayanan", "Aspek: Konsultasi dan Pengaduan", "Aspek: Sarana Prasarana"):
        assert aspect in page
    assert '<td class="num" id="disruption-total">1.770</td>' in page
    assert '<tr data-month="3"><td>Maret</td>' in page and '<td class="num">600</td></tr>' in page
    assert 'href="/api/reports/evaluation.xlsx?year=2026"' in page

    assert admin.get("/admin/evaluation?year=20x6").status_code == 400
    assert "Tahun harus 2000-2100" in admin.get("/admin/evaluation?year=1999").get_data(as_text=True)
    counter, _ = login(office, "petugas", "rahasia-Loket1")
    assert counter.get("/admin/evaluation").status_code == 403
    assert office.test_client().get("/admin/evaluation").status_code in (302, 303)


def test_the_a4_page_in_english_has_the_same_figures_and_no_indonesian_words(office):
    admin, _ = login(office)
    indonesian = admin.get("/admin/evaluation?year=2026").get_data(as_text=True)
    assert admin.get("/admin/evaluation?year=2026&lang=xx").get_data(as_text=True) == indonesian  # unknown: Indonesian
    page = admin.get("/admin/evaluation?year=2026&lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and '<html lang="id">' in indonesian
    assert "Public service evaluation pack for 2026" in page
    for aspect in ("Aspect: Service policy", "Aspect: Consultation and complaints", "Aspect: Facilities and"):
        assert aspect in page
    assert '<td class="num" id="disruption-total">1,770</td>' in page
    assert '<tr data-month="3"><td>March</td>' in page and '<td class="num">600</td></tr>' in page
    assert '<tr data-category="conduct"><td>Staff conduct</td>' in page
    assert '<tr data-code="REKAM"><td>KTP-el Enrolment</td><td>15 minutes after your number is called</td>' in page
    assert "<td>Free</td>" in page and "<td>Gratis</td>" in indonesian
    assert 'Counted through</dt><dd id="evaluation-through">31 December 2026</dd>' in page
    assert '<input type="hidden" name="lang" value="en">' in page  # choosing another year stays in English
    assert 'href="/admin/evaluation?year=2026&amp;lang=id" lang="id"' in page
    visible = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])
    spelt_alike = ("April", "September", "November")
    for word in (
        *(m for m in MONTHS if m not in spelt_alike),
        "Aspek",
        "Jumlah",
        "Triwulan",
        "Bulan",
        "Tahun",
        "belum",
        "Dibuat",
    ):
        assert word not in visible, word
