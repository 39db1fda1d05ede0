"""Backups of the office database: online copies, the daily automatic copy, and restoring one.

A copy is taken with SQLite's online backup (consistent while the server writes), written
owner-only under a temporary name, checked with ``PRAGMA integrity_check`` and only then given
its final name, so a half-written file never looks like a backup. The session-signing secret
lives in ``<database>.secret`` and never enters a copy.

Servers hold a shared lock on ``<database>.lock`` while they run; ``restore`` takes it
exclusively, so it refuses while any server uses the database (and no server starts mid-restore).
"""

from __future__ import annotations

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

from kiosk.db import PRIVATE_MODE, Database, create_private
from kiosk.errors import KioskError

log = logging.getLogger(__name__)

AUTOMATIC_NAME = re.compile(r"^kiosk-(\d{4}-\d{2}-\d{2})-(\d{6})\.db$")
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
            return "not a kiosk database (no tickets table)"
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
    """Copy ``source`` into the new private file ``target`` as a self-contained (rollback-journal) database."""
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


def backup_database(db: Database, target: str | Path) -> Path:
    """Write a consistent, checked, owner-only copy of the live database to ``target`` (which must not exist)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} sudah ada; pilih nama file baru.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    source = db.connect()
    try:
        _copy(source, temporary)
        verdict = integrity(temporary)
        if verdict != "ok":
            raise BackupError(f"salinan tidak lolos pemeriksaan integritas: {verdict}")
        try:
            os.link(temporary, target)  # never overwrites: a name taken meanwhile fails here
        except FileExistsError:
            raise BackupError(f"{target} sudah ada; pilih nama file baru.") from None
        _fsync(target.parent)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"backup gagal: {exc}") from None
    finally:
        source.close()
        for leftover in ("", "-journal", "-wal", "-shm"):  # a failed copy leaves nothing behind
            temporary.with_name(temporary.name + leftover).unlink(missing_ok=True)
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
        at = (datetime.fromtimestamp(last.stat().st_mtime, zone).isoformat(timespec="seconds")
              if last else None)
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
                raise BackupError(self._failed[1] if self._failed else "backup gagal")
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
        for old in automatic_copies(self.folder)[:-self.keep]:
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
            raise DatabaseInUse(f"{self.path.with_suffix('')} sedang dipulihkan (kiosk restore); coba lagi nanti.")
        self._fd = fd

    def release(self) -> None:
        """Give the lock back."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def restore_database(database: str | Path, source: str | Path, now: datetime) -> Path | None:
    """Replace ``database`` with the checked copy ``source``; return where the replaced database was kept.

    Refused while a server runs on the database. The replaced database is kept beside it as
    ``<name>.replaced-YYYYMMDD-HHMMSS`` (a consistent copy, WAL included). Staff sessions end.
    """
    database, source = Path(database), Path(source)
    if not source.is_file():
        raise BackupError(f"{source} tidak ditemukan.")
    if database.exists() and source.resolve() == database.resolve():
        raise BackupError("Sumber dan basis data yang dipulihkan adalah file yang sama.")
    verdict = integrity(source)
    if verdict != "ok":
        raise BackupError(f"{source} rusak atau bukan cadangan kiosk ({verdict}); basis data tidak diubah.")
    database.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(f"Server masih berjalan dengan {database}; hentikan server dulu, "
                                "lalu ulangi kiosk restore.") from None
        kept = None
        if database.exists():
            kept = database.with_name(f"{database.name}.replaced-{now.strftime('%Y%m%d-%H%M%S')}")
            current = sqlite3.connect(database, isolation_level=None)
            try:
                _copy(current, kept)  # includes what is still in the -wal file
                current.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                current.close()
        incoming = database.with_name(f".{database.name}.restore.tmp")
        incoming.unlink(missing_ok=True)
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            _copy(reader, incoming)
        finally:
            reader.close()
        # A -wal left beside the new file would be replayed onto it: the old one goes first.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, database)
        _fsync(database.parent)
        restored = Database(database)
        restored.migrate()  # an older copy gets today's schema; WAL again; owner-only
        # Sessions open in the copy may have ended since (logout, password change, disabled account):
        # everyone logs in again rather than revive them.
        from kiosk import store

        store.end_all_staff_sessions(restored, int(now.timestamp()), "restore")
        restored.close()
        return kept
    finally:
        os.close(fd)
