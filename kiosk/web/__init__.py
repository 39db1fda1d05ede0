"""HTTP layer: blueprints, the contract's error shape, and helpers shared by the API routes (kiosk/web/common.py)."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from kiosk.domain.errors import KioskError
from kiosk.web.common import (  # noqa: F401 (re-exported)
    CONTENT_SECURITY_POLICY,
    HTTP_CODES,
    SECURITY_HEADERS,
    IdConverter,
    NikConverter,
    error_response,
    json_body,
    runtime,
    wants_json,
)

log = logging.getLogger(__name__)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a request without the cookie (every kiosk tap) builds no signer for it."""

    def open_session(self, app: Flask, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what Flask answers too, after making the signer
        return super().open_session(app, request)


def register(app: Flask) -> None:
    """Attach blueprints and error handlers."""
    app.session_interface = SessionInterface()
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
    from kiosk.web.sms import bp as sms_bp

    app.register_blueprint(sms_bp)

    from kiosk.web.complaints import bp as complaints_bp

    app.register_blueprint(complaints_bp)
    from kiosk.web.complaint_pages import bp as complaint_pages_bp

    app.register_blueprint(complaint_pages_bp)

    from kiosk.web.disruptions import bp as disruptions_bp

    app.register_blueprint(disruptions_bp)
    from kiosk.web.bookings import bp as bookings_bp

    app.register_blueprint(bookings_bp)
    from kiosk.web.later_pages import bp as later_pages_bp

    app.register_blueprint(later_pages_bp)

    from kiosk.web import network

    network.register(app)

    @app.after_request
    def security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.errorhandler(KioskError)
    def kiosk_error(error: KioskError):
        response = error_response(error.code, error.message, error.status, error.details)
        if getattr(error, "wait", None):  # RateLimited: when the next try may go
            response.headers["Retry-After"] = str(error.wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = HTTP_CODES.get(error.code or 500, ("http_error", error.description or ""))
        # Keep what the exception says beside its body, e.g. the Allow header of a 405 (RFC 9110).
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if wants_json():
            return error_response(code, message, error.code or 500), headers
        return render_template("error.html", status=error.code, message=message), error.code, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        message = "Terjadi kesalahan pada server. Silakan coba lagi atau hubungi petugas."
        if wants_json():
            return error_response("internal_error", message, 500)
        return render_template("error.html", status=500, message=message), 500
