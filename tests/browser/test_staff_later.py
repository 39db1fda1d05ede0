"""The staff screens of later days and disruptions in real Chromium at 1366x768, Indonesian and English: the
counter's "Gangguan & hari lain" page (start and end a disruption, keep / move / rebook the waiting tickets it
holds, book a later day for a resident who phones), late return on the counter screen, and /admin/arrivals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.domain.words import messages
from tests.browser.axe import problems as _problems
from tests.conftest import Clock
from tests.support import LiveServer, add_staff, hold_next_answer, log_in, make_app, wait_for_late_answer
from tests.test_bookings import HOURS, office_app, services

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")
EN = messages("en")["staff_later"]
ID = messages("id")["staff_later"]


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name))


@pytest.fixture
def office(tmp_path):
    """A real waitress server on the app's controlled clock (Wednesday 25 November 2026, 09:00)."""
    clock = Clock()
    app = office_app(tmp_path, clock)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    live = LiveServer(app).start(workers=False)
    live.clock = clock
    yield live
    live.stop()


def _log_in(page, server, path, username="petugas", password="rahasia-Loket1"):
    log_in(page, server.url, path, username, password)
    if path.startswith("/counter/later"):  # its script has drawn the lists and listens for keys
        page.wait_for_selector("body[data-ready=true]", state="attached")


def _issue(server, service):
    answer = server.post("/api/tickets", json={"service": service})
    answer.raise_for_status()
    return answer.json()["ticket"]


def _status(server, ticket):
    return server.get(f"/api/tickets/{ticket['token']}").json()["ticket"]["status"]


def test_a_disruption_is_started_decided_per_ticket_and_ended_from_the_counter(new_page, office):
    first, second, third = (_issue(office, "REKAM") for _ in range(3))
    other = _issue(office, "CETAK")
    page = new_page(1366, 768)
    _log_in(page, office, "/counter/later")
    expect(page.locator("h1")).to_have_text(ID["title"])
    expect(page.locator("#active-empty")).to_be_visible()
    expect(page.locator("#affected-empty")).to_be_visible()

    page.keyboard.press("g")  # the disruption form, as the counter's G opens this page
    expect(page.locator("#d-service")).to_be_focused()
    page.select_option("#d-service", "REKAM")
    page.select_option("#d-reason", "blanko")
    page.fill("#d-note", "Kiriman blanko dari Disdukcapil datang Senin")
    page.fill("#d-until", "11:30")
    page.click("#disruption-form button[type=submit]")
    expect(page.locator("#disruption-message")).to_have_text(ID["started"])
    expect(page.locator(".active-item .active-words")).to_have_text(
        "Perekaman KTP-el · Blanko KTP-el habis · Kiriman blanko dari Disdukcapil datang Senin"
    )
    expect(page.locator(".active-item .active-since")).to_have_text("sejak 09.00 · perkiraan selesai 11.30")
    public = office.get("/api/disruptions").json()["disruptions"]
    assert [(d["service"], d["reason"], d["until"]) for d in public] == [
        ("REKAM", "blanko", "2026-11-25T11:30:00+07:00")
    ]
    assert office.post("/api/tickets", json={"service": "REKAM"}).status_code == 409

    # the waiting REKAM tickets are listed (not CETAK's), the first one chosen
    rows = page.locator("#affected-body tr")
    expect(rows).to_have_count(3)
    expect(rows.locator("td.number")).to_have_text([first["number"], second["number"], third["number"]])
    expect(page.locator("#affected-count")).to_have_text("3")
    assert _problems(page) == []
    _shot(page, "counter-disruption.png")

    page.keyboard.press("b")  # keep the first one: it waits on, and is not asked about again
    expect(page.locator("#affected-message")).to_have_text(f"{first['number']} {ID['kept']}")
    expect(rows).to_have_count(2)
    assert _status(office, first) == "waiting"

    page.keyboard.press("a")  # move the second one, the service picked by its digit as on the counter
    expect(page.locator("#move-picker")).to_be_visible()
    expect(page.locator("#move-picker [data-service=REKAM]")).to_be_disabled()
    page.keyboard.press("Escape")
    expect(page.locator("#move-picker")).to_be_hidden()
    page.keyboard.press("a")
    digit = page.locator("#move-picker [data-service]").evaluate_all(
        "(options) => options.findIndex((o) => o.dataset.service === 'CETAK') + 1"
    )
    page.keyboard.press(str(digit))
    expect(page.locator("#affected-message")).to_have_text(f"{second['number']} dialihkan ke Pencetakan KTP-el.")
    moved = office.get(f"/api/tickets/{second['token']}").json()["ticket"]
    assert (moved["service"], moved["status"]) == ("CETAK", "waiting")
    expect(rows).to_have_count(1)

    page.keyboard.press("h")  # the third becomes a booking for the next open day
    expect(page.locator("#affected-message")).to_contain_text(f"{third['number']} {ID['rebooked']}")
    expect(page.locator("#affected-message")).to_contain_text("Kamis, 26 November · 08:00–09:00")
    assert _status(office, third) == "cancelled"
    expect(page.locator("#affected-empty")).to_be_visible()
    assert _status(office, other) == "waiting"

    page.click(".active-item .end-button")  # one tap
    expect(page.locator("#disruption-message")).to_have_text(ID["ended"])
    expect(page.locator("#active-empty")).to_be_visible()
    assert office.get("/api/disruptions").json()["disruptions"] == []
    assert office.post("/api/tickets", json={"service": "REKAM"}).status_code == 201


def test_a_disruption_of_every_service_in_english(new_page, office):
    _issue(office, "REKAM")
    _issue(office, "CETAK")
    page = new_page(1366, 768)
    _log_in(page, office, "/counter/later?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(EN["title"])
    expect(page.locator("#logout")).to_have_text("Log out")
    page.select_option("#d-reason", "network")
    page.fill("#d-until", "08:30")  # already past at 09:00: refused, the server's words on screen
    page.click("#disruption-form button[type=submit]")
    expect(page.locator("#disruption-message")).to_have_text("Perkiraan selesai ('until') harus di masa mendatang.")
    expect(page.locator("#disruption-message")).to_have_attribute("role", "alert")
    assert office.get("/api/disruptions").json()["disruptions"] == []
    page.fill("#d-until", "")
    page.click("#disruption-form button[type=submit]")
    expect(page.locator("#disruption-message")).to_have_text(EN["started"])
    expect(page.locator(".active-item .active-words")).to_have_text("All services · The network/SIAK link is down")
    expect(page.locator("#affected-body tr")).to_have_count(2)
    expect(page.locator("#affected-body tr >> nth=0 >> button >> nth=0")).to_contain_text("Keep")
    assert _problems(page) == []
    _shot(page, "counter-disruption-en.png")
    page.click(".active-item .end-button")
    expect(page.locator("#disruption-message")).to_have_text(EN["ended"])
    expect(page.locator("#affected-empty")).to_be_visible()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_staff_book_a_later_day_for_a_resident_who_phones(new_page, office, lang):
    words = ID if lang == "id" else EN
    page = new_page(1366, 768)
    _log_in(page, office, f"/counter/later?lang={lang}")
    page.wait_for_selector("#b-slot option", state="attached")
    page.keyboard.press("f")
    expect(page.locator("#b-service")).to_be_focused()
    expect(page.locator("#b-day option >> nth=0")).to_have_text(
        "Kamis, 26 November" if lang == "id" else "Thursday 26 November"
    )
    expect(page.locator("#b-slot option >> nth=0")).to_have_text(f"08:00–09:00 ({words['seats_left']} 2)")
    page.select_option("#b-slot", "09:00")
    page.fill("#b-members", "2")
    page.fill("#b-phone", "0812-3456-7890")
    page.click("#book-form button[type=submit]")
    expect(page.locator("#book-message")).to_have_text(words["booked"])
    code = page.inner_text("#book-code")
    row = office.runtime.db.conn.execute(
        "SELECT day, slot_start, members, phone, created_by FROM bookings WHERE code = ?", [code]
    ).fetchone()
    assert tuple(row) == ("2026-11-26", "09:00", 2, "+6281234567890", "petugas")
    left = words["seats_left"]  # two people took both seats of 09:00: that window is not offered any more
    expect(page.locator("#b-slot option")).to_have_text(
        [f"08:00–09:00 ({left} 2)", f"10:00–11:00 ({left} 2)", f"11:00–12:00 ({left} 2)"]
    )
    assert _problems(page) == []
    _shot(page, f"counter-book-phone-{lang}.png")

    page.fill("#b-phone", "12345")  # a wrong number: the server's words, nothing booked
    page.click("#book-form button[type=submit]")
    expect(page.locator("#book-message")).to_have_class("message error")
    assert office.runtime.db.conn.execute("SELECT COUNT(*) FROM bookings").fetchone()[0] == 1


def test_late_return_puts_a_no_show_back_once_with_one_key(new_page, office):
    ticket = _issue(office, "REKAM")
    _issue(office, "REKAM")
    page = new_page(1366, 768)
    _log_in(page, office, "/counter")
    page.click("#counter-picker [data-counter='1']")
    page.wait_for_selector("[data-action=next]:not([disabled])")
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    page.keyboard.press("t")
    expect(page.locator(".noshow-item")).to_have_text([f"{ticket['number']} · Perekaman KTP-el"])
    expect(page.locator("[data-action=late-return]")).to_be_enabled()
    if SCREENSHOTS:  # the ticket and no-show panels (the waiting minutes run on the real clock, not the office's)
        page.screenshot(
            path=str(Path(SCREENSHOTS) / "counter-late-return.png"), clip={"x": 0, "y": 0, "width": 870, "height": 768}
        )
    page.keyboard.press("l")
    expect(page.locator("#message")).to_have_text(
        f"{ticket['number']} kembali ke antrean (kembali terlambat), beberapa nomor kemudian."
    )
    assert _status(office, ticket) == "waiting"
    expect(page.locator(".noshow-item")).to_have_count(0)
    assert _problems(page) == []


def test_admin_lists_a_days_arrivals_per_window_and_cancels_after_asking(new_page, office):
    staff = office.login()
    codes = {}
    for slot, members in (("08:00", 1), ("08:00", 1), ("10:00", 2)):
        answer = office.post(
            "/api/bookings",
            json={"service": "REKAM", "date": "2026-11-26", "slot": slot, "members": members},
            headers=staff,
        )
        answer.raise_for_status()
        codes.setdefault(slot, []).append(answer.json()["booking"]["code"])
    office.post("/api/logout", headers=staff)
    page = new_page(1366, 768)
    _log_in(page, office, "/admin/arrivals?date=2026-11-26", "kepala", "rahasia-Admin1")
    expect(page.locator(".window-block h3")).to_have_text(["08:00–09:00 · Orang: 2", "10:00–11:00 · Orang: 2"])
    expect(page.locator("#arrivals-count")).to_have_text("3")
    assert _problems(page) == []
    _shot(page, "admin-arrivals.png")

    target = codes["08:00"][1]
    page.click(f"tr[data-code='{target}'] button")
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm-text")).to_contain_text(f"Pemesanan {target} (08:00–09:00) dibatalkan")
    assert _problems(page) == []
    _shot(page, "admin-arrivals-confirm.png")
    page.click("#confirm-cancel")  # "Tidak": nothing happens
    expect(page.locator("#confirm")).to_be_hidden()
    status = "SELECT status FROM bookings WHERE code = ?"
    assert office.runtime.db.conn.execute(status, [target]).fetchone()[0] == "booked"
    page.click(f"tr[data-code='{target}'] button")
    page.click("#confirm-ok")
    expect(page.locator("#message")).to_have_text(f"Pemesanan {target} dibatalkan.")
    assert office.runtime.db.conn.execute(status, [target]).fetchone()[0] == "cancelled"
    expect(page.locator(f"tr[data-code='{target}'] td >> nth=3")).to_have_text("Dibatalkan")
    expect(page.locator(".window-block h3 >> nth=0")).to_have_text("08:00–09:00 · Orang: 1")

    page.fill("#day", "2026-11-27")  # any chosen day
    page.click("#day-form button[type=submit]")
    expect(page.locator("#arrivals-empty")).to_be_visible()

    page.goto(f"{office.url}/admin/arrivals?date=2026-13-45")  # no such day: the server's words on screen
    expect(page.locator("#message")).to_have_text("Parameter 'date' harus berupa tanggal YYYY-MM-DD.")

    page.goto(f"{office.url}/admin/arrivals?date=2026-11-26")
    page.click(".lang-switch a[lang=en]")  # the chosen day stays
    page.wait_for_url("**/admin/arrivals?date=2026-11-26&lang=en")
    expect(page.locator("h1")).to_have_text(EN["arrivals_title"])
    expect(page.locator(".window-block h3")).to_have_text(["08:00–09:00 · People: 1", "10:00–11:00 · People: 2"])
    expect(page.locator(f"tr[data-code='{target}'] td >> nth=3")).to_have_text("Cancelled")
    page.click(f"tr[data-code='{codes['10:00'][0]}'] button")
    expect(page.locator("#confirm-title")).to_have_text(EN["confirm_title"])
    assert _problems(page) == []
    _shot(page, "admin-arrivals-en.png")


def test_counter_staff_cannot_open_the_arrivals_screen(new_page, office):
    page = new_page(1366, 768)
    _log_in(page, office, "/counter/later")
    other = page.context.new_page()  # the same session in a second tab
    answer = other.goto(f"{office.url}/admin/arrivals")
    assert answer.status == 403
    expect(other.locator("body")).to_contain_text("admin")


def test_the_month_report_shows_disruption_minutes(new_page, office):
    staff = office.login()
    started = office.post(
        "/api/disruptions", json={"service": "REKAM", "reason": "blanko", "note": "Kiriman Senin"}, headers=staff
    ).json()["disruption"]
    office.clock.advance(minutes=95)
    office.post(f"/api/disruptions/{started['id']}/end", headers=staff).raise_for_status()
    office.post("/api/logout", headers=staff)
    page = new_page(1366, 768)
    _log_in(page, office, "/admin/reports?from=2026-11-01&to=2026-11-30", "kepala", "rahasia-Admin1")
    rows = page.locator("#table-disruptions tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td")).to_have_text(["Perekaman KTP-el", "Blanko KTP-el habis", "1", "95"])
    page.locator("#section-disruptions").scroll_into_view_if_needed()
    assert _problems(page) == []
    if SCREENSHOTS:
        page.locator("#section-disruptions").screenshot(path=str(Path(SCREENSHOTS) / "report-disruptions.png"))


def test_a_refresh_between_pressing_and_releasing_end_disruption_does_not_lose_the_press(new_page, office):
    """A list read again and drawn anew replaced the End button under a staff member's finger: the press between
    the button going down and coming up was lost. Unchanged lists are no longer drawn again."""
    _issue(office, "REKAM")
    page = new_page(1366, 768)
    _log_in(page, office, "/counter/later")
    page.select_option("#d-service", "REKAM")
    page.click("#disruption-form button[type=submit]")
    expect(page.locator("#disruption-message")).to_have_text(ID["started"])
    expect(page.locator("#affected-body tr")).to_have_count(1)
    kept_row = page.locator("#affected-body tr").element_handle()
    page.locator(".active-item .end-button").hover()
    page.mouse.down()
    with (
        page.expect_response(lambda r: r.url.endswith("/api/disruptions")) as active,
        page.expect_response(lambda r: r.url.endswith("/api/disruptions/waiting")) as waiting,
    ):
        _issue(office, "CETAK")  # a live "queue" event: the page reads both lists again, both unchanged
    active.value.finished()
    waiting.value.finished()
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")  # drawn, if at all
    assert kept_row.evaluate("(row) => row.isConnected")  # the unchanged ticket list was not drawn again either
    page.mouse.up()
    expect(page.locator("#disruption-message")).to_have_text(ID["ended"])
    assert office.get("/api/disruptions").json()["disruptions"] == []


def test_an_end_that_fails_leaves_the_end_button_ready_to_press_again(new_page, office):
    page = new_page(1366, 768)
    _log_in(page, office, "/counter/later")
    page.click("#disruption-form button[type=submit]")
    expect(page.locator("#disruption-message")).to_have_text(ID["started"])
    page.route("**/api/disruptions/*/end", lambda route: route.abort())  # the network drops the press
    page.click(".active-item .end-button")
    expect(page.locator("#disruption-message")).to_have_attribute("role", "alert")
    expect(page.locator(".active-item .end-button")).to_be_enabled()
    page.unroute("**/api/disruptions/*/end")
    page.click(".active-item .end-button")
    expect(page.locator("#disruption-message")).to_have_text(ID["ended"])


def test_a_disruption_started_at_another_counter_shows_up_live(new_page, office):
    ticket = _issue(office, "CETAK")
    page = new_page(1366, 768)
    _log_in(page, office, "/counter/later")
    expect(page.locator("#active-empty")).to_be_visible()
    staff = office.login("kepala", "rahasia-Admin1")  # another member of staff, elsewhere
    started = office.post("/api/disruptions", json={"service": "CETAK", "reason": "equipment"}, headers=staff)
    started.raise_for_status()
    expect(page.locator(".active-item .active-words")).to_have_text("Pencetakan KTP-el · Alat perekaman rusak")
    expect(page.locator("#affected-body td.number")).to_have_text([ticket["number"]])
    office.post(f"/api/disruptions/{started.json()['disruption']['id']}/end", headers=staff).raise_for_status()
    expect(page.locator("#active-empty")).to_be_visible()
    expect(page.locator("#affected-empty")).to_be_visible()


def test_switching_the_booking_service_never_ends_on_the_earlier_services_late_windows(new_page, tmp_path):
    # Two bookable services; the first one's windows answer late, after staff already went back to the other.
    listed = [{**s, "booking_quota": 40} if s["code"] == "UBAH" else s for s in services(booking_quota=8)]
    app = make_app(tmp_path, clock=Clock(), office__hours__sun="", **HOURS, services=listed)
    add_staff(app)
    server = LiveServer(app).start(workers=False)
    try:
        page = new_page(1366, 768)
        _log_in(page, server, "/counter/later")
        left = ID["seats_left"]
        rekam_first = f"08:00–09:00 ({left} 2)"  # REKAM: 8 seats a day, 2 a window; UBAH: 10 a window
        expect(page.locator("#b-slot option >> nth=0")).to_have_text(rekam_first)
        hold_next_answer(page, "service=UBAH")
        with page.expect_request("**/api/bookings/availability?service=UBAH"):
            page.select_option("#b-service", "UBAH")
        page.select_option("#b-service", "REKAM")
        wait_for_late_answer(page)
        # REKAM's own answer may come after the late one under load: it is drawn then, so wait for the settled list
        expect(page.locator("#b-slot option").first).to_have_text(rekam_first)
        assert page.input_value("#b-service") == "REKAM"
    finally:
        server.stop()
