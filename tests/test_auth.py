"""Staff login and sessions through a real waitress server: throttling, revocation, idle time-out."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter

import pytest
import requests
from werkzeug.security import generate_password_hash

from kiosk import store
from kiosk.web.auth import LoginGuard
from tests.support import LiveServer, make_app


class Ticker:
    """A settable monotonic clock for the login guard."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server(tmp_path):
    """A live server whose staff member has a full-strength password hash (checking one takes real time)."""
    application = make_app(tmp_path)
    runtime = application.extensions["kiosk"]
    store.add_staff(runtime.db, "petugas", generate_password_hash("rahasia-Loket1"), "counter", runtime.now())
    live = LiveServer(application, threads=48).start(workers=False)
    yield live
    live.stop()


def login_from(server: LiveServer, username: str, password: str, source: str = "127.0.0.1"):
    """POST /api/login from a chosen loopback source address; return (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", "/api/login", body=json.dumps({"username": username, "password": password}),
                     headers={"Content-Type": "application/json"})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), json.loads(answer.read() or b"null")
    finally:
        conn.close()


def test_parallel_wrong_logins_check_at_most_the_limit(server):
    statuses: list[int] = []
    start = threading.Barrier(45)

    def guess(number: int) -> None:
        start.wait()
        statuses.append(login_from(server, "petugas", f"tebakan-{number}")[0])

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(45)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(statuses) == {401: 5, 429: 40}


def test_rate_limited_answer_says_when_to_retry(server):
    for _ in range(5):
        assert login_from(server, "petugas", "salah-sekali")[0] == 401
    status, headers, body = login_from(server, "petugas", "rahasia-Loket1")
    assert status == 429 and body["error"]["code"] == "rate_limited"
    assert 240 <= int(headers["Retry-After"]) <= 300
    assert "menit" in body["error"]["message"]


def test_a_guesser_at_another_pc_cannot_lock_the_owner_out(server):
    for _ in range(5):
        login_from(server, "petugas", "salah-sekali", source="127.0.0.2")
    assert login_from(server, "petugas", "rahasia-Loket1", source="127.0.0.2")[0] == 429
    assert login_from(server, "petugas", "rahasia-Loket1", source="127.0.0.1")[0] == 200


def test_one_address_cannot_try_many_usernames(server):
    statuses = [login_from(server, f"nama{number}", "salah-sekali", source="127.0.0.3")[0] for number in range(25)]
    assert statuses == [401] * 20 + [429] * 5
    assert login_from(server, "petugas", "rahasia-Loket1", source="127.0.0.4")[0] == 200


def test_usernames_longer_than_64_characters_are_refused(server):
    status, _, body = login_from(server, "a" * 65, "salah-sekali")
    assert (status, body["error"]["code"]) == (400, "bad_request")
    assert "64" in body["error"]["message"]
    assert login_from(server, "a" * 64, "salah-sekali")[0] == 401


def test_huge_usernames_do_not_grow_the_throttle(server):
    guard = server.app.extensions.get("kiosk_login_guard")
    session = requests.Session()
    for number in range(300):
        answer = session.post(server.url + "/api/login", timeout=10,
                              json={"username": f"{number}" + "x" * 250_000, "password": "salah-sekali"})
        assert answer.status_code == 400
    guard = server.app.extensions.get("kiosk_login_guard")
    assert guard is None or (len(guard.pairs), len(guard.addresses)) == (0, 0)


def test_throttle_store_is_bounded():
    guard = LoginGuard(per_user=5, per_address=20, window=300, max_keys=100, clock=Ticker())
    for number in range(300):
        assert guard.attempt(f"nama{number}" + "x" * 50, f"10.0.{number // 250}.{number % 250}") == 0
    assert (len(guard.pairs), len(guard.addresses)) == (100, 100)


def test_throttle_window_slides_and_success_forgets_failures():
    clock = Ticker()
    guard = LoginGuard(per_user=5, per_address=20, window=300, clock=clock)
    assert [guard.attempt("siti", "10.0.0.1") for _ in range(6)] == [0] * 5 + [300]
    clock.now += 299.5
    assert guard.attempt("siti", "10.0.0.1") == 1
    clock.now += 0.5
    assert guard.attempt("siti", "10.0.0.1") == 0
    guard.succeeded("siti", "10.0.0.1")
    assert [guard.attempt("siti", "10.0.0.1") for _ in range(5)] == [0] * 5
