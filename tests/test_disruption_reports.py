"""Disruption minutes in the month report: the /admin/reports screen, the period's Excel workbook (sheet
"Gangguan") and /api/reports/disruptions.csv; and the staff list of waiting tickets a disruption holds."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.test_disruptions import _login, office  # noqa: F401 (the fixture)

PERIOD = "from=2026-11-01&to=2026-11-30"


def _disrupt(app, clock, body, minutes):
    staff, headers = _login(app)
    started = staff.post("/api/disruptions", json=body, headers=headers)
    assert started.status_code == 201
    clock.advance(minutes=minutes)
    assert (
        staff.post(f"/api/disruptions/{started.get_json()['disruption']['id']}/end", headers=headers).status_code == 200
    )


def test_the_month_report_shows_disruption_minutes_per_service_and_reason(office, clock):  # noqa: F811
    _disrupt(office, clock, {"service": "REKAM", "reason": "blanko"}, 45)
    _disrupt(office, clock, {"service": None, "reason": "power"}, 30)
    admin, _ = _login(office, "kepala", "rahasia-Admin1")

    page = admin.get(f"/admin/reports?{PERIOD}").get_data(as_text=True)
    assert 'data-code="REKAM" data-reason="blanko"><td>Perekaman KTP-el</td><td>Blanko KTP-el habis</td>' in page
    assert 'data-code="CETAK" data-reason="power"><td>Pencetakan KTP-el</td><td>Listrik padam</td>' in page
    assert "/api/reports/disruptions.csv?from=2026-11-01&amp;to=2026-11-30&amp;dialect=excel-id" in page

    rows = list(csv.DictReader(io.StringIO(admin.get(f"/api/reports/disruptions.csv?{PERIOD}").get_data(as_text=True))))
    assert [(r["service"], r["reason"], r["disruptions"], r["minutes"]) for r in rows][:3] == [
        ("REKAM", "blanko", "1", "45"),
        ("REKAM", "power", "1", "30"),
        ("CETAK", "power", "1", "30"),
    ]
    excel = admin.get(f"/api/reports/disruptions.csv?{PERIOD}&dialect=excel-id").get_data(as_text=True)
    assert excel.splitlines()[0] == "\ufeffKode;Layanan;Alasan;Keterangan;Kali;Menit"
    assert excel.splitlines()[1] == "REKAM;Perekaman KTP-el;blanko;Blanko KTP-el habis;1;45"

    book = load_workbook(io.BytesIO(admin.get(f"/api/reports/range.xlsx?{PERIOD}").data))
    sheet = book["Gangguan"]
    values = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert values[3] == ("Layanan", "Alasan", "Kali", "Menit")
    assert values[4] == ("Perekaman KTP-el", "Blanko KTP-el habis", 1, 45)


def test_a_period_without_disruptions_says_so(office):  # noqa: F811
    admin, _ = _login(office, "kepala", "rahasia-Admin1")
    assert "Tidak ada gangguan dalam periode ini." in admin.get(f"/admin/reports?{PERIOD}").get_data(as_text=True)
    assert (
        admin.get(f"/api/reports/disruptions.csv?{PERIOD}").get_data(as_text=True)
        == "service,reason,label,disruptions,minutes\r\n"
    )
    assert admin.get("/api/reports/disruptions.csv?from=2026-11-30&to=2026-11-01").status_code == 400
    counter, _ = _login(office)
    assert counter.get(f"/api/reports/disruptions.csv?{PERIOD}").status_code == 403


def test_staff_see_the_waiting_tickets_of_the_disrupted_services_only(office):  # noqa: F811
    kiosk = office.test_client()
    numbers = [
        kiosk.post("/api/tickets", json={"service": code}).get_json()["ticket"]["number"]
        for code in ("REKAM", "CETAK", "REKAM")
    ]
    staff, headers = _login(office)
    assert staff.get("/api/disruptions/waiting").get_json() == {"services": [], "tickets": []}
    staff.post("/api/disruptions", json={"service": "REKAM", "reason": "equipment"}, headers=headers)
    answer = staff.get("/api/disruptions/waiting").get_json()
    assert answer["services"] == ["REKAM"]
    assert [t["number"] for t in answer["tickets"]] == [numbers[0], numbers[2]]
    assert all("token" not in t for t in answer["tickets"])
    assert kiosk.get("/api/disruptions/waiting").status_code == 401
