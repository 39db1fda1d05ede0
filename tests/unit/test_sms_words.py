"""Keywords residents type for ANTRE in other spellings still book; other words stay help."""

import pytest

from kiosk.domain import sms


@pytest.mark.parametrize("text", ["ANTRE REKAM", "antri rekam", "Antre  rekam 08-12", "DAFTAR REKAM"])
def test_spellings_of_antre_read_as_antre(text):
    assert sms.parse(text).keyword == "ANTRE"


@pytest.mark.parametrize("text", ["ANT REKAM", "TOLONG", ""])
def test_other_words_are_help(text):
    assert sms.parse(text).keyword == "HELP"
