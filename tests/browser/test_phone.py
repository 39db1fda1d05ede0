"""The resident's phone page (/t/<token>) in real Chromium at phone size."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kiosk import store
from tests.support import LiveServer, add_staff, free_counter, make_app

pytestmark = pytest.mark.browser


def issue(server, service="REKAM"):
    answer = server.post("/api/tickets", json={"service": service})
    assert answer.status_code == 201
    return answer.json()["ticket"]


def open_phone(new_page, server, token):
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    page.goto(f"{server.url}/t/{token}")
    return page


def test_the_phone_page_shows_the_position_and_follows_the_calls(new_page, live_server):
    issue(live_server)
    mine = issue(live_server)
    staff = live_server.login()
    page = open_phone(new_page, live_server, mine["token"])

    expect(page.locator("#number")).to_have_text("A-002")
    expect(page.locator("#service")).to_have_text("Perekaman KTP-el")
    expect(page.locator("#status")).to_have_text("Menunggu")
    expect(page.locator("#ahead")).to_have_text("1")
    expect(page.locator("#calls-empty")).to_be_visible()

    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()  # calls A-001
    expect(page.locator("#ahead")).to_have_text("0", timeout=8000)
    expect(page.locator("#calls li")).to_have_text(["A-001Loket 1"])

    free_counter(live_server, staff, 1)
    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()  # calls A-002: us
    expect(page.locator("#status")).to_have_text("Dipanggil — silakan menuju Loket 1", timeout=8000)
    expect(page.locator("#facts")).to_be_hidden()
    expect(page.locator("#calls li.is-mine")).to_have_text("A-002Loket 1")
    assert "NIK" not in page.content()


def test_polling_stops_once_the_ticket_is_finished(new_page, live_server):
    mine = issue(live_server)
    staff = live_server.login()
    for action in ("next", "serve", "done"):
        path = "/api/counters/1/next" if action == "next" else f"/api/tickets/{mine['id']}/{action}"
        live_server.post(path, headers=staff).raise_for_status()
    page = open_phone(new_page, live_server, mine["token"])
    expect(page.locator("#status")).to_have_text("Selesai")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.wait_for_timeout(4000)  # longer than one polling interval (3 s)
    assert requests == []


def test_an_unknown_token_gets_a_friendly_page(new_page, live_server):
    page = new_page(390, 844)
    answer = page.goto(f"{live_server.url}/t/bukan-token-yang-ada")
    assert answer.status == 404
    expect(page.get_by_role("heading", name="Nomor antrean tidak ditemukan")).to_be_visible()
    expect(page.get_by_text("Periksa kembali kode QR pada tiket Anda.")).to_be_visible()
    assert page.locator("script[src]").count() == 0  # nothing polls for a ticket that does not exist


def test_a_ticket_from_yesterday_says_it_is_no_longer_valid(new_page, tmp_path, clock):
    app = make_app(tmp_path, clock=clock)
    add_staff(app)
    server = LiveServer(app).start(workers=False)
    try:
        mine = issue(server)
        clock.advance(days=1)
        runtime = server.runtime
        assert store.expire_before(runtime.db, runtime.today(), runtime.now()) == 1
        page = open_phone(new_page, server, mine["token"])
        expect(page.locator("#status")).to_have_text("Sudah tidak berlaku")
        expect(page.locator("#status-note")).to_contain_text("Silakan ambil nomor baru.")
    finally:
        server.stop()
