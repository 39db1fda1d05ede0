"""The admin page and its JSON over a real waitress server: today's figures and staff accounts."""

from __future__ import annotations

import pytest
import requests

from kiosk.storage import tickets as store
from tests.support import free_counter

STRONG = "Tinta-Biru-Kapuas-42"


@pytest.fixture
def admin(live_server):
    """The live server with its session logged in as the admin; returns (server, CSRF headers)."""
    return live_server, live_server.login("kepala", "rahasia-Admin1")


def _session_of(server, username: str, password: str) -> tuple[requests.Session, dict]:
    other = requests.Session()
    answer = other.post(server.url + "/api/login", json={"username": username, "password": password}, timeout=10)
    assert answer.status_code == 200, answer.text
    return other, {"X-CSRF-Token": answer.json()["csrf_token"]}


def _account(server, username: str) -> dict:
    staff = server.get("/api/admin/staff").json()["staff"]
    return next(account for account in staff if account["username"] == username)


# ---------------------------------------------------------------- the page


def test_admin_page_sends_anonymous_visitors_to_the_login_form(live_server):
    answer = live_server.get("/admin", allow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login?next=/admin"


def test_admin_page_is_forbidden_to_counter_staff(live_server):
    live_server.login()
    answer = live_server.get("/admin", allow_redirects=False)
    assert answer.status_code == 403
    assert "hanya untuk admin" in answer.text


def test_admin_page_has_no_inline_script_or_style_and_loads_local_assets(admin):
    server, _ = admin
    answer = server.get("/admin")
    assert answer.status_code == 200
    page = answer.text
    assert "style=" not in page
    assert "<script>" not in page and "<script >" not in page
    for asset in ("/static/js/admin.js", "/static/js/live.js", "/static/css/admin.css"):
        assert asset in page
        assert server.get(asset).status_code == 200
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]


# ---------------------------------------------------------------- today


def test_today_counts_each_service_and_names_each_counters_ticket_and_staff(admin):
    server, admin_headers = admin
    for service in ("REKAM", "REKAM", "REKAM", "CETAK"):
        assert server.post("/api/tickets", json={"service": service}).status_code == 201
    counter, counter_headers = _session_of(server, "petugas", "rahasia-Loket1")
    called = counter.post(server.url + "/api/counters/1/next", headers=counter_headers, timeout=10).json()["ticket"]
    assert (
        counter.post(server.url + f"/api/tickets/{called['id']}/done", headers=counter_headers, timeout=10).status_code
        == 200
    )
    called = counter.post(server.url + "/api/counters/1/next", headers=counter_headers, timeout=10).json()["ticket"]
    assert (
        counter.post(
            server.url + f"/api/tickets/{called['id']}/no-show", headers=counter_headers, timeout=10
        ).status_code
        == 200
    )
    held = counter.post(server.url + "/api/counters/1/next", headers=counter_headers, timeout=10).json()["ticket"]

    today = server.get("/api/admin/today").json()
    figures = {s["code"]: {k: s[k] for k in ("issued", "waiting", "served", "no_show")} for s in today["services"]}
    assert figures["REKAM"] == {"issued": 3, "waiting": 0, "served": 1, "no_show": 1}
    assert figures["CETAK"] == {"issued": 1, "waiting": 1, "served": 0, "no_show": 0}
    assert figures["IKD"] == {"issued": 0, "waiting": 0, "served": 0, "no_show": 0}
    counters = {c["id"]: c for c in today["counters"]}
    assert counters[1]["ticket"] == {"number": held["number"], "status": "called"}
    assert counters[1]["staff"] == "petugas"
    assert all(c["ticket"] is None and c["staff"] is None for cid, c in counters.items() if cid != 1)
    assert today["printer"] in ("online", "offline", "paper_out", "unknown")
    assert isinstance(today["pending_print_jobs"], int)
    assert today["speech"] == server.get("/healthz").json()["speech"]
    assert (
        today["backup"]
        == server.get("/healthz").json()["backup"]
        == {"state": "off", "last_at": None, "file": None, "error": None}
    )
    assert today["date"] == server.runtime.today()
    free_counter(server, admin_headers, 1)


def test_today_reports_pending_print_jobs(admin, tmp_path):
    server, _ = admin
    server.runtime.stop()  # no print worker: the jobs stay pending
    for _ in range(2):
        assert server.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    assert (
        server.get("/api/admin/today").json()["pending_print_jobs"] == store.pending_print_jobs(server.runtime.db) == 2
    )


# ---------------------------------------------------------------- staff accounts


def test_admin_adds_a_staff_member_who_can_then_log_in(admin):
    server, headers = admin
    answer = server.post(
        "/api/admin/staff", headers=headers, json={"username": "budi", "role": "counter", "password": STRONG}
    )
    assert answer.status_code == 201, answer.text
    assert {k: answer.json()["staff"][k] for k in ("username", "role", "active", "sessions")} == {
        "username": "budi",
        "role": "counter",
        "active": True,
        "sessions": 0,
    }
    _session_of(server, "budi", STRONG)
    assert _account(server, "budi")["sessions"] == 1


@pytest.mark.parametrize(
    "body, message",
    [
        ({"username": "budi", "role": "counter", "password": "pendek"}, "minimal 10 karakter"),
        ({"username": "budi", "role": "counter", "password": "password123"}, "terlalu mudah ditebak"),
        ({"username": "budi", "role": "counter", "password": "budi-Kapuas-Tinta-42"}, "memuat nama pengguna"),
        ({"username": "b", "role": "counter", "password": STRONG}, "Nama pengguna harus"),
        ({"username": "budi santoso", "role": "counter", "password": STRONG}, "Nama pengguna harus"),
        ({"username": "budi", "role": "kepala", "password": STRONG}, "Peran harus"),
        ({"username": "budi", "role": "counter"}, "Isi kata sandi"),
        ({"username": 5, "role": "counter", "password": STRONG}, "Nama pengguna harus"),
    ],
)
def test_adding_staff_refuses_bad_input_in_indonesian(admin, body, message):
    server, headers = admin
    answer = server.post("/api/admin/staff", headers=headers, json=body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] in ("bad_request", "weak_password")
    assert message in error["message"]
    assert "budi" not in [a["username"] for a in server.get("/api/admin/staff").json()["staff"]]


def test_a_taken_username_is_refused_ignoring_case(admin):
    server, headers = admin
    answer = server.post(
        "/api/admin/staff", headers=headers, json={"username": "PETUGAS", "role": "counter", "password": STRONG}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "username_taken"


def test_disabling_a_member_ends_their_session_and_stops_their_logins(admin):
    server, headers = admin
    other, other_headers = _session_of(server, "petugas", "rahasia-Loket1")
    staff_id = _account(server, "petugas")["id"]
    answer = server.post(f"/api/admin/staff/{staff_id}/disable", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["ended_sessions"] == 1
    assert answer.json()["staff"]["active"] is False
    assert other.get(server.url + "/api/counters/1", timeout=10).status_code == 401
    refused = requests.post(
        server.url + "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}, timeout=10
    )
    assert refused.status_code == 401


def test_an_admin_cannot_disable_demote_or_sign_out_themselves(admin):
    server, headers = admin
    own = _account(server, "kepala")["id"]
    for path, body in (
        (f"/api/admin/staff/{own}/disable", None),
        (f"/api/admin/staff/{own}/role", {"role": "counter"}),
        (f"/api/admin/staff/{own}/end-sessions", None),
    ):
        answer = server.post(path, headers=headers, json=body)
        assert answer.status_code == 400, path
        assert answer.json()["error"]["code"] == "own_account"
        assert "akun Anda sendiri" in answer.json()["error"]["message"]
    own_account = _account(server, "kepala")
    assert (own_account["active"], own_account["role"], own_account["sessions"]) == (True, "admin", 1)


def test_reset_password_ends_sessions_and_only_the_new_password_works(admin):
    server, headers = admin
    other, _ = _session_of(server, "petugas", "rahasia-Loket1")
    staff_id = _account(server, "petugas")["id"]
    weak = server.post(f"/api/admin/staff/{staff_id}/password", headers=headers, json={"password": "petugas123"})
    assert weak.status_code == 400
    answer = server.post(f"/api/admin/staff/{staff_id}/password", headers=headers, json={"password": STRONG})
    assert answer.status_code == 200 and answer.json()["ended_sessions"] == 1
    assert other.get(server.url + "/api/counters/1", timeout=10).status_code == 401
    old = requests.post(
        server.url + "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}, timeout=10
    )
    assert old.status_code == 401
    _session_of(server, "petugas", STRONG)


def test_change_role_gives_admin_rights_after_a_new_login(admin):
    server, headers = admin
    other, _ = _session_of(server, "petugas", "rahasia-Loket1")
    assert other.get(server.url + "/api/admin/today", timeout=10).status_code == 403
    staff_id = _account(server, "petugas")["id"]
    bad = server.post(f"/api/admin/staff/{staff_id}/role", headers=headers, json={"role": "root"})
    assert bad.status_code == 400
    answer = server.post(f"/api/admin/staff/{staff_id}/role", headers=headers, json={"role": "admin"})
    assert answer.status_code == 200 and answer.json()["staff"]["role"] == "admin"
    assert other.get(server.url + "/api/admin/today", timeout=10).status_code == 401  # session ended
    again, _ = _session_of(server, "petugas", "rahasia-Loket1")
    assert again.get(server.url + "/api/admin/today", timeout=10).status_code == 200


def test_end_sessions_signs_a_member_out_everywhere(admin):
    server, headers = admin
    first, _ = _session_of(server, "petugas", "rahasia-Loket1")
    second, _ = _session_of(server, "petugas", "rahasia-Loket1")
    staff_id = _account(server, "petugas")["id"]
    answer = server.post(f"/api/admin/staff/{staff_id}/end-sessions", headers=headers)
    assert answer.status_code == 200 and answer.json()["ended_sessions"] == 2
    for session in (first, second):
        assert session.get(server.url + "/api/counters/1", timeout=10).status_code == 401
    assert _account(server, "petugas")["active"] is True
    _session_of(server, "petugas", "rahasia-Loket1")  # they may log in again


def test_unknown_staff_id_is_a_404_in_the_spec_shape(admin):
    server, headers = admin
    answer = server.post("/api/admin/staff/9999/disable", headers=headers)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "unknown_staff"


def test_staff_writes_need_the_csrf_header(admin):
    server, _ = admin
    staff_id = _account(server, "petugas")["id"]
    answer = server.post(f"/api/admin/staff/{staff_id}/disable")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "csrf_failed"
    assert _account(server, "petugas")["active"] is True


def test_today_shows_todays_quota_and_who_closed_a_service(admin):
    server, headers = admin
    before = {s["code"]: s for s in server.get("/api/admin/today").json()["services"]}
    assert before["REKAM"]["override"] is None
    configured = before["REKAM"]["daily_quota"]
    assert (
        server.session.patch(
            server.url + "/api/services/REKAM", headers=headers, json={"open": False}, timeout=10
        ).status_code
        == 200
    )
    assert (
        server.session.patch(
            server.url + "/api/services/IKD", headers=headers, json={"daily_quota": 7}, timeout=10
        ).status_code
        == 200
    )
    after = {s["code"]: s for s in server.get("/api/admin/today").json()["services"]}
    assert (after["REKAM"]["open"], after["REKAM"]["daily_quota"]) == (False, configured)
    assert (after["REKAM"]["override"]["open"], after["REKAM"]["override"]["updated_by"]) == (False, "kepala")
    assert (after["IKD"]["daily_quota"], after["IKD"]["override"]["daily_quota"]) == (7, 7)
    assert after["CETAK"]["override"] is None


def test_today_shows_the_automatic_backups_outcome(tmp_path):
    from datetime import datetime

    from tests.conftest import JAKARTA, Clock
    from tests.support import LiveServer, add_staff, make_app

    clock = Clock(datetime(2026, 11, 25, 2, 30, tzinfo=JAKARTA))
    app = make_app(
        tmp_path, clock=clock, printer__type="none", backup__dir=str(tmp_path / "auto"), backup__time="02:00"
    )
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    try:
        server.login("kepala", "rahasia-Admin1")
        assert server.get("/api/admin/today").json()["backup"]["state"] == "none"
        server.runtime.housekeep()
        backup = server.get("/api/admin/today").json()["backup"]
        assert (backup["state"], backup["file"]) == ("ok", "kiosk-2026-11-25-023000.db")
    finally:
        server.stop()


def test_a_disabled_member_can_be_enabled_again_with_their_old_password(admin):
    server, headers = admin
    staff_id = _account(server, "petugas")["id"]
    assert server.post(f"/api/admin/staff/{staff_id}/disable", headers=headers).status_code == 200
    answer = server.post(f"/api/admin/staff/{staff_id}/enable", headers=headers)
    assert answer.status_code == 200 and answer.json()["staff"]["active"] is True
    _session_of(server, "petugas", "rahasia-Loket1")


@pytest.mark.parametrize(
    "body",
    [
        '{"username": "wati", "password": "Pisang-Goreng-Hangat9\\ud800", "role": "counter"}',
        '{"username": "wati", "password": "Pisang-Goreng-Hangat9", "role": "counter", "\\udfff": 1}',
        '{"username": "wati", "password": ["Pisang-Goreng-Hangat9", "\\ud83d"], "role": "counter"}',
    ],
)
def test_a_lone_surrogate_anywhere_in_a_body_is_a_bad_request_not_a_crash(admin, body):
    """A strong password ending in an escaped lone surrogate passed the policy, then crashed hashing (500)."""
    server, headers = admin
    answer = server.session.post(
        server.url + "/api/admin/staff",
        data=body.encode(),
        timeout=10,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "bad_request")
    assert "wati" not in [s["username"] for s in server.get("/api/admin/staff").json()["staff"]]
