"""Staff login and sessions through a real waitress server: throttling, revocation, idle time-out."""

from __future__ import annotations

import gc
import http.client
import json
import os
import sqlite3
import stat
import threading
import tracemalloc
from collections import Counter

import pytest
import requests
from click.testing import CliRunner
from werkzeug.security import generate_password_hash

from kiosk.cli import main
from kiosk.storage import staff as staff_store
from kiosk.web.auth import LoginGuard
from tests.support import LiveServer, add_staff, make_app
from tests.test_crash import write_office_config


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
    staff_store.add_staff(runtime.db, "petugas", generate_password_hash("rahasia-Loket1"), "counter", runtime.now())
    live = LiveServer(application, threads=48).start(workers=False)
    yield live
    live.stop()


def login_from(server: LiveServer, username: str, password: str, source: str = "127.0.0.1"):
    """POST /api/login from a chosen loopback source address; return (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
    try:
        conn.request(
            "POST",
            "/api/login",
            body=json.dumps({"username": username, "password": password}),
            headers={"Content-Type": "application/json"},
        )
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), json.loads(answer.read() or b"null")
    finally:
        conn.close()


@pytest.mark.serial  # 45 logins at once, each a full-strength hash check: alone on the machine
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


def test_huge_usernames_do_not_grow_memory(server):
    session = requests.Session()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(300):
            answer = session.post(
                server.url + "/api/login",
                timeout=10,
                json={"username": f"{number}" + "x" * 250_000, "password": "salah-sekali"},
            )
            assert answer.status_code == 400
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 5_000_000, f"{grown / 1e6:.1f} MB kept after 300 logins with 250 KB usernames"
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


def test_a_good_login_takes_back_only_its_own_try_from_the_address_count():
    """19 wrong tries from one PC, then a good login: the good one is not counted, the 19 still are."""
    clock = Ticker()
    guard = LoginGuard(per_user=5, per_address=20, window=300, clock=clock)
    assert [guard.attempt(f"nama{number}", "10.0.0.9") for number in range(19)] == [0] * 19
    assert guard.attempt("siti", "10.0.0.9") == 0
    guard.succeeded("siti", "10.0.0.9")
    assert guard.attempt("nama19", "10.0.0.9") == 0  # the 20th counted try: still let in
    assert guard.attempt("nama20", "10.0.0.9") == 300  # the 21st: refused at the limit
    assert guard.attempt("siti", "10.0.0.9") == 300  # the owner too: the limit is the address's
    assert guard.attempt("siti", "10.0.0.8") == 0  # another PC is not affected
    clock.now += 300
    assert guard.attempt("nama21", "10.0.0.9") == 0  # let in again once the window has passed


def test_a_good_login_does_not_reset_the_address_limit(server):
    """Through the server: a PC that guessed 19 usernames and then logged in has one try left, not 20."""
    source = "127.0.0.5"
    assert [login_from(server, f"nama{n}", "salah-sekali", source=source)[0] for n in range(19)] == [401] * 19
    assert login_from(server, "petugas", "rahasia-Loket1", source=source)[0] == 200
    statuses = [login_from(server, f"lain{n}", "salah-sekali", source=source)[0] for n in range(3)]
    assert statuses == [401, 429, 429]
    assert login_from(server, "petugas", "rahasia-Loket1", source=source)[0] == 429


# ---------------------------------------------------------------- revocable sessions


@pytest.fixture
def office(tmp_path, clock):
    """A live server on the settable office clock, with a counter and an admin account."""
    application = make_app(tmp_path, clock=clock)
    add_staff(application)
    add_staff(application, "kepala", "rahasia-Admin1", "admin")
    live = LiveServer(application).start(workers=False)
    yield live
    live.stop()


def staff_session(server: LiveServer, username: str = "petugas", password: str = "rahasia-Loket1"):
    """Log a fresh browser-like session in; return it with its CSRF header."""
    browser = requests.Session()
    answer = browser.post(server.url + "/api/login", json={"username": username, "password": password}, timeout=10)
    assert answer.status_code == 200
    return browser, {"X-CSRF-Token": answer.json()["csrf_token"]}


def copy_of(browser: requests.Session) -> requests.Session:
    """Another client holding a copy of the browser's session cookie."""
    thief = requests.Session()
    thief.cookies.update(browser.cookies)
    return thief


def can_act(server: LiveServer, browser: requests.Session, headers: dict) -> int:
    """Return the status of a staff read and a staff write made with this session."""
    read = browser.get(server.url + "/api/session", timeout=10).status_code
    write = browser.post(server.url + "/api/counters/1/next", headers=headers, timeout=10).status_code
    return read if read != 200 else write


def test_a_copied_cookie_stops_working_after_logout(office):
    browser, headers = staff_session(office)
    thief = copy_of(browser)
    assert can_act(office, thief, headers) == 204  # the copy works while the session is open
    assert browser.post(office.url + "/api/logout", timeout=10).status_code == 200
    answer = thief.get(office.url + "/api/session", timeout=10)
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "login_required")
    assert thief.post(office.url + "/api/counters/1/next", headers=headers, timeout=10).status_code == 401
    assert can_act(office, *staff_session(office)) == 204  # logging in again works


def run_cli(tmp_path, *args, input=None):
    config = write_office_config(tmp_path)
    return CliRunner().invoke(main, ["--config", str(config), *args], input=input, catch_exceptions=False)


def test_passwd_ends_every_session_of_that_person_only(office, tmp_path):
    first, first_headers = staff_session(office)
    second, second_headers = staff_session(office)
    admin, admin_headers = staff_session(office, "kepala", "rahasia-Admin1")
    result = run_cli(tmp_path, "user", "passwd", "petugas", "--password-stdin", input="Loket-Baru-Selat-77\n")
    assert (result.exit_code, result.output) == (0, "Kata sandi 'petugas' diganti; 2 sesi terbuka diakhiri.\n")
    assert [can_act(office, first, first_headers), can_act(office, second, second_headers)] == [401, 401]
    assert can_act(office, admin, admin_headers) == 204
    old = office.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    assert old.status_code == 401
    assert can_act(office, *staff_session(office, "petugas", "Loket-Baru-Selat-77")) == 204


def test_a_disabled_account_is_signed_out_and_cannot_log_in(office, tmp_path):
    browser, headers = staff_session(office)
    result = run_cli(tmp_path, "user", "disable", "petugas")
    assert (result.exit_code, result.output) == (0, "Akun 'petugas' dinonaktifkan; 1 sesi terbuka diakhiri.\n")
    assert can_act(office, browser, headers) == 401
    again = office.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    assert (again.status_code, again.json()["error"]["code"]) == (401, "bad_credentials")
    listing = run_cli(tmp_path, "user", "list")
    assert listing.exit_code == 0
    rows = [line.split()[:4] for line in listing.output.splitlines()]
    assert rows == [
        ["nama", "peran", "status", "sesi"],
        ["kepala", "admin", "aktif", "0"],
        ["petugas", "counter", "nonaktif", "0"],
    ]


def test_user_role_changes_the_role_and_ends_that_persons_sessions(office, tmp_path):
    browser, headers = staff_session(office)
    assert browser.get(office.url + "/api/admin/today", timeout=10).status_code == 403
    result = run_cli(tmp_path, "user", "role", "petugas", "admin")
    assert (result.exit_code, result.output) == (0, "Akun 'petugas' sekarang admin; 1 sesi terbuka diakhiri.\n")
    assert can_act(office, browser, headers) == 401
    again, _ = staff_session(office)
    assert again.get(office.url + "/api/admin/today", timeout=10).status_code == 200


def test_user_enable_lets_a_disabled_account_log_in_again(office, tmp_path):
    run_cli(tmp_path, "user", "disable", "petugas")
    refused = office.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    assert refused.status_code == 401
    result = run_cli(tmp_path, "user", "enable", "petugas")
    assert (result.exit_code, result.output) == (0, "Akun 'petugas' diaktifkan.\n")
    assert can_act(office, *staff_session(office)) == 204


def test_user_logout_ends_sessions_but_keeps_the_account(office, tmp_path):
    first, first_headers = staff_session(office)
    second, second_headers = staff_session(office)
    result = run_cli(tmp_path, "user", "logout", "petugas")
    assert (result.exit_code, result.output) == (0, "2 sesi terbuka 'petugas' diakhiri.\n")
    assert [can_act(office, first, first_headers), can_act(office, second, second_headers)] == [401, 401]
    assert can_act(office, *staff_session(office)) == 204


@pytest.mark.parametrize(
    "command",
    [
        ("passwd", "nobody", "--password-stdin"),
        ("disable", "nobody"),
        ("role", "nobody", "admin"),
        ("logout", "nobody"),
        ("enable", "nobody"),
    ],
)
def test_user_commands_name_an_unknown_account(tmp_path, command):
    result = run_cli(tmp_path, "user", *command, input="Loket-Baru-Selat-77\n")
    assert (result.exit_code, result.output) == (
        1,
        "Gagal: tidak ada akun petugas bernama 'nobody' (lihat: kiosk user list)\n",
    )


# ---------------------------------------------------------------- idle time-out (controllable clock)


def test_staff_sessions_end_after_the_idle_time(office, clock):
    idle = office.app.config["STAFF_IDLE_SECONDS"]
    browser, headers = staff_session(office)
    for _ in range(3):  # working on and off keeps the session: each request restarts the idle clock
        clock.advance(seconds=idle - 5)
        assert can_act(office, browser, headers) == 204
    clock.advance(seconds=idle + 1)
    answer = browser.get(office.url + "/api/session", timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "login_required"
    clock.advance(seconds=-(idle + 1))  # the session ended on the server: going back in time does not revive it
    assert browser.get(office.url + "/api/session", timeout=10).status_code == 401


def test_a_session_idle_exactly_the_idle_time_lives_and_one_second_more_ends(office, clock):
    idle = office.app.config["STAFF_IDLE_SECONDS"]
    browser, headers = staff_session(office)
    clock.advance(seconds=idle)
    assert browser.get(office.url + "/api/session", timeout=10).status_code == 200  # at the limit: still on
    clock.advance(seconds=idle + 1)
    ended = browser.get(office.url + "/api/session", timeout=10)
    assert (ended.status_code, ended.json()["error"]["code"]) == (401, "login_required")
    assert can_act(office, browser, headers) == 401  # ended for good, not only idle for one request


def test_staff_sessions_end_after_their_lifetime_even_when_busy(office, clock):
    lifetime = int(office.app.permanent_session_lifetime.total_seconds())
    browser, headers = staff_session(office)
    for _ in range(lifetime // 3000):
        clock.advance(seconds=3000)
        assert can_act(office, browser, headers) == 204
    clock.advance(seconds=lifetime % 3000 + 1)
    assert browser.get(office.url + "/api/session", timeout=10).status_code == 401


# ---------------------------------------------------------------- the signing secret and file modes


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_secret_lives_beside_the_database_never_in_it_nor_in_a_backup(office, tmp_path):
    database = tmp_path / "kiosk.db"
    secret = (tmp_path / "kiosk.db.secret").read_text().strip()
    assert office.app.secret_key == secret and len(secret) == 64
    staff_session(office)  # -wal and -shm exist while the server runs
    result = run_cli(tmp_path, "backup", str(tmp_path / "copy" / "backup.db"))
    assert result.exit_code == 0, result.output
    files = [
        database,
        tmp_path / "kiosk.db-wal",
        tmp_path / "kiosk.db-shm",
        tmp_path / "kiosk.db.secret",
        tmp_path / "copy" / "backup.db",
    ]
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    for path in (database, tmp_path / "kiosk.db-wal", tmp_path / "copy" / "backup.db"):
        assert secret.encode() not in path.read_bytes(), path


def test_an_old_install_moves_its_secret_out_of_the_database(tmp_path):
    from kiosk.storage.db import Database

    database = tmp_path / "kiosk.db"
    Database(database).migrate()
    os.chmod(database, 0o644)  # as older versions created it
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES ('secret_key', ?, '2026-11-01')", ["ab" * 32]
        )
    conn.close()
    application = make_app(tmp_path)
    assert application.secret_key == "ab" * 32  # sessions signed before the upgrade stay valid
    assert (tmp_path / "kiosk.db.secret").read_text().strip() == "ab" * 32
    assert mode(tmp_path / "kiosk.db.secret") == 0o600 and mode(database) == 0o600
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM app_state WHERE key = 'secret_key'").fetchone()[0] == 0
    conn.close()
    assert make_app(tmp_path).secret_key == "ab" * 32
