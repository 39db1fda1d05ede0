"""Staff booking a later day for a resident who phones (POST /api/bookings with a staff session): the booking
is the staff member's, and no slip is printed at the kiosk, also when the counter PC is a kiosk address."""

from __future__ import annotations

from tests.test_bookings import office  # noqa: F401 (the fixture)


def _slips(app) -> int:
    return app.extensions["kiosk"].db.conn.execute("SELECT COUNT(*) FROM slip_jobs").fetchone()[0]


def test_a_staff_booking_from_a_kiosk_address_is_the_staff_members_and_prints_no_slip(office):  # noqa: F811
    client = office.test_client()  # 127.0.0.1: a kiosk address of the test office
    assert office.extensions["kiosk"].settings.printer.type != "none"
    kiosk = client.post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"})
    assert kiosk.status_code == 201 and _slips(office) == 1  # the kiosk's own booking prints its slip
    csrf = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    answer = client.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "09:00", "phone": "081234567890"},
        headers={"X-CSRF-Token": csrf["csrf_token"]},
    )
    assert answer.status_code == 201
    row = (
        office.extensions["kiosk"]
        .db.conn.execute(
            "SELECT created_by, phone FROM bookings WHERE code = ?", [answer.get_json()["booking"]["code"]]
        )
        .fetchone()
    )
    assert tuple(row) == ("petugas", "+6281234567890")
    assert _slips(office) == 1


def test_a_staff_session_with_a_wrong_token_is_refused_not_taken_for_a_kiosk(office):  # noqa: F811
    client = office.test_client()
    client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    answer = client.post(
        "/api/bookings",
        json={"service": "REKAM", "date": "2026-11-26", "slot": "09:00"},
        headers={"X-CSRF-Token": "not-the-token"},
    )
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "csrf_failed"
