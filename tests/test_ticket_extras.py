"""POST /api/tickets extras (SPEC "Later days, fairness, disruptions"): one number per NIK where a service asks,
families on one number, an SMS phone kept until the ticket ends, and the late return of a no-show."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import JAKARTA
from tests.support import add_staff, make_app
from tests.test_bookings import services

NIK = "6203014107900001"
OTHER_NIK = "6203010101900002"


@pytest.fixture
def office(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, services=services(one_per_nik=True, daily_quota=6, booking_quota=4))
    add_staff(app)
    yield app
    app.extensions["kiosk"].stop()


def _staff(app):
    client = app.test_client()
    token = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    return client, {"X-CSRF-Token": token["csrf_token"]}


def test_one_number_per_nik_a_day_where_the_service_asks(office, clock):
    kiosk = office.test_client()
    missing = kiosk.post("/api/tickets", json={"service": "REKAM"})
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (400, "nik_required")
    bad = kiosk.post("/api/tickets", json={"service": "REKAM", "nik": "1234"})
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "invalid_nik")
    first = kiosk.post("/api/tickets", json={"service": "REKAM", "nik": NIK})
    assert first.status_code == 201 and "existing" not in first.get_json()
    again = kiosk.post("/api/tickets", json={"service": "REKAM", "nik": NIK})
    assert again.status_code == 200 and again.get_json()["existing"] is True
    assert again.get_json()["ticket"]["number"] == first.get_json()["ticket"]["number"] == "A-001"
    assert again.get_json()["ticket"]["print_status"] == "pending"  # printed again
    assert (
        kiosk.post("/api/tickets", json={"service": "REKAM", "nik": OTHER_NIK}).get_json()["ticket"]["number"]
        == "A-002"
    )
    assert kiosk.post("/api/tickets", json={"service": "CETAK"}).status_code == 201  # not asked there
    clock.current = datetime(2026, 11, 26, 9, 0, tzinfo=JAKARTA)  # the next day: a new number
    assert kiosk.post("/api/tickets", json={"service": "REKAM", "nik": NIK}).status_code == 201
    db = office.extensions["kiosk"].db
    stored = [row[0] for row in db.conn.execute("SELECT nik_hash FROM tickets WHERE nik_hash IS NOT NULL")]
    assert len(stored) == 3 and len(set(stored)) == 3  # keyed per day: the same NIK is not linkable across days
    dump = "\n".join(db.conn.iterdump())
    assert NIK not in dump and OTHER_NIK not in dump


def test_a_nik_with_a_booking_that_day_cannot_book_again(office):
    kiosk = office.test_client()
    body = {"service": "REKAM", "date": "2026-11-26", "slot": "00:00", "nik": NIK}
    assert kiosk.post("/api/bookings", json=body).status_code == 201
    twice = kiosk.post("/api/bookings", json={**body, "slot": "01:00"})
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (409, "already_booked")
    needs = kiosk.post("/api/bookings", json={**body, "nik": None})
    assert (needs.status_code, needs.get_json()["error"]["code"]) == (400, "nik_required")


def test_family_members_count_in_the_quota_and_the_estimate(office):
    kiosk = office.test_client()
    family = kiosk.post("/api/tickets", json={"service": "REKAM", "nik": NIK, "members": 4}).get_json()["ticket"]
    assert family["members"] == 4
    behind = kiosk.post("/api/tickets", json={"service": "REKAM", "nik": OTHER_NIK}).get_json()["ticket"]
    # 4 people ahead, 1 counter, 10 minutes each by default
    assert (behind["ahead"], behind["estimated_wait_minutes"]) == (1, 40)
    full = kiosk.post("/api/tickets", json={"service": "REKAM", "nik": "6203010101900003", "members": 2})
    assert (full.status_code, full.get_json()["error"]["code"]) == (409, "quota_reached")  # 5 of 6 taken
    assert kiosk.post("/api/tickets", json={"service": "REKAM", "nik": "6203010101900003"}).status_code == 201
    for members in (0, 6, "2", True):
        answer = kiosk.post("/api/tickets", json={"service": "CETAK", "members": members})
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (400, "bad_request")


def test_an_sms_phone_is_kept_until_the_ticket_ends(office):
    kiosk = office.test_client()
    db = office.extensions["kiosk"].db
    ticket = kiosk.post("/api/tickets", json={"service": "CETAK", "phone": "0812-3456-7890"}).get_json()["ticket"]
    assert db.conn.execute("SELECT phone FROM tickets WHERE id = ?", [ticket["id"]]).fetchone()[0] == "+6281234567890"
    bad = kiosk.post("/api/tickets", json={"service": "CETAK", "phone": "021-555"})
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "invalid_phone")
    staff, headers = _staff(office)
    called = staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"]
    assert called["id"] == ticket["id"]
    staff.post(f"/api/tickets/{ticket['id']}/done", headers=headers)
    assert db.conn.execute("SELECT phone FROM tickets WHERE id = ?", [ticket["id"]]).fetchone()[0] is None


def _eight_cetak_numbers(kiosk, clock) -> list[dict]:
    """B-001 to B-008 taken at the kiosk five seconds apart."""
    tickets = []
    for _ in range(8):
        tickets.append(kiosk.post("/api/tickets", json={"service": "CETAK"}).get_json()["ticket"])
        clock.advance(seconds=5)
    return tickets


def test_a_late_no_show_goes_back_once_a_few_numbers_later(office, clock):
    kiosk = office.test_client()
    _eight_cetak_numbers(kiosk, clock)
    staff, headers = _staff(office)
    first = staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"]
    assert first["number"] == "B-001"
    assert (
        staff.post(f"/api/tickets/{first['id']}/late-return", headers=headers).get_json()["error"]["code"]
        == "bad_transition"
    )  # not a no-show
    staff.post(f"/api/tickets/{first['id']}/no-show", headers=headers)
    clock.advance(minutes=20)
    back = staff.post(f"/api/tickets/{first['id']}/late-return", headers=headers)
    assert back.status_code == 200 and back.get_json()["ticket"]["status"] == "waiting"
    order = [t["number"] for t in staff.get("/api/counters/2", headers=headers).get_json()["waiting"]]
    assert order == ["B-002", "B-003", "B-004", "B-005", "B-006", "B-001", "B-007", "B-008"]  # 5 numbers later
    for _ in range(6):
        ticket = staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"]
        if ticket["number"] == "B-001":
            break
        staff.post(f"/api/tickets/{ticket['id']}/done", headers=headers)
    staff.post(f"/api/tickets/{first['id']}/no-show", headers=headers)
    once = staff.post(f"/api/tickets/{first['id']}/late-return", headers=headers)
    assert (once.status_code, once.get_json()["error"]["code"]) == (409, "already_returned")
    ticket = staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"]
    staff.post(f"/api/tickets/{ticket['id']}/no-show", headers=headers)
    clock.advance(minutes=61)
    late = staff.post(f"/api/tickets/{ticket['id']}/late-return", headers=headers)
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "too_late")


def test_a_missed_call_comes_back_by_scanning_the_ticket_qr_at_the_kiosk(office, clock):
    """The ticket's QR link, typed by the kiosk's scanner into the check-in field: the counter's late return."""
    kiosk = office.test_client()
    tickets = _eight_cetak_numbers(kiosk, clock)
    first = tickets[0]
    scanned = {"code": first["track_url"]}  # http://…/t/<token>, as the scanner types it

    waiting = kiosk.post("/api/check-ins", json=scanned)
    assert (waiting.status_code, waiting.get_json()["error"]["code"]) == (409, "not_a_no_show")
    assert "masih dalam antrean" in waiting.get_json()["error"]["message"]
    staff, headers = _staff(office)
    called = staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"]
    assert called["number"] == "B-001"
    at_counter = kiosk.post("/api/check-ins", json=scanned).get_json()["error"]
    assert at_counter["code"] == "not_a_no_show" and "menuju loket" in at_counter["message"]
    staff.post(f"/api/tickets/{called['id']}/no-show", headers=headers)
    clock.advance(minutes=20)

    back = kiosk.post("/api/check-ins", json=scanned)
    assert back.status_code == 200
    body = back.get_json()
    assert body["late_return"] is True and body["ticket"]["number"] == "B-001"
    assert body["ticket"]["status"] == "waiting" and body["ticket"]["ahead"] == 5
    order = [t["number"] for t in staff.get("/api/counters/2", headers=headers).get_json()["waiting"]]
    assert order == ["B-002", "B-003", "B-004", "B-005", "B-006", "B-001", "B-007", "B-008"]  # 5 numbers later

    again = kiosk.post("/api/check-ins", json=scanned)  # still waiting: nothing changes
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "not_a_no_show")
    events = office.extensions["kiosk"].db.conn.execute(
        "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND detail = 'late_return'", [first["id"]]
    )
    assert events.fetchone()[0] == 1

    late = tickets[1]
    while (ticket := staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"])["number"] != "B-002":
        staff.post(f"/api/tickets/{ticket['id']}/done", headers=headers)
    staff.post(f"/api/tickets/{ticket['id']}/no-show", headers=headers)
    clock.advance(minutes=61)
    too_late = kiosk.post("/api/check-ins", json={"code": late["track_url"]})
    assert (too_late.status_code, too_late.get_json()["error"]["code"]) == (409, "too_late")
    on_time = staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"]
    staff.post(f"/api/tickets/{on_time['id']}/no-show", headers=headers)
    clock.advance(minutes=60)  # exactly late_return_minutes: still let in
    link = next(t["track_url"] for t in tickets if t["number"] == on_time["number"])  # staff views carry no link
    edge = kiosk.post("/api/check-ins", json={"code": link})
    assert edge.status_code == 200 and edge.get_json()["ticket"]["number"] == on_time["number"]
    while (ticket := staff.post("/api/counters/2/next", headers=headers).get_json()["ticket"])["number"] != "B-001":
        staff.post(f"/api/tickets/{ticket['id']}/done", headers=headers)
    staff.post(f"/api/tickets/{ticket['id']}/no-show", headers=headers)  # missed a second time: only once back
    twice = kiosk.post("/api/check-ins", json=scanned)
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (409, "already_returned")
    unknown = kiosk.post("/api/check-ins", json={"code": "http://kios.local/t/AAAAAAAAAAAAAAAAAAAA"})
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "unknown_ticket")
    other = office.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.168.1.77"  # a phone on the office Wi-Fi, not a kiosk
    refused = other.post("/api/check-ins", json=scanned)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "not_a_kiosk")
