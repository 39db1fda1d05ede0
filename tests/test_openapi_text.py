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

from kiosk.domain.complaints import NOT_BLANK
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
