"""Keywords residents type for ANTRE in other spellings still book; other words stay help."""

import pytest

from kiosk.domain import sms


@pytest.mark.parametrize("text", ["ANTRE REKAM", "antri rekam", "Antre  rekam 08-12", "DAFTAR REKAM"])
def test_spellings_of_antre_read_as_antre(text):
    assert sms.parse(text).keyword == "ANTRE"


@pytest.mark.parametrize("text", ["ANT REKAM", "TOLONG", ""])
def test_other_words_are_help(text):
    assert sms.parse(text).keyword == "HELP"


@pytest.mark.parametrize("text", ["NVJ739", "AB-12", "ab12", "A12345", "NV7739"])
def test_a_queue_number_has_one_letter_so_no_booking_code_reads_as_one(text):
    assert sms.ticket_number(text) is None


@pytest.mark.parametrize(
    ("text", "number"), [("a12", "A-012"), ("A-12", "A-012"), ("A012", "A-012"), ("b-1234", "B-1234")]
)
def test_a_queue_number_is_read_however_it_is_typed(text, number):
    assert sms.ticket_number(text) == number
