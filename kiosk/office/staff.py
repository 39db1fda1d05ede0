"""Staff accounts: one rule set for usernames, roles and passwords, used by `kiosk user ...` and /admin alike.

A username is 2-40 ASCII letters, digits, '.', '_' or '-' (the contract's ``kiosk user add NAME``): it is typed at
a login form on any keyboard, so ``siti_ñ`` is refused everywhere. Passwords follow
kiosk/domain/passwords.py. Each interface says the refusal in its own words (the CLI's NAMA, the page's
"Nama pengguna").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from werkzeug.security import generate_password_hash

from kiosk.domain.errors import KioskError
from kiosk.domain.passwords import password_problem
from kiosk.domain.staff import USERNAME, USERNAME_RULE, username_ok  # noqa: F401 (the rule, re-exported)
from kiosk.storage import staff as staff_store
from kiosk.storage.db import Database

ROLES = ("counter", "admin")


class AccountRefused(KioskError):
    """A new account or password that breaks the rules; ``field`` names what: username, role or password."""

    status = 400

    def __init__(self, field: str, message: str, code: str = "bad_request"):
        super().__init__(message, code=code)
        self.field = field


def check_username(name: Any) -> str:
    """Return ``name`` if it is a valid username, else raise AccountRefused."""
    if not username_ok(name):
        raise AccountRefused("username", f"Nama pengguna harus {USERNAME_RULE}.")
    return name


def check_role(role: Any) -> str:
    """Return ``role`` if it is counter or admin, else raise AccountRefused."""
    if role not in ROLES:
        raise AccountRefused("role", "Peran harus 'counter' (petugas loket) atau 'admin'.")
    return role


def check_password(username: str, password: str) -> str:
    """Return ``password`` if the policy accepts it for ``username``, else raise AccountRefused (weak_password)."""
    problem = password_problem(username, password)
    if problem is not None:
        raise AccountRefused("password", problem.indonesian, code="weak_password")
    return password


def add_account(
    db: Database,
    username: str,
    password: str,
    role: str,
    now: datetime,
    by: str | None = None,
    hash_password: Callable[[str], str] = generate_password_hash,
) -> dict[str, Any]:
    """Create a staff account after checking every rule; raise AccountRefused or the store's username_taken."""
    check_username(username)
    check_role(role)
    check_password(username, password)
    extra = {} if by is None else {"by": by}
    return staff_store.add_staff(db, username, hash_password(password), role, now, **extra)
