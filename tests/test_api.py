"""The JSON API of SPEC through a real waitress server on 127.0.0.1 (and the test client for clock control)."""

from __future__ import annotations

import pytest
import requests

from tests.support import make_app


def error_of(answer) -> dict:
    body = answer.json() if isinstance(answer, requests.Response) else answer.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    return body["error"]


def test_health(live_server):
    answer = live_server.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["db"]) == ("ok", "ok")
    assert body["printer"] in {"online", "offline", "paper_out", "unknown"}


def test_issue_numbers_across_services(live_server):
    numbers = [
        live_server.post("/api/tickets", json={"service": code}).json()["ticket"]["number"]
        for code in ("REKAM", "REKAM", "CETAK")
    ]
    assert numbers == ["A-001", "A-002", "B-001"]


def test_ticket_shape(live_server):
    answer = live_server.post("/api/tickets", json={"service": "REKAM", "priority": True})
    assert answer.status_code == 201
    ticket = answer.json()["ticket"]
    assert {
        "id",
        "token",
        "number",
        "service",
        "priority",
        "status",
        "issued_at",
        "called_at",
        "counter",
        "ahead",
        "estimated_wait_minutes",
        "track_url",
        "print_status",
    } <= set(ticket)
    assert (ticket["number"], ticket["service"], ticket["priority"], ticket["status"]) == (
        "A-001",
        "REKAM",
        True,
        "waiting",
    )
    assert ticket["issued_at"].endswith("+07:00")
    assert ticket["track_url"] == f"http://127.0.0.1:8080/t/{ticket['token']}"
    assert ticket["print_status"] in {"printed", "pending"}
    again = live_server.get(f"/api/tickets/{ticket['token']}").json()["ticket"]
    assert (again["id"], again["number"]) == (ticket["id"], "A-001")


def test_ahead_and_wait_estimate(live_server):
    for _ in range(3):
        live_server.post("/api/tickets", json={"service": "UBAH"})
    fourth = live_server.post("/api/tickets", json={"service": "UBAH"}).json()["ticket"]
    # 3 ahead, one counter serves UBAH, default 10 minutes each.
    assert (fourth["ahead"], fourth["estimated_wait_minutes"]) == (3, 30)


def test_idempotency_key_same_ticket(live_server):
    headers = {"Idempotency-Key": "kiosk1-0f3a"}
    first = live_server.post("/api/tickets", json={"service": "REKAM"}, headers=headers)
    second = live_server.post("/api/tickets", json={"service": "REKAM"}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["ticket"]["id"] == second.json()["ticket"]["id"]
    third = live_server.post("/api/tickets", json={"service": "REKAM"}, headers={"Idempotency-Key": "other"})
    assert third.json()["ticket"]["number"] == "A-002"


def test_same_idempotency_key_with_another_body_is_refused(live_server):
    headers = {"Idempotency-Key": "kiosk1-7c21"}
    first = live_server.post("/api/tickets", json={"service": "REKAM"}, headers=headers)
    assert first.status_code == 201
    for body in ({"service": "CETAK"}, {"service": "REKAM", "priority": True}):
        refused = live_server.post("/api/tickets", json=body, headers=headers)
        assert refused.status_code == 422 and error_of(refused)["code"] == "idempotency_mismatch"
        assert "Idempotency-Key" in error_of(refused)["message"]
    again = live_server.post("/api/tickets", json={"service": "REKAM", "priority": False}, headers=headers)
    assert (again.status_code, again.json()["ticket"]["id"]) == (200, first.json()["ticket"]["id"])
    assert live_server.runtime.db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1


def test_services_list(live_server):
    live_server.post("/api/tickets", json={"service": "AMBIL"})
    services = live_server.get("/api/services").json()
    assert [s["code"] for s in services][:3] == ["REKAM", "CETAK", "AMBIL"]
    ambil = next(s for s in services if s["code"] == "AMBIL")
    assert {k: ambil[k] for k in ("code", "name", "name_en", "prefix", "open", "waiting")} == {
        "code": "AMBIL",
        "name": "Pengambilan KTP-el",
        "name_en": "KTP-el Collection",
        "prefix": "C",
        "open": True,
        "waiting": 1,
    }


def test_queue_overview(live_server):
    headers = live_server.login()
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    live_server.post("/api/tickets", json={"service": "CETAK"})
    called = live_server.post("/api/counters/1/next", headers=headers).json()["ticket"]
    assert (called["id"], called["status"], called["counter"]) == (ticket["id"], "called", 1)
    overview = live_server.get("/api/queue").json()
    assert {s["code"]: s["waiting"] for s in overview["services"]}["CETAK"] == 1
    assert overview["counters"][0]["ticket"]["number"] == "A-001"
    assert overview["counters"][1]["ticket"] is None
    call = overview["recent_calls"][0]
    assert {k: call[k] for k in ("number", "service", "counter", "counter_name", "recall")} == {
        "number": "A-001",
        "service": "REKAM",
        "counter": 1,
        "counter_name": "Loket 1",
        "recall": False,
    }


def test_staff_flow_and_bad_transition(live_server):
    headers = live_server.login()
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    assert live_server.post("/api/counters/1/next", headers=headers).status_code == 200
    for action, status in (("recall", "called"), ("serve", "serving"), ("done", "done")):
        answer = live_server.post(f"/api/tickets/{ticket['id']}/{action}", headers=headers)
        assert (answer.status_code, answer.json()["ticket"]["status"]) == (200, status)
    refused = live_server.post(f"/api/tickets/{ticket['id']}/serve", headers=headers)
    assert refused.status_code == 409 and error_of(refused)["code"] == "bad_transition"
    assert live_server.post("/api/counters/1/next", headers=headers).status_code == 204


def test_no_show_requeue_transfer_reprint(live_server):
    headers = live_server.login()
    ticket = live_server.post("/api/tickets", json={"service": "INFO"}).json()["ticket"]
    live_server.post("/api/counters/2/next", headers=headers)
    assert (
        live_server.post(f"/api/tickets/{ticket['id']}/no-show", headers=headers).json()["ticket"]["status"]
        == "no_show"
    )
    assert (
        live_server.post(f"/api/tickets/{ticket['id']}/requeue", headers=headers).json()["ticket"]["status"]
        == "waiting"
    )
    moved = live_server.post(f"/api/tickets/{ticket['id']}/transfer", json={"service": "REKAM"}, headers=headers)
    assert (moved.json()["ticket"]["service"], moved.json()["ticket"]["number"]) == ("REKAM", "F-001")
    reprint = live_server.post(f"/api/tickets/{ticket['id']}/reprint", headers=headers)
    assert reprint.status_code == 200 and reprint.json()["ticket"]["id"] == ticket["id"]


def test_staff_routes_need_login_and_csrf(live_server):
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    anonymous = requests.post(f"{live_server.url}/api/counters/1/next", timeout=5)
    assert anonymous.status_code == 401 and error_of(anonymous)["code"] == "login_required"
    live_server.login()
    no_csrf = live_server.post("/api/counters/1/next")
    assert no_csrf.status_code == 403 and error_of(no_csrf)["code"] == "csrf_failed"
    wrong_csrf = live_server.post(f"/api/tickets/{ticket['id']}/recall", headers={"X-CSRF-Token": "guess"})
    assert wrong_csrf.status_code == 403 and error_of(wrong_csrf)["code"] == "csrf_failed"
    assert live_server.get(f"/api/tickets/{ticket['token']}").json()["ticket"]["status"] == "waiting"


def test_login_cookie_flags_and_bad_credentials(live_server):
    bad = live_server.post("/api/login", json={"username": "petugas", "password": "salah-sekali"})
    assert bad.status_code == 401 and error_of(bad)["code"] == "bad_credentials"
    unknown = live_server.post("/api/login", json={"username": "nobody", "password": "salah-sekali"})
    assert error_of(unknown) == error_of(bad)
    good = live_server.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    cookie = good.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert good.json()["user"] == {"id": 1, "username": "petugas", "role": "counter"}
    assert live_server.get("/api/session").json()["csrf_token"] == good.json()["csrf_token"]
    live_server.post("/api/logout")
    assert live_server.get("/api/session").status_code == 401


def test_repeated_bad_logins_are_throttled(live_server):
    for _ in range(5):
        live_server.post("/api/login", json={"username": "kepala", "password": "wrong-password"})
    blocked = live_server.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
    assert blocked.status_code == 429 and error_of(blocked)["code"] == "rate_limited"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        (
            "post",
            "/api/tickets",
            {"data": "{bad json", "headers": {"Content-Type": "application/json"}},
            400,
            "bad_request",
        ),
        ("post", "/api/tickets", {"data": "service=REKAM"}, 400, "bad_request"),
        ("post", "/api/tickets", {"json": ["REKAM"]}, 400, "bad_request"),
        ("post", "/api/tickets", {"json": {}}, 400, "bad_request"),
        ("post", "/api/tickets", {"json": {"service": 7}}, 400, "bad_request"),
        ("post", "/api/tickets", {"json": {"service": "REKAM", "priority": "ya"}}, 400, "bad_request"),
        ("post", "/api/tickets", {"json": {"service": "PASPOR"}}, 404, "unknown_service"),
        (
            "post",
            "/api/tickets",
            {"json": {"service": "REKAM"}, "headers": {"Idempotency-Key": "a b"}},
            400,
            "bad_request",
        ),
        ("post", "/api/tickets", {"json": {"service": "REKAM", "pad": "x" * 300_000}}, 413, "payload_too_large"),
        ("get", "/api/tickets/not-a-token", {}, 404, "not_found"),
        ("delete", "/api/tickets", {}, 405, "method_not_allowed"),
        ("get", "/api/counters/1/next", {}, 405, "method_not_allowed"),
        ("get", "/api/nothing-here", {}, 404, "not_found"),
        ("get", "/api/announcements/41098010098971918336.wav", {}, 404, "not_found"),
        ("post", "/api/tickets/99999999999999999999999/serve", {}, 404, "not_found"),
        ("post", "/api/login", {"json": {"username": "petugas"}}, 400, "bad_request"),
        ("post", "/api/login", {"data": "x"}, 400, "bad_request"),
        (
            "post",
            "/api/tickets",
            {"data": "[" * 100_000, "headers": {"Content-Type": "application/json"}},
            400,
            "bad_request",
        ),
        (
            "post",
            "/api/tickets",
            {"data": '{"a":' * 50_000, "headers": {"Content-Type": "application/json"}},
            400,
            "bad_request",
        ),
        (
            "post",
            "/api/login",
            {"data": "[" * 100_000, "headers": {"Content-Type": "application/json"}},
            400,
            "bad_request",
        ),
    ],
)
def test_bad_input_gets_error_shape_and_changes_nothing(live_server, method, path, kwargs, status, code):
    answer = getattr(requests, method)(live_server.url + path, timeout=10, **kwargs)
    assert answer.status_code == status
    assert error_of(answer)["code"] == code
    assert answer.headers["Content-Type"].startswith("application/json")
    assert all(s["waiting"] == 0 for s in live_server.get("/api/services").json())


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/counters/99/next", None, 404, "unknown_counter"),
        ("/api/tickets/9999/serve", None, 404, "not_found"),
        ("/api/tickets/{id}/transfer", {"service": "NOPE"}, 404, "unknown_service"),
        ("/api/tickets/{id}/transfer", {}, 400, "bad_request"),
        ("/api/tickets/{id}/transfer", {"service": "REKAM"}, 400, "bad_request"),
        ("/api/tickets/{id}/done", None, 409, "bad_transition"),
        ("/api/tickets/{id}/requeue", None, 409, "bad_transition"),
        ("/api/tickets/{id}/explode", None, 404, "not_found"),
    ],
)
def test_bad_staff_input(live_server, path, body, status, code):
    headers = live_server.login()
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    answer = live_server.post(path.format(id=ticket["id"]), json=body, headers=headers)
    assert answer.status_code == status
    assert error_of(answer)["code"] == code
    assert live_server.get(f"/api/tickets/{ticket['token']}").json()["ticket"]["status"] == "waiting"


def test_closed_service_answers_409_with_the_reason(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, **{"office__hours__wed": "08:00-12:00"})
    client = app.test_client()
    clock.advance(hours=4)  # Wednesday 13:00
    closed = client.post("/api/tickets", json={"service": "REKAM"})
    assert closed.status_code == 409 and error_of(closed) == {
        "code": "service_closed",
        "message": "Layanan hari ini sudah tutup pukul 12.00.",
    }
    listed = {s["code"]: s for s in client.get("/api/services").get_json()}
    assert (listed["REKAM"]["open"], listed["REKAM"]["reason"]) == (False, "after_hours")
    app.extensions["kiosk"].stop()


def test_quota_reached(tmp_path, clock):
    app = make_app(tmp_path, clock=clock)
    client = app.test_client()
    settings = app.extensions["kiosk"].settings
    quota = settings.service("REKAM").daily_quota
    for _ in range(quota):
        assert client.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    full = client.post("/api/tickets", json={"service": "REKAM"})
    assert full.status_code == 409 and error_of(full)["code"] == "quota_reached"
    assert client.get("/api/services").get_json()[0]["open"] is False


def test_unexpected_error_is_json_500_and_logged(app, caplog):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("kaboom")

    answer = app.test_client().get("/api/boom")
    assert answer.status_code == 500
    assert error_of(answer)["code"] == "internal_error"
    assert "kaboom" in caplog.text


def test_openapi_describes_every_route(live_server):
    spec = live_server.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    for route in (
        "/api/services",
        "/api/tickets",
        "/api/tickets/{token}",
        "/api/queue",
        "/api/events",
        "/api/login",
        "/api/counters/{id}/next",
        "/api/tickets/{id}/recall",
        "/api/tickets/{id}/serve",
        "/api/tickets/{id}/done",
        "/api/tickets/{id}/no-show",
        "/api/tickets/{id}/requeue",
        "/api/tickets/{id}/transfer",
        "/api/tickets/{id}/reprint",
        "/healthz",
    ):
        assert route in paths, route


def test_recent_calls_show_each_number_once(live_server):
    headers = live_server.login()
    first = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    live_server.post("/api/tickets", json={"service": "REKAM"})
    live_server.post("/api/counters/1/next", headers=headers)
    live_server.post(f"/api/tickets/{first['id']}/recall", headers=headers)
    live_server.post(f"/api/tickets/{first['id']}/recall", headers=headers)
    live_server.post(f"/api/tickets/{first['id']}/no-show", headers=headers).raise_for_status()
    live_server.post("/api/counters/1/next", headers=headers).raise_for_status()
    calls = live_server.get("/api/queue").json()["recent_calls"]
    assert [(c["number"], c["recall"]) for c in calls] == [("A-002", False), ("A-001", True)]


def test_every_api_route_is_in_the_openapi_document(app):
    import re

    from kiosk.web.openapi import PATHS

    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in PATHS}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api") or rule.rule == "/healthz"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", rule.rule)
        if "any(" in rule.rule:  # one route for the simple ticket actions: each must be documented
            for action in ("recall", "serve", "done", "no-show", "requeue", "cancel"):
                assert f"/api/tickets/{{}}/{action}" in documented, action
        else:
            assert path in documented, rule.rule


def _signed_in(server, username="petugas", password="rahasia-Loket1") -> requests.Session:
    """A separate staff session (its own cookie), with the CSRF header set."""
    session = requests.Session()
    answer = session.post(f"{server.url}/api/login", json={"username": username, "password": password}, timeout=10)
    answer.raise_for_status()
    session.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return session


def test_a_counter_user_acts_only_on_tickets_of_its_own_counter(live_server):
    url = live_server.url
    rekam, info, waiting = (
        live_server.post("/api/tickets", json={"service": code}).json()["ticket"] for code in ("REKAM", "INFO", "INFO")
    )
    loket1, loket2, nowhere = _signed_in(live_server), _signed_in(live_server), _signed_in(live_server)
    assert loket1.post(f"{url}/api/counters/1/next", timeout=10).json()["ticket"]["id"] == rekam["id"]
    assert loket2.get(f"{url}/api/counters/2", timeout=10).status_code == 200  # the screen picks Loket 2

    for path, body in (
        ("recall", None),
        ("serve", None),
        ("done", None),
        ("no-show", None),
        ("transfer", {"service": "INFO"}),
        ("reprint", None),
    ):
        for session in (loket2, nowhere):
            refused = session.post(f"{url}/api/tickets/{rekam['id']}/{path}", json=body, timeout=10)
            assert refused.status_code == 403, path
            assert error_of(refused)["code"] == "other_counter"
            assert rekam["number"] in error_of(refused)["message"] and "Loket 1" in error_of(refused)["message"]
    assert live_server.get(f"/api/tickets/{rekam['token']}").json()["ticket"]["status"] == "called"
    actions = live_server.runtime.db.conn.execute(
        "SELECT action FROM ticket_events WHERE ticket_id = ? ORDER BY id", [rekam["id"]]
    ).fetchall()
    assert [row[0] for row in actions] == ["issue", "call"]
    assert loket1.post(f"{url}/api/tickets/{rekam['id']}/serve", timeout=10).status_code == 200

    # "next" names the counter the session works at: Loket 2 calls, marks no-show; only Loket 2 puts it back.
    assert loket2.post(f"{url}/api/counters/2/next", timeout=10).json()["ticket"]["id"] == info["id"]
    assert loket2.post(f"{url}/api/tickets/{info['id']}/no-show", timeout=10).status_code == 200
    assert loket1.post(f"{url}/api/tickets/{info['id']}/requeue", timeout=10).status_code == 403
    assert loket2.post(f"{url}/api/tickets/{info['id']}/requeue", timeout=10).status_code == 200
    # A waiting ticket has no holder: any counter may transfer or cancel it.
    assert loket1.post(f"{url}/api/tickets/{waiting['id']}/cancel", timeout=10).status_code == 200
    # An admin acts on any counter's ticket.
    admin = _signed_in(live_server, "kepala", "rahasia-Admin1")
    assert admin.post(f"{url}/api/tickets/{rekam['id']}/done", timeout=10).status_code == 200


def test_done_from_called_and_the_counters_served_today_count(live_server):
    headers = live_server.login()
    for _ in range(2):
        live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    assert live_server.get("/api/counters/1").json()["served_today"] == 0
    for _ in range(2):
        called = live_server.post("/api/counters/1/next", headers=headers).json()["ticket"]
        done = live_server.post(f"/api/tickets/{called['id']}/done", headers=headers)
        assert (done.status_code, done.json()["ticket"]["status"]) == (200, "done")
    assert live_server.get("/api/counters/1").json()["served_today"] == 2
    assert live_server.get("/api/counters/2").json()["served_today"] == 0


def test_the_openapi_document_names_the_queue_integrity_errors(app):
    from kiosk.web.openapi import PATHS

    assert "counter_busy" in PATHS["/api/counters/{id}/next"]["post"]["responses"]["409"]["description"]
    assert "idempotency_mismatch" in PATHS["/api/tickets"]["post"]["responses"]["422"]["description"]
    for action in ("recall", "serve", "done", "no-show", "requeue", "cancel", "transfer", "reprint"):
        assert "other_counter" in PATHS[f"/api/tickets/{{id}}/{action}"]["post"]["responses"]["403"]["description"]


def test_a_method_the_address_does_not_take_is_refused_naming_the_methods_it_does(live_server):
    answer = live_server.session.request("TRACE", live_server.url + "/api/services", timeout=10)
    assert answer.status_code == 405
    assert error_of(answer)["code"] == "method_not_allowed"
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
