"""The satisfaction survey and the error screen in voice mode ("Mode suara"), in real Chromium.

Keypad only: the survey number (letter as a numbered choice, digits echoed), the nine questions with
their answers, the skippable profile, sending and the thanks; the API's errors each heard with their
own catalogue sentence. What each WAV says is the server's own X-Spoken-Text (see test_kiosk_voice.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.domain.guide import sentences
from kiosk.domain.survey import ELEMENT_CODES
from kiosk.storage import survey as survey_store
from tests.browser.test_kiosk_voice import START_SHORT, open_kiosk, settled, type_on_keypad
from tests.browser.test_survey import serve

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save the screenshots there (docs/screenshots)

LETTERS = [
    key for letter in "ABCDEF" for key in (f"press.{'ABCDEF'.index(letter) + 1}", "word.letter", f"letter.{letter}")
]
NUMBER_LETTERS = ["screen.survey-number", "t.survey_title", "t.survey_number_hint", *LETTERS, "press.0", "t.cancel"]
NUMBER_ENTRY = ["screen.survey-number", "t.survey_title", "t.survey_number_hint", "word.letter", "letter.A"]
NUMBER_END = ["survey.number_help", "press.enter", "t.next"]
PARTS = ("gender", "age", "education", "job")


def profile(chosen: dict[str, str] | None = None) -> list[str]:
    """The profile screen in voice mode: the four parts as choices 1-4 (each with its answer), then sending."""
    parts = [
        key
        for number, part in enumerate(PARTS, 1)
        for key in (
            f"press.{number}",
            f"survey.part.{part}",
            f"survey.option.{part}.{chosen[part]}" if part in (chosen or {}) else "survey.part_empty",
        )
    ]
    return [
        "screen.survey-profile",
        "t.survey_profile",
        "t.survey_profile_voice",
        *parts,
        "press.5",
        "t.survey_send",
        "press.0",
        "t.survey_previous",
    ]


PROFILE = profile()
THANKS = ["t.survey_thanks", "t.survey_thanks_text", "press.0", "t.back_home"]


def question(number: int) -> list[str]:
    code = ELEMENT_CODES[number - 1]
    answers = [key for score in range(1, 5) for key in (f"press.{score}", f"survey.a.{code}.{score}")]
    return [f"survey.count.{number}", f"survey.q.{code}", *answers, "press.0", "t.survey_previous"]


class Walk:
    """Each step's keys and the sentences the server said they hold, in order (for the closing note)."""

    def __init__(self, heard):
        self.heard = heard
        self.said: list[str] = []
        self.steps: list[list[str]] = []  # the sentences of each step

    def step(self, press, last_key: str) -> list[str]:
        mark = self.heard.fresh()
        press()
        keys = self.heard.since(mark, last_key)
        self.steps.append(self.heard.sentences(mark))
        self.said.extend(self.steps[-1])
        return keys


def to_survey_letter(page, heard, walk: Walk) -> None:
    """From the start screen in voice mode: 8, Enter (the survey), 1, Enter (letter A)."""
    assert walk.step(lambda: page.keyboard.press("8"), "help.confirm") == ["t.survey_entry", "help.confirm"]
    assert walk.step(lambda: page.keyboard.press("Enter"), "t.cancel") == NUMBER_LETTERS
    settled(page, "survey-number")
    assert walk.step(lambda: page.keyboard.press("1"), "help.confirm") == ["word.letter", "letter.A", "help.confirm"]
    assert walk.step(lambda: page.keyboard.press("Enter"), "t.next") == [*NUMBER_ENTRY, *NUMBER_END]
    expect(page.locator("#survey-number")).to_have_text("A-")


def test_keypad_only_answers_the_whole_survey_and_every_step_is_heard(new_page, live_server):
    staff = live_server.login()
    serve(live_server, staff)  # A-001, served
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()  # A-002, waiting
    page, heard = open_kiosk(new_page, live_server)
    walk = Walk(heard)
    catalogue = sentences(live_server.runtime.settings)

    assert walk.step(lambda: page.keyboard.press("Numpad8"), "help.more") == ["voice.start", *START_SHORT]
    to_survey_letter(page, heard, walk)
    assert walk.said[-8:-3] == [
        "Anda berada di layar survei kepuasan.",
        "Survei kepuasan masyarakat.",
        catalogue["t.survey_number_hint"],
        "huruf",
        "a",
    ]

    # A number not served yet: the API's answer is heard as its own sentence, the screen shows its message.
    assert walk.step(lambda: type_on_keypad(page, heard, "2"), "digit.2") == ["digit.2"]
    # The voice bar's key hint says what Backspace does here: it clears the letter when no digit is left.
    expect(page.locator(".k-voice-keys")).to_have_text(
        "Angka mengetik · ⌫ hapus, bila kosong hapus huruf · Enter lanjut · * ulang"
    )
    keys = walk.step(lambda: page.keyboard.press("Enter"), "t.next")
    assert keys == ["survey.error.not_served", *NUMBER_ENTRY, "input.entered", "digit.2", *NUMBER_END]
    assert walk.said[-len(keys)] == "Survei dapat diisi setelah nomor itu selesai dilayani."
    expect(page.locator("#survey-number-error")).to_have_text(
        "Survei dapat diisi setelah nomor A-002 selesai dilayani."
    )

    # Backspace deletes the digit; on no digits it deletes the letter and the letters are read again.
    assert walk.step(lambda: page.keyboard.press("Backspace"), "input.deleted") == ["input.deleted"]
    expect(page.locator("#survey-number")).to_have_text("A-")
    assert walk.step(lambda: page.keyboard.press("Backspace"), "t.cancel") == ["input.deleted", *NUMBER_LETTERS]
    expect(page.locator("#survey-number")).to_have_text("_-___")
    page.keyboard.press("1")
    walk.step(lambda: page.keyboard.press("Enter"), "t.next")

    # "A, nol, nol, satu" as the ticket reads it: three digits make the number complete.
    assert walk.step(lambda: [page.keyboard.press(f"Numpad{d}") for d in "001"], "input.complete") == [
        "digit.0",
        "digit.0",
        "digit.1",
        "input.complete",
    ]
    expect(page.locator("#survey-number")).to_have_text("A-001")
    assert walk.step(lambda: page.keyboard.press("NumpadEnter"), "t.survey_previous") == question(1)
    settled(page, "survey-question")
    assert walk.said[-len(question(1)) :][:4] == [
        "Pertanyaan satu dari sembilan.",
        catalogue["survey.q.persyaratan"],
        "Tekan satu untuk",
        "Tidak sesuai.",
    ]

    # Nine questions: a digit chooses (and is said back), Enter answers and the next question is read.
    scores = [4, 3, 2, 4, 3, 1, 4, 3, 4]
    for number, score in enumerate(scores, 1):
        code = ELEMENT_CODES[number - 1]
        assert walk.step(lambda score=score: page.keyboard.press(str(score)), "help.confirm") == [
            f"survey.a.{code}.{score}",
            "help.confirm",
        ]
        expect(page.locator(f".ks-answer[data-score='{score}']")).to_have_class(re.compile(r"\bk-voice-selected\b"))
        following = question(number + 1) if number < len(scores) else PROFILE
        assert walk.step(lambda: page.keyboard.press("Enter"), following[-1]) == following
        if number == 2:  # 0 goes back a question, whose answer is kept; it is answered again
            assert walk.step(lambda: page.keyboard.press("0"), "t.survey_previous") == question(2)
            expect(page.locator(".ks-answer[data-score='3']")).to_have_attribute("aria-pressed", "true")
            page.keyboard.press("3")
            walk.step(lambda: page.keyboard.press("Enter"), "t.survey_previous")
    settled(page, "survey-profile")
    assert walk.said[-len(PROFILE) :][:6] == [
        "Pertanyaan sudah selesai.",
        "Tentang Anda.",
        "Bagian ini boleh dilewati. Pilih bagian yang ingin Anda isi, atau langsung kirim jawaban.",
        "Tekan satu untuk",
        "Jenis kelamin.",
        "Belum dipilih.",
    ]

    # One part of the profile by keypad: 2 (Usia), Enter opens its options; 3, Enter chooses and comes back.
    ages = [
        key
        for number, code in enumerate(("17-25", "26-35", "36-45", "46-55", "56+"), 1)
        for key in (f"press.{number}", f"survey.option.age.{code}")
    ]
    assert walk.step(lambda: page.keyboard.press("2"), "help.confirm") == [
        "survey.part.age",
        "survey.part_empty",
        "help.confirm",
    ]
    assert walk.step(lambda: page.keyboard.press("Enter"), "t.survey_previous") == [
        "survey.part.age",
        *ages,
        "press.0",
        "t.survey_previous",
    ]
    settled(page, "survey-part")
    assert walk.said[-len(ages) - 3 :][:3] == ["Usia.", "Tekan satu untuk", "tujuh belas sampai dua puluh lima tahun."]
    page.keyboard.press("3")
    assert walk.step(lambda: page.keyboard.press("Enter"), "t.survey_previous") == profile({"age": "36-45"})
    settled(page, "survey-profile")
    expect(page.locator("[data-part-open='age']")).to_have_text("Usia: 36-45 tahun")

    # The rest is skipped: 5 (Kirim jawaban), Enter; the thanks are read.
    assert walk.step(lambda: page.keyboard.press("5"), "help.confirm") == ["t.survey_send", "help.confirm"]
    keys = walk.step(lambda: page.keyboard.press("Enter"), "t.back_home")
    settled(page, "survey-thanks")
    assert keys[-len(THANKS) :] == THANKS and set(keys[: -len(THANKS)]) <= {"survey.sending"}
    assert walk.said[-4:] == ["Terima kasih.", catalogue["t.survey_thanks_text"], "Tekan nol untuk", "Kembali ke awal."]

    today = live_server.runtime.today()
    rows = survey_store.survey_responses(live_server.runtime.db, today, today)
    assert [[row[code] for code in ELEMENT_CODES] for row in rows] == [scores]
    assert rows[0]["channel"] == "kiosk" and rows[0]["service"] == "REKAM"
    assert (rows[0]["age"], rows[0]["gender"], rows[0]["education"], rows[0]["job"]) == ("36-45", None, None, None)

    # Back to the start; the same number again is heard to have answered already.
    assert walk.step(lambda: page.keyboard.press("0"), "help.more") == START_SHORT
    to_survey_letter(page, heard, walk)
    type_on_keypad(page, heard, "1")
    keys = walk.step(lambda: page.keyboard.press("Enter"), "t.next")
    assert keys[0] == "survey.error.already_answered"
    assert walk.said[-len(keys)] == "Survei untuk nomor itu sudah diisi. Terima kasih."
    expect(page.locator("#survey-number-error")).to_have_text("Survei untuk nomor A-001 sudah diisi. Terima kasih.")

    # Only catalogue sentences were spoken, and nothing typed went into a URL.
    assert set(walk.said) <= set(catalogue.values())
    assert page.evaluate("window.__spoken.every(e => e.url === `/api/speech/${e.key}.wav`)")
    assert heard.errors == []
    print("\nSPOKEN WALK:\n" + "\n".join(" / ".join(step) for step in walk.steps))  # pytest -s: the closing note


def test_a_survey_question_is_answered_by_tap_then_confirm(new_page, live_server):
    staff = live_server.login()
    serve(live_server, staff)
    page, heard = open_kiosk(new_page, live_server, has_touch=True)
    walk = Walk(heard)
    walk.step(lambda: page.keyboard.press("Numpad8"), "help.more")
    to_survey_letter(page, heard, walk)
    type_on_keypad(page, heard, "1")
    walk.step(lambda: page.keyboard.press("Enter"), "t.survey_previous")
    settled(page, "survey-question")

    box = page.locator(".ks-answer[data-score='2']").bounding_box()
    point = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert walk.step(lambda: page.touchscreen.tap(*point), "help.tap_again") == [
        "survey.a.persyaratan.2",
        "help.tap_again",
    ]
    assert walk.said[-2:] == ["Kurang sesuai.", "Sentuh sekali lagi untuk memilih."]
    expect(page.locator("#survey-count")).to_have_text("Nomor A-001 · Pertanyaan 1 dari 9")  # one tap only speaks

    assert walk.step(lambda: page.touchscreen.tap(*point), "t.survey_previous") == question(2)
    expect(page.locator("#survey-count")).to_have_text("Nomor A-001 · Pertanyaan 2 dari 9")
    page.keyboard.press("0")  # back to the first question: the tapped answer was kept
    expect(page.locator("#survey-count")).to_have_text("Nomor A-001 · Pertanyaan 1 dari 9")
    expect(page.locator(".ks-answer[data-score='2']")).to_have_attribute("aria-pressed", "true")
    assert heard.errors == []


def test_a_wrong_survey_number_is_heard_with_its_own_sentence(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server)
    walk = Walk(heard)
    walk.step(lambda: page.keyboard.press("Numpad8"), "help.more")
    to_survey_letter(page, heard, walk)

    keys = walk.step(lambda: page.keyboard.press("Enter"), "t.next")  # no digits yet
    assert keys[0] == "survey.error.need_number"
    assert walk.said[-len(keys)] == "Pilih dulu huruf, lalu ketik angka nomor Anda."

    type_on_keypad(page, heard, "9")
    keys = walk.step(lambda: page.keyboard.press("Enter"), "t.next")
    assert keys == ["survey.error.not_found", *NUMBER_ENTRY, "input.entered", "digit.9", *NUMBER_END]
    assert walk.said[-len(keys)] == ("Nomor itu tidak ditemukan di antrean hari ini. Periksa nomor pada tiket Anda.")
    expect(page.locator("#survey-number-error")).to_have_text(
        "Nomor A-009 tidak ditemukan di antrean hari ini. Periksa nomor pada tiket Anda."
    )
    assert heard.errors == []


def close_rekam(server, **override) -> None:
    """What the office head does meanwhile, through the admin API: today's override of Perekaman."""
    headers = server.login("kepala", "rahasia-Admin1")
    server.session.patch(f"{server.url}/api/services/REKAM", json=override, headers=headers).raise_for_status()


@pytest.mark.parametrize(
    "override, code, sentence, shown",
    [
        (
            {"daily_quota": 0},
            "quota_reached",
            "Kuota nomor antrean hari ini sudah habis.",
            "Kuota nomor antrean hari ini sudah habis.",
        ),
        (
            {"open": False},
            "service_closed",
            "Layanan ini tidak sedang memberikan nomor antrean. "
            "Silakan pilih layanan lain atau tanyakan kepada petugas.",
            "Layanan ini ditutup sementara hari ini.",
        ),
    ],
)
def test_a_refused_number_is_heard_with_the_apis_own_sentence(new_page, live_server, override, code, sentence, shown):
    page, heard = open_kiosk(new_page, live_server)
    walk = Walk(heard)
    walk.step(lambda: page.keyboard.press("Numpad1"), "help.more")
    page.keyboard.press("1")
    walk.step(lambda: page.keyboard.press("Enter"), "t.back")
    settled(page, "priority")
    close_rekam(live_server, **override)  # while the resident chooses, the service stops issuing
    page.keyboard.press("1")
    keys = walk.step(lambda: page.keyboard.press("Enter"), "t.back_home")
    settled(page, "error")
    expect(page.locator("#error-text")).to_have_text(shown)
    assert keys[-4:] == ["t.sorry", f"error.{code}", "press.0", "t.back_home"]
    assert walk.said[-4:] == ["Mohon maaf.", sentence, "Tekan nol untuk", "Kembali ke awal."]
    assert heard.errors == []


def test_an_error_code_without_its_own_sentence_gets_the_generic_one(new_page, live_server):
    page, heard = open_kiosk(new_page, live_server)
    # The page's request goes to the real server with a key it refuses: a bad_request, which the resident
    # cannot act on, so the catalogue has no sentence of its own for it.
    page.route(
        "**/api/tickets",
        lambda route: route.continue_(headers={**route.request.headers, "idempotency-key": "not a valid key!"}),
    )
    walk = Walk(heard)
    walk.step(lambda: page.keyboard.press("Numpad1"), "help.more")
    page.keyboard.press("1")
    walk.step(lambda: page.keyboard.press("Enter"), "t.back")
    settled(page, "priority")
    page.keyboard.press("1")
    keys = walk.step(lambda: page.keyboard.press("Enter"), "t.back_home")
    settled(page, "error")
    expect(page.locator("#error-text")).to_contain_text("Idempotency-Key tidak valid")
    expect(page.locator("#error-text")).to_have_attribute("data-say", "error.bad_request")
    assert keys[-4:] == ["t.sorry", "error.error", "press.0", "t.back_home"]
    assert walk.said[-4:] == [
        "Mohon maaf.",
        "Ada masalah. Silakan minta bantuan petugas.",
        "Tekan nol untuk",
        "Kembali ke awal.",
    ]
    assert heard.errors == []


@pytest.mark.parametrize("width, height, tag", [(1080, 1920, "portrait"), (1920, 1080, "landscape")])
def test_the_survey_in_voice_mode_has_no_serious_accessibility_violation_and_tab_reaches_it(
    new_page, live_server, width, height, tag
):
    from tests.browser.axe import problems as _problems
    from tests.browser.test_keyboard import _check

    staff = live_server.login()
    serve(live_server, staff)
    page, heard = open_kiosk(new_page, live_server, width=width, height=height)
    walk = Walk(heard)
    walk.step(lambda: page.keyboard.press("Numpad8"), "help.more")

    def look(state: str, name: str) -> None:
        states[state] = _problems(page)
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"kiosk-voice-survey-{name}-{tag}.png"))

    states: dict[str, list[str]] = {}
    page.keyboard.press("8")
    walk.step(lambda: page.keyboard.press("Enter"), "t.cancel")
    settled(page, "survey-number")
    page.keyboard.press("1")  # letter A ringed while it is read
    expect(page.locator(".ks-letter[data-letter=A]")).to_have_class(re.compile(r"\bk-voice-selected\b"))
    look("number, a letter chosen by its digit", "letters")
    walk.step(lambda: page.keyboard.press("Enter"), "t.next")
    type_on_keypad(page, heard, "9")
    walk.step(lambda: page.keyboard.press("Enter"), "t.next")
    expect(page.locator("#survey-number-error")).to_be_visible()
    look("number entry with its error", "number")
    # every key on screen, the message too (in landscape the keypad stands beside the number)
    for control in ("#survey-number-next", ".ks-key[data-key='0']", "[data-letter=F]"):
        box = page.locator(control).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, control
    page.keyboard.press("Backspace")
    type_on_keypad(page, heard, "1")
    walk.step(lambda: page.keyboard.press("Enter"), "t.survey_previous")
    settled(page, "survey-question")
    page.keyboard.press("3")
    expect(page.locator(".ks-answer[data-score='3']")).to_have_class(re.compile(r"\bk-voice-selected\b"))
    look("question, an answer chosen by its digit", "question")
    keyboard = {"question": _check(page)}
    for _ in range(9):
        page.keyboard.press("4")
        page.keyboard.press("Enter")
        page.wait_for_function("() => !document.querySelector('#screen-survey-question.is-settling')")
    settled(page, "survey-profile")
    heard.since(0, "t.survey_previous")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    settled(page, "survey-part")
    page.keyboard.press("3")
    look("part", "profile-part")
    keyboard["part"] = _check(page)
    page.keyboard.press("Enter")
    settled(page, "survey-profile")
    page.keyboard.press("4")  # the longest part, seven jobs: every one and the way back stay on screen
    page.keyboard.press("Enter")
    settled(page, "survey-part")
    for button in page.locator("#screen-survey-part button").all():
        box = button.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (button.text_content(), box)
    page.keyboard.press("0")
    settled(page, "survey-profile")
    page.keyboard.press("5")
    expect(page.locator("#survey-send")).to_have_class(re.compile(r"\bk-voice-selected\b"))
    look("profile", "profile")
    keyboard["profile"] = _check(page)
    walk.step(lambda: page.keyboard.press("Enter"), "t.back_home")
    settled(page, "survey-thanks")
    look("thanks", "thanks")
    assert {state: found for state, found in states.items() if found} == {}
    assert keyboard == {name: {"unreachable": [], "no focus ring": []} for name in keyboard}
    rows = survey_store.survey_responses(
        live_server.runtime.db, live_server.runtime.today(), live_server.runtime.today()
    )
    assert [[row[code] for code in ELEMENT_CODES] for row in rows] == [[4] * 9]
