"""Encrypted backup copies for taking off the PC (a USB stick): scrypt from a passphrase, then AES-256-GCM.

File layout: ``MAGIC``, a 16-byte salt, scrypt's log2(n), r and p (one byte each), a 7-byte nonce
prefix, then chunks of at most ``CHUNK`` plain bytes, each as one flag byte (1 = last), a 4-byte
big-endian length and the AES-GCM ciphertext. Each chunk's nonce is the prefix, its index and its
flag; the header is the associated data of every chunk, so a chunk cannot be reordered, dropped,
cut off at the end or carried into another file, and a changed header fails on the first chunk.
A wrong passphrase fails on the first chunk too (before anything is written in a caller's place).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.domain.errors import KioskError

MAGIC = b"KIOSK-ANTREAN-ENC1\n"
CHUNK = 1 << 20
LOG2_N, R, P = 15, 8, 1  # 32 MiB of memory, a fraction of a second on the kiosk PC
MAX_LOG2_N = 20  # a crafted header may not ask for more than 1 GiB
MIN_PASSPHRASE = 8
_HEADER = struct.Struct(">16sBBB7s")
_FRAME = struct.Struct(">BI")


class VaultError(KioskError):
    code = "backup_failed"
    status = 400


def is_encrypted(path: Path) -> bool:
    """Tell whether ``path`` starts like an encrypted copy."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect residents' data."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise VaultError(f"Frasa sandi minimal {MIN_PASSPHRASE} karakter.")


def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> AESGCM:
    kdf = Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p)
    return AESGCM(kdf.derive(passphrase.encode("utf-8")))


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def encrypt(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """Write ``source`` encrypted with ``passphrase`` to ``target``."""
    check_passphrase(passphrase)
    salt, prefix = os.urandom(16), os.urandom(7)
    header = MAGIC + _HEADER.pack(salt, LOG2_N, R, P, prefix)
    cipher = _key(passphrase, salt, LOG2_N, R, P)
    target.write(header)
    index, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        last = not following
        sealed = cipher.encrypt(_nonce(prefix, index, last), chunk, header)
        target.write(_FRAME.pack(1 if last else 0, len(sealed)) + sealed)
        if last:
            return
        index, chunk = index + 1, following


def decrypt(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """Write the plain contents of the encrypted ``source`` to ``target``; VaultError on a wrong passphrase."""
    header = source.read(len(MAGIC) + _HEADER.size)
    if len(header) != len(MAGIC) + _HEADER.size or not header.startswith(MAGIC):
        raise VaultError("Bukan salinan terenkripsi kios.")
    salt, log2_n, r, p, prefix = _HEADER.unpack(header[len(MAGIC) :])
    if not (10 <= log2_n <= MAX_LOG2_N and 1 <= r <= 32 and 1 <= p <= 16):
        raise VaultError("Salinan terenkripsi rusak (parameter kunci tidak valid).")
    try:
        cipher = _key(passphrase, salt, log2_n, r, p)
    except (ValueError, MemoryError) as exc:
        raise VaultError(f"Salinan terenkripsi rusak ({exc}).") from None
    index = 0
    while True:
        frame = source.read(_FRAME.size)
        if len(frame) != _FRAME.size:
            raise VaultError("Salinan terenkripsi terpotong.")
        last, length = _FRAME.unpack(frame)
        if length > CHUNK + 16:
            raise VaultError("Salinan terenkripsi rusak.")
        sealed = source.read(length)
        try:
            plain = cipher.decrypt(_nonce(prefix, index, bool(last)), sealed, header)
        except InvalidTag:
            if index == 0:
                raise VaultError("Frasa sandi salah, atau salinan rusak.") from None
            raise VaultError("Salinan terenkripsi rusak.") from None
        target.write(plain)
        if last:
            return
        index += 1
