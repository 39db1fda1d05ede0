"""KTP-el status API: the resident's lookup (NIK + nomor KK) and staff edits of a record.

A lookup does the same work whether or not the NIK has a record (one indexed read, one
constant-time comparison, one audit row), and answers an unknown NIK and a wrong KK number
with the same bytes, so neither the body nor the timing tells which NIKs exist.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from typing import Callable

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from kiosk import status_store
from kiosk.db import read_or_create_secret
from kiosk.errors import KioskError
from kiosk.settings import StatusLookups
from kiosk.status import check_application, check_kk, check_nik, describe, mask_name
from kiosk.web import _HTTP_CODES, error_response, json_body, runtime
from kiosk.web.auth import _Throttle, staff_required
from kiosk.web.devices import devices, kiosk_or_staff

log = logging.getLogger(__name__)

bp = Blueprint("status", __name__)

NOT_FOUND_MESSAGE = ("Data tidak ditemukan. Periksa kembali NIK dan nomor KK, atau tanyakan kepada petugas.")
NOT_A_KIOSK = ("Cek status KTP-el hanya dapat dilakukan di kios kantor atau oleh petugas. Silakan gunakan kios "
               "di kantor kecamatan.")
_NO_RECORD_KK = "0" * 16  # compared against when the NIK has no record, so both cases take the same time


class LookupGuard:
    """Rate limits of status lookups: per client address (kiosk PCs allowed more) and misses per NIK.

    Keys are kept in bounded stores; a NIK is held only as its keyed hash.
    """

    def __init__(self, config: StatusLookups, is_kiosk: Callable[[str], bool], clock=time.monotonic):
        window = config.window_minutes * 60
        self.is_kiosk = is_kiosk  # [kiosk] addresses (or its alias [status] kiosk_addresses)
        self.addresses = _Throttle(config.lookups_per_window, window, clock=clock)
        self.kiosk_addresses = _Throttle(config.kiosk_lookups_per_window, window, clock=clock)
        self.misses = _Throttle(config.nik_misses_per_hour, 3600, clock=clock)
        self.clock = clock
        self._lock = threading.Lock()

    def attempt(self, address: str) -> int:
        """Count a lookup from ``address``; return 0, or the seconds to wait (then nothing is counted)."""
        throttle = self.kiosk_addresses if self.is_kiosk(address) else self.addresses
        with self._lock:
            now = self.clock()
            wait = throttle.retry_after((address,), now)
            if not wait:
                throttle.record((address,), now)
            return wait

    def reserve_miss(self, nik_key: str) -> int:
        """Count a possible miss of this NIK before looking (so parallel guesses cannot overrun the limit).

        Return 0, or the seconds to wait (then nothing is counted). A lookup that finds its record
        gives the count back with :meth:`found`.
        """
        with self._lock:
            now = self.clock()
            wait = self.misses.retry_after((nik_key,), now)
            if not wait:
                self.misses.record((nik_key,), now)
            return wait

    def found(self, nik_key: str) -> None:
        """Give back the miss counted for a lookup that found its record."""
        with self._lock:
            self.misses.refund((nik_key,))


def _guard() -> LookupGuard:
    app = current_app
    guard = app.extensions.get("kiosk_status_guard")
    if guard is None:
        guard = app.extensions.setdefault("kiosk_status_guard", LookupGuard(runtime().settings.status,
                                                                             devices().is_kiosk))
    return guard


def lookup_secret() -> bytes:
    """Return the key of the NIK hashes in the audit log, kept beside the database like the session secret."""
    app = current_app
    secret = app.extensions.get("kiosk_lookup_secret")
    if secret is None:
        db = runtime().db
        if db.in_memory:
            value = secrets.token_hex(32)
        else:
            value = read_or_create_secret(db.path.with_name(db.path.name + ".lookup-secret"), secrets.token_hex(32))
        secret = app.extensions.setdefault("kiosk_lookup_secret", value.encode())
    return secret


def nik_hash(nik: str) -> str:
    """Return the keyed hash (HMAC-SHA256) that stands for a NIK in the audit log and the rate limits."""
    return hmac.new(lookup_secret(), nik.encode(), hashlib.sha256).hexdigest()


def _rate_limited(wait: int):
    minutes = math.ceil(wait / 60)
    response = error_response("rate_limited", f"Terlalu banyak pencarian. Silakan coba lagi dalam {minutes} menit "
                                              f"atau tanyakan kepada petugas.", 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _audit(outcome: str, nik_key: str | None) -> None:
    rt = runtime()
    status_store.record_lookup(rt.db, rt.now().isoformat(timespec="seconds"), request.remote_addr or "-", outcome,
                               nik_key)


@bp.post("/api/status-lookups")
def lookup():
    """Answer a resident's KTP-el status for a NIK and the matching nomor KK."""
    rt = runtime()
    kiosk_or_staff(NOT_A_KIOSK)  # refused before anything is counted or audited
    guard = _guard()
    wait = guard.attempt(request.remote_addr or "-")
    if wait:  # not audited: a flood from one address must not turn into a flood of writes
        return _rate_limited(wait)
    body = json_body()
    try:
        nik = check_nik(body.get("nik"))
        kk = check_kk(body.get("kk"), rt.now().date())
    except KioskError as problem:
        _audit(problem.code, None)
        raise
    nik_key = nik_hash(nik)
    wait = guard.reserve_miss(nik_key)
    if wait:
        _audit("rate_limited_nik", nik_key)
        return _rate_limited(wait)
    record = status_store.get_application(rt.db, nik)
    matches = hmac.compare_digest(kk.encode(), (record["kk"] if record else _NO_RECORD_KK).encode())
    if record is None or not matches:
        _audit("not_found", nik_key)
        return error_response("not_found", NOT_FOUND_MESSAGE, 404)
    guard.found(nik_key)
    _audit("found", nik_key)
    lang = body.get("lang") if body.get("lang") in ("id", "en") else "id"
    answer = describe(record["status"], rt.settings.next_service, lang)
    answer.update(name_masked=mask_name(record["name"]), updated_at=record["updated_at"])
    return jsonify({"status": answer})


@bp.put("/api/applications/<nik:nik>")
@staff_required()
def save(nik: str):
    """Create or change a resident's KTP-el status record (staff); history records real changes only."""
    rt = runtime()
    body = json_body()
    record = check_application(nik, body.get("kk"), body.get("name"), body.get("birth_date"), body.get("status"),
                               body.get("note", ""), rt.now().date())
    change = status_store.save_application(rt.db, record, rt.now().isoformat(timespec="seconds"),
                                           g.staff["username"], "staff")
    return jsonify({"application": status_store.get_application(rt.db, record.nik), "change": change}), (
        201 if change == "created" else 200)


# Blueprint handlers are found before the app's, so this blueprint answers its own errors in full.
@bp.errorhandler(KioskError)
def kiosk_error(error: KioskError):
    """Answer a domain error in the SPEC shape."""
    return error_response(error.code, error.message, error.status)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Answer an HTTP error (e.g. a body too large) in the SPEC shape."""
    code, message = _HTTP_CODES.get(error.code or 500, ("http_error", error.description or ""))
    return error_response(code, message, error.code or 500)


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    """Log an unexpected error by route, never by path: these paths and bodies hold NIKs."""
    log.error("unexpected %s on %s %s", type(error).__name__, request.method,
              request.url_rule.rule if request.url_rule else "-")
    return error_response("internal_error",
                          "Terjadi kesalahan pada server. Silakan coba lagi atau hubungi petugas.", 500)
