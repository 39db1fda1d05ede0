"""The kiosk's words: one message catalogue per language, kiosk/messages/<lang>.json.

Each file has the same parts and keys: ``kiosk`` (kiosk.js and kiosk-status.js, the ``data-t`` keys),
``survey`` (kiosk-survey.js, the ``data-st`` keys) and ``voice`` (kiosk-voice.js). The page embeds
both languages as one JSON script tag that every kiosk script reads. Keys that only English shows
(closing reasons, API error codes) are in the Indonesian file too, so the two files have the same
keys; the Indonesian page shows the server's own message for those. The spoken sentences of voice
mode are a separate catalogue (kiosk/guide.py): they are written to be heard, not read.

Pure: no Flask, no SQLite.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("id", "en")
FOLDER = Path(__file__).parent / "messages"


@cache
def messages(lang: str) -> dict[str, dict[str, str]]:
    """Return one language's catalogue: part -> key -> text."""
    if lang not in LANGUAGES:
        raise ValueError(f"no message catalogue for {lang!r}")
    return json.loads((FOLDER / f"{lang}.json").read_text(encoding="utf-8"))


def kiosk_messages() -> dict[str, dict[str, dict[str, str]]]:
    """Return every language's catalogue, as the kiosk page embeds it."""
    return {lang: messages(lang) for lang in LANGUAGES}
