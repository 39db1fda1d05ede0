"""Admin API: today's service overrides (close or reopen a service, change today's quota)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify

from kiosk import store
from kiosk.errors import BadRequest, UnknownService
from kiosk.present import publish_queue, services_json
from kiosk.web import json_body, runtime
from kiosk.web.auth import staff_required

bp = Blueprint("admin_api", __name__)

MAX_DAILY_QUOTA = 100_000
_OVERRIDE_FIELDS = ("open", "daily_quota")


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    """Check a PATCH body: ``open`` true/false and/or ``daily_quota`` a whole number (null: the configured one)."""
    unknown = sorted(key for key in body if key not in _OVERRIDE_FIELDS)
    if unknown:
        raise BadRequest(f"Field '{str(unknown[0])[:40]}' tidak dikenal; yang boleh diubah: 'open', 'daily_quota'.")
    if not body:
        raise BadRequest("Kirim 'open' (true/false) dan/atau 'daily_quota' (bilangan bulat).")
    if "open" in body and not isinstance(body["open"], bool):
        raise BadRequest("Field 'open' harus true atau false.")
    if "daily_quota" in body:
        quota = body["daily_quota"]
        if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int)
                                  or not 0 <= quota <= MAX_DAILY_QUOTA):
            raise BadRequest(f"Field 'daily_quota' harus bilangan bulat 0 sampai {MAX_DAILY_QUOTA}, "
                             "atau null untuk kembali ke kuota bawaan.")
    return dict(body)


def service_answer(code: str) -> dict[str, Any]:
    """Return one service as GET /api/services shows it, with its quota and today's override."""
    rt = runtime()
    service = rt.settings.service(code)
    day = rt.today()
    override = store.service_override(rt.db, day, code)
    answer = next(item for item in services_json(rt) if item["code"] == code)
    quota = service.daily_quota
    if override and override["daily_quota"] is not None:
        quota = override["daily_quota"]
    answer["daily_quota"] = quota
    answer["issued_today"] = store.issued_counts(rt.db, day).get(code, 0)
    answer["override"] = None if override is None else {
        "day": override["day"],
        "open": None if override["open"] is None else bool(override["open"]),
        "daily_quota": override["daily_quota"],
        "updated_at": override["updated_at"],
        "updated_by": override["updated_by"],
    }
    return answer


@bp.patch("/api/services/<code>")
@staff_required("admin")
def patch_service(code: str):
    """Override a service for today only: ``{"open": false}`` closes it, ``{"daily_quota": 50}`` sets today's quota."""
    rt = runtime()
    if rt.settings.service(code) is None:
        raise UnknownService(f"Layanan '{code[:40]}' tidak dikenal.")
    changes = _changes(json_body())
    store.set_service_override(rt.db, rt.today(), code, changes, g.staff, rt.now())
    publish_queue(rt)
    return jsonify(service_answer(code))
