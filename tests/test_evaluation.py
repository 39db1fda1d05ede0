"""The yearly evaluation pack: a scripted year of an office on the app's clock, read back as JSON and, with
openpyxl, from the Excel workbook; every figure must match the script exactly."""

from __future__ import annotations

import calendar
import io
from datetime import date, datetime

import openpyxl
import pytest

from kiosk.files.evaluation import SHEETS
from tests.conftest import JAKARTA, Clock
from tests.support import add_staff, make_app

WORKWEEK = {
    **{f"office__hours__{day}": "08:00-15:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    "office__hours__sat": "",
    "office__hours__sun": "",
}
CLOSED = ("2026-03-20", "2026-12-24")  # a Friday and a Thursday


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


class Office:
    """The app on a clock that the script moves; each step logs in afresh (sessions go idle over days)."""

    def __init__(self, tmp_path):
        self.clock = Clock(at("2026-01-02 08:00"))
        self.app = make_app(tmp_path, clock=self.clock, office__observe_national_holidays=False, **WORKWEEK)
        add_staff(self.app)
        add_staff(self.app, "kepala", "rahasia-Admin1", "admin")
        self.kiosk = self.app.test_client()  # 127.0.0.1: a kiosk PC

    def staff(self, username="kepala", password="rahasia-Admin1"):
        client = self.app.test_client()
        answer = client.post("/api/login", json={"username": username, "password": password})
        assert answer.status_code == 200
        return client, {"X-CSRF-Token": answer.get_json()["csrf_token"]}

    def lodge(self, when: str, category: str) -> str:
        self.clock.current = at(when)
        answer = self.kiosk.post("/api/complaints", json={"category": category, "text": f"Pengaduan {category}"})
        assert answer.status_code == 201
        return answer.get_json()["complaint"]["code"]

    def answer(self, when: str, code: str, **extra) -> None:
        self.clock.current = at(when)
        admin, headers = self.staff()
        answer = admin.post(
            f"/api/complaints/{code}/answer", json={"text": "Sudah ditindaklanjuti.", **extra}, headers=headers
        )
        assert answer.status_code == 200

    def serve_and_survey(self, when: str, scores: list[int]) -> None:
        """Issue REKAM tickets, serve them at loket 1 and let each holder answer the survey with one score."""
        self.clock.current = at(when)
        counter, headers = self.staff("petugas", "rahasia-Loket1")
        for score in scores:
            ticket = self.kiosk.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
            called = counter.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
            assert counter.post(f"/api/tickets/{called['id']}/done", headers=headers).status_code == 200
            answered = self.app.test_client().post(
                "/api/surveys", json={"token": ticket["token"], "answers": [score] * 9}
            )
            assert answered.status_code == 201


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Script 2026, then read the pack on Tuesday 5 January 2027 at 10.00: (JSON, workbook)."""
    office = Office(tmp_path_factory.mktemp("evaluation"))
    admin, headers = office.staff()
    for day in CLOSED:
        assert (
            admin.put(f"/api/admin/closed-dates/{day}", json={"reason": "Cuti bersama"}, headers=headers).status_code
            == 201
        )
    first = office.lodge("2026-01-05 09:00", "info")  # due Tue 6 Jan 15.00
    office.serve_and_survey("2026-01-05 09:30", [4, 3])
    office.answer("2026-01-06 14:00", first)  # in time
    second = office.lodge("2026-01-09 10:00", "service")  # Fri: due Fri 16 Jan 15.00
    office.answer("2026-01-19 10:00", second)  # late
    third = office.lodge("2026-03-19 10:00", "info")  # Thu; Fri 20 closed, weekend: due Mon 23 Mar 15.00
    office.answer("2026-03-23 15:00", third)  # at the deadline itself: in time
    office.lodge("2026-03-25 10:00", "conduct")  # never answered: overdue
    office.clock.current = at("2026-04-01 10:00")
    admin, headers = office.staff()
    services = admin.get("/api/admin/settings").get_json()["services"]
    services[0]["cost"] = "Gratis, tanpa pungutan apa pun"
    assert admin.patch("/api/admin/settings", json={"services": services}, headers=headers).status_code == 200
    office.clock.current = at("2026-06-10 10:00")
    staff, headers = office.staff("petugas", "rahasia-Loket1")  # lodged by staff for a resident at the counter
    sixth = staff.post(
        "/api/complaints", json={"category": "service", "text": "Antrean tidak dipanggil urut"}, headers=headers
    ).get_json()["complaint"]["code"]
    office.answer("2026-06-11 09:00", sixth, lapor_ref="2606-11-0042")
    office.serve_and_survey("2026-07-06 09:00", [4])
    office.lodge("2026-12-30 10:00", "other")  # due Wed 6 Jan 2027 15.00: still open when the pack is read

    office.clock.current = at("2027-01-04 09:00")  # a change of the next year is not in this year's pack
    admin, headers = office.staff()
    services = admin.get("/api/admin/settings").get_json()["services"]
    services[0]["cost"] = "Gratis (2027)"
    assert admin.patch("/api/admin/settings", json={"services": services}, headers=headers).status_code == 200

    office.clock.current = at("2027-01-05 10:00")
    admin, _ = office.staff()
    pack = admin.get("/api/reports/evaluation?year=2026")
    assert pack.status_code == 200
    workbook = admin.get("/api/reports/evaluation.xlsx?year=2026")
    assert workbook.status_code == 200
    assert workbook.headers["Content-Disposition"] == 'attachment; filename="evaluasi-pelayanan-2026.xlsx"'
    yield pack.get_json(), openpyxl.load_workbook(io.BytesIO(workbook.data))
    office.app.extensions["kiosk"].stop()


COUNTS = ("received", "answered_on_time", "answered_late", "overdue", "open")
BY_CATEGORY = {
    "info": (2, 2, 0, 0, 0),
    "service": (2, 1, 1, 0, 0),
    "conduct": (1, 0, 0, 1, 0),
    "other": (1, 0, 0, 0, 1),
}
BY_MONTH = {1: (2, 1, 1, 0, 0), 3: (2, 1, 0, 1, 0), 6: (1, 1, 0, 0, 0), 12: (1, 0, 0, 0, 1)}
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


def weekdays(year: int, month: int) -> int:
    return sum(
        1
        for week in calendar.Calendar().monthdatescalendar(year, month)
        for day in week
        if day.month == month and day.weekday() < 5
    )


OPENING = [weekdays(2026, month) - sum(1 for day in CLOSED if int(day[5:7]) == month) for month in range(1, 13)]


def test_the_complaint_figures_match_the_script(year):
    pack, _ = year
    figures = pack["complaints"]
    assert {row["category"]: tuple(row[key] for key in COUNTS) for row in figures["by_category"]} == BY_CATEGORY
    assert {row["month"]: tuple(row["total"][key] for key in COUNTS) for row in figures["by_month"]} == {
        month: BY_MONTH.get(month, (0, 0, 0, 0, 0)) for month in range(1, 13)
    }
    assert tuple(figures["total"][key] for key in COUNTS) == (6, 3, 1, 1, 1)
    march = {row["category"]: row["overdue"] for row in figures["by_month"][2]["categories"]}
    assert march == {"info": 0, "service": 0, "conduct": 1, "other": 0}


def test_skm_opening_days_and_standards_match_the_script(year):
    pack, _ = year
    quarters = [
        (q["quarter"], q["respondents"], q["population"], q["ikm"], q["grade"]) for q in pack["skm"]["quarters"]
    ]
    # Q1: scores 4 and 3 -> mean 3.5 -> IKM 87.50 (B); Q3: all 4 -> 100.00 (A); the year: 11/3 -> 91.67 (A)
    assert quarters == [(1, 2, 2, 87.5, "B"), (2, 0, 0, None, None), (3, 1, 1, 100.0, "A"), (4, 0, 0, None, None)]
    assert pack["skm"]["year"] == {"respondents": 3, "ikm": 91.67, "grade": "A", "grade_label": "Sangat Baik"}
    days = pack["service_days"]
    assert [month["opening_days"] for month in days["months"]] == OPENING
    assert days["opening_days"] == 261 - 2  # 2026: 261 weekdays, two closed dates
    assert [month["served_days"] for month in days["months"]] == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert (days["disruptions_recorded"], days["disruption_minutes"]) == (False, None)
    assert pack["standards"]["services"][0]["cost"] == "Gratis, tanpa pungutan apa pun"
    assert pack["standards"]["changes"] == [
        {
            "changed_at": "2026-04-01T10:00:00+07:00",
            "changed_by": "kepala",
            "subject": "REKAM",
            "key": "cost",
            "before": "Gratis",
            "after": "Gratis, tanpa pungutan apa pun",
        }
    ]


def rows(sheet) -> list[tuple]:
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


def test_each_sheet_is_titled_with_its_evaluation_aspect(year):
    _, book = year
    assert book.sheetnames == list(SHEETS.values())
    aspects = [book[name]["A2"].value for name in book.sheetnames]
    assert aspects == [
        "Aspek: Kebijakan Pelayanan",
        "Aspek: Kebijakan Pelayanan",
        "Aspek: Konsultasi dan Pengaduan",
        "Aspek: Sarana Prasarana",
    ]
    assert all(book[name]["A1"].value == "Kantor Kecamatan Selat" for name in book.sheetnames)
    assert all("Tahun 2026" in book[name]["A3"].value for name in book.sheetnames)


def test_the_workbook_holds_the_same_figures(year):
    _, book = year
    complaints = rows(book["Konsultasi dan Pengaduan"])
    labels = {
        "info": "Permintaan informasi",
        "service": "Kesalahan atau gangguan layanan",
        "conduct": "Perilaku petugas",
        "other": "Lainnya",
    }
    first_table = {row[1]: row[2:7] for row in complaints if row[0] is None and row[1] in labels.values()}
    assert first_table == {labels[code]: counts for code, counts in BY_CATEGORY.items()}
    month_totals = {row[0]: row[2:7] for row in complaints if row[0] in MONTHS and row[1] == "Jumlah"}
    assert month_totals == {MONTHS[month - 1]: BY_MONTH.get(month, (0, 0, 0, 0, 0)) for month in range(1, 13)}
    assert ("Maret", "Perilaku petugas", 1, 0, 0, 1, 0) in complaints

    days = {row[0]: row[1:4] for row in rows(book["Sarana Prasarana"]) if row[0] in (*MONTHS, "Jumlah")}
    assert days["Januari"] == (OPENING[0], 1, "belum dicatat")
    assert days["Maret"] == (OPENING[2], 0, "belum dicatat")
    assert days["Jumlah"] == (259, 2, "belum dicatat")

    skm = {
        row[0]: row[2:7]
        for row in rows(book["Kebijakan Pelayanan - SKM"])
        if row[0] and str(row[0]).startswith(("Triwulan ", "Setahun"))
    }
    assert skm == {
        "Triwulan 1": (2, 2, 87.5, "B", "Baik"),
        "Triwulan 2": (0, 0, "belum ada responden", None, None),
        "Triwulan 3": (1, 1, 100, "A", "Sangat Baik"),
        "Triwulan 4": (0, 0, "belum ada responden", None, None),
        "Setahun": (3, None, 91.67, "A", "Sangat Baik"),
    }

    standards = rows(book["Kebijakan Pelayanan - Standar"])
    assert standards[5][0] == "Maklumat Pelayanan"
    assert standards[5][1].startswith("Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan")
    rekam = next(row for row in standards if row[0] == "REKAM")
    assert rekam[1:7] == (
        "Perekaman KTP-el",
        "1. Kartu Keluarga asli\n2. Sudah berusia 17 tahun atau sudah/pernah kawin",
        rekam[3],
        "15 menit setelah nomor dipanggil",
        "Gratis, tanpa pungutan apa pun",
        "Data perekaman KTP-el dan bukti perekaman",
    )
    assert rekam[3].startswith("1. Ambil nomor antrean Perekaman KTP-el di kios.\n2. ")
    change = next(row for row in standards if row[0] == "2026-04-01T10:00:00+07:00")
    assert change[:6] == (
        "2026-04-01T10:00:00+07:00",
        "kepala",
        "REKAM",
        "Biaya/tarif",
        "Gratis",
        "Gratis, tanpa pungutan apa pun",
    )


def test_a_year_out_of_range_is_refused(tmp_path):
    app = make_app(tmp_path)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    client = app.test_client()
    client.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
    for year in ("1999", "2101", "26", "dua", "2026.0", ""):  # "" found by the fuzz test: it was this year
        answer = client.get(f"/api/reports/evaluation?year={year}")
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (400, "bad_request"), year
    assert client.get("/api/reports/evaluation?year=2000").status_code == 200
    assert client.get("/api/reports/evaluation").get_json()["year"] == date.today().year
    app.extensions["kiosk"].stop()
