"""The SKM report as an Excel workbook (xlsxwriter), laid out like the usual "Laporan Hasil SKM"."""

from __future__ import annotations

import io

import xlsxwriter

from kiosk.files.reports import period_text


def skm_to_xlsx(report: dict) -> bytes:
    """Return a workbook: the IKM with each element (lowest first marked), the profile, then the suggestions."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True})
    mean = book.add_format({"num_format": "0.00"})
    index = book.add_format({"num_format": "0.00", "bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    def header(sheet, heading: str) -> int:
        sheet.write_string(0, 0, report["office"], title)
        sheet.write_string(1, 0, heading, bold)
        sheet.write_string(2, 0, f"Periode: {period_text(report['from'], report['to'])}")
        sheet.write_string(3, 0, f"Layanan: {report['service_name']}")
        return 5

    sheet = book.add_worksheet("IKM")
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 44)
    sheet.set_column(2, 4, 16)
    row = header(sheet, "Laporan Hasil Survei Kepuasan Masyarakat (PermenPANRB No. 14 Tahun 2017)")
    facts = [
        ("Jumlah responden", report["respondents"]),
        ("Populasi (nomor dilayani)", report["population"]),
        ("Sampel minimal (Krejcie-Morgan)", report["sample_size"]),
    ]
    for label, value in facts:
        sheet.write_string(row, 1, label)
        sheet.write_number(row, 2, value)
        row += 1
    sheet.write_string(row, 1, "Indeks Kepuasan Masyarakat (IKM)", bold)
    if report["ikm"] is not None:
        sheet.write_number(row, 2, report["ikm"], index)
        sheet.write_string(row, 3, f"{report['grade']} ({report['grade_label']})", bold)
    else:
        sheet.write_string(row, 2, "belum ada responden")
    row += 2
    for column, text in enumerate(("No.", "Unsur pelayanan", "Nilai rata-rata (NRR)", "Mutu", "Kinerja")):
        sheet.write_string(row, column, text, bold)
    row += 1
    for number, element in enumerate(report["elements"], 1):
        sheet.write_number(row, 0, number)
        sheet.write_string(row, 1, element["name"])
        if element["mean"] is not None:
            sheet.write_number(row, 2, element["mean"], mean)
            sheet.write_string(row, 3, element["grade"])
            sheet.write_string(row, 4, element["grade_label"])
        row += 1
    row += 1
    sheet.write_string(row, 1, "Yang perlu diperbaiki (nilai terendah lebih dulu)", bold)
    row += 1
    for element in report["needs_improvement"][:3]:
        sheet.write_string(row, 1, element["name"])
        sheet.write_number(row, 2, element["mean"], mean)
        sheet.write_string(row, 3, element["grade"])
        row += 1

    profile = book.add_worksheet("Profil responden")
    profile.set_column(0, 0, 26)
    profile.set_column(1, 1, 12)
    row = header(profile, "Profil responden")
    for part in report["profile"]:
        profile.write_string(row, 0, part["title"], bold)
        profile.write_string(row, 1, "Jumlah", bold)
        row += 1
        for option in part["options"]:
            profile.write_string(row, 0, option["label"])
            profile.write_number(row, 1, option["count"])
            row += 1
        profile.write_string(row, 0, "Tidak diisi")
        profile.write_number(row, 1, part["unanswered"])
        row += 2

    suggestions = book.add_worksheet("Saran")
    suggestions.set_column(0, 0, 100)
    row = header(suggestions, "Saran dan masukan responden")
    suggestions.set_column(1, 1, 10)
    suggestions.write_string(row, 0, "Saran", bold)
    suggestions.write_string(row, 1, "Jumlah", bold)
    row += 1
    for item in report["suggestions"]:
        suggestions.write_string(row, 0, item["text"], wrap)  # never a formula, whatever the resident typed
        suggestions.write_number(row, 1, item["count"])
        row += 1
    book.close()
    return out.getvalue()
