"""Voice guidance ("Mode suara") and large text on the kiosk, in real Chromium against a real server.

What the page asked to hear is in window.__spoken (keys and WAV URLs, in order); what each WAV says
comes from the server's own answer (X-Spoken-Text of every /api/speech response the page received).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from kiosk.devices.speech import Speech
from kiosk.domain.guide import sentences

pytestmark = pytest.mark.browser

START_SCREEN = [
    "screen.start",
    "t.start_title",
    "t.start_hint",
    "press.1",
    "service.REKAM",
    "press.2",
    "service.CETAK",
    "press.3",
    "service.AMBIL",
    "press.4",
    "service.UBAH",
    "press.5",
    "service.IKD",
    "press.6",
    "service.INFO",
    "press.7",
    "t.status_start",
    "press.8",
    "t.survey_entry",
    "press.9",
    "t.more_entry",
    "press.0",
    "voice.exit",
]
# The first reading of the start screen is short: how many services and the keys that hear them, the other
# choices, and "*" for the whole list (START_SCREEN, after the key help).
START_SHORT = [
    "help.services.6",
    "press.7",
    "t.status_start",
    "press.8",
    "t.survey_entry",
    "help.more",
]  # "Layanan lainnya" (press.9, a link after the buttons) is in the whole list only


class Heard:
    """The sentences a kiosk page asked for, and the text the server said each WAV holds."""

    def __init__(self, page):
        self.page = page
        self.texts: dict[str, str] = {}
        self.errors: list[str] = []
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _response(self, response):
        if "/api/speech/" in response.url and "x-spoken-text" in response.headers:
            self.texts[response.url] = unquote(response.headers["x-spoken-text"])

    def count(self) -> int:
        return self.page.evaluate("window.__spoken.length")

    def fresh(self) -> int:
        """Empty the page's log (it keeps only the last 200) and return the mark of its start, 0."""
        self.page.evaluate("window.__spoken.length = 0")
        return 0

    def since(self, mark: int, last_key: str) -> list[str]:
        """Wait until the page has asked for ``last_key`` after entry ``mark``; return the keys since then."""
        self.page.wait_for_function(
            "([mark, key]) => window.__spoken.slice(mark).some(e => e.key === key)", arg=[mark, last_key]
        )
        return [entry["key"] for entry in self.page.evaluate("m => window.__spoken.slice(m)", mark)]

    def sentences(self, mark: int) -> list[str]:
        """Return the text of every WAV asked for since ``mark``, once the server has answered each."""
        urls = [entry["url"] for entry in self.page.evaluate("m => window.__spoken.slice(m)", mark)]
        base = self.page.url.split("/kiosk")[0]
        for _ in range(200):  # each clip is fetched once (the page keeps it); its answer may still be on its way
            if all(base + url in self.texts for url in urls):
                break
            self.page.wait_for_timeout(25)
        return [self.texts[base + url] for url in urls]


def open_kiosk(new_page, server, query="?idle=600", width=1080, height=1920, **context):
    page = new_page(width, height, **context)
    heard = Heard(page)
    page.goto(f"{server.url}/kiosk{query}")
    expect(page.locator(".k-service-btn").first).to_be_visible()
    page.wait_for_function("() => fetch('/api/speech').then(() => true)")
    return page, heard


def settled(page, screen: str):
    expect(page.locator(f"#screen-{screen}")).to_be_visible()
    expect(page.locator(f"#screen-{screen}")).not_to_have_class(re.compile(r"\bis-settling\b"))


def ticket_numbers(server) -> list[str]:
    rows = server.runtime.db.conn.execute("SELECT service, seq FROM tickets ORDER BY id").fetchall()
    return [f"{service}-{seq}" for service, seq in rows]


def test_keypad_only_takes_a_perekaman_number_and_hears_every_step(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server)

    mark = heard.count()
    page.keyboard.press("Numpad5")  # any key of the keypad starts voice mode, and chooses nothing
    assert heard.since(mark, "help.more") == ["voice.start", *START_SHORT]
    expect(page.locator("html")).to_have_class(re.compile(r"\bk-voice\b"))
    expect(page.locator(".k-voice-bar")).to_be_visible()
    assert heard.sentences(mark) == [
        "Mode suara aktif.",
        "Layar awal. Tekan satu sampai enam untuk layanan.",
        "Tekan tujuh untuk",
        "Cek status ka te pe el.",
        "Tekan delapan untuk",
        "Survei kepuasan.",
        "Tekan bintang untuk daftar lengkap.",
    ]
    expect(page.locator("#screen-start")).to_be_visible()

    mark = heard.count()
    page.keyboard.press("NumpadMultiply")  # "*": the key help, then every choice
    assert heard.since(mark, "voice.exit") == ["help.keys", *START_SCREEN]
    assert heard.sentences(mark)[:8] == [
        "Tekan angka pilihan Anda, lalu tekan Enter untuk memilih. Tekan nol untuk kembali, "
        "dan bintang untuk mengulang.",
        "Anda berada di layar awal.",
        "Ambil nomor antrean.",
        "Pilih layanan yang Anda perlukan.",
        "Tekan satu untuk",
        "Perekaman ka te pe el.",
        "Tekan dua untuk",
        "Pencetakan ka te pe el.",
    ]

    mark = heard.count()
    page.keyboard.press("1")
    assert heard.since(mark, "help.confirm") == ["service.REKAM", "help.confirm"]
    assert heard.sentences(mark) == ["Perekaman ka te pe el.", "Tekan Enter untuk memilih."]
    expect(page.locator(".k-service-btn[data-code=REKAM]")).to_have_class(re.compile(r"\bk-voice-selected\b"))
    expect(page.locator("#screen-start")).to_be_visible()  # a digit only chooses; Enter confirms

    mark = heard.count()
    page.keyboard.press("Enter")
    settled(page, "priority")
    assert heard.since(mark, "t.back") == [
        "screen.priority",
        "service.REKAM",
        "t.priority_title",
        "t.priority_note",
        "press.1",
        "t.regular",
        "t.regular_sub",
        "press.2",
        "t.priority",
        "t.priority_sub",
        "press.0",
        "t.back",
    ]
    assert heard.sentences(mark)[:3] == [
        "Anda berada di layar pilihan antrean.",
        "Perekaman ka te pe el.",
        "Apakah Anda termasuk antrean prioritas?",
    ]

    mark = heard.count()
    page.keyboard.press("NumpadMultiply")  # "*" repeats the screen
    assert heard.since(mark, "t.back")[0] == "screen.priority"

    page.keyboard.press("1")
    mark = heard.count()
    page.keyboard.press("NumpadEnter")
    expect(page.locator("#result-number")).to_have_text("A-001")
    number = ["letter.A", "digit.0", "digit.0", "digit.1", "call_to.REKAM"]
    spoken = heard.since(mark, "t.done")
    result = spoken[spoken.index("screen.result") :]
    assert result == [
        "screen.result",
        "t.your_number",
        *number,
        "ticket.again",
        *number,
        "service.REKAM",
        "t.ahead",
        "count.0",
        "t.wait_soon",
        "t.take_ticket",
        "press.0",
        "t.done",
    ]
    said = heard.sentences(mark)[spoken.index("screen.result") :]
    assert said[1:13] == [
        "Nomor antrean Anda:",
        "a",
        "nol",
        "nol",
        "satu",
        "Nomor ini akan dipanggil ke loket satu.",
        "Sekali lagi.",
        "a",
        "nol",
        "nol",
        "satu",
        "Nomor ini akan dipanggil ke loket satu.",
    ]
    assert ticket_numbers(live_server) == ["REKAM-1"]

    mark = heard.count()
    page.keyboard.press("0")  # "Selesai": back to the start, still in voice mode
    settled(page, "start")
    assert heard.since(mark, "help.more") == START_SHORT

    mark = heard.count()
    page.keyboard.press("Backspace")  # on the start screen, back leaves voice mode
    assert heard.since(mark, "voice.leave") == ["voice.leave"]
    assert heard.sentences(mark) == ["Mode suara selesai."]
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bk-voice\b"))
    assert page.evaluate("window.__spoken.every(e => e.url === `/api/speech/${e.key}.wav`)")
    assert heard.errors == []
    assert "A-001" not in page.content()


def test_a_long_press_starts_voice_mode_and_a_choice_needs_a_second_tap(new_page, live_server):
    for _ in range(2):  # two residents already wait for Pengambilan
        live_server.post("/api/tickets", json={"service": "AMBIL"}).raise_for_status()
    page, heard = open_kiosk(new_page, live_server, has_touch=True)
    box = page.locator("#screen-start .k-heading").bounding_box()

    mark = heard.count()
    page.mouse.move(box["x"] + 40, box["y"] + 20)
    page.mouse.down()
    page.wait_for_function("() => document.documentElement.classList.contains('k-voice')")
    page.mouse.up()
    assert heard.since(mark, "help.more")[:2] == ["voice.start", "help.services.6"]

    service = page.locator(".k-service-btn[data-code=AMBIL]").bounding_box()
    point = (service["x"] + service["width"] / 2, service["y"] + service["height"] / 2)
    mark = heard.count()
    page.touchscreen.tap(*point)
    assert heard.since(mark, "help.tap_again") == ["service.AMBIL", "help.tap_again"]
    assert heard.sentences(mark) == ["Pengambilan ka te pe el.", "Sentuh sekali lagi untuk memilih."]
    expect(page.locator("#screen-start")).to_be_visible()  # one tap only speaks

    page.touchscreen.tap(*point)
    settled(page, "priority")
    regular = page.locator("#choose-regular").bounding_box()
    priority = page.locator("#choose-priority").bounding_box()
    centre = lambda b: (b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)  # noqa: E731
    mark = heard.count()
    page.touchscreen.tap(*centre(priority))
    page.touchscreen.tap(*centre(regular))  # a tap on another item speaks that one instead
    page.wait_for_function(
        "m => window.__spoken.slice(m).filter(e => e.key === 'help.tap_again').length === 2", arg=mark
    )
    assert heard.since(mark, "help.tap_again") == [
        "t.priority",
        "t.priority_sub",
        "help.tap_again",
        "t.regular",
        "t.regular_sub",
        "help.tap_again",
    ]
    expect(page.locator("#screen-priority")).to_be_visible()
    assert ticket_numbers(live_server) == ["AMBIL-1", "AMBIL-2"]

    mark = heard.count()
    page.touchscreen.tap(*centre(regular))
    expect(page.locator("#result-number")).to_have_text("C-003")
    expect(page.locator("#result-priority")).to_be_hidden()
    assert ticket_numbers(live_server) == ["AMBIL-1", "AMBIL-2", "AMBIL-3"]
    spoken = heard.since(mark, "t.done")
    facts = spoken[spoken.index("t.ahead") : spoken.index("word.minutes") + 1]
    minutes = re.search(r"(\d+) menit", page.locator("#result-wait").text_content())[1]  # as shown on screen
    assert facts == ["t.ahead", "count.2", "t.wait", f"count.{minutes}", "word.minutes"]
    said = heard.sentences(mark)
    assert said[spoken.index("t.ahead") : spoken.index("t.ahead") + 3] == [
        "Antrean di depan Anda:",
        "dua",
        "Perkiraan waktu tunggu, sekitar",
    ]
    assert heard.errors == []


def test_idle_reset_in_voice_mode_is_spoken_and_ends_it(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server, "?idle=2&warn=2")
    page.keyboard.press("2")
    heard.since(0, "help.more")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    settled(page, "priority")

    mark = heard.count()
    assert heard.since(mark, "t.continue")[-3:] == ["t.still_there", "press.1", "t.continue"]
    assert heard.since(mark, "voice.idle")[-1] == "voice.idle"
    expect(page.locator("#screen-start")).to_be_visible()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bk-voice\b"))
    assert heard.sentences(heard.count() - 1) == ["Tidak ada kegiatan. Layar kembali ke awal, dan mode suara selesai."]


PROBE_SCREEN = """() => {
  const screen = document.createElement('section');
  screen.className = 'k-screen'; screen.dataset.screen = 'probe'; screen.hidden = true;
  screen.innerHTML = '<h2 data-say="t.start_title">x</h2><div id="entry" data-voice-input data-value=""></div>'
    + '<button type="button" id="probe-go" data-voice-enter data-say="t.continue">Lanjutkan</button>'
    + '<button type="button" data-voice-back data-action="home" data-say="t.back">Kembali</button>';
  document.querySelector('main').append(screen);
  const entry = screen.querySelector('#entry');
  entry.addEventListener('kiosk:voice-key', (event) => {
    const key = event.detail.key;
    entry.dataset.value = key === 'Backspace' ? entry.dataset.value.slice(0, -1) : entry.dataset.value + key;
  });
  screen.querySelector('#probe-go').addEventListener('click', () => { window.probeSent = entry.dataset.value; });
  for (const other of document.querySelectorAll('[data-screen]')) other.hidden = other !== screen;
  document.dispatchEvent(new CustomEvent('kiosk:screen', {detail: {screen: 'probe'}}));
}"""


def test_a_screen_with_its_own_digit_entry_gets_the_digits_and_each_is_spoken(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server)
    page.keyboard.press("Numpad0")
    heard.since(0, "help.more")
    page.evaluate(PROBE_SCREEN)  # the way a later screen (e.g. a NIK keypad) opts in

    mark = heard.count()
    for key in ("3", "0", "Numpad7"):
        page.keyboard.press(key)
    assert heard.since(mark, "digit.7") == ["digit.3", "digit.0", "digit.7"]
    assert heard.sentences(mark) == ["tiga", "nol", "tujuh"]
    expect(page.locator("#entry")).to_have_attribute("data-value", "307")

    mark = heard.count()
    page.keyboard.press("Backspace")
    page.keyboard.press("*")
    spoken = heard.since(mark, "t.continue")
    assert spoken == [
        "input.deleted",
        "t.start_title",
        "input.entered",
        "digit.3",
        "digit.0",
        "input.help",
        "press.enter",
        "t.continue",
    ]
    expect(page.locator("#entry")).to_have_attribute("data-value", "30")

    page.keyboard.press("Enter")
    page.wait_for_function("() => window.probeSent === '30'")
    for _ in range(2):
        page.keyboard.press("Backspace")
    expect(page.locator("#entry")).to_have_attribute("data-value", "")
    page.keyboard.press("Backspace")  # nothing left to delete: back
    settled(page, "start")
    assert heard.errors == []


TEXT_SIZES = """() => [...document.querySelectorAll('#app *')].filter(el => el.getClientRects().length
    && !el.closest('[hidden], .k-scroll-cue') && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(el => [el.id || el.className || el.tagName, el.textContent.trim().slice(0, 30),
              parseFloat(getComputedStyle(el).fontSize)])"""

ACTIONS_ON_SCREEN = """() => {
  const screen = document.querySelector('[data-screen]:not([hidden])');
  const out = [...document.querySelectorAll('.k-top button'), ...screen.querySelectorAll('button')]
    .filter(b => b.getClientRects().length).map(b => [b.textContent.trim().slice(0, 20), b.getBoundingClientRect()])
    .filter(([, r]) => r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5)
    .map(([name]) => name);
  const page = document.documentElement;
  const scrolls = page.scrollHeight > innerHeight || page.scrollWidth > innerWidth;
  return {offscreen: out, scrolls};
}"""


def grown(before: list, after: list, width: int, height: int) -> list[str]:
    """Return the texts that did not grow 1.5x (display-size type, 7vmin and up, keeps its size)."""
    display = min(width, height) * 0.07
    assert len(before) == len(after) and before
    return [
        f"{name} {text!r}: {size:.1f} -> {large:.1f}"
        for (name, text, size), (_, _, large) in zip(before, after, strict=True)
        if size < display - 0.5 and large < size * 1.5 - 0.01
    ]


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_large_text_is_half_again_as_big_and_keeps_every_action_on_screen(new_page, live_server, size):
    page, heard = open_kiosk(new_page, live_server, "?idle=600", *size)
    toggle = page.locator("#large-text")

    def both(action=None):
        """Measure the screen in normal and in large text (after ``action`` brought it up)."""
        if toggle.get_attribute("aria-pressed") == "true":
            toggle.click()
        if action:
            action()
        normal = page.evaluate(TEXT_SIZES)
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")
        return normal, page.evaluate(TEXT_SIZES), page.evaluate(ACTIONS_ON_SCREEN)

    checks = {"start": both()}
    checks["priority"] = both(
        lambda: (page.locator(".k-service-btn[data-code=UBAH]").click(), settled(page, "priority"))
    )
    checks["result"] = both(
        lambda: (page.locator("#choose-priority").click(), expect(page.locator("#result-number")).to_have_text("D-001"))
    )
    for screen, (normal, large, actions) in checks.items():
        assert grown(normal, large, *size) == [], screen
        assert actions == {"offscreen": [], "scrolls": False}, screen
    # "Selesai" keeps large text, and the service list drawn anew comes up large too
    page.locator("#screen-result .k-done").click()
    settled(page, "start")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => document.querySelector('.k-svc-name').hasAttribute('data-k-large')")
    assert grown(checks["start"][0], page.evaluate(TEXT_SIZES), *size) == []
    assert heard.errors == []


def test_large_text_ends_with_the_idle_reset(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server, "?idle=1&warn=1")
    page.locator("#large-text").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bk-large\b"))
    page.locator(".k-service-btn[data-code=REKAM]").click()
    expect(page.locator("#idle-warning")).to_be_visible()
    expect(page.locator("#screen-start")).to_be_visible()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bk-large\b"))
    assert page.evaluate("document.querySelectorAll('[data-k-large]').length") == 0


def test_without_espeak_the_page_falls_back_and_still_works(new_page, live_server, tmp_path):
    live_server.runtime.speech = Speech(tmp_path / "no-speech", espeak=str(tmp_path / "missing-espeak-ng"))
    page, heard = open_kiosk(new_page, live_server)

    page.keyboard.press("Enter")
    heard.since(0, "help.more")
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    settled(page, "priority")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#result-number")).to_have_text("C-001")
    page.wait_for_function("() => window.__spoken.some(e => e.via === 'speech' || e.via === 'chime')")
    vias = set(page.evaluate("window.__spoken.map(e => e.via)"))
    assert "wav" not in vias
    assert heard.errors == []


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_voice_mode_and_large_text_have_no_serious_accessibility_violation(new_page, live_server, size):
    from tests.browser.axe import problems as _problems

    page, heard = open_kiosk(new_page, live_server, "?idle=600", *size)
    page.keyboard.press("Numpad1")
    heard.since(0, "help.more")
    page.keyboard.press("2")  # an item chosen by a digit: ringed, focused
    expect(page.locator(".k-service-btn[data-code=CETAK]")).to_be_focused()
    states = {"voice mode": _problems(page)}
    page.locator("#large-text").click()
    states["voice mode, large text"] = _problems(page)
    page.keyboard.press("Enter")
    settled(page, "priority")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#result-number")).to_have_text("B-001")
    states["result, large text"] = _problems(page)
    assert {state: found for state, found in states.items() if found} == {}


OPEN_CHOICES_SHOWN = """() => {
  const list = document.getElementById('services').getBoundingClientRect();
  const shown = (r) => r.top >= Math.max(0, list.top) - 0.5 && r.bottom <= Math.min(innerHeight, list.bottom) + 0.5;
  const cut = [...document.querySelectorAll('.k-service-btn:not(:disabled)')]
    .filter(b => !shown(b.getBoundingClientRect())).map(b => b.dataset.code);
  const voice = document.getElementById('voice-toggle').getBoundingClientRect();
  return {cut, voice: voice.bottom <= innerHeight + 0.5 && voice.top >= 0};
}"""


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_with_closed_services_large_text_and_voice_mode_keep_every_open_service_on_screen(new_page, live_server, size):
    rt = live_server.runtime
    with rt.db.write() as connection:  # the reasons of closed services are the longest texts of the screen
        connection.execute(
            "INSERT INTO service_overrides (day, service, open, updated_at) VALUES (?, 'IKD', 0, 'x')", [rt.today()]
        )
        connection.execute(
            "INSERT INTO service_overrides (day, service, daily_quota, updated_at) VALUES (?, 'UBAH', 0, 'x')",
            [rt.today()],
        )
    page, heard = open_kiosk(new_page, live_server, "?idle=600", *size)
    expect(page.locator(".k-service-btn[data-code=IKD]")).to_be_disabled()
    # At the usual size too: the status check, the survey and "Bantuan suara" stay on screen.
    assert page.evaluate(ACTIONS_ON_SCREEN) == {"offscreen": [], "scrolls": False}
    page.locator("#large-text").click()
    assert page.evaluate(OPEN_CHOICES_SHOWN) == {"cut": [], "voice": True}
    page.keyboard.press("Numpad1")
    # closed services are not offered: four choices, in the order they are shown
    assert heard.since(0, "help.more") == [
        "voice.start",
        "help.services.4",
        "press.5",
        "t.status_start",
        "press.6",
        "t.survey_entry",
        "help.more",
    ]
    page.keyboard.press("NumpadMultiply")
    assert heard.since(0, "voice.exit")[len(START_SHORT) + 1 :][4:20] == [
        "press.1",
        "service.REKAM",
        "press.2",
        "service.CETAK",
        "press.3",
        "service.AMBIL",
        "press.4",
        "service.INFO",
        "press.5",
        "t.status_start",
        "press.6",
        "t.survey_entry",
        "press.7",
        "t.more_entry",
        "press.0",
        "voice.exit",
    ]
    assert page.evaluate(OPEN_CHOICES_SHOWN) == {"cut": [], "voice": True}
    assert page.evaluate(ACTIONS_ON_SCREEN)["scrolls"] is False


def test_the_log_of_spoken_sentences_keeps_the_last_200(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server)
    page.keyboard.press("Numpad9")
    heard.since(0, "help.more")
    for _ in range(12):  # each repeat of the start screen asks for 25 sentences
        page.keyboard.press("NumpadDecimal")
    page.wait_for_function("() => window.__spoken.filter(e => e.key === 'screen.start').length >= 8")
    log = page.evaluate("window.__spoken")
    assert len(log) == 200
    assert [entry["key"] for entry in log[-len(START_SCREEN) :]] == START_SCREEN
    assert all(entry["url"] == f"/api/speech/{entry['key']}.wav" and entry["at"] > 0 for entry in log)


# ------------------------------------------------------------------ the KTP-el status check in voice mode

NOTICE_SCREEN = [
    "screen.status-notice",
    "t.status_title",
    "t.notice_title",
    "t.notice_what",
    "t.notice_kept",
    "t.notice_wipe",
    "press.1",
    "t.next",
    "press.0",
    "t.back",
]
NIK_STEP = ["screen.status-entry", "t.step_nik", "t.nik_title", "t.nik_hint", "input.help", "press.enter", "t.key_next"]
KK_STEP = ["screen.status-entry", "t.step_kk", "t.kk_title", "t.kk_hint", "input.help", "press.enter", "t.key_next"]


def digit_keys(number: str) -> list[str]:
    return [f"digit.{digit}" for digit in number]


def type_on_keypad(page, heard, number: str) -> None:
    """Type digits on the numeric keypad (Numpad0-9), one by one, each echoed before the next."""
    for digit in number:
        mark = heard.count()
        page.keyboard.press(f"Numpad{digit}")
        heard.since(mark, f"digit.{digit}")


def test_keypad_only_takes_a_number_then_checks_a_status_and_takes_the_next_step(new_page, live_server):
    from kiosk.cli import DEMO_KK
    from tests.browser.test_kiosk_status import READY_NIK, grouped, seed_demo_records

    seed_demo_records(live_server)
    page, heard = open_kiosk(new_page, live_server)

    # 1. A keypad key starts voice mode; the status check is one of the numbered choices.
    mark = heard.fresh()
    page.keyboard.press("Numpad8")
    assert heard.since(mark, "help.more") == ["voice.start", *START_SHORT]
    said = heard.sentences(mark)
    assert said[START_SHORT.index("press.7") + 1 : START_SHORT.index("press.7") + 3] == [
        "Tekan tujuh untuk",
        "Cek status ka te pe el.",
    ]

    # 2. A Perekaman (REKAM) number, by keypad only.
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    settled(page, "priority")
    heard.since(0, "t.back")
    page.keyboard.press("1")
    mark = heard.fresh()
    page.keyboard.press("NumpadEnter")
    expect(page.locator("#result-number")).to_have_text("A-001")
    number = ["letter.A", "digit.0", "digit.0", "digit.1", "call_to.REKAM"]
    spoken = heard.since(mark, "t.done")
    assert spoken[spoken.index("screen.result") :][:13] == [
        "screen.result",
        "t.your_number",
        *number,
        "ticket.again",
        *number,
    ]
    page.keyboard.press("0")  # Selesai
    settled(page, "start")

    # 3. The status check: 7 then Enter opens the privacy notice, which is read whole.
    page.keyboard.press("7")
    mark = heard.fresh()
    page.keyboard.press("Enter")
    settled(page, "status-notice")
    assert heard.since(mark, "t.back") == NOTICE_SCREEN
    said = heard.sentences(mark)
    assert said[0] == "Anda berada di layar cek status ka te pe el."
    assert said[3].startswith("Anda akan memasukkan nik dan nomor Kartu Keluarga")
    assert said[-4:] == ["Tekan satu untuk", "Lanjut.", "Tekan nol untuk", "Kembali."]

    # 4. Lanjut: the NIK step, with the keypad typing and echoing each digit.
    page.keyboard.press("1")
    mark = heard.fresh()
    page.keyboard.press("Enter")
    settled(page, "status-entry")
    assert heard.since(mark, "t.key_next") == NIK_STEP
    assert heard.sentences(mark)[:3] == [
        "Anda berada di layar memasukkan nomor.",
        "Langkah satu dari dua.",
        "Masukkan nik Anda, enam belas angka.",
    ]

    mark = heard.fresh()
    page.keyboard.press("Enter")  # nothing typed yet: Enter says what is missing, and stays
    assert heard.since(mark, "t.key_next") == ["t.nik_short", *NIK_STEP]
    assert heard.sentences(mark)[0] == "Nik harus enam belas angka."
    expect(page.locator("#entry-message")).to_have_text("NIK harus 16 angka. Periksa kembali Kartu Keluarga Anda.")

    mark = heard.fresh()
    type_on_keypad(page, heard, "62030")  # 0 is a digit here, not "back"
    page.keyboard.press("Backspace")  # Backspace deletes the last digit while there is one
    heard.since(mark, "input.deleted")
    assert [key for key in heard.since(mark, "input.deleted")] == [*digit_keys("62030"), "input.deleted"]
    assert heard.sentences(mark) == ["enam", "dua", "nol", "tiga", "nol", "Dihapus."]
    expect(page.locator("#entry-digits")).to_have_text("6203")
    mark = heard.fresh()
    page.keyboard.press("NumpadMultiply")  # repeat: the step, then the digits typed so far
    assert heard.since(mark, "t.key_next") == [
        "screen.status-entry",
        "t.step_nik",
        "t.nik_title",
        "t.nik_hint",
        "input.entered",
        *digit_keys("6203"),
        "input.help",
        "press.enter",
        "t.key_next",
    ]

    type_on_keypad(page, heard, READY_NIK[4:-1])
    mark = heard.fresh()
    page.keyboard.press(f"Numpad{READY_NIK[-1]}")
    assert heard.since(mark, "input.complete") == [f"digit.{READY_NIK[-1]}", "input.complete"]
    expect(page.locator("#entry-digits")).to_have_text(grouped(READY_NIK))
    mark = heard.fresh()
    page.keyboard.press("9")  # a 17th digit is refused, and the resident hears so
    assert heard.since(mark, "input.full") == ["input.full"]
    expect(page.locator("#entry-digits")).to_have_text(grouped(READY_NIK))

    # 5. Enter = Lanjut: the KK step.
    mark = heard.fresh()
    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")
    assert heard.since(mark, "t.key_next") == KK_STEP
    assert heard.sentences(mark)[1:3] == ["Langkah dua dari dua.", "Masukkan nomor ka ka, enam belas angka."]
    type_on_keypad(page, heard, DEMO_KK)

    # 6. Enter sends both: "checking", then the answer read out with its next step as choice 1.
    mark = heard.fresh()
    page.keyboard.press("NumpadEnter")
    settled(page, "status-answer")
    answer = [
        "screen.status-answer",
        "t.answer_title",
        "status.READY_FOR_PICKUP.label",
        "status.READY_FOR_PICKUP.message",
        "status.READY_FOR_PICKUP.next",
        "press.1",
        "t.take",
        "service.AMBIL",
        "press.0",
        "t.done",
    ]
    spoken = heard.since(mark, "t.done")
    assert spoken[0] == "t.checking"
    assert spoken[spoken.index("screen.status-answer") :] == answer
    said = heard.sentences(mark)[spoken.index("screen.status-answer") :]
    catalogue = sentences(live_server.runtime.settings)
    assert said == [catalogue[key] for key in answer]
    assert said[0] == "Hasil pemeriksaan sudah ada."
    assert said[5:8] == ["Tekan satu untuk", "Ambil nomor antrean", "Pengambilan ka te pe el."]

    # 7. 1 + Enter asks Umum or Prioritas for Pengambilan, as from the start screen; 2 + Enter issues
    # the priority number, spoken twice digit by digit with its loket.
    page.keyboard.press("1")
    mark = heard.fresh()
    page.keyboard.press("Enter")
    settled(page, "priority")
    assert heard.since(mark, "t.back") == [
        "screen.priority",
        "service.AMBIL",
        "t.priority_title",
        "t.priority_note",
        "press.1",
        "t.regular",
        "t.regular_sub",
        "press.2",
        "t.priority",
        "t.priority_sub",
        "press.0",
        "t.back",
    ]
    assert ticket_numbers(live_server) == ["REKAM-1"]
    page.keyboard.press("2")
    mark = heard.fresh()
    page.keyboard.press("Enter")
    expect(page.locator("#result-number")).to_have_text("C-001")
    expect(page.locator("#result-priority")).to_be_visible()
    number = ["letter.C", "digit.0", "digit.0", "digit.1", "call_to.AMBIL"]
    spoken = heard.since(mark, "t.done")
    assert spoken[spoken.index("screen.result") :][:13] == [
        "screen.result",
        "t.your_number",
        *number,
        "ticket.again",
        *number,
    ]
    said = heard.sentences(mark)[spoken.index("screen.result") :]
    assert said[2:6] == ["ce", "nol", "nol", "satu"]
    assert ticket_numbers(live_server) == ["REKAM-1", "AMBIL-1"]

    # 8. The end: Selesai, then back on the start screen leaves voice mode.
    page.keyboard.press("0")
    settled(page, "start")
    mark = heard.fresh()
    page.keyboard.press("Backspace")
    assert heard.since(mark, "voice.leave") == ["voice.leave"]
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bk-voice\b"))

    # Nothing the resident typed went anywhere but the lookup: no key, URL or sentence holds it.
    urls = page.evaluate("window.__spoken.map(e => e.url)")
    assert all(READY_NIK not in url and DEMO_KK not in url for url in urls)
    assert not any(READY_NIK in text or DEMO_KK in text for text in heard.texts.values())
    assert heard.errors == []


def test_backspace_on_an_empty_entry_goes_back_a_step_and_a_wrong_number_is_heard(new_page, live_server):
    from kiosk.cli import DEMO_KK
    from tests.browser.test_kiosk_status import UNKNOWN_NIK, seed_demo_records

    seed_demo_records(live_server)
    page, heard = open_kiosk(new_page, live_server)
    page.keyboard.press("Numpad7")
    heard.since(0, "help.more")
    page.keyboard.press("7")
    page.keyboard.press("Enter")
    settled(page, "status-notice")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    settled(page, "status-entry")
    heard.since(0, "t.key_next")

    type_on_keypad(page, heard, UNKNOWN_NIK)
    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")
    mark = heard.fresh()
    page.keyboard.press("Backspace")  # nothing typed on this step: back to the NIK, which is kept
    expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")
    assert heard.since(mark, "t.key_next") == [
        "screen.status-entry",
        "t.step_nik",
        "t.nik_title",
        "t.nik_hint",
        "input.entered",
        *digit_keys(UNKNOWN_NIK),
        "input.help",
        "press.enter",
        "t.key_next",
    ]

    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")
    type_on_keypad(page, heard, DEMO_KK)
    mark = heard.fresh()
    page.keyboard.press("Enter")
    expect(page.locator("#entry-message")).to_be_visible()
    spoken = heard.since(mark, "t.key_next")
    assert spoken[0] == "t.checking"
    assert spoken[1:3] == ["t.not_found", "screen.status-entry"]
    assert heard.sentences(mark)[1].startswith("Data tidak ditemukan.")

    for _ in range(16):  # empty the KK number, then Backspace goes back: to the NIK, then to the notice
        page.keyboard.press("Backspace")
    expect(page.locator("#entry-digits")).to_have_text("")
    page.keyboard.press("Backspace")
    expect(page.locator("#entry-title")).to_have_text("Masukkan NIK Anda")
    for _ in range(16):
        page.keyboard.press("Backspace")
    mark = heard.fresh()
    page.keyboard.press("Backspace")
    settled(page, "status-notice")
    assert heard.since(mark, "t.back") == NOTICE_SCREEN
    mark = heard.fresh()
    page.keyboard.press("0")  # Kembali on the notice: the start screen
    settled(page, "start")
    assert heard.since(mark, "help.more") == START_SHORT
    assert heard.errors == []
