"""Backups of the office database: online copies, the daily automatic copy, and restoring one.

A copy is taken with SQLite's online backup (consistent while the server writes), written
owner-only under a temporary name, checked with ``PRAGMA integrity_check`` and only then given
its final name, so a half-written file never looks like a backup. The session-signing secret
lives in ``<database>.secret`` and never enters a copy.

A copy being written is named ``.<name>.<pid>.<thread>.partial`` and held under an exclusive
``flock`` while written: a copy killed mid-way (``kill -9``, power cut) is recognised by the lock
being free and swept by the next backup into that folder and by housekeeping (the database's
folder and the automatic backup folder). Restore keeps the replaced database as
``<name>.replaced-YYYYMMDD-HHMMSS``; only the newest ``REPLACED_KEEP`` of those are kept.

Servers hold a shared lock on ``<database>.lock`` while they run; ``restore`` takes it
exclusively, so it refuses while any server uses the database (and no server starts mid-restore).
Restore copies the source into a private file beside the database, decrypts it if it is an
encrypted copy (kiosk/storage/vault.py), checks and migrates that copy, compares its schema with what
our migrations make on a fresh database, lists its admin accounts and asks; only then does the
copy replace the live database.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import sqlite3
import threading
import time as clock
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.domain.errors import KioskError
from kiosk.storage.db import PRIVATE_MODE, Database, create_private

log = logging.getLogger(__name__)

AUTOMATIC_NAME = re.compile(r"^kiosk-(\d{4}-\d{2}-\d{2})-(\d{6})\.db$")
PARTIAL_NAME = re.compile(r"^\..+\.partial(-journal|-wal|-shm)?$")  # a copy being written, or abandoned
REPLACED_KEEP = 3  # databases replaced by `kiosk restore` kept beside the live one (newest first)
RETRY_SECONDS = 15 * 60  # after a failed automatic backup (disk full, USB disk gone)


class BackupError(KioskError):
    code = "backup_failed"
    status = 500


class DatabaseInUse(KioskError):
    code = "database_in_use"
    status = 409


def integrity(path: Path) -> str:
    """Return SQLite's ``PRAGMA integrity_check`` answer for a file opened read-only ("ok" when sound)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if rows != [("ok",)]:
            return "; ".join(str(row[0]) for row in rows[:5])
        if conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'tickets'").fetchone()[0] != 1:
            return "tidak ada tabel tickets"
        return "ok"
    except sqlite3.Error as exc:  # not a database at all, or unreadable
        return str(exc)
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy ``source`` into the private file ``target`` as a self-contained (rollback-journal) database."""
    create_private(target)
    copy = sqlite3.connect(target, isolation_level=None)
    try:  # closed on failure too: an open connection would keep its journal beside the copy
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one file: no -wal/-shm beside a copy
        # Older installs kept the signing secret in the database; a copy must never carry it.
        if copy.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'app_state'").fetchone()[0]:
            copy.execute("DELETE FROM app_state WHERE key = 'secret_key'")
    finally:
        copy.close()
    _fsync(target)


class Partial:
    """A private file being written under a hidden ``.partial`` name, locked (flock) until it is done.

    On failure the file and its journal are removed; after ``kill -9`` the lock is gone with the
    process, so ``sweep_partials`` knows the file is abandoned.
    """

    def __init__(self, beside: Path):
        self.path = beside.with_name(f".{beside.name}.{os.getpid()}.{threading.get_ident()}.partial")
        self._fd: int | None = None

    def __enter__(self) -> Path:
        self.remove()
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self.path

    def remove(self) -> None:
        for leftover in ("", "-journal", "-wal", "-shm"):
            self.path.with_name(self.path.name + leftover).unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        self.remove()  # renamed or linked into place by then when all went well
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def sweep_partials(folder: Path) -> list[str]:
    """Remove the abandoned partial copies in ``folder`` (nobody holds their lock); return their names."""
    removed: list[str] = []
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if PARTIAL_NAME.match(entry.name))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for name in names:
        path = folder / name
        if not path.exists():  # went with its copy just now
            continue
        if not name.endswith(".partial"):  # a journal: goes with its copy, or alone once the copy is gone
            if not (folder / re.sub(r"-(journal|wal|shm)$", "", name)).exists():
                path.unlink(missing_ok=True)
                removed.append(name)
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # still being written
        finally:
            os.close(fd)
        for leftover in ("", "-journal", "-wal", "-shm"):
            companion = path.with_name(path.name + leftover)
            if companion.exists():
                companion.unlink(missing_ok=True)
                removed.append(companion.name)
    if removed:
        log.warning("removed %d abandoned partial copies in %s", len(removed), folder)
    return removed


def prune_replaced(database: Path, keep: int = REPLACED_KEEP) -> list[Path]:
    """Delete databases replaced by restores beyond the newest ``keep``; return the deleted files."""
    pattern = re.compile(re.escape(database.name) + r"\.replaced-\d{8}-\d{6}$")
    try:
        kept = [path for path in database.parent.iterdir() if pattern.match(path.name)]
    except FileNotFoundError:
        return []
    kept.sort(key=lambda path: (path.stat().st_mtime, path.name))
    doomed = kept[:-keep] if keep > 0 else kept
    for path in doomed:
        path.unlink(missing_ok=True)
    if doomed:
        log.info("deleted %d older replaced databases (the newest %d are kept)", len(doomed), keep)
    return doomed


def _checked_copy(db: Database, path: Path) -> None:
    """Copy the live database into ``path`` and check the copy; BackupError when it fails."""
    source = db.connect()
    try:
        _copy(source, path)
        verdict = integrity(path)
        if verdict != "ok":
            raise BackupError(f"salinan tidak lolos pemeriksaan integritas: {verdict}")
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"pencadangan gagal: {exc}") from None
    finally:
        source.close()


def _publish(temporary: Path, target: Path) -> None:
    """Give the finished ``temporary`` its name ``target``, never overwriting a file."""
    try:
        os.link(temporary, target)  # a name taken meanwhile fails here
    except FileExistsError:
        raise BackupError(f"{target} sudah ada; pilih nama berkas baru.") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise
        # No hard links (a FAT-formatted USB stick): rename, after checking the name is free.
        if target.exists():
            raise BackupError(f"{target} sudah ada; pilih nama berkas baru.") from None
        os.rename(temporary, target)


def backup_database(db: Database, target: str | Path) -> Path:
    """Write a consistent, checked, owner-only copy of the live database to ``target`` (which must not exist)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} sudah ada; pilih nama berkas baru.")
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_partials(target.parent)
    try:
        with Partial(target) as temporary:
            _checked_copy(db, temporary)
            _publish(temporary, target)
            _fsync(target.parent)
    except OSError as exc:
        raise BackupError(f"pencadangan gagal: {exc}") from None
    return target


# ---------------------------------------------------------------- the daily automatic backup


@dataclass
class Outcome:
    """What the automatic backup last did, for /healthz."""

    state: str  # off | none | ok | failed
    at: str | None = None  # ISO time of the latest good copy
    file: str | None = None  # its name (not its folder)
    error: str | None = None  # the latest failure, while failing

    def as_json(self) -> dict:
        return {"state": self.state, "last_at": self.at, "file": self.file, "error": self.error}


def automatic_copies(folder: Path) -> list[Path]:
    """Return the automatic copies in ``folder``, oldest first (other files are never touched)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if AUTOMATIC_NAME.match(path.name))


class AutomaticBackup:
    """Take one copy per office day after the configured time; keep the newest ``keep`` copies."""

    def __init__(self, folder: str, keep: int, at):
        self.folder, self.keep, self.at = Path(folder), keep, at
        self._failed: tuple[float, str] | None = None  # (monotonic time, message) of the latest failure
        self._lock = threading.Lock()

    def outcome(self, zone) -> Outcome:
        """Return the latest outcome: a failure while failing, else the newest copy on disk."""
        copies = automatic_copies(self.folder)
        last = copies[-1] if copies else None
        at = datetime.fromtimestamp(last.stat().st_mtime, zone).isoformat(timespec="seconds") if last else None
        if self._failed is not None:
            return Outcome("failed", at, last.name if last else None, self._failed[1])
        return Outcome("ok", at, last.name) if last else Outcome("none")

    def due(self, now: datetime) -> bool:
        """Tell whether today's copy is still to be taken at ``now`` (office time)."""
        if now.time().replace(tzinfo=None) < self.at:
            return False
        if self._failed is not None and clock.monotonic() - self._failed[0] < RETRY_SECONDS:
            return False
        today = now.date().isoformat()
        return not any(AUTOMATIC_NAME.match(path.name).group(1) == today for path in automatic_copies(self.folder))

    def run(self, db: Database, now: datetime) -> Path | None:
        """Take today's copy if it is due and prune old ones; return the new file, or None when not due."""
        with self._lock:
            if not self.due(now):
                return None
            return self._take(db, now)

    def run_now(self, db: Database, now: datetime) -> Path:
        """Take a copy now (the admin's "back up now"), counted and pruned like the daily ones; raise BackupError."""
        with self._lock:
            target = self._take(db, now)
            if target is None:
                raise BackupError(self._failed[1] if self._failed else "pencadangan gagal")
            return target

    def _take(self, db: Database, now: datetime) -> Path | None:
        target = self.folder / f"kiosk-{now.strftime('%Y-%m-%d-%H%M%S')}.db"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            backup_database(db, target)
        except (KioskError, OSError) as exc:
            message = exc.message if isinstance(exc, KioskError) else str(exc)
            self._failed = (clock.monotonic(), message)
            log.error("automatic backup into %s failed: %s", self.folder, message)
            return None
        self._failed = None
        for old in automatic_copies(self.folder)[: -self.keep]:
            old.unlink(missing_ok=True)
        log.info("automatic backup written: %s", target.name)
        return target


# ---------------------------------------------------------------- who uses the database, and restoring


def _lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class ServerLock:
    """A shared lock on ``<database>.lock`` held by a running server (several may share it)."""

    def __init__(self, database: Path):
        self.path = _lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the shared lock; raise DatabaseInUse while a restore holds it."""
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseInUse(
                f"{self.path.with_suffix('')} sedang dipulihkan (kiosk restore); coba lagi nanti."
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Give the lock back."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# ---------------------------------------------------------------- encrypted copies off the PC


def backup_encrypted(db: Database, folder: str | Path, passphrase: str, now: datetime) -> Path:
    """Write an encrypted copy of the live database into ``folder`` as ``kiosk-YYYY-MM-DD-HHMMSS.db.enc``.

    The plain copy is taken beside the live database (the same data, the same private folder) and
    never reaches ``folder``; the encrypted file appears there under its name only once complete.
    """
    from kiosk.storage import vault

    vault.check_passphrase(passphrase)
    folder = Path(folder)
    target = folder / f"kiosk-{now.strftime('%Y-%m-%d-%H%M%S')}.db.enc"
    if target.exists():
        raise BackupError(f"{target} sudah ada; coba lagi sebentar lagi.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"pencadangan gagal: {exc}") from None
    sweep_partials(folder)
    with Partial(db.path.with_name(db.path.name + ".offsite")) as plain:
        _checked_copy(db, plain)
        try:
            with Partial(target) as sealed:
                with open(plain, "rb") as source, open(sealed, "wb") as out:
                    vault.encrypt(source, out, passphrase)
                    out.flush()
                    os.fsync(out.fileno())
                _publish(sealed, target)
                _fsync(folder)
        except OSError as exc:
            raise BackupError(f"pencadangan gagal: {exc}") from None
    return target


# ---------------------------------------------------------------- checking a copy before it is restored


class RestoreRefused(KioskError):
    code = "restore_refused"
    status = 400


@dataclass
class Admin:
    username: str
    active: bool
    created_at: str
    new: bool  # not an admin account of the live database


@dataclass
class Candidate:
    """A checked, migrated copy waiting beside the live database to replace it."""

    path: Path
    admins: list[Admin]
    tickets: int
    encrypted: bool


def _schema(conn: sqlite3.Connection) -> dict[tuple[str, str], dict]:
    """Describe every table, index, trigger and view: its table, normalised SQL and (tables) columns."""
    described = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).fetchall()
    for kind, name, table, sql in rows:
        entry = {"table": table, "sql": " ".join((sql or "").split())}
        if kind in ("table", "view"):
            entry["columns"] = [tuple(column[1:]) for column in conn.execute(f'PRAGMA table_xinfo("{name}")')]
        described[(kind, name)] = entry
    return described


def fresh_schema() -> dict[tuple[str, str], dict]:
    """Return the schema our migrations make on a new, empty database."""
    from sqlite_utils import Database as UtilsDatabase

    from kiosk.storage.migrations import migrations

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations.apply(UtilsDatabase(conn))
        return _schema(conn)
    finally:
        conn.close()


_KINDS = {"table": "tabel", "index": "indeks", "trigger": "trigger", "view": "view"}


def schema_differences(conn: sqlite3.Connection) -> list[str]:
    """Name (in Indonesian) what the database on ``conn`` has or lacks beside the schema our migrations make."""
    ours, theirs = fresh_schema(), _schema(conn)
    problems = [f"{_KINDS.get(kind, kind)} tambahan {name}" for kind, name in sorted(theirs.keys() - ours.keys())]
    problems += [f"{_KINDS.get(kind, kind)} hilang {name}" for kind, name in sorted(ours.keys() - theirs.keys())]
    for kind, name in sorted(ours.keys() & theirs.keys()):
        mine, other = ours[(kind, name)], theirs[(kind, name)]
        if mine == other:
            continue
        if "columns" in mine:
            names = {c[0] for c in mine["columns"]}
            other_names = {c[0] for c in other["columns"]}
            detail = [f"kolom tambahan {c}" for c in sorted(other_names - names)]
            detail += [f"kolom hilang {c}" for c in sorted(names - other_names)]
            problems.append(f"{_KINDS.get(kind, kind)} {name}: " + (", ".join(detail) or "definisi berbeda"))
        else:
            problems.append(f"{_KINDS.get(kind, kind)} {name}: definisi berbeda")
    return problems


def _admins(path: Path, live: Path) -> list[Admin]:
    live_admins: set[str] = set()
    if live.exists():
        try:
            with sqlite3.connect(f"file:{live}?mode=ro", uri=True) as conn:
                live_admins = {
                    row[0].lower() for row in conn.execute("SELECT username FROM staff WHERE role = 'admin'")
                }
            conn.close()
        except sqlite3.Error:
            pass
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT username, active, created_at FROM staff WHERE role = 'admin' ORDER BY username COLLATE NOCASE"
        ).fetchall()
    finally:
        conn.close()
    return [Admin(name, bool(active), created, name.lower() not in live_admins) for name, active, created in rows]


def _prepare(database: Path, source: Path, passphrase, now: datetime) -> tuple[Candidate, Partial]:
    """Copy ``source`` beside ``database``, decrypt, check and migrate it; raise RestoreRefused if it fails."""
    from kiosk.storage import staff as staff_store
    from kiosk.storage import vault
    from kiosk.storage.migrations import migrations

    unchanged = " Basis data tidak diubah."
    encrypted = vault.is_encrypted(source)
    partial = Partial(database.with_name(database.name + ".restore"))
    path = partial.__enter__()
    try:
        if encrypted:
            secret = passphrase()
            try:
                with open(source, "rb") as sealed, open(path, "wb") as plain:
                    vault.decrypt(sealed, plain, secret)
            except vault.VaultError as exc:
                raise RestoreRefused(exc.message + unchanged) from None
        else:
            verdict = integrity(source)
            if verdict != "ok":
                raise RestoreRefused(f"{source} rusak atau bukan cadangan kios ({verdict}); basis data tidak diubah.")
            reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                _copy(reader, path)
            finally:
                reader.close()
        verdict = integrity(path)
        if verdict != "ok":
            raise RestoreRefused(f"{source} rusak atau bukan cadangan kios ({verdict}); basis data tidak diubah.")
        # The copy's stored NIKs are hashed (migration 0013) with the live database's key, not a new one.
        copy = Database(path, status_key_path=Database(database).status_key_path)
        try:
            copy.migrate()  # an older copy gets today's schema, here and not on the live database
        except sqlite3.Error as exc:
            raise RestoreRefused(f"{source} tidak dapat dimigrasikan ke skema kios ({exc})." + unchanged) from None
        conn = copy.connect()
        try:
            problems = schema_differences(conn)
            known = {m.name for m in migrations._migrations}
            unknown = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations") if row[0] not in known]
            problems += [f"migrasi tidak dikenal {name}" for name in unknown]
            tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
        finally:
            conn.close()
        if problems:
            raise RestoreRefused(
                f"{source} bukan cadangan kios yang utuh; skemanya berbeda dari skema kios: "
                f"{'; '.join(problems)}." + unchanged
            )
        # Sessions open in the copy may have ended since (logout, password change, disabled account):
        # everyone logs in again rather than revive them.
        staff_store.end_all_staff_sessions(copy, int(now.timestamp()), "restore")
        copy.close()
        one = sqlite3.connect(path, isolation_level=None)
        try:
            one.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to move into place
        finally:
            one.close()
        _fsync(path)
        return Candidate(path, _admins(path, database), tickets, encrypted), partial
    except BaseException:
        partial.__exit__(None, None, None)
        raise


def restore_database(
    database: str | Path, source: str | Path, now: datetime, confirm=None, passphrase=None
) -> Path | None:
    """Replace ``database`` with the checked copy ``source``; return where the replaced database was kept.

    Refused while a server runs on the database. ``source`` is copied beside the database (decrypted
    with ``passphrase()`` when it is an encrypted copy), checked, migrated and compared with the schema
    our migrations make; ``confirm(candidate)`` then decides. The live database is untouched until
    then. The replaced database is kept beside it as ``<name>.replaced-YYYYMMDD-HHMMSS`` (a consistent
    copy, WAL included; the newest ``REPLACED_KEEP`` are kept). Staff sessions end.
    """
    database, source = Path(database), Path(source)
    if not source.is_file():
        raise BackupError(f"{source} tidak ditemukan.")
    if database.exists() and source.resolve() == database.resolve():
        raise BackupError("Sumber dan basis data yang dipulihkan adalah berkas yang sama.")
    database.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(
                f"Server masih berjalan dengan {database}; hentikan server dulu, lalu ulangi kiosk restore."
            ) from None
        sweep_partials(database.parent)
        candidate, partial = _prepare(database, source, passphrase or (lambda: ""), now)
        try:
            if confirm is not None and not confirm(candidate):
                raise RestoreRefused("Pemulihan dibatalkan; basis data tidak diubah.")
            kept = None
            if database.exists():
                kept = database.with_name(f"{database.name}.replaced-{now.strftime('%Y%m%d-%H%M%S')}")
                current = sqlite3.connect(database, isolation_level=None)
                try:
                    _copy(current, kept)  # includes what is still in the -wal file
                    current.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    current.close()
            # A -wal left beside the new file would be replayed onto it: the old one goes first.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            os.replace(candidate.path, database)
            _fsync(database.parent)
        finally:
            partial.__exit__(None, None, None)
        restored = Database(database)
        restored.migrate()  # WAL again; owner-only
        restored.close()
        prune_replaced(database)
        return kept
    finally:
        os.close(fd)
