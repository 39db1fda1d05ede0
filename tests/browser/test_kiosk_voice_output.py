"""Voice mode on a speaker ([kiosk] voice_output = "speaker") and the start screen's short first reading,
in real Chromium against a real server (espeak-ng makes the WAVs)."""

from __future__ import annotations

import io
import re
import wave

import pytest
from playwright.sync_api import expect

from kiosk.cli import DEMO_KK
from tests.browser.test_kiosk_status import READY_NIK, seed_demo_records
from tests.browser.test_kiosk_voice import START_SCREEN, START_SHORT, open_kiosk, settled
from tests.support import LiveServer, make_app

pytestmark = pytest.mark.browser


@pytest.fixture
def speaker_office(tmp_path):
    server = LiveServer(make_app(tmp_path, kiosk__voice_output="speaker")).start()
    seed_demo_records(server)
    yield server
    server.stop()


def spoken_keys(page, mark: int) -> list[str]:
    return [entry["key"] for entry in page.evaluate("m => window.__spoken.slice(m)", mark)]


def test_on_a_speaker_a_typed_nik_is_confirmed_by_a_tone_and_its_place_never_the_digit(new_page, speaker_office):
    page, heard = open_kiosk(new_page, speaker_office)
    expect(page.locator("#app")).to_have_attribute("data-voice-output", "speaker")
    page.keyboard.press("Numpad8")
    heard.since(0, "help.more")
    page.keyboard.press("7")
    page.keyboard.press("Enter")
    settled(page, "status-notice")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    settled(page, "status-entry")

    mark = heard.fresh()
    for place, digit in enumerate(READY_NIK, 1):
        before = heard.count()
        page.keyboard.press(f"Numpad{digit}")
        assert heard.since(before, f"input.position.{place}")[:2] == ["tone", f"input.position.{place}"]
    heard.since(mark, "input.complete")
    expect(page.locator("#entry-digits")).to_have_text(f"{READY_NIK[:6]} {READY_NIK[6:12]} {READY_NIK[12:]}")
    # The clips' answers arrive on their own (espeak-ng renders each on first use: slower on a busy machine).
    wanted = {"Angka pertama.", "Angka kelima.", "Angka keenam belas."}
    for _ in range(400):
        if wanted <= set(heard.texts.values()):
            break
        page.wait_for_timeout(25)
    assert wanted <= set(heard.texts.values())

    before = heard.count()
    page.keyboard.press("NumpadMultiply")  # repeat: how many digits, never which
    assert "input.count.16" in heard.since(before, "t.key_next")

    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("Masukkan nomor KK")
    for place, digit in enumerate(DEMO_KK[:3], 1):
        before = heard.count()
        page.keyboard.press(f"Numpad{digit}")
        assert heard.since(before, f"input.position.{place}")[:2] == ["tone", f"input.position.{place}"]

    keys = spoken_keys(page, mark)
    assert not [key for key in keys if key.startswith("digit.") or key == "input.entered"]
    tones = page.evaluate("window.__spoken.filter(e => e.key === 'tone').map(e => [e.url, e.via])")
    assert len(tones) == 19 and all(url == "" and via in ("tone", "cut", "pending") for url, via in tones)
    assert heard.errors == []


def wav_seconds(server, key: str) -> float:
    answer = server.get(f"/api/speech/{key}.wav")
    assert answer.status_code == 200, key
    with wave.open(io.BytesIO(answer.content)) as clip:
        return clip.getnframes() / clip.getframerate()


def test_the_start_screen_is_short_to_hear_and_any_key_cuts_it_off(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server)
    page.keyboard.press("Numpad5")
    first = heard.since(0, "help.more")
    assert first == ["voice.start", *START_SHORT]
    short = sum(wav_seconds(live_server, key) for key in first)
    whole = sum(wav_seconds(live_server, key) for key in ["voice.start", "help.keys", *START_SCREEN])
    print(f"start screen read in {short:.1f} s (the whole list: {whole:.1f} s)")
    assert short < 20 and short * 2.5 < whole

    # A key the kiosk does not use ("a" on a keyboard) cuts off what is being said.
    heard.fresh()
    page.keyboard.press("NumpadMultiply")
    page.wait_for_function("() => window.__spoken.length && window.__spoken[0].via === 'wav'", timeout=10000)
    page.keyboard.press("a")
    page.wait_for_function("() => window.__spoken.every(e => e.via !== 'pending')")
    vias = page.evaluate("window.__spoken.map(e => e.via)")
    assert len(vias) == len(START_SCREEN) + 1 and vias[0] == "wav"
    assert set(vias[1:]) == {"cut"}, vias
    expect(page.locator("html")).to_have_class(re.compile(r"\bk-voice\b"))  # still in voice mode
    assert heard.errors == []
