"""End to end: a real office (waitress, SQLite) sends its events to the real regency (PostgreSQL)."""

from __future__ import annotations

import psycopg
from werkzeug.security import generate_password_hash

from kiosk.regency import store
from tests.support import LiveServer, add_staff, make_app, wait_until

ADMIN_PASSWORD = "sungai-Kapuas-7hijau"


def test_an_office_issues_and_calls_and_the_regency_shows_its_day(tmp_path, regency_server, regency_dsn):
    with psycopg.connect(regency_dsn) as conn:
        key = store.add_office(conn, "62.03.01", "Selat")
        store.add_staff(conn, "kabid", "admin", generate_password_hash(ADMIN_PASSWORD, method="pbkdf2:sha256:1000"))
    (tmp_path / "kiosk.db.regency-key").write_text(key + "\n")
    app = make_app(tmp_path, regency__url=regency_server.url, regency__office_code="62.03.01")
    add_staff(app)
    office = LiveServer(app).start()

    def last_contact():
        with psycopg.connect(regency_dsn) as conn:
            return conn.execute("SELECT last_contact FROM offices WHERE code = '62.03.01'").fetchone()[0]

    try:
        wait_until(last_contact)  # nothing to send yet: the office's empty batch is its first contact
        for _ in range(3):
            assert office.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
        headers = office.login()
        called = office.post("/api/counters/1/next", headers=headers).json()["ticket"]
        assert office.post(f"/api/tickets/{called['id']}/done", headers=headers).status_code == 200
        started = office.post("/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers=headers)
        assert started.status_code == 201, started.text
        wait_until(lambda: office.get("/healthz").json()["regency"]["pending"] == 0, timeout=10)
        assert office.get("/healthz").json()["regency"]["error"] is None
    finally:
        office.stop()

    answer = regency_server.post("/regency/api/login", json={"username": "kabid", "password": ADMIN_PASSWORD})
    assert answer.status_code == 200, answer.text
    seen = {o["office"]: o for o in regency_server.get("/regency/api/offices").json()}["62.03.01"]
    assert seen["today"]["issued"] == 3 and seen["today"]["served"] == 1 and seen["today"]["waiting"] == 2
    assert seen["disrupted"] == [f"blanko-{started.json()['disruption']['id']}"]
    assert seen["lag_seconds"] is not None and seen["lag_seconds"] < 60


def test_a_week_of_backlog_of_a_busy_office_catches_up_well_within_a_minute(tmp_path, regency_server, regency_dsn):
    """The issue's target: a week's backlog caught up in under a minute (here ~1 s; the bound is wide on purpose)."""
    import time

    from kiosk.office import regency as sender_module
    from kiosk.storage import regency as outbox

    with psycopg.connect(regency_dsn) as conn:
        key = store.add_office(conn, "62.03.01", "Selat")
    (tmp_path / "kiosk.db.regency-key").write_text(key)
    runtime = make_app(tmp_path, regency__url=regency_server.url, regency__office_code="62.03.01").extensions["kiosk"]
    kinds = ("ticket_issued", "ticket_called", "ticket_served", "ticket_done")
    for day in range(1, 8):  # 7 days x 300 tickets x 4 events
        for number in range(1, 301):
            for kind in kinds:
                outbox.add(runtime.db, kind, f"2026-11-{day:02d}T09:00:00+07:00",
                           {"number": f"A{number:03d}", "service": "REKAM", "counter": 1})
    sender = sender_module.RegencySender(runtime)
    began = time.monotonic()
    sender.send_once()
    took = time.monotonic() - began
    with psycopg.connect(regency_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM events WHERE office = '62.03.01'").fetchone()[0] == 8400
    assert sender.status()["pending"] == 0
    assert took < 60, f"a week's backlog took {took:.1f} s"
