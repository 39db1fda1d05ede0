"""Admin API: today's service overrides (close or reopen a service, change today's quota), extra closed dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, g, jsonify, request

from kiosk.domain import queue
from kiosk.domain.errors import BadRequest, UnknownService
from kiosk.office import services
from kiosk.office.views import services_json
from kiosk.storage import services as service_store
from kiosk.storage import tickets as store
from kiosk.web.auth import staff_required
from kiosk.web.common import json_body, runtime

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
        if quota is not None and (
            isinstance(quota, bool) or not isinstance(quota, int) or not 0 <= quota <= MAX_DAILY_QUOTA
        ):
            raise BadRequest(
                f"Field 'daily_quota' harus bilangan bulat 0 sampai {MAX_DAILY_QUOTA}, "
                "atau null untuk kembali ke kuota bawaan."
            )
    return dict(body)


def service_answer(code: str) -> dict[str, Any]:
    """Return one service as GET /api/services shows it, with its quota and today's override."""
    rt = runtime()
    service = rt.settings.service(code)
    day = rt.today()
    override = service_store.service_override(rt.db, day, code)
    answer = next(item for item in services_json(rt) if item["code"] == code)
    quota = service.daily_quota
    if override and override["daily_quota"] is not None:
        quota = override["daily_quota"]
    answer["daily_quota"] = quota
    answer["issued_today"] = store.issued_counts(rt.db, day).get(code, 0)
    answer["override"] = (
        None
        if override is None
        else {
            "day": override["day"],
            "open": None if override["open"] is None else bool(override["open"]),
            "daily_quota": override["daily_quota"],
            "updated_at": override["updated_at"],
            "updated_by": override["updated_by"],
        }
    )
    return answer


@bp.patch("/api/services/<code>")
@staff_required("admin")
def patch_service(code: str):
    """Override a service for today only: ``{"open": false}`` closes it, ``{"daily_quota": 50}`` sets today's quota."""
    rt = runtime()
    if rt.settings.service(code) is None:
        raise UnknownService(f"Layanan '{code[:40]}' tidak dikenal.")
    changes = _changes(json_body())
    services.override_today(rt, code, changes, g.staff)
    return jsonify(service_answer(code))


# ---------------------------------------------------------------- extra closed dates (cuti bersama, local events)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_REASON_LENGTH = 100


def _day(text: str | None, name: str = "tanggal") -> date:
    try:
        if text is None or not _DATE_RE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name.capitalize()} harus berupa tanggal dengan format YYYY-MM-DD.") from None


def _reason(body: dict[str, Any]) -> str:
    unknown = sorted(key for key in body if key != "reason")
    if unknown:
        raise BadRequest(f"Field '{str(unknown[0])[:40]}' tidak dikenal; kirim hanya 'reason'.")
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise BadRequest("Isi 'reason': alasan kantor tutup (mis. \"Cuti bersama Idulfitri\").")
    reason = reason.strip()
    if len(reason) > MAX_REASON_LENGTH or any(unicodedata.category(char)[0] == "C" for char in reason):
        raise BadRequest(f"Alasan paling panjang {MAX_REASON_LENGTH} huruf, tanpa karakter kontrol.")
    return reason


def _closed_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": row["day"],
        "reason": row["reason"],
        "created_at": row["created_at"],
        "created_by": row["created_by"],
    }


@bp.get("/api/admin/closed-dates")
@staff_required("admin")
def list_closed_dates():
    """Extra closed dates from ``from`` (default today) and the national holidays of the year ahead."""
    rt = runtime()
    first = _day(request.args["from"], "from") if "from" in request.args else rt.now().date()
    holidays = []
    if rt.settings.office.observe_national_holidays:
        for offset in range(366):
            day = first + timedelta(days=offset)
            if name := queue.holiday_name(day):
                holidays.append({"date": day.isoformat(), "name": name})
    return jsonify(
        {
            "closed_dates": [_closed_json(row) for row in service_store.list_closed_dates(rt.db, first.isoformat())],
            "holidays": holidays,
        }
    )


@bp.put("/api/admin/closed-dates/<day>")
@staff_required("admin")
def put_closed_date(day: str):
    """Close the whole office on a date (today or later) for a reason: ``{"reason": "Cuti bersama"}``."""
    rt = runtime()
    when = _day(day)
    if when < rt.now().date():
        raise BadRequest("Tanggal itu sudah lewat.")
    row, created = services.close_date(rt, when.isoformat(), _reason(json_body()), g.staff["username"])
    return jsonify({"closed_date": _closed_json(row)}), 201 if created else 200


@bp.delete("/api/admin/closed-dates/<day>")
@staff_required("admin")
def delete_closed_date(day: str):
    """Open the office again on a date that was an extra closed date."""
    rt = runtime()
    when = _day(day)
    services.reopen_date(rt, when.isoformat())
    return jsonify({"closed_date": {"date": when.isoformat()}})
