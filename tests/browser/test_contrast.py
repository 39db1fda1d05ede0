"""WCAG AA text contrast on every screen and state of the kiosk, the phone page and the waiting-room display.

Each visible element with text of its own is measured in real Chromium: its computed colour against
the background it is painted on (every ancestor's background colour composited in order, opacity
included), at least 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Animated states (the
display's flash) are measured at several points of the animation.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kiosk.storage import tickets as store
from tests.browser.test_kiosk import CLOSED_ALL_WEEK, demo_services_with_ikd_closed
from tests.browser.test_kiosk_status import DEMO_KK, READY_NIK, SHIPPED_NIK, seed_demo_records
from tests.support import LiveServer, add_staff, free_counter, make_app

pytestmark = pytest.mark.browser

CONTRAST_PROBLEMS = """() => {
  const parse = (text) => {
    const m = /^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/.exec(text);
    return m ? {r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4]} : null;
  };
  const over = (top, below) => ({r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
                                 b: top.b * top.a + below.b * (1 - top.a), a: 1});
  const luminance = (c) => {
    const [r, g, b] = [c.r, c.g, c.b].map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const opacity = (el) => { let o = 1; for (; el; el = el.parentElement) o *= +getComputedStyle(el).opacity; return o; };
  // What the element's text is painted on: the canvas, then each ancestor's background, root first.
  const background = (el) => {
    const chain = []; for (let n = el; n; n = n.parentElement) chain.unshift(n);
    let color = {r: 255, g: 255, b: 255, a: 1};
    for (const node of chain) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none') return {unknown: `background-image on ${node.tagName}`};
      const layer = parse(style.backgroundColor);
      if (!layer) return {unknown: `colour ${style.backgroundColor}`};
      layer.a *= opacity(node);
      color = over(layer, color);
    }
    return color;
  };
  const problems = [];
  const checked = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
    if (!text || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // screen-reader-only text
    const style = getComputedStyle(el);
    const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''} "${text.slice(0, 40)}"`;
    const below = background(el);
    const ink = parse(style.color);
    if (below.unknown || !ink) { problems.push(`${name}: cannot measure (${below.unknown || style.color})`); continue; }
    ink.a *= opacity(el);
    const shown = over(ink, below);
    const [light, dark] = [luminance(shown), luminance(below)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
    const needed = large ? 3 : 4.5;
    checked.push(text);
    if (ratio < needed) problems.push(`${name}: ${ratio.toFixed(2)}:1 < ${needed}:1 (${hex(shown)} on ${hex(below)})`);
  }
  return {problems, checked};
}"""

# Freeze every running animation at a fraction of its iteration (the display's flash peaks at 0.5).
SEEK_ANIMATIONS = """fraction => {
  const animations = document.getAnimations();
  for (const animation of animations) {
    animation.pause();
    animation.currentTime = animation.effect.getComputedTiming().duration * fraction;
  }
  return animations.length;
}"""

# End every animation that ends by itself (the flash); the running text scrolls for ever.
FINISH_ANIMATIONS = """() => document.getAnimations()
  .filter(a => a.effect.getComputedTiming().endTime !== Infinity).forEach(a => a.finish())"""


def measure(page, state: str, results: dict, must_include: str | None = None) -> None:
    """Measure the page now; record its problems under ``state`` (and that ``must_include`` text was measured)."""
    found = page.evaluate(CONTRAST_PROBLEMS)
    assert found["checked"], f"{state}: no text measured"
    if must_include is not None:
        assert any(must_include in text for text in found["checked"]), (state, must_include, found["checked"])
    results[state] = found["problems"]


def assert_all_pass(results: dict) -> None:
    failing = {state: problems for state, problems in results.items() if problems}
    assert failing == {}, "\n".join(f"{state}: {problem}" for state, ps in failing.items() for problem in ps)


def settled(page, screen: str):
    locator = page.locator(f"#screen-{screen}")
    expect(locator).to_be_visible()
    expect(locator).not_to_have_class(re.compile(r"\bis-settling\b"))
    return locator


# ------------------------------------------------------------------------------------------- kiosk


@pytest.fixture
def kiosk_office(tmp_path):
    app = make_app(tmp_path, services=demo_services_with_ikd_closed())  # one service closed: a greyed card
    server = LiveServer(app).start()
    seed_demo_records(server)  # KTP-el status records for the status check's answers
    yield server
    server.stop()


KIOSK_SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}  # the walk itself runs in the last one
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def measure_kiosk(page, state: str, results: dict, must_include: str | None = None) -> None:
    """Measure a kiosk state in both orientations: the page is turned, laid out again and measured each way.

    One walk through the screens serves both (the walk is what costs: every new screen ignores taps for
    half a second); the layouts and media queries of each orientation are the ones measured.
    """
    for name, (width, height) in KIOSK_SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(NEXT_FRAME)
        measure(page, f"{state} [{name}]", results, must_include)


def test_every_kiosk_screen_and_state_meets_wcag_aa_in_both_orientations(new_page, kiosk_office, tmp_path):
    server = kiosk_office
    results: dict[str, list[str]] = {}
    page = new_page(*KIOSK_SIZES["portrait"])
    screens = set()

    # A server that cannot be reached: the start screen says so.
    page.route("**/api/services", lambda route: route.abort())
    page.goto(f"{server.url}/kiosk?idle=600&result=600")
    expect(page.locator("#services-note")).to_be_visible()
    measure_kiosk(page, "start, server unreachable", results, "Tidak dapat terhubung")
    page.unroute("**/api/services")

    page.reload()
    expect(page.locator(".k-service-btn[data-code=REKAM]")).to_be_enabled()
    measure_kiosk(page, "start (one service closed)", results, "Perekaman KTP-el")
    screens.add("start")
    page.locator(".k-lang-btn[data-lang=en]").click()
    expect(page.locator("#screen-start h2")).to_have_text("Take a Queue Number")
    measure_kiosk(page, "start in English", results, "Take a Queue Number")
    page.locator(".k-lang-btn[data-lang=id]").click()

    page.locator(".k-service-btn[data-code=REKAM]").click()
    settled(page, "priority")
    measure_kiosk(page, "priority choice", results, "Prioritas")
    screens.add("priority")

    # Busy: hold the issuing request until the screen is measured.
    held = []
    page.route("**/api/tickets", lambda route: held.append(route))
    page.locator("#choose-priority").click()
    expect(page.locator("#screen-busy")).to_be_visible()
    measure_kiosk(page, "busy (issuing)", results, "Nomor antrean sedang dibuat")
    screens.add("busy")
    page.wait_for_function("() => true")  # let Playwright deliver the held route
    assert held, "the issuing request was not held"
    held[0].continue_()
    page.unroute("**/api/tickets")

    expect(page.locator("#result-number")).to_have_text("A-001")
    page.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")
    measure_kiosk(page, "ticket shown (priority)", results, "A-001")
    screens.add("result")
    page.evaluate(
        "() => { document.getElementById('print-ok').hidden = true;"
        " document.getElementById('print-fault').hidden = false; }"
    )
    measure_kiosk(page, "ticket shown, printer fault", results, "Printer bermasalah")

    page.locator("#screen-result .k-done").click()
    page.route(
        "**/api/tickets",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body='{"error": {"code": "quota_reached", "message": "Kuota nomor antrean hari ini sudah habis."}}',
        ),
    )
    page.locator(".k-service-btn[data-code=CETAK]").click()
    settled(page, "priority").locator("#choose-regular").click()
    expect(page.locator("#error-text")).to_have_text("Kuota nomor antrean hari ini sudah habis.")
    measure_kiosk(page, "error", results, "Kuota nomor antrean")
    screens.add("error")
    page.unroute("**/api/tickets")

    # The KTP-el status check: notice, keypad (with a message, then checking), the answers.
    page.locator("#screen-error .k-done").click()
    page.locator("#status-start").click()
    settled(page, "status-notice")
    measure_kiosk(page, "status check, privacy notice", results, "Sebelum mulai")
    screens.add("status-notice")
    page.locator("#notice-next").click()
    settled(page, "status-entry")
    page.keyboard.type(READY_NIK[:15])
    page.keyboard.press("Enter")
    expect(page.locator("#entry-message")).to_be_visible()
    measure_kiosk(page, "status check, NIK keypad with a message", results, "NIK harus 16 angka")
    screens.add("status-entry")
    page.keyboard.type(READY_NIK[15])
    page.keyboard.press("Enter")
    page.keyboard.type(DEMO_KK)
    measure_kiosk(page, "status check, nomor KK keypad full", results, "Masukkan nomor KK")
    held = []
    page.route("**/api/status-lookups", lambda route: held.append(route))
    page.keyboard.press("Enter")
    expect(page.locator("#entry-message")).to_have_text("Sedang memeriksa…")
    measure_kiosk(page, "status check, checking", results, "Sedang memeriksa")
    page.wait_for_function("() => true")
    assert held, "the lookup was not held"
    held[0].continue_()
    page.unroute("**/api/status-lookups")
    expect(page.locator("#answer-take")).to_be_visible()
    settled(page, "status-answer")
    measure_kiosk(page, "status check, ready with its next step", results, "Siap diambil")
    screens.add("status-answer")
    page.locator("#answer-done").click()
    page.locator("#status-start").click()
    settled(page, "status-notice").locator("#notice-next").click()
    settled(page, "status-entry")
    for number in (SHIPPED_NIK, DEMO_KK):
        page.keyboard.type(number)
        page.keyboard.press("Enter")
    expect(page.locator("#answer-label")).to_have_text("Dalam pengiriman")
    measure_kiosk(page, "status check, on its way (no next step)", results, "Dalam pengiriman")
    page.locator("#answer-done").click()
    page.locator("#status-start").click()
    settled(page, "status-notice").locator("#notice-next").click()
    settled(page, "status-entry")
    for number in (READY_NIK, DEMO_KK[:15] + "9"):
        page.keyboard.type(number)
        page.keyboard.press("Enter")
    expect(page.locator("#entry-message")).to_contain_text("Data tidak ditemukan")
    measure_kiosk(page, "status check, not found", results, "Data tidak ditemukan")

    # "Layanan lainnya": the smaller doors (a number for a later day; the service standards and complaints).
    page.goto(f"{server.url}/kiosk?idle=600")
    page.locator("#more-open").click()
    settled(page, "more")
    measure_kiosk(page, "more services", results, "Layanan lainnya")
    screens.add("more")

    page.goto(f"{server.url}/kiosk?idle=1&warn=600")
    page.locator(".k-service-btn[data-code=AMBIL]").click()
    expect(page.locator("#idle-warning")).to_be_visible(timeout=5000)
    measure_kiosk(page, "idle warning", results, "Masih di sana?")

    # The satisfaction survey: a number served today (A-001, issued above), its questions, profile and thanks.
    add_staff(server.app)
    staff = server.login()
    server.post("/api/counters/1/next", headers=staff).raise_for_status()
    server.post("/api/tickets/1/done", headers=staff).raise_for_status()
    page.goto(f"{server.url}/kiosk?idle=600&result=600")
    page.locator("#survey-open").click()
    number = settled(page, "survey-number")
    number.locator("[data-letter=A]").click()
    number.locator("[data-key='9']").click()
    number.locator("#survey-number-next").click()
    expect(page.locator("#survey-number-error")).to_contain_text("A-009")
    measure_kiosk(page, "survey: number not found", results, "A-009")
    screens.add("survey-number")
    number.locator("[data-key=erase]").click()
    number.locator("[data-key='1']").click()
    number.locator("#survey-number-next").click()
    for _ in range(9):
        settled(page, "survey-question").locator(".ks-answer[data-score='3']").click()
    page.locator(".k-lang-btn[data-lang=en]").click()
    page.locator("#survey-profile-back").click()
    settled(page, "survey-question").locator(".ks-answer[data-score='3']").click()  # an answer chosen shows it
    page.locator("#survey-profile-back").click()
    expect(page.locator(".ks-answer[aria-pressed=true]")).to_have_count(1)
    measure_kiosk(page, "survey: a question in English, answer chosen", results, "Question 9 of 9")
    screens.add("survey-question")
    page.locator(".k-lang-btn[data-lang=id]").click()
    settled(page, "survey-question").locator(".ks-answer[data-score='4']").click()
    profile = settled(page, "survey-profile")
    profile.locator("[data-part=gender][data-option=P]").click()
    page.route(
        "**/api/surveys",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body='{"error": {"code": "already_answered", "message": "Survei untuk nomor A-001 sudah diisi. Terima kasih."}}',
        ),
    )
    profile.locator("#survey-send").click()
    expect(page.locator("#survey-send-error")).to_be_visible()
    measure_kiosk(page, "survey: profile, a chip chosen, a send error", results, "Perempuan")
    screens.add("survey-profile")
    # A profile part on its own screen (voice mode opens it from the part list): the seven jobs, one chosen.
    open_jobs = "document.querySelector(\"[data-part-open='job']\").click()"
    page.evaluate(open_jobs)
    settled(page, "survey-part").locator("[data-part-choose='job'][data-option='swasta']").click()
    settled(page, "survey-profile")
    page.evaluate(open_jobs)
    settled(page, "survey-part")
    measure_kiosk(page, "survey: a profile part, an option chosen", results, "Pegawai swasta")
    screens.add("survey-part")
    page.locator("#survey-part-back").click()
    profile = settled(page, "survey-profile")
    page.unroute("**/api/surveys")
    profile.locator("#survey-send").click()
    settled(page, "survey-thanks")
    measure_kiosk(page, "survey: thanks", results, "Terima kasih")
    screens.add("survey-thanks")

    # The office closed: no service open today (a second office on the same machine).
    closed = LiveServer(
        make_app(
            tmp_path / "closed",
            services=[{**service, "hours": CLOSED_ALL_WEEK} for service in demo_services_with_ikd_closed()],
        )
    ).start(workers=False)
    try:
        page.goto(f"{closed.url}/kiosk")
        expect(page.locator(".k-service-btn")).not_to_have_count(0)
        expect(page.locator(".k-service-btn:not(:disabled)")).to_have_count(0)
        measure_kiosk(page, "office closed (every service closed today)", results, "Layanan tidak dibuka hari ini")
    finally:
        closed.stop()

    screens |= later_day_and_fair_access_screens(page, tmp_path, results)

    every_screen = set(page.eval_on_selector_all("[data-screen]", "nodes => nodes.map(n => n.dataset.screen)"))
    assert every_screen - screens == set(), "kiosk screens without a contrast check"
    assert_all_pass(results)


def later_day_and_fair_access_screens(page, tmp_path, results: dict) -> set[str]:
    """Measure what to bring, one number per NIK with its family count, a disruption notice and the later-day
    screens, on an office that asks for all of them; return the screens seen."""

    def on_screen(page, name):  # the later-day screens are named by data-screen, not #screen-<name>
        locator = page.locator(f"[data-screen='{name}']")
        expect(locator).to_be_visible()
        expect(locator).not_to_have_class(re.compile(r"\bis-settling\b"))

    from tests.conftest import Clock
    from tests.test_bookings import HOURS, services

    office = LiveServer(
        make_app(
            tmp_path / "later",
            clock=Clock(),
            office__hours__sun="",
            **HOURS,
            services=services(booking_quota=8, one_per_nik=True, daily_quota=20),
            kiosk__ask_requirements=True,
            disruption__alternatives={"blanko": ["IKD"]},
        )
    ).start(workers=False)
    add_staff(office.app)
    try:
        page.goto(f"{office.url}/kiosk?idle=600")
        page.locator(".k-service-btn[data-code=REKAM]").click()
        settled(page, "bring")
        measure_kiosk(page, "what to bring", results, "Sudah membawa semuanya?")
        page.locator("#bring-no").click()
        settled(page, "missing")
        measure_kiosk(page, "what to bring: not yet", results, "Ambil nomor untuk hari lain")
        page.locator("#screen-missing [data-action=home]").click()
        page.locator(".k-service-btn[data-code=REKAM]").click()
        settled(page, "bring")
        page.locator("#bring-yes").click()
        settled(page, "status-entry")
        page.keyboard.type("6203014107900001")
        page.locator("[data-key=next]").click()
        settled(page, "members")
        measure_kiosk(page, "how many people of one KK", results, "Untuk berapa orang?")
        page.locator("#screen-members [data-action=home]").click()
        office.post(
            "/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers=office.login()
        ).raise_for_status()
        expect(page.locator("#screen-start .k-disruption")).to_be_visible()
        measure_kiosk(page, "start, a disruption notice", results, "Blanko KTP-el habis")

        page.goto(f"{office.url}/kiosk/later")
        expect(page.locator("#later-services .l-service")).to_have_count(1)
        on_screen(page, "later")
        measure_kiosk(page, "later day: services and check-in", results, "Ambil nomor untuk hari lain")
        page.locator("#later-services .l-service").click()
        on_screen(page, "later-days")
        measure_kiosk(page, "later day: days", results, "Pilih hari")
        page.locator("#day-list button >> nth=0").click()
        on_screen(page, "later-slots")
        measure_kiosk(page, "later day: windows", results, "Pilih jam kedatangan")
        page.locator("#slot-list button >> nth=0").click()
        page.keyboard.type("6203014107900001")
        page.locator("[data-key=next]").click()
        on_screen(page, "later-done")
        measure_kiosk(page, "later day: booked", results, "Nomor Anda untuk hari lain")
    finally:
        office.stop()
    return {"bring", "missing", "members", "later", "later-days", "later-slots", "later-done"}


# ------------------------------------------------------------------------------------------- phone

# state -> staff actions at Loket 1 that lead there; "waiting" last, so that "next" always calls the new ticket
PHONE_STATES = {
    "called": ("next",),
    "serving": ("next", "serve"),
    "done": ("next", "serve", "done"),
    "no_show": ("next", "no-show"),
    "cancelled": ("cancel",),
    "expired": ("expire",),
    "waiting": (),
}


def test_every_phone_page_state_meets_wcag_aa(new_page, live_server):
    server = live_server
    staff = server.login("kepala", "rahasia-Admin1")
    results: dict[str, list[str]] = {}
    for state, actions in PHONE_STATES.items():
        free_counter(server, staff, 1)
        mine = server.post("/api/tickets", json={"service": "REKAM", "priority": state == "waiting"}).json()["ticket"]
        if state == "waiting":  # someone else is being called meanwhile: the list of calls shows
            server.post("/api/tickets", json={"service": "CETAK"}).raise_for_status()
            server.post("/api/counters/2/next", headers=staff).raise_for_status()
        for action in actions:
            if action == "next":
                answer = server.post("/api/counters/1/next", headers=staff)
                assert answer.json()["ticket"]["id"] == mine["id"], answer.text
            elif action == "expire":  # what housekeeping does at closing time
                store.transition(server.runtime.db, mine["id"], "expire", server.runtime.now())
            else:
                server.post(f"/api/tickets/{mine['id']}/{action}", headers=staff).raise_for_status()
        page = new_page(390, 844, is_mobile=True, has_touch=True)
        page.goto(f"{server.url}/t/{mine['token']}")
        expect(page.locator("#status-card")).to_have_attribute("data-status", state)
        expect(page.locator("#status")).not_to_have_text("")
        if state in ("waiting", "called"):
            expect(page.locator("#calls li").first).to_be_visible(timeout=8000)
        measure(page, f"phone, {state}", results, mine["number"])
        page.close()

    page = new_page(390, 844, is_mobile=True, has_touch=True)
    page.goto(f"{server.url}/t/not-a-ticket-token")
    measure(page, "phone, unknown ticket", results, "Nomor antrean tidak ditemukan")
    assert_all_pass(results)


# ------------------------------------------------------------------------------------------- display


def test_the_display_meets_wcag_aa_idle_calling_flashing_and_reconnecting(new_page, tmp_path):
    app = make_app(tmp_path)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start()
    try:
        staff = server.login("kepala", "rahasia-Admin1")
        results: dict[str, list[str]] = {}
        page = new_page(1920, 1080)
        page.goto(f"{server.url}/display")
        page.wait_for_selector("#connection[data-state=online]", state="attached", timeout=5000)
        measure(page, "display, idle", results)

        server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
        called = server.post("/api/counters/1/next", headers=staff).json()["ticket"]
        expect(page.locator("#current-number")).to_have_text("A-001", timeout=3000)
        expect(page.locator("#current")).to_have_class(re.compile(r"\bflash\b"))
        for fraction in (0, 0.25, 0.5, 0.75):
            assert page.evaluate(SEEK_ANIMATIONS, fraction) >= 1
            measure(page, f"display, flashing at {fraction:.0%} of a flash", results, "A-001")
        page.evaluate(FINISH_ANIMATIONS)
        expect(page.locator("#current")).not_to_have_class(re.compile(r"\bflash\b"))
        measure(page, "display, a call shown", results, "A-001")

        server.post(f"/api/tickets/{called['id']}/recall", headers=staff).raise_for_status()
        expect(page.locator("#current-recall")).to_be_visible(timeout=20000)  # after the first announcement
        page.evaluate(FINISH_ANIMATIONS)
        measure(page, "display, a recall", results, "Panggilan ulang")

        page.evaluate(
            "() => { document.getElementById('sound-prompt').hidden = false; }"
        )  # as when autoplay is blocked
        measure(page, "display, sound prompt", results, "Ketuk untuk mengaktifkan suara")
        page.evaluate("() => { document.getElementById('sound-prompt').hidden = true; }")

        server.post("/api/tickets", json={"service": "CETAK"}).raise_for_status()
        server.post("/api/counters/2/next", headers=staff).raise_for_status()
        expect(page.locator("#current-number")).to_have_text("B-001", timeout=20000)
        page.evaluate(FINISH_ANIMATIONS)
        measure(page, "display, two lokets called", results, "B-001")
    finally:
        server.stop()  # the server goes away: the display says it is reconnecting
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline", timeout=15000)
    measure(page, "display, reconnecting", results)
    assert_all_pass(results)
