"""Kiosk devices: only the office's kiosk PCs (and staff sessions) take numbers, answer the survey by number
and look up a status; a kiosk's issuing rate is bounded; staff answers never carry a ticket's token.

Other devices are other loopback addresses: the client socket is bound to 127.0.0.2, 127.0.0.3 ...
"""

from __future__ import annotations

import re

import pytest
import requests
from requests.adapters import HTTPAdapter

from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import load_settings
from kiosk.office.kiosks import KioskDevices
from kiosk.paths import packaged_config
from kiosk.storage import staff as staff_store
from tests.support import LiveServer, add_staff, make_app

ALL_GOOD = [4, 4, 3, 4, 3, 4, 4, 3, 3]
NIK, KK = "6203011708900001", "6203010102150003"


class _FromAddress(HTTPAdapter):
    """Open every connection from a chosen local address (another device on the office network)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def device(source: str) -> requests.Session:
    """Return an HTTP session whose requests come from ``source`` (a 127.0.0.0/8 address)."""
    session = requests.Session()
    session.mount("http://", _FromAddress(source))
    return session


def login(session: requests.Session, server: LiveServer, username: str, password: str) -> dict[str, str]:
    answer = session.post(server.url + "/api/login", json={"username": username, "password": password}, timeout=10)
    answer.raise_for_status()
    return {"X-CSRF-Token": answer.json()["csrf_token"]}


def issued(server: LiveServer) -> int:
    return server.runtime.db.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path)
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start()
    yield server
    server.stop()


# ---------------------------------------------------------------- settings


def test_kiosk_addresses_default_to_this_pc_and_take_ips_and_networks():
    settings = load_settings(packaged_config())
    assert settings.kiosk.addresses == ("127.0.0.1", "::1")
    assert (settings.kiosk.tickets_per_second, settings.kiosk.ticket_burst) == (2.0, 10)
    listed = load_settings(packaged_config(), {"kiosk.addresses": ["192.168.1.21", "192.168.10.0/28"]})
    assert listed.kiosk.addresses == ("192.168.1.21", "192.168.10.0/28")
    assert listed.status.kiosk_addresses == listed.kiosk.addresses  # one list for every kiosk-only route
    for wrong in (["kiosk-1"], ["192.168.1.300"], [21], "192.168.1.21"):
        with pytest.raises(ConfigError, match="kiosk.addresses"):
            load_settings(packaged_config(), {"kiosk.addresses": wrong})
    for key, wrong in (("kiosk.tickets_per_second", 0), ("kiosk.tickets_per_second", "2"), ("kiosk.ticket_burst", 0)):
        with pytest.raises(ConfigError, match=key):
            load_settings(packaged_config(), {key: wrong})


def test_status_kiosk_addresses_is_an_alias():
    settings = load_settings(packaged_config(), {"status.kiosk_addresses": ["192.168.1.21"]})
    assert settings.kiosk.addresses == ("192.168.1.21",)
    both = load_settings(
        packaged_config(), {"status.kiosk_addresses": ["192.168.1.21"], "kiosk.addresses": ["192.168.1.22"]}
    )
    assert both.kiosk.addresses == ("192.168.1.22", "192.168.1.21")


# ---------------------------------------------------------------- issuing


def test_another_device_cannot_take_numbers(office):
    phone = device("127.0.0.2")
    answers = [
        phone.post(office.url + "/api/tickets", json={"service": "REKAM", "priority": True}, timeout=10)
        for _ in range(20)
    ]
    assert {answer.status_code for answer in answers} == {403}
    error = answers[0].json()["error"]
    assert error["code"] == "not_a_kiosk" and "kios" in error["message"]
    assert issued(office) == 0
    kiosk = device("127.0.0.1")
    assert kiosk.post(office.url + "/api/tickets", json={"service": "REKAM"}, timeout=10).status_code == 201
    assert issued(office) == 1


def test_a_listed_network_is_a_kiosk_and_its_neighbours_are_not(tmp_path):
    app = make_app(tmp_path, kiosk__addresses=["127.0.0.0/30"])
    server = LiveServer(app).start(workers=False)
    try:
        for source, status in (("127.0.0.2", 201), ("127.0.0.3", 201), ("127.0.0.4", 403), ("127.0.0.9", 403)):
            assert (
                device(source).post(server.url + "/api/tickets", json={"service": "AMBIL"}, timeout=10).status_code
                == status
            ), source
    finally:
        server.stop()


def test_staff_issue_from_the_counter_with_their_session_and_csrf_token(office):
    counter_pc = device("127.0.0.5")
    headers = login(counter_pc, office, "petugas", "rahasia-Loket1")
    refused = counter_pc.post(office.url + "/api/tickets", json={"service": "AMBIL"}, timeout=10)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
    answer = counter_pc.post(office.url + "/api/tickets", json={"service": "AMBIL"}, headers=headers, timeout=10)
    assert answer.status_code == 201
    ticket = answer.json()["ticket"]
    assert ticket["number"] == "C-001" and "token" not in ticket and "track_url" not in ticket
    assert issued(office) == 1


def test_a_kiosk_takes_a_burst_then_its_rate(tmp_path):
    app = make_app(tmp_path, kiosk__tickets_per_second=0.5, kiosk__ticket_burst=3)
    # The bucket's clock stands still: on a loaded machine the first three answers took over 2 s, a token came
    # back, and the fourth was let in ([201, 201, 201, 201, 429, ...]).
    app.extensions["kiosk_devices"] = KioskDevices(app.extensions["kiosk"].settings.kiosk, clock=lambda: 1000.0)
    server = LiveServer(app).start(workers=False)
    try:
        kiosk = device("127.0.0.1")
        answers = [kiosk.post(server.url + "/api/tickets", json={"service": "REKAM"}, timeout=10) for _ in range(8)]
        assert [answer.status_code for answer in answers] == [201] * 3 + [429] * 5
        assert answers[-1].json()["error"]["code"] == "rate_limited"
        assert 1 <= int(answers[-1].headers["Retry-After"]) <= 2
        assert issued(server) == 3
    finally:
        server.stop()


# ---------------------------------------------------------------- survey by number, status lookups


def _served_ticket(server: LiveServer) -> dict:
    """Issue a ticket at the kiosk and take it through counter 1 to done; return the kiosk's TICKET."""
    ticket = device("127.0.0.1").post(server.url + "/api/tickets", json={"service": "REKAM"}, timeout=10).json()
    staff = device("127.0.0.1")
    headers = login(staff, server, "petugas", "rahasia-Loket1")
    called = staff.post(server.url + "/api/counters/1/next", headers=headers, timeout=10).json()["ticket"]
    staff.post(server.url + f"/api/tickets/{called['id']}/done", headers=headers, timeout=10).raise_for_status()
    return ticket["ticket"]


def test_the_survey_by_number_is_kiosk_only_and_the_phone_keeps_its_link(office):
    ticket = _served_ticket(office)
    phone = device("127.0.0.2")
    for path in ("/api/surveys/check", "/api/surveys"):
        refused = phone.post(office.url + path, json={"number": ticket["number"], "answers": ALL_GOOD}, timeout=10)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_a_kiosk"), path
    # a staff session cannot grade its own counter by number either
    counter_pc = device("127.0.0.3")
    headers = login(counter_pc, office, "kepala", "rahasia-Admin1")
    staff = counter_pc.post(
        office.url + "/api/surveys", json={"number": ticket["number"], "answers": ALL_GOOD}, headers=headers, timeout=10
    )
    assert (staff.status_code, staff.json()["error"]["code"]) == (403, "not_a_kiosk")
    assert (
        phone.post(
            office.url + "/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD}, timeout=10
        ).status_code
        == 201
    )


def test_the_kiosk_answers_by_number(office):
    ticket = _served_ticket(office)
    answer = device("127.0.0.1").post(
        office.url + "/api/surveys", json={"number": ticket["number"], "answers": ALL_GOOD}, timeout=10
    )
    assert answer.status_code == 201


def test_status_lookups_use_the_same_kiosk_list(tmp_path):
    app = make_app(tmp_path, kiosk__addresses=["127.0.0.7"])
    add_staff(app)
    server = LiveServer(app).start(workers=False)
    try:
        body = {"nik": NIK, "kk": KK}
        refused = device("127.0.0.1").post(server.url + "/api/status-lookups", json=body, timeout=10)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_a_kiosk")
        assert "kios" in refused.json()["error"]["message"]
        assert device("127.0.0.7").post(server.url + "/api/status-lookups", json=body, timeout=10).status_code == 404
        staff = device("127.0.0.1")
        headers = login(staff, server, "petugas", "rahasia-Loket1")
        assert staff.post(server.url + "/api/status-lookups", json=body, headers=headers, timeout=10).status_code == 404
    finally:
        server.stop()


def test_the_kiosk_page_tells_another_device_at_once(office):
    page = device("127.0.0.2").get(office.url + "/kiosk", timeout=10)
    assert page.status_code == 403
    assert "bukan kios antrean kantor" in page.text and 'id="services"' not in page.text
    assert device("127.0.0.1").get(office.url + "/kiosk", timeout=10).status_code == 200


# ---------------------------------------------------------------- staff answers carry no token


def _staff_routes(server: LiveServer, ids: dict) -> list[tuple[str, str, dict | None]]:
    """Every staff route, called once in an order that works (method, path, JSON body)."""
    today = server.runtime.today()
    staff_id = ids["staff"]
    return [
        ("GET", "/api/session", None),
        ("GET", "/api/counters/1", None),
        ("GET", "/api/counters/1/no-shows", None),
        ("POST", "/api/counters/1/next", None),
        ("POST", f"/api/tickets/{ids['called']}/recall", None),
        ("POST", f"/api/tickets/{ids['called']}/serve", None),
        ("POST", f"/api/tickets/{ids['called']}/reprint", None),
        ("POST", f"/api/tickets/{ids['called']}/done", None),
        ("POST", "/api/counters/1/next", None),
        ("POST", f"/api/tickets/{ids['next']}/no-show", None),
        ("POST", f"/api/tickets/{ids['next']}/requeue", None),
        ("POST", f"/api/tickets/{ids['next']}/transfer", {"service": "INFO"}),
        ("POST", f"/api/tickets/{ids['next']}/cancel", None),
        ("GET", "/api/admin/today", None),
        ("GET", "/api/admin/staff", None),
        ("POST", "/api/admin/staff", {"username": "baru", "password": "Pisang-Goreng-Hangat9", "role": "counter"}),
        ("POST", f"/api/admin/staff/{staff_id}/disable", None),
        ("POST", f"/api/admin/staff/{staff_id}/enable", None),
        ("POST", f"/api/admin/staff/{staff_id}/password", {"password": "Kopi-Tubruk-Panas77"}),
        ("POST", f"/api/admin/staff/{staff_id}/role", {"role": "counter"}),
        ("POST", f"/api/admin/staff/{staff_id}/end-sessions", None),
        ("GET", "/api/admin/staff-changes", None),
        ("PATCH", "/api/services/REKAM", {"daily_quota": 90}),
        ("GET", "/api/admin/closed-dates", None),
        ("PUT", "/api/admin/closed-dates/2099-01-02", {"reason": "Cuti bersama"}),
        ("DELETE", "/api/admin/closed-dates/2099-01-02", None),
        ("GET", f"/api/reports/daily?date={today}", None),
        ("GET", f"/api/reports/daily.csv?date={today}", None),
        ("GET", f"/api/reports/daily.xlsx?date={today}", None),
        ("GET", f"/api/reports/range?from={today}&to={today}", None),
        ("GET", f"/api/reports/range.csv?from={today}&to={today}", None),
        ("GET", f"/api/reports/range.xlsx?from={today}&to={today}", None),
        ("GET", f"/api/reports/skm?from={today}&to={today}", None),
        ("GET", f"/api/reports/skm.xlsx?from={today}&to={today}", None),
        (
            "PUT",
            f"/api/applications/{NIK}",
            {"kk": KK, "name": "Budi Santoso", "birth_date": "1990-08-17", "status": "READY_FOR_PICKUP", "note": ""},
        ),
        ("POST", "/api/applications/search", {"nik": NIK}),
        ("POST", "/api/applications/status", {"nik": NIK, "status": "CARD_SHIPPED"}),
        ("POST", "/api/applications/ready", {"niks": [NIK]}),
        ("POST", "/api/applications/handover", {"nik": NIK, "ticket": ids["next"]}),
        ("POST", "/api/admin/status-import", None),
        ("GET", "/api/admin/settings", None),
        ("PATCH", "/api/admin/settings", {"office": {"running_text": "Selamat datang di kantor kecamatan"}}),
        ("GET", "/api/admin/settings/changes", None),
        ("POST", "/api/admin/printer/test", None),
        ("GET", "/api/admin/printer/test/1", None),
        ("GET", "/api/admin/backups", None),
        ("POST", "/api/admin/backups", None),
        ("GET", "/api/admin/backups/kiosk-2026-01-01.db", None),
        ("GET", "/counter", None),
        ("GET", "/admin", None),
        ("GET", "/admin/reports", None),
        ("GET", "/admin/skm", None),
        ("GET", "/admin/settings", None),
        ("GET", "/admin/backups", None),
        ("GET", "/api/admin/sms", None),
        ("GET", "/admin/sms", None),
        ("GET", "/api/complaints?status=open", None),
        ("POST", "/api/complaints/PGD-2026-0001/answer", {"text": "Terima kasih"}),
        ("GET", f"/api/reports/evaluation?year={today[:4]}", None),
        ("GET", f"/api/reports/evaluation.xlsx?year={today[:4]}", None),
        ("GET", "/admin/complaints", None),
        ("GET", "/admin/standards", None),
        ("POST", "/api/disruptions", {"service": None, "reason": "staff", "note": "rapat"}),
        ("POST", "/api/disruptions/1/end", None),
        ("GET", f"/api/reports/disruptions?from={today}&to={today}", None),
        ("GET", f"/api/reports/disruptions.csv?from={today}&to={today}", None),
        ("GET", "/api/disruptions/waiting", None),
        ("GET", "/counter/later", None),
        ("GET", "/admin/arrivals", None),
        ("GET", f"/admin/evaluation?year={today[:4]}", None),
        ("GET", "/api/bookings", None),
        ("GET", f"/api/reports/bookings?from={today}&to={today}", None),
        ("POST", f"/api/tickets/{ids['called']}/late-return", None),
        ("POST", f"/api/tickets/{ids['next']}/rebook", None),
        ("GET", "/login", None),
        ("POST", "/api/login", {"username": "kepala", "password": "rahasia-Admin1"}),
        ("POST", "/api/logout", None),
    ]


def _pattern(rule: str) -> str:
    """A regular expression for the paths of a url-map rule (each ``<converter:name>`` one path segment)."""
    return "".join("[^/]+" if part.startswith("<") else re.escape(part) for part in re.split(r"(<[^>]+>)", rule))


def test_no_staff_answer_carries_a_ticket_token_or_track_url(office):
    kiosk = device("127.0.0.1")
    tickets = [
        kiosk.post(office.url + "/api/tickets", json={"service": code}, timeout=10).json()["ticket"]
        for code in ("REKAM", "REKAM", "AMBIL")
    ]
    secrets = [ticket["token"] for ticket in tickets]
    admin = device("127.0.0.4")
    headers = login(admin, office, "kepala", "rahasia-Admin1")
    add_staff(office.app, "budi", "rahasia-Loket2")
    ids = {
        "called": tickets[0]["id"],
        "next": tickets[1]["id"],
        "staff": staff_store.get_staff(office.runtime.db, "budi")["id"],
    }
    routes = _staff_routes(office, ids)
    for method, path, body in routes:
        answer = admin.request(method, office.url + path, json=body, headers=headers, timeout=10)
        assert answer.status_code < 500, (path, answer.text[:200])
        for secret in secrets:
            assert secret.encode() not in answer.content, (method, path)
        if answer.headers.get("Content-Type", "").startswith("application/json"):
            assert not {"token", "track_url"} & _keys(answer.json()), (method, path)
            assert "/t/" not in answer.text, (method, path)
    # the table covers every staff route: a new one must be added here
    called = {(method, path.split("?")[0]) for method, path, _ in routes}
    for rule in office.app.url_map.iter_rules():
        if getattr(office.app.view_functions[rule.endpoint], "staff_route", False):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert any(m == method and re.fullmatch(_pattern(rule.rule), path) for m, path in called), (
                    f"staff route {method} {rule.rule} is missing from the table"
                )


def _keys(value) -> set[str]:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value).union(*(_keys(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value))
    return set()


def test_a_kiosk_pc_added_on_the_settings_screen_issues_at_once(office):
    """[kiosk] addresses changed on the settings screen apply to tickets and status lookups without a restart."""
    new_kiosk = device("127.0.0.5")
    assert new_kiosk.post(office.url + "/api/tickets", json={"service": "REKAM"}, timeout=10).status_code == 403
    admin = device("127.0.0.1")
    headers = login(admin, office, "kepala", "rahasia-Admin1")
    changed = admin.patch(
        office.url + "/api/admin/settings",
        headers=headers,
        timeout=10,
        json={"kiosk": {"addresses": ["127.0.0.1", "::1", "127.0.0.5"]}},
    )
    assert changed.status_code == 200, changed.text
    assert new_kiosk.post(office.url + "/api/tickets", json={"service": "REKAM"}, timeout=10).status_code == 201
    looked_up = new_kiosk.post(
        office.url + "/api/status-lookups", json={"nik": "6203011708900001", "kk": "6203010102150004"}, timeout=10
    )
    assert looked_up.status_code == 404  # looked up (nothing stored), not refused as another device
