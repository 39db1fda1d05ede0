"""Security headers on every response and pages that need no inline script or style (strict CSP)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import requests

EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/kiosk", 200),
        ("get", "/display", 200),
        ("get", "/login?next=/counter", 200),
        ("get", "/counter", 302),
        ("get", "/t/no-such-token", 404),
        ("get", "/static/js/login.js", 200),
        ("get", "/static/css/base.css", 200),
        ("get", "/api/services", 200),
        ("get", "/api/queue", 200),
        ("get", "/api/no-such-thing", 404),
        ("post", "/api/tickets", 400),
        ("post", "/api/login", 400),
        ("get", "/healthz", 200),
    ],
)
def test_every_response_carries_the_security_headers(live_server, method, path, status):
    answer = requests.request(method, live_server.url + path, allow_redirects=False, timeout=10)
    assert answer.status_code == status
    assert {name: answer.headers.get(name) for name in EXPECTED_HEADERS} == EXPECTED_HEADERS
    csp = csp_directives(answer.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    everything = " ".join(value for values in csp.values() for value in values)
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything and "*" not in everything


class InlineCode(HTMLParser):
    """Collect what a strict CSP would block: inline scripts, style elements and attributes, on* handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self._inline_script = True
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"<{tag} {name}=...>" for name in names if name == "style" or name.startswith("on")]
        if any(str(value or "").strip().lower().startswith("javascript:") for value in names.values()):
            self.found.append(f"<{tag} ...javascript:>")

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False


def test_no_page_needs_inline_script_or_style(live_server):
    headers = live_server.login()
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    live_server.post("/api/counters/1/next", headers=headers).raise_for_status()
    pages = [
        "/kiosk",
        "/display",
        "/login?next=/counter",
        "/counter",
        f"/t/{ticket['token']}",
        "/t/unknown",
        "/no-such-page",
    ]
    found = {}
    for path in pages:
        parser = InlineCode()
        parser.feed(live_server.get(path).text)
        found[path] = parser.found
    assert found == {path: [] for path in pages}


# ---------------------------------------------------------------- Host names (issue 20, item 4: DNS rebinding)


def _with_host(server, path: str, host: str):
    import http.client
    import json

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    is_json = response.getheader("Content-Type", "").startswith("application/json")
    return response.status, json.loads(body) if is_json else body.decode()


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:8080", "kiosk.attacker.example:{port}", "192.168.1.66:{port}"]
)
def test_a_request_for_another_host_name_is_refused(live_server, host):
    status, body = _with_host(live_server, "/api/queue", host.format(port=live_server.port))
    assert status == 400 and body["error"]["code"] == "bad_host", body
    assert "alamat" in body["error"]["message"].lower()
    status, page = _with_host(live_server, "/kiosk", host.format(port=live_server.port))
    assert status == 400 and "Alamat server ini tidak dikenal" in page


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}", "127.0.0.1"])
def test_localhost_names_are_served(live_server, host):
    assert _with_host(live_server, "/healthz", host.format(port=live_server.port))[0] == 200


def test_the_public_url_host_and_trusted_hosts_are_served(tmp_path):
    from tests.support import LiveServer, make_app

    app = make_app(
        tmp_path, office__public_url="http://antrean.kecamatan.test:8080", server__trusted_hosts=["layar.local"]
    )
    server = LiveServer(app).start(workers=False)
    try:
        assert _with_host(server, "/healthz", "antrean.kecamatan.test:8080")[0] == 200
        assert _with_host(server, "/healthz", "layar.local")[0] == 200
        assert _with_host(server, "/healthz", "layar.local.attacker.example")[0] == 400
    finally:
        server.stop()


def test_a_public_url_changed_on_the_settings_screen_is_served_at_once(live_server):
    """The Host check follows the live settings: the new public_url's host is served without a restart."""
    headers = live_server.login("kepala", "rahasia-Admin1")
    assert _with_host(live_server, "/healthz", "antrean.selat.test:8080")[0] == 400
    answer = live_server.session.patch(
        live_server.url + "/api/admin/settings",
        headers=headers,
        timeout=10,
        json={"office": {"public_url": "http://antrean.selat.test:8080"}},
    )
    assert answer.status_code == 200, answer.text
    assert _with_host(live_server, "/healthz", "antrean.selat.test:8080")[0] == 200


def test_a_staff_page_added_without_its_marker_is_still_a_staff_page(tmp_path):
    """Pages under /admin and /counter are staff pages by their path, marked or not."""
    from tests.support import LiveServer, make_app

    app = make_app(tmp_path, server__staff_addresses=["10.9.9.0/24"])

    @app.get("/admin/unmarked-screen")
    def unmarked_screen():
        return "admin only"

    server = LiveServer(app).start(workers=False)
    try:
        status, page = _with_host(server, "/admin/unmarked-screen", f"127.0.0.1:{server.port}")
        assert status == 403 and "hanya dapat dibuka dari komputer petugas" in page
    finally:
        server.stop()
