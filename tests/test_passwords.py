"""The staff password policy: the same rule answers the CLI in English and the admin page in Indonesian."""

from __future__ import annotations

import pytest

from kiosk.passwords import check_password, password_problem


@pytest.mark.parametrize("password, english, indonesian", [
    ("pendek", "at least 10 characters are needed", "Kata sandi minimal 10 karakter."),
    ("x" * 129, "at most 128 characters are allowed", "Kata sandi paling banyak 128 karakter."),
    (" " * 12, "it is only spaces", "Kata sandi tidak boleh hanya spasi."),
    ("a" * 12, "it is one character repeated", "Kata sandi tidak boleh satu karakter yang diulang."),
    ("Siti-Kapuas-Tinta-42", "it contains the username", "Kata sandi tidak boleh memuat nama pengguna."),
    ("password123", "it is too easy to guess", "Kata sandi terlalu mudah ditebak."),
    ("kecamatan2026", "it is too easy to guess", "Kata sandi terlalu mudah ditebak."),
])
def test_each_refusal_is_said_in_both_languages(password, english, indonesian):
    problem = password_problem("siti", password)
    assert problem is not None
    assert problem.english.startswith(english) and problem.indonesian.startswith(indonesian)
    assert check_password("siti", password) == problem.english


def test_a_strong_password_passes():
    assert password_problem("siti", "Tinta-Biru-Kapuas-42") is None
    assert check_password("siti", "Tinta-Biru-Kapuas-42") is None
