"""The kiosk's words: one message catalogue per language, kiosk/messages/<lang>.json.

Each file has the same parts and keys: ``kiosk`` (kiosk.js and kiosk-status.js, the ``data-t`` keys),
``survey`` (kiosk-survey.js, the ``data-st`` keys), ``voice`` (kiosk-voice.js), ``phone`` (the phone page,
phone.js and the ``data-p`` keys), ``phone_survey`` (the survey card of the phone page, phone-survey.js) and
``display`` (the waiting-room display, rendered in the language of ``?lang=``; display.js reads its part). A page embeds the parts it needs, in both
languages, as one JSON script tag that its scripts read. Keys that only English shows
(closing reasons, API error codes) are in the Indonesian file too, so the two files have the same
keys; the Indonesian page shows the server's own message for those. The spoken sentences of voice
mode are a separate catalogue (kiosk/domain/guide.py): they are written to be heard, not read.

Pure: no Flask, no SQLite.
"""

from __future__ import annotations

import json
from functools import cache

from kiosk.paths import PACKAGE_DIR

LANGUAGES = ("id", "en")
FOLDER = PACKAGE_DIR / "messages"


@cache
def messages(lang: str) -> dict[str, dict[str, str]]:
    """Return one language's catalogue: part -> key -> text."""
    if lang not in LANGUAGES:
        raise ValueError(f"no message catalogue for {lang!r}")
    return json.loads((FOLDER / f"{lang}.json").read_text(encoding="utf-8"))


KIOSK_PARTS = ("kiosk", "survey", "voice")
PHONE_PARTS = ("phone", "phone_survey")


def page_messages(*parts: str) -> dict[str, dict[str, dict[str, str]]]:
    """Return these parts of every language's catalogue, as a page embeds them: lang -> part -> key -> text."""
    return {lang: {part: messages(lang)[part] for part in parts} for lang in LANGUAGES}


def kiosk_messages() -> dict[str, dict[str, dict[str, str]]]:
    """Return the kiosk page's parts of every language's catalogue."""
    return page_messages(*KIOSK_PARTS)
