"""The staff password policy: the same rule answers the CLI in English and the admin page in Indonesian."""

from __future__ import annotations

import pytest

from kiosk.domain.passwords import check_password, password_problem


@pytest.mark.parametrize(
    "password, english, indonesian",
    [
        ("pendek", "at least 10 characters are needed", "Kata sandi minimal 10 karakter."),
        ("x" * 129, "at most 128 characters are allowed", "Kata sandi paling banyak 128 karakter."),
        (" " * 12, "it is only spaces", "Kata sandi tidak boleh hanya spasi."),
        ("a" * 12, "it is one character repeated", "Kata sandi tidak boleh satu karakter yang diulang."),
        ("Siti-Kapuas-Tinta-42", "it contains the username", "Kata sandi tidak boleh memuat nama pengguna."),
        ("password123", "it is too easy to guess", "Kata sandi terlalu mudah ditebak."),
        ("kecamatan2026", "it is too easy to guess", "Kata sandi terlalu mudah ditebak."),
    ],
)
def test_each_refusal_is_said_in_both_languages(password, english, indonesian):
    problem = password_problem("siti", password)
    assert problem is not None
    assert problem.english.startswith(english) and problem.indonesian.startswith(indonesian)
    assert check_password("siti", password) == problem.english


def test_a_strong_password_passes():
    assert password_problem("siti", "Tinta-Biru-Kapuas-42") is None
    assert check_password("siti", "Tinta-Biru-Kapuas-42") is None


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("Kopi-Susu1", False),  # 10 characters, strength 3: the shortest and weakest accepted
        ("Kopi-Susu", True),  # 9 characters
        ("Tinta-Biru-Kapuas-42-" + "x7Q" * 35 + "z2", False),  # 128 characters
        ("Tinta-Biru-Kapuas-42-" + "x7Q" * 35 + "z2!", True),  # 129 characters
    ],
)
def test_length_limits_on_both_sides(password, refused):
    assert len(password) in (9, 10, 128, 129)
    assert (password_problem("siti", password) is not None) == refused


@pytest.mark.parametrize("length", [72, 73, 100, 128])
def test_a_long_password_up_to_the_limit_is_judged_not_a_crash(length):
    """zxcvbn 4.5 refuses input over 72 characters with ValueError; the policy allows 128."""
    strong = ("Tinta-Biru-Kapuas-42-" + "x7Q" * 40)[:length]
    assert password_problem("siti", strong) is None
    weak = "a" * (length - 1) + "b"
    assert password_problem("siti", weak) is not None


def test_a_weak_password_gets_the_estimators_advice_in_english():
    assert check_password("siti", "jakarta2025") == (
        "it is too easy to guess (strength 2 of 4, at least 3 needed): This is similar to a commonly used "
        "password. Add another word or two. Uncommon words are better."
    )
