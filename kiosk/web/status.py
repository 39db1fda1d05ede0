"""KTP-el status API: the resident's lookup (NIK + nomor KK) and staff edits of a record.

A lookup does the same work whether or not the NIK has a record (one indexed read, one
constant-time comparison, one audit row), and answers an unknown NIK and a wrong KK number
with the same bytes, so neither the body nor the timing tells which NIKs exist.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from kiosk.domain.errors import KioskError
from kiosk.domain.status import check_application
from kiosk.office.lookups import Counters, LookupGuard, NoRecord, TooMany, look_up  # noqa: F401 (Counters: re-exported)
from kiosk.storage import status as status_store
from kiosk.web.auth import staff_required
from kiosk.web.common import HTTP_CODES, error_response, json_body, runtime
from kiosk.web.devices import devices, kiosk_or_staff

log = logging.getLogger(__name__)

bp = Blueprint("status", __name__)

NOT_FOUND_MESSAGE = "Data tidak ditemukan. Periksa kembali NIK dan nomor KK, atau tanyakan kepada petugas."
NOT_A_KIOSK = (
    "Cek status KTP-el hanya dapat dilakukan di kios kantor atau oleh petugas. Silakan gunakan kios "
    "di kantor kecamatan."
)


def _guard() -> LookupGuard:
    app = current_app
    guard = app.extensions.get("kiosk_status_guard")
    if guard is None:
        guard = app.extensions.setdefault(
            "kiosk_status_guard", LookupGuard(runtime().settings.status, lambda address: devices().is_kiosk(address))
        )  # follows the live [kiosk]
    return guard


def nik_hash(nik: str) -> str:
    """Return the keyed hash (HMAC-SHA256) that stands for a NIK in the records, the audit log and the limits."""
    return status_store.nik_key(runtime().db, nik)


def public_record(nik: str, record: dict) -> dict:
    """Return a record as staff see it: the NIK they typed, never the stored hashes."""
    return {"nik": nik, **{key: value for key, value in record.items() if key != "kk_hash"}}


def _rate_limited(wait: int):
    minutes = math.ceil(wait / 60)
    response = error_response(
        "rate_limited",
        f"Terlalu banyak pencarian. Silakan coba lagi dalam {minutes} menit atau tanyakan kepada petugas.",
        429,
    )
    response.headers["Retry-After"] = str(wait)
    return response


@bp.post("/api/status-lookups")
def lookup():
    """Answer a resident's KTP-el status for a NIK and the matching nomor KK."""
    rt = runtime()
    kiosk_or_staff(NOT_A_KIOSK)  # refused before anything is counted or audited
    guard = _guard()
    address = request.remote_addr or "-"
    wait = guard.attempt(address)
    if wait:  # not audited: a flood from one address must not turn into a flood of writes
        return _rate_limited(wait)
    body = json_body()
    try:
        answer = look_up(rt, guard, address, body.get("nik"), body.get("kk"), body.get("lang") or "id")
    except TooMany as limited:
        return _rate_limited(limited.wait)
    except NoRecord:
        return error_response("not_found", NOT_FOUND_MESSAGE, 404)
    return jsonify({"status": answer})


@bp.put("/api/applications/<nik:nik>")
@staff_required()
def save(nik: str):
    """Create or change a resident's KTP-el status record (staff); history records real changes only."""
    rt = runtime()
    body = json_body()
    record = check_application(
        nik,
        body.get("kk"),
        body.get("name"),
        body.get("birth_date"),
        body.get("status"),
        body.get("note", ""),
        rt.now().date(),
    )
    change = status_store.save_application(
        rt.db, record, rt.now().isoformat(timespec="seconds"), g.staff["username"], "staff"
    )
    status_store.record_lookup(
        rt.db,
        rt.now().isoformat(timespec="seconds"),
        request.remote_addr or "-",
        "staff_put",
        nik_hash(record.nik),
        g.staff["username"],
    )
    return jsonify(
        {"application": public_record(record.nik, status_store.get_application(rt.db, record.nik)), "change": change}
    ), (201 if change == "created" else 200)


# Blueprint handlers are found before the app's, so this blueprint answers its own errors in full.
@bp.errorhandler(KioskError)
def kiosk_error(error: KioskError):
    """Answer a domain error in the contract's error shape (with Retry-After when it says how long to wait)."""
    response = error_response(error.code, error.message, error.status)
    if getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Answer an HTTP error (e.g. a body too large) in the contract's error shape."""
    code, message = HTTP_CODES.get(error.code or 500, ("http_error", error.description or ""))
    return error_response(code, message, error.code or 500)


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    """Log an unexpected error by route, never by path: these paths and bodies hold NIKs."""
    log.error(
        "unexpected %s on %s %s",
        type(error).__name__,
        request.method,
        request.url_rule.rule if request.url_rule else "-",
    )
    return error_response(
        "internal_error", "Terjadi kesalahan pada server. Silakan coba lagi atau hubungi petugas.", 500
    )
