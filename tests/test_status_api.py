"""KTP-el status API over a real waitress server: lookups, enumeration limits, audit log, staff edits."""

from __future__ import annotations

import http.client
import json
import logging
import os

import pytest

from kiosk.domain.status import check_application
from kiosk.storage import status as status_store
from tests.support import LiveServer, add_staff, make_app

NIK = "6203011708900001"  # Kapuas, a man born 17-08-1990
KK = "6203010102150003"
OTHER_NIK = "6203015708900002"  # no record
WRONG_KK = "6203010102150004"


def _seed(server: LiveServer, nik: str = NIK, kk: str = KK, status: str = "READY_FOR_PICKUP") -> None:
    runtime = server.runtime
    record = check_application(nik, kk, "Budi Santoso", "1990-08-17", status, "", runtime.now().date())
    status_store.save_application(runtime.db, record, "2026-11-20T10:15:00+07:00", "import", "import")


@pytest.fixture
def office(tmp_path):
    """A real waitress server with tight lookup limits; kiosk PCs are 127.0.0.1 and the listed networks (not .30)."""
    kiosks = [
        "127.0.0.1",
        "127.0.0.2/31",
        "127.0.0.8/29",
        "127.0.0.16/29",
        "127.0.0.40/29",
        "127.0.1.0/24",
        "127.0.2.0/23",
    ]
    app = make_app(
        tmp_path,
        status__lookups_per_window=4,
        status__kiosk_lookups_per_window=8,
        kiosk__addresses=kiosks,
        status__nik_misses_per_hour=3,
    )
    add_staff(app)
    server = LiveServer(app).start(workers=False)
    _seed(server)
    yield server
    server.stop()


def lookup(
    server: LiveServer,
    body: dict | bytes,
    source: str = "127.0.0.1",
    path: str = "/api/status-lookups",
    headers: dict | None = None,
    connection: http.client.HTTPConnection | None = None,
) -> http.client.HTTPResponse:
    """POST /api/status-lookups from a chosen loopback address (the whole 127/8 is this machine).

    With ``connection`` (opened from ``source``) the request goes over it and leaves it open (keep-alive)."""
    kept = connection is not None
    if connection is None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    connection.request("POST", path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    response.body = response.read()
    if not kept:
        connection.close()
    return response


def staff_headers(server: LiveServer, source: str) -> dict[str, str]:
    """Log the counter user in from ``source`` (a staff PC, not a kiosk); return its cookie and CSRF headers.

    Misses per NIK are counted only off the kiosks (a kiosk PC is never locked out of a NIK): at the office
    that is a staff session's lookups from its own PC."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
    connection.request(
        "POST",
        "/api/login",
        body=json.dumps({"username": "petugas", "password": "rahasia-Loket1"}),
        headers={"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    connection.close()
    return {"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}


def answer(response) -> dict:
    return json.loads(response.body)


def test_a_nik_with_its_kk_number_gets_the_status_in_plain_words(office):
    response = lookup(office, {"nik": NIK, "kk": KK})
    assert response.status == 200
    assert answer(response) == {
        "status": {
            "code": "READY_FOR_PICKUP",
            "label": "Siap diambil",
            "message": "KTP-el Anda sudah dicetak dan siap diambil di kantor kecamatan ini.",
            "next_step": "Silakan ambil nomor antrean Pengambilan KTP-el.",
            "next_service": "AMBIL",
            "name_masked": "B*** S******",
            "updated_at": "2026-11-20T10:15:00+07:00",
        }
    }
    english = answer(lookup(office, {"nik": NIK, "kk": KK, "lang": "en"}))["status"]
    assert (english["label"], english["next_service"]) == ("Ready for collection", "AMBIL")


def test_unknown_nik_and_wrong_kk_number_get_byte_identical_answers(office):
    unknown = lookup(office, {"nik": OTHER_NIK, "kk": KK}, source="127.0.0.2")
    wrong_kk = lookup(office, {"nik": NIK, "kk": WRONG_KK}, source="127.0.0.3")
    assert (unknown.status, wrong_kk.status) == (404, 404)
    assert unknown.body == wrong_kk.body
    assert answer(unknown)["error"]["code"] == "not_found"
    assert [h for h in unknown.getheaders() if h[0] != "Date"] == [h for h in wrong_kk.getheaders() if h[0] != "Date"]


@pytest.mark.parametrize(
    "body, code",
    [
        ({"nik": "620301170890001", "kk": KK}, "invalid_nik"),
        ({"nik": "6203013208900001", "kk": KK}, "invalid_nik"),
        ({"nik": "6203011708900000", "kk": KK}, "invalid_nik"),
        ({"nik": 6203011708900001, "kk": KK}, "invalid_nik"),
        ({"kk": KK}, "invalid_nik"),
        ({"nik": NIK, "kk": "0003010102150001"}, "invalid_kk"),
        ({"nik": NIK, "kk": "6203013112260001"}, "invalid_kk"),  # issued 31-12-2026: in the future
        ({"nik": NIK}, "invalid_kk"),
        (b"[1, 2]", "bad_request"),
        (b"{nik", "bad_request"),
    ],
)
def test_numbers_that_cannot_be_valid_are_refused_before_any_lookup(office, body, code):
    response = lookup(office, body)
    assert response.status == 400
    assert answer(response)["error"]["code"] == code
    assert answer(response)["error"]["message"]
    audited = [entry["outcome"] for entry in status_store.lookups(office.runtime.db)]
    assert audited == ([] if code == "bad_request" else [code])


def test_wrong_kk_numbers_for_one_nik_from_one_address_hit_the_limit(office):
    staff = staff_headers(office, "127.0.0.30")  # a staff PC, not a kiosk
    lookup(office, {"nik": OTHER_NIK, "kk": KK}, "127.0.0.30", headers=staff)  # the guard exists from the first
    office.app.extensions["kiosk_status_guard"].addresses.limit = 20  # only the misses limit is tried here
    for index in range(3):
        assert (
            lookup(office, {"nik": NIK, "kk": f"620301010215{1000 + index}"}, "127.0.0.30", headers=staff).status == 404
        )
    blocked = lookup(office, {"nik": NIK, "kk": WRONG_KK}, "127.0.0.30", headers=staff)
    assert blocked.status == 429
    assert answer(blocked)["error"]["code"] == "rate_limited"
    assert 3500 <= int(blocked.getheader("Retry-After")) <= 3600
    # Even the right KK number waits there: a guesser must not learn when it found the match.
    assert lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.30", headers=staff).status == 429
    # Another resident is not affected.
    _seed(office, "6203011708900009", status="CARD_SHIPPED")
    assert lookup(office, {"nik": "6203011708900009", "kk": KK}, "127.0.0.30", headers=staff).status == 200
    # Nor is the resident at a kiosk PC, where misses of that NIK were never counted.
    assert lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.10").status == 200


def test_wrong_kk_numbers_from_other_addresses_do_not_lock_the_resident_out(office):
    lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.20")  # the guard exists from the first lookup
    for index in range(5):
        assert lookup(office, {"nik": NIK, "kk": WRONG_KK}, f"127.0.0.{10 + index}").status == 404
    # The resident at the kiosk and on a phone still gets the answer.
    assert lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.1").status == 200
    assert lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.20").status == 200


def test_wrong_kk_numbers_at_the_kiosk_never_lock_the_kiosk_out(office):
    for _ in range(5):
        assert lookup(office, {"nik": NIK, "kk": WRONG_KK}, "127.0.0.1").status == 404
    assert lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.1").status == 200


@pytest.mark.slow
def test_a_flood_of_lookups_does_not_make_the_store_forget_a_locked_nik(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    app = make_app(tmp_path)  # the shipped limits: 30 lookups per address per 10 minutes, 5 misses per hour
    add_staff(app)
    server = LiveServer(app).start(workers=False)
    try:
        _seed(server)
        staff = staff_headers(server, "127.0.5.1")  # off the kiosks (only there are misses of a NIK counted)
        for _ in range(5):
            assert lookup(server, {"nik": NIK, "kk": WRONG_KK}, "127.0.5.1", headers=staff).status == 404
        assert lookup(server, {"nik": NIK, "kk": KK}, "127.0.5.1", headers=staff).status == 429
        # 4,200 lookups of other (unknown) NIKs from 140 addresses: each one a counter of its own.
        niks = [
            f"620301{day:02d}{month:02d}90{serial:04d}"
            for serial in range(1, 14)
            for day in range(1, 29)
            for month in range(1, 13)
        ]
        niks = [nik for nik in niks if nik != NIK][:4200]

        def from_address(number: int) -> set[int]:
            """The 30 lookups of one address, over one keep-alive connection (as a browser sends them)."""
            source = f"127.0.6.{number}"
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
            try:
                return {
                    lookup(server, {"nik": nik, "kk": KK}, source, headers=staff, connection=connection).status
                    for nik in niks[number - 1 :: 140]
                }
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            assert set().union(*pool.map(from_address, range(1, 141))) == {404}
        assert lookup(server, {"nik": NIK, "kk": KK}, "127.0.5.1", headers=staff).status == 429
    finally:
        server.stop()


def test_another_device_is_refused_staff_are_limited_and_a_kiosk_pc_is_allowed_more(office):
    refused = [lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.30") for _ in range(5)]
    assert {(response.status, answer(response)["error"]["code"]) for response in refused} == {(403, "not_a_kiosk")}
    assert status_store.lookups(office.runtime.db) == []  # refused before anything is counted or audited
    login = lookup(office, {"username": "petugas", "password": "rahasia-Loket1"}, "127.0.0.30", path="/api/login")
    staff = {"Cookie": login.getheader("Set-Cookie").split(";")[0], "X-CSRF-Token": answer(login)["csrf_token"]}
    statuses = [lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.30", headers=staff).status for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    kiosk = [lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.1").status for _ in range(9)]
    assert kiosk == [200] * 8 + [429]
    limited = lookup(office, {"nik": "bukan nik", "kk": KK}, "127.0.0.30", headers=staff)
    assert limited.status == 429 and 1 <= int(limited.getheader("Retry-After")) <= 600


class Ticker:
    """A settable monotonic clock: the lookup guard's clock hook, so the window passes without sleeping."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def _is_kiosk(address: str) -> bool:
    return address == "127.0.0.1"  # the one kiosk PC of ``ticking_office``


@pytest.fixture
def ticking_office(tmp_path):
    """The office of ``office`` with a 10-minute lookup window whose guard runs on a settable clock."""
    from kiosk.web.status import LookupGuard

    app = make_app(
        tmp_path,
        status__lookups_per_window=4,
        status__kiosk_lookups_per_window=8,
        status__kiosk_addresses=["127.0.0.1"],
        status__nik_misses_per_hour=50,
        status__window_minutes=10,
    )
    add_staff(app)
    ticker = Ticker()
    app.extensions["kiosk_status_guard"] = LookupGuard(app.extensions["kiosk"].settings.status, _is_kiosk, clock=ticker)
    server = LiveServer(app).start(workers=False)
    server.ticker = ticker
    _seed(server)
    yield server
    server.stop()


@pytest.mark.parametrize("source, limit", [("127.0.0.30", 4), ("127.0.0.1", 8)], ids=["counter-pc", "kiosk-pc"])
def test_an_address_refused_at_the_limit_is_let_in_when_the_window_ends_despite_retrying(ticking_office, source, limit):
    """Refused tries are not counted: a kiosk retrying every minute while blocked gets in when the window ends."""
    office, ticker = ticking_office, ticking_office.ticker
    staff = staff_headers(office, source) if source != "127.0.0.1" else {}  # a counter PC looks up as staff
    statuses = [lookup(office, {"nik": NIK, "kk": KK}, source, headers=staff).status for _ in range(limit + 1)]
    assert statuses == [200] * limit + [429]  # refused at the limit
    for _minute in range(9):  # retrying once a minute while blocked
        ticker.now += 60
        blocked = lookup(office, {"nik": NIK, "kk": KK}, source, headers=staff)
        assert blocked.status == 429
    assert int(blocked.getheader("Retry-After")) == 60
    ticker.now += 59
    assert lookup(office, {"nik": NIK, "kk": KK}, source, headers=staff).status == 429  # a second before the end
    ticker.now += 1
    after = [lookup(office, {"nik": NIK, "kk": KK}, source, headers=staff).status for _ in range(limit + 1)]
    assert after == [200] * limit + [429]  # let in after: a full window's worth again, then refused


def test_a_nik_refused_for_misses_is_let_in_after_the_hour_despite_more_guesses(ticking_office):
    """Three misses lock a NIK at that PC for an hour from the first; guesses while locked do not extend it."""
    from dataclasses import replace

    from kiosk.web.status import LookupGuard

    office, ticker = ticking_office, ticking_office.ticker
    limits = replace(office.runtime.settings.status, nik_misses_per_hour=3, lookups_per_window=1000)
    office.app.extensions["kiosk_status_guard"] = LookupGuard(limits, _is_kiosk, clock=ticker)
    staff = staff_headers(office, "127.0.0.40")  # a staff PC: misses of a NIK are counted off the kiosks
    first = ticker.now
    for _ in range(3):
        assert lookup(office, {"nik": NIK, "kk": WRONG_KK}, "127.0.0.40", headers=staff).status == 404
        ticker.now += 1
    assert lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.40", headers=staff).status == 429  # refused at the limit
    for minute in range(1, 60):  # a guess a minute while locked
        ticker.now = first + 60 * minute
        assert lookup(office, {"nik": NIK, "kk": WRONG_KK}, "127.0.0.40", headers=staff).status == 429, minute
    ticker.now = first + 3599
    assert lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.40", headers=staff).status == 429  # a second before
    ticker.now = first + 3600
    found = lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.40", headers=staff)
    assert found.status == 200, found.body  # the first miss is an hour old: let in again


def test_the_audit_log_holds_a_keyed_hash_of_the_nik_never_the_nik(office, tmp_path):
    lookup(office, {"nik": NIK, "kk": KK}, "127.0.0.40")
    lookup(office, {"nik": OTHER_NIK, "kk": KK}, "127.0.0.41")
    lookup(office, {"nik": NIK, "kk": WRONG_KK}, "127.0.0.42")
    entries = status_store.lookups(office.runtime.db)
    assert [(e["client"], e["outcome"]) for e in entries] == [
        ("127.0.0.40", "found"),
        ("127.0.0.41", "not_found"),
        ("127.0.0.42", "not_found"),
    ]
    assert entries[0]["nik_hmac"] == entries[2]["nik_hmac"] != entries[1]["nik_hmac"]
    assert all(len(e["nik_hmac"]) == 64 for e in entries)
    import hashlib

    assert entries[0]["nik_hmac"] != hashlib.sha256(NIK.encode()).hexdigest()  # keyed, not a plain hash
    secret = tmp_path / "kiosk.db.status-key"
    assert os.stat(secret).st_mode & 0o777 == 0o600
    dump = "\n".join(office.runtime.db.conn.iterdump())
    rows_with_nik = [line for line in dump.splitlines() if NIK in line and "status_lookups" in line]
    assert rows_with_nik == []


def test_staff_create_and_change_records_with_login_and_csrf(office, caplog):
    caplog.set_level(logging.DEBUG)
    record = {"kk": KK, "name": "Siti Aminah", "birth_date": "17-08-1990", "status": "CARD_SHIPPED", "note": ""}
    path = f"/api/applications/{OTHER_NIK}"
    assert office.session.put(office.url + path, json=record, timeout=10).status_code == 401
    headers = office.login()
    refused = office.session.put(office.url + path, json=record, timeout=10)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
    created = office.session.put(office.url + path, json=record, headers=headers, timeout=10)
    assert created.status_code == 201
    assert created.json() == {
        "change": "created",
        "application": {
            "nik": OTHER_NIK,
            "name": "Siti Aminah",
            "status": "CARD_SHIPPED",
            "note": "",
            "updated_at": created.json()["application"]["updated_at"],
            "updated_by": "petugas",
        },
    }
    again = office.session.put(office.url + path, json=record, headers=headers, timeout=10)
    assert (again.status_code, again.json()["change"]) == (200, "unchanged")
    ready = office.session.put(
        office.url + path, json={**record, "status": "READY_FOR_PICKUP", "note": "blanko"}, headers=headers, timeout=10
    )
    assert (ready.status_code, ready.json()["change"]) == (200, "updated")
    history = status_store.application_history(office.runtime.db, OTHER_NIK)
    assert [(h["by"], h["source"], h["status"]) for h in history] == [
        ("petugas", "staff", "CARD_SHIPPED"),
        ("petugas", "staff", "READY_FOR_PICKUP"),
    ]
    for body, code in [
        ({**record, "birth_date": "1990-08-18"}, "invalid_birth_date"),
        ({**record, "status": "LOST"}, "unknown_status"),
        ({**record, "kk": "123"}, "invalid_kk"),
        ({**record, "name": ""}, "invalid_name"),
    ]:
        refused = office.session.put(office.url + path, json=body, headers=headers, timeout=10)
        assert (refused.status_code, refused.json()["error"]["code"]) == (400, code)
    bad_nik = office.session.put(
        office.url + "/api/applications/6203011708900000", json=record, headers=headers, timeout=10
    )
    assert (bad_nik.status_code, bad_nik.json()["error"]["code"]) == (400, "invalid_nik")
    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith(("kiosk", "waitress", "flask"))]
    assert [line for line in server_lines if OTHER_NIK in line or KK in line] == []


def test_parallel_guesses_for_one_nik_cannot_overrun_the_limit(office):
    from concurrent.futures import ThreadPoolExecutor

    staff = staff_headers(office, "127.0.0.30")  # a staff PC, not a kiosk: its misses of a NIK are counted

    def guess(index: int) -> int:
        return lookup(office, {"nik": NIK, "kk": f"62030101021{5000 + index:05d}"}, "127.0.0.30", headers=staff).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(pool.map(guess, range(20)))
    assert statuses == [404] * 3 + [429] * 17


def test_finding_the_record_does_not_count_as_a_miss(tmp_path):
    app = make_app(tmp_path, status__nik_misses_per_hour=3)
    add_staff(app)
    server = LiveServer(app).start(workers=False)
    try:
        _seed(server)
        staff = staff_headers(server, "127.0.2.1")  # a staff PC, not a kiosk
        for _ in range(10):
            assert lookup(server, {"nik": NIK, "kk": KK}, "127.0.2.1", headers=staff).status == 200
        assert [lookup(server, {"nik": NIK, "kk": WRONG_KK}, "127.0.2.1", headers=staff).status for _ in range(4)] == [
            404,
            404,
            404,
            429,
        ]
    finally:
        server.stop()


def test_a_server_error_on_a_record_is_logged_by_route_never_by_nik(office, caplog):
    headers = office.login()
    office.runtime.db.conn.execute("DROP TABLE application_history")  # a real fault: the next write fails
    record = {"kk": KK, "name": "Siti Aminah", "birth_date": "1990-08-17", "status": "CARD_SHIPPED"}
    with caplog.at_level(logging.INFO):
        failed = office.session.put(
            f"{office.url}/api/applications/{OTHER_NIK}", json=record, headers=headers, timeout=10
        )
    assert (failed.status_code, failed.json()["error"]["code"]) == (500, "internal_error")
    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith("kiosk")]
    assert server_lines == ["unexpected OperationalError on PUT /api/applications/<nik:nik>"]


def test_the_server_log_and_command_output_hold_no_nik_or_kk_number(tmp_path):
    """A real `kiosk serve` process through imports, lookups, staff edits and errors: its log names no resident."""
    import subprocess
    import sys

    import requests

    from tests.test_crash import _free_port, start_server, write_office_config

    config = write_office_config(tmp_path)
    kiosk = [sys.executable, "-m", "kiosk", "--config", str(config)]
    csv_file = tmp_path / "siak.csv"
    csv_file.write_text(
        f"nik;no_kk;nama;tanggal_lahir;status\n{NIK};{KK};Budi Santoso;1990-08-17;CARD_SHIPPED\n"
        f"{OTHER_NIK};{KK};Siti Aminah;1990-08-18;CARD_SHIPPED\n",
        encoding="utf-8",
    )
    outputs = [
        subprocess.run([*kiosk, "import-status", str(csv_file)], capture_output=True, text=True, check=True),
        subprocess.run(
            [*kiosk, "user", "add", "siti", "--role", "counter", "--password-stdin"],
            input="Kunci-Loket-Tiga-9\n",
            capture_output=True,
            text=True,
            check=True,
        ),
        subprocess.run(
            [*kiosk, "user", "add", "kepala", "--role", "admin", "--password-stdin"],
            input="Kunci-Admin-Empat-7\n",
            capture_output=True,
            text=True,
            check=True,
        ),
    ]
    port = _free_port()
    server = start_server(config, port)
    url = f"http://127.0.0.1:{port}"
    try:
        with requests.Session() as session:
            assert session.post(f"{url}/api/status-lookups", json={"nik": NIK, "kk": KK}, timeout=5).status_code == 200
            for body in (
                {"nik": OTHER_NIK, "kk": KK},
                {"nik": NIK, "kk": WRONG_KK},
                {"nik": NIK[:15], "kk": KK},
                {"nik": NIK, "kk": KK[:15]},
            ):
                assert session.post(f"{url}/api/status-lookups", json=body, timeout=5).status_code in (400, 404)
            csrf = session.post(
                f"{url}/api/login", json={"username": "siti", "password": "Kunci-Loket-Tiga-9"}, timeout=5
            ).json()["csrf_token"]
            edit = {"kk": KK, "name": "Siti Aminah", "birth_date": "1990-08-17", "status": "READY_FOR_PICKUP"}
            for nik in (OTHER_NIK, NIK[:15]):
                session.put(f"{url}/api/applications/{nik}", json=edit, headers={"X-CSRF-Token": csrf}, timeout=5)
            staff_calls = [
                ("search", {"nik": NIK}),
                ("search", {"nik": WRONG_KK}),
                ("search", {"nik": NIK[:15]}),
                ("status", {"nik": NIK, "status": "CARD_ISSUED", "note": "Budi datang"}),
                ("ready", {"niks": f"{NIK}\n{OTHER_NIK}\n{WRONG_KK}\n{NIK[:15]}"}),
            ]
            answers = [
                session.post(
                    f"{url}/api/applications/{path}", json=body, headers={"X-CSRF-Token": csrf}, timeout=5
                ).status_code
                for path, body in staff_calls
            ]
            assert answers == [200, 404, 400, 200, 200]
            with csv_file.open("rb") as sent:  # counter staff: refused
                assert (
                    session.post(
                        f"{url}/api/admin/status-import",
                        files={"file": sent},
                        headers={"X-CSRF-Token": csrf},
                        timeout=5,
                    ).status_code
                    == 403
                )
        with requests.Session() as admin:
            csrf = admin.post(
                f"{url}/api/login", json={"username": "kepala", "password": "Kunci-Admin-Empat-7"}, timeout=5
            ).json()["csrf_token"]
            with csv_file.open("rb") as sent:
                imported = admin.post(
                    f"{url}/api/admin/status-import", files={"file": sent}, headers={"X-CSRF-Token": csrf}, timeout=5
                )
            assert (imported.status_code, imported.json()["rejected_count"]) == (200, 1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    outputs.append(subprocess.run([*kiosk, "purge"], capture_output=True, text=True, check=True))
    text = (tmp_path / "server.log").read_text() + "".join(o.stdout + o.stderr for o in outputs)
    assert "Diterima: 1" in text  # the outputs were captured
    for secret in (NIK, OTHER_NIK, KK, WRONG_KK, NIK[:15], KK[:15], "Budi", "Siti Aminah"):
        assert secret not in text


def test_only_digits_address_a_record_so_the_staff_routes_are_not_put_addresses(staff_client):
    """``/api/applications/search`` is a POST route of its own, never the SPEC's PUT with the NIK "search"."""
    client, headers = staff_client
    options = client.options("/api/applications/search")
    assert sorted(options.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]
    refused = client.put("/api/applications/search", json={}, headers=headers)
    assert refused.status_code == 405 and refused.get_json()["error"]["code"] == "method_not_allowed"
