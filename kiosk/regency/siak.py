"""The regency's SIAK import: the office's CSV format and row checks, plus a kecamatan column.

Each row is checked exactly as at the office (``kiosk.status.check_application``); the kecamatan column
holds the kode wilayah of the office that must receive the record (e.g. 62.03.01). A file is imported
whole or not at all; bad rows are reported by line and never stored.
"""

from __future__ import annotations

import csv
from datetime import date
from itertools import chain
from typing import TextIO

import psycopg

from kiosk.domain.status import InvalidNumber, RecordProblem, check_application
from kiosk.files.siak import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, ImportProblem, ImportReport, readable_file
from kiosk.regency import store

KECAMATAN_COLUMNS = ("kecamatan", "kode_kecamatan")


def read_file(stream: TextIO, today: date, report: ImportReport) -> list[tuple]:
    try:
        first = next(stream)
    except StopIteration:
        raise ImportProblem(
            "the file is empty (a header row is needed)", "Berkas kosong: baris judul kolom diperlukan."
        ) from None
    first = first.removeprefix("\ufeff")
    reader = csv.reader(chain([first], stream), delimiter=";" if first.count(";") > first.count(",") else ",")
    names = [name.strip().lower() for name in next(reader)]
    kecamatan = next((name for name in KECAMATAN_COLUMNS if name in names), None)
    missing = [name for name in REQUIRED_COLUMNS if name not in names] + ([] if kecamatan else ["kecamatan"])
    if missing:
        raise ImportProblem(
            f"the header row lacks column(s) {', '.join(missing)} (needed: "
            f"{', '.join(REQUIRED_COLUMNS)}, kecamatan; optional: {', '.join(OPTIONAL_COLUMNS)})",
            f"Baris judul tidak memuat kolom {', '.join(missing)}.",
        )
    columns = {name: names.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, kecamatan) if name in names}
    width = max(columns[name] for name in (*REQUIRED_COLUMNS, kecamatan)) + 1
    good: list[tuple] = []
    seen: dict[str, int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        number = reader.line_num
        if len(row) < width:
            report.rejected.append((number, f"{len(row)} fields, at least {width} expected"))
            report.messages[number] = f"Hanya {len(row)} kolom, paling sedikit {width} diperlukan."
            continue
        cell = {name: row[index].strip() for name, index in columns.items() if index < len(row)}
        if any("\x00" in value for value in cell.values()):  # PostgreSQL text cannot hold NUL
            report.rejected.append((number, "a field holds a NUL character"))
            report.messages[number] = "Baris memuat karakter NUL."
            continue
        try:
            record = check_application(
                cell["nik"],
                cell["no_kk"],
                cell["nama"],
                cell["tanggal_lahir"],
                cell["status"],
                cell.get("keterangan", ""),
                today,
            )
        except (InvalidNumber, RecordProblem) as problem:
            report.rejected.append((number, problem.reason))
            report.messages[number] = problem.detail if isinstance(problem, InvalidNumber) else problem.message
            continue
        if not store.OFFICE_CODE.fullmatch(cell[kecamatan]):
            report.rejected.append((number, f"kecamatan {cell[kecamatan][:20]!r} is not a code like 62.03.01"))
            report.messages[number] = "Kode kecamatan harus berbentuk 62.03.01."
            continue
        if record.nik in seen:
            report.rejected.append((number, f"NIK repeated (first in row {seen[record.nik]})"))
            report.messages[number] = f"NIK berulang (pertama di baris {seen[record.nik]})."
            continue
        seen[record.nik] = number
        good.append((record, cell[kecamatan]))
    return good


def import_status(conn: psycopg.Connection, stream: TextIO, today: date) -> ImportReport:
    """Check every row, then upsert the good ones in one transaction; return the report."""
    report = ImportReport()
    with readable_file():
        good = read_file(stream, today, report)
    counts = store.save_status_records(conn, good)
    report.created, report.updated, report.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    return report
