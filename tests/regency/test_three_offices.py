"""Three real offices (waitress, SQLite, their own sender) and the real regency (PostgreSQL) over a bad link.

The link is a small relay on 127.0.0.1 between the offices and the regency: down for a simulated week, then it
cuts batches mid-way, then it loses the regency's answers (so batches are replayed), then it works. Afterwards
the regency holds each event once and its figures for every day equal each office's own daily report exactly.
"""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from werkzeug.security import generate_password_hash

from kiosk.office import regency as sender_module
from kiosk.regency import store
from tests.support import LiveServer, add_staff, make_app, wait_until

ADMIN_PASSWORD = "sungai-Kapuas-7hijau"
OFFICES = ("62.03.01", "62.03.02", "62.03.03")
DAYS = 7

pytestmark = pytest.mark.slow


class Link:
    """A relay for one HTTP request per connection; ``modes`` are used up one connection each, then ``mode``."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.mode = "down"
        self.modes: list[str] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                mode = self.modes.pop(0) if self.modes else self.mode
            threading.Thread(target=self._relay, args=(conn, mode), daemon=True).start()

    @staticmethod
    def _request(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
        )
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _relay(self, conn: socket.socket, mode: str) -> None:
        with conn:
            if mode == "down":
                return
            request = self._request(conn)
            with socket.create_connection(self.upstream, timeout=10) as up:
                if mode == "cut":  # the link drops mid-batch: the regency gets half a request
                    up.sendall(request[: len(request) // 2])
                    return
                up.sendall(request)
                answer = b""
                while chunk := up.recv(65536):
                    answer += chunk
            if mode == "up":
                conn.sendall(answer)
            # "lose": the regency stored the batch, the office never hears so; it sends it again

    def close(self) -> None:
        self.closing = True
        self.listener.close()


def _admin_report(office: LiveServer, day: str) -> dict:
    with requests.Session() as http:
        http.post(
            office.url + "/api/login", json={"username": "kepala", "password": "rahasia-Admin1"}, timeout=10
        ).raise_for_status()
        answer = http.get(office.url + f"/api/reports/daily?date={day}", timeout=10)
        answer.raise_for_status()
        return answer.json()


def test_a_week_offline_then_a_bad_link_leaves_the_regency_equal_to_every_office(
    tmp_path, regency_server, regency_dsn, monkeypatch
):
    monkeypatch.setattr(sender_module, "MAX_BACKOFF_SECONDS", 0.2)
    monkeypatch.setattr(sender_module, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(sender_module, "BATCH_EVENTS", 40)  # many batches, so cuts and losses fall between them
    zone = ZoneInfo("Asia/Jakarta")
    today = datetime.now(zone).replace(hour=8, minute=0, second=0, microsecond=0)
    clock = [today - timedelta(days=DAYS)]
    link = Link(regency_server.url)
    offices: dict[str, LiveServer] = {}
    with psycopg.connect(regency_dsn) as conn:
        keys = {code: store.add_office(conn, code, f"Kantor {code}") for code in OFFICES}
        store.add_staff(conn, "kabid", "admin", generate_password_hash(ADMIN_PASSWORD, method="pbkdf2:sha256:1000"))
    try:
        for code in OFFICES:
            folder = tmp_path / code
            folder.mkdir()
            (folder / "kiosk.db.regency-key").write_text(keys[code])
            app = make_app(folder, clock=lambda: clock[0], regency__url=link.url, regency__office_code=code)
            add_staff(app)
            add_staff(app, "kepala", "rahasia-Admin1", role="admin")
            offices[code] = LiveServer(app).start()
        wait_until(
            lambda: all(
                o.app.extensions["kiosk"]
                .db.conn.execute("SELECT 1 FROM app_state WHERE key = 'regency_summarised_through'")
                .fetchone()
                for o in offices.values()
            ),
            timeout=10,
        )  # each office joined on the first day, while the regency was already unreachable

        for day in range(DAYS):  # a week with the regency down: every office works as usual
            clock[0] = today - timedelta(days=DAYS - day)
            for n, office in enumerate(offices.values()):
                office.app.extensions["kiosk"].housekeep()  # yesterday's waiting tickets expire
                headers = office.login()
                for ticket in range(4 + n + day % 3):
                    service = ("REKAM", "INFO")[ticket % 2]
                    assert office.post("/api/tickets", json={"service": service}).status_code == 201
                for move in ("done", "no-show", "done")[: 1 + (day + n) % 3]:
                    clock[0] += timedelta(minutes=3 + n)
                    called = office.post("/api/counters/1/next", headers=headers).json()["ticket"]
                    assert office.post(f"/api/tickets/{called['id']}/{move}", headers=headers).status_code == 200
        with psycopg.connect(regency_dsn) as conn:
            assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0

        clock[0] = today
        for office in offices.values():
            office.app.extensions["kiosk"].housekeep()
        with link.lock:  # the link returns, badly: batches cut mid-way, then answers lost, then well
            link.modes = ["cut"] * 4 + ["lose"] * 4
            link.mode = "up"
        for office in offices.values():
            office.app.extensions["kiosk"].regency.wake()

        def all_sent() -> bool:
            return all(o.get("/healthz").json()["regency"]["pending"] == 0 for o in offices.values())

        wait_until(all_sent, timeout=60, interval=0.2)
        week = [(today - timedelta(days=DAYS - day)).date().isoformat() for day in range(DAYS)]
        reports = {(code, day): _admin_report(office, day) for code, office in offices.items() for day in week}
    finally:
        for office in offices.values():
            office.stop()
        link.close()

    with psycopg.connect(regency_dsn) as conn:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT (office, event_id)) FROM events").fetchone()
        assert total == distinct
        for code, office in offices.items():
            queued = (
                office.app.extensions["kiosk"]
                .db.conn.execute("SELECT count(*) FROM regency_outbox WHERE quarantined_at IS NULL")
                .fetchone()[0]
            )
            stored = conn.execute("SELECT count(*) FROM events WHERE office = %s", (code,)).fetchone()[0]
            assert stored == queued, code  # every event once, none lost, none set aside
    assert regency_server.post("/regency/api/login", json={"username": "kabid", "password": ADMIN_PASSWORD}).ok
    first, last = (today - timedelta(days=DAYS)).date(), (today - timedelta(days=1)).date()
    for code in offices:
        days = {
            d["date"]: d
            for d in regency_server.get(f"/regency/api/offices/{code}/days?from={first}&to={last}").json()["days"]
        }
        assert len(days) == DAYS, code
        for day, seen in days.items():
            own = reports[(code, day)]
            assert (seen["issued"], seen["served"], seen["no_show"]) == (
                own["issued"],
                own["served"],
                own["no_show"],
            ), (code, day)
            rows = {row["code"]: row for row in own["services"] if row["issued"] or row["served"] or row["no_show"]}
            assert {row["code"]: row for row in seen["services"]} == {
                service: {key: row[key] for key in seen["services"][0]} for service, row in rows.items()
            }, (code, day)
            with psycopg.connect(regency_dsn) as conn:  # the ticket events give the same day as the summary
                issued, done, missed = conn.execute(
                    "SELECT count(*) FILTER (WHERE kind = 'ticket_issued'), count(*) FILTER (WHERE kind = 'ticket_done'),"
                    " count(*) FILTER (WHERE kind = 'ticket_no_show') FROM events"
                    " WHERE office = %s AND (at AT TIME ZONE 'Asia/Jakarta')::date = %s",
                    (code, day),
                ).fetchone()
            assert (issued, done, missed) == (own["issued"], own["served"], own["no_show"]), (code, day)
