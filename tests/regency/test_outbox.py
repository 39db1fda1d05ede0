"""The office's outbox to the regency: written in the change's own transaction, and a refused event set aside.

These need no PostgreSQL: the regency is absent (a dead port) or a tiny stand-in that refuses one kind of event.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from kiosk.office import regency as sender_module
from kiosk.storage import regency as outbox
from tests.support import add_staff, make_app
from tests.test_crash import _free_port, start_server, write_office_config

SENT_ACTIONS = tuple(
    f"'{action}'"
    for action in ("issue", "call", "recall", "serve", "done", "no_show", "cancel", "transfer", "requeue", "expire")
)


def _office(tmp_path, url="http://127.0.0.1:9"):
    app = make_app(tmp_path, regency__url=url, regency__office_code="62.03.01")
    runtime = app.extensions["kiosk"]
    outbox.set_enabled(runtime.db, True, runtime.now().isoformat())
    return app, runtime


def _kinds(runtime) -> list[str]:
    return [row[0] for row in runtime.db.conn.execute("SELECT kind FROM regency_outbox ORDER BY seq")]


def test_a_change_whose_after_commit_news_never_ran_is_still_in_the_outbox(tmp_path):
    """The process 'dies' right after each commit: no bus subscriber ever runs, yet every event is queued."""
    app, runtime = _office(tmp_path)
    runtime.bus.publish = lambda event: None  # nothing after the commit happens
    add_staff(app)
    client = app.test_client()
    for _ in range(3):
        assert client.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    login = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    assert login.status_code == 200, login.get_data(as_text=True)
    headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
    called = client.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
    assert client.post(f"/api/tickets/{called['id']}/no-show", headers=headers).status_code == 200
    assert client.post(f"/api/tickets/{called['id']}/requeue", headers=headers).status_code == 200
    again = client.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
    assert client.post(f"/api/tickets/{again['id']}/done", headers=headers).status_code == 200
    assert _kinds(runtime) == ["ticket_issued"] * 3 + [
        "ticket_called",
        "ticket_no_show",
        "ticket_requeued",
        "ticket_called",
        "ticket_done",
    ]
    data = json.loads(runtime.db.conn.execute("SELECT data FROM regency_outbox ORDER BY seq LIMIT 1").fetchone()[0])
    assert data == {"number": data["number"], "service": "REKAM", "priority": False}  # no token, nothing else


def test_nothing_is_copied_while_the_regency_is_off(tmp_path):
    app, runtime = _office(tmp_path)
    outbox.set_enabled(runtime.db, False, runtime.now().isoformat())
    assert app.test_client().post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    assert _kinds(runtime) == []


def test_expiry_closures_and_disruptions_reach_the_outbox(tmp_path):
    from kiosk.storage import disruptions
    from kiosk.storage import services as service_store

    app, runtime = _office(tmp_path)
    now = runtime.now()
    service_store.set_closed_date(runtime.db, "2030-01-02", "Cuti bersama", "admin", now)
    service_store.remove_closed_date(runtime.db, "2030-01-02")
    service_store.set_service_override(
        runtime.db, runtime.today(), "REKAM", {"open": False}, {"username": "admin"}, now
    )
    started = disruptions.start(runtime.db, "REKAM", "blanko", "", None, "admin", now)
    disruptions.end(runtime.db, started["id"], "admin", now)
    kinds = _kinds(runtime)
    assert kinds[:3] == ["closure", "closure", "closure"]
    rows = [json.loads(row[0]) for row in runtime.db.conn.execute("SELECT data FROM regency_outbox ORDER BY seq")]
    assert rows[0] == {"day": "2030-01-02", "service": None, "open": False, "reason": "Cuti bersama"}
    assert rows[1]["open"] is True and rows[2] == {
        "day": runtime.today(),
        "service": "REKAM",
        "open": False,
        "reason": None,
    }
    assert kinds[3:] == ["disruption", "disruption"]
    code = f"blanko-{started['id']}"
    assert rows[3]["code"] == code and rows[3]["active"] is True
    assert rows[4]["code"] == code and rows[4]["active"] is False


@pytest.mark.slow
def test_sigkill_under_load_loses_no_event_for_the_regency(tmp_path):
    """A real `kiosk serve` killed with SIGKILL while issuing: every ticket committed has its outbox row."""
    config = write_office_config(tmp_path)
    config.write_text(config.read_text() + '\n[regency]\nurl = "http://127.0.0.1:9"\noffice_code = "62.03.01"\n')
    port = _free_port()
    server = start_server(config, port)
    answered = []
    stop = threading.Event()

    def issue() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    got = session.post(f"http://127.0.0.1:{port}/api/tickets", json={"service": "INFO"}, timeout=5)
                except requests.RequestException:
                    return
                if got.status_code == 201:
                    answered.append(got.json()["ticket"]["number"])

    clients = [threading.Thread(target=issue) for _ in range(4)]
    for client in clients:
        client.start()
    from tests.support import wait_until

    wait_until(lambda: len(answered) >= 100, timeout=30)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    stop.set()
    for client in clients:
        client.join(timeout=10)
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        logged = conn.execute(
            f"SELECT count(*) FROM ticket_events WHERE action IN ({', '.join(SENT_ACTIONS)})"
        ).fetchone()[0]
        queued = conn.execute("SELECT count(*) FROM regency_outbox WHERE kind LIKE 'ticket%'").fetchone()[0]
        numbers = {row[0] for row in conn.execute("SELECT json_extract(data, '$.number') FROM regency_outbox")}
    assert logged >= len(answered) and queued == logged
    assert set(answered) <= numbers


class _Refusing(BaseHTTPRequestHandler):
    """A stand-in regency: refuses (400) any batch holding a 'poison' event, fails (503) while told to."""

    received: list[dict] = []
    unavailable = False

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if _Refusing.unavailable:
            self._answer(503, {"error": {"code": "unavailable", "message": "x"}})
        elif any(event.get("poison") for event in body["events"]):
            self._answer(400, {"error": {"code": "bad_event", "message": "x"}})
        else:
            _Refusing.received.extend(body["events"])
            self._answer(200, {"accepted": len(body["events"]), "duplicates": 0})

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_regency():
    _Refusing.received = []
    _Refusing.unavailable = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_event_the_regency_refuses_is_set_aside_and_the_rest_go_on_in_order(tmp_path, refusing_regency):
    app, runtime = _office(tmp_path, refusing_regency)
    (tmp_path / "kiosk.db.regency-key").write_text("rk_test")
    for number in range(1, 1201):
        outbox.add(
            runtime.db,
            "ticket_issued",
            "2026-11-02T09:00:00+07:00",
            {"number": f"A{number:04d}", "service": "REKAM", **({"poison": True} if number == 700 else {})},
        )
    sender = sender_module.RegencySender(runtime)
    assert sender.send_once() > 0  # everything sent but the refused one; idle now
    numbers = [event["number"] for event in _Refusing.received]
    assert numbers == [f"A{n:04d}" for n in range(1, 1201) if n != 700]  # in order, none twice
    status = sender.status()
    assert status["pending"] == 0 and status["quarantined"] == 1 and status["error"] is None
    assert outbox.quarantined(runtime.db)[0]["reason"] == "HTTP 400 bad_event"
    assert app.test_client().get("/healthz").get_json()["regency"]["quarantined"] == 1


def test_a_regency_failing_with_5xx_is_retried_with_backoff_not_quarantined(tmp_path, refusing_regency):
    app, runtime = _office(tmp_path, refusing_regency)
    (tmp_path / "kiosk.db.regency-key").write_text("rk_test")
    outbox.add(runtime.db, "ticket_issued", "2026-11-02T09:00:00+07:00", {"number": "A001", "service": "REKAM"})
    _Refusing.unavailable = True
    sender = sender_module.RegencySender(runtime)
    assert sender.send_once() == 1.0 and sender.send_once() == 2.0
    assert sender.status()["pending"] == 1 and sender.status()["quarantined"] == 0
    _Refusing.unavailable = False
    sender.send_once()
    assert [event["number"] for event in _Refusing.received] == ["A001"]
    assert sender.status()["pending"] == 0
