"""Kiosk-only routes: who is a kiosk device (``[kiosk] addresses``), and a kiosk's issuing rate."""

from __future__ import annotations

from flask import current_app, request

from kiosk.domain.errors import NotAKiosk, RateLimited
from kiosk.office.kiosks import KioskDevices
from kiosk.web.auth import check_csrf, current_staff
from kiosk.web.common import runtime

NOT_A_KIOSK = "Perangkat ini bukan kios antrean kantor. Silakan gunakan kios di kantor atau tanyakan kepada petugas."


def devices() -> KioskDevices:
    """Return this app's kiosk devices (one per app, so tests and offices never share a bucket).

    Made again when ``[kiosk]`` changes on the settings screen, so a kiosk PC added there issues at once.
    """
    app = current_app
    config = runtime().settings.kiosk
    found = app.extensions.get("kiosk_devices")
    if found is None or found.config is not config:
        found = app.extensions["kiosk_devices"] = KioskDevices(config)
    return found


def on_kiosk() -> bool:
    """Tell whether this request comes from one of the office's kiosk PCs."""
    return devices().is_kiosk(request.remote_addr)


def kiosk_only(message: str = NOT_A_KIOSK) -> None:
    """Refuse (403 not_a_kiosk) a request that does not come from a kiosk PC."""
    if not on_kiosk():
        raise NotAKiosk(message)


def kiosk_or_staff(message: str = NOT_A_KIOSK) -> dict | None:
    """Let a kiosk PC through (None), or a staff session with its CSRF token (that staff member).

    Anyone else gets 403 not_a_kiosk; a staff session without the CSRF header gets 403 csrf_failed.
    """
    if on_kiosk():
        return None
    staff = current_staff()
    if staff is None:
        raise NotAKiosk(message)
    check_csrf()
    return staff


def take_ticket_slot() -> None:
    """Count one ticket request of this kiosk PC; beyond its rate answer 429 rate_limited with Retry-After."""
    wait = devices().ticket_wait(request.remote_addr or "-")
    if wait:
        raise RateLimited(
            f"Terlalu banyak permintaan nomor antrean dari kios ini. Silakan tunggu {wait} detik lalu coba lagi.", wait
        )
