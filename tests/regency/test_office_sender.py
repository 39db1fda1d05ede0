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
                outbox.add(
                    runtime.db,
                    kind,
                    f"2026-11-{day:02d}T09:00:00+07:00",
                    {"number": f"A{number:03d}", "service": "REKAM", "counter": 1},
                )
    sender = sender_module.RegencySender(runtime)
    began = time.monotonic()
    sender.send_once()
    took = time.monotonic() - began
    with psycopg.connect(regency_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM events WHERE office = '62.03.01'").fetchone()[0] == 8400
    assert sender.status()["pending"] == 0
    assert took < 60, f"a week's backlog took {took:.1f} s"


def _office_with_clock(tmp_path, regency_server, regency_dsn, start):
    with psycopg.connect(regency_dsn) as conn:
        key = store.add_office(conn, "62.03.01", "Selat")
        store.add_staff(conn, "kabid", "admin", generate_password_hash(ADMIN_PASSWORD, method="pbkdf2:sha256:1000"))
    (tmp_path / "kiosk.db.regency-key").write_text(key)
    clock = [start]
    app = make_app(tmp_path, clock=lambda: clock[0], regency__url=regency_server.url, regency__office_code="62.03.01")
    runtime = app.extensions["kiosk"]
    from kiosk.storage import regency as outbox

    outbox.set_enabled(runtime.db, True, runtime.now().isoformat())
    return app, runtime, clock


def test_a_closed_day_s_summary_and_surveys_reach_the_regency_equal_to_the_office_s_own_report(
    tmp_path, regency_server, regency_dsn
):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from kiosk.office.regency import RegencySender
    from kiosk.storage import survey

    start = datetime.now(ZoneInfo("Asia/Jakarta")).replace(hour=9, minute=0, second=0, microsecond=0)
    yesterday = start - timedelta(days=1)
    app, runtime, clock = _office_with_clock(tmp_path, regency_server, regency_dsn, yesterday)
    sender = RegencySender(runtime)
    sender.send_once()  # joins the regency on this day: earlier days are not reported
    add_staff(app)
    client = app.test_client()
    for service in ("REKAM", "REKAM", "REKAM", "INFO", "INFO"):
        assert client.post("/api/tickets", json={"service": service}).status_code == 201
    headers = {
        "X-CSRF-Token": client.post(
            "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}
        ).get_json()["csrf_token"]
    }
    for minutes, move in ((7, "done"), (3, "no-show"), (12, "done")):
        clock[0] += timedelta(minutes=minutes)
        ticket = client.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
        assert client.post(f"/api/tickets/{ticket['id']}/{move}", headers=headers).status_code == 200
    answers = {
        code: 3
        for code in (
            "persyaratan",
            "prosedur",
            "waktu",
            "biaya",
            "produk",
            "kompetensi",
            "perilaku",
            "pengaduan",
            "sarana",
        )
    }
    survey.add_demo_responses(
        runtime.db,
        [
            {
                "day": yesterday.date().isoformat(),
                "service": "REKAM",
                "channel": "kiosk",
                **answers,
                "suggestion": "Hubungi 0812345678",
            }
        ],
    )
    add_staff(app, "kepala", "rahasia-Admin1", role="admin")
    admin = app.test_client()
    assert admin.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"}).status_code == 200
    office_report = admin.get(f"/api/reports/daily?date={yesterday.date().isoformat()}").get_json()
    assert "issued" in office_report, office_report
    sender.send_once()
    assert sender.status()["pending"] == 0

    clock[0] = start  # the next morning: yesterday's summary and surveys go
    sender.send_once()
    assert sender.status()["pending"] == 0
    with psycopg.connect(regency_dsn) as conn:
        kinds = dict(
            conn.execute(
                "SELECT kind, count(*) FROM events WHERE kind IN ('day_summary', 'survey_response') GROUP BY kind"
            ).fetchall()
        )
        survey_rows = [row[0] for row in conn.execute("SELECT data FROM events WHERE kind = 'survey_response'")]
    assert kinds == {"day_summary": 1, "survey_response": 1}
    assert "suggestion" not in survey_rows[0] and "0812345678" not in str(survey_rows[0])
    assert regency_server.post("/regency/api/login", json={"username": "kabid", "password": ADMIN_PASSWORD}).ok
    days = regency_server.get(f"/regency/api/offices/62.03.01/days?from={yesterday.date()}&to={start.date()}").json()
    day = days["days"][0]
    assert day["date"] == yesterday.date().isoformat() and len(days["days"]) == 1
    # Exactly the office's own report: totals and every service's row with its waits.
    for key in ("issued", "served", "no_show"):
        assert day[key] == office_report[key], key
    assert (day["issued"], day["served"], day["no_show"]) == (5, 2, 1)
    own = {row["code"]: row for row in office_report["services"] if row["issued"] or row["served"]}
    assert {row["code"]: row for row in day["services"]} == {
        code: {key: row[key] for key in day["services"][0]} for code, row in own.items()
    }
    assert day["survey"]["respondents"] == 1 and day["survey"]["ikm"] == 75.0
    # The ticket events the office sent yesterday give the same counts as its report.
    with psycopg.connect(regency_dsn) as conn:
        issued, done, missed = conn.execute(
            "SELECT count(*) FILTER (WHERE kind = 'ticket_issued'), count(*) FILTER (WHERE kind = 'ticket_done'),"
            " count(*) FILTER (WHERE kind = 'ticket_no_show') FROM events"
        ).fetchone()
    assert (issued, done, missed) == (office_report["issued"], office_report["served"], office_report["no_show"])


def test_the_office_s_kecamatan_status_records_come_down_and_are_applied_hashed(tmp_path, regency_server, regency_dsn):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk.office.regency import RegencySender
    from kiosk.storage import status as status_store
    from tests.regency.test_regency import SIAK, cli

    app, runtime, clock = _office_with_clock(
        tmp_path, regency_server, regency_dsn, datetime.now(ZoneInfo("Asia/Jakarta"))
    )
    export = tmp_path / "siak.csv"
    export.write_text(SIAK, encoding="utf-8")
    assert "Diterima: 3" in cli("import-status", str(export)).output
    sender = RegencySender(runtime)
    sender.send_once()
    mine = status_store.get_application(runtime.db, "6203011708900001")
    assert mine is not None and mine["status"] == "READY_FOR_PICKUP"
    assert status_store.get_application(runtime.db, "6203410101000009")["status"] == "PROCESSING"
    assert status_store.get_application(runtime.db, "6203015708900002") is None  # another kecamatan's
    runtime.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in tmp_path.glob("kiosk.db*"):
        if path.is_file():
            assert b"6203011708900001" not in path.read_bytes(), path.name  # keyed hashes at rest, never the NIK
    # A record changed at the regency comes down on a later contact, alone.
    export.write_text(SIAK.replace("PROCESSING;;62.03.01", "PRINT_READY_RECORD;;62.03.01"), encoding="utf-8")
    assert "berubah 1" in cli("import-status", str(export)).output
    sender._pulled = float("-inf")
    sender._contacted = float("-inf")
    sender.send_once()
    assert status_store.get_application(runtime.db, "6203410101000009")["status"] == "PRINT_READY_RECORD"
