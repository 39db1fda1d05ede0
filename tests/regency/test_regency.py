"""The regency server on a throwaway PostgreSQL: ingest, status pull, staff overview and roles."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from click.testing import CliRunner
from werkzeug.security import generate_password_hash

from kiosk.cli import main
from kiosk.regency import store

JAKARTA = timezone(timedelta(hours=7))
KK = "6203010102150003"
ADMIN_PASSWORD = "sungai-Kapuas-7hijau"
VIEWER_PASSWORD = "enggang-Terbang-42x"
ELEMENTS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")


def cli(*args, input=None):
    return CliRunner().invoke(main, ["regency", *args], input=input, catch_exceptions=False)


def add_office(dsn, code, name="Kantor"):
    with psycopg.connect(dsn) as conn:
        return store.add_office(conn, code, name)


def count_events(dsn, office=None):
    with psycopg.connect(dsn) as conn:
        if office:
            return conn.execute("SELECT count(*) FROM events WHERE office = %s", (office,)).fetchone()[0]
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def at(minutes: float, day: datetime | None = None) -> str:
    base = day or datetime.now(JAKARTA).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return (base + timedelta(minutes=minutes)).isoformat()


def ticket_day(prefix: str, count: int, called: int, done: int, wait_minutes: float = 6) -> list[dict]:
    """``count`` tickets issued a minute apart; the first ``called`` called after ``wait_minutes``; ``done`` done."""
    events = []
    for n in range(count):
        number = f"A{n + 1:03d}"
        events.append(
            {"id": f"{prefix}-{n}-i", "kind": "ticket_issued", "at": at(n), "number": number, "service": "rekam"}
        )
        if n < called:
            events.append(
                {
                    "id": f"{prefix}-{n}-c",
                    "kind": "ticket_called",
                    "at": at(n + wait_minutes),
                    "number": number,
                    "service": "rekam",
                    "counter": 1,
                }
            )
        if n < done:
            events.append(
                {
                    "id": f"{prefix}-{n}-d",
                    "kind": "ticket_done",
                    "at": at(n + wait_minutes + 5),
                    "number": number,
                    "service": "rekam",
                    "counter": 1,
                }
            )
    return events


def send(server, key, office, events):
    return server.post(
        "/regency/api/batches", json={"office": office, "events": events}, headers={"Authorization": f"Bearer {key}"}
    )


def test_init_is_idempotent_and_records_named_migrations(regency_dsn):
    first = cli("init")
    assert first.exit_code == 0 and "mutakhir" in first.output  # the fixture already migrated
    with psycopg.connect(regency_dsn) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations")]
        assert names == ["0001_base", "0002_overview_indexes", "0003_office_days_index"]
        conn.execute("DELETE FROM schema_migrations")  # an older database without the record...
        conn.execute("DROP TABLE status_records, staff_sessions, staff, events, offices, settings CASCADE")
        conn.execute("DROP SEQUENCE status_cursor")
        conn.commit()
    again = cli("init")
    assert again.exit_code == 0 and "0001_base" in again.output
    assert "mutakhir" in cli("init").output


def test_office_add_prints_the_key_once_and_stores_only_its_hash(regency_dsn):
    result = cli("office", "add", "62.03.01", "Kecamatan Selat")
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    with psycopg.connect(regency_dsn) as conn:
        stored = conn.execute("SELECT key_hash FROM offices WHERE code = '62.03.01'").fetchone()[0]
        assert key not in json.dumps(conn.execute("SELECT row_to_json(o) FROM offices o").fetchall())
    assert stored == store.key_hash(key)
    assert "sudah terdaftar" in CliRunner().invoke(main, ["regency", "office", "add", "62.03.01", "X"]).output
    assert CliRunner().invoke(main, ["regency", "office", "add", "6203", "X"]).exit_code != 0


def test_init_without_a_dsn_names_the_variable(monkeypatch):
    monkeypatch.delenv("KIOSK_REGENCY_DSN", raising=False)
    result = CliRunner().invoke(main, ["regency", "init"])
    assert result.exit_code == 1 and "KIOSK_REGENCY_DSN" in result.output


def test_a_replayed_batch_is_counted_as_duplicates(regency_server, regency_dsn):
    key = add_office(regency_dsn, "62.03.01")
    events = ticket_day("x", 5, 3, 2)
    first = send(regency_server, key, "62.03.01", events)
    assert first.status_code == 200 and first.json() == {"accepted": len(events), "duplicates": 0}
    again = send(regency_server, key, "62.03.01", events)
    assert again.json() == {"accepted": 0, "duplicates": len(events)}
    overlap = send(regency_server, key, "62.03.01", events[-2:] + ticket_day("y", 1, 0, 0))
    assert overlap.json() == {"accepted": 1, "duplicates": 2}
    assert count_events(regency_dsn) == len(events) + 1


def test_reordered_batches_give_the_same_figures(regency_server, regency_dsn):
    one, two = add_office(regency_dsn, "62.03.01"), add_office(regency_dsn, "62.03.02")
    events = ticket_day("r", 12, 8, 6)
    batches = [events[i : i + 5] for i in range(0, len(events), 5)]
    for batch in batches:
        send(regency_server, one, "62.03.01", batch)
    for batch in reversed(batches):  # the second office's link delivered them newest first
        send(regency_server, two, "62.03.02", list(reversed(batch)))
    admin_login(regency_server, regency_dsn)
    first, second = regency_server.get("/regency/api/offices").json()
    assert (
        first["today"]
        == second["today"]
        == {"issued": 12, "served": 6, "waiting": 4, "median_wait_minutes": 6.0, "p90_wait_minutes": 6.0}
    )


def test_a_batch_cut_mid_way_writes_nothing(regency_server, regency_dsn):
    key = add_office(regency_dsn, "62.03.01")
    body = json.dumps({"office": "62.03.01", "events": ticket_day("cut", 50, 0, 0)}).encode()
    head = (
        f"POST /regency/api/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    host, port = regency_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as link:
        link.sendall(head + body[: len(body) // 2])  # the link drops half-way through the batch
    assert send(regency_server, key, "62.03.01", []).json() == {"accepted": 0, "duplicates": 0}
    assert count_events(regency_dsn) == 0
    again = regency_server.post(
        "/regency/api/batches",
        data=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert again.json() == {"accepted": 50, "duplicates": 0}


def test_a_batch_refused_part_way_stores_none_of_it(regency_server, regency_dsn):
    key = add_office(regency_dsn, "62.03.01")
    events = ticket_day("p", 3, 0, 0) + [
        {"id": "bad", "kind": "ticket_issued", "at": at(9), "number": "A9", "nik": "6203011708900001"}
    ]
    answer = send(regency_server, key, "62.03.01", events)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "personal_data"
    assert count_events(regency_dsn) == 0


def test_an_office_key_cannot_write_for_another_office(regency_server, regency_dsn):
    one = add_office(regency_dsn, "62.03.01")
    add_office(regency_dsn, "62.03.02")
    answer = send(regency_server, one, "62.03.02", ticket_day("w", 2, 0, 0))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "wrong_office"
    assert answer.json()["error"]["message"]
    assert count_events(regency_dsn) == 0
    assert send(regency_server, "rk_not-a-key", "62.03.01", []).status_code == 401
    assert regency_server.post("/regency/api/batches", json={"office": "62.03.01", "events": []}).status_code == 401


@pytest.mark.parametrize(
    "body, code",
    [
        ("not json", "bad_request"),
        ({"office": "62.03.01"}, "bad_request"),
        (
            {"office": "62.03.01", "events": [{"id": "1", "kind": "ticket_issued", "at": "yesterday", "number": "A1"}]},
            "bad_event",
        ),
        (
            {"office": "62.03.01", "events": [{"id": "1", "kind": "spaceship", "at": "2026-12-06T08:00:00+07:00"}]},
            "bad_event",
        ),
        (
            {
                "office": "62.03.01",
                "events": [{"id": "1", "kind": "ticket_issued", "at": "2026-12-06T08:00:00", "number": "A1"}],
            },
            "bad_event",
        ),
        (
            {
                "office": "62.03.01",
                "events": [
                    {
                        "id": "1",
                        "kind": "survey_response",
                        "at": "2026-12-06T08:00:00+07:00",
                        "answers": {"phone": "0812"},
                    }
                ],
            },
            "personal_data",
        ),
        (
            {
                "office": "62.03.01",
                "events": [
                    {
                        "id": "1",
                        "kind": "ticket_called",
                        "at": "2026-12-06T08:00:00+07:00",
                        "number": "A1",
                        "token": "abc",
                    }
                ],
            },
            "personal_data",
        ),
        (
            {"office": "62.03.01", "events": [{"id": "1\u0000", "kind": "closure", "at": "2026-12-06T08:00:00+07:00"}]},
            "bad_event",
        ),
        (
            {
                "office": "62.03.01",
                "events": [{"id": str(n), "kind": "closure", "at": "2026-12-06T08:00:00+07:00"} for n in range(1001)],
            },
            "batch_too_large",
        ),
        (
            '{"office": "62.03.01", "events": [{"id": "1", "kind": "day_summary", "at": "2026-12-06T08:00:00+07:00",'
            ' "issued": NaN}]}',
            "bad_event",
        ),
        (
            {
                "office": "62.03.01",
                "events": [
                    {
                        "id": "1",
                        "kind": "survey_response",
                        "at": "2026-12-06T08:00:00+07:00",
                        "day": "2026-12-06",
                        **dict.fromkeys(ELEMENTS, 4),
                        "waktu": 5,
                    }
                ],
            },
            "bad_event",
        ),
        (
            {
                "office": "62.03.01",
                "events": [
                    {
                        "id": "1",
                        "kind": "day_summary",
                        "at": "2026-12-06T08:00:00+07:00",
                        "day": "6 Desember",
                        "issued": 3,
                    }
                ],
            },
            "bad_event",
        ),
        (
            '{"office": "62.03.01", "events": [{"id": "\\ud800", "kind": "closure", "at": "2026-12-06T08:00:00+07:00"}]}',
            "bad_event",
        ),
    ],
)
def test_bad_batches_are_refused_with_the_error_shape(regency_server, regency_dsn, body, code):
    key = add_office(regency_dsn, "62.03.01")
    headers = {"Authorization": f"Bearer {key}"}
    if isinstance(body, str):
        answer = regency_server.post(
            "/regency/api/batches", data=body, headers={**headers, "Content-Type": "application/json"}
        )
    else:
        answer = regency_server.post("/regency/api/batches", json=body, headers=headers)
    assert 400 <= answer.status_code < 500
    assert answer.json()["error"]["code"] == code and answer.json()["error"]["message"]
    assert count_events(regency_dsn) == 0


def add_staff(dsn, username, password, role):
    with psycopg.connect(dsn) as conn:
        store.add_staff(conn, username, role, generate_password_hash(password, method="pbkdf2:sha256:1000"))


def admin_login(server, dsn) -> dict:
    add_staff(dsn, "kabid", ADMIN_PASSWORD, "admin")
    answer = server.post("/regency/api/login", json={"username": "kabid", "password": ADMIN_PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf_token"]}


def test_the_overview_shows_what_each_office_sent(regency_server, regency_dsn):
    one, two = add_office(regency_dsn, "62.03.01", "Selat"), add_office(regency_dsn, "62.03.02", "Kapuas Hilir")
    add_office(regency_dsn, "62.03.03", "Timpah")  # never in contact
    yesterday = datetime.now(JAKARTA).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)
    old = [{"id": "old-1", "kind": "ticket_issued", "at": yesterday.isoformat(), "number": "A001"}]
    send(regency_server, one, "62.03.01", ticket_day("s", 20, 15, 10, wait_minutes=4) + old)
    send(
        regency_server,
        two,
        "62.03.02",
        ticket_day("k", 7, 3, 3, wait_minutes=12)
        + [
            {"id": "d1", "kind": "disruption", "at": at(1), "code": "printer_offline"},
            {"id": "d2", "kind": "disruption", "at": at(2), "code": "no_blanks"},
            {"id": "d3", "kind": "disruption", "at": at(3), "code": "printer_offline", "active": False},
            {"id": "c1", "kind": "closure", "at": at(0), "day": "2030-01-02", "open": False, "reason": "rapat"},
            {
                "id": "s1",
                "kind": "day_summary",
                "at": at(600),
                "day": at(0)[:10],
                "issued": 7,
                "served": 3,
                "no_show": 0,
            },
            {"id": "q1", "kind": "survey_response", "at": at(30), "day": at(0)[:10], **dict.fromkeys(ELEMENTS, 4)},
        ],
    )
    admin_login(regency_server, regency_dsn)
    answer = regency_server.get("/regency/api/offices")
    assert answer.status_code == 200
    offices = {o["office"]: o for o in answer.json()}
    assert offices["62.03.01"]["today"] == {
        "issued": 20,
        "served": 10,
        "waiting": 5,
        "median_wait_minutes": 4.0,
        "p90_wait_minutes": 4.0,
    }
    assert offices["62.03.02"]["today"] == {
        "issued": 7,
        "served": 3,
        "waiting": 4,
        "median_wait_minutes": 12.0,
        "p90_wait_minutes": 12.0,
    }
    assert offices["62.03.02"]["disrupted"] == ["no_blanks"] and offices["62.03.01"]["disrupted"] == []
    assert offices["62.03.03"] == {
        "office": "62.03.03",
        "name": "Timpah",
        "last_contact": None,
        "lag_seconds": None,
        "today": {"issued": 0, "served": 0, "waiting": 0, "median_wait_minutes": None, "p90_wait_minutes": None},
        "disrupted": [],
        "closed": False,
        "closed_services": [],
        "ikm_month": {"respondents": 0, "ikm": None, "grade": None},
    }
    assert offices["62.03.02"]["closed"] is False  # closed on another day, not today
    assert offices["62.03.02"]["ikm_month"] == {"respondents": 1, "ikm": 100.0, "grade": "A"}
    assert offices["62.03.01"]["last_contact"].endswith("+07:00") and 0 <= offices["62.03.01"]["lag_seconds"] < 60


SIAK = (
    "nik;no_kk;nama;tanggal_lahir;status;keterangan;kecamatan\n"
    f"6203011708900001;{KK};Budi Santoso;1990-08-17;READY_FOR_PICKUP;blanko datang;62.03.01\n"
    f"6203015708900002;{KK};Siti Aminah;17-08-1990;card_shipped;;62.03.02\n"
    f"620301170890003;{KK};Pendek;1990-08-17;CARD_SHIPPED;;62.03.01\n"
    f"6203410101000009;{KK};Ani Lestari;2000-01-01;PROCESSING;;62.03.01\n"
    f"6203010101000007;{KK};Kode Salah;2000-01-01;PROCESSING;;Selat\n"
    f"6203010101000008;{KK};Catatan Nul;2000-01-01;PROCESSING;a\x00b;62.03.01\n"
)


def pull(server, key, since):
    return server.get(f"/regency/api/status-records?since={since}", headers={"Authorization": f"Bearer {key}"})


def test_offices_pull_only_their_kecamatan_by_cursor(regency_server, regency_dsn, tmp_path):
    one, two = add_office(regency_dsn, "62.03.01"), add_office(regency_dsn, "62.03.02")
    export = tmp_path / "siak.csv"
    export.write_text(SIAK, encoding="utf-8")
    result = cli("import-status", str(export))
    assert "Diterima: 3 (baru 3" in result.output and "Ditolak: 3" in result.output
    assert "baris 4: ditolak" in result.output and "baris 6: ditolak" in result.output
    assert "baris 7: ditolak: Baris memuat karakter NUL." in result.output
    first = pull(regency_server, one, 0).json()
    assert [r["nik"] for r in first["records"]] == ["6203011708900001", "6203410101000009"]
    assert first["records"][0] == {
        "cursor": first["records"][0]["cursor"],
        "nik": "6203011708900001",
        "no_kk": KK,
        "nama": "Budi Santoso",
        "tanggal_lahir": "1990-08-17",
        "status": "READY_FOR_PICKUP",
        "keterangan": "blanko datang",
    }
    assert [r["nik"] for r in pull(regency_server, two, 0).json()["records"]] == ["6203015708900002"]
    assert pull(regency_server, one, first["cursor"]).json()["records"] == []
    # The same file again changes nothing; a changed record comes down again, alone.
    assert "tetap 3" in cli("import-status", str(export)).output
    export.write_text(SIAK.replace("PROCESSING;;62.03.01", "PRINT_READY_RECORD;;62.03.01"), encoding="utf-8")
    assert "berubah 1" in cli("import-status", str(export)).output
    later = pull(regency_server, one, first["cursor"]).json()
    assert [(r["nik"], r["status"]) for r in later["records"]] == [("6203410101000009", "PRINT_READY_RECORD")]
    assert later["cursor"] > first["cursor"]
    assert pull(regency_server, one, "-1").status_code == 400
    assert pull(regency_server, "rk_nope", 0).status_code == 401


def test_staff_login_and_roles(regency_server, regency_dsn):
    assert regency_server.get("/regency/api/offices").json()["error"]["code"] == "login_required"
    wrong = regency_server.post("/regency/api/login", json={"username": "kabid", "password": "x" * 12})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_credentials"
    odd = regency_server.post(
        "/regency/api/login",
        data='{"username": "\\ud800", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert odd.status_code == 401 and odd.json()["error"]["code"] == "bad_credentials"
    odd = regency_server.post(
        "/regency/api/login",
        data='{"username": "kabid", "password": "\\udfff-sandi"}',
        headers={"Content-Type": "application/json"},
    )
    assert odd.status_code == 401 and odd.json()["error"]["code"] == "bad_credentials"
    headers = admin_login(regency_server, regency_dsn)
    assert (
        regency_server.post(
            "/regency/api/users", json={"username": "staf", "password": VIEWER_PASSWORD, "role": "viewer"}
        ).status_code
        == 403
    )  # no CSRF token
    weak = regency_server.post(
        "/regency/api/users", headers=headers, json={"username": "staf", "password": "password123", "role": "viewer"}
    )
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "weak_password"
    made = regency_server.post(
        "/regency/api/users", headers=headers, json={"username": "staf", "password": VIEWER_PASSWORD, "role": "viewer"}
    )
    assert made.status_code == 201
    for name in ("siti_\u00f1", "s\u00efti", "\uff53\uff49\uff54\uff49"):  # the office's username rule: ASCII only
        odd = regency_server.post(
            "/regency/api/users",
            headers=headers,
            json={"username": name, "password": VIEWER_PASSWORD, "role": "viewer"},
        )
        assert odd.status_code == 400 and "Nama pengguna" in odd.json()["error"]["message"], name
    imported = regency_server.post(
        "/regency/api/status-import", headers={**headers, "Content-Type": "text/csv"}, data=SIAK.encode()
    )
    assert imported.status_code == 200 and imported.json()["created"] == 3

    answer = regency_server.http.post(regency_server.url + "/regency/api/logout")
    assert answer.status_code == 200
    login = regency_server.post("/regency/api/login", json={"username": "staf", "password": VIEWER_PASSWORD})
    assert login.json()["user"]["role"] == "viewer"
    viewer_headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    assert regency_server.get("/regency/api/offices").status_code == 200
    refused = regency_server.post(
        "/regency/api/users",
        headers=viewer_headers,
        json={"username": "lain", "password": VIEWER_PASSWORD, "role": "admin"},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (
        regency_server.post(
            "/regency/api/status-import", headers={**viewer_headers, "Content-Type": "text/csv"}, data=SIAK.encode()
        ).status_code
        == 403
    )


def test_user_add_on_the_command_line_uses_the_office_password_policy(regency_dsn):
    weak = CliRunner().invoke(
        main, ["regency", "user", "add", "kabid", "--role", "admin", "--password-stdin"], input="password123\n"
    )
    assert weak.exit_code == 1 and "Kata sandi terlalu mudah ditebak" in weak.output
    odd = cli("user", "add", "siti_\u00f1", "--role", "viewer", "--password-stdin", input=ADMIN_PASSWORD + "\n")
    assert odd.exit_code == 1  # the office's username rule: ASCII letters, digits, '.', '_' and '-'
    made = cli("user", "add", "kabid", "--role", "viewer", "--password-stdin", input=ADMIN_PASSWORD + "\n")
    assert made.exit_code == 0 and "Akun pemantau 'kabid' dibuat" in made.output
    with psycopg.connect(regency_dsn) as conn:
        assert conn.execute("SELECT role FROM staff WHERE username = 'kabid'").fetchone()[0] == "viewer"


def test_concurrent_replays_store_each_event_once(regency_server, regency_dsn):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    key = add_office(regency_dsn, "62.03.01")
    events = ticket_day("c", 40, 30, 20)

    def post(_):
        return requests.post(
            regency_server.url + "/regency/api/batches",
            timeout=20,
            json={"office": "62.03.01", "events": events},
            headers={"Authorization": f"Bearer {key}"},
        ).json()

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(post, range(4)))
    assert sum(a["accepted"] for a in answers) == len(events)
    assert sum(a["duplicates"] for a in answers) == 3 * len(events)
    assert count_events(regency_dsn) == len(events)


@pytest.mark.slow
def test_kiosk_regency_serve_runs_as_a_process(regency_dsn):
    import os
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "regency", "serve", "--port", str(port)],
        env={**os.environ, "KIOSK_REGENCY_DSN": regency_dsn},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/regency/", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
                time.sleep(0.1)
        assert answer.status_code == 200 and 'action="/regency/login"' in answer.text
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
    finally:
        process.terminate()
        process.wait(timeout=10)
    bad = subprocess.run(
        [sys.executable, "-m", "kiosk", "regency", "serve", "--port", str(port)],
        env={**os.environ, "KIOSK_REGENCY_DSN": "mysql://nope"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 1 and "KIOSK_REGENCY_DSN" in bad.stderr


def test_serving_an_uninitialised_database_says_to_run_init(pg_cluster):
    from kiosk.domain.errors import KioskError
    from kiosk.regency.app import create_app
    from kiosk.regency.db import open_pool

    pool = open_pool(pg_cluster + "/postgres", max_size=1)  # an empty database: no schema yet
    try:
        with pytest.raises(KioskError, match="kiosk regency init"):
            create_app(pool)
    finally:
        pool.close()


def test_password_guessing_is_throttled(regency_server, regency_dsn):
    add_staff(regency_dsn, "kabid", ADMIN_PASSWORD, "admin")
    answers = [
        regency_server.post("/regency/api/login", json={"username": "kabid", "password": f"tebak-{n}-xyz"})
        for n in range(6)
    ]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert answers[-1].json()["error"]["code"] == "rate_limited" and int(answers[-1].headers["Retry-After"]) > 0
    # The right password waits too: the throttle counts attempts, not failures.
    right = regency_server.post("/regency/api/login", json={"username": "kabid", "password": ADMIN_PASSWORD})
    assert right.status_code == 429
    form = regency_server.post(
        "/regency/login", data={"username": "kabid", "password": ADMIN_PASSWORD}, allow_redirects=False
    )
    assert form.status_code == 429 and "Terlalu banyak percobaan" in form.text


def test_a_requeued_ticket_waits_again_and_an_expired_one_does_not(regency_server, regency_dsn):
    key = add_office(regency_dsn, "62.03.01", "Selat")
    events = []
    for n, moves in enumerate(
        (
            ["ticket_called", "ticket_no_show", "ticket_requeued"],
            ["ticket_called", "ticket_no_show"],
            ["ticket_expired"],
            [],
        )
    ):
        number = f"A{n + 1:03d}"
        events.append({"id": f"{n}-i", "kind": "ticket_issued", "at": at(n), "number": number})
        events += [
            {"id": f"{n}-{step}", "kind": kind, "at": at(n + 1 + step), "number": number}
            for step, kind in enumerate(moves)
        ]
    assert send(regency_server, key, "62.03.01", events).status_code == 200
    admin_login(regency_server, regency_dsn)
    today = {o["office"]: o for o in regency_server.get("/regency/api/offices").json()}["62.03.01"]["today"]
    assert (today["issued"], today["waiting"]) == (4, 2)  # A001 requeued and A004 never called


def test_the_dashboard_says_an_office_s_disruption_in_words_not_its_code():
    from kiosk.regency.app import disruption_label

    assert disruption_label("blanko-12") == "Blanko KTP-el habis"  # an office's code: <reason>-<id>
    assert disruption_label("network-3") == "Jaringan/SIAK sedang terganggu"
    assert disruption_label("printer_offline") == "printer_offline"  # not a reason of ours: shown as sent
