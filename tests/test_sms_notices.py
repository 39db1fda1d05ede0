"""SMS notices beyond the queue's own: the reminder the evening before a booking, a disruption that reaches a
booking, and the numbers given with a ticket or a booking (not only through /api/tickets/<id>/sms).

On gammu-smsd's folders with the office's controlled clock (gammu-smsd is played by moving files as in
tests/test_sms.py; tests/test_sms_gammu.py runs the real daemon)."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.domain import sms as rules
from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import parse_settings
from tests.conftest import JAKARTA
from tests.support import add_staff, make_app
from tests.test_sms import HOURS, booking_services, gammu_sends, outbox, sms_overrides, worker

OTHER = "+6285712345678"


def booking_app(tmp_path, clock, **sms):
    """An office with SMS on, open 08:00-12:00 Monday to Saturday, REKAM bookable; Wednesday 25 November, 09:00."""
    app = make_app(
        tmp_path,
        clock=clock,
        office__hours__sun="",
        **HOURS,
        services=booking_services(),
        **sms_overrides(tmp_path, **sms),
    )
    add_staff(app)
    return app


@pytest.fixture
def booking_office(tmp_path, clock):
    app = booking_app(tmp_path, clock)
    yield app
    app.extensions["kiosk"].stop()


STAFF_PC = {"REMOTE_ADDR": "192.168.1.20"}  # a counter's PC, not a kiosk


def staff_headers(client) -> dict[str, str]:
    login = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}, environ_base=STAFF_PC)
    return {"X-CSRF-Token": login.get_json()["csrf_token"]}


def book_by_staff(app, phone=None, day="2026-11-26", slot="08:00"):
    """A booking a member of staff makes for a resident who phoned in, with the resident's mobile number."""
    client = app.test_client()
    body = {"service": "REKAM", "date": day, "slot": slot}
    if phone is not None:
        body["phone"] = phone
    return client.post("/api/bookings", json=body, headers=staff_headers(client), environ_base=STAFF_PC)


def sent_texts(app) -> list[str]:
    """Run a round, return what reached the outbox, and let gammu-smsd send it."""
    worker(app).run_once()
    texts = list(outbox(app).values())
    gammu_sends(app)
    worker(app).run_once()
    return texts


# ---------------------------------------------------------------- staff adds a phone to a phoned-in booking


def test_staff_add_a_residents_mobile_to_a_phoned_in_booking(booking_office):
    answer = book_by_staff(booking_office, phone="0857-1234-5678")
    assert answer.status_code == 201, answer.get_json()
    row = booking_office.extensions["kiosk"].db.conn.execute("SELECT phone, created_by FROM bookings").fetchone()
    assert tuple(row) == (OTHER, "petugas")
    assert "phone" not in answer.get_json()["booking"]  # the number is never answered back


@pytest.mark.parametrize("phone", ["12345", "0211234567", "+1 555 0100", "08", 812345678, "0800 123 4567"])
def test_staff_get_a_400_for_a_number_that_is_no_indonesian_mobile(booking_office, phone):
    answer = book_by_staff(booking_office, phone=phone)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_phone"
    assert booking_office.extensions["kiosk"].db.conn.execute("SELECT COUNT(*) FROM bookings").fetchone()[0] == 0


# ---------------------------------------------------------------- the evening before


def test_a_booking_is_reminded_the_evening_before_at_the_configured_hour_once(booking_office, clock):
    booking = book_by_staff(booking_office, phone=OTHER).get_json()["booking"]
    book_by_staff(booking_office, phone="+6281234567891", day="2026-11-27")  # the day after: not yet
    book_by_staff(booking_office)  # no number: never reminded
    assert sent_texts(booking_office) == []  # Wednesday 09:00
    clock.current = datetime(2026, 11, 25, 17, 59, tzinfo=JAKARTA)
    assert sent_texts(booking_office) == []
    clock.current = datetime(2026, 11, 25, 18, 0, tzinfo=JAKARTA)  # [sms] reminder_time = "18:00"
    [text] = sent_texts(booking_office)
    assert text == rules.render(
        rules.BOOKING_REMINDER,
        service="REKAM",
        day="Kamis 26-11-2026",
        window="datang pukul 08.00-09.00",
        code=booking["code"],
        office=booking_office.extensions["kiosk"].settings.office.name,
    )
    assert text.startswith("Pengingat: besok Kamis 26-11-2026 nomor REKAM Anda")
    assert rules.is_gsm7(text) and rules.parts(text) <= 2
    clock.current = datetime(2026, 11, 25, 19, 30, tzinfo=JAKARTA)
    assert sent_texts(booking_office) == []  # once
    rows = (
        booking_office.extensions["kiosk"]
        .db.conn.execute("SELECT phone, kind, status FROM sms_messages WHERE kind = 'reminder'")
        .fetchall()
    )
    assert [tuple(row) for row in rows] == [(OTHER, "reminder", "sent")]


def test_a_cancelled_booking_is_not_reminded(booking_office, clock):
    booking = book_by_staff(booking_office, phone=OTHER).get_json()["booking"]
    client = booking_office.test_client()
    assert client.post(f"/api/bookings/{booking['token']}/cancel").status_code == 200
    clock.current = datetime(2026, 11, 25, 18, 30, tzinfo=JAKARTA)
    assert sent_texts(booking_office) == []


def test_a_reminder_never_goes_out_in_quiet_hours(tmp_path, clock):
    # reminders at 20:30, quiet from 20:00: the office was asked for an evening the config forbids
    with pytest.raises(ConfigError, match="reminder_time"):
        make_app(
            tmp_path / "bad",
            clock=clock,
            **sms_overrides(tmp_path / "bad", sms__reminder_time="20:30", sms__quiet_hours="20:00-06:00"),
        )
    # the server was off at 18:00 and comes back at 22:00, inside the quiet hours: the reminder waits for 06:00
    app = booking_app(tmp_path, clock, sms__quiet_hours="21:00-06:00")
    try:
        book_by_staff(app, phone=OTHER)
        clock.current = datetime(2026, 11, 25, 22, 0, tzinfo=JAKARTA)
        assert sent_texts(app) == []
        clock.current = datetime(2026, 11, 26, 5, 59, tzinfo=JAKARTA)
        assert sent_texts(app) == []
        clock.current = datetime(2026, 11, 26, 6, 0, tzinfo=JAKARTA)
        [text] = sent_texts(app)
        assert text.startswith("Pengingat:")
    finally:
        app.extensions["kiosk"].stop()


def test_reminder_time_is_checked_and_can_be_turned_off():
    from tests.unit.test_settings import demo_raw

    raw = demo_raw()
    assert parse_settings(raw).sms.reminder_time == "18:00"
    raw["sms"]["reminder_time"] = "6 sore"
    with pytest.raises(ConfigError, match="reminder_time"):
        parse_settings(raw)
    raw["sms"]["reminder_time"] = ""
    assert parse_settings(raw).sms.reminder_time == ""


def test_no_reminder_when_turned_off(tmp_path, clock):
    app = booking_app(tmp_path, clock, sms__reminder_time="")
    try:
        book_by_staff(app, phone=OTHER)
        clock.current = datetime(2026, 11, 25, 20, 0, tzinfo=JAKARTA)
        assert sent_texts(app) == []
    finally:
        app.extensions["kiosk"].stop()


# ---------------------------------------------------------------- a disruption reaches a booking


def start_disruption(app, service="REKAM", until=None):
    client = app.test_client()
    body = {"service": service, "reason": "blanko"}
    if until:
        body["until"] = until
    answer = client.post("/api/disruptions", json=body, headers=staff_headers(client), environ_base=STAFF_PC)
    assert answer.status_code == 201, answer.get_json()
    shown = answer.get_json()["disruption"]
    # the event bus hands this to the SMS worker's thread (tests/test_sms.py tests that hook-up); here, by hand
    worker(app).messages.on_event("disruption", shown)
    return shown


def test_a_disruption_of_the_booked_service_tells_the_booking_once(booking_office):
    booking = book_by_staff(booking_office, phone=OTHER).get_json()["booking"]
    book_by_staff(booking_office, phone="+6281234567891", slot="09:00")
    start_disruption(booking_office, service="CETAK")  # another service: nothing
    assert sent_texts(booking_office) == []
    shown = start_disruption(booking_office)
    messages = worker(booking_office).messages
    texts = sent_texts(booking_office)
    assert len(texts) == 2
    assert any(
        text.startswith(
            f"Pemesanan {booking['code']} (REKAM, Kamis 26-11-2026, 08.00-09.00): layanan REKAM sedang terganggu"
        )
        for text in texts
    ), texts
    assert all(rules.is_gsm7(text) and rules.parts(text) <= 2 for text in texts)
    assert messages.on_event("disruption", shown) == 0  # heard again: not sent twice
    assert sent_texts(booking_office) == []


def test_a_disruption_over_before_the_booked_window_tells_nobody(booking_office):
    book_by_staff(booking_office, phone=OTHER)
    start_disruption(booking_office, until="2026-11-25T12:00")
    assert sent_texts(booking_office) == []


# ---------------------------------------------------------------- numbers given with the ticket itself


def test_a_number_given_when_taking_the_ticket_hears_3_more_and_the_call(booking_office):
    client = booking_office.test_client()
    for _ in range(4):
        client.post("/api/tickets", json={"service": "REKAM"})
    mine = client.post("/api/tickets", json={"service": "REKAM", "phone": "0857 1234 5678"}).get_json()["ticket"]
    staff = booking_office.test_client()
    headers = staff_headers(staff)
    texts = sent_texts(booking_office)
    assert texts == []  # four ahead
    office_name = booking_office.extensions["kiosk"].settings.office.name
    texts = []
    for _ in range(5):
        called = staff.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
        texts += sent_texts(booking_office)
        staff.post(f"/api/tickets/{called['id']}/done", headers=headers)
    assert texts == [
        rules.render(rules.NEAR, number=mine["number"], office=office_name),
        rules.render(rules.CALLED, number=mine["number"], counter="Loket 1"),
    ]


def test_a_booking_checked_in_with_a_number_hears_its_call(booking_office, clock):
    booking = book_by_staff(booking_office, phone=OTHER).get_json()["booking"]
    clock.current = datetime(2026, 11, 26, 7, 45, tzinfo=JAKARTA)
    client = booking_office.test_client()
    checked = client.post("/api/check-ins", json={"code": booking["code"]})
    assert checked.status_code == 201, checked.get_json()
    number = checked.get_json()["ticket"]["number"]
    clock.current = datetime(2026, 11, 26, 8, 0, tzinfo=JAKARTA)
    texts = sent_texts(booking_office)
    office_name = booking_office.extensions["kiosk"].settings.office.name
    assert texts == [rules.render(rules.NEAR, number=number, office=office_name)]
    client.post("/api/counters/1/next", headers=staff_headers(client))
    assert sent_texts(booking_office) == [rules.render(rules.CALLED, number=number, counter="Loket 1")]


# ---------------------------------------------------------------- a number added to a booking afterwards


def test_a_number_added_to_a_booking_at_the_kiosk_gets_its_reminder(booking_office, clock):
    kiosk = booking_office.test_client()  # 127.0.0.1: a kiosk PC
    booking = kiosk.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "09:00"}).get_json()[
        "booking"
    ]
    bad = kiosk.post(f"/api/bookings/{booking['token']}/sms", json={"phone": "0800 123 4567"})
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "invalid_phone")
    unknown = kiosk.post("/api/bookings/no-such-token/sms", json={"phone": OTHER})
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "unknown_booking")
    phone_page = booking_office.test_client()
    refused = phone_page.post(
        f"/api/bookings/{booking['token']}/sms", json={"phone": OTHER}, environ_base={"REMOTE_ADDR": "192.168.1.77"}
    )
    assert refused.status_code == 403
    added = kiosk.post(f"/api/bookings/{booking['token']}/sms", json={"phone": "0857 1234 5678"})
    assert added.status_code == 201
    assert added.get_json()["sms"] == {"booking": booking["code"], "phone": "+62857*****678"}
    clock.current = datetime(2026, 11, 25, 18, 5, tzinfo=JAKARTA)
    [text] = sent_texts(booking_office)
    assert text.startswith("Pengingat: besok Kamis 26-11-2026 nomor REKAM") and booking["code"] in text
    kiosk.post(f"/api/bookings/{booking['token']}/cancel")
    again = kiosk.post(f"/api/bookings/{booking['token']}/sms", json={"phone": OTHER})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "booking_not_open")
    assert booking_office.extensions["kiosk"].db.conn.execute("SELECT phone FROM bookings").fetchone()[0] is None
