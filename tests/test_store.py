"""Store functions on a migrated temporary database."""

from __future__ import annotations

import collections
import os
import sqlite3
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.domain.errors import BadRequest, BadTransition, KioskError, QuotaReached, ServiceClosed
from kiosk.domain.settings import Counter
from kiosk.storage import staff as staff_store
from kiosk.storage import tickets as store
from kiosk.storage.db import Database
from tests.conftest import JAKARTA, Clock
from tests.support import office_settings


@pytest.fixture
def office(tmp_path):
    settings = office_settings(tmp_path)
    db = Database(settings.database_path)
    db.migrate()
    return settings, db


def issue(office, code="REKAM", priority=False, clock=None, key=None):
    settings, db = office
    ticket, _ = store.issue_ticket(
        db, settings, settings.service(code), priority, (clock or Clock())(), idempotency_key=key
    )
    return ticket


def test_migrations_twice_are_harmless(tmp_path):
    db = Database(tmp_path / "k.db")
    from kiosk.storage.migrations import migrations

    assert db.migrate() == [migration.name for migration in migrations._migrations]
    assert db.migrate() == []
    tables = {row[0] for row in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "tickets",
        "ticket_events",
        "print_jobs",
        "staff",
        "staff_sessions",
        "app_state",
        "service_overrides",
    } <= tables


def test_connection_is_wal_and_fully_synchronous(office):
    _, db = office
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_write_that_need_not_wait_for_the_disk_commits_and_the_connection_is_fully_synchronous_again(office):
    _, db = office
    with db.write(durable=False) as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: no flush at this commit
        conn.execute("INSERT INTO app_state (key, value, updated_at) VALUES ('kept', '1', 'now')")
    with pytest.raises(ZeroDivisionError):
        with db.write(durable=False) as conn:
            conn.execute("INSERT INTO app_state (key, value, updated_at) VALUES ('undone', '1', 'now')")
            raise ZeroDivisionError

    assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL for every later write
    stored = Database(db.path).conn.execute("SELECT key FROM app_state WHERE key IN ('kept', 'undone')")
    assert [row["key"] for row in stored] == ["kept"]


def test_numbers_per_service_and_day(office):
    clock = Clock()
    numbers = [issue(office, code, clock=clock)["number"] for code in ("REKAM", "REKAM", "CETAK", "REKAM")]
    assert numbers == ["A-001", "A-002", "B-001", "A-003"]
    clock.advance(days=1)
    assert issue(office, "REKAM", clock=clock)["number"] == "A-001"


def test_issue_writes_ticket_event_and_print_job_together(office):
    _, db = office
    ticket = issue(office)
    events = [dict(r) for r in db.conn.execute("SELECT action, from_status, to_status FROM ticket_events")]
    jobs = [dict(r) for r in db.conn.execute("SELECT ticket_id, status FROM print_jobs")]
    assert events == [{"action": "issue", "from_status": None, "to_status": "waiting"}]
    assert jobs == [{"ticket_id": ticket["id"], "status": "pending"}]
    assert ticket["print_status"] == "pending"


def test_idempotency_key_returns_the_same_ticket(office):
    settings, db = office
    first, created = store.issue_ticket(db, settings, settings.service("REKAM"), False, Clock()(), "tap-1")
    again, created_again = store.issue_ticket(db, settings, settings.service("REKAM"), False, Clock()(), "tap-1")
    assert (created, created_again) == (True, False)
    assert again == first
    assert db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1


def test_quota_and_staff_override(office):
    settings, db = office
    clock = Clock()
    with db.write() as conn:
        conn.execute(
            "INSERT INTO service_overrides (day, service, daily_quota, updated_at) VALUES (?,?,?,?)",
            ["2026-11-25", "CETAK", 2, "x"],
        )
        conn.execute(
            "INSERT INTO service_overrides (day, service, open, updated_at) VALUES (?,?,?,?)",
            ["2026-11-25", "INFO", 0, "x"],
        )
    issue(office, "CETAK", clock=clock)
    issue(office, "CETAK", clock=clock)
    with pytest.raises(QuotaReached):
        issue(office, "CETAK", clock=clock)
    with pytest.raises(ServiceClosed):
        issue(office, "INFO", clock=clock)
    assert db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 2


def test_call_next_priority_first_then_one_regular_after_three(office):
    settings, db = office
    clock = Clock()
    regular = [issue(office, clock=clock) for _ in range(2)]
    priority = [issue(office, priority=True, clock=clock) for _ in range(4)]
    counter = settings.counter(1)
    called = []
    for _ in range(6):
        ticket, _ = store.call_next(db, counter, clock(), 3)
        called.append(ticket["number"])
        store.transition(db, ticket["id"], "no_show", clock())  # frees the counter for its next call
    assert called == [
        priority[0]["number"],
        priority[1]["number"],
        priority[2]["number"],
        regular[0]["number"],
        priority[3]["number"],
        regular[1]["number"],
    ]
    assert store.call_next(db, counter, clock(), 3) is None


def test_call_next_only_takes_the_counters_services_oldest_first(office):
    settings, db = office
    clock = Clock()
    issue(office, "IKD", clock=clock)  # not served by Loket 1
    clock.advance(minutes=1)
    ubah = issue(office, "UBAH", clock=clock)
    clock.advance(minutes=1)
    issue(office, "REKAM", clock=clock)
    ticket, event_id = store.call_next(db, settings.counter(1), clock(), 3, staff_id=None)
    assert (ticket["number"], ticket["status"], ticket["counter_id"]) == (ubah["number"], "called", 1)
    event = store.call_event(db, event_id)
    assert (event["number"], event["counter_id"], event["action"]) == ("D-001", 1, "call")


def test_full_life_and_audit_trail(office):
    settings, db = office
    clock = Clock()
    ticket = issue(office, clock=clock)
    store.call_next(db, settings.counter(1), clock(), 3)
    store.transition(db, ticket["id"], "recall", clock())
    store.transition(db, ticket["id"], "serve", clock())
    clock.advance(minutes=6)
    done, _ = store.transition(db, ticket["id"], "done", clock())
    assert done["status"] == "done"
    trail = [
        tuple(r)
        for r in db.conn.execute(
            "SELECT action, from_status, to_status, counter_id FROM ticket_events WHERE ticket_id = ? ORDER BY id",
            [ticket["id"]],
        )
    ]
    assert trail == [
        ("issue", None, "waiting", None),
        ("call", "waiting", "called", 1),
        ("recall", "called", "called", 1),
        ("serve", "called", "serving", 1),
        ("done", "serving", "done", 1),
    ]
    assert store.average_service_minutes(db, "2026-11-25", "REKAM", default=10) == pytest.approx(6.0)


def test_events_are_append_only(office):
    _, db = office
    issue(office)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.conn.execute("UPDATE ticket_events SET action = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.conn.execute("DELETE FROM ticket_events")


def test_refused_transition_changes_nothing(office):
    _, db = office
    ticket = issue(office)
    with pytest.raises(BadTransition):
        store.transition(db, ticket["id"], "done", Clock()())
    assert store.get_ticket(db, ticket["id"])["status"] == "waiting"
    assert db.conn.execute("SELECT COUNT(*) FROM ticket_events").fetchone()[0] == 1


def test_no_show_requeue_goes_to_the_back(office):
    settings, db = office
    clock = Clock()
    first = issue(office, clock=clock)
    clock.advance(minutes=1)
    second = issue(office, clock=clock)
    store.call_next(db, settings.counter(1), clock(), 3)
    store.transition(db, first["id"], "no_show", clock())
    clock.advance(minutes=1)
    back, _ = store.transition(db, first["id"], "requeue", clock())
    assert back["status"] == "waiting" and back["counter_id"] is None
    assert store.count_ahead(db, back) == 1
    assert store.call_next(db, settings.counter(1), clock(), 3)[0]["id"] == second["id"]


def test_transfer_keeps_number_and_place(office):
    settings, db = office
    clock = Clock()
    ticket = issue(office, "INFO", clock=clock)
    clock.advance(minutes=5)
    later = issue(office, "REKAM", clock=clock)
    store.call_next(db, settings.counter(2), clock(), 3)
    moved = store.transfer(db, ticket["id"], settings.service("REKAM"), clock())
    assert (moved["number"], moved["service"], moved["status"]) == ("F-001", "REKAM", "waiting")
    assert store.count_ahead(db, store.get_ticket(db, later["id"])) == 1
    with pytest.raises(BadRequest):
        store.transfer(db, ticket["id"], settings.service("REKAM"), clock())


def test_expiry_takes_waiting_tickets_past_their_deadline_never_a_held_one(office):
    settings, db = office
    clock = Clock()
    called = issue(office, clock=clock)
    store.call_next(db, settings.counter(1), clock(), 3)
    waiting = issue(office, clock=clock)
    info = issue(office, "INFO", clock=clock)
    closing = {"REKAM": clock() + timedelta(hours=6), "INFO": clock() + timedelta(hours=8)}
    clock.advance(hours=6)
    assert store.expire_waiting(db, clock(), lambda day, service: closing[service]) == 1
    statuses = {t["id"]: store.get_ticket(db, t["id"])["status"] for t in (waiting, called, info)}
    assert statuses == {waiting["id"]: "expired", called["id"]: "called", info["id"]: "waiting"}
    clock.advance(days=3)
    assert store.expire_waiting(db, clock(), lambda day, service: closing[service]) == 1
    assert store.get_ticket(db, called["id"])["status"] == "called"  # still at Loket 1 until staff finish it
    trail = db.conn.execute("SELECT ticket_id, from_status FROM ticket_events WHERE action = 'expire' ORDER BY id")
    assert [tuple(r) for r in trail] == [(waiting["id"], "waiting"), (info["id"], "waiting")]


def test_idempotency_keys_are_kept_48_hours_then_forgotten(office):
    settings, db = office
    clock = Clock()
    first, _ = store.issue_ticket(db, settings, settings.service("INFO"), False, clock(), "tap-9")
    clock.advance(hours=47)
    assert store.forget_idempotency_keys(db, clock() - timedelta(hours=48)) == 0
    again, created = store.issue_ticket(db, settings, settings.service("INFO"), False, clock(), "tap-9")
    assert (created, again["id"]) == (False, first["id"])
    clock.advance(hours=2)
    assert store.forget_idempotency_keys(db, clock() - timedelta(hours=48)) == 1
    fresh, created = store.issue_ticket(db, settings, settings.service("INFO"), False, clock(), "tap-9")
    assert created and fresh["id"] != first["id"]


def test_a_ticket_left_waiting_from_yesterday_is_called_first(office):
    settings, db = office
    clock = Clock(datetime(2026, 11, 25, 23, 50, tzinfo=JAKARTA))
    late = issue(office, clock=clock)
    clock.advance(minutes=15)  # past midnight: a new office day
    early = issue(office, clock=clock)
    assert [t["id"] for t in store.waiting_list(db, "2026-11-26", ("REKAM",))] == [late["id"], early["id"]]
    assert store.count_ahead(db, store.get_ticket(db, early["id"])) == 1
    assert store.waiting_counts(db, "2026-11-26")["REKAM"] == 2
    assert store.call_next(db, settings.counter(1), clock(), 3)[0]["id"] == late["id"]


def test_count_ahead_priority_and_order(office):
    _, db = office
    clock = Clock()
    a = issue(office, clock=clock)
    clock.advance(seconds=1)
    b = issue(office, clock=clock)
    clock.advance(seconds=1)
    p = issue(office, priority=True, clock=clock)
    assert [store.count_ahead(db, store.get_ticket(db, t["id"])) for t in (a, b, p)] == [1, 2, 0]


def test_staff_usernames_are_unique_case_insensitive(office):
    _, db = office
    staff_store.add_staff(db, "Siti", "hash", "counter", Clock()())
    with pytest.raises(BadRequest):
        staff_store.add_staff(db, "siti", "hash", "admin", Clock()())
    assert staff_store.get_staff(db, "SITI")["username"] == "Siti"


def test_print_outbox_rows(office):
    _, db = office
    clock = Clock()
    ticket = issue(office, clock=clock)
    job = store.oldest_print_job(db)
    assert (job["id"], job["number"], job["last_action"], job["newer_jobs"]) == (ticket["id"], "A-001", "issue", 0)
    store.postpone_print_job(db, job["job_id"], clock() + timedelta(seconds=5), "paper out")
    assert store.oldest_print_job(db)["attempts"] == 1  # still first in line: the outbox prints in order
    store.finish_print_job(db, job["job_id"], ticket["id"], "printed", clock())
    assert store.get_ticket(db, ticket["id"])["print_status"] == "printed"
    assert store.pending_print_jobs(db) == 0
    assert [j["status"] for j in store.print_jobs_of(db, ticket["id"])] == ["printed"]


def test_counter_with_unknown_service_never_matches(office):
    settings, db = office
    issue(office)
    assert store.call_next(db, Counter(9, "Loket 9", ("NONE",)), Clock()(), 3) is None


def test_next_is_refused_while_the_counter_holds_a_ticket(office):
    settings, db = office
    clock = Clock()
    first, second = issue(office, clock=clock), issue(office, clock=clock)
    counter = settings.counter(1)
    store.call_next(db, counter, clock(), 3)
    for step in (None, "serve"):
        if step:
            store.transition(db, first["id"], step, clock())
        with pytest.raises(BadTransition) as refused:
            store.call_next(db, counter, clock(), 3)
        assert refused.value.code == "counter_busy" and first["number"] in refused.value.message
        assert store.get_ticket(db, second["id"])["status"] == "waiting"
    calls = db.conn.execute("SELECT COUNT(*) FROM ticket_events WHERE action = 'call'").fetchone()[0]
    assert calls == 1
    store.transition(db, first["id"], "done", clock())
    assert store.call_next(db, counter, clock(), 3)[0]["id"] == second["id"]


def test_the_schema_refuses_a_second_held_ticket_at_one_counter(office):
    settings, db = office
    clock = Clock()
    issue(office, clock=clock)
    second = issue(office, clock=clock)
    store.call_next(db, settings.counter(1), clock(), 3)
    with pytest.raises(sqlite3.IntegrityError):
        with db.write() as conn:  # what a read-then-write race would do, bypassing the check
            conn.execute("UPDATE tickets SET status = 'called', counter_id = 1 WHERE id = ?", [second["id"]])
    assert store.get_ticket(db, second["id"])["status"] == "waiting"


def test_migration_0002_puts_a_stranded_ticket_back_and_keeps_one_key(tmp_path):
    from sqlite_utils import Database as UtilsDatabase

    from kiosk.storage.migrations import migrations

    path = tmp_path / "old.db"
    utils_db = UtilsDatabase(path)
    migrations.apply(utils_db, stop_before="0002_counter_hold_and_idempotency")
    columns = (
        "token, day, origin_service, seq, number, service, status, issued_at, queued_at, called_at, "
        "counter_id, idempotency_key"
    )
    rows = [  # the old bug: two tickets called at Loket 1; one key used on two days
        (
            "t1",
            "2026-11-24",
            "REKAM",
            1,
            "A-001",
            "REKAM",
            "done",
            "2026-11-24T09:00:00+07:00",
            "2026-11-24T09:00:00+07:00",
            None,
            None,
            "k-1",
        ),
        (
            "t2",
            "2026-11-25",
            "REKAM",
            1,
            "A-001",
            "REKAM",
            "called",
            "2026-11-25T09:00:00+07:00",
            "2026-11-25T09:00:00+07:00",
            "2026-11-25T09:01:00+07:00",
            1,
            "k-1",
        ),
        (
            "t3",
            "2026-11-25",
            "REKAM",
            2,
            "A-002",
            "REKAM",
            "called",
            "2026-11-25T09:00:00+07:00",
            "2026-11-25T09:00:00+07:00",
            "2026-11-25T09:02:00+07:00",
            1,
            None,
        ),
    ]
    for row in rows:
        utils_db.execute(f"INSERT INTO tickets ({columns}) VALUES ({','.join('?' * len(row))})", row)
    utils_db.conn.commit()
    utils_db.close()
    db = Database(path)
    assert db.migrate()[0] == "0002_counter_hold_and_idempotency"
    state = [tuple(r) for r in db.conn.execute("SELECT token, status, counter_id, idempotency_key FROM tickets")]
    assert state == [("t1", "done", None, None), ("t2", "waiting", None, "k-1"), ("t3", "called", 1, None)]
    trail = db.conn.execute("SELECT action, from_status, to_status FROM ticket_events").fetchall()
    assert [tuple(r) for r in trail] == [("requeue", "called", "waiting")]


def test_a_retry_just_after_midnight_answers_the_same_ticket(office):
    settings, db = office
    clock = Clock(datetime(2026, 11, 25, 23, 59, 50, tzinfo=JAKARTA))
    first, created = store.issue_ticket(db, settings, settings.service("REKAM"), False, clock(), "tap-midnight")
    clock.advance(seconds=20)  # the kiosk's retry lands on the next office day
    again, created_again = store.issue_ticket(db, settings, settings.service("REKAM"), False, clock(), "tap-midnight")
    assert (created, created_again, again["id"]) == (True, False, first["id"])
    assert db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1


def test_same_key_for_another_service_or_priority_is_refused(office):
    settings, db = office
    store.issue_ticket(db, settings, settings.service("REKAM"), False, Clock()(), "tap-2")
    for code, priority in (("CETAK", False), ("REKAM", True)):
        with pytest.raises(KioskError) as refused:
            store.issue_ticket(db, settings, settings.service(code), priority, Clock()(), "tap-2")
        assert (refused.value.code, refused.value.status) == ("idempotency_mismatch", 422)
    assert db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1


def test_done_straight_from_called_counts_the_service_from_the_call(office):
    settings, db = office
    clock = Clock()
    ticket = issue(office, clock=clock)
    store.call_next(db, settings.counter(1), clock(), 3)
    clock.advance(minutes=4)
    done, _ = store.transition(db, ticket["id"], "done", clock())
    assert (done["status"], done["serving_at"]) == ("done", None)
    assert store.average_service_minutes(db, "2026-11-25", "REKAM", default=10) == pytest.approx(4.0)
    assert store.served_today(db, "2026-11-25", 1) == 1
    assert store.served_today(db, "2026-11-25", 2) == 0


def test_ticket_tokens_are_long_random_and_share_no_pattern(office):
    """The token is the only key to a resident's phone page: it must not be guessable from day, service or number."""
    import re

    settings, db = office
    clock = Clock()
    tickets = []
    for i in range(1000):
        clock.advance(seconds=1)
        tickets.append(issue(office, ("INFO", "AMBIL", "CETAK", "IKD")[i % 4], clock=clock))
    tokens = [t["token"] for t in tickets]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16,}", token) for token in tokens)
    assert len(set(tokens)) == 1000
    for ticket in tickets:
        token = ticket["token"].lower()
        # Parts a predictable scheme would carry. A bare service code ("ikd") is not checked: three letters
        # turn up in 250 random tokens by chance about once in seven runs, and the day already catches it.
        number = ticket["number"].lower()
        assert not any(
            part in token for part in (number, number.replace("-", ""), ticket["day"], ticket["day"].replace("-", ""))
        )
    # No shared prefix pattern: sorted neighbours agree in at most a few leading characters (random: ~2).
    ordered = sorted(tokens)
    longest = max(len(os.path.commonprefix(pair)) for pair in zip(ordered, ordered[1:], strict=False))
    assert longest <= 5, longest
    # First characters and all characters spread over the whole URL-safe alphabet.
    assert len({token[0] for token in tokens}) >= 48
    counts = collections.Counter("".join(tokens))
    assert len(counts) == 64 and min(counts.values()) > 100


def test_a_ticket_held_across_midnight_stays_current_for_its_counter(office):
    settings, db = office
    clock = Clock(datetime(2026, 11, 25, 23, 55, tzinfo=JAKARTA))
    ticket = issue(office, clock=clock)
    store.call_next(db, settings.counter(1), clock(), 3)
    clock.advance(minutes=10)
    assert store.current_tickets(db, "2026-11-26")[1]["id"] == ticket["id"]
    assert store.held_ticket(db, 1)["id"] == ticket["id"]


def test_each_connection_keeps_a_small_page_cache(office):
    """One connection per server thread: the default 2 MB cache each added up to ~100 MB of RSS."""
    _, db = office
    assert db.conn.execute("PRAGMA cache_size").fetchone()[0] == -512
    assert Database(db.path).conn.execute("PRAGMA cache_size").fetchone()[0] == -512


def _vm_steps(db, work):
    """Run ``work`` and return how many SQLite virtual-machine steps it took (not time: repeatable)."""
    steps = 0

    def count():
        nonlocal steps
        steps += 1
        return 0

    db.conn.set_progress_handler(count, 1)
    try:
        work()
    finally:
        db.conn.set_progress_handler(None, 1)
    return steps


@pytest.mark.serial  # a speed ratio: alone on the machine
def test_finding_the_next_print_job_reads_no_more_after_a_long_history(office):
    """The outbox looks up the next job for every ticket: it must not read every job ever printed."""
    settings, db = office
    clock = Clock()

    def print_all(count):
        for index in range(count):
            if index % 50 == 49:
                clock.advance(days=1)  # jobs of earlier days are history too (and the quota is per day)
            issue(office, clock=clock)
            job = store.oldest_print_job(db)
            store.finish_print_job(db, job["job_id"], job["id"], "printed", clock())

    def next_job_steps():
        issue(office, clock=clock)
        steps = _vm_steps(db, lambda: store.oldest_print_job(db))
        job = store.oldest_print_job(db)
        store.finish_print_job(db, job["job_id"], job["id"], "printed", clock())
        return steps

    print_all(20)
    short = next_job_steps()
    print_all(1500)
    long = next_job_steps()
    assert long < short * 2, (short, long)


def test_a_commit_never_copies_the_wal_back_while_other_writers_wait(office):
    """SQLite's automatic checkpoint runs inside COMMIT, i.e. inside the one-writer lock: every writer then
    waited for ~1,000 pages to be copied and flushed (the 100-300 ms stalls behind issuing's p99)."""
    _, db = office
    for conn in (db.conn, Database(db.path).connect()):
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


@pytest.fixture
def office_on_disk():
    """The office on a disk folder even when tests keep theirs on a RAM disk (tests/conftest.py): there, with
    no fsync to wait for, 3,000 back-to-back commits outrun the background checkpointer (a WAL of ~9 MB)."""
    with tempfile.TemporaryDirectory(dir="/var/tmp" if os.path.isdir("/var/tmp") else None) as folder:
        settings = office_settings(Path(folder))
        db = Database(settings.database_path)
        db.migrate()
        yield settings, db
        db.close()


def test_the_wal_is_checkpointed_in_the_background_and_stays_small(office_on_disk):
    _, db = office_on_disk
    wal = f"{db.path}-wal"
    for index in range(3000):
        with db.write() as conn:
            conn.execute("INSERT INTO app_state (key, value, updated_at) VALUES (?, 'x', 'now')", [f"k{index}"])
    # Without any checkpoint 3,000 commits leave a WAL of ~26 MB; checkpointed, it starts again from its top
    # once past ~1,000 pages (4 MB).
    assert os.path.getsize(wal) < 8 * 1024 * 1024, os.path.getsize(wal)
    reopened = sqlite3.connect(db.path)
    assert reopened.execute("SELECT COUNT(*) FROM app_state WHERE key LIKE 'k%'").fetchone()[0] == 3000
    reopened.close()


def test_the_wal_stays_small_when_the_background_checkpointer_gets_no_core(office_on_disk, monkeypatch):
    """On a busy machine the checkpoint thread may not run for seconds while writers go on committing. The
    writers then checkpoint themselves once it has fallen a few requests behind: the WAL stays bounded."""
    from kiosk.storage import db as db_module

    class Starved(db_module._Checkpointer):
        def _run(self):  # a thread that never gets a core while the test writes
            self._gone.wait()

        _gone = threading.Event()

    starved = Starved()
    monkeypatch.setattr(db_module, "_CHECKPOINTER", starved)
    _, db = office_on_disk
    try:
        for index in range(3000):
            with db.write() as conn:
                conn.execute("INSERT INTO app_state (key, value, updated_at) VALUES (?, 'x', 'now')", [f"k{index}"])
        # 3,000 commits with no checkpoint at all leave a WAL of ~26 MB.
        assert os.path.getsize(f"{db.path}-wal") < 8 * 1024 * 1024, os.path.getsize(f"{db.path}-wal")
    finally:
        Starved._gone.set()


def _plans(db, work):
    """Return SQLite's query plan of every SELECT that ``work`` runs."""
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        work()
    finally:
        db.conn.set_trace_callback(None)
    return [
        " / ".join(row[3] for row in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
    ]


def test_waiting_counts_and_the_number_ahead_are_read_from_an_index_alone(office):
    """Every phone's poll and every ticket issued counts the waiting line: from the index, not row by row."""
    settings, db = office
    clock = Clock()
    for _ in range(5):
        ticket = issue(office, clock=clock)
    day = ticket["day"]
    plans = _plans(db, lambda: (store.waiting_counts(db, day), store.count_ahead(db, ticket)))
    assert len(plans) == 2 and all("COVERING INDEX" in plan for plan in plans), plans


@pytest.mark.parametrize("priority, key", [(False, None), (True, "kiosk-1:retry-7")])
def test_an_issued_ticket_is_answered_exactly_as_stored(office, priority, key):
    # issue_ticket builds its answer from what it wrote instead of reading the row back inside the write lock.
    settings, db = office
    ticket, created = store.issue_ticket(
        db, settings, settings.service("REKAM"), priority, Clock()(), idempotency_key=key
    )
    assert created
    assert ticket == store.get_ticket(db, ticket["id"])
    assert list(ticket) == list(store.get_ticket(db, ticket["id"]))  # same columns in the same order
    again, created = store.issue_ticket(
        db, settings, settings.service("REKAM"), priority, Clock()(), idempotency_key=key
    )
    assert (again, created) == ((ticket, False) if key else (again, True))


def test_wait_facts_are_count_ahead_and_average_service_minutes_in_one_statement(office):
    settings, db = office
    clock = Clock()
    served = issue(office, clock=clock)
    store.call_next(db, settings.counter(1), clock(), 3)
    clock.advance(minutes=7)
    store.transition(db, served["id"], "done", clock())
    tickets = [issue(office, clock=clock)]
    clock.advance(seconds=1)
    tickets += [
        issue(office, clock=clock),
        issue(office, priority=True, clock=clock),
        issue(office, "INFO", clock=clock),
    ]
    for ticket in [store.get_ticket(db, t["id"]) for t in (served, *tickets)]:
        average = store.average_service_minutes(db, ticket["day"], ticket["service"], default=10)
        expected = (store.count_ahead(db, ticket), average if ticket["status"] == "waiting" else 10.0)
        assert store.wait_facts(db, ticket, 10) == pytest.approx(expected)
    assert store.wait_facts(db, store.get_ticket(db, tickets[1]["id"]), 10) == (2, pytest.approx(7.0))


def test_an_issued_ticket_carries_its_wait_figures_read_in_its_own_transaction(office):
    # The answer's "ahead" and wait come from the issue's own transaction (no read of its own afterwards):
    # the same figures a later read gives, also for numbers committed together from many threads at once.
    settings, db = office
    default = settings.queue.default_service_minutes
    with ThreadPoolExecutor(12) as pool:
        tickets = list(pool.map(lambda _: issue(office), range(12)))
    assert sorted(ticket.wait_figures[0] for ticket in tickets) == list(range(12))
    for ticket in tickets:
        assert ticket.wait_figures == store.wait_figures(db, ticket, default)
        assert ticket == store.get_ticket(db, ticket["id"])  # still exactly the stored row
