"""Helpers every blueprint shares (the office's and the regency's): the runtime of the app, the error shape, the JSON
body, URL converters and the security headers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from flask import current_app, jsonify, request
from werkzeug.routing import BaseConverter, IntegerConverter

from kiosk.domain.errors import BadRequest
from kiosk.domain.words import LANGUAGES

if TYPE_CHECKING:
    from kiosk.office.runtime import Runtime

HTTP_CODES = {
    400: ("bad_request", "Permintaan tidak dapat dibaca."),
    404: ("not_found", "Alamat tidak ditemukan."),
    405: ("method_not_allowed", "Metode ini tidak diizinkan untuk alamat ini."),
    413: ("payload_too_large", "Data yang dikirim terlalu besar."),
    415: ("unsupported_media_type", "Kirim data sebagai JSON."),
}


def runtime() -> Runtime:
    """Return the office runtime of the current app."""
    return current_app.extensions["kiosk"]


# The Idempotency-Key header of POST /api/tickets and POST /api/bookings, as the OpenAPI document states it.
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{1,100}$"


def idempotency_key() -> str | None:
    """Return the request's Idempotency-Key header (None without one); a malformed one is a 400."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not re.fullmatch(IDEMPOTENCY_KEY_PATTERN[1:-1], key):
        raise BadRequest("Header Idempotency-Key tidak valid (1-100 huruf, angka, . _ : -).")
    return key


def error_response(code: str, message: str, status: int, details: dict | None = None):
    """Answer with the error shape {"error": {"code", "message"}} (and "details" when the message names values)."""
    error: dict = {"code": code, "message": message}
    if details:
        error["details"] = details
    response = jsonify({"error": error})
    response.status_code = status
    return response


def json_body(check_text: bool = True) -> dict[str, Any]:
    """Return the request's JSON object body or raise a 400 with the error shape.

    ``check_text=False`` leaves texts that cannot be UTF-8 to the caller (the regency refuses them per event).
    """
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # e.g. 100000 nested "[": the parser gives up; the client sent nonsense
        raise BadRequest("Data JSON terlalu bertingkat.") from None
    if not isinstance(body, dict):
        raise BadRequest("Data harus berupa objek JSON.")
    if check_text and not encodable(body):  # JSON may escape a lone surrogate ("\ud800"), which no UTF-8 text can hold
        raise BadRequest("Data berisi karakter yang tidak sah.")
    return body


def encodable(value: Any) -> bool:
    """Tell whether every text in a JSON value (keys included) can be written as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(encodable(key) and encodable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(encodable(item) for item in value)
    return True


def wants_json() -> bool:
    """An API or health address answers errors as JSON; a page answers with the error page."""
    return request.path.startswith("/api/") or request.path == "/healthz"


# Every asset is local and no page runs inline script or style: the browser may load nothing else.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class IdConverter(IntegerConverter):
    """A database id in a URL: 1 to 2**63-1, so an absurd number is a 404, not an SQLite overflow."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**63 - 1)


class NikConverter(BaseConverter):
    """A NIK in a URL (the contract's ``PUT /api/applications/<nik>``): digits, grouped with spaces or not.

    Words such as ``search`` are never a NIK, so ``/api/applications/search`` is not also a PUT address.
    """

    regex = r"[0-9][0-9 ]*"


def page_lang() -> str:
    """Return a page's language from ``?lang=``: one of the catalogue's languages, Indonesian otherwise."""
    lang = request.args.get("lang", "id")
    return lang if lang in LANGUAGES else "id"
