"""Every SQL statement of KTP-el status records, their history, imports and the lookup audit log.

Functions take the database first, and a NIK or nomor KK in clear: they are hashed here (HMAC-SHA256
with the key of ``<database>.status-key``) and only the hashes are stored. No birth date is stored.

A record row belongs to a generation. Readers see, per NIK, the row of the highest generation up to
``status_state.generation``. Staff write at that generation. An import (kiosk/files/siak.py)
stages its rows, writes the changed ones under its own generation (an id above every one so far)
in short transactions, and then switches ``status_state.generation`` to it in one small transaction:
until then nobody sees any of it, and a failed or killed import leaves rows nobody sees, removed by
the next import. A record's history gets a row only when something really changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kiosk.domain.status import FINISHED_STATUSES, READY_FOR_PICKUP, Application, can_become_ready, hash_kk, hash_nik
from kiosk.storage.db import Database

_CURRENT = "(SELECT generation FROM status_state WHERE id = 1)"
_VISIBLE = (
    "SELECT nik_hash, generation, kk_hash, name, status, note, updated_at, updated_by FROM applications"
    f" WHERE nik_hash = ? AND generation <= {_CURRENT} ORDER BY generation DESC LIMIT 1"
)


@dataclass(frozen=True, slots=True)
class Stored:
    """A record as stored: the NIK and nomor KK as keyed hashes, no birth date."""

    nik_hash: str
    kk_hash: str
    name: str
    status: str
    note: str = ""

    def same(self, row: sqlite3.Row | None) -> bool:
        return row is not None and (row["kk_hash"], row["name"], row["status"], row["note"]) == (
            self.kk_hash,
            self.name,
            self.status,
            self.note,
        )


def nik_key(db: Database, nik: str) -> str:
    """Return the keyed hash that stands for ``nik`` (records, audit log, rate limits)."""
    return hash_nik(db.status_key(), nik)


def kk_key(db: Database, kk: str) -> str:
    """Return the keyed hash that stands for a nomor KK."""
    return hash_kk(db.status_key(), kk)


def stored(db: Database, record: Application) -> Stored:
    """Return what is kept of a checked record: hashes of the numbers, name, status and note."""
    return Stored(nik_key(db, record.nik), kk_key(db, record.kk), record.name, record.status, record.note)


def _public(row: sqlite3.Row) -> dict:
    return {
        "name": row["name"],
        "status": row["status"],
        "note": row["note"],
        "updated_at": row["updated_at"],
        "updated_by": row["updated_by"],
    }


def get_application(db: Database, nik: str) -> dict | None:
    """Return the record of a NIK (name, status, note, updated_at, updated_by, kk_hash), or None."""
    row = db.conn.execute(_VISIBLE, [nik_key(db, nik)]).fetchone()
    if row is None:
        return None
    return {**_public(row), "kk_hash": row["kk_hash"]}


def current_generation(conn: sqlite3.Connection) -> int:
    """Return the generation readers see."""
    return conn.execute(f"SELECT {_CURRENT}").fetchone()[0]


def _write(conn: sqlite3.Connection, record: Stored, generation: int, at: str, by: str, source: str) -> None:
    conn.execute(
        "INSERT INTO applications (nik_hash, generation, kk_hash, name, status, note, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (nik_hash, generation) DO UPDATE SET"
        " kk_hash = excluded.kk_hash, name = excluded.name, status = excluded.status, note = excluded.note,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [record.nik_hash, generation, record.kk_hash, record.name, record.status, record.note, at, by],
    )
    conn.execute(
        "INSERT INTO application_history (nik_hash, generation, at, by, source, kk_hash, name, status, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [record.nik_hash, generation, at, by, source, record.kk_hash, record.name, record.status, record.note],
    )


def _upsert(conn: sqlite3.Connection, record: Stored, at: str, by: str, source: str) -> str:
    """Write one record seen by everybody at once, inside the caller's transaction; return the change.

    A staff change is later than an import still running: it is carried into that import's rows too.
    """
    old = conn.execute(_VISIBLE, [record.nik_hash]).fetchone()
    if record.same(old):
        return "unchanged"
    generation = current_generation(conn)
    _write(conn, record, generation, at, by, source)
    conn.execute("DELETE FROM applications WHERE nik_hash = ? AND generation < ?", [record.nik_hash, generation])
    conn.execute(
        "UPDATE applications SET kk_hash = ?, name = ?, status = ?, note = ?, updated_at = ?, updated_by = ?"
        " WHERE nik_hash = ? AND generation > ?",
        [record.kk_hash, record.name, record.status, record.note, at, by, record.nik_hash, generation],
    )
    return "created" if old is None else "updated"


def save_application(db: Database, record: Application, at: str, by: str, source: str = "staff") -> str:
    """Create or change one record (history only on a real change); return created, updated or unchanged."""
    keys = stored(db, record)
    with db.write() as conn:
        return _upsert(conn, keys, at, by, source)


def save_applications(
    db: Database, records: Iterable[Application], at: str, by: str, source: str = "import"
) -> dict[str, int]:
    """Upsert a few records in one transaction (demo data, benchmarks); return the counts of each change.

    SIAK files go through kiosk/files/siak.py, which never holds the writer for long.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    keys = [stored(db, record) for record in records]
    with db.write() as conn:
        for record in keys:
            counts[_upsert(conn, record, at, by, source)] += 1
    return counts


def set_status(db: Database, nik: str, status: str, note: str, at: str, by: str) -> str | None:
    """Change the status and note of an existing record (staff); return updated or unchanged, None when unknown."""
    key = nik_key(db, nik)
    with db.write() as conn:
        old = conn.execute(_VISIBLE, [key]).fetchone()
        if old is None:
            return None
        return _upsert(conn, Stored(key, old["kk_hash"], old["name"], status, note), at, by, "staff")


def mark_ready(db: Database, niks: Iterable[str], note: str, at: str, by: str) -> dict[str, str]:
    """Set many records to READY_FOR_PICKUP with a note, in one transaction.

    Return each NIK's outcome: updated, already_ready (left as it is, note included), not_ready_state (a status
    from which no card can be at the office: left as it is) or unknown.
    """
    keys = {nik: nik_key(db, nik) for nik in niks}
    outcomes: dict[str, str] = {}
    with db.write() as conn:
        for nik, key in keys.items():
            old = conn.execute(_VISIBLE, [key]).fetchone()
            if old is None:
                outcomes[nik] = "unknown"
            elif old["status"] == READY_FOR_PICKUP:
                outcomes[nik] = "already_ready"
            elif not can_become_ready(old["status"]):
                outcomes[nik] = "not_ready_state"
            else:
                _upsert(conn, Stored(key, old["kk_hash"], old["name"], READY_FOR_PICKUP, note), at, by, "staff")
                outcomes[nik] = "updated"
    return outcomes


def application_history(db: Database, nik: str) -> list[dict]:
    """Return a record's changes, oldest first; ``details_changed`` says the nomor KK or the name changed."""
    rows = db.conn.execute(
        "SELECT at, by, source, kk_hash, name, status, note FROM application_history"
        f" WHERE nik_hash = ? AND generation <= {_CURRENT} ORDER BY id",
        [nik_key(db, nik)],
    ).fetchall()
    changes, previous = [], None
    for row in rows:
        changes.append(
            {
                "at": row["at"],
                "by": row["by"],
                "source": row["source"],
                "status": row["status"],
                "note": row["note"],
                "details_changed": previous is not None
                and ((previous["kk_hash"], previous["name"]) != (row["kk_hash"], row["name"])),
            }
        )
        previous = row
    return changes


def count_applications(db: Database) -> int:
    """Return how many status records there are."""
    return db.conn.execute(
        f"SELECT count(DISTINCT nik_hash) FROM applications WHERE generation <= {_CURRENT}"
    ).fetchone()[0]


# ---------------------------------------------------------------- imports


def begin_import(db: Database, at: str, by: str) -> int:
    """Open an import; return its id, which is also the generation its rows are written under."""
    with db.write() as conn:
        return conn.execute(
            "INSERT INTO status_imports (started_at, by, state) VALUES (?, ?, 'staging')", [at, by]
        ).lastrowid


def stage(db: Database, import_id: int, rows: list[tuple[int, Stored]]) -> list[tuple[int, int]]:
    """Stage checked rows (row number, record) in one short transaction.

    Return (row number, first row number) for every row whose NIK this import staged already. Staged
    rows need not survive a power cut (nobody sees them): the commit does not wait for the disk.
    """
    repeated: list[tuple[int, int]] = []
    if not rows:
        return repeated
    with db.write(durable=False) as conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT INTO status_import_rows (import_id, nik_hash, row_number, kk_hash, name, status, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (import_id, nik_hash) DO NOTHING",
            [
                (import_id, record.nik_hash, number, record.kk_hash, record.name, record.status, record.note)
                for number, record in rows
            ],
        )
        if conn.total_changes - before != len(rows):  # some NIK was there already: find which rows
            marks = ", ".join("?" for _ in rows)
            first = dict(
                conn.execute(
                    f"SELECT nik_hash, row_number FROM status_import_rows WHERE import_id = ?"
                    f" AND nik_hash IN ({marks})",
                    [import_id, *(r.nik_hash for _, r in rows)],
                )
            )
            repeated = [(number, first[record.nik_hash]) for number, record in rows if first[record.nik_hash] != number]
    return repeated


def staged_keys(db: Database, import_id: int, after: str, limit: int) -> str | None:
    """Return the last of the next ``limit`` staged NIK hashes of an import after ``after`` (None: no more)."""
    row = db.conn.execute(
        "SELECT max(nik_hash) FROM (SELECT nik_hash FROM status_import_rows WHERE import_id = ? AND nik_hash > ?"
        " ORDER BY nik_hash LIMIT ?)",
        [import_id, after, limit],
    ).fetchone()
    return row[0]


# The staged rows of one import in a range of NIK hashes, each with the generation of the row readers see now.
_STAGED_RANGE = f"""
    WITH staged AS (
        SELECT s.nik_hash, s.kk_hash, s.name, s.status, s.note,
               (SELECT a.generation FROM applications AS a WHERE a.nik_hash = s.nik_hash
                AND a.generation <= {_CURRENT} ORDER BY a.generation DESC LIMIT 1) AS seen
        FROM status_import_rows AS s WHERE s.import_id = :import AND s.nik_hash > :after AND s.nik_hash <= :last
    ), judged AS (
        SELECT staged.*, CASE WHEN staged.seen IS NULL THEN 'created'
            WHEN a.kk_hash = staged.kk_hash AND a.name = staged.name AND a.status = staged.status
                 AND a.note = staged.note THEN 'unchanged' ELSE 'updated' END AS change
        FROM staged LEFT JOIN applications AS a ON a.nik_hash = staged.nik_hash AND a.generation = staged.seen
    )"""


def apply_staged(db: Database, import_id: int, after: str, last: str, at: str, by: str) -> dict[str, int]:
    """Write the changed staged rows with NIK hashes in (after, last] under the import's generation.

    Nobody sees them until :func:`switch_on`; not waiting for the disk here is safe for the same reason.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    names = {"import": import_id, "after": after, "last": last, "at": at, "by": by}
    with db.write(durable=False) as conn:
        conn.execute("UPDATE status_imports SET state = 'applying' WHERE id = ? AND state = 'staging'", [import_id])
        for change, count in conn.execute(
            f"{_STAGED_RANGE} SELECT change, count(*) FROM judged GROUP BY change", names
        ):
            counts[change] = count
        conn.execute(
            f"{_STAGED_RANGE} INSERT INTO applications (nik_hash, generation, kk_hash, name, status, note,"
            f" updated_at, updated_by) SELECT nik_hash, :import, kk_hash, name, status, note, :at, :by"
            f" FROM judged WHERE change != 'unchanged' ORDER BY nik_hash",
            names,
        )
        conn.execute(
            f"{_STAGED_RANGE} INSERT INTO application_history (nik_hash, generation, at, by, source, kk_hash,"
            f" name, status, note) SELECT nik_hash, :import, :at, :by, 'import', kk_hash, name, status, note"
            f" FROM judged WHERE change != 'unchanged' ORDER BY nik_hash",
            names,
        )
    return counts


def switch_on(db: Database, import_id: int) -> None:
    """Make an import's rows the ones everybody sees, in one small transaction."""
    with db.write() as conn:
        conn.execute("UPDATE status_state SET generation = ? WHERE id = 1", [import_id])
        conn.execute("UPDATE status_imports SET state = 'done' WHERE id = ?", [import_id])


def tidy_import(db: Database, import_id: int, done: bool, chunk=None) -> None:
    """Remove what an import leaves behind, in short transactions.

    Done: the rows its own rows replaced, then its staged rows. Failed or killed: its unseen rows and
    their history, then its staged rows, and it is marked failed. ``chunk`` (the import's pacer) sizes
    the transactions and pauses after each.
    """
    while True:
        if chunk is not None:
            chunk.begin()
        last = staged_keys(db, import_id, "", chunk.rows if chunk is not None else 2000)
        if last is None:
            break
        in_range = "SELECT nik_hash FROM status_import_rows WHERE import_id = :import AND nik_hash <= :last"
        names = {"import": import_id, "last": last}
        with db.write(durable=False) as conn:
            if done:
                conn.execute(
                    f"DELETE FROM applications WHERE nik_hash IN ({in_range}) AND generation < :import"
                    f" AND EXISTS (SELECT 1 FROM applications AS mine WHERE mine.nik_hash ="
                    f" applications.nik_hash AND mine.generation = :import)",
                    names,
                )
            else:
                conn.execute(f"DELETE FROM applications WHERE nik_hash IN ({in_range}) AND generation = :import", names)
                conn.execute(
                    f"DELETE FROM application_history WHERE nik_hash IN ({in_range}) AND generation = :import", names
                )
            conn.execute("DELETE FROM status_import_rows WHERE import_id = :import AND nik_hash <= :last", names)
        if chunk is not None:
            chunk()
    if not done:
        with db.write() as conn:
            conn.execute("UPDATE status_imports SET state = 'failed' WHERE id = ? AND state != 'done'", [import_id])


def unfinished_imports(db: Database) -> list[tuple[int, bool]]:
    """Return (import, done) for every import that left something behind.

    Not done: killed or failed before tidying, its rows unseen. Done: switched on, then killed while
    removing the rows it replaced (harmless meanwhile: readers take the newest generation).
    """
    current = current_generation(db.conn)
    return [
        (row[0], row[1] == "done")
        for row in db.conn.execute(
            "SELECT id, state FROM status_imports WHERE (state IN ('staging', 'applying') AND id > ?)"
            " OR id IN (SELECT DISTINCT import_id FROM status_import_rows) ORDER BY id",
            [current],
        ).fetchall()
    ]


def import_state(db: Database, import_id: int) -> str:
    """Return an import's state: staging, applying, done or failed."""
    return db.conn.execute("SELECT state FROM status_imports WHERE id = ?", [import_id]).fetchone()[0]


# ---------------------------------------------------------------- audit log and purging


def record_lookup(
    db: Database, at: str, client: str, outcome: str, nik_hmac: str | None, staff: str | None = None
) -> None:
    """Append a status lookup (a resident's at the kiosk, or a staff member's) to the audit log.

    The NIK is kept as a keyed hash, never as the NIK.
    """
    with db.write() as conn:
        conn.execute(
            "INSERT INTO status_lookups (at, client, outcome, nik_hmac, staff) VALUES (?, ?, ?, ?, ?)",
            [at, client, outcome, nik_hmac, staff],
        )


def record_lookups(db: Database, at: str, client: str, entries: Iterable[tuple[str, str]], staff: str) -> None:
    """Append a staff member's reads of many records (outcome, NIK hash) to the audit log in one transaction."""
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO status_lookups (at, client, outcome, nik_hmac, staff) VALUES (?, ?, ?, ?, ?)",
            [(at, client, outcome, key, staff) for outcome, key in entries],
        )


def lookups(db: Database) -> list[dict]:
    """Return the lookup audit log, oldest first."""
    return [
        dict(row)
        for row in db.conn.execute(
            "SELECT at, client, outcome, nik_hmac, staff FROM status_lookups ORDER BY id"
        ).fetchall()
    ]


def _finished_before(conn: sqlite3.Connection, before: str) -> Iterator[str]:
    marks = ", ".join("?" for _ in FINISHED_STATUSES)
    rows = conn.execute(
        f"SELECT nik_hash FROM applications AS a WHERE status IN ({marks}) AND updated_at < ?"
        f" AND generation <= {_CURRENT} AND generation = (SELECT max(generation) FROM applications AS b"
        f" WHERE b.nik_hash = a.nik_hash AND b.generation <= {_CURRENT})",
        [*FINISHED_STATUSES, before],
    ).fetchall()
    return (row[0] for row in rows)


def purge(db: Database, before: str) -> dict[str, int]:
    """Delete audit entries, and records whose card was handed over (with their history), from before ``before``.

    A record's age is the time of its last change: the hand-over, unless staff changed it since.
    """
    counts = {"lookups": 0, "records": 0, "history": 0}
    marks = ", ".join("?" for _ in FINISHED_STATUSES)
    with db.write() as conn:
        counts["lookups"] = conn.execute("DELETE FROM status_lookups WHERE at < ?", [before]).rowcount
        counts["history"] = conn.execute(  # the old history of a record finished recently
            f"DELETE FROM application_history WHERE at < ? AND nik_hash IN (SELECT nik_hash FROM applications"
            f" WHERE status IN ({marks}) AND generation <= {_CURRENT})",
            [before, *FINISHED_STATUSES],
        ).rowcount
        for key in list(_finished_before(conn, before)):
            counts["records"] += 1
            conn.execute(f"DELETE FROM applications WHERE nik_hash = ? AND generation <= {_CURRENT}", [key])
            counts["history"] += conn.execute(
                f"DELETE FROM application_history WHERE nik_hash = ? AND generation <= {_CURRENT}", [key]
            ).rowcount
    return counts
