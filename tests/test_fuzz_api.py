"""Schemathesis against ``/api/openapi.json`` of a real waitress server, logged in as admin.

Every operation but the event stream (a never-ending response; tests/test_events.py covers it)
and logout (it would end the session every other operation is fuzzed with; tests/test_auth.py
covers it) gets generated requests, valid and invalid, and every check schemathesis has for
OpenAPI applies: answers must match the documented status codes, content types, headers and
body schemas, invalid input must be refused with a 4xx, valid input accepted, undeclared
methods answered 405 with ``Allow``.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kiosk.web.openapi import document
from tests.support import LiveServer, add_staff, make_app

pytestmark = pytest.mark.slow

ADMIN, PASSWORD = "kepala", "rahasia-Admin1"

# Operations whose input has rules JSON Schema cannot state, so a schema-valid request may rightly be
# refused with a documented 400; for these "schema-valid data is accepted" cannot apply:
SEMANTIC_RULES = {
    # a NIK or KK number must carry a real region code, a birth or issue date and a serial (SPEC "KTP-el status")
    ("POST", "/api/status-lookups"),
    # ... and a record's birth date must agree with its NIK
    ("PUT", "/api/applications/{nik}"),
    # a new password must pass the strength estimate (zxcvbn)
    ("POST", "/api/admin/staff"),
    ("POST", "/api/admin/staff/{id}/password"),
    # "from" must not be after "to" (a relation between two parameters)
    ("GET", "/api/reports/range"),
    ("GET", "/api/reports/range.csv"),
    ("GET", "/api/reports/range.xlsx"),
    # an admin cannot disable, demote or log out their own account (the fuzzing admin has id 1)
    ("POST", "/api/admin/staff/{id}/disable"),
    ("POST", "/api/admin/staff/{id}/role"),
    ("POST", "/api/admin/staff/{id}/end-sessions"),
    # a closed date must not lie in the past (depends on today)
    ("PUT", "/api/admin/closed-dates/{day}"),
    # a NIK must be a real one (region, birth date, serial), as for the lookups above
    ("POST", "/api/applications/search"),
    ("POST", "/api/applications/status"),
    ("POST", "/api/applications/ready"),
    ("POST", "/api/applications/handover"),
    # the uploaded file must be a SIAK CSV with its header row (its content, not its schema)
    ("POST", "/api/admin/status-import"),
    # "from" must not be after "to", and a period is at most a year
    ("GET", "/api/reports/skm"),
    ("GET", "/api/reports/skm.xlsx"),
    ("GET", "/api/reports/disruptions"),
    ("GET", "/api/reports/disruptions.csv"),
    ("GET", "/api/reports/bookings"),
    # settings are checked by the configuration file's own loader (hours, unique prefixes, printable names ...)
    ("PATCH", "/api/admin/settings"),
    # a booking's date must be one of the next open days and its slot one of that day's windows
    ("POST", "/api/bookings"),
    # a disruption's expected end must be a time still ahead (depends on now)
    ("POST", "/api/disruptions"),
    # a check-in code must look like a booking code (6 letters/digits) or the slip's QR link
    ("POST", "/api/check-ins"),
}

# The document /api/openapi.json serves, read at collection so that every operation is its own test.
schema = schemathesis.openapi.from_dict(document()).exclude(path="/api/events").exclude(path="/api/logout")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("fuzz"))
    add_staff(app, ADMIN, PASSWORD, role="admin")
    live = LiveServer(app).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def admin(server):
    """A logged-in admin's credentials: the session cookie and the CSRF token."""
    headers = server.login(ADMIN, PASSWORD)
    return {"kiosk_session": server.session.cookies["kiosk_session"], "X-CSRF-Token": headers["X-CSRF-Token"]}


@pytest.fixture(scope="module")
def http():
    """One keep-alive connection for every generated request; no cookie kept between them (each case carries its
    own, or leaves it out on purpose), no proxy settings read from the environment per request."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


def log_in(case, admin) -> None:
    """Put the admin's real credentials where the generated case carries (made-up) ones.

    A negative case may leave out the cookie or the CSRF header on purpose: then they stay out,
    and the server must refuse the request.
    """
    if case.cookies and "kiosk_session" in case.cookies:
        case.cookies["kiosk_session"] = admin["kiosk_session"]
    for name in list(case.headers or {}):
        if name.lower() == "x-csrf-token":
            case.headers[name] = admin["X-CSRF-Token"]


def test_the_fuzzed_document_is_the_one_the_server_serves(server):
    assert server.get("/api/openapi.json").json() == document()


# 50 generated cases per operation, on top of schemathesis's documented examples and boundary ("coverage") cases.
# This test is the whole-suite command's largest single CPU cost (63 CPU-s of ~620 at 80 cases per operation).
@schema.parametrize()
@settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case, server, admin, http):
    semantic = (case.method.upper(), case.path) in SEMANTIC_RULES
    log_in(case, admin)
    http.cookies.clear()
    case.call_and_validate(
        base_url=server.url, session=http, excluded_checks=[positive_data_acceptance] if semantic else None
    )
