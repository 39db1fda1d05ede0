"""The report page (/admin/reports): the figures it shows are the API's, its charts are self-contained SVG,
bad periods are a 400 page in Indonesian, and the demo's history gives it weeks of believable days."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest

from kiosk import cli
from kiosk.domain import queue
from kiosk.files import charts as report_charts
from kiosk.storage import tickets as store
from kiosk.tools import demo_history
from tests.conftest import JAKARTA, Clock
from tests.support import add_staff, make_app
from tests.test_reports import Desk, office, scripted  # noqa: F401  (fixtures: a live office and a scripted day)

DAY = "2026-11-25"


class Page(HTMLParser):
    """The parts of the page a test reads: text by element id, table rows by table id, images by id."""

    def __init__(self, html: str):
        super().__init__()
        self.text: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.images: dict[str, dict] = {}
        self._open: list[tuple[str, str | None]] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images[attributes.get("id", "")] = attributes
            return
        if tag in ("br", "input", "meta", "link"):
            return
        self._open.append((tag, attributes.get("id")))
        if attributes.get("id"):
            self.text[attributes["id"]] = ""
        if tag == "table":
            self._table = attributes.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, ident in self._open:
            if ident:
                self.text[ident] += data
        if self._cell is not None:
            self._cell.append(data)

    def says(self, ident: str) -> str:
        return " ".join(self.text[ident].split())


def minutes(value) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def svg_of(image: dict) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert image["src"].startswith(prefix)
    return base64.b64decode(image["src"][len(prefix) :]).decode()


def test_the_page_shows_the_apis_figures_for_a_scripted_day(scripted):  # noqa: F811
    server, head = scripted
    api = head.get(f"/api/reports/daily?date={DAY}").json()
    answer = head.get(f"/admin/reports?from={DAY}&to={DAY}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    page = Page(answer.text)
    assert page.says("report-office") == api["office"]
    assert page.says("report-period-text") == "25 November 2026"
    assert page.says("report-generated") == "26 November 2026 pukul 08.50"  # the clock when the script ended
    assert (page.says("total-issued"), page.says("total-served"), page.says("total-no-show")) == ("5", "3", "1")
    assert page.says("total-no-show-percent") == "20,0 %"
    assert page.tables["table-hourly"][1:-1] == [
        [f"{row['hour']:02d}.00", str(row["issued"]), str(row["served"])] for row in api["hourly"]
    ]
    assert page.tables["table-waits"][1:] == [
        [
            row["name"],
            minutes(row["median_wait_minutes"]),
            minutes(row["p90_wait_minutes"]),
            minutes(row["avg_wait_minutes"]),
            minutes(row["avg_service_minutes"]),
        ]
        for row in api["services"]
    ]
    assert page.tables["table-waits"][1][:3] == ["Perekaman KTP-el", "15,0", "29,0"]
    assert page.tables["table-no-show"][1] == ["Perekaman KTP-el", "3", "2", "1", "33,3 %"]
    assert page.tables["table-no-show"][-1] == ["Jumlah", "5", "3", "1", "20,0 %"]
    # The trend: the 30 days up to the period's end, the scripted day last.
    trend = page.tables["table-trend"][1:]
    assert len(trend) == 30 and trend[0][0] == "27-10-2026"
    assert trend[-1] == ["25-11-2026", "5", "3", "1"]
    # Busiest hours: a Wednesday with 3 numbers issued at 09.00 and 2 at 10.00.
    assert page.tables["table-weekday"] == [["Hari", "09.00", "10.00"], ["Rabu (1 hari)", "3,0", "2,0"]]
    assert page.says("busiest-hour") == "Rabu, 09.00"
    # Downloads of the same period
    assert 'href="/api/reports/range.xlsx?from=2026-11-25&amp;to=2026-11-25"' in answer.text
    assert 'href="/api/reports/range.csv?from=2026-11-25&amp;to=2026-11-25&amp;dialect=excel-id"' in answer.text


def test_every_chart_is_a_self_contained_svg_with_its_series(scripted):  # noqa: F811
    server, head = scripted
    page = Page(head.get(f"/admin/reports?from={DAY}&to={DAY}").text)
    series = {
        "chart-hourly": ["Diambil", "Dilayani"],
        "chart-waits": ["Median", "P90"],
        "chart-no-show": ["Perekaman KTP-el", "Pencetakan KTP-el", "Pengambilan KTP-el"],  # its bars
        "chart-trend": ["Diambil", "Dilayani", "Tidak hadir"],
        "chart-weekday": ["Rabu"],
    }
    assert sorted(ident for ident in page.images if ident.startswith("chart-")) == sorted(series)
    for ident, names in series.items():
        svg = svg_of(page.images[ident])
        assert svg.lstrip().startswith(("<?xml", "<svg"))
        assert "<script" not in svg and "<!--" not in svg, ident
        assert re.findall(r"(?:href|src)=\"(?!#)", svg) == [], ident  # nothing loaded from anywhere
        assert re.findall(r"https?://(?!www\.w3\.org/)", svg) == [], ident
        assert [name for name in names if f">{name}<" not in svg] == [], ident
        assert page.images[ident]["alt"]
    # The values drawn are the figures: the hourly chart holds 3 and 2 issued, 2 and 1 served.
    hourly = svg_of(page.images["chart-hourly"])
    assert re.findall(r'<desc class="value">([^<]+)</desc>', hourly) == ["3", "2", "2", "1"]


def test_the_page_is_for_admins_only(office):  # noqa: F811
    server, _ = office
    anonymous = server.session.get(
        server.url + "/admin/reports?from=2026-11-01&to=2026-11-25", allow_redirects=False, timeout=10
    )
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/login?next=/admin/reports?from%3D2026-11-01%26to%3D2026-11-25"
    clerk = Desk(server, "petugas", "rahasia-Loket1").get("/admin/reports")
    assert clerk.status_code == 403
    assert "hanya untuk admin" in clerk.text and "Laporan antrean" not in clerk.text
    assert Desk(server, "kepala", "rahasia-Admin1").get("/admin/reports").status_code == 200


def test_without_dates_the_page_shows_the_30_days_up_to_today(office):  # noqa: F811
    server, _ = office
    page = Page(Desk(server, "kepala", "rahasia-Admin1").get("/admin/reports").text)
    assert page.says("report-period-text") == "27 Oktober 2026 s.d. 25 November 2026"
    assert page.says("total-issued") == "0" and page.says("total-no-show-percent") == "–"
    assert page.tables["table-hourly"][1] == ["Belum ada data."]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("from=2026-11-30&to=2026-11-01", "Tanggal awal tidak boleh sesudah tanggal akhir."),
        ("from=2025-01-01&to=2026-11-01", "Rentang laporan paling panjang 366 hari."),
        ("from=25-11-2026", "Tanggal awal harus berupa tanggal dengan format YYYY-MM-DD."),
        ("to=2026-02-30", "Tanggal akhir harus berupa tanggal dengan format YYYY-MM-DD."),
        ("from=%00", "Tanggal awal harus berupa tanggal dengan format YYYY-MM-DD."),
    ],
)
def test_a_bad_period_is_a_400_page_saying_why_in_indonesian(office, query, says):  # noqa: F811
    server, _ = office
    answer = Desk(server, "kepala", "rahasia-Admin1").get(f"/admin/reports?{query}")
    assert answer.status_code == 400
    page = Page(answer.text)
    assert page.says("report-problem") == says
    assert "report-period" in page.text  # the form is there to correct the dates


def test_weekday_hours_average_over_the_office_days_of_each_weekday():
    days = [  # two Mondays (one busy, one quiet), a Tuesday, and a closed Sunday
        {
            "date": "2026-11-16",
            "issued": 6,
            "hourly": [{"hour": 8, "issued": 4, "served": 3}, {"hour": 9, "issued": 2, "served": 2}],
        },
        {"date": "2026-11-23", "issued": 2, "hourly": [{"hour": 9, "issued": 2, "served": 1}]},
        {"date": "2026-11-24", "issued": 1, "hourly": [{"hour": 10, "issued": 1, "served": 0}]},
        {"date": "2026-11-22", "issued": 0, "hourly": []},
    ]
    assert report_charts.weekday_hours(days) == {
        "hours": [8, 9, 10],
        "rows": [
            {"weekday": "Senin", "days": 2, "averages": [2.0, 2.0, 0.0]},
            {"weekday": "Selasa", "days": 1, "averages": [0.0, 0.0, 1.0]},
        ],
    }
    assert report_charts.weekday_hours(days[3:]) == {"hours": [], "rows": []}


def test_the_demo_history_is_weeks_of_valid_finished_tickets_written_once(tmp_path):
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA))  # a Wednesday
    app = make_app(tmp_path, clock=clock)
    add_staff(app, "admin", "rahasia-Admin1", "admin")
    add_staff(app)
    runtime = app.extensions["kiosk"]
    try:
        cli._seed_demo_history(runtime)
        tickets = runtime.db.conn.execute("SELECT id, day, status FROM tickets ORDER BY id").fetchall()
        days = sorted({row["day"] for row in tickets})
        assert days == [day.isoformat() for day in demo_history.office_days(date(2026, 11, 25), 4)]
        assert len(days) == 20 and days[0] == "2026-10-28" and days[-1] == "2026-11-24"  # weekdays before today
        assert {date.fromisoformat(day).weekday() for day in days} == {0, 1, 2, 3, 4}
        assert {row["status"] for row in tickets} == {"done", "no_show"}
        # Every ticket's events follow the queue's own transitions, in time order.
        events: dict[int, list] = {}
        for event in runtime.db.conn.execute("SELECT * FROM ticket_events ORDER BY id"):
            events.setdefault(event["ticket_id"], []).append(event)
        for row in tickets:
            status, at = None, ""
            for event in events[row["id"]]:
                assert event["from_status"] == status
                if event["action"] != "issue":
                    assert queue.next_status(event["action"], status) == event["to_status"]
                assert event["at"] >= at and event["day"] == row["day"]
                status, at = event["to_status"], event["at"]
            assert status == row["status"]
        # Mondays are the busiest days, nobody is served outside office hours.
        per_day = dict(runtime.db.conn.execute("SELECT day, COUNT(*) FROM tickets GROUP BY day").fetchall())
        mondays = [count for day, count in per_day.items() if date.fromisoformat(day).weekday() == 0]
        fridays = [count for day, count in per_day.items() if date.fromisoformat(day).weekday() == 4]
        assert min(mondays) > max(fridays)
        hours = {int(at[11:13]) for (at,) in runtime.db.conn.execute("SELECT at FROM ticket_events")}
        assert min(hours) >= 8 and max(hours) <= 16
        # Written once: a second start leaves the history as it is.
        count = len(tickets)
        cli._seed_demo_history(runtime)
        assert runtime.db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == count
        assert store.has_history_before(runtime.db, "2026-11-25")
    finally:
        runtime.stop()
