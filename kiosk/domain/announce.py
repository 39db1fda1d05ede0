"""Queue number -> the Indonesian sentence the waiting-room display speaks (kiosk/devices/speech.py says it)."""

from __future__ import annotations

import re
import string
from functools import lru_cache

from num2words import num2words

DEFAULT_TEMPLATE = "Nomor antrean {letter}, {number}, silakan menuju {counter}"
PLACEHOLDERS = frozenset({"letter", "number", "counter"})


_NUMBER = re.compile(r"([A-Za-z])-(\d+)")
_DIGITS = re.compile(r"\d+")


def number_words(seq: int) -> str:
    """Return the Indonesian words for a queue sequence (12 -> "dua belas")."""
    # num2words 0.5.14 already gives the standard forms (sepuluh, sebelas, seratus,
    # seribu); the check in tests/test_announce.py guards against a regression.
    return num2words(seq, lang="id")


def validate_template(template: str) -> None:
    """Raise ValueError unless the template is well-formed and uses only known placeholders."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        raise ValueError(f"malformed announcement template {template!r}: {exc}") from None
    unknown = sorted({field for field in fields if field not in PLACEHOLDERS})
    if unknown:
        shown = ", ".join("{" + field + "}" for field in unknown)
        allowed = ", ".join("{" + name + "}" for name in sorted(PLACEHOLDERS))
        raise ValueError(f"unknown placeholder {shown} in announcement template; allowed: {allowed}")


@lru_cache(maxsize=2048)  # displays and phones ask for the same few sentences over and over
def announcement_text(number: str, counter_name: str, template: str = DEFAULT_TEMPLATE) -> str:
    """Return the spoken sentence for a call of ticket `number` to `counter_name`."""
    match = _NUMBER.fullmatch(number)
    if match is None:
        raise ValueError(f"queue number {number!r} is not <letter>-<digits>")
    validate_template(template)
    letter, digits = match.groups()
    return template.format(
        letter=letter.upper(),
        number=number_words(int(digits)),  # int() drops leading zeros: never "nol nol"
        counter=spoken_counter(counter_name),
    )


def spoken_counter(counter_name: str) -> str:
    """Return the counter name as spoken: digits as words, lower-cased ("Loket 2" -> "loket dua")."""
    # Spaces around the words keep "2A" from becoming "duaa"; split/join tidies them.
    spoken = _DIGITS.sub(lambda digits: f" {number_words(int(digits.group()))} ", counter_name)
    return " ".join(spoken.split()).lower()
