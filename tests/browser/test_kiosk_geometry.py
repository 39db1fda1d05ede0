"""Every kiosk action reachable on every screen: a table-driven geometry check in real Chromium.

For each orientation (1080x1920, 1920x1080) and office (4, 6 and 8 services, one real server each), the
kiosk is driven through every screen and state in Indonesian and English, at the usual and the large text
size. In each state every visible action (button) must be fully inside the viewport, or inside a scroll
container that can scroll to it and says so with a visible cue; nothing may be clipped by an ancestor that
does not scroll; no text may overflow its box; and no action may cover text.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from kiosk.cli import DEMO_KK
from tests.browser.test_kiosk_status import READY_NIK, seed_demo_records
from tests.conftest import MAYBE_OFFSITE, on_office_lan
from tests.support import LiveServer, add_staff, free_counter, make_app

pytestmark = pytest.mark.browser

DEMO_SERVICES = [
    {"code": "REKAM", "name": "Perekaman KTP-el", "name_en": "KTP-el Enrolment", "prefix": "A", "daily_quota": 100},
    {"code": "CETAK", "name": "Pencetakan KTP-el", "name_en": "KTP-el Printing", "prefix": "B"},
    {"code": "AMBIL", "name": "Pengambilan KTP-el", "name_en": "KTP-el Collection", "prefix": "C"},
    {
        "code": "UBAH",
        "name": "Perubahan Data / KTP-el Hilang atau Rusak",
        "name_en": "Data Change / Lost or Damaged KTP-el",
        "prefix": "D",
    },
    {"code": "IKD", "name": "Aktivasi IKD", "name_en": "IKD (Digital ID) Activation", "prefix": "E"},
    {"code": "INFO", "name": "Informasi", "name_en": "Information", "prefix": "F"},
    {"code": "KIA", "name": "Kartu Identitas Anak (KIA)", "name_en": "Child Identity Card (KIA)", "prefix": "G"},
    {"code": "PINDAH", "name": "Surat Pindah / Datang", "name_en": "Moving Out / Moving In Letter", "prefix": "H"},
]
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
COMBINATIONS = [(lang, large) for lang in ("id", "en") for large in (False, True)]

# Runs in the page: the problems of the visible screen (and header) as short strings.
GEOMETRY = r"""
() => {
  const W = innerWidth, H = innerHeight, SLACK = 1;
  const problems = [];
  const screen = document.querySelector("[data-screen]:not([hidden])");
  const roots = [document.querySelector(".k-top"), screen];
  const overlay = document.getElementById("idle-warning");
  if (overlay && !overlay.hidden) roots.push(overlay);
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = (el) => {
    const text = (el.innerText || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 28);
    return `${el.id ? "#" + el.id : el.className.baseVal === undefined ? "." + String(el.className).split(" ")[0] : el.tagName}`
      + (text ? ` "${text}"` : "");
  };
  const scrolls = (el) => {
    const style = getComputedStyle(el);
    return /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
  };
  const inside = (r, box) => r.left >= box.left - SLACK && r.right <= box.right + SLACK
    && r.top >= box.top - SLACK && r.bottom <= box.bottom + SLACK;
  const viewport = { left: 0, top: 0, right: W, bottom: H };

  // A scroll container must show that it scrolls: its cue visible while more lies below.
  const cueOk = (container) => {
    const more = container.scrollHeight - container.clientHeight - container.scrollTop > 2;
    const cue = container.parentElement.querySelector(`[data-cue-for="${container.id}"]`);
    const shown = cue && visible(cue) && inside(cue.getBoundingClientRect(), viewport);
    const touch = getComputedStyle(container).touchAction;
    return (!more || shown) && !/none/.test(touch);
  };

  const actions = [];
  for (const root of roots) {
    if (!root) continue;
    for (const el of root.querySelectorAll("button")) if (visible(el)) actions.push(el);
  }
  for (const el of actions) {
    const r = el.getBoundingClientRect();
    let container = null;
    for (let node = el.parentElement; node && node !== document.documentElement; node = node.parentElement) {
      const style = getComputedStyle(node);
      const box = node.getBoundingClientRect();
      if (container && !scrolls(node)) {
        // above a scroll box only the box itself has to show
        if ((style.overflowX !== "visible" || style.overflowY !== "visible") && !inside(container.getBoundingClientRect(), box))
          problems.push(`${name(container)}: clipped by ${name(node)}`);
        continue;
      }
      if (scrolls(node)) {
        container = container || node;
        // reachable: inside the container's scrolled content, across its width
        const top = r.top - box.top + node.scrollTop, bottom = r.bottom - box.top + node.scrollTop;
        if (top < -SLACK || bottom > node.scrollHeight + SLACK || r.left < box.left - SLACK || r.right > box.right + SLACK)
          problems.push(`${name(el)}: cut by scroll box ${name(node)}`);
        if (!inside(box, viewport)) problems.push(`${name(node)}: scroll box leaves the screen`);
        if (!cueOk(node)) problems.push(`${name(node)}: scrolls with no visible cue`);
      } else if (style.overflowX !== "visible" || style.overflowY !== "visible") {
        if (!inside(r, box)) problems.push(`${name(el)}: clipped by ${name(node)}`);
      }
    }
    if (!container && !inside(r, viewport)) problems.push(`${name(el)}: off screen ${JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round))}`);
  }

  // Text that does not fit its own box (a typed number, a label in a button).
  for (const root of roots) {
    if (!root) continue;
    for (const el of root.querySelectorAll("button, button *, p, h2, dd, dt, li, .k-digits, .ks-number, .k-scroll-cue")) {
      if (!visible(el)) continue;
      const style = getComputedStyle(el);
      const boxed = el.tagName === "BUTTON" || el.matches(".k-digits, .k-scroll-cue");
      if (style.overflowX === "visible" && !boxed) {
        // an element whose text runs out of a clipping ancestor is caught below through the action check
        if (el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0 && style.whiteSpace.startsWith("pre"))
          problems.push(`${name(el)}: text wider than its box`);
        continue;
      }
      if (el.scrollWidth > el.clientWidth + 2 || (el.tagName === "BUTTON" && el.scrollHeight > el.clientHeight + 2))
        problems.push(`${name(el)}: text overflows its box`);
    }
  }

  // No action drawn over text: a text node's box must not cross a button it is not part of. Both are taken
  // as far as they show through the scroll boxes holding them; the scroll cue sits over the scrolled
  // content on purpose (what it covers is reached by scrolling).
  const shown = (el, r) => {
    let { left, top, right, bottom } = r;
    for (let node = el.parentElement; node && node !== document.documentElement; node = node.parentElement) {
      if (!scrolls(node)) continue;
      const box = node.getBoundingClientRect();
      left = Math.max(left, box.left); top = Math.max(top, box.top);
      right = Math.min(right, box.right); bottom = Math.min(bottom, box.bottom);
    }
    return { left, top, right, bottom };
  };
  const texts = [];
  for (const root of roots) {
    if (!root) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const owner = node.parentElement;
      if (!node.textContent.trim() || !visible(owner) || owner.closest("button, .k-scroll-cue")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 1 && r.height > 1) texts.push([owner, shown(owner, r)]);
    }
  }
  for (const el of actions) {
    const a = shown(el, el.getBoundingClientRect());
    for (const [owner, r] of texts) {
      const w = Math.min(a.right, r.right) - Math.max(a.left, r.left);
      const h = Math.min(a.bottom, r.bottom) - Math.max(a.top, r.top);
      if (w > 2 && h > 2) problems.push(`${name(el)}: over the text of ${name(owner)}`);
    }
  }
  return [...new Set(problems)];
}
"""


def office_with(tmp_path_factory, count: int) -> LiveServer:
    services = DEMO_SERVICES[:count]
    codes = [service["code"] for service in services]
    counters = [
        {"id": 1, "name": "Loket 1", "services": ["REKAM"]},  # serves the survey's numbers
        {"id": 2, "name": "Loket 2", "services": codes[1:]},
    ]
    app = make_app(tmp_path_factory.mktemp(f"office{count}"), services=services, counters=counters)
    add_staff(app)
    server = LiveServer(app).start()
    seed_demo_records(server)
    return server


@pytest.fixture(scope="module", params=[4, 6, 8], ids=["4-services", "6-services", "8-services"])
def office(request, tmp_path_factory):
    server = office_with(tmp_path_factory, request.param)
    yield server
    server.stop()


def served_numbers(server: LiveServer, how_many: int) -> list[str]:
    """Tickets served today at Loket 1 (numbers the kiosk survey accepts)."""
    staff = server.login()
    numbers = []
    for _ in range(how_many):
        ticket = server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
        free_counter(server, staff, 1)
        called = server.post("/api/counters/1/next", headers=staff).json()["ticket"]
        assert called["id"] == ticket["id"]
        server.post(f"/api/tickets/{ticket['id']}/done", headers=staff).raise_for_status()
        numbers.append(ticket["number"])
    return numbers


class Kiosk:
    """Drives one kiosk page by its controls (a click as the app handles it), checking each state."""

    def __init__(self, page, label: str):
        self.page = page
        self.label = label
        self.failures: list[str] = []
        self.states: list[str] = []

    def click(self, selector: str) -> None:
        # the screen that just appeared ignores taps for 500 ms (kiosk.js SETTLE_MS): skip the wait
        self.page.evaluate(
            """sel => {
            const button = document.querySelector(sel);
            if (!button) throw new Error("no " + sel);
            for (const node of document.querySelectorAll(".is-settling")) node.classList.remove("is-settling");
            button.click();
        }""",
            selector,
        )

    def screen(self, name: str) -> None:
        self.page.wait_for_selector(f"[data-screen='{name}']:not([hidden])", state="visible")

    def check(self, state: str) -> None:
        # two frames: large text re-sizes new elements after they appear (kiosk-voice.js)
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        self.states.append(state)
        try:  # a scroll box's cue follows its content within a moment (kiosk.js)
            self.page.wait_for_function(
                """() => [...document.querySelectorAll("[data-scroll]")].every(box => {
                const cue = box.querySelector(".k-scroll-cue");
                const more = box.offsetParent !== null && box.scrollHeight - box.clientHeight - box.scrollTop > 2;
                return !cue || cue.hidden === !more;
            })""",
                timeout=2000,
            )
        except PlaywrightError:
            pass  # the check below names the box
        for problem in self.page.evaluate(GEOMETRY):
            self.failures.append(f"{self.label} {state}: {problem}")
        if os.environ.get("KIOSK_GEOMETRY_SHOTS"):  # a picture of every state, to look at
            name = re.sub(r"[^a-z0-9]+", "-", f"{self.label} {state}".lower()).strip("-")
            self.page.screenshot(path=os.path.join(os.environ["KIOSK_GEOMETRY_SHOTS"], f"{name}.png"))

    def home(self, lang: str, large: bool) -> None:
        self.page.evaluate("() => window.Kiosk.reset('home')")
        self.screen("start")
        self.page.wait_for_selector(".k-service-btn")
        if lang == "en":
            self.click("[data-lang=en]")
        pressed = self.page.get_attribute("#large-text", "aria-pressed") == "true"
        if pressed != large:
            self.click("#large-text")


def walk(kiosk: Kiosk, lang: str, large: bool, survey_number: str) -> None:
    page = kiosk.page
    kiosk.home(lang, large)
    kiosk.check("start")

    kiosk.click("#status-start")
    kiosk.screen("status-notice")
    kiosk.check("status notice")
    kiosk.click("#notice-next")
    kiosk.screen("status-entry")
    kiosk.check("NIK empty")
    page.keyboard.type(READY_NIK[:15])
    page.keyboard.press("Enter")
    page.wait_for_selector("#entry-message", state="visible")
    kiosk.check("NIK too short, message")
    page.keyboard.type(READY_NIK[15])
    kiosk.check("NIK typed in full")
    page.keyboard.press("Enter")
    page.wait_for_selector("#screen-status-entry[data-step=kk]")
    page.keyboard.type(DEMO_KK)
    kiosk.check("KK typed in full")
    page.keyboard.press("Enter")
    kiosk.screen("status-answer")
    page.wait_for_selector("#answer-take", state="visible")
    kiosk.check("status answer with its next step")
    kiosk.click("#answer-take")
    kiosk.screen("priority")
    kiosk.check("Umum or Prioritas")
    kiosk.click("#choose-priority")
    kiosk.screen("result")
    page.wait_for_function("() => document.getElementById('result-qr').complete")
    kiosk.check("ticket")

    kiosk.home(lang, large)
    kiosk.click("#survey-open")
    kiosk.screen("survey-number")
    kiosk.check("survey number, empty")
    kiosk.click(".ks-letter")
    for digit in "999":
        kiosk.click(f"#survey-keypad [data-key='{digit}']")
    kiosk.click("#survey-number-next")
    page.wait_for_selector("#survey-number-error", state="visible")
    kiosk.check("survey number refused")
    letter, digits = survey_number.split("-")
    kiosk.click(f"[data-letter={letter}]")
    for digit in digits:
        kiosk.click(f"#survey-keypad [data-key='{digit}']")
    kiosk.click("#survey-number-next")
    kiosk.screen("survey-question")
    kiosk.check("survey question 1")
    for index in range(9):
        page.wait_for_function(
            "n => document.getElementById('survey-count').textContent.includes(n)", arg=f"{index + 1}"
        )
        if index == 8:
            kiosk.check("survey question 9")
        kiosk.click("#survey-answers .ks-answer:last-of-type")
    kiosk.screen("survey-profile")
    kiosk.check("survey profile")
    kiosk.click("#survey-profile .ks-chip")
    kiosk.check("survey profile, one chosen")
    kiosk.click("#survey-send")
    kiosk.screen("survey-thanks")
    kiosk.check("survey thanks")


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_action_is_on_screen_or_behind_a_visible_scroll(browser, office, orientation, request):
    numbers = served_numbers(office, len(COMBINATIONS))
    width, height = SIZES[orientation]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.route(MAYBE_OFFSITE, lambda route: route.continue_() if on_office_lan(route.request.url) else route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{office.url}/kiosk?idle=600")
        page.wait_for_selector(".k-service-btn")
        count = page.locator(".k-service-btn").count()
        failures: list[str] = []
        states = 0
        for (lang, large), number in zip(COMBINATIONS, numbers, strict=True):
            kiosk = Kiosk(page, f"[{orientation} {count} services {lang} {'large' if large else 'usual'}]")
            walk(kiosk, lang, large, number)
            failures += kiosk.failures
            states += len(kiosk.states)
        assert states == len(COMBINATIONS) * 16
        assert errors == []
        assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures)
    finally:
        context.close()
