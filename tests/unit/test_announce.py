"""Announcement sentences in Indonesian and their speech, with the real espeak-ng."""

from __future__ import annotations

import pytest

from kiosk.domain.announce import DEFAULT_TEMPLATE, announcement_text, number_words, validate_template

SENTENCE = "Nomor antrean A, dua belas, silakan menuju loket dua"


NUMBERS = [
    ("A-001", "A", "satu"),
    ("A-010", "A", "sepuluh"),
    ("A-011", "A", "sebelas"),
    ("A-012", "A", "dua belas"),
    ("A-020", "A", "dua puluh"),
    ("A-100", "A", "seratus"),
    ("A-101", "A", "seratus satu"),
    ("A-999", "A", "sembilan ratus sembilan puluh sembilan"),
    ("B-1000", "B", "seribu"),
]


COUNTERS = [
    ("Loket 1", "loket satu"),
    ("Loket 2", "loket dua"),
    ("Loket 10", "loket sepuluh"),
]


@pytest.mark.parametrize(
    ("seq", "words"),
    [
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (20, "dua puluh"),
        (100, "seratus"),
        (101, "seratus satu"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
    ],
)
def test_number_words_are_standard_indonesian(seq, words):
    assert number_words(seq) == words


@pytest.mark.parametrize(("counter_name", "spoken_counter"), COUNTERS)
@pytest.mark.parametrize(("number", "letter", "words"), NUMBERS)
def test_announcement_text(number, letter, words, counter_name, spoken_counter):
    assert announcement_text(number, counter_name) == (
        f"Nomor antrean {letter}, {words}, silakan menuju {spoken_counter}"
    )


def test_announcement_text_matches_the_spec_example():
    assert announcement_text("A-012", "Loket 2") == SENTENCE


def test_counter_name_without_digits_is_only_lower_cased():
    assert announcement_text("C-007", "Loket Prioritas") == ("Nomor antrean C, tujuh, silakan menuju loket prioritas")


def test_custom_template_may_reorder_placeholders():
    template = "Loket {counter} memanggil nomor {letter} {number}"
    assert announcement_text("D-045", "5", template) == "Loket lima memanggil nomor D empat puluh lima"


@pytest.mark.parametrize("number", ["A012", "AB-012", "A-", "-012", "A-12x", ""])
def test_malformed_queue_number_is_rejected(number):
    with pytest.raises(ValueError, match="letter"):
        announcement_text(number, "Loket 1")


def test_default_template_is_valid():
    assert validate_template(DEFAULT_TEMPLATE) is None


def test_unknown_placeholder_is_named_in_the_error():
    with pytest.raises(
        ValueError, match=r"unknown placeholder \{loket\}.*allowed: \{counter\}, \{letter\}, \{number\}"
    ):
        validate_template("Nomor {letter}-{number} ke {loket}")


@pytest.mark.parametrize("template", ["Nomor {} ke {counter}", "Nomor {0}", "Nomor {letter.upper}"])
def test_positional_and_attribute_placeholders_are_unknown(template):
    with pytest.raises(ValueError, match="unknown placeholder"):
        validate_template(template)


def test_unbalanced_brace_is_rejected():
    with pytest.raises(ValueError, match="malformed announcement template"):
        validate_template("Nomor {letter")


def test_announcement_text_rejects_a_bad_template():
    with pytest.raises(ValueError, match="unknown placeholder"):
        announcement_text("A-001", "Loket 1", "Nomor {nomor}")


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("Loket 2", "loket dua"),
        ("LOKET 12A", "loket dua belas a"),
        ("Loket  3 ", "loket tiga"),
        ("Meja Informasi", "meja informasi"),
        ("2", "dua"),
    ],
)
def test_a_counter_name_is_spoken_with_its_digits_as_words(name, spoken):
    from kiosk.domain.announce import spoken_counter

    assert spoken_counter(name) == spoken


@pytest.mark.parametrize(
    ("audio", "is_wav"),
    [
        (b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 32, False),  # a 44-byte header and no sound
        (b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 33, True),  # one byte of sound
        (b"RIFX\x00\x00\x00\x00WAVE" + b"\x00" * 40, False),
        (b"RIFF\x00\x00\x00\x00AVI " + b"\x00" * 40, False),
        (b"", False),
    ],
)
def test_only_a_riff_wave_with_sound_counts_as_speech(audio, is_wav):
    from kiosk.devices.speech import _is_wav

    assert _is_wav(audio) is is_wav
