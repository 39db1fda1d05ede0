"""The office's store-and-forward to the regency: a fake regency (http.server on 127.0.0.1) takes the batches."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.domain.errors import ConfigError
from kiosk.office import regency as sender_module
from kiosk.regency.app import KINDS, PERSONAL_KEYS
from kiosk.storage import regency as outbox
from tests.support import LiveServer, add_staff, make_app, office_settings, wait_until

KEY = "k" * 40


class FakeRegency:
    """Answers POST /regency/api/batches: 200 {"accepted", "duplicates"} (by event id), or 503 while failing."""

    def __init__(self) -> None:
        self.batches: list[dict] = []  # every batch received, failed ones included
        self.headers: list[dict] = []
        self.accepted: dict[str, dict] = {}
        self.fail = False
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.batches.append({"body": body, "failed": fake.fail, "path": self.path})
                    fake.headers.append(dict(self.headers))
                    if fake.fail:
                        answer, status = {"error": {"code": "unavailable", "message": "down"}}, 503
                    else:
                        new = [e for e in body["events"] if e["id"] not in fake.accepted]
                        fake.accepted.update((e["id"], e) for e in new)
                        answer, status = {"accepted": len(new), "duplicates": len(body["events"]) - len(new)}, 200
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def delivered(self) -> list[dict]:
        """The events the fake took, in the order they arrived (each once)."""
        with self.lock:
            return list(self.accepted.values())

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def regency():
    fake = FakeRegency()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(sender_module, "MAX_BACKOFF_SECONDS", 0.2)


def office(tmp_path, url: str, key: str | None = KEY, staff: bool = True) -> LiveServer:
    if key is not None:
        (tmp_path / "kiosk.db.regency-key").write_text(key + "\n")
    app = make_app(tmp_path, regency__url=url, regency__office_code="62.03.01")
    if staff:
        add_staff(app)
    return LiveServer(app).start()


def personal_keys(value) -> set[str]:
    if isinstance(value, dict):
        return {k for k in value if k.lower() in PERSONAL_KEYS} | set().union(*map(personal_keys, value.values()))
    if isinstance(value, list):
        return set().union(*map(personal_keys, value)) if value else set()
    return set()


def test_issued_and_called_tickets_reach_the_regency_in_order_without_anything_personal(tmp_path, regency):
    server = office(tmp_path, regency.url)
    try:
        numbers = [server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]["number"] for _ in range(3)]
        headers = server.login()
        called = server.post("/api/counters/1/next", headers=headers).json()["ticket"]
        assert server.post(f"/api/tickets/{called['id']}/done", headers=headers).status_code == 200

        events = wait_until(lambda: len(regency.delivered()) >= 5 and regency.delivered())
        assert [(e["kind"], e["number"]) for e in events] == [
            ("ticket_issued", numbers[0]),
            ("ticket_issued", numbers[1]),
            ("ticket_issued", numbers[2]),
            ("ticket_called", numbers[0]),
            ("ticket_done", numbers[0]),
        ]
        assert events[3]["counter"] == 1 and events[0]["service"] == "REKAM"
        assert all(e["kind"] in KINDS for e in events)
        assert len({e["id"] for e in events}) == 5
        assert all(datetime.fromisoformat(e["at"]).tzinfo is not None for e in events)
        assert personal_keys([b["body"] for b in regency.batches]) == set()
        assert {b["body"]["office"] for b in regency.batches} == {"62.03.01"}
        assert {b["path"] for b in regency.batches} == {"/regency/api/batches"}
        assert {h["Authorization"] for h in regency.headers} == {f"Bearer {KEY}"}
        health = wait_until(lambda: (h := server.get("/healthz").json()["regency"])["last_sent_at"] and h)
        assert health["pending"] == 0 and health["lag_seconds"] == 0 and health["error"] is None
    finally:
        server.stop()


def test_a_regency_that_is_down_gets_everything_later_and_nothing_is_lost(tmp_path, regency):
    regency.fail = True
    server = office(tmp_path, regency.url)
    try:
        numbers = [server.post("/api/tickets", json={"service": "REKAM"}) for _ in range(3)]
        assert {answer.status_code for answer in numbers} == {201}  # issuing never waits for the regency
        wait_until(lambda: len(regency.batches) >= 3)  # tried again (with a backoff), refused each time
        health = server.get("/healthz").json()["regency"]
        assert health["pending"] == 3 and health["error"] == "HTTP 503 unavailable"
        regency.fail = False
        events = wait_until(lambda: len(regency.delivered()) == 3 and regency.delivered(), timeout=10)
        assert [e["number"] for e in events] == [a.json()["ticket"]["number"] for a in numbers]
        assert wait_until(lambda: server.get("/healthz").json()["regency"]["pending"] == 0)
    finally:
        server.stop()


def test_after_a_restart_the_unsent_events_go_and_the_sent_ones_are_not_sent_again(tmp_path, regency):
    server = office(tmp_path, regency.url)
    try:
        server.post("/api/tickets", json={"service": "REKAM"})
        server.post("/api/tickets", json={"service": "REKAM"})
        wait_until(lambda: len(regency.delivered()) == 2)
        regency.fail = True
        server.post("/api/tickets", json={"service": "REKAM"})
        wait_until(lambda: regency.batches[-1]["failed"])
    finally:
        server.stop()
    regency.fail = False
    sent_before = len(regency.batches)

    again = office(tmp_path, regency.url, staff=False)  # the same database: the third event is still waiting
    try:
        wait_until(lambda: len(regency.delivered()) == 3)
        assert wait_until(lambda: again.get("/healthz").json()["regency"]["pending"] == 0)
    finally:
        again.stop()
    ids = [e["id"] for batch in regency.batches[sent_before:] for e in batch["body"]["events"]]
    assert len(ids) == 1  # only the unsent one crossed the link after the restart
    assert all(not batch["failed"] for batch in regency.batches[sent_before:])


def test_a_backlog_goes_in_batches_of_at_most_500_in_order(tmp_path, regency):
    app = make_app(tmp_path, regency__url=regency.url, regency__office_code="62.03.01")
    (tmp_path / "kiosk.db.regency-key").write_text(KEY)
    runtime = app.extensions["kiosk"]
    for number in range(1, 1201):
        outbox.add(
            runtime.db, "ticket_issued", "2026-01-05T08:00:00+07:00", {"number": f"A{number:03d}", "service": "REKAM"}
        )
    sender = sender_module.RegencySender(runtime)
    assert sender.status()["pending"] == 1200 and sender.status()["lag_seconds"] > 0

    assert sender.send_once() == sender_module.IDLE_SECONDS
    assert [len(b["body"]["events"]) for b in regency.batches] == [500, 500, 200]
    assert [e["number"] for e in regency.delivered()] == [f"A{n:03d}" for n in range(1, 1201)]
    assert sender.status()["pending"] == 0
    sender.send_once()
    assert len(regency.batches) == 3  # nothing sent twice


def test_an_idle_office_still_tells_the_regency_it_is_there(tmp_path, regency, monkeypatch):
    app = make_app(tmp_path, regency__url=regency.url, regency__office_code="62.03.01")
    (tmp_path / "kiosk.db.regency-key").write_text(KEY)
    sender = sender_module.RegencySender(app.extensions["kiosk"])
    sender.send_once()
    sender.send_once()
    assert [b["body"] for b in regency.batches] == [{"office": "62.03.01", "events": []}]  # once, not each round
    monkeypatch.setattr(sender_module, "HEARTBEAT_SECONDS", 0.0)
    sender.send_once()
    assert len(regency.batches) == 2


def test_a_missing_office_key_is_shown_and_logged_never_a_crash(tmp_path, regency, caplog):
    with caplog.at_level(logging.ERROR, logger="kiosk.office.regency"):
        server = office(tmp_path, regency.url, key=None)
        try:
            assert server.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
            health = wait_until(lambda: server.get("/healthz").json())
            assert health["regency"]["error"] == "no_key" and health["regency"]["pending"] == 1
            assert health["status"] == "ok"
            wait_until(lambda: "regency-key" in caplog.text)
            assert regency.batches == []
            add_staff(server.app, "kepala", "rahasia-Admin1", "admin")
            server.login("kepala", "rahasia-Admin1")
            today = server.get("/api/admin/today").json()  # the admin's "Hari ini" shows it too
            assert today["regency"]["error"] == "no_key" and today["regency"]["pending"] == 1
        finally:
            server.stop()


def test_healthz_says_null_while_the_regency_is_off(live_server):
    assert live_server.get("/healthz").json()["regency"] is None
    live_server.login("kepala", "rahasia-Admin1")
    assert live_server.get("/api/admin/today").json()["regency"] is None


@pytest.mark.parametrize(
    "values, key",
    [
        ({"regency.url": "ftp://10.1.0.5"}, "regency.url"),
        ({"regency.url": "http://10.1.0.5:8090"}, "regency.office_code"),
        ({"regency.url": "http://10.1.0.5:8090", "regency.office_code": "62 03"}, "regency.office_code"),
    ],
)
def test_a_wrong_regency_setting_stops_start_up_naming_the_key(tmp_path, values, key):
    with pytest.raises(ConfigError, match=key):
        office_settings(tmp_path, **{k.replace(".", "__"): v for k, v in values.items()})


def test_the_regency_is_off_by_default(tmp_path):
    assert office_settings(tmp_path).regency.enabled is False


def test_the_office_key_file_is_made_owner_only_and_an_unreachable_regency_is_a_backoff(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(tmp_path, regency__url=f"http://127.0.0.1:{port}", regency__office_code="62.03.01")
    key_file = tmp_path / "kiosk.db.regency-key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o644)
    runtime = app.extensions["kiosk"]
    assert outbox.read_key(runtime.db.path) == KEY
    assert key_file.stat().st_mode & 0o777 == 0o600
    outbox.add(runtime.db, "ticket_issued", "2026-01-05T08:00:00+07:00", {"number": "A001", "service": "REKAM"})
    sender = sender_module.RegencySender(runtime, timeout=2)
    assert sender.send_once() == sender.send_once() == 0.2  # a backoff (capped at 0.2 s in these tests)
    assert sender.failures == 2
    assert sender.status()["error"].startswith("unreachable") and sender.status()["pending"] == 1
    assert KEY not in sender.status()["error"]


def test_the_backoff_doubles_up_to_a_minute(monkeypatch):
    monkeypatch.setattr(sender_module, "MAX_BACKOFF_SECONDS", 60.0)
    assert [sender_module.backoff_seconds(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
