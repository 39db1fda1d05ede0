"""KTP-el status API: the resident's lookup (NIK + nomor KK) and staff edits of a record.

A lookup does the same work whether or not the NIK has a record (one indexed read, one
constant-time comparison, one audit row), and answers an unknown NIK and a wrong KK number
with the same bytes, so neither the body nor the timing tells which NIKs exist.
"""

from __future__ import annotations

import hmac
import logging
import math
import threading
import time
from collections import deque
from typing import Callable

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from kiosk.storage import status as status_store
from kiosk.domain.errors import KioskError
from kiosk.domain.settings import StatusLookups
from kiosk.domain.status import check_application, check_kk, check_nik, describe, mask_name
from kiosk.web.common import _HTTP_CODES, error_response, json_body, runtime
from kiosk.web.auth import staff_required
from kiosk.web.devices import devices, kiosk_or_staff

log = logging.getLogger(__name__)

bp = Blueprint("status", __name__)

NOT_FOUND_MESSAGE = ("Data tidak ditemukan. Periksa kembali NIK dan nomor KK, atau tanyakan kepada petugas.")
NOT_A_KIOSK = ("Cek status KTP-el hanya dapat dilakukan di kios kantor atau oleh petugas. Silakan gunakan kios "
               "di kantor kecamatan.")
_NO_RECORD_KK = "0" * 64  # compared against when the NIK has no record, so both cases take the same time


class Counters:
    """Attempts per key in a sliding window, in a bounded store that never forgets a live counter.

    A least-recently-used store let a flood of new keys (4,200 lookups from 140 addresses) push
    out the counter of a locked NIK, which was then free again. Here a counter leaves the store
    only once all its attempts are out of the window; when the store is full of live counters, a
    new key is refused (answered as rate limited) instead.
    """

    SWEEP_SECONDS = 1.0  # a full store is swept for expired counters at most this often

    def __init__(self, limit: int, window: float, capacity: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.capacity, self.clock = limit, window, capacity, clock
        self._attempts: dict[tuple, deque[float]] = {}  # callers hold LookupGuard's lock
        self._swept = -math.inf

    def __len__(self) -> int:
        return len(self._attempts)

    def _live(self, key: tuple, now: float) -> deque[float] | None:
        attempts = self._attempts.get(key)
        if attempts is None:
            return None
        while attempts and now - attempts[0] >= self.window:
            attempts.popleft()
        if not attempts:
            del self._attempts[key]
            return None
        return attempts

    def _room(self, now: float) -> bool:
        if len(self._attempts) < self.capacity:
            return True
        if now - self._swept >= self.SWEEP_SECONDS:
            self._swept = now
            for key in [key for key, attempts in self._attempts.items() if now - attempts[-1] >= self.window]:
                del self._attempts[key]
        return len(self._attempts) < self.capacity

    def retry_after(self, key: tuple, now: float) -> int:
        """Return whole seconds until ``key`` may try again (0 when it may now)."""
        attempts = self._live(key, now)
        if attempts is None:
            return 0 if self._room(now) else max(1, math.ceil(self.window / 10))
        if len(attempts) < self.limit:
            return 0
        return max(1, math.ceil(self.window - (now - attempts[0])))

    def record(self, key: tuple, now: float) -> None:
        """Count one attempt for ``key`` (after :meth:`retry_after` said it may)."""
        attempts = self._attempts.get(key)
        if attempts is None:
            attempts = self._attempts[key] = deque(maxlen=self.limit)
        attempts.append(now)

    def refund(self, key: tuple) -> None:
        """Take back the latest attempt of ``key``."""
        attempts = self._attempts.get(key)
        if attempts:
            attempts.pop()


class LookupGuard:
    """Rate limits of status lookups: per client address (kiosk PCs allowed more) and misses per NIK and address.

    Misses are counted per NIK *and* client address: wrong KK numbers typed elsewhere never lock the
    resident out, and a kiosk PC (where many residents type, in the office) is never locked out of a NIK.
    A NIK is held only as its keyed hash.
    """

    def __init__(self, config: StatusLookups, is_kiosk: Callable[[str], bool], clock=time.monotonic):
        window = config.window_minutes * 60
        self.is_kiosk = is_kiosk  # [kiosk] addresses (or its alias [status] kiosk_addresses)
        self.addresses = Counters(config.lookups_per_window, window, clock=clock)
        self.kiosk_addresses = Counters(config.kiosk_lookups_per_window, window, clock=clock)
        self.misses = Counters(config.nik_misses_per_hour, 3600, clock=clock)
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

    def reserve_miss(self, nik_key: str, address: str) -> int:
        """Count a possible miss of this NIK from this address before looking (parallel guesses cannot overrun).

        Return 0, or the seconds to wait (then nothing is counted). A lookup that finds its record
        gives the count back with :meth:`found`. Kiosk PCs are not counted.
        """
        if self.is_kiosk(address):
            return 0
        with self._lock:
            now = self.clock()
            wait = self.misses.retry_after((nik_key, address), now)
            if not wait:
                self.misses.record((nik_key, address), now)
            return wait

    def found(self, nik_key: str, address: str) -> None:
        """Give back the miss counted for a lookup that found its record."""
        if self.is_kiosk(address):
            return
        with self._lock:
            self.misses.refund((nik_key, address))


def _guard() -> LookupGuard:
    app = current_app
    guard = app.extensions.get("kiosk_status_guard")
    if guard is None:
        guard = app.extensions.setdefault("kiosk_status_guard", LookupGuard(
            runtime().settings.status, lambda address: devices().is_kiosk(address)))  # follows the live [kiosk]
    return guard


def nik_hash(nik: str) -> str:
    """Return the keyed hash (HMAC-SHA256) that stands for a NIK in the records, the audit log and the limits."""
    return status_store.nik_key(runtime().db, nik)


def public_record(nik: str, record: dict) -> dict:
    """Return a record as staff see it: the NIK they typed, never the stored hashes."""
    return {"nik": nik, **{key: value for key, value in record.items() if key != "kk_hash"}}


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
    address = request.remote_addr or "-"
    wait = guard.reserve_miss(nik_key, address)
    if wait:
        _audit("rate_limited_nik", nik_key)
        return _rate_limited(wait)
    record = status_store.get_application(rt.db, nik)
    kk_key = status_store.kk_key(rt.db, kk)  # hashed whether or not the NIK has a record: the same work
    matches = hmac.compare_digest(kk_key.encode(), (record["kk_hash"] if record else _NO_RECORD_KK).encode())
    if record is None or not matches:
        _audit("not_found", nik_key)
        return error_response("not_found", NOT_FOUND_MESSAGE, 404)
    guard.found(nik_key, address)
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
    status_store.record_lookup(rt.db, rt.now().isoformat(timespec="seconds"), request.remote_addr or "-",
                               "staff_put", nik_hash(record.nik), g.staff["username"])
    return jsonify({"application": public_record(record.nik, status_store.get_application(rt.db, record.nik)),
                    "change": change}), (
        201 if change == "created" else 200)


# Blueprint handlers are found before the app's, so this blueprint answers its own errors in full.
@bp.errorhandler(KioskError)
def kiosk_error(error: KioskError):
    """Answer a domain error in the SPEC shape (with Retry-After when it says how long to wait)."""
    response = error_response(error.code, error.message, error.status)
    if getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


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
