"""The resident's phone page (/t/<token>) in real Chromium at phone size."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kiosk.storage import tickets as store
from tests.support import LiveServer, add_staff, free_counter, make_app

pytestmark = pytest.mark.browser


def issue(server, service="REKAM"):
    answer = server.post("/api/tickets", json={"service": service})
    assert answer.status_code == 201
    return answer.json()["ticket"]


def open_phone(new_page, server, token, clock=False):
    """Open a ticket's page on a phone; ``clock`` installs Playwright's clock, which lets a test move the
    page's timers ahead (``page.clock.run_for``) instead of waiting in real time."""
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    if clock:
        page.clock.install()  # time still flows as usual until a test moves it ahead
    page.goto(f"{server.url}/t/{token}")
    return page


def no_request_for(page, requests, start: int, milliseconds: int) -> None:
    """Move the page's clock ``milliseconds`` ahead (every timer due meanwhile fires), let any request that
    fired reach the network, and check none was made since ``requests[start]``."""
    page.clock.run_for(milliseconds)
    page.wait_for_timeout(500)  # real time: a fetch a timer started is on the wire within milliseconds
    assert requests[start:] == []


def test_the_phone_page_shows_the_position_and_follows_the_calls(new_page, live_server):
    issue(live_server)
    mine = issue(live_server)
    staff = live_server.login()
    page = open_phone(new_page, live_server, mine["token"])

    expect(page.locator("#number")).to_have_text("A-002")
    expect(page.locator("#service")).to_have_text("Perekaman KTP-el")
    expect(page.locator("#status")).to_have_text("Menunggu")
    expect(page.locator("#ahead")).to_have_text("1")
    expect(page.locator("#calls-empty")).to_have_text("Tidak ada nomor yang sedang dipanggil.")

    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()  # calls A-001
    expect(page.locator("#ahead")).to_have_text("0", timeout=8000)
    expect(page.locator("#calls li")).to_have_text(["A-001Loket 1"])

    free_counter(live_server, staff, 1)
    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()  # calls A-002: us
    expect(page.locator("#status")).to_have_text("Dipanggil — silakan menuju Loket 1", timeout=8000)
    expect(page.locator("#facts")).to_be_hidden()
    expect(page.locator("#calls li.is-mine")).to_have_text("A-002Loket 1")
    assert "NIK" not in page.content()


HELP_LIVE = "Halaman ini diperbarui sendiri. Tetap berada di sekitar ruang tunggu dan perhatikan panggilan."
# state -> staff actions that lead there, headline, note, help line ("" = none shown)
STATES = {
    "waiting": ((), "Menunggu", "Silakan tunggu sampai nomor Anda dipanggil.", HELP_LIVE),
    "called": (("next",), "Dipanggil — silakan menuju Loket 1", "Nomor Anda sedang dipanggil sekarang.", HELP_LIVE),
    "serving": (("next", "serve"), "Sedang dilayani di Loket 1", "Silakan ikuti arahan petugas.", ""),
    "done": (
        ("next", "serve", "done"),
        "Selesai",
        "Terima kasih. Layanan Anda sudah selesai; Anda tidak perlu menunggu lagi.",
        "",
    ),
    "no_show": (
        ("next", "no-show"),
        "Tidak hadir saat dipanggil",
        "Nomor Anda sudah dipanggil, tetapi Anda tidak datang ke loket. "
        "Silakan hubungi petugas agar dipanggil kembali.",
        "Halaman ini diperbarui sendiri bila petugas memasukkan nomor Anda kembali ke antrean.",
    ),
    "cancelled": (
        ("cancel",),
        "Dibatalkan",
        "Nomor ini sudah dibatalkan. Silakan ambil nomor baru bila masih perlu.",
        "",
    ),
    "expired": (
        ("expire",),
        "Sudah tidak berlaku",
        "Nomor ini dari hari sebelumnya atau layanan sudah tutup. Silakan ambil nomor baru.",
        "",
    ),
}


def bring_to(server, staff, ticket, actions) -> None:
    """Apply staff actions to ``ticket`` (the next REKAM ticket at Loket 1)."""
    for action in actions:
        if action == "next":
            answer = server.post("/api/counters/1/next", headers=staff)
            assert answer.json()["ticket"]["id"] == ticket["id"]
        elif action == "expire":  # what housekeeping does at closing time
            runtime = server.runtime
            store.transition(runtime.db, ticket["id"], "expire", runtime.now())
        else:
            server.post(f"/api/tickets/{ticket['id']}/{action}", headers=staff).raise_for_status()


@pytest.mark.parametrize("state", list(STATES))
def test_each_state_has_its_own_words(new_page, live_server, state):
    actions, headline, note, help_line = STATES[state]
    staff = live_server.login()
    if state == "waiting":
        issue(live_server)  # one ahead
    mine = issue(live_server)
    issue(live_server, "CETAK")
    live_server.post("/api/counters/2/next", headers=staff).raise_for_status()  # B-001 is being called meanwhile
    if state != "waiting":
        bring_to(live_server, staff, mine, actions)
    page = open_phone(new_page, live_server, mine["token"])

    expect(page.locator("#status")).to_have_text(headline)
    expect(page.locator("#status-note")).to_have_text(note)
    if help_line:
        expect(page.locator("#help")).to_have_text(help_line)
    else:
        expect(page.locator("#help")).to_be_hidden()
    if state in ("waiting", "called"):
        expected = (["A-001Loket 1"] if state == "called" else []) + ["B-001Loket 2"]
        expect(page.locator("#calls li")).to_have_text(expected, timeout=8000)
        expect(page.locator("#calls-empty")).to_be_hidden()
    else:  # who else is being called does not concern a resident who is served, finished or missed
        page.wait_for_timeout(500)
        expect(page.locator("#calls-card")).to_be_hidden()
    body = page.inner_text("body")
    assert "Belum ada nomor yang dipanggil" not in body and "Tidak ada nomor yang sedang dipanggil" not in body
    if state in ("done", "cancelled", "expired"):
        assert "ruang tunggu" not in body


@pytest.mark.parametrize("final", ["done", "cancelled", "expired"])
def test_the_page_stops_asking_once_its_ticket_reaches_a_final_state(new_page, live_server, final):
    staff = live_server.login()
    mine = issue(live_server)
    page = open_phone(new_page, live_server, mine["token"], clock=True)
    expect(page.locator("#status")).to_have_text("Menunggu")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.wait_for_function("() => document.getElementById('updated').textContent !== ''")
    bring_to(live_server, staff, mine, STATES[final][0])
    expect(page.locator("#status")).to_have_text(STATES[final][1], timeout=8000)
    asked = len(requests)
    assert asked > 0  # it was polling until now
    no_request_for(page, requests, asked, 7000)  # more than two polling intervals (3 s)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # coming back to the tab
    page.wait_for_timeout(500)
    assert requests[asked:] == []


def test_polling_stops_once_the_ticket_is_finished(new_page, live_server):
    mine = issue(live_server)
    staff = live_server.login()
    for action in ("next", "serve", "done"):
        path = "/api/counters/1/next" if action == "next" else f"/api/tickets/{mine['id']}/{action}"
        live_server.post(path, headers=staff).raise_for_status()
    page = open_phone(new_page, live_server, mine["token"], clock=True)
    expect(page.locator("#status")).to_have_text("Selesai")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    no_request_for(page, requests, 0, 4000)  # longer than one polling interval (3 s)


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
        assert runtime.housekeep() == 1  # what the housekeeping loop runs
        page = open_phone(new_page, server, mine["token"])
        expect(page.locator("#status")).to_have_text("Sudah tidak berlaku")
        expect(page.locator("#status-note")).to_contain_text("Silakan ambil nomor baru.")
    finally:
        server.stop()


def test_when_a_priority_number_goes_first_the_page_says_why_the_count_went_up(new_page, live_server):
    mine = issue(live_server)  # A-001, regular: nobody ahead
    page = open_phone(new_page, live_server, mine["token"])
    expect(page.locator("#ahead")).to_have_text("0")
    expect(page.locator("#ahead-note")).to_be_hidden()

    answer = live_server.post("/api/tickets", json={"service": "REKAM", "priority": True})
    assert answer.status_code == 201 and answer.json()["ticket"]["number"] == "A-002"
    expect(page.locator("#ahead")).to_have_text("1", timeout=8000)
    note = page.locator("#ahead-note")
    expect(note).to_be_visible()
    expect(note).to_have_text(
        "Nomor prioritas (lansia, penyandang disabilitas, ibu hamil, membawa balita) "
        "dilayani lebih dulu, sehingga jumlah di depan Anda bertambah."
    )
    page.locator("[data-page-lang=en]").click()
    expect(note).to_have_text(
        "Priority numbers (elderly, disabled, pregnant, with a small child) are served first, "
        "so the number ahead of you went up."
    )

    staff = live_server.login()
    live_server.post("/api/counters/1/next", headers=staff).raise_for_status()  # the priority number is called
    expect(page.locator("#ahead")).to_have_text("0", timeout=8000)
    expect(note).to_be_hidden()  # the count went down again: nothing to explain
