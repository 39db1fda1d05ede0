"""SIAK status CSV import (SPEC "Status import CSV"): read, check every row, upsert the good ones together.

Comma or semicolon separated, UTF-8 with or without a byte-order mark, header names in any case.
Bad rows are reported by row number (the file's line, header = 1) and reason and never stored;
good rows are upserted in one transaction, so a file is imported whole or not at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Callable, Iterator, TextIO

from kiosk import status_store
from kiosk.db import Database
from kiosk.errors import KioskError
from kiosk.status import Application, InvalidNumber, RecordProblem, check_application

REQUIRED_COLUMNS = ("nik", "no_kk", "nama", "tanggal_lahir", "status")
OPTIONAL_COLUMNS = ("keterangan",)
SEPARATOR = "\x1f"  # ASCII unit separator: never in a NIK, KK number, date, status code or printable name


class ImportProblem(KioskError):
    """The file as a whole cannot be imported (no header, a missing column, not UTF-8).

    ``reason`` is English for the command line; ``message`` is Indonesian for the staff screen.
    """

    code = "bad_import"
    status = 400

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class ImportReport:
    """What an import did: counts of stored rows and every rejected row with its reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    messages: dict[int, str] = field(default_factory=dict)  # row -> the reason in Indonesian, for staff screens

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ImportProblem(f"the header row lacks column(s) {', '.join(missing)} "
                            f"(needed: {', '.join(REQUIRED_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)})",
                            f"Baris judul tidak memuat kolom {', '.join(missing)} (wajib: "
                            f"{', '.join(REQUIRED_COLUMNS)}; boleh: {', '.join(OPTIONAL_COLUMNS)}).")
    return {name: names.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in names}


def read_rows(stream: TextIO, today: date, report: ImportReport,
              progress: Callable[[int], None] | None = None) -> Iterator[Application]:
    """Yield the good records of a CSV stream; add each bad row to ``report.rejected``."""
    try:
        first = next(stream)
    except StopIteration:
        raise ImportProblem("the file is empty (a header row is needed)",
                            "Berkas kosong: baris judul kolom diperlukan.") from None
    first = first.removeprefix("\ufeff")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(chain([first], stream), delimiter=delimiter)
    columns = _columns(next(reader))
    width = max(columns[name] for name in REQUIRED_COLUMNS) + 1  # a trailing empty keterangan may be left out
    seen: dict[str, int] = {}
    for row in reader:
        if progress:
            progress(1)
        if not any(cell.strip() for cell in row):
            continue
        number = reader.line_num
        if len(row) < width:
            report.rejected.append((number, f"{len(row)} fields, at least {width} expected"))
            report.messages[number] = f"Hanya {len(row)} kolom, paling sedikit {width} diperlukan."
            continue
        cell = {name: row[index].strip() for name, index in columns.items() if index < len(row)}
        try:
            record = check_application(cell["nik"], cell["no_kk"], cell["nama"], cell["tanggal_lahir"],
                                       cell["status"], cell.get("keterangan", ""), today)
        except (InvalidNumber, RecordProblem) as problem:
            report.rejected.append((number, problem.reason))
            report.messages[number] = problem.detail if isinstance(problem, InvalidNumber) else problem.message
            continue
        if record.nik in seen:
            report.rejected.append((number, f"NIK repeated (first in row {seen[record.nik]})"))
            report.messages[number] = f"NIK berulang (pertama di baris {seen[record.nik]})."
            continue
        seen[record.nik] = number
        yield record


def import_status(db: Database, stream: TextIO, today: date, at: str, by: str = "import",
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Check every row of a SIAK CSV and upsert the good ones in one transaction; return the report."""
    report = ImportReport()
    try:
        # Every row is read and checked before the write transaction begins: the checks are most of the
        # time, and inside the transaction they would hold the writer lock and stop ticket issuing.
        # Held packed, one string per row (a third of the memory of records): the fields before the note
        # are digits, a date, a code and a printable name, so the separator cannot occur in them.
        good = [SEPARATOR.join((r.nik, r.kk, r.name, r.birth_date, r.status, r.note))
                for r in read_rows(stream, today, report, progress)]
        records = (Application(*row.split(SEPARATOR, 5)) for row in good)
        counts = status_store.save_applications(db, records, at, by, "import")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                            f"export it again as CSV UTF-8",
                            "Berkas bukan teks UTF-8. Ekspor ulang dari SIAK sebagai CSV UTF-8.") from None
    except csv.Error as exc:
        raise ImportProblem(f"the file is not readable CSV: {exc}",
                            "Berkas bukan CSV yang dapat dibaca. Ekspor ulang dari SIAK sebagai CSV.") from None
    report.created, report.updated, report.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    return report
