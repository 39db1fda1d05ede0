"""The yearly evaluation pack as an Excel workbook (xlsxwriter): one sheet per evaluation aspect.

Every sheet starts with the office, the aspect ("Aspek: ...") and what the sheet shows for the year; text is
always written as text, never as a formula.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from kiosk.domain.complaints import CATEGORIES, STANDARD_KEYS

SHEETS = {  # part of the pack -> sheet name (at most 31 characters)
    "standards": "Kebijakan Pelayanan - Standar",
    "skm": "Kebijakan Pelayanan - SKM",
    "complaints": "Konsultasi dan Pengaduan",
    "service_days": "Sarana Prasarana",
}
STANDARD_HEADINGS = (
    "Kode",
    "Layanan",
    "Persyaratan",
    "Sistem, mekanisme dan prosedur",
    "Jangka waktu pelayanan",
    "Biaya/tarif",
    "Produk pelayanan",
)
KEY_NAMES = {
    "requirements": "Persyaratan",
    "procedure": "Prosedur",
    "time_standard": "Jangka waktu",
    "cost": "Biaya/tarif",
    "product": "Produk",
    "maklumat": "Maklumat Pelayanan",
}
COMPLAINT_HEADINGS = (
    "Diterima",
    "Dijawab tepat waktu",
    "Dijawab terlambat",
    "Belum dijawab, lewat batas waktu",
    "Belum dijawab, dalam batas waktu",
)
COMPLAINT_KEYS = ("received", "answered_on_time", "answered_late", "overdue", "open")
NOT_RECORDED = "belum dicatat"


def _listed(value: Any) -> str:
    """Write a list as numbered lines, a text as it is."""
    if isinstance(value, list):
        return "\n".join(f"{number}. {item}" for number, item in enumerate(value, 1))
    return value or ""


def _key_name(key: str) -> str:
    base = key.removesuffix("_en")
    name = KEY_NAMES.get(base, base)
    return f"{name} (English)" if key.endswith("_en") else name


def evaluation_to_xlsx(pack: dict[str, Any]) -> bytes:
    """Return the workbook of an evaluation pack (see kiosk/office/complaints.py evaluation_pack)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    index = book.add_format({"num_format": "0.00"})

    def sheet_for(part: str, widths: tuple[int, ...]):
        sheet = book.add_worksheet(SHEETS[part])
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        aspect = pack["aspects"][part]
        sheet.write_string(0, 0, pack["office"], title)
        sheet.write_string(1, 0, f"Aspek: {aspect['aspect']}", bold)
        sheet.write_string(2, 0, f"{aspect['title']} - Tahun {pack['year']}")
        sheet.write_string(3, 0, f"Data sampai dengan {pack['through']}; dibuat {pack['generated_at']}")
        return sheet, 5

    def headings(sheet, row: int, texts) -> int:
        for column, text in enumerate(texts):
            sheet.write_string(row, column, text, bold)
        return row + 1

    # Kebijakan Pelayanan: the standards as published, the Maklumat, and this year's changes.
    standards = pack["standards"]
    sheet, row = sheet_for("standards", (10, 26, 40, 50, 24, 14, 24))
    sheet.write_string(row, 0, "Maklumat Pelayanan", bold)
    sheet.write_string(row, 1, standards["maklumat"] or "", wrap)
    row += 2
    row = headings(sheet, row, STANDARD_HEADINGS)
    for service in standards["services"]:
        sheet.write_string(row, 0, service["code"])
        sheet.write_string(row, 1, service["name"], wrap)
        for column, key in enumerate(STANDARD_KEYS, 2):
            sheet.write_string(row, column, _listed(service[key]), wrap)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Batas waktu jawaban pengaduan (hari kerja)", bold)
    row += 1
    for item in standards["complaints"]:
        sheet.write_string(row, 1, item["label"])
        sheet.write_number(row, 2, item["days"])
        row += 1
    row += 1
    sheet.write_string(row, 0, "Riwayat perubahan standar pelayanan dan maklumat", bold)
    row += 1
    row = headings(sheet, row, ("Waktu", "Oleh", "Bagian", "Unsur", "Sebelum", "Sesudah"))
    if not standards["changes"]:
        sheet.write_string(row, 0, "Tidak ada perubahan pada tahun ini.")
    for change in standards["changes"]:
        subject = "Kantor" if change["subject"] == "office" else change["subject"]
        for column, text in enumerate(
            (
                change["changed_at"],
                change["changed_by"],
                subject,
                _key_name(change["key"]),
                _listed(change["before"]),
                _listed(change["after"]),
            )
        ):
            sheet.write_string(row, column, text, wrap)
        row += 1

    # Kebijakan Pelayanan: SKM per quarter with its IKM and grade.
    skm = pack["skm"]
    sheet, row = sheet_for("skm", (12, 26, 12, 12, 10, 8, 14))
    row = headings(sheet, row, ("Triwulan", "Periode", "Responden", "Populasi", "IKM", "Mutu", "Kinerja"))
    for quarter in skm["quarters"]:
        sheet.write_string(row, 0, f"Triwulan {quarter['quarter']}")
        sheet.write_string(row, 1, f"{quarter['from']} s.d. {quarter['to']}")
        sheet.write_number(row, 2, quarter["respondents"])
        sheet.write_number(row, 3, quarter["population"])
        if quarter["ikm"] is None:
            sheet.write_string(row, 4, "belum ada responden")
        else:
            sheet.write_number(row, 4, quarter["ikm"], index)
            sheet.write_string(row, 5, quarter["grade"])
            sheet.write_string(row, 6, quarter["grade_label"])
        row += 1
    year = skm["year"]
    sheet.write_string(row, 0, "Setahun", bold)
    sheet.write_number(row, 2, year["respondents"])
    if year["ikm"] is not None:
        sheet.write_number(row, 4, year["ikm"], index)
        sheet.write_string(row, 5, year["grade"])
        sheet.write_string(row, 6, year["grade_label"])

    # Konsultasi dan Pengaduan: per category, then per month and category.
    complaints = pack["complaints"]
    sheet, row = sheet_for("complaints", (14, 32, 12, 14, 14, 18, 18))
    sheet.write_string(row, 0, "Per jenis pengaduan", bold)
    row = headings(sheet, row + 1, ("", "Jenis", *COMPLAINT_HEADINGS))
    for item in [*complaints["by_category"], {"label": "Jumlah", **complaints["total"]}]:
        sheet.write_string(row, 1, item["label"])
        for column, key in enumerate(COMPLAINT_KEYS, 2):
            sheet.write_number(row, column, item[key])
        row += 1
    row += 1
    sheet.write_string(row, 0, "Per bulan dan jenis pengaduan", bold)
    row = headings(sheet, row + 1, ("Bulan", "Jenis", *COMPLAINT_HEADINGS))
    for month in complaints["by_month"]:
        for item in [*month["categories"], {"category": None, **month["total"]}]:
            sheet.write_string(row, 0, month["name"])
            sheet.write_string(row, 1, CATEGORIES[item["category"]][0] if item["category"] else "Jumlah")
            for column, key in enumerate(COMPLAINT_KEYS, 2):
                sheet.write_number(row, column, item[key])
            row += 1

    # Sarana Prasarana: opening days of the calendar, days with service, disruption minutes.
    days = pack["service_days"]
    sheet, row = sheet_for("service_days", (14, 22, 22, 26))
    row = headings(
        sheet, row, ("Bulan", "Hari buka (kalender kantor)", "Hari dengan layanan", "Menit gangguan layanan")
    )
    for month in [
        *days["months"],
        {
            "name": "Jumlah",
            "opening_days": days["opening_days"],
            "served_days": days["served_days"],
            "disruption_minutes": days["disruption_minutes"],
        },
    ]:
        sheet.write_string(row, 0, month["name"])
        sheet.write_number(row, 1, month["opening_days"])
        sheet.write_number(row, 2, month["served_days"])
        if month["disruption_minutes"] is None:
            sheet.write_string(row, 3, NOT_RECORDED)
        else:
            sheet.write_number(row, 3, month["disruption_minutes"])
        row += 1
    if not days["disruptions_recorded"]:
        sheet.write_string(row + 1, 0, "Gangguan layanan belum dicatat oleh aplikasi pada tahun ini.")
    book.close()
    return out.getvalue()
