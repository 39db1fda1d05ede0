"""Staff sessions and accounts: the counter a session works at is kept on the server, at least one active admin
always remains (even when two admins act at the same moment), every account change is recorded, and password
checks run a bounded number at a time."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import sqlite3
import threading

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.storage import staff as staff_store
from tests.support import LiveServer, add_staff, make_app


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path)
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    add_staff(app, "wakil", "rahasia-Admin2", "admin")
    server = LiveServer(app).start(workers=False)
    yield server
    server.stop()


class Client:
    """A bare API client that keeps only the cookie of its login answer (it never stores a later Set-Cookie)."""

    def __init__(self, server: LiveServer, username: str, password: str):
        self.port = server.port
        status, body, cookie = self.call("POST", "/api/login", {"username": username, "password": password})
        assert status == 200, body
        self.headers = {"Cookie": cookie.split(";")[0], "X-CSRF-Token": body["csrf_token"]}

    def call(self, method: str, path: str, body: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", **getattr(self, "headers", {})}
        connection.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        return response.status, json.loads(raw) if raw else None, response.getheader("Set-Cookie")


# ---------------------------------------------------------------- the counter a session works at


def test_the_counter_of_a_session_is_kept_on_the_server(office):
    office.post("/api/tickets", json={"service": "AMBIL"}).raise_for_status()
    counter_pc = Client(office, "petugas", "rahasia-Loket1")
    status, body, _ = counter_pc.call("POST", "/api/counters/2/next")
    assert status == 200
    ticket = body["ticket"]
    status, body, _ = counter_pc.call("POST", f"/api/tickets/{ticket['id']}/done")
    assert status == 200, body
    assert body["ticket"]["status"] == "done"
    token = office.runtime.db.conn.execute(
        "SELECT counter_id FROM staff_sessions WHERE ended_at IS NULL"
        " AND staff_id = (SELECT id FROM staff WHERE username = 'petugas')"
    )
    assert token.fetchone()[0] == 2


# ---------------------------------------------------------------- at least one active admin


def _admins(server: LiveServer) -> int:
    return server.runtime.db.conn.execute("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1").fetchone()[
        0
    ]


def _id(server: LiveServer, username: str) -> int:
    return staff_store.get_staff(server.runtime.db, username)["id"]


@pytest.mark.parametrize("action, body", [("role", {"role": "counter"}), ("disable", None)])
def test_two_admins_acting_on_each_other_at_once_leave_one_admin(office, action, body):
    first, second = Client(office, "kepala", "rahasia-Admin1"), Client(office, "wakil", "rahasia-Admin2")
    targets = {first: _id(office, "wakil"), second: _id(office, "kepala")}
    for _ in range(5):  # each round the two requests race; whichever order the database takes them in
        answers = {}
        barrier = threading.Barrier(2)

        def act(client: Client, barrier=barrier, answers=answers, targets=targets, body=body) -> None:
            barrier.wait()
            answers[client] = client.call("POST", f"/api/admin/staff/{targets[client]}/{action}", body)

        threads = [threading.Thread(target=act, args=(client,)) for client in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _admins(office) == 1
        statuses = sorted(answer[0] for answer in answers.values())
        assert statuses[0] == 200 and statuses[1] in (401, 409), answers
        refused = [answer[1] for answer in answers.values() if answer[0] == 409]
        assert all(body["error"]["code"] == "last_admin" for body in refused)
        for name in ("kepala", "wakil"):  # both admins again for the next round
            staff_store.enable_staff(office.runtime.db, name, 0)
            staff_store.set_staff_role(office.runtime.db, name, "admin", 0)
        first, second = Client(office, "kepala", "rahasia-Admin1"), Client(office, "wakil", "rahasia-Admin2")
        targets = {first: _id(office, "wakil"), second: _id(office, "kepala")}


def _disable(database: str, config: str, name: str, start, results) -> None:
    """In another process: wait for the start signal, then ``kiosk user disable NAME``."""
    from click.testing import CliRunner

    from kiosk.cli import main

    start.wait(10)
    outcome = CliRunner().invoke(main, ["--config", config, "user", "disable", name], env={"KIOSK_DB": database})
    results.put((name, outcome.exit_code, outcome.output))


def test_two_processes_disabling_the_two_admins_at_once_leave_one(tmp_path):
    app = make_app(tmp_path)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    add_staff(app, "wakil", "rahasia-Admin2", "admin")
    runtime = app.extensions["kiosk"]
    database, config = str(runtime.db.path), str(runtime.settings.source)
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_disable, args=(database, config, name, start, results)) for name in ("kepala", "wakil")
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = sorted(results.get(timeout=60)[1:] for _ in workers)
    for worker in workers:
        worker.join(30)
    runtime.stop()
    with sqlite3.connect(database) as conn:
        active = conn.execute("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1").fetchone()[0]
    assert active == 1
    assert [code for code, _ in outcomes] == [0, 1]
    assert "admin aktif terakhir" in outcomes[1][1]


def test_the_last_admin_cannot_be_disabled_or_demoted_from_the_command_line(tmp_path):
    app = make_app(tmp_path)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    runtime = app.extensions["kiosk"]
    env = {"KIOSK_DB": str(runtime.db.path)}
    config = str(runtime.settings.source)
    try:
        for command in (["user", "disable", "kepala"], ["user", "role", "kepala", "counter"]):
            outcome = CliRunner().invoke(main, ["--config", config, *command], env=env)
            assert outcome.exit_code == 1 and "admin aktif terakhir" in outcome.output, outcome.output
        assert staff_store.get_staff(runtime.db, "kepala")["role"] == "admin"
    finally:
        runtime.stop()


# ---------------------------------------------------------------- who changed which account


def test_account_changes_are_recorded_and_shown_to_admins(office):
    admin = Client(office, "kepala", "rahasia-Admin1")
    status, body, _ = admin.call(
        "POST", "/api/admin/staff", {"username": "budi", "password": "Pisang-Goreng-Hangat9", "role": "counter"}
    )
    assert status == 201
    budi = body["staff"]["id"]
    assert admin.call("POST", f"/api/admin/staff/{budi}/role", {"role": "admin"})[0] == 200
    assert admin.call("POST", f"/api/admin/staff/{budi}/disable")[0] == 200
    assert admin.call("POST", f"/api/admin/staff/{budi}/enable")[0] == 200
    status, body, _ = admin.call("GET", "/api/admin/staff-changes")
    assert status == 200
    mine = [(c["account"], c["change"], c["detail"], c["by"]) for c in body["changes"] if c["account"] == "budi"]
    assert mine == [
        ("budi", "enabled", None, "kepala"),
        ("budi", "disabled", None, "kepala"),
        ("budi", "role", "admin", "kepala"),
        ("budi", "created", "counter", "kepala"),
    ]
    # append-only: the database itself refuses to change or delete a record
    conn = office.runtime.db.conn
    for statement in ("UPDATE staff_changes SET by_username = 'x'", "DELETE FROM staff_changes"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement)
    counter = Client(office, "petugas", "rahasia-Loket1")
    assert counter.call("GET", "/api/admin/staff-changes")[0] == 403


def test_the_command_line_records_its_changes(tmp_path):
    app = make_app(tmp_path)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    add_staff(app, "budi", "rahasia-Loket1", "counter")
    runtime = app.extensions["kiosk"]
    env = {"KIOSK_DB": str(runtime.db.path)}
    config = str(runtime.settings.source)
    try:
        assert CliRunner().invoke(main, ["--config", config, "user", "role", "budi", "admin"], env=env).exit_code == 0
        assert CliRunner().invoke(main, ["--config", config, "user", "disable", "budi"], env=env).exit_code == 0
        changes = [(c["account"], c["change"], c["detail"], c["by"]) for c in staff_store.staff_changes(runtime.db)]
        assert changes[:2] == [("budi", "disabled", None, "command line"), ("budi", "role", "admin", "command line")]
    finally:
        runtime.stop()


# ---------------------------------------------------------------- password checks at once


def _peak_rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.slow
def test_twenty_parallel_wrong_logins_do_not_take_the_servers_memory(tmp_path):
    """A real ``kiosk serve`` (werkzeug's scrypt: ~32 MB a check): its peak memory grows by a few checks' worth."""
    import subprocess
    import sys

    from kiosk.tools.bench_load import free_port, start_server, write_config

    config = write_config(tmp_path)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--config",
            str(config),
            "user",
            "add",
            "petugas",
            "--role",
            "counter",
            "--password-stdin",
        ],
        input="Pisang-Goreng-Hangat9\n",
        text=True,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = start_server(tmp_path, port, config)
    try:

        def login(index: int) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request(
                "POST",
                "/api/login",
                body=json.dumps({"username": f"tamu{index}", "password": "salah-sekali"}).encode(),
                headers={"Content-Type": "application/json"},
            )
            status = connection.getresponse().status
            connection.close()
            return status

        assert login(-1) == 401  # the first check loads what every later one shares
        before = _peak_rss_mb(server.pid)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=19) as pool:
            statuses = list(pool.map(login, range(19)))
        grown = _peak_rss_mb(server.pid) - before
        # each is checked in turn (401) or, after a short wait for a slot, told to try again (429 with Retry-After)
        assert statuses.count(401) + statuses.count(429) == 19 and statuses.count(401) >= 2, statuses
        assert grown < 150, f"peak memory grew by {grown:.0f} MB"
    finally:
        server.terminate()
        server.wait(10)
