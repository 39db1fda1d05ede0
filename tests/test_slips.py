"""A booking slip prints through the print worker like a ticket, although its day is not today."""

from __future__ import annotations

import pytest

from kiosk.office.printing import PrintWorker
from kiosk.storage import bookings as store
from printer.slip import SlipPrint, render_slip
from tests.support import add_staff, make_app
from tests.test_bookings import HOURS, services


@pytest.fixture
def office(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, office__hours__sun="", **HOURS, services=services(booking_quota=8))
    add_staff(app)
    yield app
    app.extensions["kiosk"].stop()


def test_a_kiosk_booking_prints_its_slip_for_the_later_day(office, tmp_path):
    rt = office.extensions["kiosk"]
    booking = (
        office.test_client()
        .post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00", "members": 2})
        .get_json()["booking"]
    )
    PrintWorker(rt).drain_once()
    printed = (tmp_path / "printer.bin").read_bytes()
    for text in (
        booking["code"],
        "Kamis, 26 November 2026",
        "datang pukul 08.00-09.00",
        "Untuk 2 orang",
        "Bawa: Kartu Keluarga asli;",
        "Sudah berusia 17",
        "Perekaman KTP-el",
    ):
        assert text.encode() in printed, text
    assert booking["track_url"].encode() in printed  # the QR code's content (native QR: stored as text)
    row = store.by_token(rt.db, booking["token"])
    assert [job["status"] for job in store.slip_jobs_of(rt.db, row["id"])] == ["printed"]


def test_a_booking_made_by_staff_prints_nothing_and_a_cancelled_one_is_skipped(office, tmp_path):
    rt = office.extensions["kiosk"]
    client = office.test_client()
    booking = client.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "09:00"}).get_json()[
        "booking"
    ]
    client.post(f"/api/bookings/{booking['token']}/cancel")
    PrintWorker(rt).drain_once()
    row = store.by_token(rt.db, booking["token"])
    assert [(job["status"], job["last_error"]) for job in store.slip_jobs_of(rt.db, row["id"])] == [
        ("failed", "skipped: booking cancelled")
    ]
    staff = office.test_client()
    token = staff.post(
        "/api/login",
        json={"username": "petugas", "password": "rahasia-Loket1"},
        environ_base={"REMOTE_ADDR": "192.168.1.20"},
    ).get_json()["csrf_token"]
    phoned = staff.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "10:00"},
        headers={"X-CSRF-Token": token},
        environ_base={"REMOTE_ADDR": "192.168.1.20"},
    )
    assert store.slip_jobs_of(rt.db, store.by_token(rt.db, phoned.get_json()["booking"]["token"])["id"]) == []


@pytest.mark.parametrize("paper, profile", [(58, "POS-5890"), (80, "TM-T20II")])
def test_the_slip_fits_both_papers(paper, profile):
    slip = SlipPrint(
        office_name="Kantor Kecamatan Selat",
        service_name="Perekaman KTP-el",
        code="K7M2QX",
        day="Kamis, 26 November 2026",
        window="datang pukul 08.00\u201309.00",
        members=1,
        requirements=("Kartu Keluarga asli",),
        track_url="http://192.168.1.10:8080/b/" + "x" * 16,
    )
    data = render_slip(slip, profile, paper)
    assert b"K7M2QX" in data and b"datang pukul 08.00-09.00" in data and b"Bawa: Kartu Keluarga asli" in data
