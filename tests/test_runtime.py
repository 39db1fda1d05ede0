"""The runtime's housekeeping loop itself, running in its thread against a controllable office clock."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from tests.conftest import JAKARTA, Clock
from tests.support import add_staff, make_app, wait_until

WEEKDAYS_8_TO_15 = {f"office__hours__{day}": "08:00-15:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def office(tmp_path):
    """Factory: an app on a clock, its housekeeping loop started (one round every 20 ms), a staff client."""
    started = []

    def open_office(clock: Clock, **overrides):
        app = make_app(tmp_path, clock=clock, queue__expire_grace_minutes=30, **overrides)
        add_staff(app)
        runtime = app.extensions["kiosk"]
        runtime.housekeeping_seconds = 0.02
        client = app.test_client()
        csrf = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
        runtime.start()
        started.append(runtime)
        return client, {"X-CSRF-Token": csrf["csrf_token"]}

    yield open_office
    for runtime in started:
        runtime.stop()


def _status(client, ticket) -> str:
    return client.get(f"/api/tickets/{ticket['token']}").get_json()["ticket"]["status"]


def _issue(client, service="REKAM", key=None):
    answer = client.post("/api/tickets", json={"service": service}, headers={"Idempotency-Key": key} if key else {})
    assert answer.status_code in (200, 201)
    return answer


def _rounds(seconds: float = 0.2) -> None:
    """Let the loop run several rounds (it runs every 20 ms)."""
    time.sleep(seconds)


def test_the_loop_expires_waiting_tickets_after_closing_time_plus_grace_not_a_held_one(office):
    clock = Clock(datetime(2026, 11, 25, 14, 40, tzinfo=JAKARTA))  # a Wednesday, office open 08.00-15.00
    client, staff = office(clock, **WEEKDAYS_8_TO_15)
    held = _issue(client).get_json()["ticket"]
    waiting = _issue(client).get_json()["ticket"]
    assert client.post("/api/counters/1/next", headers=staff).get_json()["ticket"]["id"] == held["id"]

    clock.advance(minutes=45)  # 15.25: closed, but within the 30-minute grace
    _rounds()
    assert (_status(client, waiting), _status(client, held)) == ("waiting", "called")

    clock.advance(minutes=6)  # 15.31
    wait_until(lambda: _status(client, waiting) == "expired", timeout=5)
    _rounds()
    assert _status(client, held) == "called"  # the counter still has the resident in front of it
    assert client.post(f"/api/tickets/{held['id']}/done", headers=staff).status_code == 200


def test_the_loop_across_midnight_in_a_24_hour_office(office):
    clock = Clock(datetime(2026, 11, 25, 23, 50, tzinfo=JAKARTA))
    client, staff = office(clock)  # open 00.00-24.00 every day
    held = _issue(client).get_json()["ticket"]
    first = _issue(client, key="kiosk1-late").get_json()["ticket"]
    second = _issue(client).get_json()["ticket"]
    assert client.post("/api/counters/1/next", headers=staff).get_json()["ticket"]["id"] == held["id"]

    clock.advance(minutes=15)  # 00.05 on Thursday: a new office day
    _rounds()
    assert [_status(client, t) for t in (held, first, second)] == ["called", "waiting", "waiting"]
    retry = _issue(client, key="kiosk1-late")  # the kiosk's retry after midnight
    assert (retry.status_code, retry.get_json()["ticket"]["id"]) == (200, first["id"])
    assert client.post(f"/api/tickets/{held['id']}/done", headers=staff).status_code == 200
    called = client.post("/api/counters/1/next", headers=staff)  # yesterday's queue is still served
    assert (called.status_code, called.get_json()["ticket"]["id"]) == (200, first["id"])

    clock.advance(minutes=26)  # 00.31: past midnight plus the grace
    wait_until(lambda: _status(client, second) == "expired", timeout=5)
    assert _status(client, first) == "called"

    clock.advance(hours=49)  # the key is forgotten after 48 hours: it may be used again
    wait_until(lambda: _issue(client, key="kiosk1-late").status_code == 201, timeout=5)


def test_the_clock_jumping_back_and_forth_across_midnight_never_repeats_a_number(office):
    """The PC's clock corrected backwards then forwards (a dead CMOS battery, then NTP): numbers stay unique."""
    clock = Clock(datetime(2026, 11, 26, 0, 2, tzinfo=JAKARTA))  # Thursday 00.02, a 24-hour office
    client, staff = office(clock)
    thursday = [_issue(client).get_json()["ticket"] for _ in range(3)]
    assert client.post("/api/counters/1/next", headers=staff).get_json()["ticket"]["id"] == thursday[0]["id"]

    clock.current = datetime(2026, 11, 25, 23, 58, tzinfo=JAKARTA)  # back to Wednesday
    _rounds()
    wednesday = [_issue(client).get_json()["ticket"] for _ in range(2)]
    clock.current = datetime(2026, 11, 26, 0, 3, tzinfo=JAKARTA)  # forward again
    _rounds()
    later = _issue(client).get_json()["ticket"]

    assert [t["number"] for t in thursday + [later]] == ["A-001", "A-002", "A-003", "A-004"]
    assert {t["issued_at"][:10] for t in wednesday} == {"2026-11-25"} and len({t["number"] for t in wednesday}) == 2
    assert _status(client, thursday[0]) == "called"  # the counter's resident was never expired by the jumps
    assert [_status(client, t) for t in thursday[1:] + [later]] == ["waiting"] * 3
    assert client.post(f"/api/tickets/{thursday[0]['id']}/done", headers=staff).status_code == 200
