"""The kiosk's words: one catalogue per language (kiosk/messages/<lang>.json), complete in both, and
every key the kiosk's templates and scripts use is in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kiosk.domain.words import LANGUAGES, kiosk_messages, messages

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = (ROOT / "templates/kiosk/index.html").read_text(encoding="utf-8")
PHONE_TEMPLATE = (ROOT / "templates/phone/index.html").read_text(encoding="utf-8")
DISPLAY_TEMPLATE = (ROOT / "templates/display/index.html").read_text(encoding="utf-8")
JS = ROOT / "kiosk/static/js"


def script(name: str) -> str:
    return (JS / name).read_text(encoding="utf-8")


def found(pattern: str, *texts: str) -> set[str]:
    return {key for text in texts for key in re.findall(pattern, text)}


def used_keys() -> dict[str, set[str]]:
    """Every catalogue key the kiosk's template and scripts name, by catalogue part."""
    kiosk_js = script("kiosk.js") + script("kiosk-status.js")
    kiosk = (
        found(r'data-t="([a-z_]+)"', TEMPLATE)
        | found(r'\bt\("([a-z_]+)"', kiosk_js)
        | found(r'\{ key: "([a-z_]+)" \}', kiosk_js)
    )
    # keys the status check builds from its step name: step_nik, nik_title, nik_hint, nik_short, ...
    kiosk |= {
        pattern.format(step) for step in ("nik", "kk") for pattern in ("step_{}", "{}_title", "{}_hint", "{}_short")
    }
    survey = found(r'data-st="([a-z_]+)"', TEMPLATE) | found(r'\bt\("([a-z_]+)"', script("kiosk-survey.js"))
    voice_js = script("kiosk-voice.js")
    voice = found(r'data-voice-(?:text|label)="([a-z_]+)"', TEMPLATE) | found(r'\bword\("([a-z_]+)"', voice_js)
    voice |= {key for pair in re.findall(r'word\([^;]*?\? "([a-z_]+)" : "([a-z_]+)"\)', voice_js) for key in pair}
    # the voice bar's key hints: chosen in kiosk-voice.js, or named by an entry's data-voice-keys
    voice |= found(r'"(voice_keys[a-z_]*)"', voice_js) | found(r'data-voice-keys="([a-z_]+)"', TEMPLATE)
    phone_survey = found(r'\bt\("([a-z_]+)"', script("phone-survey.js"))
    phone = (
        found(r'data-p="([a-z_]+)"', PHONE_TEMPLATE)
        | found(r"\b[pm]\.([a-z_]+)", PHONE_TEMPLATE)
        | found(r'\bt\("([a-z_]+)"', script("phone.js"))
    )
    display_js = script("display.js")
    display = found(r"\bwords\.([a-z_]+)", DISPLAY_TEMPLATE) | found(r'\bt\("([a-z_]+)"', display_js)
    display |= {key for pair in re.findall(r't\(online \? "([a-z_]+)" : "([a-z_]+)"\)', display_js) for key in pair}
    return {
        "kiosk": kiosk,
        "survey": survey,
        "voice": voice,
        "phone_survey": phone_survey,
        "phone": phone,
        "display": display,
    }


def test_english_has_exactly_the_indonesian_parts_and_keys():
    indonesian, english = messages("id"), messages("en")
    assert (
        list(english)
        == list(indonesian)
        == [
            "kiosk",
            "survey",
            "voice",
            "phone_survey",
            "phone",
            "display",
            "complaints",
            "staff_later",
            "staff_complaints",
        ]
    )
    for part in indonesian:
        assert set(english[part]) - set(indonesian[part]) == set(), f"{part}: English only"
        assert set(indonesian[part]) - set(english[part]) == set(), f"{part}: not in English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_written_and_keeps_its_placeholders(lang):
    for part, words in messages(lang).items():
        for key, text in words.items():
            assert isinstance(text, str) and text.strip(), f"{lang}.{part}.{key} is empty"
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", messages("id")[part][key])), (
                f"{lang}.{part}.{key}: placeholders differ from Indonesian"
            )


def test_every_key_the_kiosk_uses_is_in_the_catalogue():
    used = used_keys()
    assert (
        len(used["kiosk"]) > 50
        and len(used["survey"]) > 15
        and len(used["voice"]) >= 5
        and len(used["phone_survey"]) > 10
        and len(used["phone"]) > 30
        and len(used["display"]) > 15
    )  # the scan found them
    for part, keys in used.items():
        assert keys - set(messages("id")[part]) == set(), f"{part}: used but not in the catalogue"


def test_no_kiosk_script_keeps_its_own_words():
    for name, tag in (
        ("kiosk.js", "kiosk-messages"),
        ("kiosk-status.js", "kiosk-messages"),
        ("kiosk-survey.js", "kiosk-messages"),
        ("kiosk-voice.js", "kiosk-messages"),
        ("phone-survey.js", "phone-messages"),
        ("phone.js", "phone-messages"),
    ):
        text = script(name)
        assert re.search(r"\ben: \{", text) is None, name
        assert f'getElementById("{tag}")' in text, name


def test_indonesian_words_follow_the_house_spelling():
    text = json.dumps(messages("id"), ensure_ascii=False).lower()
    assert "antrian" not in text and "silahkan" not in text


def test_the_kiosk_page_embeds_both_catalogues(client):
    page = client.get("/kiosk").get_data(as_text=True)
    embedded = re.search(r'<script type="application/json" id="kiosk-messages">(.*?)</script>', page, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == kiosk_messages()


def test_the_phone_page_embeds_its_own_and_its_survey_words_only(client):
    token = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]["token"]
    page = client.get(f"/t/{token}").get_data(as_text=True)
    embedded = re.search(r'<script type="application/json" id="phone-messages">(.*?)</script>', page, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == {
        lang: {"phone": messages(lang)["phone"], "phone_survey": messages(lang)["phone_survey"]} for lang in LANGUAGES
    }


def test_no_phone_or_display_text_is_left_in_the_templates_or_scripts():
    """The Indonesian sentences they used to hold now come from the catalogue only."""
    for text in (PHONE_TEMPLATE, script("phone.js")):
        for sentence in ("Antrean di depan Anda", "Menunggu", "Diperbarui pukul", "Segera dipanggil", "Dibatalkan"):
            assert sentence not in text
    for text in (DISPLAY_TEMPLATE, script("display.js")):
        for sentence in ("Selamat datang", "Sedang dilayani", "Terhubung", "Senin", "Januari"):
            assert sentence not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_display_speaks_the_language_of_its_address(client, lang):
    page = client.get(f"/display?lang={lang}").get_data(as_text=True)
    words = messages(lang)["display"]
    assert f'<html lang="{lang}">' in page
    for key in ("idle_title", "serving", "waiting", "recent"):
        assert words[key] in page
    config = json.loads(
        re.search(r'<script type="application/json" id="display-config">(.*?)</script>', page, re.S).group(1)
    )
    assert config["words"] == words


def test_the_display_takes_indonesian_for_an_unknown_language(client):
    page = client.get("/display?lang=fr").get_data(as_text=True)
    assert '<html lang="id">' in page and "Sedang dilayani" in page


_KIOSK_WORD = re.compile(r"(?<![/\w.-])kiosk(?![/\w.-])", re.I)
_INDONESIAN = re.compile(r"\b(di|ke|tidak|silakan|layar|suara|lewat|dari|yang|untuk|pada|nomor|antrean)\b", re.I)
_LITERAL = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"")


def test_indonesian_ui_text_says_kios_the_standard_word():
    """BAHASA.md asks for standard Indonesian: the touchscreen is a "kios" (KBBI), never "kiosk", on every
    Indonesian screen, message and spoken sentence (the product's name and paths stay as they are)."""
    found = []

    def walk(value, where):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, str) and _KIOSK_WORD.search(value):
            found.append((where, value))

    walk(messages("id"), "id.json")
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"\{% block body_class %\}.*?\{% endblock %\}", " ", template.read_text(encoding="utf-8"))
        text = re.sub(r"\{[{%#].*?[}%#]\}", " ", text, flags=re.S)
        text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", text, flags=re.S)  # commands are not words
        for line in re.sub(r"<[^>]*>", "\n", text).splitlines():
            if _KIOSK_WORD.search(line) and "Kiosk Antrean" not in line:
                found.append((template.name, line.strip()))
    for source in sorted([*(ROOT / "kiosk/static/js").glob("*.js"), *(ROOT / "kiosk/web").glob("*.py")]):
        for literal in _LITERAL.findall(source.read_text(encoding="utf-8")):
            if _KIOSK_WORD.search(literal.replace("Kiosk Antrean", "")) and _INDONESIAN.search(literal):
                found.append((source.name, literal))
    assert found == []
