"""SQLite connections: one per thread, WAL + synchronous=FULL, one writer at a time.

Writers first take an in-process lock (threads queue fairly instead of sleeping in
SQLite's busy back-off, which made the tail 27x a bare request), then open
``BEGIN IMMEDIATE`` so that writers in other processes are serialised too.

SQLite's automatic checkpoint would run inside a writer's COMMIT, so inside that lock: every
other writer waited while ~1,000 pages were copied into the database file and flushed. It is
off; a background thread checkpoints instead (PASSIVE: beside the writers, never blocking them).

Writers that arrive while another one commits may be committed together (``Database.write_together``, used
by issuing): the first in line runs each waiting writer's work in one transaction, each in a savepoint of
its own, and commits them with one disk flush. Every one of them answers only after that commit: as
durable as a commit of its own, without each waiting for a flush of its own.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database as UtilsDatabase

from kiosk.storage.keyfiles import (  # noqa: F401 (re-exported)
    MIGRATION_STATUS_KEY,
    PRIVATE_MODE,
    create_private,
    make_private,
    read_or_create_secret,
    read_status_key,
    status_key_file,
)
from kiosk.storage.migrations import migrations

_COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()
CACHE_KIB = 512  # page cache per connection (SQLite's default: 2,000 KiB)
CHECKPOINT_EVERY = 64  # commits between background checkpoints (a ticket's commit is a few dozen pages)
CHECKPOINT_LAG = 4  # requests a file's checkpoint may fall behind before its writers checkpoint it themselves
RESTART_FRAMES = 1000  # WAL pages past which a checkpoint finishes under the write lock (SQLite's own default)
GROUP_LIMIT = 64  # writers committed together at most (bounds how long one group holds the write lock)
log = logging.getLogger(__name__)
T = TypeVar("T")


def _write_lock(path: str) -> threading.Lock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(path, threading.Lock())


class _Checkpointer:
    """One thread per process that copies WAL files back into their databases, outside every write lock.

    Requests for one file collapse into one checkpoint; under a steady stream of writes checkpoints run
    back to back here while the writers go on appending to the WAL. On a busy machine this thread may get
    no core for seconds: once a file's checkpoints are ``CHECKPOINT_LAG`` requests behind, the writer whose
    request finds that checkpoints the file itself (``request`` answers False), so the WAL stays bounded.
    """

    def __init__(self) -> None:
        self._due: set[tuple[str, threading.Lock]] = set()
        self._behind: dict[str, int] = {}  # requests since the file's last finished checkpoint
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def request(self, path: str, lock: threading.Lock) -> bool:
        """Ask for a checkpoint of ``path``; False when the caller must run it now (this thread is behind)."""
        with self._ready:
            behind = self._behind[path] = self._behind.get(path, 0) + 1
            if behind > CHECKPOINT_LAG:
                return False
            self._due.add((path, lock))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kiosk-checkpoint", daemon=True)
                self._thread.start()
            self._ready.notify()
            return True

    def finished(self, path: str) -> None:
        with self._ready:
            self._behind.pop(path, None)

    def run_due(self, path: str, lock: threading.Lock) -> None:
        """Request a checkpoint of ``path`` and, when the background is too far behind, run it here."""
        if not self.request(path, lock):
            checkpoint(path, lock)
            self.finished(path)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._due:
                    self._ready.wait()
                path, lock = self._due.pop()
            checkpoint(path, lock)
            self.finished(path)


def checkpoint(path: str, lock: threading.Lock) -> None:
    """Copy what the WAL holds back into the database file, nearly all of it beside the writers.

    A PASSIVE checkpoint waits for no reader or writer, but while writers keep appending it never
    catches up, and the WAL only starts again from its top after a checkpoint that did. So the bulk
    is copied first outside the write lock; once the WAL is long, the few pages committed meanwhile
    are copied under it, and the next writer starts the WAL again.
    """
    try:
        # mode=rw: a database deleted meanwhile (a test's temporary folder) is not created again.
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None, timeout=5)
    except sqlite3.Error:
        return
    try:
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA wal_autocheckpoint=0")  # closing this connection must not checkpoint again
        _, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames >= RESTART_FRAMES:
            with lock:  # no writer appends now: this one completes, and the next writer restarts the WAL
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error as error:  # the next request tries again; the WAL keeps every commit meanwhile
        log.debug("checkpoint of %s: %s", path, error)
    finally:
        conn.close()


_CHECKPOINTER = _Checkpointer()


class _Writer:
    """One writer waiting in ``Database.write_together``'s line: its work, then its outcome."""

    __slots__ = ("work", "done", "result", "error", "wake")

    def __init__(self, work: Callable[[sqlite3.Connection], Any]) -> None:
        self.work = work
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.wake: threading.Event | None = None  # a writer that waits: set when done or first in line

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class Database:
    """A database file, handing each thread its own connection."""

    def __init__(self, path: str | Path, status_key_path: str | Path | None = None):
        self.path = Path(path)
        # A copy being checked elsewhere (a restore) names the live database's key file here.
        self._status_key_path = Path(status_key_path) if status_key_path else None
        self._status_key: bytes | None = None
        self._key = str(self.path.resolve()) if str(path) != ":memory:" else str(id(self))
        self._local = threading.local()
        self._lock = _write_lock(self._key)
        self._commits = 0
        self._line: deque[_Writer] = deque()  # write_together's writers, first in line leading
        self._line_guard = threading.Lock()
        self._group_conn: sqlite3.Connection | None = None  # write_together's, used under the write lock only

    @property
    def in_memory(self) -> bool:
        """Return True for an in-memory database (no file, no secret file)."""
        return str(self.path) == ":memory:"

    @property
    def secret_path(self) -> Path:
        """Return the file beside the database that holds the session-signing secret."""
        return self.path.with_name(self.path.name + ".secret")

    @property
    def status_key_path(self) -> Path:
        """Return the file beside the database holding the key of the NIK and KK hashes (never in a backup)."""
        return self._status_key_path or status_key_file(self.path)

    def status_key(self) -> bytes:
        """Return the key of the NIK and nomor KK hashes, creating its file (mode 0600) on first use.

        Installs from before keyed a NIK in the lookup audit log with ``<database>.lookup-secret``:
        that key becomes this one, so the audit log's hashes keep matching the records'.
        """
        if self._status_key is None:
            self._status_key = read_status_key(self.path, self.status_key_path)
        return self._status_key

    def restrict_permissions(self) -> None:
        """Make the database file and its -wal/-shm/-journal companions readable by their owner only."""
        for suffix in _COMPANION_SUFFIXES:
            try:
                make_private(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass

    def connect(self, check_same_thread: bool = True) -> sqlite3.Connection:
        """Open a new tuned connection (autocommit: transactions are explicit)."""
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=check_same_thread)
        conn.row_factory = sqlite3.Row
        # journal_mode=WAL is stored in the file (set once by migrate): asking again on every new
        # connection waits for the write lock and stalled a burst of new threads behind the writers.
        conn.execute("PRAGMA synchronous=FULL")  # an answered ticket survives a power cut
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        # Every waitress thread keeps its own connection, each with its own page cache: at SQLite's
        # default 2 MB, 48 threads that had each read a report held ~100 MB. The file's pages stay in
        # the OS cache, shared, so a smaller cache per connection costs little.
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        conn.execute("PRAGMA wal_autocheckpoint=0")  # see the module's docstring: _Checkpointer does it
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """Return this thread's connection, opening it on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
        return conn

    @contextmanager
    def write(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """Run a block as one ``BEGIN IMMEDIATE`` transaction, one writer at a time.

        ``durable=False`` commits without waiting for the disk (``synchronous=NORMAL``), for
        bookkeeping whose loss in a power cut costs nothing that matters, such as a print job's
        "printed" mark (the ticket prints once more). In WAL mode such a commit still reaches the
        disk with the next durable commit of any connection. Its write lock is held for
        microseconds instead of a disk flush, so issuing does not queue behind it.
        """
        conn = self.conn
        with self._lock:
            if not durable:
                conn.execute("PRAGMA synchronous=NORMAL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                self._commits += 1
                due = self._commits % CHECKPOINT_EVERY == 0
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous=FULL")
        if due and not self.in_memory:
            _CHECKPOINTER.run_due(str(self.path), self._lock)

    def write_together(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(conn)`` in a durable write transaction, committed together with other writers waiting.

        What ``with write() as conn: return work(conn)`` does, one writer at a time at the disk: writers
        that arrive while a commit is under way wait in line; the first in line then runs every waiting
        writer's ``work`` (in order, on its own connection, each in a savepoint: one that raises is rolled
        back alone and its exception raised in its own thread) and commits them all with one flush. Each
        returns only once its work is committed (``synchronous=FULL``). ``work`` must only use ``conn``.
        """
        writer = _Writer(work)
        with self._line_guard:
            self._line.append(writer)
            first = len(self._line) == 1
            if not first:
                writer.wake = threading.Event()
        if writer.wake is not None:
            writer.wake.wait()
            if writer.done:
                return writer.outcome()
        # First in line: take the writers waiting now (this one first) and commit them together.
        with self._line_guard:
            group = [self._line[index] for index in range(min(len(self._line), GROUP_LIMIT))]
        try:
            self._commit_group(group)
        finally:
            with self._line_guard:
                for _ in group:
                    self._line.popleft()
                following = self._line[0] if self._line else None
            for each in group:
                each.done = True
                if each.wake is not None:
                    each.wake.set()
            if following is not None and following.wake is not None:
                following.wake.set()  # it leads the next group
        return writer.outcome()

    def _commit_group(self, group: list[_Writer]) -> None:
        """Run the group's work in one transaction (a savepoint each when more than one) and commit it."""
        alone = len(group) == 1
        try:
            with self._lock:
                conn = self._group_connection()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for each in group:
                        if alone:
                            each.result = each.work(conn)
                            continue
                        conn.execute("SAVEPOINT together")
                        try:
                            each.result = each.work(conn)
                        except Exception as error:  # this writer's own failure: undo its work only
                            conn.execute("ROLLBACK TO together")
                            each.error = error
                        conn.execute("RELEASE together")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:  # e.g. a disk error: the shared connection must not stay in it
                        conn.execute("ROLLBACK")
                    raise
                self._commits += 1
                due = self._commits % CHECKPOINT_EVERY == 0
        except BaseException as error:  # nothing of the group was committed: every writer fails
            for each in group:
                each.result, each.error = None, each.error or error
            if not isinstance(error, Exception):
                raise
            return
        if due and not self.in_memory:
            _CHECKPOINTER.run_due(str(self.path), self._lock)

    def _group_connection(self) -> sqlite3.Connection:
        """Return the connection that commits write_together's groups (call with the write lock held).

        One connection for every group, whichever thread leads it: its page cache stays warm. A thread's own
        connection drops its whole cache whenever another connection has written since its last use, which
        with waitress handing requests to its threads in turn is nearly always (measured: ~0.3 ms of CPU
        per ticket). An in-memory database is one per connection: there the thread's own is used.
        """
        if self.in_memory:
            return self.conn
        if self._group_conn is None:
            self._group_conn = self.connect(check_same_thread=False)
        return self._group_conn

    def close(self) -> None:
        """Close this thread's connection (and the connection of write_together's groups)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        with self._lock:
            if self._group_conn is not None:
                self._group_conn.close()
                self._group_conn = None

    def migrate(self) -> list[str]:
        """Create or migrate the schema; return the names of migrations applied now."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.in_memory:
            # SQLite gives -wal and -shm the permissions of the database file: create that one private.
            create_private(self.path)
            self.restrict_permissions()
        key = self.status_key()  # before the migrations: one of them hashes stored NIKs with it
        conn = self.connect()
        token = MIGRATION_STATUS_KEY.set(key)
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # persistent; outside any transaction
            utils_db = UtilsDatabase(conn)
            with self._lock:
                # IMMEDIATE: two processes starting together must not both migrate.
                conn.execute("BEGIN IMMEDIATE")
                try:
                    pending = [m.name for m in migrations.pending(utils_db)]
                    migrations.apply(utils_db)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            return pending
        finally:
            MIGRATION_STATUS_KEY.reset(token)
            conn.close()


def row_or_none(row: sqlite3.Row | None) -> dict[str, Any] | None:
    """Return a fetched row as a plain dict, or None when there was no row."""
    return dict(row) if row is not None else None


def stamp(moment: datetime) -> str:
    """Return how a moment is stored: ISO 8601 to the second, with its offset."""
    return moment.isoformat(timespec="seconds")
