"""Report downloads: CSV and Excel (xlsxwriter) with the office header.

CSV comes in two forms: machine-readable (the default: commas, the JSON keys as columns, decimal points) and
the form Excel set to Indonesian opens as columns (``excel_id``: semicolons, decimal commas, Indonesian
headings, DD-MM-YYYY dates, a UTF-8 byte-order mark so the letters come out right).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import xlsxwriter

from kiosk.domain.queue import MONTH_NAMES

SERVICE_COLUMNS = (
    "code",
    "name",
    "issued",
    "served",
    "no_show",
    "avg_wait_minutes",
    "median_wait_minutes",
    "p90_wait_minutes",
    "avg_service_minutes",
)
TOTAL_DATE = "total"

_SERVICE_HEADINGS = (
    "Kode",
    "Layanan",
    "Diambil",
    "Dilayani",
    "Tidak hadir",
    "Rata-rata tunggu (menit)",
    "Median tunggu (menit)",
    "P90 tunggu (menit)",
    "Rata-rata layanan (menit)",
)
_WORKER_HEADINGS = (
    "Dipanggil",
    "Dilayani",
    "Tidak hadir",
    "Rata-rata tunggu (menit)",
    "Rata-rata layanan (menit)",
    "Jumlah menit layanan",
)
_WORKER_KEYS = ("called", "served", "no_show", "avg_wait_minutes", "avg_service_minutes", "service_minutes")


def long_date(day: str) -> str:
    """Return an ISO day the way the office writes it: 2026-11-28 -> 28 November 2026."""
    value = date.fromisoformat(day)
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def period_text(first: str, last: str) -> str:
    """Return the period a report covers, in words."""
    return long_date(first) if first == last else f"{long_date(first)} s.d. {long_date(last)}"


# First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"): tab and
# carriage return too, since some programs skip them and read the formula after.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value):
    """Keep text a spreadsheet would take for a formula (=, +, -, @, tab, CR first) as plain text in CSV."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _indonesian(value):
    """Write a figure the way Excel set to Indonesian reads it: 18,5 (decimal comma); text neutralised."""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if value is None:
        return ""
    return _text(value)


def _short_date(day: str) -> str:
    return day if day == TOTAL_DATE else date.fromisoformat(day).strftime("%d-%m-%Y")


def _days(report: dict) -> list[dict]:
    return report["days"] if "days" in report else [report]


def to_csv(report: dict, excel_id: bool = False) -> str:
    """Return the service rows of every day (a daily or range report), then the period totals for a range.

    ``excel_id``: the form for Excel set to Indonesian (see the module's docstring).
    """
    out = io.StringIO()
    if excel_id:
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(("Tanggal", *_SERVICE_HEADINGS))
        cell, when = _indonesian, _short_date
    else:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(("date", *SERVICE_COLUMNS))
        cell, when = _text, (lambda day: day)
    for day in _days(report):
        for row in day["services"]:
            writer.writerow((when(day["date"]), *(cell(row[key]) for key in SERVICE_COLUMNS)))
    if "totals" in report:
        for row in report["totals"]["services"]:
            writer.writerow(("Jumlah" if excel_id else TOTAL_DATE, *(cell(row[key]) for key in SERVICE_COLUMNS)))
    return out.getvalue()


class _Sheet:
    """One worksheet that starts with the office, the report's name and its period, then the column headings."""

    def __init__(self, book: xlsxwriter.Workbook, formats: dict, title: str, report: dict, headings: tuple[str, ...]):
        self.sheet, self.formats, self.row = book.add_worksheet(title), formats, 0
        first_day, last_day = (report["from"], report["to"]) if "days" in report else (report["date"],) * 2
        self.sheet.set_column(0, 0, 18)  # wide enough for a date and the loket names
        self.sheet.set_column(1, 1, 28)
        self.append([report["office"]], formats["title"])
        self.append([f"Laporan Antrean - {title}"], formats["bold"])
        self.append([f"Periode: {period_text(first_day, last_day)}"])
        self.append([])
        self.append(list(headings), formats["bold"])

    def append(self, values: list, style=None) -> None:
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, date):  # a real date, shown 25-11-2026, that Excel sorts and filters as one
                self.sheet.write_datetime(self.row, column, datetime.combine(value, time()), self.formats["date"])
            elif isinstance(value, str):
                self.sheet.write_string(self.row, column, value, style)  # never a formula
            else:
                self.sheet.write_number(self.row, column, value, style)
        self.row += 1


def to_xlsx(report: dict) -> bytes:
    """Return an Excel workbook: summary, per day, per hour, per loket, per staff member, each under the header."""
    totals = report.get("totals", report)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "bold": book.add_format({"bold": True}),
        "date": book.add_format({"num_format": "dd-mm-yyyy"}),
    }

    summary = _Sheet(book, formats, "Ringkasan", report, _SERVICE_HEADINGS)
    for row in totals["services"]:
        summary.append([row[key] for key in SERVICE_COLUMNS])
    summary.sheet.write_string(summary.row, 0, "Jumlah", formats["bold"])
    summary.append([None, None, totals["issued"], totals["served"], totals["no_show"]])

    daily = _Sheet(book, formats, "Harian", report, ("Tanggal", *_SERVICE_HEADINGS))
    for day in _days(report):
        for row in day["services"]:
            daily.append([date.fromisoformat(day["date"]), *(row[key] for key in SERVICE_COLUMNS)])

    hourly = _Sheet(book, formats, "Per jam", report, ("Jam", "Diambil", "Dilayani"))
    for row in totals["hourly"]:
        hourly.append([f"{row['hour']:02d}.00", row["issued"], row["served"]])

    counters = _Sheet(book, formats, "Loket", report, ("Loket", *_WORKER_HEADINGS))
    for row in totals["counters"]:
        counters.append([row["name"], *(row[key] for key in _WORKER_KEYS)])

    staff = _Sheet(book, formats, "Petugas", report, ("Petugas", *_WORKER_HEADINGS))
    for row in totals["staff"]:
        staff.append([row["username"], *(row[key] for key in _WORKER_KEYS)])

    if "disruptions" in report:  # minutes a disruption ("gangguan layanan") stopped a service, per reason
        stopped = _Sheet(book, formats, "Gangguan", report, DISRUPTION_HEADINGS)
        for row in report["disruptions"]:
            stopped.append([row["name"], row["label"], row["disruptions"], row["minutes"]])

    book.close()
    return out.getvalue()


DISRUPTION_HEADINGS = ("Layanan", "Alasan", "Kali", "Menit")
DISRUPTION_COLUMNS = ("service", "reason", "label", "disruptions", "minutes")


def disruptions_csv(rows: list[dict], excel_id: bool = False) -> str:
    """Return disruption minutes per service and reason as CSV (``excel_id`` as for ``to_csv``)."""
    out = io.StringIO()
    if excel_id:
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(("Kode", "Layanan", "Alasan", "Keterangan", "Kali", "Menit"))
        for row in rows:
            writer.writerow(
                (
                    row["service"],
                    _indonesian(row["name"]),
                    row["reason"],
                    _indonesian(row["label"]),
                    row["disruptions"],
                    row["minutes"],
                )
            )
    else:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(DISRUPTION_COLUMNS)
        for row in rows:
            writer.writerow(tuple(_text(row[key]) for key in DISRUPTION_COLUMNS))
    return out.getvalue()
