"""Roles everywhere: every route of the app, as anonymous, counter staff and admin.

The table is the app's own url_map, so a route added later is checked too:
- admin routes (by path: /admin..., /api/admin/..., /api/reports..., /api/backups..., PATCH /api/services/...):
  anonymous 401 ``login_required`` (API) or a redirect to the login form (page); counter staff 403 ``forbidden``;
  admin the expected answer;
- staff routes (listed below): anonymous 401 or redirect; counter staff and admin the expected answer;
- every other route is public: nobody is asked to log in, nobody is refused.
"""

from __future__ import annotations

import io

import pytest
from flask import Blueprint
from werkzeug.routing import AnyConverter, Rule

from kiosk.web import IdConverter
from kiosk.web.auth import staff_required
from tests.support import add_staff, make_app

STRONG = "Tinta-Biru-Kapuas-42"
NIK = "6203014107900001"
SIAK_CSV = f"nik;no_kk;nama;tanggal_lahir;status\n{NIK};6203010102150003;Ani Lestari;1990-07-01;CARD_SHIPPED\n".encode()

ADMIN_PREFIXES = ("/admin", "/api/admin/", "/api/reports", "/api/backups", "/reports")
STAFF_ENDPOINTS = {
    "auth.current_session",
    "pages.counter",
    "staff.counter_view",
    "staff.call_next",
    "staff.counter_no_shows",
    "staff.act",
    "staff.reprint",
    "staff.transfer",
    "status.save",
    "status_staff.search",
    "status_staff.change_status",
    "status_staff.mark_ready",
    "status_staff.hand_over",
    "complaints.staff_inbox",
    "complaints.answer",
    "disruptions.start",
    "disruptions.end",
    "bookings.arrivals",
    "bookings.late_return",
    "bookings.rebook",
    "disruptions.waiting",
    "later_pages.counter_later",
}

# What an allowed caller sends, and what it must get; routes not listed get generic arguments and must
# answer below 500 without asking for a login or refusing. Staff ids: petugas = 1 (counter), kepala = 2 (admin).
SAMPLES: dict[str, dict] = {
    "admin.page": {"status": 200},
    "report_page.page": {"status": 200},
    "admin.today": {"status": 200},
    "admin.staff_list": {"status": 200},
    "admin.staff_add": {"json": {"username": "baru", "role": "counter", "password": STRONG}, "status": 201},
    "admin.staff_disable": {"args": {"staff_id": 1}, "status": 200},
    "admin.staff_end_sessions": {"args": {"staff_id": 1}, "status": 200},
    "admin.staff_enable": {"args": {"staff_id": 1}, "status": 200},
    "admin.staff_password": {"args": {"staff_id": 1}, "json": {"password": STRONG}, "status": 200},
    "admin.staff_role": {"args": {"staff_id": 1}, "json": {"role": "admin"}, "status": 200},
    "admin_api.patch_service": {"args": {"code": "REKAM"}, "json": {"open": False}, "status": 200},
    "admin_api.list_closed_dates": {"status": 200},
    "admin_api.put_closed_date": {"args": {"day": "2026-12-24"}, "json": {"reason": "Cuti bersama"}, "status": 201},
    "admin_api.delete_closed_date": {"args": {"day": "2026-12-31"}, "status": 404},
    "reports.daily": {"query": {"date": "2026-11-25"}, "status": 200},
    "reports.daily_csv": {"query": {"date": "2026-11-25"}, "status": 200},
    "reports.daily_xlsx": {"query": {"date": "2026-11-25"}, "status": 200},
    "reports.period": {"query": {"from": "2026-11-01", "to": "2026-11-25"}, "status": 200},
    "reports.period_csv": {"query": {"from": "2026-11-01", "to": "2026-11-25"}, "status": 200},
    "reports.period_xlsx": {"query": {"from": "2026-11-01", "to": "2026-11-25"}, "status": 200},
    "surveys.report": {"query": {"from": "2026-11-01", "to": "2026-11-25"}, "status": 200},
    "surveys.report_xlsx": {"query": {"from": "2026-11-01", "to": "2026-11-25", "service": "REKAM"}, "status": 200},
    "surveys.page": {"status": 200},
    "surveys.answer": {"json": {"number": "A-001", "answers": [4] * 9}, "status": 404},
    "surveys.check": {"json": {"token": "tidak-ada"}, "status": 404},
    "auth.current_session": {"status": 200},
    "pages.counter": {"status": 200},
    "staff.counter_view": {"args": {"counter_id": 1}, "status": 200},
    "staff.call_next": {"args": {"counter_id": 1}, "status": 204},
    "staff.counter_no_shows": {"args": {"counter_id": 1}, "status": 200},
    "staff.act": {"args": {"ticket_id": 99, "action": "recall"}, "status": 404},
    "staff.reprint": {"args": {"ticket_id": 99}, "status": 404},
    "staff.transfer": {"args": {"ticket_id": 99}, "json": {"service": "CETAK"}, "status": 404},
    "status.save": {"args": {"nik": NIK}, "json": {}, "status": 400},
    "status_staff.search": {"json": {"nik": NIK}, "status": 404},
    "status_staff.change_status": {"json": {"nik": NIK, "status": "CARD_SHIPPED"}, "status": 404},
    "status_staff.mark_ready": {"json": {"niks": NIK, "note": ""}, "status": 200},
    "status_staff.hand_over": {"json": {"nik": NIK, "ticket": 99}, "status": 404},
    "status_staff.upload": {"data": lambda: {"file": (io.BytesIO(SIAK_CSV), "siak.csv")}, "status": 200},
    "static": {"args": {"filename": "css/base.css"}, "status": 200},
    "api.issue": {"json": {"service": "REKAM"}, "status": 201},
    "auth.login": {"json": {}, "status": 400},
    "status.lookup": {"json": {}, "status": 400},
    "complaints.staff_inbox": {"query": {"status": "open"}, "status": 200},
    "complaints.answer": {"args": {"code": "PGD-2026-0001"}, "json": {"text": "Terima kasih"}, "status": 404},
    "complaints.evaluation": {"query": {"year": "2026"}, "status": 200},
    "complaints.evaluation_xlsx": {"query": {"year": "2026"}, "status": 200},
    "complaints.lodge": {"json": {"category": "info", "text": "Jam buka?"}, "status": 201},
    "disruptions.start": {"json": {"service": "INFO", "reason": "staff"}, "status": 201},
    "disruptions.end": {"args": {"disruption_id": 99}, "status": 404},
    "disruptions.report": {"query": {"from": "2026-11-01", "to": "2026-11-25"}, "status": 200},
    "disruptions.waiting": {"status": 200},
    "reports.disruptions_as_csv": {"query": {"from": "2026-11-01", "to": "2026-11-25"}, "status": 200},
    "later_pages.counter_later": {"status": 200},
    "later_pages.admin_arrivals": {"status": 200},
    "bookings.arrivals": {"status": 200},
    "bookings.report": {"query": {"from": "2026-11-01", "to": "2026-11-25"}, "status": 200},
    "bookings.late_return": {"args": {"ticket_id": 99}, "status": 404},
    "bookings.rebook": {"args": {"ticket_id": 99}, "status": 404},
}
# Streams never end by themselves: checked by their status line only.
STREAMING = {"events.stream"}


def _kind(rule: Rule, method: str) -> str:
    if rule.rule.startswith(ADMIN_PREFIXES) or (method == "PATCH" and rule.rule.startswith("/api/services/")):
        return "admin"
    return "staff" if rule.endpoint in STAFF_ENDPOINTS else "public"


def _is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/") or rule.rule == "/healthz"


def _url(app, rule: Rule, args: dict) -> str:
    values = dict(args)
    for name, converter in rule._converters.items():
        if name in values:
            continue
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IdConverter):
            values[name] = 99
        else:
            values[name] = "tidak-ada"
    path = rule.build(values)[1]
    return path


def _call(client, method: str, url: str, sample: dict, headers: dict, stream: bool):
    if "data" in sample:  # a multipart upload: a fresh body for each caller
        body = {"data": sample["data"]()}
    else:
        body = {"json": sample.get("json", {} if method != "GET" else None)}
    response = client.open(
        url, method=method, query_string=sample.get("query"), headers=headers, buffered=not stream, **body
    )
    status, location = response.status_code, response.headers.get("Location")
    body = None if stream or not response.is_json else response.get_json()
    response.close()
    return status, location, body


def _logged_in(app, username: str, password: str):
    client = app.test_client()
    answer = client.post("/api/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return client, {"X-CSRF-Token": answer.get_json()["csrf_token"]}


def access_problems(app, rule: Rule, method: str) -> list[str]:
    """Call one route as anonymous, counter staff and admin; return what broke the rules (empty: none)."""
    kind, api, stream = _kind(rule, method), _is_api(rule), rule.endpoint in STREAMING
    sample = SAMPLES.get(rule.endpoint, {})
    url = _url(app, rule, sample.get("args", {}))
    problems = []

    status, location, body = _call(app.test_client(), method, url, sample, {}, stream)
    if kind == "public":
        if status in (401, 403) or (location or "").startswith("/login") or status >= 500:
            problems.append(f"anonymous got {status} {location or ''} on a public route")
    elif api:
        if status != 401 or (body or {}).get("error", {}).get("code") != "login_required":
            problems.append(f"anonymous got {status} {body}, not 401 login_required")
    elif status != 302 or location != f"/login?next={url}":
        problems.append(f"anonymous got {status} {location}, not a redirect to the login form")

    counter, counter_headers = _logged_in(app, "petugas", "rahasia-Loket1")
    status, _, body = _call(counter, method, url, sample, counter_headers, stream)
    if kind == "admin":
        code = (body or {}).get("error", {}).get("code") if api else "forbidden"
        if status != 403 or code != "forbidden":
            problems.append(f"counter staff got {status} {body}, not 403 forbidden")
    else:
        expected = sample.get("status") if kind == "staff" else None
        if (expected is not None and status != expected) or status in (401, 403) or status >= 500:
            problems.append(f"counter staff got {status} {body}, expected {expected or 'an answer'}")

    if kind != "public" or rule.endpoint in SAMPLES:
        admin, admin_headers = _logged_in(app, "kepala", "rahasia-Admin1")
        status, _, body = _call(admin, method, url, sample, admin_headers, stream)
        expected = sample.get("status")
        if (expected is not None and status != expected) or status in (401, 403) or status >= 500:
            problems.append(f"admin got {status} {body}, expected {expected or 'an answer'}")
    return problems


def _routes():
    """Every (rule, method) of the app, read once at collection from an app on a throwaway database."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="kiosk-roles-") as folder:
        app = make_app(Path(folder))
        try:
            return sorted(
                (rule.rule, method)
                for rule in app.url_map.iter_rules()
                for method in rule.methods - {"HEAD", "OPTIONS"}
            )
        finally:
            app.extensions["kiosk"].stop()
            app.extensions["kiosk"].db.conn.close()


@pytest.fixture
def office(tmp_path):
    application = make_app(tmp_path)
    add_staff(application)  # id 1: counter
    add_staff(application, "kepala", "rahasia-Admin1", "admin")  # id 2: admin
    yield application
    application.extensions["kiosk"].stop()


ROUTES = _routes()


def test_the_table_covers_the_known_admin_and_staff_routes():
    paths = {path for path, _ in ROUTES}
    for path in (
        "/admin",
        "/admin/reports",
        "/api/admin/today",
        "/api/admin/staff",
        "/api/reports/daily",
        "/counter",
        "/api/services/<code>",
        "/api/counters/<id:counter_id>/next",
        "/api/applications/<nik:nik>",
        "/api/surveys",
        "/api/reports/skm",
        "/admin/skm",
    ):
        assert path in paths, path
    assert len(ROUTES) >= 40


@pytest.mark.parametrize("path, method", ROUTES, ids=[f"{m} {p}" for p, m in ROUTES])
def test_every_route_answers_each_role_as_its_kind_demands(office, path, method):
    rule = next(r for r in office.url_map.iter_rules() if r.rule == path and method in r.methods)
    assert access_problems(office, rule, method) == []


def test_an_admin_route_that_forgets_its_guard_is_caught(office):
    """The checker itself: an unguarded admin route, and one guarded only for staff, are both reported."""
    extra = Blueprint("forgetful", __name__)

    @extra.get("/api/admin/forgotten")
    def forgotten():
        return {"ok": True}

    @extra.get("/api/admin/staff-only")
    @staff_required("counter")
    def staff_only():
        return {"ok": True}

    @extra.get("/admin/forgotten-page")
    def forgotten_page():
        return "<p>rahasia</p>"

    office.register_blueprint(extra)
    rules = {r.rule: r for r in office.url_map.iter_rules()}
    unguarded = access_problems(office, rules["/api/admin/forgotten"], "GET")
    assert [p.split(" got ")[0] for p in unguarded] == ["anonymous", "counter staff"]
    staff_only_problems = access_problems(office, rules["/api/admin/staff-only"], "GET")
    assert [p.split(" got ")[0] for p in staff_only_problems] == ["counter staff"]
    page = access_problems(office, rules["/admin/forgotten-page"], "GET")
    assert [p.split(" got ")[0] for p in page] == ["anonymous", "counter staff"]


def test_a_public_route_that_asks_for_a_login_is_caught(office):
    extra = Blueprint("too_strict", __name__)

    @extra.get("/api/papan")
    @staff_required()
    def board():
        return {"ok": True}

    office.register_blueprint(extra)
    rule = next(r for r in office.url_map.iter_rules() if r.rule == "/api/papan")
    assert [p.split(" got ")[0] for p in access_problems(office, rule, "GET")] == ["anonymous"]


# ---------------------------------------------------------------- staff routes by network (issue 20, item 4)

from kiosk.web.network import STAFF_NETWORK_ONLY  # noqa: E402

OUTSIDE = "192.168.1.50"  # a phone on the residents' Wi-Fi


@pytest.fixture
def staff_lan_only(tmp_path):
    application = make_app(tmp_path, server__staff_addresses=["127.0.0.1", "10.0.5.0/24"])
    add_staff(application)
    add_staff(application, "kepala", "rahasia-Admin1", "admin")
    yield application
    application.extensions["kiosk"].stop()


def test_every_staff_and_admin_route_is_refused_outside_the_staff_addresses(staff_lan_only):
    """The table above decides what is a staff route: a route added later is checked here too."""
    problems = []
    for path, method in ROUTES:
        rule = next(r for r in staff_lan_only.url_map.iter_rules() if r.rule == path and method in r.methods)
        kind = _kind(rule, method)
        if rule.endpoint in ("auth.login", "pages.login", "auth.logout"):
            kind = "staff"  # public in the role table (anyone may try), but only on the staff network
        sample = SAMPLES.get(rule.endpoint, {})
        url = _url(staff_lan_only, rule, sample.get("args", {}))
        client = staff_lan_only.test_client()
        client.environ_base["REMOTE_ADDR"] = OUTSIDE
        status, _, body = _call(client, method, url, sample, {}, rule.endpoint in STREAMING)
        refused = status == 403 and (not _is_api(rule) or body["error"]["code"] == "staff_network_only")
        if kind != "public" and not refused:
            problems.append(f"{method} {path} ({kind}) answered {status} outside the staff addresses")
        if _is_api(rule):
            staff_network_refusal = status == 403 and (body or {}).get("error", {}).get("code") == "staff_network_only"
        else:  # a page: the refusal page names the staff network (the kiosk page refuses phones otherwise)
            staff_network_refusal = status == 403 and STAFF_NETWORK_ONLY in client.open(url, method=method).get_data(
                as_text=True
            )
        if kind == "public" and staff_network_refusal:  # a kiosk-only route may refuse a phone as not_a_kiosk
            problems.append(f"{method} {path} (public) was refused outside the staff addresses")
    assert problems == []


def test_staff_log_in_from_the_staff_network_and_the_login_page_says_why_elsewhere(staff_lan_only):
    inside = staff_lan_only.test_client()
    inside.environ_base["REMOTE_ADDR"] = "10.0.5.7"
    assert inside.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).status_code == 200
    assert inside.get("/counter").status_code == 200
    outside = staff_lan_only.test_client()
    outside.environ_base["REMOTE_ADDR"] = OUTSIDE
    page = outside.get("/login?next=/counter")
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "hanya dapat dibuka dari komputer petugas" in page.get_data(as_text=True)
    refused = outside.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "staff_network_only"
    # The residents' side answers everyone.
    assert outside.get("/display").status_code == 200
    assert STAFF_NETWORK_ONLY not in outside.get("/kiosk").get_data(as_text=True)  # kiosk-only, not staff-only
    assert outside.get("/api/queue").status_code == 200


def test_without_staff_addresses_staff_routes_answer_anywhere(office):
    outside = office.test_client()
    outside.environ_base["REMOTE_ADDR"] = OUTSIDE
    assert outside.get("/login").status_code == 200
    assert outside.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).status_code == 200
