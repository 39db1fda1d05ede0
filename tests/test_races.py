"""Write paths that can race, raced: numbering, quotas, idempotency, two counters calling next."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from kiosk.storage import tickets as store
from kiosk.storage.db import Database
from tests.support import office_settings

pytestmark = pytest.mark.slow


_clients = threading.local()


def _issue_over_http(url: str, service: str, key: str | None = None) -> requests.Response:
    """Issue over HTTP as a kiosk does: each client thread keeps one connection open and reuses it.

    (A new connection per request, with every answer kept, held ~200 sockets open from one address, beyond
    the server's per-client cap, ``[server] max_connections_per_client``; no kiosk PC does that.)
    """
    session = getattr(_clients, "session", None)
    if session is None:
        session = _clients.session = requests.Session()
    headers = {"Idempotency-Key": key} if key else {}
    return session.post(f"{url}/api/tickets", json={"service": service}, headers=headers, timeout=30)


def test_200_concurrent_issues_over_http_are_unique_and_gap_free(live_server):
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda i: _issue_over_http(live_server.url, ("INFO", "AMBIL")[i % 2]), range(200)))
    assert {a.status_code for a in answers} == {201}
    numbers = [a.json()["ticket"]["number"] for a in answers]
    assert len(set(numbers)) == 200
    assert sorted(n for n in numbers if n.startswith("F-")) == [f"F-{i:03d}" for i in range(1, 101)]
    assert sorted(n for n in numbers if n.startswith("C-")) == [f"C-{i:03d}" for i in range(1, 101)]


def test_quota_holds_under_concurrency(live_server):
    quota = live_server.runtime.settings.service("REKAM").daily_quota
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: _issue_over_http(live_server.url, "REKAM"), range(quota + 30)))
    codes = [a.status_code for a in answers]
    assert codes.count(201) == quota and codes.count(409) == 30
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"quota_reached"}


def test_double_tap_with_one_key_issues_one_ticket(live_server):
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: _issue_over_http(live_server.url, "CETAK", "tap-42"), range(10)))
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert {a.json()["ticket"]["id"] for a in answers} == {answers[0].json()["ticket"]["id"]}


def _issue_in_process(db_path: str, settings_dir: str, count: int, queue) -> None:
    from pathlib import Path

    from tests.conftest import Clock

    settings = office_settings(Path(settings_dir))
    db = Database(db_path)
    numbers = []

    def issue(_):
        ticket, _ = store.issue_ticket(db, settings, settings.service("INFO"), False, Clock()())
        return ticket["number"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(issue, range(count)))
    queue.put(numbers)


def test_two_processes_sharing_the_database_never_repeat_or_skip(tmp_path):
    settings = office_settings(tmp_path)
    Database(settings.database_path).migrate()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_issue_in_process, args=(str(settings.database_path), str(tmp_path), 100, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    numbers = results.get(timeout=60) + results.get(timeout=60)
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert sorted(numbers) == [f"F-{i:03d}" for i in range(1, 201)]
    db = Database(settings.database_path)
    assert db.conn.execute("SELECT COUNT(*), MAX(seq) FROM tickets").fetchone()[:] == (200, 200)


def test_two_counters_calling_at_once_never_share_a_ticket(live_server):
    for _ in range(60):
        _issue_over_http(live_server.url, "AMBIL")  # served by Loket 2 and Loket 3

    def drain(counter: int) -> list[int]:
        taken = []
        with requests.Session() as session:  # one signed-in screen per counter
            token = session.post(
                f"{live_server.url}/api/login", timeout=30, json={"username": "petugas", "password": "rahasia-Loket1"}
            ).json()["csrf_token"]
            session.headers["X-CSRF-Token"] = token
            while True:
                answer = session.post(f"{live_server.url}/api/counters/{counter}/next", timeout=30)
                if answer.status_code == 204:
                    return taken
                assert answer.status_code == 200
                taken.append(answer.json()["ticket"]["id"])
                # free the counter for its next call (a held ticket refuses "next")
                finished = session.post(f"{live_server.url}/api/tickets/{taken[-1]}/no-show", timeout=30)
                assert finished.status_code == 200

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(drain, (2, 3)))
    everything = [ticket for batch in results for ticket in batch]
    assert len(everything) == 60 and len(set(everything)) == 60
    assert all(results), "both counters should have called some tickets"


def test_one_transition_wins_when_staff_press_together(live_server):
    headers = live_server.login()
    cookies = live_server.session.cookies
    ticket = _issue_over_http(live_server.url, "REKAM").json()["ticket"]
    live_server.post("/api/counters/1/next", headers=headers)

    def press(action: str) -> int:
        with requests.Session() as session:
            session.cookies.update(cookies)
            return session.post(
                f"{live_server.url}/api/tickets/{ticket['id']}/{action}", headers=headers, timeout=30
            ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(press, ["serve"] * 6 + ["no-show"] * 6))
    assert sorted(codes) == [200] + [409] * 11
    db = live_server.runtime.db
    moves = db.conn.execute(
        "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND action IN ('serve', 'no_show')", [ticket["id"]]
    ).fetchone()[0]
    assert moves == 1


def test_many_presses_of_next_on_one_counter_call_exactly_one_ticket(live_server):
    headers = live_server.login()
    cookies = live_server.session.cookies
    for _ in range(10):
        _issue_over_http(live_server.url, "REKAM")
    barrier = threading.Barrier(16)

    def press(_) -> requests.Response:
        with requests.Session() as session:
            session.cookies.update(cookies)
            barrier.wait()
            return session.post(f"{live_server.url}/api/counters/1/next", headers=headers, timeout=30)

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(press, range(16)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 15
    called = next(a.json()["ticket"] for a in answers if a.status_code == 200)
    refusals = {
        (a.json()["error"]["code"], called["number"] in a.json()["error"]["message"])
        for a in answers
        if a.status_code == 409
    }
    assert refusals == {("counter_busy", True)}
    held = live_server.runtime.db.conn.execute(
        "SELECT id FROM tickets WHERE status IN ('called', 'serving')"
    ).fetchall()
    assert [row[0] for row in held] == [called["id"]]
