"""The username rule every staff account follows, at the office and at the regency.

A username is 2-40 ASCII letters, digits, '.', '_' or '-': it is typed at a login form on any keyboard, so
``siti_ñ`` is refused everywhere (the command line, /admin and the regency alike).
"""

from __future__ import annotations

import re
from typing import Any

USERNAME = re.compile(r"[A-Za-z0-9._-]{2,40}")
USERNAME_RULE = "2-40 huruf, angka, '.', '_' atau '-'"


def username_ok(name: Any) -> bool:
    """Tell whether ``name`` is a valid username (ASCII letters, digits, '.', '_', '-'; 2-40 of them)."""
    return isinstance(name, str) and USERNAME.fullmatch(name) is not None
