"""Secret files beside the database: owner-only (0600), written whole, shared by processes starting together.

Kept apart from the connections (kiosk/storage/db.py) so the migrations, which need the key of the NIK
and KK hashes, do not import the database module that runs them.
"""

from __future__ import annotations

import contextvars
import os
import secrets
import threading
from pathlib import Path

from kiosk.domain.errors import KioskError

# The database holds staff password hashes and residents' data: only the service account may read it.
PRIVATE_MODE = 0o600

# The key of the NIK and KK hashes, for a migration that hashes stored numbers (set by Database.migrate).
MIGRATION_STATUS_KEY: contextvars.ContextVar[bytes | None] = contextvars.ContextVar("status_key", default=None)


def status_key_file(database: Path) -> Path:
    """Return the file beside ``database`` holding the key of the NIK and KK hashes (never in a backup)."""
    return database.with_name(database.name + ".status-key")


def read_status_key(database: Path, path: Path | None = None) -> bytes:
    """Return the key of the NIK and nomor KK hashes of ``database`` (from ``path``, by default the file beside
    it), creating the file (mode 0600) on first use; an in-memory database gets a fresh key.

    Installs from before keyed a NIK in the lookup audit log with ``<database>.lookup-secret``:
    that key becomes this one, so the audit log's hashes keep matching the records'.
    """
    if str(database) == ":memory:":
        return secrets.token_hex(32).encode()
    path = path or status_key_file(database)
    legacy = database.with_name(database.name + ".lookup-secret")
    if not path.exists() and legacy.exists():
        try:
            os.link(legacy, path)
        except FileExistsError:
            pass
    key = read_or_create_secret(path, secrets.token_hex(32)).encode()
    legacy.unlink(missing_ok=True)
    return key


def create_private(path: str | Path) -> bool:
    """Create an empty file readable by its owner only, unless it exists; return True if created."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    except FileExistsError:
        return False
    return True


def read_or_create_secret(path: Path, value: str) -> str:
    """Return the secret stored in ``path``; store ``value`` there first (mode 0600) if there is none.

    Written to a private temporary file and linked into place, so two processes starting
    together agree on one secret and nobody ever reads a half-written file.
    """
    if not path.exists():
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(value + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process was first: use its secret
        finally:
            temporary.unlink(missing_ok=True)
    make_private(path)
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise KioskError(
            f"{path} holds no usable secret; delete it to make a new one (staff log in again)",
            code="bad_secret",
            status=500,
        )
    return secret


def make_private(path: str | Path) -> None:
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, PRIVATE_MODE)
