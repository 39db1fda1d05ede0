"""The issue path under many kiosks: writers committed together, and the work each ticket sets off elsewhere.

Timings belong to ``kiosk bench`` (bench/issue_probe.py runs its issue rows alone); these tests check what the
speed rests on: how many commits a burst of writers takes, what each of them sees afterwards, and how much
SQLite reads per queue change, counted in virtual-machine steps (repeatable, unlike time).
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from kiosk.domain.errors import QuotaReached
from kiosk.storage import sms as sms_store
from kiosk.storage import tickets as store
from kiosk.storage.db import Database
from tests.conftest import Clock
from tests.support import office_settings, wait_until


@pytest.fixture
def office(tmp_path):
    settings = office_settings(tmp_path)
    db = Database(settings.database_path)
    db.migrate()
    yield settings, db
    db.close()


def _insert(key: str, fail: bool = False):
    def work(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO app_state (key, value, updated_at) VALUES (?, 'x', 'now')", [key])
        if fail:
            raise ValueError(key)
        return key

    return work


def _stored(db: Database) -> set[str]:
    """The keys a connection of its own sees: what was committed."""
    other = sqlite3.connect(db.path)
    try:
        return {row[0] for row in other.execute("SELECT key FROM app_state WHERE key LIKE 'w%'")}
    finally:
        other.close()


def _burst(db: Database, works: list) -> list:
    """Start one thread per work while another writer holds the write lock; let them go once all wait.

    Returns each thread's outcome (its return value, or the exception it raised) and what it saw committed
    the moment its call returned.
    """
    outcomes: list = [None] * len(works)

    def run(index: int) -> None:
        try:
            value = db.write_together(works[index])
            outcomes[index] = (value, _stored(db))
        except Exception as error:  # noqa: BLE001 - the test looks at which one it was
            outcomes[index] = (error, _stored(db))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(works))]
    with db.write():  # a commit under way (e.g. a counter's call): the kiosks' writers queue behind it
        threads[0].start()
        wait_until(lambda: len(db._line) == 1)
        for thread in threads[1:]:
            thread.start()
        wait_until(lambda: len(db._line) == len(works))
    for thread in threads:
        thread.join(10)
    return outcomes


def test_writers_waiting_while_one_commits_are_committed_together_each_answered_after_its_commit(office):
    _, db = office
    commits = db._commits
    outcomes = _burst(db, [_insert(f"w{index}") for index in range(8)])
    # The first in line went alone (nothing waited yet when it came); the seven behind it in one commit.
    assert db._commits - commits == 1 + 1 + 1  # the holder's, the first's, the seven's
    for index, (value, seen) in enumerate(outcomes):
        assert value == f"w{index}"
        assert f"w{index}" in seen  # committed (WAL, synchronous=FULL) before the call returned
    assert _stored(db) == {f"w{index}" for index in range(8)}


def test_a_writer_that_fails_is_undone_alone_and_raises_in_its_own_thread(office):
    _, db = office
    outcomes = _burst(db, [_insert("w0"), _insert("w1"), _insert("w2", fail=True), _insert("w3")])
    assert [value for value, _ in outcomes][:2] == ["w0", "w1"] and outcomes[3][0] == "w3"
    assert isinstance(outcomes[2][0], ValueError) and str(outcomes[2][0]) == "w2"
    assert _stored(db) == {"w0", "w1", "w3"}


def test_a_writer_alone_behaves_as_a_write_of_its_own(office):
    _, db = office
    assert db.write_together(_insert("w-alone")) == "w-alone"
    with pytest.raises(ValueError):
        db.write_together(_insert("w-failed", fail=True))
    assert _stored(db) == {"w-alone"}
    assert not db.conn.in_transaction


def test_numbers_issued_together_are_gap_free_and_a_refused_one_takes_none(office):
    settings, db = office
    now = Clock()()
    with db.write() as conn:
        conn.execute(
            "INSERT INTO service_overrides (day, service, daily_quota, updated_at) VALUES (?,?,?,?)",
            [now.date().isoformat(), "REKAM", 3, "x"],
        )
    service = settings.service("REKAM")
    outcomes = _burst(db, [lambda conn: store.issue_in(conn, settings, service, False, now) for _ in range(5)])
    numbers = sorted(value[0]["number"] for value, _ in outcomes if isinstance(value, tuple))
    assert numbers == ["A-001", "A-002", "A-003"]
    assert sum(isinstance(value, QuotaReached) for value, _ in outcomes) == 2
    rows = db.conn.execute(
        "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM ticket_events), (SELECT COUNT(*) FROM print_jobs)"
    ).fetchone()
    assert tuple(rows) == (3, 3, 3)  # a refused one left no event or print job behind


def _vm_steps(db, work) -> int:
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


def test_the_opt_ins_are_read_without_going_through_the_days_tickets(office):
    """Asked after every ticket issued (SMS on): it read every ticket of the day, thousands on a busy day."""
    settings, db = office
    now = Clock()()
    day = now.date().isoformat()
    with db.write() as conn:  # a busy day: beyond the demo office's quota
        conn.execute(
            "INSERT INTO service_overrides (day, service, daily_quota, updated_at) VALUES (?,?,?,?)",
            [day, "REKAM", 100_000, "x"],
        )

    def issue(count: int) -> dict:
        for _ in range(count):
            ticket, _ = store.issue_ticket(db, settings, settings.service("REKAM"), False, now)
        return ticket

    sms_store.add_optin(db, issue(20)["id"], "+6281234567890", now)

    def steps() -> tuple[int, int]:
        return (
            _vm_steps(db, lambda: sms_store.optins(db, day)),
            _vm_steps(db, lambda: sms_store.forget_ended_optins(db, day)),
        )

    few = steps()
    issue(2000)
    many = steps()
    assert len(sms_store.optins(db, day)) == 1
    assert many[0] < few[0] * 1.5 and many[1] < few[1] * 1.5, (few, many)


def test_a_burst_of_queue_changes_is_one_look_for_the_resident_messages(tmp_path):
    from kiosk.office import bus
    from kiosk.office.messages import connect_office_events
    from tests.support import make_app

    app = make_app(tmp_path)
    rt = app.extensions["kiosk"]
    seen: list = []
    busy, go = threading.Event(), threading.Event()

    def handler(event: str, data: dict) -> None:
        seen.append((event, data))
        if len(seen) == 1:
            busy.set()
            go.wait(5)

    issued = bus.TicketIssued(
        ticket_id=1, number="A-001", service="REKAM", day="2026-11-25", priority=False, printed=True
    )
    disconnect = connect_office_events(rt, handler)
    try:
        rt.bus.emit(issued)
        assert busy.wait(5)  # the messages' thread is looking at the queue; 60 kiosks issue meanwhile
        for _ in range(50):
            rt.bus.emit(issued)
        rt.bus.emit(bus.TicketCalled(ticket_id=1, number="A-001", service="REKAM", counter_id=1, event_id=9))
        for _ in range(10):
            rt.bus.emit(issued)
        go.set()
        wait_until(lambda: len(seen) == 4)
    finally:
        disconnect()
    assert seen == [("queue", {}), ("queue", {}), ("call", {"ticket_id": 1}), ("queue", {})]


def test_the_answers_wait_figures_come_from_one_statement_and_count_each_family_member(office):
    settings, db = office
    now = Clock()()
    issued = [store.issue_ticket(db, settings, settings.service("REKAM"), False, now)[0] for _ in range(4)]
    with db.write() as conn:  # the second number is a family of three
        conn.execute("UPDATE tickets SET members = 3 WHERE id = ?", [issued[1]["id"]])
    last = store.get_ticket(db, issued[3]["id"])
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        ahead, people, _ = store.wait_figures(db, last, 10)
    finally:
        db.conn.set_trace_callback(None)
    assert (ahead, people) == store.ahead_counts(db, last) == (3, 5)
    assert len(statements) == 1
    assert store.wait_figures(db, store.get_ticket(db, issued[0]["id"]), 10)[:2] == (0, 0)


def test_tickets_issued_from_different_threads_commit_on_one_warm_connection(office):
    """A thread's own connection drops its page cache once another connection has written; waitress hands
    requests to its threads in turn, so every ticket used to start on a cold cache (36 reads from the files
    per ticket at the server by strace, 13 since)."""
    settings, db = office
    now = Clock()()
    with db.write():
        group = db._group_connection()
    statements: list[str] = []
    group.set_trace_callback(statements.append)
    try:
        for _ in range(3):
            thread = threading.Thread(
                target=store.issue_ticket, args=(db, settings, settings.service("REKAM"), False, now)
            )
            thread.start()
            thread.join(5)
    finally:
        group.set_trace_callback(None)
    assert sum(sql.startswith("INSERT INTO tickets") for sql in statements) == 3
    assert db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 3


def test_a_group_whose_commit_fails_fails_every_writer_and_the_next_group_commits(office):
    _, db = office
    with db.write() as conn:  # a deferred check that only the COMMIT can refuse
        conn.execute("CREATE TABLE owners (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE owned (owner INTEGER REFERENCES owners (id) DEFERRABLE INITIALLY DEFERRED)")
    outcomes = _burst(db, [_insert("w0"), lambda conn: conn.execute("INSERT INTO owned VALUES (7)"), _insert("w2")])
    assert outcomes[0][0] == "w0"  # the first went alone
    assert all(isinstance(value, sqlite3.IntegrityError) for value, _ in outcomes[1:]), outcomes
    assert _stored(db) == {"w0"}
    assert db.write_together(_insert("w3")) == "w3"
    assert _stored(db) == {"w0", "w3"}
