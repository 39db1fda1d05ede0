"""Complaints (pengaduan): validation, deadlines in working days on the app's own clock, who may lodge one,
the staff inbox and answers, and codes numbered per year without gaps or repeats under concurrent writers."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
import requests

from kiosk.domain import complaints as rules
from kiosk.domain import survey as skm
from kiosk.domain.errors import BadRequest
from kiosk.domain.settings import parse_hours
from tests.conftest import JAKARTA, Clock
from tests.support import LiveServer, add_staff, make_app

WORKWEEK = {
    **{f"office.hours.{day}": "08:00-15:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    "office.hours.sat": "",
    "office.hours.sun": "",
}
OUTSIDE = "10.0.9.9"  # neither a kiosk PC nor staff


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


# ---------------------------------------------------------------- pure rules


def calendar(closed: dict | None = None, holidays: bool = True) -> rules.OfficeCalendar:
    hours = {day: parse_hours("08:00-15:00", day) for day in ("mon", "tue", "wed", "thu", "fri")}
    hours.update({day: parse_hours("", day) for day in ("sat", "sun")})
    return rules.OfficeCalendar(hours, holidays, JAKARTA, closed or {})


CUTI_BERSAMA = {date(2026, 12, 24): "Cuti bersama"}


@pytest.mark.parametrize(
    "received, days, due",
    [
        # a working day: the next working day's closing time
        ("2026-12-21 10:00", 1, "2026-12-22 15:00"),
        # after closing time on a Friday, and on a Saturday: the day of receipt never counts, the weekend neither
        ("2026-12-18 16:00", 1, "2026-12-21 15:00"),
        ("2026-12-19 09:00", 1, "2026-12-21 15:00"),
        # Wednesday before the cuti bersama (Thu 24), Christmas (Fri 25) and the weekend
        ("2026-12-23 10:00", 1, "2026-12-28 15:00"),
        # five working days from Friday: Mon, Tue, Wed, (Thu closed, Fri holiday, weekend) Mon, Tue
        ("2026-12-18 14:00", 5, "2026-12-29 15:00"),
        # fourteen across New Year (Fri 1 Jan) and Isra Mi'raj (Tue 5 Jan 2027)
        ("2026-12-21 08:30", 14, "2027-01-14 15:00"),
    ],
)
def test_a_deadline_counts_working_days_after_the_day_of_receipt(received, days, due):
    assert rules.due_at(at(received), days, calendar(CUTI_BERSAMA)) == at(due)


def test_without_national_holidays_christmas_is_a_working_day():
    assert rules.due_at(at("2026-12-23 10:00"), 1, calendar(CUTI_BERSAMA, holidays=False)) == at("2026-12-25 15:00")


def test_an_office_open_around_the_clock_is_due_at_midnight():
    always = rules.OfficeCalendar(
        {day: parse_hours("00:00-24:00", day) for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        False,
        JAKARTA,
    )
    assert rules.due_at(at("2026-12-19 23:00"), 1, always) == at("2026-12-21 00:00")


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("Petugas tidak ramah", "Petugas tidak ramah"),
        ("  NIK saya 6203014107900001  tolong  ", "NIK saya [angka dihapus] tolong"),
        ("KK 6203/0117/0890/0001, hp 0812-3456-7890", "KK [angka dihapus], hp [angka dihapus]"),
        ("Loket 2 tutup jam 10.30 tanggal 12 Desember", "Loket 2 tutup jam 10.30 tanggal 12 Desember"),
        ("tanggal 12-12-2026", "tanggal [angka dihapus]"),  # eight digits in a row of groups: as in the survey
    ],
)
def test_complaint_text_loses_long_numbers_exactly_as_survey_suggestions_do(typed, kept):
    assert rules.check_text(typed) == kept == skm.check_suggestion(typed)


def test_complaint_text_is_limited_on_both_sides_of_the_limit():
    assert rules.check_text("a" * rules.TEXT_MAX) == "a" * rules.TEXT_MAX
    with pytest.raises(BadRequest):
        rules.check_text("a" * (rules.TEXT_MAX + 1))
    for empty in ("", "   ", None, 12, ["teks"]):
        with pytest.raises(BadRequest):
            rules.check_text(empty)


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(0812) 345 678", "+62812345678"),
        (None, None),
        ("", None),
    ],
)
def test_a_phone_number_is_kept_as_plus_62(typed, kept):
    assert rules.check_phone(typed) == kept


@pytest.mark.parametrize("typed", ["0211234567", "12345", "0812-ABCD-7890", "+1 650 555 0100", 812345678, "0" * 40])
def test_a_phone_number_that_is_no_indonesian_mobile_is_refused(typed):
    with pytest.raises(BadRequest):
        rules.check_phone(typed)


def test_codes_and_their_form():
    assert rules.format_code(2026, 1) == "PGD-2026-0001"
    assert rules.format_code(2026, 12345) == "PGD-2026-12345"
    assert [rules.is_code(text) for text in ("PGD-2026-0001", "PGD-2026-1", "pgd-2026-0001", "PGD-26-0001")] == [
        True,
        False,
        False,
        False,
    ]


# ---------------------------------------------------------------- over HTTP, on the app's clock


@pytest.fixture
def office(tmp_path):
    """A Monday-Friday 08.00-15.00 office observing national holidays, on a clock set to Fri 18 Dec 2026."""
    clock = Clock(at("2026-12-18 14:00"))
    app = make_app(
        tmp_path,
        clock=clock,
        **{
            "office.observe_national_holidays": True,
            **{key.replace(".", "__"): value for key, value in WORKWEEK.items()},
        },
    )
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    yield app, clock
    app.extensions["kiosk"].stop()


def login(app, username="kepala", password="rahasia-Admin1"):
    client = app.test_client()
    answer = client.post("/api/login", json={"username": username, "password": password})
    assert answer.status_code == 200
    return client, {"X-CSRF-Token": answer.get_json()["csrf_token"]}


def test_deadlines_follow_the_office_calendar_and_the_inbox_orders_and_marks_them(office):
    app, clock = office
    admin, headers = login(app)
    assert (
        admin.put("/api/admin/closed-dates/2026-12-24", json={"reason": "Cuti bersama"}, headers=headers).status_code
        == 201
    )
    kiosk = app.test_client()  # 127.0.0.1: a kiosk PC
    service = kiosk.post("/api/complaints", json={"category": "service", "text": "Printer loket rusak"})
    assert service.status_code == 201
    lodged = service.get_json()["complaint"]
    assert {key: lodged[key] for key in ("code", "category", "status", "due_at")} == {
        "code": "PGD-2026-0001",
        "category": "service",
        "status": "open",
        "due_at": "2026-12-29T15:00:00+07:00",
    }
    assert lodged["track_url"] == f"http://127.0.0.1:8080/c/{lodged['token']}"
    clock.current = at("2026-12-23 10:00")
    info = kiosk.post(
        "/api/complaints", json={"category": "info", "text": "Kapan blangko datang?", "phone": "0812 3456 7890"}
    ).get_json()["complaint"]
    assert (info["code"], info["due_at"]) == ("PGD-2026-0002", "2026-12-28T15:00:00+07:00")

    def inbox(status=None):
        admin, _ = login(app)  # the clock moves by days: a session would have gone idle
        answer = admin.get("/api/complaints", query_string={"status": status} if status else None)
        assert answer.status_code == 200
        return [(item["code"], item["overdue"]) for item in answer.get_json()["complaints"]]

    assert inbox("open") == [("PGD-2026-0002", False), ("PGD-2026-0001", False)]
    assert inbox("overdue") == []
    clock.current = at("2026-12-28 15:00")  # the deadline itself is still in time
    assert inbox("overdue") == []
    clock.current = at("2026-12-28 15:00:01")
    assert inbox("overdue") == [("PGD-2026-0002", True)]
    assert inbox("open") == [("PGD-2026-0002", True), ("PGD-2026-0001", False)]
    admin, headers = login(app)
    item = admin.get("/api/complaints").get_json()["complaints"][0]
    assert "token" not in item and "track_url" not in item
    assert (item["phone"], item["channel"], item["outcome"]) == ("+6281234567890", "kiosk", "overdue")

    answered = admin.post(
        "/api/complaints/PGD-2026-0002/answer",
        headers=headers,
        json={"text": "Blangko tiba pada 4 Januari 2027.", "lapor_ref": "LPR-2026-123"},
    )
    assert answered.status_code == 200
    assert answered.get_json()["complaint"]["outcome"] == "answered_late"
    assert inbox("overdue") == [] and inbox("answered") == [("PGD-2026-0002", False)]
    seen = app.test_client().get(f"/api/complaints/{info['token']}").get_json()["complaint"]
    assert {key: seen[key] for key in ("status", "answer", "lapor_ref", "answered_at", "text")} == {
        "status": "answered",
        "answer": "Blangko tiba pada 4 Januari 2027.",
        "lapor_ref": "LPR-2026-123",
        "answered_at": "2026-12-28T15:00:01+07:00",
        "text": "Kapan blangko datang?",
    }
    again = admin.post("/api/complaints/PGD-2026-0002/answer", headers=headers, json={"text": "Lagi"})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_answered")
    unknown = admin.post("/api/complaints/PGD-2026-0099/answer", headers=headers, json={"text": "Ya"})
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "not_found")


def test_codes_start_again_each_year(office):
    app, clock = office
    kiosk = app.test_client()
    clock.current = at("2026-12-31 23:59")
    codes = [kiosk.post("/api/complaints", json={"category": "other", "text": "Tes"}).get_json()["complaint"]["code"]]
    clock.current = at("2027-01-01 00:01")
    codes += [
        kiosk.post("/api/complaints", json={"category": "other", "text": "Tes"}).get_json()["complaint"]["code"]
        for _ in range(2)
    ]
    assert codes == ["PGD-2026-0001", "PGD-2027-0001", "PGD-2027-0002"]


@pytest.mark.parametrize(
    "body, code",
    [
        ({"category": "keluhan", "text": "x"}, "bad_request"),
        ({"category": {}, "text": "x"}, "bad_request"),  # found by the fuzz test: was a 500
        ({"category": "info", "text": "x", "ticket": {}}, "bad_request"),
        ({"text": "x"}, "bad_request"),
        ({"category": "info"}, "bad_request"),
        ({"category": "info", "text": "a" * (rules.TEXT_MAX + 1)}, "bad_request"),
        ({"category": "info", "text": "x", "phone": "12"}, "bad_request"),
    ],
)
def test_a_bad_complaint_is_refused_in_the_error_shape(client, body, code):
    answer = client.post("/api/complaints", json=body)
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (400, code)
    assert answer.get_json()["error"]["message"]


def test_who_may_lodge_a_complaint(app):
    kiosk = app.test_client()
    ticket = kiosk.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
    phone = app.test_client()
    phone.environ_base["REMOTE_ADDR"] = OUTSIDE
    body = {"category": "conduct", "text": "Petugas membentak"}
    refused = phone.post("/api/complaints", json=body)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "not_a_kiosk")
    unknown = phone.post("/api/complaints", json={**body, "ticket": "tidak-ada"})
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "not_found")
    statuses = [phone.post("/api/complaints", json={**body, "ticket": ticket["token"]}).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 409]
    limit = phone.post("/api/complaints", json={**body, "ticket": ticket["token"]}).get_json()
    assert limit["error"]["code"] == "complaint_limit"
    # staff at a counter, on behalf of a resident (a session with its CSRF header, from any address)
    staff = app.test_client()
    staff.environ_base["REMOTE_ADDR"] = OUTSIDE
    token = staff.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    assert staff.post("/api/complaints", json=body).status_code == 403  # no CSRF header
    taken = staff.post("/api/complaints", json=body, headers={"X-CSRF-Token": token["csrf_token"]})
    assert taken.status_code == 201
    admin, headers = login(app)
    rows = admin.get("/api/complaints").get_json()["complaints"]
    assert [(row["channel"], row["received_by"]) for row in rows] == [("phone", None)] * 3 + [("staff", "petugas")]


def test_the_inbox_and_answers_are_for_staff_only(app):
    anonymous = app.test_client()
    assert anonymous.get("/api/complaints").status_code == 401
    assert anonymous.post("/api/complaints/PGD-2026-0001/answer", json={"text": "x"}).status_code == 401
    admin, headers = login(app, "petugas", "rahasia-Loket1")
    bad = admin.get("/api/complaints?status=semua")
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "bad_request")


def test_a_kiosk_pc_is_held_to_a_complaint_rate(app):
    kiosk = app.test_client()
    body = {"category": "other", "text": "Tes"}
    from kiosk.web.complaints import KIOSK_COMPLAINTS

    statuses = [kiosk.post("/api/complaints", json=body).status_code for _ in range(KIOSK_COMPLAINTS + 1)]
    assert statuses == [201] * KIOSK_COMPLAINTS + [429]
    assert kiosk.post("/api/complaints", json=body).headers["Retry-After"]


def test_standards_are_public_and_name_gratis_for_ktp_el(client):
    body = client.get("/api/standards").get_json()
    assert body["maklumat"].startswith("Dengan ini kami menyatakan sanggup")
    assert [s["code"] for s in body["services"]] == ["REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO"]
    assert {s["cost"] for s in body["services"]} == {"Gratis"}
    assert {s["cost_en"] for s in body["services"]} == {"Free"}
    rekam = body["services"][0]
    assert rekam["requirements"] == ["Kartu Keluarga asli", "Sudah berusia 17 tahun atau sudah/pernah kawin"]
    assert all(s["requirements"] and s["procedure"] and s["time_standard"] and s["product"] for s in body["services"])
    assert all(len(s["procedure"]) == len(s["procedure_en"]) for s in body["services"])
    assert body["complaints"] == [
        {"category": "info", "label": "Permintaan informasi", "label_en": "Request for information", "days": 1},
        {
            "category": "service",
            "label": "Kesalahan atau gangguan layanan",
            "label_en": "Fault in the service",
            "days": 5,
        },
        {"category": "conduct", "label": "Perilaku petugas", "label_en": "Staff conduct", "days": 14},
        {"category": "other", "label": "Lainnya", "label_en": "Other", "days": 5},
    ]


def test_codes_never_repeat_or_skip_under_concurrent_writers(tmp_path):
    app = make_app(tmp_path, kiosk__addresses=["127.0.0.9"])  # staff on 127.0.0.1: no kiosk rate applies
    add_staff(app)
    server = LiveServer(app).start()
    try:
        headers = server.login()
        cookies = server.session.cookies.get_dict()
        codes: list[str] = []
        failures: list[int] = []
        lock = threading.Lock()

        def lodge_five():
            with requests.Session() as session:
                session.cookies.update(cookies)
                for _ in range(5):
                    answer = session.post(
                        server.url + "/api/complaints",
                        headers=headers,
                        timeout=20,
                        json={"category": "other", "text": "Serentak"},
                    )
                    with lock:
                        if answer.status_code == 201:
                            codes.append(answer.json()["complaint"]["code"])
                        else:
                            failures.append(answer.status_code)

        threads = [threading.Thread(target=lodge_five) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        year = server.runtime.now().year
        assert failures == []
        assert sorted(codes) == [rules.format_code(year, seq) for seq in range(1, 61)]
    finally:
        server.stop()


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"complaints.info": 0}, "complaints.info"),
        ({"complaints.conduct": 61}, "complaints.conduct"),
        ({"complaints.service": "5"}, "complaints.service"),
        ({"complaints.infos": 2}, "did you mean complaints.info"),
        ({"office.maklumat": "x" * 2001}, "office.maklumat"),
        ({"office.maklumat_en": 7}, "office.maklumat_en"),
    ],
)
def test_a_wrong_complaints_or_maklumat_setting_stops_start_up_naming_the_key(tmp_path, overrides, named):
    from kiosk.domain.errors import ConfigError
    from tests.support import office_settings

    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        office_settings(tmp_path, **{key.replace(".", "__"): value for key, value in overrides.items()})


@pytest.mark.parametrize(
    "key, value, named",
    [
        ("requirements", [""], r"services\[0\]\.requirements\[0\]"),
        ("requirements", "Kartu Keluarga", r"services\[0\]\.requirements must be list"),
        ("procedure_en", ["x" * 301], r"services\[0\]\.procedure_en\[0\]: at most 300"),
        ("procedure", ["langkah"] * 21, r"services\[0\]\.procedure: at most 20"),
        ("cost", 0, r"services\[0\]\.cost must be str"),
        ("time_standard", "x" * 301, r"services\[0\]\.time_standard: at most 300"),
    ],
)
def test_a_wrong_service_standard_stops_start_up_naming_the_key(key, value, named):
    import tomllib

    from kiosk.domain.errors import ConfigError
    from kiosk.domain.settings import parse_settings
    from kiosk.paths import packaged_config

    raw = tomllib.loads(packaged_config().read_text(encoding="utf-8"))
    raw["services"][0][key] = value
    with pytest.raises(ConfigError, match=named):
        parse_settings(raw)


def test_staff_at_the_server_pc_lodge_as_staff_and_its_kiosk_page_as_the_kiosk(app):
    """127.0.0.1 is a kiosk PC here: a staff session there with its CSRF header is staff, without it the kiosk."""
    client = app.test_client()
    token = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    body = {"category": "info", "text": "Jam buka hari Sabtu?"}
    assert client.post("/api/complaints", json=body, headers={"X-CSRF-Token": token["csrf_token"]}).status_code == 201
    assert client.post("/api/complaints", json=body, headers={"X-CSRF-Token": "salah"}).status_code == 403
    assert client.post("/api/complaints", json=body).status_code == 201
    admin, _ = login(app)
    rows = admin.get("/api/complaints").get_json()["complaints"]
    assert [(row["channel"], row["received_by"]) for row in rows] == [("staff", "petugas"), ("kiosk", None)]
