"""The CSRF header on every staff write: every POST, PUT, PATCH and DELETE of every staff or admin route.

The table is the app's own url_map (read as tests/test_roles.py reads it), so a route added later is
checked too. A logged-in admin - allowed everywhere - sends each write without the header, with a
wrong token and with another session's token, through a real waitress server: each must be refused
403 ``csrf_failed`` before the route does anything.
"""

from __future__ import annotations

import pytest
import requests

from tests.support import LiveServer, add_staff, make_app
from tests.test_roles import ROUTES, SAMPLES, _kind, _url

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _guarded_writes() -> list[tuple[str, str]]:
    """Every (path, write method) of a staff or admin route, read once from an app on a throwaway database."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="kiosk-csrf-") as folder:
        app = make_app(Path(folder))
        try:
            rules = {(rule.rule, method): rule for rule in app.url_map.iter_rules() for method in rule.methods}
            return [
                (path, method)
                for path, method in ROUTES
                if method in WRITES and _kind(rules[path, method], method) != "public"
            ]
        finally:
            app.extensions["kiosk"].stop()
            app.extensions["kiosk"].db.conn.close()


GUARDED_WRITES = _guarded_writes()


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """One real server for the module: a refused write changes nothing, so the tests can share it."""
    application = make_app(tmp_path_factory.mktemp("csrf"))
    add_staff(application)
    add_staff(application, "kepala", "rahasia-Admin1", "admin")
    live = LiveServer(application).start(workers=False)
    yield live
    live.stop()


def _admin_session(server: LiveServer) -> tuple[requests.Session, str]:
    session = requests.Session()
    answer = session.post(
        server.url + "/api/login", json={"username": "kepala", "password": "rahasia-Admin1"}, timeout=10
    )
    assert answer.status_code == 200
    return session, answer.json()["csrf_token"]


def test_the_table_holds_every_write_method_of_staff_routes():
    guarded = set(GUARDED_WRITES)
    assert {method for _, method in guarded} == set(WRITES)
    for write in (
        ("/api/admin/closed-dates/<day>", "DELETE"),
        ("/api/admin/closed-dates/<day>", "PUT"),
        ("/api/services/<code>", "PATCH"),
        ("/api/applications/<nik:nik>", "PUT"),
        ("/api/counters/<id:counter_id>/next", "POST"),
    ):
        assert write in guarded, write


@pytest.mark.parametrize("path, method", GUARDED_WRITES, ids=[f"{m} {p}" for p, m in GUARDED_WRITES])
def test_every_staff_write_needs_the_sessions_csrf_token(office, path, method):
    rule = next(r for r in office.app.url_map.iter_rules() if r.rule == path and method in r.methods)
    sample = SAMPLES.get(rule.endpoint, {})
    url = office.url + _url(office.app, rule, sample.get("args", {}))
    session, token = _admin_session(office)
    _, other_token = _admin_session(office)
    assert other_token != token
    for headers in (
        {},
        {"X-CSRF-Token": ""},
        {"X-CSRF-Token": "tebakan"},
        {"X-CSRF-Token": other_token},
        {"X-CSRF-Token": token[:-1]},
    ):
        answer = session.request(
            method, url, params=sample.get("query"), json=sample.get("json", {}), headers=headers, timeout=10
        )
        assert (answer.status_code, answer.json()["error"]["code"]) == (403, "csrf_failed"), (headers, answer.text)


def test_a_delete_without_the_token_leaves_the_closed_date_in_place(office):
    session, token = _admin_session(office)
    url = office.url + "/api/admin/closed-dates/2026-12-24"
    assert session.put(url, json={"reason": "Cuti bersama"}, headers={"X-CSRF-Token": token}, timeout=10).ok
    refused = session.delete(url, timeout=10)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
    listed = session.get(office.url + "/api/admin/closed-dates", timeout=10).json()
    assert "2026-12-24" in str(listed)
    assert session.delete(url, headers={"X-CSRF-Token": token}, timeout=10).ok
    assert "2026-12-24" not in str(session.get(office.url + "/api/admin/closed-dates", timeout=10).json())
