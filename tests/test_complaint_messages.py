"""A complaint's answer reaches the phone number its resident left, by SMS where that channel is on; the number
itself is kept only until the complaint has been answered for ``[complaints] phone_days``, then housekeeping
removes it (on a controlled clock)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kiosk.domain import complaints as rules
from kiosk.domain import sms as sms_rules
from kiosk.domain.errors import ConfigError
from kiosk.office import housekeeping
from kiosk.office.messages import connect_office_events
from kiosk.storage import complaints as store
from tests.conftest import JAKARTA, Clock
from tests.support import add_staff, make_app, wait_until
from tests.test_sms import assert_fits, outbox, sms_overrides, worker

WORKWEEK = {
    **{f"office__hours__{day}": "08:00-15:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    "office__hours__sat": "",
    "office__hours__sun": "",
}
PHONE = "0812 3456 7890"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def login(app, username="kepala", password="rahasia-Admin1"):
    client = app.test_client()
    answer = client.post("/api/login", json={"username": username, "password": password})
    assert answer.status_code == 200
    return client, {"X-CSRF-Token": answer.get_json()["csrf_token"]}


def lodge(app, phone: str | None = PHONE, category="info") -> dict:
    answer = app.test_client().post(
        "/api/complaints", json={"category": category, "text": "Jam buka Sabtu?", "phone": phone}
    )
    assert answer.status_code == 201
    return answer.get_json()["complaint"]


def answer(app, code: str, text: str, **extra) -> None:
    admin, headers = login(app)
    reply = admin.post(f"/api/complaints/{code}/answer", json={"text": text, **extra}, headers=headers)
    assert reply.status_code == 200, reply.get_json()


@pytest.fixture
def clock():
    return Clock(at("2026-12-18 10:00"))  # a Friday


@pytest.fixture
def sms_office(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, printer__type="none", **sms_overrides(tmp_path), **WORKWEEK)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    yield app
    app.extensions["kiosk"].stop()


# ---------------------------------------------------------------- the answer by SMS


def test_the_answer_goes_by_sms_to_the_number_the_resident_left_once(sms_office):
    rt = sms_office.extensions["kiosk"]
    w = worker(sms_office)
    disconnect = connect_office_events(rt, w._on_event)  # the worker's own hook-up to the office's events
    try:
        complaint = lodge(sms_office)
        silent = lodge(sms_office, phone=None)
        answer(sms_office, complaint["code"], "Loket buka Sabtu pukul 08.00-12.00 untuk pengambilan KTP-el.")
        answer(sms_office, silent["code"], "Tidak ada yang dikirim: tanpa nomor.")
        # the hook-up hands events to its own thread: the message is committed soon after the answer
        wait_until(lambda: w.run_once() is not None and len(outbox(sms_office)) >= 1)
    finally:
        disconnect()
    w.run_once()
    texts = list(outbox(sms_office).values())
    assert texts == [
        f"Pengaduan {complaint['code']} sudah dijawab: Loket buka Sabtu pukul 08.00-12.00 untuk "
        f"pengambilan KTP-el. Selengkapnya: {complaint['track_url']}"
    ]
    assert_fits(texts[0])
    assert w.messages.on_event("complaint", {"code": complaint["code"], "change": "answered"}) == 0  # once only


def test_a_long_answer_is_cut_to_two_parts_and_keeps_the_link():
    url = "http://192.168.1.10:8080/c/" + "x" * 24
    text = rules.answer_sms("PGD-2026-0001", "Kami mohon maaf atas pelayanan yang kurang baik. " * 20, url)
    assert sms_rules.gsm7_length(text) <= 2 * sms_rules.PART_OF_TWO
    assert text.endswith("... Selengkapnya: " + url)
    referred = rules.answer_sms("PGD-2026-0002", "Sudah diteruskan.", url, "2606-11-0042")
    assert referred == (
        "Pengaduan PGD-2026-0002 diteruskan ke SP4N-LAPOR! dengan nomor 2606-11-0042. "
        "Sudah diteruskan. Selengkapnya: " + url
    )


def test_an_answer_during_quiet_hours_waits_for_the_morning(sms_office, clock):
    complaint = lodge(sms_office)
    clock.current = at("2026-12-18 21:30")  # [sms] quiet_hours 21:00-06:00
    answer(sms_office, complaint["code"], "Sudah kami perbaiki.")
    w = worker(sms_office)
    assert w.messages.on_event("complaint", {"code": complaint["code"], "change": "answered"}) == 1
    w.run_once()
    assert outbox(sms_office) == {}
    clock.current = at("2026-12-19 06:00")
    w.run_once()
    assert [text for text in outbox(sms_office).values()] == [
        f"Pengaduan {complaint['code']} sudah dijawab: Sudah kami perbaiki. Selengkapnya: {complaint['track_url']}"
    ]


# ---------------------------------------------------------------- keeping the number no longer than needed


def test_a_phone_number_is_removed_phone_days_after_the_answer_and_kept_while_open(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, printer__type="none", complaints__phone_days=30, **WORKWEEK)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    rt = app.extensions["kiosk"]
    try:
        answered = lodge(app)
        still_open = lodge(app, category="conduct")
        clock.current = at("2026-12-21 10:00")
        answer(app, answered["code"], "Sudah dijawab.")

        clock.current = at("2026-12-21 10:00") + timedelta(days=30)  # exactly 30 days: still kept
        assert housekeeping.forget_complaint_phones(rt) == 0
        assert store.get_by_code(rt.db, answered["code"])["phone"] == "+6281234567890"

        clock.current += timedelta(seconds=1)
        housekeeping.run(rt)  # the minute's round removes it
        kept = store.get_by_code(rt.db, answered["code"])
        assert kept["phone"] is None
        assert kept["text"] == "Jam buka Sabtu?" and kept["answer"] == "Sudah dijawab."  # the rest stays
        assert store.get_by_code(rt.db, still_open["code"])["phone"] == "+6281234567890"  # open: still needed

        clock.current += timedelta(days=400)
        housekeeping.run(rt)
        assert store.get_by_code(rt.db, still_open["code"])["phone"] == "+6281234567890"
    finally:
        rt.stop()


def test_phone_days_zero_removes_the_number_at_the_next_round_after_the_answer(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, printer__type="none", complaints__phone_days=0, **WORKWEEK)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    rt = app.extensions["kiosk"]
    try:
        complaint = lodge(app)
        answer(app, complaint["code"], "Sudah dijawab.")
        clock.advance(minutes=1)
        housekeeping.run(rt)
        assert store.get_by_code(rt.db, complaint["code"])["phone"] is None
    finally:
        rt.stop()


@pytest.mark.parametrize("value", [-1, 367, "30"])
def test_a_wrong_phone_days_stops_start_up_naming_the_key(tmp_path, value):
    with pytest.raises(ConfigError, match="complaints.phone_days"):
        make_app(tmp_path, complaints__phone_days=value)
