"""The staff password policy, one for the command line and the admin page (both say why in Indonesian)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128  # the strength estimate slows down on very long input
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
# zxcvbn 4.5 raises ValueError beyond 72 characters: the estimate reads the first 72 (a longer password
# is judged by them, which can only underrate it; the plain rules above still see all of it).
ESTIMATED_LENGTH = 72
# Words anyone at the office would try first (zxcvbn treats them like the username).
OFFICE_WORDS = (
    "kecamatan",
    "dukcapil",
    "disdukcapil",
    "antrean",
    "kiosk",
    "ktp",
    "loket",
    "petugas",
    "admin",
    "kantor",
)


# A password hash (werkzeug's scrypt) takes about 32 MB while it runs: twenty parallel wrong logins took the
# server from 362 to 873 MB. This many run at once in one process; others wait their turn a little while.
PASSWORD_CHECKS_AT_ONCE = 2
PASSWORD_SLOT_WAIT_SECONDS = 3.0
_slots = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)


class PasswordChecksBusy(Exception):
    """No password check could start within the wait: the server is flooded with logins."""


@contextmanager
def password_slot(wait: float = PASSWORD_SLOT_WAIT_SECONDS) -> Iterator[None]:
    """Hold one of the few slots for hashing or checking a password; raise PasswordChecksBusy after ``wait`` s."""
    if not _slots.acquire(timeout=wait):
        raise PasswordChecksBusy
    try:
        yield
    finally:
        _slots.release()


@dataclass(frozen=True)
class PasswordProblem:
    """Why a password is refused: in English (``check_password``) and in Indonesian (the CLI and screens)."""

    english: str
    indonesian: str


def password_problem(username: str, password: str) -> PasswordProblem | None:
    """Return why a password is too weak, or None when it is acceptable.

    Beyond the plain rules, zxcvbn estimates how many guesses the password would take
    (common passwords, words, dates, keyboard patterns, repeats); a score of at least
    ``MIN_PASSWORD_SCORE`` of 4 is needed.
    """
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem(
            f"at least {MIN_PASSWORD_LENGTH} characters are needed",
            f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem(
            f"at most {MAX_PASSWORD_LENGTH} characters are allowed",
            f"Kata sandi paling banyak {MAX_PASSWORD_LENGTH} karakter.",
        )
    if not password.strip():
        return PasswordProblem("it is only spaces", "Kata sandi tidak boleh hanya spasi.")
    if len(set(password)) == 1:
        return PasswordProblem("it is one character repeated", "Kata sandi tidak boleh satu karakter yang diulang.")
    if username.casefold() in password.casefold():
        return PasswordProblem("it contains the username", "Kata sandi tidak boleh memuat nama pengguna.")
    estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[username, *OFFICE_WORDS])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        feedback = estimate["feedback"]
        advice = " ".join([feedback["warning"], *feedback["suggestions"]]).strip()
        return PasswordProblem(
            f"it is too easy to guess (strength {estimate['score']} of 4, at least {MIN_PASSWORD_SCORE} needed)"
            + (f": {advice}" if advice else "; try a few uncommon words with digits or symbols"),
            "Kata sandi terlalu mudah ditebak. Gunakan beberapa kata yang tidak umum dengan angka atau simbol.",
        )
    return None


def check_password(username: str, password: str) -> str | None:
    """Return why a password is too weak in English (with the estimator's advice), or None when it is acceptable."""
    problem = password_problem(username, password)
    return problem.english if problem else None
