"""Report downloads: CSV (machine-readable, the JSON keys as columns) and Excel with the office header."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")

SERVICE_COLUMNS = ("code", "name", "issued", "served", "no_show", "avg_wait_minutes", "median_wait_minutes",
                   "p90_wait_minutes", "avg_service_minutes")
TOTAL_DATE = "total"

_SERVICE_HEADINGS = ("Kode", "Layanan", "Diambil", "Dilayani", "Tidak hadir", "Rata-rata tunggu (menit)",
                     "Median tunggu (menit)", "P90 tunggu (menit)", "Rata-rata layanan (menit)")
_WORKER_HEADINGS = ("Dipanggil", "Dilayani", "Tidak hadir", "Rata-rata tunggu (menit)",
                    "Rata-rata layanan (menit)", "Jumlah menit layanan")
_WORKER_KEYS = ("called", "served", "no_show", "avg_wait_minutes", "avg_service_minutes", "service_minutes")


def long_date(day: str) -> str:
    """Return an ISO day the way the office writes it: 2026-11-28 -> 28 November 2026."""
    value = date.fromisoformat(day)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period_text(first: str, last: str) -> str:
    """Return the period a report covers, in words."""
    return long_date(first) if first == last else f"{long_date(first)} s.d. {long_date(last)}"


def _text(value):
    """Keep text a spreadsheet would take for a formula (=, +, -, @ first) as plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _days(report: dict) -> list[dict]:
    return report["days"] if "days" in report else [report]


def to_csv(report: dict) -> str:
    """Return the service rows of every day (a daily or range report), then the period totals for a range."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("date", *SERVICE_COLUMNS))
    for day in _days(report):
        for row in day["services"]:
            writer.writerow((day["date"], *(_text(row[key]) for key in SERVICE_COLUMNS)))
    if "totals" in report:
        for row in report["totals"]["services"]:
            writer.writerow((TOTAL_DATE, *(_text(row[key]) for key in SERVICE_COLUMNS)))
    return out.getvalue()


def _bold(sheet, value, size: int | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    return cell


def _sheet(book: Workbook, title: str, report: dict, headings: tuple[str, ...]):
    """Add a sheet that starts with the office, the report's name and its period, then the column headings."""
    sheet = book.create_sheet(title)
    first_day, last_day = (report["from"], report["to"]) if "days" in report else (report["date"],) * 2
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 28
    sheet.append([_bold(sheet, report["office"], 14)])
    sheet.append([_bold(sheet, f"Laporan Antrean - {title}")])
    sheet.append([f"Periode: {period_text(first_day, last_day)}"])
    sheet.append([])
    sheet.append([_bold(sheet, heading) for heading in headings])
    return sheet


def to_xlsx(report: dict) -> bytes:
    """Return an Excel workbook: summary, per day, per hour, per loket, per staff member, each under the header."""
    totals = report.get("totals", report)
    book = Workbook(write_only=True)  # streams rows: a year's sheet is written without a cell object per value
    summary = _sheet(book, "Ringkasan", report, _SERVICE_HEADINGS)
    for row in totals["services"]:
        summary.append([_text(row[key]) for key in SERVICE_COLUMNS])
    summary.append([_bold(summary, "Jumlah"), "", totals["issued"], totals["served"], totals["no_show"]])

    daily = _sheet(book, "Harian", report, ("Tanggal", *_SERVICE_HEADINGS))
    for day in _days(report):
        for row in day["services"]:
            daily.append([day["date"], *(_text(row[key]) for key in SERVICE_COLUMNS)])

    hourly = _sheet(book, "Per jam", report, ("Jam", "Diambil", "Dilayani"))
    for row in totals["hourly"]:
        hourly.append([f"{row['hour']:02d}.00", row["issued"], row["served"]])

    counters = _sheet(book, "Loket", report, ("Loket", *_WORKER_HEADINGS))
    for row in totals["counters"]:
        counters.append([_text(row["name"]), *(row[key] for key in _WORKER_KEYS)])

    staff = _sheet(book, "Petugas", report, ("Petugas", *_WORKER_HEADINGS))
    for row in totals["staff"]:
        staff.append([_text(row["username"]), *(row[key] for key in _WORKER_KEYS)])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
