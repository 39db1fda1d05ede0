"""SIAK status CSV import (docs/contract.md, "Status import CSV"): read as a stream, check every row, apply all or nothing.

Comma or semicolon separated, UTF-8 with or without a byte-order mark, header names in any case.
Bad rows are reported by row number (the file's line, header = 1) and reason and never stored; only
the first 200 are kept, with a count of all. A file whose rows are nearly all rejected is not a SIAK
export: the import stops early and changes nothing.

The good rows never sit in memory and the writer is never held for long (kiosk/storage/status.py):
rows are staged in short transactions as they are read, then the changed ones are written under
the import's own generation in short transactions, then one small transaction makes them the ones
everybody sees. A failed or killed import therefore changes nothing, and issuing goes on meanwhile.
"""

from __future__ import annotations

import csv
import fcntl
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import TextIO

from kiosk.domain.errors import KioskError
from kiosk.domain.status import Application, InvalidNumber, RecordProblem, check_application
from kiosk.storage import status as status_store
from kiosk.storage.db import PRIVATE_MODE, Database

REQUIRED_COLUMNS = ("nik", "no_kk", "nama", "tanggal_lahir", "status")
OPTIONAL_COLUMNS = ("keterangan",)
MAX_IMPORT_BYTES = 16 * 1024 * 1024  # the upload limit, the command line's, and waitress's body limit
MAX_LINE_CHARS = 64 * 1024  # a SIAK row is about 100 characters
MAX_REPORTED = 200  # rejected rows reported by number and reason; the rest are counted
# Write transactions are kept near CHUNK_SECONDS by adapting their size, and each is followed by a pause of
# at least PAUSE_SECONDS (the next rows are read and checked meanwhile). A writer in another process (the
# server, while `kiosk import-status` runs) waits in SQLite's busy handler, which sleeps at most 25 ms at a
# time in its first 150 ms: a pause longer than that lets it in, so a ticket waits for at most about one
# transaction of the import.
CHUNK_ROWS = 250  # rows of the first write transaction
CHUNK_SECONDS = 0.015
PAUSE_SECONDS = 0.03
JUNK_CHECK_ROWS = 1000  # every so many rows, the share of rejected rows is checked ...
JUNK_SHARE = 0.9  # ... and above it the file is not a SIAK export


class ImportProblem(KioskError):
    """The file as a whole cannot be imported (no header, a missing column, not UTF-8).

    ``reason`` is English; ``message`` is Indonesian, for the command line and the staff screen.
    """

    code = "bad_import"
    status = 400

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class NotSiakFile(ImportProblem):
    """Nearly every row is rejected, or a line is far too long: this is not a SIAK status export."""

    code = "not_siak_file"


class ImportRunning(ImportProblem):
    """Another import of the same database is under way."""

    code = "import_running"
    status = 409


@dataclass
class ImportReport:
    """What an import did: counts of stored rows, and the first rejected rows with their reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # the first MAX_REPORTED, by row number
    messages: dict[int, str] = field(default_factory=dict)  # row -> the reason in Indonesian, for staff screens
    rejected_count: int = 0

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def reject(self, row: int, reason: str, message: str) -> None:
        """Count a rejected row; keep its reasons only while it is among the first MAX_REPORTED."""
        self.rejected_count += 1
        if len(self.rejected) >= MAX_REPORTED and row > self.rejected[MAX_REPORTED - 1][0]:
            return
        self.rejected.append((row, reason))
        self.messages[row] = message
        if len(self.rejected) > 2 * MAX_REPORTED:
            self._trim()

    def _trim(self) -> None:
        self.rejected.sort()
        for row, _ in self.rejected[MAX_REPORTED:]:
            self.messages.pop(row, None)
        del self.rejected[MAX_REPORTED:]

    def finish(self) -> None:
        """Put the kept rejected rows in row order, the first MAX_REPORTED only."""
        self._trim()


@contextmanager
def readable_file() -> Iterator[None]:
    """Turn a file that is not UTF-8 or not CSV into the import's own refusal (the office's and the regency's)."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); export it again as CSV UTF-8",
            "Berkas bukan teks UTF-8. Ekspor ulang dari SIAK sebagai CSV UTF-8.",
        ) from None
    except csv.Error as exc:
        raise ImportProblem(
            f"the file is not readable CSV: {exc}",
            "Berkas bukan CSV yang dapat dibaca. Ekspor ulang dari SIAK sebagai CSV.",
        ) from None


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ImportProblem(
            f"the header row lacks column(s) {', '.join(missing)} "
            f"(needed: {', '.join(REQUIRED_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)})",
            f"Baris judul tidak memuat kolom {', '.join(missing)} (wajib: "
            f"{', '.join(REQUIRED_COLUMNS)}; boleh: {', '.join(OPTIONAL_COLUMNS)}).",
        )
    return {name: names.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in names}


def _lines(stream: TextIO) -> Iterator[str]:
    """Yield the stream's lines, refusing one so long that it cannot be a SIAK row (memory stays bounded)."""
    while True:
        line = stream.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        if len(line) > MAX_LINE_CHARS:
            raise NotSiakFile(
                f"not a SIAK status export: a line is longer than {MAX_LINE_CHARS // 1024} KiB",
                f"Berkas ini bukan ekspor status SIAK: ada baris yang lebih panjang dari "
                f"{MAX_LINE_CHARS // 1024} KB. Ekspor ulang dari SIAK sebagai CSV.",
            )
        yield line


def _not_siak(rows: int, rejected: int) -> NotSiakFile:
    return NotSiakFile(
        f"not a SIAK status export: {rejected} of the first {rows} rows were rejected",
        f"Berkas ini bukan ekspor status SIAK: {rejected} dari {rows} baris pertama ditolak. "
        f"Periksa berkasnya, lalu ekspor ulang dari SIAK sebagai CSV.",
    )


def read_rows(
    stream: TextIO, today: date, report: ImportReport, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, Application]]:
    """Yield (row number, record) for the good rows of a CSV stream; count each bad row in ``report``.

    Raise NotSiakFile as soon as, after a multiple of JUNK_CHECK_ROWS rows, nearly all were rejected.
    """
    lines = _lines(stream)
    try:
        first = next(lines)
    except StopIteration:
        raise ImportProblem(
            "the file is empty (a header row is needed)", "Berkas kosong: baris judul kolom diperlukan."
        ) from None
    first = first.removeprefix("\ufeff")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(chain([first], lines), delimiter=delimiter)
    columns = _columns(next(reader))
    width = max(columns[name] for name in REQUIRED_COLUMNS) + 1  # a trailing empty keterangan may be left out
    rows = 0
    for row in reader:
        if progress:
            progress(1)
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows % JUNK_CHECK_ROWS == 0 and report.rejected_count > JUNK_SHARE * rows:
            raise _not_siak(rows, report.rejected_count)
        number = reader.line_num
        if len(row) < width:
            report.reject(
                number,
                f"{len(row)} fields, at least {width} expected",
                f"Hanya {len(row)} kolom, paling sedikit {width} diperlukan.",
            )
            continue
        cell = {name: row[index].strip() for name, index in columns.items() if index < len(row)}
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
            report.reject(
                number, problem.reason, problem.detail if isinstance(problem, InvalidNumber) else problem.message
            )
            continue
        yield number, record


_MEMORY_LOCKS: dict[int, threading.Lock] = {}


@contextmanager
def _exclusive(db: Database) -> Iterator[None]:
    """Hold the database's import lock (a file lock beside it, released by the system if the process dies)."""
    if db.in_memory:
        lock = _MEMORY_LOCKS.setdefault(id(db), threading.Lock())
        if not lock.acquire(blocking=False):
            raise _running()
        try:
            yield
        finally:
            lock.release()
        return
    fd = os.open(db.path.with_name(db.path.name + ".import-lock"), os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _running() from None
        yield
    finally:
        os.close(fd)


def _running() -> ImportRunning:
    return ImportRunning(
        "another status import is running on this database; try again when it has finished",
        "Impor data status lain sedang berjalan. Silakan coba lagi setelah selesai.",
    )


class _Pacer:
    """Sizes the import's write transactions to about CHUNK_SECONDS and leaves the database alone after each one.

    After a commit the next write transaction begins no sooner than the pause (or as long as the last one took):
    reading and checking the next rows happens in that time and counts towards it, so only the rest is slept.
    """

    def __init__(
        self, pause: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ):
        self.pause = pause
        self.rows = CHUNK_ROWS
        self.clock, self.sleep = clock, sleep
        self.started = clock()
        self.free_from = self.started  # when the next write transaction may begin

    def begin(self) -> None:
        wait = self.free_from - self.clock()
        if wait > 0:
            self.sleep(wait)
        self.started = self.clock()

    def __call__(self) -> None:
        committed = self.clock()
        took = committed - self.started
        self.rows = max(50, min(5000, int(self.rows * CHUNK_SECONDS / max(took, 0.001))))
        self.free_from = committed + max(self.pause, took)


def import_status(
    db: Database,
    stream: TextIO,
    today: date,
    at: str,
    by: str = "import",
    progress: Callable[[int], None] | None = None,
    pause_seconds: float = PAUSE_SECONDS,
) -> ImportReport:
    """Check every row of a SIAK CSV and apply the good ones all or nothing; return the report."""
    report = ImportReport()
    pace = _Pacer(pause_seconds)
    with _exclusive(db):
        for leftover, done in status_store.unfinished_imports(db):  # what a killed import left behind
            status_store.tidy_import(db, leftover, done=done, chunk=pace)
        import_id = status_store.begin_import(db, at, by)
        switched = False
        try:
            batch: list[tuple[int, status_store.Stored]] = []

            def stage() -> None:
                pace.begin()
                for number, first in status_store.stage(db, import_id, batch):
                    report.reject(
                        number, f"NIK repeated (first in row {first})", f"NIK berulang (pertama di baris {first})."
                    )
                batch.clear()
                pace()

            with readable_file():
                for number, record in read_rows(stream, today, report, progress):
                    batch.append((number, status_store.stored(db, record)))
                    if len(batch) >= pace.rows:
                        stage()
                stage()
            after = ""
            while (last := status_store.staged_keys(db, import_id, after, pace.rows)) is not None:
                pace.begin()
                counts = status_store.apply_staged(db, import_id, after, last, at, by)
                report.created += counts["created"]
                report.updated += counts["updated"]
                report.unchanged += counts["unchanged"]
                after = last
                pace()
            status_store.switch_on(db, import_id)
            switched = True
        finally:
            if not switched:
                try:
                    status_store.tidy_import(db, import_id, done=False, chunk=pace)
                except Exception:  # the next import removes them; nobody sees them meanwhile
                    pass
        status_store.tidy_import(db, import_id, done=True, chunk=pace)
    report.finish()
    return report


def _import_file(database: str, path: str, today: str, at: str, by: str) -> tuple:
    """Run an import in a process of its own (see :func:`import_file_apart`); return ("ok", report) or an error."""
    try:
        os.nice(5)
    except OSError:
        pass
    db = Database(database)
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            report = import_status(db, stream, date.fromisoformat(today), at, by)
    except ImportProblem as problem:
        return ("problem", type(problem).__name__, problem.reason, problem.message)
    finally:
        db.close()
    return ("ok", report)


_PROBLEMS = {kind.__name__: kind for kind in (ImportProblem, NotSiakFile, ImportRunning)}


def import_file_apart(db: Database, path: str, today: date, at: str, by: str) -> ImportReport:
    """Import a SIAK file in a separate process at a lower CPU priority, and wait for its report.

    Checking 200,000 rows is seconds of CPU work: inside the server it held Python's interpreter lock
    against the threads answering kiosks and counters. An in-memory database is imported here instead.
    """
    if db.in_memory:
        with open(path, encoding="utf-8", newline="") as stream:
            return import_status(db, stream, today, at, by)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: forking a threaded server is unsafe
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        outcome = pool.submit(_import_file, str(db.path), path, today.isoformat(), at, by).result()
    if outcome[0] == "problem":
        _, kind, reason, message = outcome
        raise _PROBLEMS[kind](reason, message)
    return outcome[1]
