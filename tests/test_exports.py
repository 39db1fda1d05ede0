"""Every download keeps a cell a spreadsheet would run (=, +, -, @, tab, CR first) as plain text.

Each dangerous first character goes through every export: the daily CSV, the range CSV, the daily and
range Excel workbooks and the SKM workbook. CSV is parsed with the dialect it declares (comma or the
Indonesian-Excel semicolon), so these tests judge the neutralising, not the separator.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kiosk.domain import reports
from kiosk.domain import survey as skm
from kiosk.files.reports import to_csv, to_xlsx
from kiosk.files.survey import skm_to_xlsx

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
IDS = ["equals", "plus", "minus", "at", "tab", "cr"]


def csv_rows(text: str) -> list[list[str]]:
    """Parse a downloaded CSV whichever of the two separators it uses."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))


def _report(prefix: str, first: date, last: date) -> dict:
    name = f'{prefix}HYPERLINK("http://x";"klik")'
    catalog = reports.Catalog(f"{prefix}Kantor", (("REKAM", name),), ((1, f"{prefix}Loket"),), {7: f"{prefix}petugas"})
    day = first.isoformat()
    facts = reports.Facts(
        issued=[reports.Issued(day, "REKAM", 9, 1)],
        waits=[reports.Waits(day, "REKAM", 1, 7, [600], day)],
        calls=[reports.Called(day, 1, 7, 1)],
        dones=[reports.Done(day, "REKAM", 9, 1, 7, 1, 1, 300)],
        no_shows=[],
    )
    if first == last:
        return reports.daily_report(facts, first, catalog)
    return reports.range_report(facts, first, last, catalog)


def text_of(cell) -> object:
    """A cell's text as written: the xlsx format stores a carriage return as _x000D_, which openpyxl keeps."""
    return cell.value.replace("_x000D_", "\r") if isinstance(cell.value, str) else cell.value


DAY, NEXT_DAY = date(2026, 11, 25), date(2026, 11, 26)
PERIODS = [(DAY, DAY), (DAY, NEXT_DAY)]


@pytest.mark.parametrize("first, last", PERIODS, ids=["daily", "range"])
@pytest.mark.parametrize("prefix", DANGEROUS, ids=IDS)
def test_the_report_csv_quotes_every_formula_start(prefix, first, last):
    rows = csv_rows(to_csv(_report(prefix, first, last)))
    names = [row[2] for row in rows[1:] if row[1] == "REKAM"]
    assert names and all(name == f'\'{prefix}HYPERLINK("http://x";"klik")' for name in names), names
    for row in rows[1:]:  # no other cell starts with a formula character either
        assert not any(cell[:1] in DANGEROUS for cell in row), row


@pytest.mark.parametrize("first, last", PERIODS, ids=["daily", "range"])
@pytest.mark.parametrize("prefix", DANGEROUS, ids=IDS)
def test_the_report_workbook_writes_every_formula_start_as_text(prefix, first, last):
    book = load_workbook(io.BytesIO(to_xlsx(_report(prefix, first, last))))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(text_of(cell), str) and text_of(cell).startswith(prefix):
                    texts.append(text_of(cell))
    # The office on every sheet, the service name (summary and each day), the loket and the staff member.
    assert texts.count(f"{prefix}Kantor") == 5
    assert f"{prefix}Loket" in texts and f"{prefix}petugas" in texts
    assert sum(text.startswith(f"{prefix}HYPERLINK") for text in texts) >= 2


@pytest.mark.parametrize("prefix", DANGEROUS, ids=IDS)
def test_the_skm_workbook_writes_every_formula_start_as_text(prefix):
    rows = [
        {
            **{code: 4 for code in skm.ELEMENT_CODES},
            "suggestion": f"{prefix}SUM(A1:A9) antrean lama",
            "channel": "phone",
        }
    ]
    report = {
        **skm.period_report(rows, population=1),
        "office": f"{prefix}Kantor",
        "from": "2026-11-01",
        "to": "2026-11-25",
        "service_name": f"{prefix}Perekaman",
    }
    book = load_workbook(io.BytesIO(skm_to_xlsx(report)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert text_of(book["Saran"]["A7"]) == f"{prefix}SUM(A1:A9) antrean lama"
    assert [text_of(book[name]["A1"]) for name in book.sheetnames] == [f"{prefix}Kantor"] * 3


@pytest.mark.parametrize("prefix", ("=", "+", "-", "@"), ids=IDS[:4])
def test_a_residents_suggestion_downloads_as_text_through_the_server(app, client, staff_client, prefix):
    """End to end: typed on a phone, stored, downloaded by the head of office as the SKM workbook."""
    from tests.test_surveys import admin, finish, issue

    ticket = issue(client)
    finish(staff_client, ticket)
    suggestion = f"{prefix}cmd|' /C calc'!A0 loketnya lambat"
    assert (
        client.post(
            "/api/surveys", json={"token": ticket["token"], "answers": [4] * 9, "suggestion": suggestion}
        ).status_code
        == 201
    )
    answer = admin(app).get("/api/reports/skm.xlsx?from=2026-11-01&to=2026-11-25")
    cell = load_workbook(io.BytesIO(answer.data))["Saran"]["A7"]
    assert (cell.value, cell.data_type) == (suggestion, "s")
