"""Today's service overrides (PATCH /api/services/<code>) over a real waitress server on a settable clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests

from kiosk.storage import services as service_store
from tests.conftest import JAKARTA, Clock
from tests.support import LiveServer, add_staff, make_app


class Desk:
    """A browser session against the live server, logged in when credentials are given."""

    def __init__(self, server: LiveServer, username: str | None = None, password: str | None = None):
        self.server, self.session, self.headers = server, requests.Session(), {}
        if username:
            answer = self.session.post(
                server.url + "/api/login", json={"username": username, "password": password}, timeout=10
            )
            answer.raise_for_status()
            self.headers = {"X-CSRF-Token": answer.json()["csrf_token"]}

    def patch(self, code: str, body, **kwargs) -> requests.Response:
        return self.session.patch(
            f"{self.server.url}/api/services/{code}", json=body, headers=kwargs.get("headers", self.headers), timeout=10
        )

    def issue(self, code: str) -> requests.Response:
        return self.session.post(self.server.url + "/api/tickets", json={"service": code}, timeout=10)

    def service(self, code: str) -> dict:
        answer = self.session.get(self.server.url + "/api/services", timeout=10)
        assert answer.status_code == 200
        return next(item for item in answer.json() if item["code"] == code)


@pytest.fixture
def office(tmp_path):
    """A live office (always open) on a settable clock: Wednesday 25 November 2026, 09:00 in Jakarta."""
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA))
    app = make_app(tmp_path, clock=clock, printer__type="none")
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    yield server, clock
    server.stop()


@pytest.fixture
def admin(office):
    return Desk(office[0], "kepala", "rahasia-Admin1")


def test_closing_a_service_stops_issuing_and_reopening_restores_it(office, admin):
    server, _ = office
    kiosk = Desk(server)
    assert kiosk.issue("REKAM").status_code == 201

    answer = admin.patch("REKAM", {"open": False})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {key: body[key] for key in ("code", "open", "reason", "daily_quota", "issued_today")} == {
        "code": "REKAM",
        "open": False,
        "reason": "closed_by_staff",
        "daily_quota": 100,
        "issued_today": 1,
    }
    assert body["override"] == {
        "day": "2026-11-25",
        "open": False,
        "daily_quota": None,
        "updated_at": "2026-11-25T09:00:00+07:00",
        "updated_by": "kepala",
    }

    shown = kiosk.service("REKAM")
    assert (shown["open"], shown["reason"]) == (False, "closed_by_staff")
    assert kiosk.service("AMBIL")["open"] is True  # only that service
    refused = kiosk.issue("REKAM")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "service_closed"
    assert refused.json()["error"]["message"] == "Layanan ini ditutup sementara hari ini."
    assert kiosk.issue("AMBIL").status_code == 201

    reopened = admin.patch("REKAM", {"open": True})
    assert reopened.status_code == 200
    assert (reopened.json()["open"], reopened.json()["reason"]) == (True, None)
    issued = kiosk.issue("REKAM")
    assert issued.status_code == 201
    assert issued.json()["ticket"]["number"] == "A-002"


def test_todays_quota_is_honoured_and_null_goes_back_to_the_configured_one(office, admin):
    server, _ = office
    kiosk = Desk(server)
    for _ in range(2):
        assert kiosk.issue("REKAM").status_code == 201

    answer = admin.patch("REKAM", {"daily_quota": 2})
    assert answer.status_code == 200
    assert (answer.json()["daily_quota"], answer.json()["open"], answer.json()["reason"]) == (2, False, "quota_reached")
    refused = kiosk.issue("REKAM")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "quota_reached"
    assert kiosk.service("REKAM")["reason"] == "quota_reached"

    raised = admin.patch("REKAM", {"daily_quota": 3})
    assert raised.json()["open"] is True
    assert kiosk.issue("REKAM").status_code == 201
    assert kiosk.issue("REKAM").json()["error"]["code"] == "quota_reached"

    back = admin.patch("REKAM", {"daily_quota": None})
    assert back.status_code == 200
    assert back.json()["daily_quota"] == 100  # config/kiosk.toml
    assert kiosk.issue("REKAM").status_code == 201

    # A service without a configured quota can get one for today too.
    assert admin.patch("INFO", {"daily_quota": 0}).json()["daily_quota"] == 0
    assert kiosk.issue("INFO").json()["error"]["code"] == "quota_reached"


def test_both_fields_at_once_and_a_later_change_keeps_the_other_field(office, admin):
    server, _ = office
    assert admin.patch("CETAK", {"open": False, "daily_quota": 5}).json()["override"]["daily_quota"] == 5
    later = admin.patch("CETAK", {"daily_quota": 7}).json()
    assert (later["open"], later["override"]["open"], later["daily_quota"]) == (False, False, 7)


def test_an_override_is_for_today_only(office, admin):
    server, clock = office
    kiosk = Desk(server)
    admin.patch("REKAM", {"open": False})
    admin.patch("AMBIL", {"daily_quota": 0})
    assert kiosk.issue("REKAM").status_code == 409

    clock.current = datetime(2026, 11, 25, 23, 59, 59, tzinfo=JAKARTA)
    assert kiosk.issue("REKAM").status_code == 409
    clock.current = datetime(2026, 11, 26, 0, 0, 0, tzinfo=JAKARTA)  # the office day has turned
    assert kiosk.service("REKAM")["open"] is True
    assert kiosk.issue("REKAM").status_code == 201
    assert kiosk.issue("AMBIL").status_code == 201


def test_who_and_when_are_recorded_for_every_change(office, admin):
    server, clock = office
    admin.patch("REKAM", {"open": False})
    clock.current = datetime(2026, 11, 25, 10, 30, tzinfo=JAKARTA)
    admin.patch("REKAM", {"open": True, "daily_quota": 40})

    log = service_store.service_override_log(server.runtime.db, "2026-11-25", "REKAM")
    assert [(row["at"], row["username"], row["open"], row["daily_quota"], row["changes"]) for row in log] == [
        ("2026-11-25T09:00:00+07:00", "kepala", 0, None, "open"),
        ("2026-11-25T10:30:00+07:00", "kepala", 1, 40, "daily_quota,open"),
    ]
    row = service_store.service_override(server.runtime.db, "2026-11-25", "REKAM")
    assert (row["updated_by"], row["updated_at"]) == ("kepala", "2026-11-25T10:30:00+07:00")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"open": "false"},
        {"open": 0},
        {"open": None},
        {"daily_quota": -1},
        {"daily_quota": 1.5},
        {"daily_quota": "50"},
        {"daily_quota": True},
        {"daily_quota": 100_001},
        {"quota": 50},
        {"open": False, "reason": "x"},
        [],
        "tutup",
        5,
    ],
)
def test_a_bad_body_is_a_400_in_indonesian_and_changes_nothing(office, admin, body):
    server, _ = office
    answer = admin.patch("REKAM", body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "bad_request"
    assert any(word in error["message"] for word in ("harus", "tidak dikenal", "Kirim", "Data"))
    assert service_store.service_override(server.runtime.db, "2026-11-25", "REKAM") is None


def test_a_body_that_is_not_json_is_a_400(office, admin):
    server, _ = office
    answer = admin.session.patch(
        server.url + "/api/services/REKAM",
        data="open=false",
        headers={**admin.headers, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_request"


def test_an_unknown_service_is_a_404(office, admin):
    answer = admin.patch("NOPE", {"open": False})
    assert answer.status_code == 404
    assert answer.json()["error"] == {"code": "unknown_service", "message": "Layanan 'NOPE' tidak dikenal."}


def test_only_an_admin_may_override(office):
    server, _ = office
    anonymous = Desk(server).patch("REKAM", {"open": False})
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "login_required")
    clerk = Desk(server, "petugas", "rahasia-Loket1").patch("REKAM", {"open": False})
    assert (clerk.status_code, clerk.json()["error"]["code"]) == (403, "forbidden")
    admin = Desk(server, "kepala", "rahasia-Admin1")
    no_csrf = admin.patch("REKAM", {"open": False}, headers={})
    assert (no_csrf.status_code, no_csrf.json()["error"]["code"]) == (403, "csrf_failed")
    assert service_store.service_override(server.runtime.db, "2026-11-25", "REKAM") is None
    assert Desk(server).service("REKAM")["open"] is True


def test_openapi_describes_the_override(office):
    server, _ = office
    document = requests.get(server.url + "/api/openapi.json", timeout=10).json()
    operation = document["paths"]["/api/services/{code}"]["patch"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404"}
    assert set(operation["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "open",
        "daily_quota",
    }


# ---------------------------------------------------------------- the rules table (Asia/Jakarta)

from datetime import UTC, date  # noqa: E402

from kiosk.domain import queue  # noqa: E402
from kiosk.domain.settings import WEEKDAYS, parse_hours  # noqa: E402

OFFICE_HOURS = {
    day: parse_hours(text, day) for day, text in zip(WEEKDAYS, ("08:00-15:00",) * 5 + ("08:00-12:00", ""), strict=True)
}
AROUND_THE_CLOCK = {day: parse_hours("00:00-24:00", day) for day in WEEKDAYS}
CHRISTMAS_EVE = {date(2026, 12, 24): "Cuti bersama Natal"}
YEAR_END = {date(2026, 12, 28) + timedelta(days=n): "Cuti bersama akhir tahun" for n in range(12)}


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=JAKARTA)


RULES = [
    # (case, now, hours, closed dates, override, issued, quota) -> (open, reason, reopens)
    ("Wednesday morning", at(2026, 11, 25, 9, 0), OFFICE_HOURS, None, None, 0, None, (True, None, None)),
    (
        "a second before opening",
        at(2026, 11, 25, 7, 59, 59),
        OFFICE_HOURS,
        None,
        None,
        0,
        None,
        (False, "before_hours", "Buka kembali hari ini pukul 08.00."),
    ),
    (
        "at closing time",
        at(2026, 11, 25, 15, 0),
        OFFICE_HOURS,
        None,
        None,
        0,
        None,
        (False, "after_hours", "Buka kembali Kamis, 08.00."),
    ),
    ("Saturday before noon", at(2026, 11, 28, 11, 59), OFFICE_HOURS, None, None, 0, None, (True, None, None)),
    (
        "Saturday noon",
        at(2026, 11, 28, 12, 0),
        OFFICE_HOURS,
        None,
        None,
        0,
        None,
        (False, "after_hours", "Buka kembali Senin, 08.00."),
    ),
    (
        "Sunday",
        at(2026, 11, 29, 10, 0),
        OFFICE_HOURS,
        None,
        None,
        0,
        None,
        (False, "closed_today", "Buka kembali Senin, 08.00."),
    ),
    (
        "17 August",
        at(2026, 8, 17, 9, 0),
        OFFICE_HOURS,
        None,
        None,
        0,
        None,
        (False, "holiday", "Buka kembali Selasa, 08.00."),
    ),
    (
        "extra closed date, then Christmas",
        at(2026, 12, 24, 9, 0),
        OFFICE_HOURS,
        CHRISTMAS_EVE,
        None,
        0,
        None,
        (False, "closed_date", "Buka kembali Sabtu, 08.00."),
    ),
    (
        "the day before the extra closed date",
        at(2026, 12, 23, 15, 30),
        OFFICE_HOURS,
        CHRISTMAS_EVE,
        None,
        0,
        None,
        (False, "after_hours", "Buka kembali Sabtu, 08.00."),
    ),
    (
        "closed for two weeks: the date is said",
        at(2026, 12, 28, 9, 0),
        OFFICE_HOURS,
        YEAR_END,
        None,
        0,
        None,
        (False, "closed_date", "Buka kembali Sabtu, 9 Januari 2027, 08.00."),
    ),
    (
        "quota reached",
        at(2026, 11, 25, 9, 0),
        OFFICE_HOURS,
        None,
        None,
        50,
        50,
        (False, "quota_reached", "Buka kembali Kamis, 08.00."),
    ),
    ("below quota", at(2026, 11, 25, 9, 0), OFFICE_HOURS, None, None, 49, 50, (True, None, None)),
    (
        "today's quota raised",
        at(2026, 11, 25, 9, 0),
        OFFICE_HOURS,
        None,
        {"daily_quota": 60, "open": None},
        50,
        50,
        (True, None, None),
    ),
    (
        "today's quota lowered",
        at(2026, 11, 25, 9, 0),
        OFFICE_HOURS,
        None,
        {"daily_quota": 10, "open": None},
        10,
        50,
        (False, "quota_reached", "Buka kembali Kamis, 08.00."),
    ),
    (
        "closed by staff",
        at(2026, 11, 25, 9, 0),
        OFFICE_HOURS,
        None,
        {"daily_quota": None, "open": 0},
        0,
        None,
        (False, "closed_by_staff", "Buka kembali Kamis, 08.00."),
    ),
    (
        "reopened by staff",
        at(2026, 11, 25, 9, 0),
        OFFICE_HOURS,
        None,
        {"daily_quota": None, "open": 1},
        0,
        None,
        (True, None, None),
    ),
    (
        "reopening does not beat the hours",
        at(2026, 11, 25, 16, 0),
        OFFICE_HOURS,
        None,
        {"daily_quota": None, "open": 1},
        0,
        None,
        (False, "after_hours", "Buka kembali Kamis, 08.00."),
    ),
    (
        "24 hours: last second before midnight",
        at(2026, 12, 23, 23, 59, 59),
        AROUND_THE_CLOCK,
        CHRISTMAS_EVE,
        None,
        0,
        None,
        (True, None, None),
    ),
    (
        "24 hours: midnight of the extra closed date",
        at(2026, 12, 24, 0, 0),
        AROUND_THE_CLOCK,
        CHRISTMAS_EVE,
        None,
        0,
        None,
        (False, "closed_date", "Buka kembali Sabtu, 00.00."),
    ),
    (
        "midnight in Jakarta is 17:00 UTC on 16 August",
        datetime(2026, 8, 16, 17, 0, tzinfo=UTC).astimezone(JAKARTA),
        AROUND_THE_CLOCK,
        None,
        None,
        0,
        None,
        (False, "holiday", "Buka kembali Selasa, 00.00."),
    ),
    (
        "a second earlier it is still 16 August",
        datetime(2026, 8, 16, 16, 59, 59, tzinfo=UTC).astimezone(JAKARTA),
        AROUND_THE_CLOCK,
        None,
        None,
        0,
        None,
        (True, None, None),
    ),
]


@pytest.mark.parametrize(
    ("case", "now", "hours", "closed", "override", "issued", "quota", "expected"),
    RULES,
    ids=[rule[0] for rule in RULES],
)
def test_rules_table(case, now, hours, closed, override, issued, quota, expected):
    from kiosk.domain.settings import Office, Service

    office = Office("Kantor", JAKARTA, "http://127.0.0.1", True, hours)
    service = Service("REKAM", "Perekaman", "A", daily_quota=quota)
    state = queue.service_availability(office, service, now, override, issued, closed)
    opens = (
        None
        if state.open
        else queue.next_opening(
            now, hours, True, closed, from_tomorrow=state.reason in ("closed_by_staff", "quota_reached")
        )
    )
    assert (state.open, state.reason, queue.reopen_text(now, opens)) == expected


# ---------------------------------------------------------------- extra closed dates over HTTP


def test_an_extra_closed_date_closes_the_office_and_the_kiosk_says_when_it_opens(office, admin):
    server, clock = office
    kiosk = Desk(server)
    put = admin.session.put(
        server.url + "/api/admin/closed-dates/2026-11-26",
        json={"reason": "Cuti bersama"},
        headers=admin.headers,
        timeout=10,
    )
    assert put.status_code == 201, put.text
    assert put.json() == {
        "closed_date": {
            "date": "2026-11-26",
            "reason": "Cuti bersama",
            "created_at": "2026-11-25T09:00:00+07:00",
            "created_by": "kepala",
        }
    }
    changed = admin.session.put(
        server.url + "/api/admin/closed-dates/2026-11-26",
        json={"reason": "Cuti bersama Hari Guru"},
        headers=admin.headers,
        timeout=10,
    )
    assert changed.status_code == 200
    assert kiosk.issue("REKAM").status_code == 201  # today is not affected

    clock.current = datetime(2026, 11, 26, 9, 0, tzinfo=JAKARTA)
    shown = kiosk.service("REKAM")
    assert {key: shown[key] for key in ("open", "reason", "message", "opens_at", "reopens")} == {
        "open": False,
        "reason": "closed_date",
        "message": "Kantor tutup hari ini: Cuti bersama Hari Guru.",
        "opens_at": "2026-11-27T00:00+07:00",
        "reopens": "Buka kembali Jumat, 00.00.",
    }  # the test office: 24 h
    refused = kiosk.issue("REKAM")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "service_closed")
    assert refused.json()["error"]["message"] == "Kantor tutup hari ini: Cuti bersama Hari Guru."

    admin = Desk(server, "kepala", "rahasia-Admin1")  # the session of yesterday has ended
    listed = admin.session.get(server.url + "/api/admin/closed-dates?from=2026-11-01", timeout=10).json()
    assert [row["date"] for row in listed["closed_dates"]] == ["2026-11-26"]
    gone = admin.session.delete(server.url + "/api/admin/closed-dates/2026-11-26", headers=admin.headers, timeout=10)
    assert gone.status_code == 200
    assert kiosk.issue("REKAM").status_code == 201
    again = admin.session.delete(server.url + "/api/admin/closed-dates/2026-11-26", headers=admin.headers, timeout=10)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "not_found")


def test_the_closed_dates_list_shows_national_holidays_beside_them(tmp_path):
    clock = Clock(datetime(2026, 8, 1, 9, 0, tzinfo=JAKARTA))
    app = make_app(tmp_path, clock=clock, printer__type="none", office__observe_national_holidays=True)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    try:
        admin = Desk(server, "kepala", "rahasia-Admin1")
        listed = admin.session.get(server.url + "/api/admin/closed-dates", timeout=10).json()
        assert {"date": "2026-08-17", "name": "Hari Kemerdekaan Republik Indonesia"} in listed["holidays"]
        assert listed["closed_dates"] == []
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("day", "body"),
    [
        ("2026-13-01", {"reason": "x"}),
        ("26-11-2026", {"reason": "x"}),
        ("2026-11-24", {"reason": "kemarin"}),
        ("2026-11-30", {}),
        ("2026-11-30", {"reason": "  "}),
        ("2026-11-30", {"reason": 5}),
        ("2026-11-30", {"reason": "x" * 101}),
        ("2026-11-30", {"reason": "a\u202eb"}),
        ("2026-11-30", {"reason": "x", "y": 1}),
        ("2026-11-30", ["x"]),
    ],
)
def test_a_bad_closed_date_is_a_400(office, admin, day, body):
    server, _ = office
    answer = admin.session.put(
        f"{server.url}/api/admin/closed-dates/{day}", json=body, headers=admin.headers, timeout=10
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_request"
    assert service_store.list_closed_dates(server.runtime.db) == []


@pytest.mark.parametrize(("quota", "status"), [(0, 200), (100_000, 200), (-1, 400), (100_001, 400)])
def test_todays_quota_takes_0_to_100000_and_refuses_just_outside(office, admin, quota, status):
    server, _ = office
    answer = admin.patch("REKAM", {"daily_quota": quota})
    assert answer.status_code == status
    stored = service_store.service_override(server.runtime.db, "2026-11-25", "REKAM")
    assert (stored["daily_quota"] if stored else None) == (quota if status == 200 else None)


@pytest.mark.parametrize(
    ("day", "reason", "status"),
    [
        ("2026-11-25", "Rapat kecamatan", 201),  # today: the first day allowed
        ("2026-11-24", "Rapat kecamatan", 400),  # yesterday: the last day refused
        ("2026-11-30", "x" * 100, 201),  # the longest reason
        ("2026-11-30", "x" * 101, 400),  # one character over
        ("2026-11-30", "  " + "x" * 100 + "  ", 201),  # trimmed first
    ],
    ids=["today", "yesterday", "reason-100", "reason-101", "reason-trimmed"],
)
def test_a_closed_date_from_today_with_a_reason_of_up_to_100_characters(office, admin, day, reason, status):
    server, _ = office
    answer = admin.session.put(
        f"{server.url}/api/admin/closed-dates/{day}", json={"reason": reason}, headers=admin.headers, timeout=10
    )
    assert answer.status_code == status, answer.text
    stored = [(row["day"], row["reason"]) for row in service_store.list_closed_dates(server.runtime.db, "2026-01-01")]
    assert stored == ([(day, reason.strip())] if status == 201 else [])


def test_only_an_admin_manages_closed_dates(office):
    server, _ = office
    for desk, expected in (
        (Desk(server), (401, "login_required")),
        (Desk(server, "petugas", "rahasia-Loket1"), (403, "forbidden")),
    ):
        put = desk.session.put(
            server.url + "/api/admin/closed-dates/2026-11-30", json={"reason": "x"}, headers=desk.headers, timeout=10
        )
        listed = desk.session.get(server.url + "/api/admin/closed-dates", timeout=10)
        assert (put.status_code, put.json()["error"]["code"]) == expected
        assert (listed.status_code, listed.json()["error"]["code"]) == expected
    assert service_store.list_closed_dates(server.runtime.db) == []


def test_the_kiosk_says_why_the_office_is_closed_and_when_it_opens_again(tmp_path, new_page):
    from playwright.sync_api import expect

    clock = Clock(datetime(2026, 11, 26, 9, 0, tzinfo=JAKARTA))  # a Thursday
    hours = {f"office__hours__{day}": "08:00-15:00" for day in ("mon", "tue", "wed", "thu", "fri")}
    app = make_app(tmp_path, clock=clock, printer__type="none", office__hours__sat="", office__hours__sun="", **hours)
    server = LiveServer(app).start(workers=False)
    try:
        service_store.set_closed_date(server.runtime.db, "2026-11-26", "Cuti bersama", "kepala", clock())
        page = new_page(1080, 1920)
        page.goto(f"{server.url}/kiosk")
        rekam = page.locator(".k-service-btn[data-code=REKAM]")
        expect(rekam).to_be_disabled()
        note = page.locator("#services-note")  # a whole-office closure is said once, under the services
        expect(note).to_contain_text("Kantor tutup hari ini: Cuti bersama. Buka kembali Jumat, 08.00.")
        expect(rekam).to_contain_text("Tutup")
        page.locator(".k-lang-btn[data-lang=en]").click()
        expect(note).to_contain_text("The office is closed today. Opens again Friday, 08:00.")
    finally:
        server.stop()
