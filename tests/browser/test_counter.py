"""The counter screen and staff login in real Chromium, through the JSON API of a real waitress server."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.support import LiveServer, add_staff, make_app, wait_until

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")


def _login(page, server, username="petugas", password="rahasia-Loket1"):
    page.goto(server.url + "/counter")
    page.wait_for_url("**/login?next=/counter")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(server.url + "/counter")  # (not "**/counter": the login page's ?next=/counter matches that)


def _open_counter(new_page, server, counter=1, width=1366, height=768):
    page = new_page(width, height)
    _login(page, server)
    page.click(f"#counter-picker [data-counter='{counter}']")
    page.wait_for_selector(f"body[data-counter='{counter}']", state="attached")
    page.wait_for_selector("[data-action=next]:not([disabled])")
    return page


def _issue(server, *services, priority=False):
    return [server.post("/api/tickets", json={"service": s, "priority": priority}).json()["ticket"] for s in services]


def _status(page):
    return page.get_attribute("#ticket", "data-status")


def _ticket(server, ticket) -> dict:
    return server.get(f"/api/tickets/{ticket['token']}").json()["ticket"]


def test_counter_without_login_goes_to_login(live_server, new_page):
    answer = requests.get(live_server.url + "/counter", allow_redirects=False, timeout=5)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login?next=/counter")
    page = new_page(1366, 768)
    page.goto(live_server.url + "/counter")
    assert page.url == live_server.url + "/login?next=/counter"
    assert page.inner_text("h1") == "Masuk petugas loket"


def test_login_shows_indonesian_errors_then_opens_the_counter(live_server, new_page):
    page = new_page(1366, 768)
    page.goto(live_server.url + "/login?next=/counter")
    page.fill("#username", "petugas")
    page.fill("#password", "salah-sekali")
    page.click("#login-submit")
    page.wait_for_selector("#login-error:not([hidden])")
    assert page.inner_text("#login-error") == "Nama pengguna atau kata sandi salah."
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "login.png"))
    for _ in range(6):  # after five failures for a name, the sixth try is refused outright
        page.fill("#username", "tamu-loket")
        page.fill("#password", "tebakan")
        with page.expect_response("**/api/login"):
            page.click("#login-submit")
        # the answer is handled (message shown, password cleared) before the button is enabled again: the
        # next try must not type its password before that clears it
        expect(page.locator("#login-submit")).to_be_enabled()
    wait_until(lambda: "Terlalu banyak percobaan" in page.inner_text("#login-error"))

    page.fill("#username", "petugas")
    page.fill("#password", "rahasia-Loket1")
    page.click("#login-submit")
    page.wait_for_url(live_server.url + "/counter")
    page.wait_for_selector("#counter-picker", state="visible")  # first visit: pick a counter
    assert page.inner_text("#staff-name") == "petugas"


def test_keyboard_shortcuts_call_recall_serve_and_finish(live_server, new_page):
    first, second = _issue(live_server, "REKAM", "UBAH")
    page = _open_counter(new_page, live_server)
    assert page.locator("#waiting-body tr").count() == 2
    assert page.is_disabled("[data-action=serve]") and page.is_disabled("[data-action=done]")

    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    assert page.inner_text("#ticket-number") == first["number"]
    assert _ticket(live_server, first)["status"] == "called"
    assert page.is_disabled("[data-action=next]") and page.is_enabled("[data-action=done]")
    page.wait_for_function("() => document.querySelectorAll('#waiting-body tr').length === 1")

    calls_before = len(live_server.get("/api/queue").json()["recent_calls"])
    page.keyboard.press("r")
    page.wait_for_function("() => document.getElementById('message').textContent.includes('dipanggil ulang')")
    queue = live_server.get("/api/queue").json()
    # The recall replaces the number's earlier entry (each number is listed once), now marked as a recall.
    assert len(queue["recent_calls"]) == calls_before and queue["recent_calls"][0]["recall"] is True

    page.keyboard.press("s")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'serving'")
    assert _ticket(live_server, first)["status"] == "serving"
    page.keyboard.press("d")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'none'")
    assert _ticket(live_server, first)["status"] == "done"

    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    assert page.inner_text("#ticket-number") == second["number"]
    page.keyboard.press("s")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'serving'")
    page.keyboard.press("d")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'none'")
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('message').textContent.includes('Tidak ada antrean')")


def test_a_refused_action_is_an_inline_message_not_a_dialog(live_server, new_page):
    (ticket,) = _issue(live_server, "REKAM")
    page = _open_counter(new_page, live_server)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    # someone else (another screen) starts serving it; this screen still offers "Tidak hadir"
    headers = live_server.login()
    live_server.get("/api/counters/1").raise_for_status()  # the other screen works at the same loket
    live_server.post(f"/api/tickets/{ticket['id']}/serve", headers=headers).raise_for_status()
    page.keyboard.press("t")
    page.wait_for_selector("#message.error")
    assert "sedang dilayani" in page.inner_text("#message")
    assert dialogs == []


def test_a_queue_event_between_pressing_and_releasing_a_no_show_does_not_lose_the_press(live_server, new_page):
    """Every queue event in the office drew the no-show list anew, replacing the button under a finger between
    pressing and releasing it: the press was lost. An unchanged list is no longer drawn again."""
    _, second = _issue(live_server, "REKAM", "REKAM")
    page = _open_counter(new_page, live_server)
    for _ in range(2):  # two no-shows: the first stays selected
        page.keyboard.press("n")
        page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
        page.keyboard.press("t")
        page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'none'")
    other = page.locator(f"#noshow-list [data-ticket-id='{second['id']}']")
    expect(other).to_have_attribute("aria-pressed", "false")
    button = other.element_handle()
    other.hover()
    page.mouse.down()
    with page.expect_response(lambda r: r.url.endswith("/no-shows")) as answer:
        _issue(live_server, "CETAK")  # a queue event: the screen reads its lists again, the no-shows unchanged
    answer.value.finished()
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")  # drawn, if at all
    assert button.evaluate("(b) => b.isConnected")
    page.mouse.up()
    expect(other).to_have_attribute("aria-pressed", "true")


def test_no_show_then_put_back_in_the_queue(live_server, new_page):
    first, _ = _issue(live_server, "REKAM", "REKAM")
    page = _open_counter(new_page, live_server)
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    page.keyboard.press("t")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'none'")
    assert _ticket(live_server, first)["status"] == "no_show"
    item = page.locator(f"#noshow-list [data-ticket-id='{first['id']}']")
    assert item.get_attribute("aria-pressed") == "true"  # the latest no-show is selected
    assert page.is_enabled("[data-action=requeue]")

    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelectorAll('#noshow-list li').length === 0")
    assert _ticket(live_server, first)["status"] == "waiting"
    page.wait_for_selector(f"#waiting-body tr[data-ticket-id='{first['id']}']")
    assert page.is_disabled("[data-action=requeue]")


def test_transfer_through_the_in_page_picker(live_server, new_page):
    (ticket,) = _issue(live_server, "REKAM")
    page = _open_counter(new_page, live_server)
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    page.keyboard.press("a")
    page.wait_for_selector("#transfer-picker", state="visible")
    assert page.is_disabled("#transfer-picker [data-service=REKAM]")  # not to where it already is
    page.keyboard.press("Escape")
    page.wait_for_selector("#transfer-picker", state="hidden")
    page.click("[data-action=transfer]")
    page.keyboard.press("3")  # the third service: Pengambilan KTP-el
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'none'")
    moved = _ticket(live_server, ticket)
    assert (moved["service"], moved["status"], moved["number"]) == ("AMBIL", "waiting", ticket["number"])
    assert "Pengambilan KTP\u2011el" in page.inner_text("#message")


def test_reprint_and_logout(live_server, new_page):
    (ticket,) = _issue(live_server, "REKAM")
    page = _open_counter(new_page, live_server)
    assert page.is_disabled("[data-action=reprint]")
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    page.keyboard.press("p")
    page.wait_for_function("() => document.getElementById('message').textContent.includes('dikirim ke printer')")
    jobs = live_server.runtime.db.conn.execute(
        "SELECT COUNT(*) FROM print_jobs WHERE ticket_id = ?", [ticket["id"]]
    ).fetchone()[0]
    assert jobs == 2

    page.click("#logout")
    # The login page, with or without ?next=: a refresh that was on its way when the session ended is answered 401
    # and sends the page there too, sometimes first.
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    page.goto(live_server.url + "/counter")
    assert "/login" in page.url


def test_the_chosen_counter_is_remembered_and_the_list_is_live(live_server, new_page):
    page = _open_counter(new_page, live_server, counter=2)
    page.reload()
    page.wait_for_selector("body[data-counter='2']", state="attached")
    assert page.is_hidden("#counter-picker")
    assert page.input_value("#counter-select") == "2"
    assert page.locator("#waiting-body tr").count() == 0
    (ticket,) = _issue(live_server, "INFO", priority=True)  # a kiosk issues while the screen is open
    page.wait_for_selector(f"#waiting-body tr[data-ticket-id='{ticket['id']}']", timeout=3000)
    row = page.locator(f"#waiting-body tr[data-ticket-id='{ticket['id']}']").inner_text()
    assert ticket["number"] in row and "Informasi" in row and "Prioritas" in row and "0 mnt" in row
    _issue(live_server, "REKAM")  # not a service of Loket 2
    page.wait_for_timeout(1500)
    assert page.locator("#waiting-body tr").count() == 1


def test_an_expired_session_sends_the_page_to_login(live_server, new_page):
    _issue(live_server, "REKAM")
    page = _open_counter(new_page, live_server)
    page.context.clear_cookies()
    page.keyboard.press("n")
    page.wait_for_selector("#login-form", timeout=5000)
    assert page.url == live_server.url + "/login?next=%2Fcounter"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_printer_banner_when_the_printer_is_offline(tmp_path, new_page):
    app = make_app(
        tmp_path, printer__type="network", printer__host="127.0.0.1", printer__port=_closed_port(), printer__timeout=0.5
    )
    add_staff(app)
    server = LiveServer(app).start()
    try:
        _issue(server, "REKAM")  # the print worker tries at once and finds the printer gone
        page = _open_counter(new_page, server)
        page.wait_for_selector("#printer-banner", state="visible", timeout=5000)
        assert "Printer tiket tidak terhubung" in page.inner_text("#printer-banner")
    finally:
        server.stop()


def test_two_screens_on_one_loket_show_the_same_ticket_live(live_server, new_page):
    first, second = _issue(live_server, "REKAM", "REKAM")
    left = _open_counter(new_page, live_server, counter=1)
    right = _open_counter(new_page, live_server, counter=1)  # a second browser on the same loket
    elsewhere = _open_counter(new_page, live_server, counter=2)

    left.keyboard.press("n")
    for screen in (right, left):  # the other screen's live update may arrive before this one's own answer
        screen.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'", timeout=5000)
    assert right.inner_text("#ticket-number") == left.inner_text("#ticket-number") == first["number"]
    assert right.is_disabled("[data-action=next]")  # this screen cannot strand the held ticket either

    right.keyboard.press("s")
    left.wait_for_function("() => document.getElementById('ticket').dataset.status === 'serving'", timeout=5000)
    left.keyboard.press("d")
    right.wait_for_function("() => document.getElementById('ticket').dataset.status === 'none'", timeout=5000)
    assert _ticket(live_server, first)["status"] == "done"
    assert _ticket(live_server, second)["status"] == "waiting"
    assert elsewhere.get_attribute("#ticket", "data-status") == "none"

    # A screen that missed the live update (its event stream cut) still cannot strand the held ticket:
    # the server refuses its "next" and the screen says which ticket the loket holds.
    stale = new_page(1366, 768)
    stale.route("**/api/events*", lambda route: route.abort())
    stale.clock.install()  # its timers stop below: no fallback poll may refresh it before the key press
    _login(stale, live_server)
    stale.click("#counter-picker [data-counter='1']")
    stale.wait_for_selector("[data-action=next]:not([disabled])")
    stale.clock.pause_at(stale.evaluate("() => Date.now()") + 100)
    right.keyboard.press("n")
    left.wait_for_function(
        f"() => document.getElementById('ticket-number').textContent === '{second['number']}'", timeout=5000
    )
    assert stale.get_attribute("#ticket", "data-status") == "none"
    stale.keyboard.press("n")
    stale.wait_for_selector("#message.error")
    assert f"masih menangani tiket {second['number']}" in stale.inner_text("#message")
    stale.wait_for_function(f"() => document.getElementById('ticket-number').textContent === '{second['number']}'")
    assert _ticket(live_server, second)["status"] == "called"

    # Each browser remembers its own loket.
    for page, counter in ((left, "1"), (right, "1"), (elsewhere, "2")):
        page.reload()
        page.wait_for_selector(f"body[data-counter='{counter}']", state="attached")
        assert page.is_hidden("#counter-picker") and page.input_value("#counter-select") == counter


def test_a_ticket_of_another_loket_is_refused_with_the_reason_on_screen(live_server, new_page):
    (ticket,) = _issue(live_server, "REKAM")
    first_tab = _open_counter(new_page, live_server, counter=1)
    first_tab.keyboard.press("n")
    first_tab.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    first_tab.wait_for_timeout(1500)  # let the live refreshes of that call settle
    # A second tab of the same browser (same sign-in) switches the session to Loket 2.
    second_tab = first_tab.context.new_page()
    second_tab.goto(live_server.url + "/counter")
    second_tab.wait_for_selector("body[data-counter='1']", state="attached")
    with second_tab.expect_response("**/api/counters/2"):
        second_tab.select_option("#counter-select", "2")
    first_tab.keyboard.press("s")
    first_tab.wait_for_selector("#message.error")
    assert first_tab.inner_text("#message") == (
        f"Tiket {ticket['number']} ditangani Loket 1. Sesi ini bekerja di Loket 2; "
        "petugas hanya dapat mengubah tiket loketnya sendiri."
    )
    assert _ticket(live_server, ticket)["status"] == "called"


def test_done_straight_after_the_call_and_the_served_today_count(live_server, new_page):
    first, second = _issue(live_server, "REKAM", "REKAM")
    page = _open_counter(new_page, live_server)
    assert page.inner_text("#served-today") == "0"
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    assert page.is_enabled("[data-action=done]")  # no need to press "Mulai layani" first
    page.keyboard.press("d")
    page.wait_for_function("() => document.getElementById('served-today').textContent === '1'")
    assert _status(page) == "none" and _ticket(live_server, first)["status"] == "done"
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    page.keyboard.press("s")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'serving'")
    page.keyboard.press("d")
    page.wait_for_function("() => document.getElementById('served-today').textContent === '2'")
    assert _ticket(live_server, second)["status"] == "done"
    other = _open_counter(new_page, live_server, counter=2)  # the count is per loket
    assert other.inner_text("#served-today") == "0"


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_the_counter_screen_fits(live_server, new_page, width, height):
    _issue(live_server, "REKAM", "UBAH", "REKAM")
    _issue(live_server, "REKAM", priority=True)
    page = _open_counter(new_page, live_server, width=width, height=height)
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'called'")
    page.keyboard.press("s")
    page.wait_for_function("() => document.getElementById('ticket').dataset.status === 'serving'")
    for selector in ("[data-action]", "#logout", "#counter-select"):
        for box in (page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())):
            assert box["y"] + box["height"] <= height and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"counter-{width}x{height}.png"))
