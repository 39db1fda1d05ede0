"""Reports: a scripted office day over a real waitress server, its figures hand-computed, as JSON, CSV and Excel."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
import requests
from openpyxl import load_workbook

from kiosk.domain import reports
from tests.conftest import JAKARTA, Clock
from tests.support import LiveServer, add_staff, make_app

ROUTES = (
    "/api/reports/daily?date=2026-11-25",
    "/api/reports/daily.csv?date=2026-11-25",
    "/api/reports/daily.xlsx?date=2026-11-25",
    "/api/reports/range?from=2026-11-25&to=2026-11-26",
    "/api/reports/range.csv?from=2026-11-25&to=2026-11-26",
    "/api/reports/range.xlsx?from=2026-11-25&to=2026-11-26",
)


class Desk:
    """A logged-in staff member's browser session against the live server."""

    def __init__(self, server: LiveServer, username: str, password: str):
        self.server, self.session = server, requests.Session()
        self.credentials = {"username": username, "password": password}
        self.login()

    def login(self) -> None:
        """Log in (again: a session left idle overnight has ended)."""
        answer = self.session.post(self.server.url + "/api/login", json=self.credentials, timeout=10)
        answer.raise_for_status()
        self.headers = {"X-CSRF-Token": answer.json()["csrf_token"]}

    def post(self, path: str, body: dict | None = None) -> dict:
        answer = self.session.post(self.server.url + path, headers=self.headers, json=body, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()["ticket"]

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.server.url + path, timeout=10)


@pytest.fixture
def office(tmp_path):
    """A live office on a settable clock with a counter clerk and an admin (Wednesday 25 November 2026)."""
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA))
    app = make_app(tmp_path, clock=clock, printer__type="none")
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    yield server, clock
    server.stop()


def _at(clock: Clock, day: int, hour: int, minute: int) -> None:
    clock.current = datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA)


def _issue(server: LiveServer, service: str) -> dict:
    answer = server.post("/api/tickets", json={"service": service})
    assert answer.status_code == 201, answer.text
    return answer.json()["ticket"]


@pytest.fixture
def scripted(office):
    """Two office days of issues, calls, serves, dones, a recall, no-shows and a requeue at known times."""
    server, clock = office
    clerk = Desk(server, "petugas", "rahasia-Loket1")  # works at Loket 1 (REKAM, UBAH)
    head = Desk(server, "kepala", "rahasia-Admin1")  # works at Loket 2 (CETAK, AMBIL, INFO)
    _at(clock, 25, 9, 0)
    a1 = _issue(server, "REKAM")
    _at(clock, 25, 9, 2)
    a2 = _issue(server, "REKAM")
    _at(clock, 25, 9, 5)
    b1 = _issue(server, "CETAK")
    _at(clock, 25, 9, 10)
    assert clerk.post("/api/counters/1/next")["number"] == a1["number"]  # waited 10 min
    _at(clock, 25, 9, 12)
    clerk.post(f"/api/tickets/{a1['id']}/serve")
    _at(clock, 25, 9, 30)
    clerk.post(f"/api/tickets/{a1['id']}/done")  # served 18 min
    _at(clock, 25, 9, 31)
    assert clerk.post("/api/counters/1/next")["number"] == a2["number"]  # waited 29 min
    _at(clock, 25, 9, 33)
    clerk.post(f"/api/tickets/{a2['id']}/recall")
    _at(clock, 25, 9, 35)
    clerk.post(f"/api/tickets/{a2['id']}/no-show")  # stays a no-show
    _at(clock, 25, 9, 40)
    assert head.post("/api/counters/2/next")["number"] == b1["number"]  # waited 35 min
    _at(clock, 25, 9, 45)
    head.post(f"/api/tickets/{b1['id']}/done")  # done straight from called: 5 min from the call
    _at(clock, 25, 10, 5)
    a3 = _issue(server, "REKAM")
    _at(clock, 25, 10, 20)
    assert clerk.post("/api/counters/1/next")["number"] == a3["number"]  # waited 15 min (first call)
    _at(clock, 25, 10, 21)
    clerk.post(f"/api/tickets/{a3['id']}/no-show")
    _at(clock, 25, 10, 25)
    clerk.post(f"/api/tickets/{a3['id']}/requeue")  # back in the queue: not a no-show in the end
    _at(clock, 25, 10, 26)
    assert clerk.post("/api/counters/1/next")["number"] == a3["number"]  # second call: no second wait
    _at(clock, 25, 10, 30)
    clerk.post(f"/api/tickets/{a3['id']}/serve")
    _at(clock, 25, 10, 40)
    clerk.post(f"/api/tickets/{a3['id']}/done")  # served 10 min
    _at(clock, 25, 10, 50)
    _issue(server, "AMBIL")  # still waiting at the end of the script
    # Thursday: one more Perekaman ticket.
    _at(clock, 26, 8, 30)
    clerk.login()
    head.login()
    a1_thursday = _issue(server, "REKAM")
    _at(clock, 26, 8, 40)
    assert clerk.post("/api/counters/1/next")["number"] == a1_thursday["number"]  # waited 10 min
    _at(clock, 26, 8, 50)
    clerk.post(f"/api/tickets/{a1_thursday['id']}/done")  # 10 min from the call
    return server, head


def _service(code, name, issued=0, served=0, no_show=0, avg=None, median=None, p90=None, service=None):
    return {
        "code": code,
        "name": name,
        "issued": issued,
        "served": served,
        "no_show": no_show,
        "avg_wait_minutes": avg,
        "median_wait_minutes": median,
        "p90_wait_minutes": p90,
        "avg_service_minutes": service,
    }


OFFICE = "Kantor Kecamatan Selat"
WEDNESDAY_SERVICES = [
    # waits 10, 29, 15 -> mean 18, median 15, p90 29 (nearest rank); service 18 and 10 -> 14
    _service("REKAM", "Perekaman KTP-el", 3, 2, 1, 18.0, 15.0, 29.0, 14.0),
    _service("CETAK", "Pencetakan KTP-el", 1, 1, 0, 35.0, 35.0, 35.0, 5.0),
    _service("AMBIL", "Pengambilan KTP-el", 1),
    _service("UBAH", "Perubahan Data / KTP-el Hilang atau Rusak"),
    _service("IKD", "Aktivasi IKD"),
    _service("INFO", "Informasi"),
]
WEDNESDAY_COUNTERS = [
    {
        "counter": 1,
        "name": "Loket 1",
        "called": 4,
        "served": 2,
        "no_show": 1,
        "avg_wait_minutes": 18.0,
        "avg_service_minutes": 14.0,
        "service_minutes": 28.0,
    },
    {
        "counter": 2,
        "name": "Loket 2",
        "called": 1,
        "served": 1,
        "no_show": 0,
        "avg_wait_minutes": 35.0,
        "avg_service_minutes": 5.0,
        "service_minutes": 5.0,
    },
]


def test_a_scripted_day_gives_the_hand_computed_figures(scripted):
    server, head = scripted
    answer = head.get("/api/reports/daily?date=2026-11-25")
    assert answer.status_code == 200
    report = answer.json()
    staff = {row["username"]: row for row in report.pop("staff")}
    assert report == {
        "office": OFFICE,
        "date": "2026-11-25",
        "issued": 5,
        "served": 3,
        "no_show": 1,
        "services": WEDNESDAY_SERVICES,
        "hourly": [{"hour": 9, "issued": 3, "served": 2}, {"hour": 10, "issued": 2, "served": 1}],
        "counters": WEDNESDAY_COUNTERS,
    }
    assert list(staff) == ["kepala", "petugas"]
    assert {key: value for key, value in staff["petugas"].items() if key != "staff_id"} == {
        "username": "petugas",
        **{k: v for k, v in WEDNESDAY_COUNTERS[0].items() if k not in ("counter", "name")},
    }
    assert staff["kepala"]["served"] == 1 and staff["kepala"]["avg_service_minutes"] == 5.0


def test_the_daily_csv_holds_the_same_figures(scripted):
    server, head = scripted
    answer = head.get("/api/reports/daily.csv?date=2026-11-25")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert 'filename="laporan-antrean-2026-11-25.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows[0] == {
        "date": "2026-11-25",
        "code": "REKAM",
        "name": "Perekaman KTP-el",
        "issued": "3",
        "served": "2",
        "no_show": "1",
        "avg_wait_minutes": "18.0",
        "median_wait_minutes": "15.0",
        "p90_wait_minutes": "29.0",
        "avg_service_minutes": "14.0",
    }
    assert [
        (row["code"], row["issued"], row["served"], row["p90_wait_minutes"], row["avg_service_minutes"]) for row in rows
    ] == [
        ("REKAM", "3", "2", "29.0", "14.0"),
        ("CETAK", "1", "1", "35.0", "5.0"),
        ("AMBIL", "1", "0", "", ""),
        ("UBAH", "0", "0", "", ""),
        ("IKD", "0", "0", "", ""),
        ("INFO", "0", "0", "", ""),
    ]


def _excel_id_rows(answer) -> list[list[str]]:
    """Read a CSV as Excel set to Indonesian does: UTF-8 with a byte-order mark, fields split at ';'."""
    assert answer.content.startswith("\ufeff".encode("utf-8"))
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_for_indonesian_excel_has_semicolons_decimal_commas_and_indonesian_headings(scripted):
    server, head = scripted
    answer = head.get("/api/reports/daily.csv?date=2026-11-25&dialect=excel-id")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert 'filename="laporan-antrean-2026-11-25-excel.csv"' in answer.headers["Content-Disposition"]
    rows = _excel_id_rows(answer)
    assert rows[0] == [
        "Tanggal",
        "Kode",
        "Layanan",
        "Diambil",
        "Dilayani",
        "Tidak hadir",
        "Rata-rata tunggu (menit)",
        "Median tunggu (menit)",
        "P90 tunggu (menit)",
        "Rata-rata layanan (menit)",
    ]
    assert rows[1] == ["25-11-2026", "REKAM", "Perekaman KTP-el", "3", "2", "1", "18,0", "15,0", "29,0", "14,0"]
    assert [row[1] for row in rows[1:]] == ["REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO"]
    assert rows[4][6:] == ["", "", "", ""]  # no figure: an empty cell, not "None"
    assert all(len(row) == 10 for row in rows)
    period = _excel_id_rows(head.get("/api/reports/range.csv?from=2026-11-25&to=2026-11-26&dialect=excel-id"))
    assert [row[:4] + row[6:7] for row in period if row[1] == "REKAM"] == [
        ["25-11-2026", "REKAM", "Perekaman KTP-el", "3", "18,0"],
        ["26-11-2026", "REKAM", "Perekaman KTP-el", "1", "10,0"],
        ["Jumlah", "REKAM", "Perekaman KTP-el", "4", "16,0"],
    ]
    refused = head.get("/api/reports/daily.csv?date=2026-11-25&dialect=excel")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "bad_request")
    assert "excel-id" in refused.json()["error"]["message"]
    assert head.get("/api/reports/daily.csv?date=2026-11-25&dialect=").status_code == 400


def _sheet_rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_daily_excel_names_the_office_and_the_day_and_holds_the_figures(scripted):
    server, head = scripted
    answer = head.get("/api/reports/daily.xlsx?date=2026-11-25")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Ringkasan", "Harian", "Per jam", "Loket", "Petugas", "Gangguan"]
    summary = _sheet_rows(book["Ringkasan"])
    assert summary[0][0] == OFFICE
    assert summary[2][0] == "Periode: 25 November 2026"
    assert summary[5] == ("REKAM", "Perekaman KTP-el", 3, 2, 1, 18.0, 15.0, 29.0, 14.0)
    assert summary[6] == ("CETAK", "Pencetakan KTP-el", 1, 1, 0, 35.0, 35.0, 35.0, 5.0)
    assert summary[-1][:5] == ("Jumlah", None, 5, 3, 1)
    assert _sheet_rows(book["Per jam"])[5:] == [("09.00", 3, 2), ("10.00", 2, 1)]
    assert _sheet_rows(book["Loket"])[5:] == [
        ("Loket 1", 4, 2, 1, 18.0, 14.0, 28.0),
        ("Loket 2", 1, 1, 0, 35.0, 5.0, 5.0),
    ]
    assert [row[0] for row in _sheet_rows(book["Petugas"])[5:]] == ["kepala", "petugas"]


def test_a_period_gives_each_day_and_totals_over_every_ticket(scripted):
    server, head = scripted
    report = head.get("/api/reports/range?from=2026-11-25&to=2026-11-27").json()
    assert (report["office"], report["from"], report["to"]) == (OFFICE, "2026-11-25", "2026-11-27")
    assert [day["date"] for day in report["days"]] == ["2026-11-25", "2026-11-26", "2026-11-27"]
    assert report["days"][0]["services"] == WEDNESDAY_SERVICES
    assert report["days"][1]["services"][0] == _service("REKAM", "Perekaman KTP-el", 1, 1, 0, 10.0, 10.0, 10.0, 10.0)
    assert report["days"][2]["issued"] == 0 and report["days"][2]["hourly"] == []
    # Totals over the four REKAM tickets: waits 10, 29, 15, 10; service 18, 10, 10.
    assert report["totals"]["services"][0] == _service("REKAM", "Perekaman KTP-el", 4, 3, 1, 16.0, 10.0, 29.0, 12.7)
    assert (report["totals"]["issued"], report["totals"]["served"], report["totals"]["no_show"]) == (6, 4, 1)
    assert report["totals"]["hourly"] == [
        {"hour": 8, "issued": 1, "served": 1},
        {"hour": 9, "issued": 3, "served": 2},
        {"hour": 10, "issued": 2, "served": 1},
    ]


def test_the_period_csv_and_excel_hold_the_same_figures(scripted):
    server, head = scripted
    rows = list(csv.DictReader(io.StringIO(head.get("/api/reports/range.csv?from=2026-11-25&to=2026-11-26").text)))
    assert len(rows) == 3 * 6  # two days and the totals, six services each
    assert [
        (row["date"], row["code"], row["issued"], row["avg_wait_minutes"]) for row in rows if row["code"] == "REKAM"
    ] == [("2026-11-25", "REKAM", "3", "18.0"), ("2026-11-26", "REKAM", "1", "10.0"), ("total", "REKAM", "4", "16.0")]
    answer = head.get("/api/reports/range.xlsx?from=2026-11-25&to=2026-11-26")
    assert 'filename="laporan-antrean-2026-11-25-2026-11-26.xlsx"' in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    summary = _sheet_rows(book["Ringkasan"])
    assert (summary[0][0], summary[2][0]) == (OFFICE, "Periode: 25 November 2026 s.d. 26 November 2026")
    assert summary[5] == ("REKAM", "Perekaman KTP-el", 4, 3, 1, 16.0, 10.0, 29.0, 12.7)
    daily = _sheet_rows(book["Harian"])
    assert daily[4][:3] == ("Tanggal", "Kode", "Layanan")
    assert [row[:5] for row in daily[5:] if row[1] == "REKAM"] == [  # real dates, shown as 25-11-2026
        (datetime(2026, 11, 25), "REKAM", "Perekaman KTP-el", 3, 2),
        (datetime(2026, 11, 26), "REKAM", "Perekaman KTP-el", 1, 1),
    ]
    assert {book["Harian"].cell(row, 1).number_format for row in range(6, book["Harian"].max_row + 1)} == {"dd-mm-yyyy"}


@pytest.mark.parametrize("path", ROUTES)
def test_reports_are_for_admins_only(office, path):
    server, _ = office
    anonymous = requests.get(server.url + path, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "login_required"
    clerk = Desk(server, "petugas", "rahasia-Loket1").get(path)
    assert clerk.status_code == 403
    assert clerk.json()["error"]["code"] == "forbidden"
    assert Desk(server, "kepala", "rahasia-Admin1").get(path).status_code == 200


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/api/reports/daily", "'date'"),
        ("/api/reports/daily?date=", "YYYY-MM-DD"),
        ("/api/reports/daily?date=25-11-2026", "YYYY-MM-DD"),
        ("/api/reports/daily?date=2026-02-30", "YYYY-MM-DD"),
        ("/api/reports/daily.csv?date=2026-1-5", "YYYY-MM-DD"),
        ("/api/reports/daily.xlsx?date=%00", "YYYY-MM-DD"),
        ("/api/reports/range?from=2026-11-01", "'to'"),
        ("/api/reports/range?from=2026-11-30&to=2026-11-01", "tidak boleh sesudah"),
        ("/api/reports/range.csv?from=2025-01-01&to=2026-01-02", "366 hari"),
        ("/api/reports/range.xlsx?from=0000-01-01&to=2026-01-01", "'from'"),
        ("/api/reports/range?from=2026-11-01&to=99999-01-01", "'to'"),
    ],
)
def test_bad_dates_and_ranges_are_a_400_in_indonesian(office, path, says):
    server, _ = office
    answer = Desk(server, "kepala", "rahasia-Admin1").get(path)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "bad_request"
    assert says in error["message"]


def test_a_full_year_is_allowed(office):
    server, _ = office
    answer = Desk(server, "kepala", "rahasia-Admin1").get("/api/reports/range?from=2024-01-01&to=2024-12-31")
    assert answer.status_code == 200
    assert len(answer.json()["days"]) == 366


def test_a_transferred_ticket_waits_from_its_issue_and_counts_where_it_was_called(office):
    server, clock = office
    head = Desk(server, "kepala", "rahasia-Admin1")
    ticket = _issue(server, "REKAM")  # 09:00
    _at(clock, 25, 9, 5)
    head.post(f"/api/tickets/{ticket['id']}/transfer", {"service": "AMBIL"})
    _at(clock, 25, 9, 12)
    assert head.post("/api/counters/2/next")["id"] == ticket["id"]
    _at(clock, 25, 9, 20)
    head.post(f"/api/tickets/{ticket['id']}/done")
    rekam, _, ambil = head.get("/api/reports/daily?date=2026-11-25").json()["services"][:3]
    assert (rekam["issued"], rekam["served"], rekam["avg_wait_minutes"]) == (1, 0, None)
    assert (ambil["issued"], ambil["served"], ambil["avg_wait_minutes"], ambil["avg_service_minutes"]) == (
        0,
        1,
        12.0,
        8.0,
    )


def test_done_straight_from_called_is_timed_from_the_latest_call_or_recall(office):
    server, clock = office
    clerk = Desk(server, "petugas", "rahasia-Loket1")
    first, second = _issue(server, "REKAM"), _issue(server, "REKAM")  # 09:00
    _at(clock, 25, 9, 2)
    clerk.post("/api/counters/1/next")
    _at(clock, 25, 9, 4)
    clerk.post(f"/api/tickets/{first['id']}/recall")
    _at(clock, 25, 9, 6)
    clerk.post(f"/api/tickets/{first['id']}/done")  # 2 min from the recall
    _at(clock, 25, 9, 10)
    clerk.post("/api/counters/1/next")
    _at(clock, 25, 9, 11)
    clerk.post(f"/api/tickets/{second['id']}/serve")
    _at(clock, 25, 9, 20)
    clerk.post(f"/api/tickets/{second['id']}/done")  # 9 min from serve
    rekam = Desk(server, "kepala", "rahasia-Admin1").get("/api/reports/daily?date=2026-11-25").json()["services"][0]
    assert (rekam["served"], rekam["avg_service_minutes"], rekam["avg_wait_minutes"]) == (2, 5.5, 6.0)


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([], 0.9, None),
        ([7.0], 0.9, 7.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9, 9.0),
        ([3.0, 1.0, 2.0], 0.5, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0),
    ],
)
def test_percentiles_use_the_nearest_rank(values, share, expected):
    assert reports.percentile(values, share) == expected


@pytest.mark.parametrize("name", ["=1+1", "+62", "-2", "@SUM(A1)", "\tdata", "\rdata"])
def test_every_formula_start_is_neutralised_in_both_csv_forms(name):
    from kiosk.files.reports import to_csv

    report = {
        "date": "2026-11-25",
        "services": [
            {
                "code": "X",
                "name": name,
                "issued": 1,
                "served": 1,
                "no_show": 0,
                "avg_wait_minutes": 2.5,
                "median_wait_minutes": 2.5,
                "p90_wait_minutes": 2.5,
                "avg_service_minutes": 1.0,
            }
        ],
    }
    plain = list(csv.reader(io.StringIO(to_csv(report))))[1]
    indonesian = list(csv.reader(io.StringIO(to_csv(report, excel_id=True).lstrip("\ufeff")), delimiter=";"))[1]
    assert plain[2] == indonesian[2] == "'" + name
    assert (plain[6], indonesian[6]) == ("2.5", "2,5")


def test_downloads_never_turn_a_name_into_a_spreadsheet_formula():
    from kiosk.files.reports import to_csv, to_xlsx

    catalog = reports.Catalog('=HYPERLINK("x")', (("REKAM", "=1+1"),), ((1, "@Loket"),), {7: "+petugas"})
    facts = reports.Facts(
        issued=[reports.Issued("2026-11-25", "REKAM", 9, 1)],
        waits=[reports.Waits("2026-11-25", "REKAM", 1, 7, [600], "2026-11-25")],
        calls=[reports.Called("2026-11-25", 1, 7, 1)],
        dones=[],
        no_shows=[],
    )
    report = reports.daily_report(facts, datetime(2026, 11, 25).date(), catalog)
    assert list(csv.reader(io.StringIO(to_csv(report))))[1][:3] == ["2026-11-25", "REKAM", "'=1+1"]
    excel_id = to_csv(report, excel_id=True).lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(excel_id), delimiter=";"))[1][:3] == ["25-11-2026", "REKAM", "'=1+1"]
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    cells = [book["Ringkasan"]["A1"], book["Ringkasan"]["B6"], book["Loket"]["A6"], book["Petugas"]["A6"]]
    assert [(cell.value, cell.data_type) for cell in cells] == [
        ('=HYPERLINK("x")', "s"),
        ("=1+1", "s"),
        ("@Loket", "s"),
        ("+petugas", "s"),
    ]


def test_kept_days_follow_new_events_and_a_wait_across_midnight_counts_only_from_its_issue_day(office):
    """Day facts are kept between reports (kiosk/storage/reports.py): new events on a kept day, a ticket issued
    before midnight and called after it, and a requeue on the next day all show in the next report."""
    server, clock = office
    _at(clock, 25, 23, 50)
    head = Desk(server, "kepala", "rahasia-Admin1")
    late = _issue(server, "REKAM")
    other = _issue(server, "AMBIL")
    _at(clock, 25, 23, 55)
    assert head.post("/api/counters/2/next")["id"] == other["id"]
    head.post(f"/api/tickets/{other['id']}/no-show")

    def rekam(first: int, last: int) -> dict:
        return head.get(f"/api/reports/range?from=2026-11-{first}&to=2026-11-{last}").json()["totals"]["services"][0]

    def no_shows(day: int) -> int:
        return head.get(f"/api/reports/daily?date=2026-11-{day}").json()["no_show"]

    assert no_shows(25) == 1
    _at(clock, 26, 0, 10)
    head.login()
    assert head.post("/api/counters/1/next")["id"] == late["id"]  # called the next day, 20 minutes later
    assert rekam(26, 26)["avg_wait_minutes"] is None  # issued before the period
    assert rekam(25, 26)["avg_wait_minutes"] == 20.0  # the 26th was kept, and still holds the wait from the 25th
    assert rekam(26, 26)["avg_wait_minutes"] is None
    head.post(f"/api/tickets/{other['id']}/requeue")  # on the 26th: the no-show of the 25th is undone
    assert no_shows(25) == 0
    # The clock turned back (a test's clock, or a corrected PC clock): a kept day that gains events is read again.
    _at(clock, 25, 23, 58)
    issued_before = head.get("/api/reports/daily?date=2026-11-25").json()["issued"]
    _issue(server, "INFO")
    assert head.get("/api/reports/daily?date=2026-11-25").json()["issued"] == issued_before + 1


# Nearest rank (the module's documented method): P = the value at rank ceil(share * n), counted from 1.
# With n waits of 1..n minutes the answer is that rank; 0.9 * 20 = 18 exactly is the index boundary.
@pytest.mark.parametrize(
    ("count", "p90", "median"),
    [
        (19, 18.0, 10.0),
        (20, 18.0, 10.0),
        (21, 19.0, 11.0),
        (29, 27.0, 15.0),
        (30, 27.0, 15.0),
        (31, 28.0, 16.0),
    ],
)
def test_p90_and_median_are_nearest_rank_on_both_sides_of_the_index_boundary(count, p90, median):
    import random

    minutes = list(range(1, count + 1))
    random.Random(count).shuffle(minutes)
    assert reports.percentile([float(m) for m in minutes], 0.9) == p90
    assert reports.percentile([float(m) for m in minutes], 0.5) == median
    # Through the report: the waits of one service on one day, split over two loket (order must not matter).
    half = count // 2
    facts = reports.Facts(
        issued=[reports.Issued("2026-11-25", "REKAM", 9, count)],
        waits=[
            reports.Waits("2026-11-25", "REKAM", 1, 7, [60 * m for m in minutes[:half]], "2026-11-25"),
            reports.Waits("2026-11-25", "REKAM", 2, 8, [60 * m for m in minutes[half:]], "2026-11-25"),
        ],
        calls=[],
        dones=[],
        no_shows=[],
    )
    catalog = reports.Catalog(OFFICE, (("REKAM", "Perekaman KTP-el"),), ((1, "Loket 1"), (2, "Loket 2")))
    rekam = reports.daily_report(facts, datetime(2026, 11, 25).date(), catalog)["services"][0]
    assert (rekam["p90_wait_minutes"], rekam["median_wait_minutes"]) == (p90, median)
    assert rekam["avg_wait_minutes"] == round((count + 1) / 2, 1)
    # A period over two days spans every wait: the same figures when the waits fall on two days.
    facts = facts._replace(waits=[facts.waits[0], facts.waits[1]._replace(day="2026-11-26", issued_day="2026-11-26")])
    totals = reports.range_report(facts, datetime(2026, 11, 25).date(), datetime(2026, 11, 26).date(), catalog)[
        "totals"
    ]["services"][0]
    assert (totals["p90_wait_minutes"], totals["median_wait_minutes"]) == (p90, median)


def test_a_ticket_requeued_and_then_missed_again_counts_as_one_no_show(office):
    server, clock = office
    clerk = Desk(server, "petugas", "rahasia-Loket1")
    _at(clock, 25, 9, 0)
    twice = _issue(server, "REKAM")
    back = _issue(server, "REKAM")
    for minute, ticket in ((1, twice), (3, back)):
        _at(clock, 25, 9, minute)
        assert clerk.post("/api/counters/1/next")["number"] == ticket["number"]
        clerk.post(f"/api/tickets/{ticket['id']}/no-show")
    _at(clock, 25, 9, 5)
    clerk.post(f"/api/tickets/{twice['id']}/requeue")
    clerk.post(f"/api/tickets/{back['id']}/requeue")
    _at(clock, 25, 9, 6)
    assert clerk.post("/api/counters/1/next")["number"] == twice["number"]
    clerk.post(f"/api/tickets/{twice['id']}/no-show")  # missed again: a no-show in the end
    assert clerk.post("/api/counters/1/next")["number"] == back["number"]
    clerk.post(f"/api/tickets/{back['id']}/done")  # came back and was served: not a no-show
    head = Desk(server, "kepala", "rahasia-Admin1")
    day = head.get("/api/reports/daily?date=2026-11-25").json()
    assert (day["no_show"], day["services"][0]["no_show"], day["served"]) == (1, 1, 1)
    assert [(row["counter"], row["no_show"]) for row in day["counters"]] == [(1, 1)]
    assert [(row["username"], row["no_show"]) for row in day["staff"]] == [("petugas", 1)]
    period = head.get("/api/reports/range?from=2026-11-25&to=2026-11-26").json()
    assert period["totals"]["no_show"] == 1
