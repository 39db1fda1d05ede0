"""A documented "not blank" pattern means what the server means by blank.

The complaint text and its answer are refused when they hold nothing but spaces (``str.strip()``). JSON Schema
reads ``pattern`` as ECMA 262; fuzzers read it with Python's ``re``, some with ``re.ASCII`` (where ``\\s`` is only
`` \\t\\n\\r\\f\\v``), so ``\\S`` let ``"\\x1d"`` through as text the server then refused as blank.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.complaints import NOT_BLANK, check_phone
from kiosk.domain.errors import BadRequest
from kiosk.domain.survey import NUMBER_PATTERN, check_number
from kiosk.web.openapi import document

TEXT_FIELDS = [("/api/complaints", "post"), ("/api/complaints/{code}/answer", "post")]
SPACES = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())


def _text_schema(path: str, method: str) -> dict:
    body = document()["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return body["properties"]["text"]


@pytest.mark.parametrize(("path", "method"), TEXT_FIELDS)
def test_the_documented_text_pattern_is_the_servers_rule(path, method):
    assert _text_schema(path, method)["pattern"] == NOT_BLANK


@pytest.mark.parametrize("flags", [0, re.ASCII], ids=["unicode", "ascii"])
def test_every_space_the_server_strips_fails_the_pattern_in_either_reading(flags):
    pattern = re.compile(NOT_BLANK, flags)
    assert len(SPACES) > 20
    for space in SPACES:
        assert not pattern.search(space * 3), hex(ord(space))
    assert pattern.search(" \x1d jawaban \u3000")


@given(st.text(max_size=8))
def test_a_text_matches_the_pattern_exactly_when_it_is_not_blank(text):
    for flags in (0, re.ASCII):
        assert bool(re.search(NOT_BLANK, text, flags)) == bool(text.strip())


# ----------------------------------------------------------------- the survey's queue number

SURVEY_WHO = document()["components"]["schemas"]["SurveyWho"]


def _taken(check, typed: str) -> bool:
    """Whether the server's rule takes a typed value (it raises BadRequest otherwise)."""
    try:
        check(typed)
    except BadRequest:
        return False
    return True


def test_the_survey_documents_its_number_and_token_or_number_not_both():
    import jsonschema_rs

    assert SURVEY_WHO["properties"]["number"]["pattern"] == NUMBER_PATTERN
    who = jsonschema_rs.validator_for(SURVEY_WHO)
    assert who.is_valid({"token": "t"}) and who.is_valid({"number": "A-1"})
    assert not who.is_valid({"token": "t", "number": "A-1"}) and not who.is_valid({})  # both, or neither: refused
    assert not who.is_valid({"number": "A-0"}) and not who.is_valid({"number": "AB-1"})


@given(st.text(alphabet="aAbZ0123456789 -._\t\u00a0\u0661\n", max_size=9))
def test_a_number_matches_the_documented_pattern_exactly_when_the_server_takes_it(typed):
    """Unicode spaces and digits the server once took as well (Python's \\s and \\d) are refused by both."""
    taken = _taken(check_number, typed)
    for flags in (0, re.ASCII):
        assert bool(re.search(NUMBER_PATTERN, typed, flags)) == taken, repr(typed)


# ----------------------------------------------------------------- a complaint's phone for a call back

COMPLAINT_PHONE = document()["paths"]["/api/complaints"]["post"]["requestBody"]["content"]["application/json"][
    "schema"
]["properties"]["phone"]


@given(st.text(alphabet="+0268912 -().\t\n\u00a0\u0668", max_size=16))
def test_a_phone_matches_the_documented_pattern_exactly_when_the_server_takes_it(typed):
    """Python's \\s and \\d once let a no-break space and Arabic-Indic digits through the server's rule."""
    taken = _taken(check_phone, typed)
    documented = len(typed) <= COMPLAINT_PHONE["maxLength"]
    for flags in (0, re.ASCII):
        assert (documented and bool(re.search(COMPLAINT_PHONE["pattern"], typed, flags))) == taken, repr(typed)


def test_the_documented_phone_takes_the_forms_residents_write():
    for typed in ("", "   ", "0812 3456 7890", "+62 812-3456-7890", "62(812)34567890", "081234567"):
        assert re.search(COMPLAINT_PHONE["pattern"], typed), typed
    for typed in ("0712345678", "+1 812 3456 7890", "0812\u00a03456\u00a07890", "08123", "x"):
        assert not re.search(COMPLAINT_PHONE["pattern"], typed), typed


# ----------------------------------------------------------------- SMS numbers: opt-in with a number or later


def _body_schema(path: str) -> dict:
    return document()["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


OPT_IN_PHONES = [
    _body_schema("/api/tickets")["properties"]["phone"],
    _body_schema("/api/bookings")["properties"]["phone"],
]
SMS_PHONES = [
    _body_schema("/api/tickets/{id}/sms")["properties"]["phone"],
    _body_schema("/api/bookings/{token}/sms")["properties"]["phone"],
]


@st.composite
def _written_phones(draw) -> str:
    """Numbers as people write them: a prefix, 8, digits, with spaces, dashes, dots or brackets anywhere."""
    prefix = draw(st.sampled_from(["", "+62", "62", "0", "0062", "+620", "00", "062", "+1"]))
    digits = prefix + "8" + draw(st.text("0123456789", min_size=5, max_size=13))
    written = "".join(
        draw(st.sampled_from(["", "", "", " ", "-", ".", "(", ")", "\t", "\n", "\u00a0"])) + c for c in digits
    )
    return written + draw(st.sampled_from(["", " ", "\n", "\u00a0", "\u0668"]))


PHONE_TEXT = st.one_of(st.text(alphabet="+0268912 -().\t\n\u00a0\u0668", max_size=18), _written_phones())


@given(PHONE_TEXT)
def test_an_opt_in_phone_matches_the_documented_pattern_exactly_when_the_server_takes_it(typed):
    """A number given with a ticket or a booking ("" or none: no SMS); the documented pattern once allowed no
    space or dash at all, which the server takes ("0812 3456 7890")."""
    from kiosk.domain.bookings import normalise_phone

    taken = _taken(normalise_phone, typed)
    for schema in OPT_IN_PHONES:
        for flags in (0, re.ASCII):
            assert bool(re.search(schema["pattern"], typed, flags)) == taken, repr(typed)


@given(PHONE_TEXT)
def test_an_sms_phone_matches_the_documented_pattern_exactly_when_the_server_takes_it(typed):
    from kiosk.domain.sms import normalise_phone

    taken = normalise_phone(typed) is not None
    for schema in SMS_PHONES:
        for flags in (0, re.ASCII):
            documented = len(typed) <= schema.get("maxLength", 10**6) and bool(
                re.search(schema["pattern"], typed, flags)
            )
            assert documented == taken, repr(typed)


def test_a_phone_is_taken_up_to_its_longest_written_form_and_not_a_character_more():
    from kiosk.domain.sms import PHONE_MAX
    from kiosk.domain.sms import normalise_phone as sms_phone

    longest = "0812-3456-7890" + " " * (PHONE_MAX - 14)
    assert len(longest) == PHONE_MAX == COMPLAINT_PHONE["maxLength"] == SMS_PHONES[0]["maxLength"]
    assert check_phone(longest) == sms_phone(longest) == "+6281234567890"
    assert not _taken(check_phone, longest + " ") and sms_phone(longest + " ") is None
