"""Domain errors with a stable ``code``; the web layer turns them into the contract's error shape."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error a client or operator can cause; ``code`` is stable, ``status`` is HTTP."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str, code: str | None = None, status: int | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        # What the message names (a day, a time, a number) for a screen that words it in another language.
        self.details = details
        if code:
            self.code = code
        if status:
            self.status = status


class ConfigError(KioskError):
    """The configuration file is wrong; the message names the key."""

    code = "config_error"
    status = 500


class BadRequest(KioskError):
    code = "bad_request"
    status = 400


class NotFound(KioskError):
    code = "not_found"
    status = 404


class UnknownService(KioskError):
    code = "unknown_service"
    status = 404


class ServiceClosed(KioskError):
    code = "service_closed"
    status = 409


class QuotaReached(KioskError):
    code = "quota_reached"
    status = 409


class BadTransition(KioskError):
    code = "bad_transition"
    status = 409


class LoginRequired(KioskError):
    code = "login_required"
    status = 401


class BadCredentials(KioskError):
    code = "bad_credentials"
    status = 401


class CsrfFailed(KioskError):
    code = "csrf_failed"
    status = 403


class Forbidden(KioskError):
    code = "forbidden"
    status = 403


class OtherCounter(KioskError):
    """A counter user reached for a ticket another counter holds (or handled last)."""

    code = "other_counter"
    status = 403

    def __init__(self, number: str, holder: int, message: str | None = None):
        super().__init__(message or f"Tiket {number} ditangani loket lain.")
        self.number, self.holder = number, holder


class AlreadyAnswered(KioskError):
    """The ticket has answered the satisfaction survey already (one response per ticket)."""

    code = "already_answered"
    status = 409


class NotServed(KioskError):
    """The ticket may not answer the survey: not done yet, or not today's."""

    code = "not_served"
    status = 409


class RateLimited(KioskError):
    """Too many tries from one client address; ``wait`` seconds until the next may go."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, wait: int):
        super().__init__(message)
        self.wait = wait


class NotAKiosk(KioskError):
    """A kiosk-only action (issuing, a survey by number, a status lookup) from a device that is not a kiosk."""

    code = "not_a_kiosk"
    status = 403


class LastAdmin(KioskError):
    """A change would leave the office without an active admin account."""

    code = "last_admin"
    status = 409
