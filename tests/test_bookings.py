"""Numbers for a later day (SPEC "Later days, fairness, disruptions"): availability, booking, race-safe seats,
check-in on the day (on the app's controlled clock, across a day change), booked tickets called first."""

from __future__ import annotations

import threading
import tomllib
from datetime import datetime

import pytest
import requests

from kiosk.paths import packaged_config
from tests.conftest import JAKARTA, Clock
from tests.support import LiveServer, add_staff, make_app

HOURS = {f"office__hours__{day}": "08:00-12:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat")}


def services(**rekam) -> list[dict]:
    """The demo's services with REKAM changed."""
    listed = tomllib.loads(packaged_config().read_text(encoding="utf-8"))["services"]
    return [{**service, **rekam} if service["code"] == "REKAM" else service for service in listed]


def office_app(tmp_path, clock, **rekam):
    app = make_app(
        tmp_path, clock=clock, office__hours__sun="", **HOURS, services=services(**{"booking_quota": 8, **rekam})
    )
    add_staff(app)
    return app


@pytest.fixture
def office(tmp_path, clock):
    app = office_app(tmp_path, clock)
    yield app
    app.extensions["kiosk"].stop()


def book(client, day="2026-11-26", slot="08:00", **extra):
    return client.post(
        "/api/bookings",
        json={"service": "REKAM", "date": day, "slot": slot, **extra},
        headers=extra.pop("headers", None) or {},
    )


def test_availability_lists_the_next_open_days_and_their_windows(office):
    client = office.test_client()
    answer = client.get("/api/bookings/availability?service=REKAM").get_json()
    assert answer["service"] == "REKAM"
    days = [day["date"] for day in answer["days"]]
    # from tomorrow (Thursday 26 November), ten open days, Sundays (closed) left out
    assert days == [
        "2026-11-26",
        "2026-11-27",
        "2026-11-28",
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
        "2026-12-05",
        "2026-12-07",
    ]
    assert answer["days"][0]["slots"] == [
        {"start": "08:00", "end": "09:00", "left": 2},
        {"start": "09:00", "end": "10:00", "left": 2},
        {"start": "10:00", "end": "11:00", "left": 2},
        {"start": "11:00", "end": "12:00", "left": 2},
    ]
    assert client.get("/api/bookings/availability?service=CETAK").get_json() == {"service": "CETAK", "days": []}
    assert client.get("/api/bookings/availability?service=NOPE").status_code == 404
    assert client.get("/api/bookings/availability").status_code == 400


def test_a_closed_date_is_not_offered(office):
    admin_db = office.extensions["kiosk"]
    from kiosk.storage import services as service_store

    service_store.set_closed_date(admin_db.db, "2026-11-27", "Cuti bersama", "kepala", admin_db.now())
    days = [d["date"] for d in office.test_client().get("/api/bookings/availability?service=REKAM").get_json()["days"]]
    assert "2026-11-27" not in days and days[0] == "2026-11-26"


def test_a_booking_answers_the_booking_shape_and_takes_a_seat(office):
    client = office.test_client()
    answer = book(client, members=2)
    assert answer.status_code == 201
    booking = answer.get_json()["booking"]
    assert set(booking) >= {
        "code",
        "token",
        "service",
        "date",
        "slot_start",
        "slot_end",
        "status",
        "members",
        "track_url",
        "ticket",
    }
    assert (
        booking["service"],
        booking["date"],
        booking["slot_start"],
        booking["slot_end"],
        booking["status"],
        booking["members"],
        booking["ticket"],
    ) == ("REKAM", "2026-11-26", "08:00", "09:00", "booked", 2, None)
    assert len(booking["code"]) == 6 and booking["track_url"].endswith(f"/b/{booking['token']}")
    assert booking["requirements"] == ["Kartu Keluarga asli", "Sudah berusia 17 tahun atau sudah/pernah kawin"]
    assert (
        booking["check_in_from"] == "2026-11-26T07:30+07:00" and booking["check_in_until"] == "2026-11-26T09:30+07:00"
    )
    slots = client.get("/api/bookings/availability?service=REKAM").get_json()["days"][0]["slots"]
    assert slots[0]["left"] == 0 and slots[1]["left"] == 2
    full = book(client)
    assert (full.status_code, full.get_json()["error"]["code"]) == (409, "slot_full")
    assert client.get(f"/api/bookings/{booking['token']}").get_json()["booking"] == booking
    cancelled = client.post(f"/api/bookings/{booking['token']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["booking"]["status"] == "cancelled"
    assert book(client).status_code == 201  # the seat is back
    assert client.get("/api/bookings/nope-nope-nope").get_json()["error"]["code"] == "unknown_booking"


def test_a_repeated_idempotency_key_answers_the_same_booking(office):
    client = office.test_client()
    first = client.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "09:00"},
        headers={"Idempotency-Key": "kios-1-0001"},
    )
    again = client.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "09:00"},
        headers={"Idempotency-Key": "kios-1-0001"},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    other = client.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "10:00"},
        headers={"Idempotency-Key": "kios-1-0001"},
    )
    assert (other.status_code, other.get_json()["error"]["code"]) == (422, "idempotency_mismatch")


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"service": "CETAK", "date": "2026-11-26", "slot": "08:00"}, 409, "service_closed"),  # no booking quota
        ({"service": "REKAM", "date": "2026-11-29", "slot": "08:00"}, 409, "service_closed"),  # a Sunday
        ({"service": "REKAM", "date": "2026-11-25", "slot": "10:00"}, 409, "service_closed"),  # today
        ({"service": "REKAM", "date": "2026-12-31", "slot": "08:00"}, 409, "service_closed"),  # beyond days_ahead
        ({"service": "REKAM", "date": "2026-11-26", "slot": "13:00"}, 400, "bad_request"),
        ({"service": "REKAM", "date": "26-11-2026", "slot": "08:00"}, 400, "bad_request"),
        ({"service": "REKAM", "date": "2026-11-26"}, 400, "bad_request"),
        ({"service": "REKAM", "date": "2026-11-26", "slot": "08:00", "members": 6}, 400, "bad_request"),
        ({"service": "REKAM", "date": "2026-11-26", "slot": "08:00", "phone": "12345"}, 400, "invalid_phone"),
        ({"service": "NOPE", "date": "2026-11-26", "slot": "08:00"}, 404, "unknown_service"),
    ],
)
def test_a_booking_is_checked_before_a_seat_is_taken(office, body, status, code):
    answer = office.test_client().post("/api/bookings", json=body)
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code)


def test_only_kiosks_and_staff_book(office):
    phone = office.test_client()
    answer = phone.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"},
        environ_base={"REMOTE_ADDR": "192.168.1.50"},
    )
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (403, "not_a_kiosk")
    staff = office.test_client()
    token = staff.post(
        "/api/login",
        json={"username": "petugas", "password": "rahasia-Loket1"},
        environ_base={"REMOTE_ADDR": "192.168.1.20"},
    ).get_json()["csrf_token"]
    answer = staff.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"},
        headers={"X-CSRF-Token": token},
        environ_base={"REMOTE_ADDR": "192.168.1.20"},
    )
    assert answer.status_code == 201
    listed = staff.get("/api/bookings?date=2026-11-26", environ_base={"REMOTE_ADDR": "192.168.1.20"}).get_json()
    assert [b["code"] for b in listed["bookings"]] == [answer.get_json()["booking"]["code"]]


def test_check_in_on_the_day_within_the_window_gives_a_number_across_a_day_change(office, clock):
    client = office.test_client()
    booking = book(client).get_json()["booking"]
    other = book(client, slot="10:00").get_json()["booking"]
    not_today = client.post("/api/check-ins", json={"code": booking["code"]})
    assert (not_today.status_code, not_today.get_json()["error"]["code"]) == (409, "not_today")
    assert "Kamis, 26 November 2026, datang pukul 08.00-09.00" in not_today.get_json()["error"]["message"]
    # what the message names, for a screen that words it in English
    assert not_today.get_json()["error"]["details"] == {"date": "2026-11-26", "start": "08.00", "end": "09.00"}

    clock.current = datetime(2026, 11, 26, 7, 10, tzinfo=JAKARTA)  # the next day, before the window's grace
    early = client.post("/api/check-ins", json={"code": booking["code"].lower()})
    assert (early.status_code, early.get_json()["error"]["code"]) == (409, "too_early")
    assert early.get_json()["error"]["message"] == "Terlalu awal: silakan kembali pukul 07.30."
    assert early.get_json()["error"]["details"] == {"time": "07.30"}

    clock.current = datetime(2026, 11, 26, 7, 45, tzinfo=JAKARTA)
    checked = client.post("/api/check-ins", json={"code": booking["code"]})
    assert checked.status_code == 201
    body = checked.get_json()
    assert body["ticket"]["number"] == "A-001" and body["walk_in"] is False
    assert body["booking"]["status"] == "checked_in" and body["booking"]["ticket"]["number"] == "A-001"
    again = client.post("/api/check-ins", json={"code": booking["code"]})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_checked_in")

    clock.current = datetime(2026, 11, 26, 11, 31, tzinfo=JAKARTA)  # 10:00-11:00 window, grace ended 11:30
    late = client.post("/api/check-ins", json={"code": other["track_url"]})  # the slip's QR, typed by a scanner
    assert late.status_code == 201
    assert late.get_json()["walk_in"] is True and late.get_json()["booking"]["status"] == "expired"
    assert late.get_json()["ticket"]["number"] == "A-002"
    unknown = client.post("/api/check-ins", json={"code": "XXXXXX"})
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "unknown_booking")
    assert client.post("/api/check-ins", json={}).status_code == 400


def test_a_booking_missed_by_a_day_expires_and_housekeeping_expires_the_rest(office, clock):
    client = office.test_client()
    missed = book(client).get_json()["booking"]
    kept = book(client, slot="11:00").get_json()["booking"]
    clock.current = datetime(2026, 11, 26, 10, 0, tzinfo=JAKARTA)
    assert office.extensions["kiosk"].housekeep() == 0
    assert client.get(f"/api/bookings/{missed['token']}").get_json()["booking"]["status"] == "expired"
    assert client.get(f"/api/bookings/{kept['token']}").get_json()["booking"]["status"] == "booked"
    clock.current = datetime(2026, 11, 27, 8, 0, tzinfo=JAKARTA)
    gone = client.post("/api/check-ins", json={"code": kept["code"]})
    assert gone.status_code == 409 and gone.get_json()["error"]["code"] == "expired"


def test_seats_kept_for_bookings_count_against_the_walk_in_quota(tmp_path, clock):
    app = office_app(tmp_path, clock, daily_quota=3, booking_quota=2)
    try:
        client = app.test_client()
        first = book(client).get_json()["booking"]
        assert book(client, slot="09:00").status_code == 201
        clock.current = datetime(2026, 11, 26, 8, 0, tzinfo=JAKARTA)
        assert client.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
        full = client.post("/api/tickets", json={"service": "REKAM"})
        assert (full.status_code, full.get_json()["error"]["code"]) == (409, "quota_reached")
        assert client.post("/api/check-ins", json={"code": first["code"]}).status_code == 201  # its seat was kept
    finally:
        app.extensions["kiosk"].stop()


def test_booked_tickets_go_ahead_of_walk_ins_at_most_every_other_call(office, clock):
    client = office.test_client()
    codes = [book(client, slot=slot).get_json()["booking"]["code"] for slot in ("08:00", "08:00", "11:00")]
    clock.current = datetime(2026, 11, 26, 8, 0, tzinfo=JAKARTA)
    walk_ins = [
        client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]["number"] for _ in range(3)
    ]  # A-001..A-003
    clock.current = datetime(2026, 11, 26, 8, 10, tzinfo=JAKARTA)
    booked = [client.post("/api/check-ins", json={"code": code}).get_json()["ticket"]["number"] for code in codes[:2]]
    clock.current = datetime(2026, 11, 26, 10, 35, tzinfo=JAKARTA)
    late_window = client.post("/api/check-ins", json={"code": codes[2]}).get_json()["ticket"]["number"]  # 11:00
    staff = office.test_client()
    token = staff.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    headers = {"X-CSRF-Token": token["csrf_token"]}
    called = []
    for _ in range(6):
        ticket = staff.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
        called.append(ticket["number"])
        staff.post(f"/api/tickets/{ticket['id']}/done", headers=headers)
    # booked (window started 08:00) first, then a walk-in, then the other booked, then walk-ins; the 11:00
    # booking's window has not started at 10:35, so it waits its turn by time
    assert (walk_ins, booked, late_window) == (["A-001", "A-002", "A-003"], ["A-004", "A-005"], "A-006")
    assert called == ["A-004", "A-001", "A-005", "A-002", "A-003", "A-006"]


@pytest.mark.slow
def test_fifty_parallel_bookings_for_the_last_three_seats_give_exactly_three(tmp_path):
    clock = Clock()
    app = office_app(
        tmp_path,
        clock,
        booking_quota=10,
        hours={d: "08:00-09:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    live = LiveServer(app).start(workers=False)
    try:
        for _ in range(7):
            assert (
                live.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"}).status_code
                == 201
            )
        outcomes: list[int] = []
        gate = threading.Barrier(50)

        def one() -> None:
            with requests.Session() as session:  # one connection per client thread
                gate.wait()
                answer = session.post(
                    f"{live.url}/api/bookings",
                    timeout=30,
                    json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"},
                )
                outcomes.append(answer.status_code)

        threads = [threading.Thread(target=one) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == [201] * 3 + [409] * 47
        db = live.runtime.db
        assert db.conn.execute("SELECT COUNT(*) FROM bookings WHERE status = 'booked'").fetchone()[0] == 10
        left = live.get("/api/bookings/availability?service=REKAM").json()["days"][0]["slots"][0]["left"]
        assert left == 0
    finally:
        live.stop()


def test_the_slips_qr_opens_the_bookings_phone_page_which_can_cancel(office):
    client = office.test_client()
    booking = book(client).get_json()["booking"]
    page = client.get(f"/b/{booking['token']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for words in (
        booking["code"],
        "Kamis, 26 November 2026",
        "datang pukul 08.00-09.00",
        "Kartu Keluarga asli",
        "Terpesan",
        "pukul 07.30",
    ):
        assert words in text, words
    cancelled = client.post(f"/b/{booking['token']}/cancel")
    assert cancelled.status_code == 303
    assert "Dibatalkan" in client.get(f"/b/{booking['token']}").get_data(as_text=True)
    assert client.get(f"/api/bookings/{booking['token']}").get_json()["booking"]["status"] == "cancelled"
    assert client.get("/b/tidak-ada-sama-sekali").status_code == 404


def test_a_scripted_day_full_at_nine_then_twenty_bookings_checked_in_the_next_day(tmp_path, clock):
    """Quota full at 09:00 -> 20 residents book tomorrow across four windows -> the next day they check in
    inside, before and after their windows: each one is called or told why, numbers gap-free, booked tickets
    ahead of walk-ins at most every other call."""
    app = office_app(tmp_path, clock, daily_quota=30, booking_quota=20)
    try:
        kiosk = app.test_client()
        clock.current = datetime(2026, 11, 25, 8, 0, tzinfo=JAKARTA)
        for _ in range(30):
            assert kiosk.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
        clock.current = datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA)
        assert kiosk.post("/api/tickets", json={"service": "REKAM"}).get_json()["error"]["code"] == "quota_reached"
        codes = {
            slot: [book(kiosk, slot=slot).get_json()["booking"]["code"] for _ in range(5)]
            for slot in ("08:00", "09:00", "10:00", "11:00")
        }
        assert book(kiosk, slot="08:00").get_json()["error"]["code"] == "slot_full"

        def check_in(code, hour, minute):
            clock.current = datetime(2026, 11, 26, hour, minute, tzinfo=JAKARTA)
            return kiosk.post("/api/check-ins", json={"code": code})

        told, booked_numbers, walk_in_numbers = {}, [], []
        for code in codes["08:00"]:  # inside, from 07:45
            booked_numbers.append(check_in(code, 7, 45).get_json()["ticket"]["number"])
        clock.current = datetime(2026, 11, 26, 8, 10, tzinfo=JAKARTA)
        for _ in range(10):  # the walk-in share of the day: 30 less the 20 seats kept for bookings
            walk_in_numbers.append(kiosk.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]["number"])
        assert kiosk.post("/api/tickets", json={"service": "REKAM"}).get_json()["error"]["code"] == "quota_reached"
        for code in codes["09:00"]:  # too early at 08:00, inside at 08:40
            early = check_in(code, 8, 0).get_json()["error"]
            told[code] = early["message"]
            assert early["code"] == "too_early" and early["message"].endswith("pukul 08.30.")
            booked_numbers.append(check_in(code, 8, 40).get_json()["ticket"]["number"])
        for code in codes["11:00"][:3]:  # early but inside (from 10:30)
            booked_numbers.append(check_in(code, 10, 40).get_json()["ticket"]["number"])
        late = [check_in(code, 11, 45) for code in codes["10:00"]]  # after 11:30: walk-ins while the day has room
        assert [answer.status_code for answer in late] == [201] * 5  # their own seats came free as they expired
        assert all(answer.get_json()["walk_in"] for answer in late)
        walk_in_numbers += [answer.get_json()["ticket"]["number"] for answer in late]
        clock.current = datetime(2026, 11, 26, 11, 50, tzinfo=JAKARTA)
        assert app.extensions["kiosk"].housekeep() == 30  # yesterday's 30 waiting numbers (not today's)
        every = sorted(booked_numbers + walk_in_numbers)
        assert every == [f"A-{n:03d}" for n in range(1, 29)]  # 13 booked + 15 walk-ins, no gap, no repeat
        staff = app.test_client()
        headers = {
            "X-CSRF-Token": staff.post(
                "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}
            ).get_json()["csrf_token"]
        }
        called = []
        while (answer := staff.post("/api/counters/1/next", headers=headers)).status_code == 200:
            ticket = answer.get_json()["ticket"]
            called.append(ticket["number"])
            staff.post(f"/api/tickets/{ticket['id']}/done", headers=headers)
        assert sorted(called) == every, answer.get_data(as_text=True)
        kinds = ["booked" if number in booked_numbers else "walk-in" for number in called]
        # the 08:00 window checked in before any walk-in came: first in any order; then a booking ahead of the
        # walk-ins at most every other call; the late ones (now walk-ins) last, by time
        pairs = [
            n
            for pair in zip([f"A-{n:03d}" for n in range(6, 14)], [f"A-{n:03d}" for n in range(16, 24)], strict=False)
            for n in pair
        ]
        assert called == [
            "A-001",
            "A-002",
            "A-003",
            "A-004",
            "A-005",
            *pairs,
            "A-014",
            "A-015",
            "A-024",
            "A-025",
            "A-026",
            "A-027",
            "A-028",
        ]
        assert kinds[5:21] == ["walk-in", "booked"] * 8
        assert [n for n in called if n in booked_numbers] == booked_numbers  # in window order
        clock.current = datetime(2026, 11, 26, 12, 31, tzinfo=JAKARTA)
        app.extensions["kiosk"].housekeep()  # two never came: expired after 12:30
        never = [
            kiosk.get(f"/api/bookings/{row['token']}").get_json()["booking"]["status"]
            for row in app.extensions["kiosk"]
            .db.conn.execute("SELECT token FROM bookings WHERE code IN (?, ?)", codes["11:00"][3:])
            .fetchall()
        ]
        assert never == ["expired", "expired"]
        add_staff(app, "kepala", "rahasia-Admin1", "admin")
        admin = app.test_client()
        admin.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
        report = admin.get("/api/reports/bookings?from=2026-11-01&to=2026-11-30").get_json()
        assert report["services"] == [{"service": "REKAM", "booked": 0, "checked_in": 13, "cancelled": 0, "expired": 7}]

    finally:
        app.extensions["kiosk"].stop()


@pytest.mark.parametrize("path", ["/api/tickets", "/api/bookings"])
def test_an_idempotency_key_of_100_characters_is_taken_and_101_refused(office, path):
    client = office.test_client()
    body = (
        {"service": "REKAM"} if path == "/api/tickets" else {"service": "REKAM", "date": "2026-11-26", "slot": "08:00"}
    )
    longest = "k" * 99 + "."
    first = client.post(path, json=body, headers={"Idempotency-Key": longest})
    assert first.status_code == 201, first.get_json()
    again = client.post(path, json=body, headers={"Idempotency-Key": longest})
    assert again.status_code == 200 and again.get_json() == first.get_json()  # the same answer, not a second one
    refused = client.post(path, json=body, headers={"Idempotency-Key": longest + "k"})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (400, "bad_request")
    assert "Idempotency-Key" in refused.get_json()["error"]["message"]
