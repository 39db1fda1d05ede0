"""HTTP layer: blueprints, the SPEC error shape, and helpers shared by the API routes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, IntegerConverter

from kiosk.domain.errors import BadRequest, KioskError
from kiosk.office.runtime import Runtime

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ("bad_request", "Permintaan tidak dapat dibaca."),
    404: ("not_found", "Alamat tidak ditemukan."),
    405: ("method_not_allowed", "Metode ini tidak diizinkan untuk alamat ini."),
    413: ("payload_too_large", "Data yang dikirim terlalu besar."),
    415: ("unsupported_media_type", "Kirim data sebagai JSON."),
}


# Every asset is local and no page runs inline script or style: the browser may load nothing else.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def runtime() -> Runtime:
    """Return the office runtime of the current app."""
    return current_app.extensions["kiosk"]


def error_response(code: str, message: str, status: int):
    """Answer with the SPEC error shape."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def json_body() -> dict[str, Any]:
    """Return the request's JSON object body or raise a 400 with the SPEC shape."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # e.g. 100000 nested "[": the parser gives up; the client sent nonsense
        raise BadRequest("Data JSON terlalu bertingkat.") from None
    if not isinstance(body, dict):
        raise BadRequest("Data harus berupa objek JSON.")
    if not _encodable(body):  # JSON may escape a lone surrogate ("\ud800"), which no UTF-8 text can hold
        raise BadRequest("Data berisi karakter yang tidak sah.")
    return body


def _encodable(value: Any) -> bool:
    """Tell whether every text in a JSON value (keys included) can be written as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(key) and _encodable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_encodable(item) for item in value)
    return True


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


class IdConverter(IntegerConverter):
    """A database id in a URL: 1 to 2**63-1, so an absurd number is a 404, not an SQLite overflow."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**63 - 1)


class NikConverter(BaseConverter):
    """A NIK in a URL (SPEC's ``PUT /api/applications/<nik>``): digits, grouped with spaces or not.

    Words such as ``search`` are never a NIK, so ``/api/applications/search`` is not also a PUT address.
    """

    regex = r"[0-9][0-9 ]*"


def register(app: Flask) -> None:
    """Attach blueprints and error handlers."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["nik"] = NikConverter
    from kiosk.web import api, auth, events, openapi, pages, qr, speech, staff, status, status_staff

    for module in (api, auth, staff, events, pages, qr, openapi, status, status_staff, speech):
        app.register_blueprint(module.bp)
    from kiosk.web.reports import bp as reports_bp
    app.register_blueprint(reports_bp)
    from kiosk.web.admin_api import bp as admin_api_bp
    app.register_blueprint(admin_api_bp)
    from kiosk.web.admin import bp as admin_bp
    app.register_blueprint(admin_bp)
    from kiosk.web.backups import bp as backups_bp
    app.register_blueprint(backups_bp)
    from kiosk.web.settings_api import bp as settings_api_bp
    app.register_blueprint(settings_api_bp)
    from kiosk.web.surveys import bp as surveys_bp
    app.register_blueprint(surveys_bp)
    from kiosk.web.report_page import bp as report_page_bp
    app.register_blueprint(report_page_bp)

    from kiosk.web.disruptions import bp as disruptions_bp
    app.register_blueprint(disruptions_bp)
    from kiosk.web.bookings import bp as bookings_bp
    app.register_blueprint(bookings_bp)

    from kiosk.web import network
    network.register(app)

    @app.after_request
    def security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.errorhandler(KioskError)
    def kiosk_error(error: KioskError):
        response = error_response(error.code, error.message, error.status)
        if getattr(error, "wait", None):  # RateLimited: when the next try may go
            response.headers["Retry-After"] = str(error.wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = _HTTP_CODES.get(error.code or 500, ("http_error", error.description or ""))
        # Keep what the exception says beside its body, e.g. the Allow header of a 405 (RFC 9110).
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if _wants_json():
            return error_response(code, message, error.code or 500), headers
        return render_template("error.html", status=error.code, message=message), error.code, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        message = "Terjadi kesalahan pada server. Silakan coba lagi atau hubungi petugas."
        if _wants_json():
            return error_response("internal_error", message, 500)
        return render_template("error.html", status=500, message=message), 500
