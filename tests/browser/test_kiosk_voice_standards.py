"""Voice guidance, large text and English on the kiosk's standards and complaint screens (/kiosk/standar), in real
Chromium against a real server: by keypad alone from the kiosk's start screen to a lodged complaint and back;
both orientations axe-clean with large text in both languages, every action on screen."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.domain.guide import sentences
from tests.browser.axe import problems as _problems
from tests.browser.test_kiosk_voice import START_SHORT, Heard, open_kiosk, settled, type_on_keypad

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save screenshots there (docs/screenshots)
SERVICES = ["REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO"]
STANDARD = ["requirements", "procedure", "time_standard", "cost", "product"]


def _step(page, heard, keys: list[str], last: str) -> list[str]:
    """Press ``keys`` in voice mode; return the sentence keys asked for since, up to ``last``.

    A digit chooses (its item and "help.confirm" are said first): Enter is pressed once they have been.
    """
    mark = heard.count()
    for key in keys:
        if key == "Enter" and mark < heard.count():
            heard.since(mark, "help.confirm")
            mark = heard.count()
        page.keyboard.press(key)
    return heard.since(mark, last)


def _offscreen(page, selector: str) -> list[str]:
    """The visible elements matching ``selector`` that are not wholly inside the viewport (by their id/text)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
        .filter((node) => node.getClientRects().length && !node.closest('[hidden]'))
        .filter((node) => { const box = node.getBoundingClientRect();
            return box.top < 0 || box.left < 0 || box.bottom > innerHeight + 0.5 || box.right > innerWidth + 0.5; })
        .map((node) => node.id || node.textContent.trim())""",
        selector,
    )


def test_by_keypad_alone_from_the_start_screen_to_a_lodged_complaint_and_back(live_server, new_page):
    page, heard = open_kiosk(new_page, live_server)

    # The start screen offers "Layanan lainnya" after its buttons; its screen offers a number for a later day
    # and the standards, each a choice of its own.
    assert _step(page, heard, ["Numpad5"], "help.more") == ["voice.start", *START_SHORT]
    assert _step(page, heard, ["9", "Enter"], "t.back") == [
        "screen.more",
        "t.more_entry",
        "press.1",
        "t.later_day",
        "press.2",
        "t.standards_entry",
        "press.0",
        "t.back",
    ]
    settled(page, "more")

    # The standards page: voice mode came along (a new page, a new log).
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kiosk/standar$"))
    listing = [
        "screen.standards",
        "t.choose_service",
        *[key for number, code in enumerate(SERVICES, 1) for key in (f"press.{number}", f"service.{code}")],
        "press.7",
        "t.complain",
        "press.8",
        "t.maklumat",
        "press.0",
        "t.home",
    ]
    assert heard.since(0, "t.home") == ["voice.start", "help.keys", *listing]
    assert page.evaluate("document.documentElement.classList.contains('k-voice')")

    # A service's standard, read in full; "Gratis" is what it costs.
    said = _step(page, heard, ["1", "Enter"], "t.back")
    assert said == [
        "screen.standard",
        "service.REKAM",
        *[key for name in STANDARD for key in (f"t.{name}", f"standard.REKAM.{name}")],
        "press.1",
        "t.complain",
        "press.0",
        "t.back",
    ]
    texts = heard.sentences(heard.count() - len(said))
    assert texts[texts.index("Biaya:") + 1] == "Gratis."
    assert texts[texts.index("Persyaratan:") + 1].startswith("Satu, Kartu Keluarga asli.")

    # The Maklumat, then back to the list.
    _step(page, heard, ["0"], "t.home")
    said = _step(page, heard, ["8", "Enter"], "t.back")
    assert said == ["screen.maklumat", "standard.maklumat", "press.0", "t.back"]
    assert heard.sentences(heard.count() - len(said))[1].startswith("Dengan ini kami menyatakan sanggup")
    _step(page, heard, ["0"], "t.home")

    # A complaint: its category (with its deadline), "minta dihubungi", a phone number on the keypad.
    said = _step(page, heard, ["7", "Enter"], "t.back")
    assert said == [
        "screen.complaint-category",
        "t.category_title",
        "press.1",
        "complaint.category.info",
        "press.2",
        "complaint.category.service",
        "press.3",
        "complaint.category.conduct",
        "press.4",
        "complaint.category.other",
        "press.0",
        "t.back",
    ]
    assert (
        heard.sentences(heard.count() - len(said))[7] == "Perilaku petugas, dijawab paling lambat empat belas "
        "hari kerja."
    )
    assert _step(page, heard, ["3", "Enter"], "t.back") == [
        "screen.complaint-text",
        "t.text_voice",
        "press.1",
        "t.call_me",
        "press.0",
        "t.back",
    ]
    assert _step(page, heard, ["1", "Enter"], "t.send") == [
        "screen.complaint-phone",
        "t.phone_hint",
        "complaint.phone_help",
        "press.enter",
        "t.send",
    ]
    type_on_keypad(page, heard, "081234567890")
    expect(page.locator("#phone")).to_have_text("081234567890")
    said = _step(page, heard, ["Enter"], "t.back_home")
    code = page.locator("#sent-code").inner_text()
    assert re.fullmatch(r"PGD-\d{4}-0001", code)
    spelled = [f"digit.{c}" if c.isdigit() else f"letter.{c}" for c in code.replace("-", "")]
    assert said[said.index("screen.complaint-sent") :] == [
        "screen.complaint-sent",
        "complaint.code_is",
        *spelled,
        "complaint.due.conduct",
        "t.take_receipt",
        "press.0",
        "t.back_home",
    ]
    row = live_server.runtime.db.conn.execute("SELECT category, text, phone, channel FROM complaints").fetchone()
    assert tuple(row) == ("conduct", "Minta dihubungi melalui telepon.", "+6281234567890", "kiosk")

    # 0: back to the kiosk's start screen, still in voice mode.
    page.keyboard.press("0")
    page.wait_for_url(re.compile(r"/kiosk$"))
    assert heard.since(0, "help.more") == ["voice.start", *START_SHORT]
    assert heard.errors == []


def test_call_me_without_a_number_is_refused_aloud_and_the_page_left_idle_ends_voice_mode(live_server, new_page):
    page = new_page(1920, 1080)
    heard = Heard(page)
    page.goto(f"{live_server.url}/kiosk/standar?idle=4")
    page.wait_for_function("() => fetch('/api/speech').then(() => true)")
    page.keyboard.press("Numpad0")  # any keypad key starts voice mode here too
    heard.since(0, "t.home")
    _step(page, heard, ["7", "Enter"], "t.back")
    _step(page, heard, ["1", "Enter"], "t.back")
    _step(page, heard, ["1", "Enter"], "t.send")
    assert _step(page, heard, ["Enter"], "complaint.need_phone") == ["complaint.need_phone"]
    expect(page.locator("#error")).to_have_text("Untuk minta dihubungi, tulis dulu nomor ponsel Anda.")
    assert live_server.runtime.db.conn.execute("SELECT COUNT(*) FROM complaints").fetchone()[0] == 0

    # Untouched: back to the start screen, voice mode and large text over for the next resident.
    page.wait_for_url(re.compile(r"/kiosk$"), timeout=15000)
    expect(page.locator(".k-service-btn").first).to_be_visible()
    page.wait_for_timeout(300)
    assert not page.evaluate("document.documentElement.classList.contains('k-voice')")
    assert [entry["key"] for entry in page.evaluate("window.__spoken")] == []


@pytest.mark.parametrize("width,height", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_large_text_in_both_languages_keeps_every_action_on_screen_and_axe_clean(
    live_server, new_page, width, height, lang
):
    page = new_page(width, height)
    page.goto(f"{live_server.url}/kiosk/standar?idle=600")
    page.locator("#large-text").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bk-large\b"))
    page.locator(f".ks-lang-btn[data-lang={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shots = []

    def check(name: str) -> None:
        assert _offscreen(page, ".ks-screen:not([hidden]) .ks-actions button") == [], name
        assert _problems(page) == [], name
        shots.append(name)
        if SCREENSHOTS and lang == "en" or SCREENSHOTS and name == "list":
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            orientation = "portrait" if height > width else "landscape"
            page.screenshot(path=f"{SCREENSHOTS}/kiosk-standards-large-{lang}-{orientation}-{name}.png")

    check("list")
    page.locator("#services .ks-service").first.click()
    expect(page.locator("#standard")).to_contain_text("Free" if lang == "en" else "Gratis")
    check("service")
    page.locator("#screen-service [data-go=category]").click()
    expect(page.locator("#categories .ks-choice")).to_have_count(4)
    check("category")
    page.locator("#categories .ks-choice").nth(1).click()
    check("text")
    page.locator("#call-me").click()
    check("phone")
    for digit in "081234567890":
        page.locator("#keypad .ks-key", has_text=re.compile(f"^{digit}$")).click()
    page.locator("#send").click()
    expect(page.locator("#sent-code")).to_have_text(re.compile(r"^PGD-\d{4}-\d{4}$"))
    expect(page.locator("#sent-receipt")).to_be_visible()  # the test server prints to a file
    expect(page.locator("#sent-receipt")).to_have_text(
        "Please take your receipt from the printer."
        if lang == "en"
        else "Silakan ambil tanda terima Anda dari printer."
    )
    check("sent")
    assert shots == ["list", "service", "category", "text", "phone", "sent"]


def test_every_sentence_the_standards_page_can_ask_for_is_in_the_catalogue(live_server):
    catalogue = sentences(live_server.runtime.settings)
    template = Path("templates/complaints/kiosk.html").read_text()
    script = Path("kiosk/static/js/complaint-kiosk.js").read_text()
    static = {key for phrase in re.findall(r'data-say="([^"{]+)"', template) for key in phrase.split()}
    static |= set(re.findall(r'say\(\["([a-z_.-]+)"\]\)', script)) | set(re.findall(r'"(complaint\.[a-z_]+)"', script))
    assert static - set(catalogue) == set()
    dynamic = {f"standard.{code}.{key}" for code in SERVICES for key in STANDARD}
    dynamic |= {
        f"complaint.{kind}.{category}"
        for kind in ("category", "due")
        for category in ("info", "service", "conduct", "other")
    }
    assert dynamic - set(catalogue) == set()
    assert catalogue["standard.CETAK.cost"] == "Gratis."
