"""Disruption mode use cases: start and end (a storage call, then the announcement) and their public shape."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from kiosk.domain import disruptions as rules
from kiosk.domain.errors import UnknownService
from kiosk.office.notices import announce
from kiosk.storage import disruptions as store

if TYPE_CHECKING:
    from kiosk.office.context import Office


def alternatives(rt: Office, reason: str, suspended: str | None) -> list[dict[str, Any]]:
    """Return the services configured as alternatives for ``reason`` that the disruption itself leaves open."""
    offered = []
    for code in rt.settings.disruption.alternatives.get(reason, ()):
        service = rt.settings.service(code)
        if service is None or rules.covers(suspended, code):
            continue
        offered.append({"code": service.code, "name": service.name, "name_en": service.name_en})
    return offered


def disruption_json(rt: Office, row: dict[str, Any]) -> dict[str, Any]:
    """Return a disruption as anyone may see it (the contract's shape, plus English words and whether it ended)."""
    service = rt.settings.service(row["service"]) if row["service"] else None
    return {
        "id": row["id"],
        "service": row["service"],
        "service_name": service.name if service else None,  # the screens' words; null: every service
        "service_name_en": service.name_en if service else None,
        "reason": row["reason"],
        "label": rules.label(row["reason"]),
        "label_en": rules.label(row["reason"], "en"),
        "note": row["note"],
        "since": row["since"],
        "until": row["until"],
        "alternatives": alternatives(rt, row["reason"], row["service"]),
        "later_day": bool(service and service.booking_quota > 0),  # the kiosk may offer a number for a later day
        "ended_at": row["ended_at"],
    }


def start(rt: Office, body: dict[str, Any], staff: dict[str, Any]) -> dict[str, Any]:
    """Suspend one service (or all when "service" is null) with a reason; announce it; return its public shape."""
    from kiosk.domain.errors import BadRequest

    code = body.get("service")
    if code is not None:
        if not isinstance(code, str) or not code:
            raise BadRequest("Field 'service' harus kode layanan atau null (semua layanan).")
        if rt.settings.service(code) is None:
            raise UnknownService(f"Layanan '{code[:40]}' tidak dikenal.")
    reason = rules.check_reason(body.get("reason"))
    note = rules.clean_note(body.get("note"))
    now = rt.now()
    until = rules.parse_until(body.get("until"), now)
    row = store.start(rt.db, code, reason, note, until, staff["username"], now)
    shown = disruption_json(rt, row)
    announce(rt, "disruption", shown)
    return shown


def end(rt: Office, disruption_id: int, staff: dict[str, Any]) -> dict[str, Any]:
    """End a disruption now (one tap); announce it; return its public shape."""
    row = store.end(rt.db, disruption_id, staff["username"], rt.now())
    shown = disruption_json(rt, row)
    announce(rt, "disruption", shown)
    return shown


def active_json(rt: Office) -> list[dict[str, Any]]:
    """Return every disruption going on now."""
    return [disruption_json(rt, row) for row in store.active(rt.db)]


def suspension(rt: Office, service: str) -> dict[str, Any] | None:
    """Return the disruption that suspends ``service`` now (public shape), or None."""
    row = store.active_for(rt.db, service)
    return disruption_json(rt, row) if row is not None else None


def minutes(rt: Office, first: date, last: date) -> list[dict[str, Any]]:
    """Return disruption minutes per service and reason over the office days ``first``..``last`` (a disruption
    still going on counts up to now), each row with the service's name."""
    zone, now = rt.settings.office.timezone, rt.now()
    begin = datetime.combine(first, time(0), zone).isoformat(timespec="seconds")
    stop = datetime.combine(date.fromordinal(last.toordinal() + 1), time(0), zone).isoformat(timespec="seconds")
    spans = [
        rules.Span(
            row["service"],
            row["reason"],
            datetime.fromisoformat(row["since"]),
            datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
        )
        for row in store.overlapping(rt.db, begin, stop)
    ]
    rows = rules.minutes_per_service(spans, first, last, zone, now, [s.code for s in rt.settings.services])
    for row in rows:
        service = rt.settings.service(row["service"])
        row["name"] = service.name if service else row["service"]
    return rows


def _refusal(rt: Office, row: dict[str, Any]) -> rules.ServiceSuspended:
    shown = disruption_json(rt, row)
    words = shown["label"] + (f": {shown['note']}" if shown["note"] else "")
    return rules.ServiceSuspended(f"Layanan ini sedang dihentikan sementara ({words}).", shown)


def refuse_if_suspended(rt: Office, service: str) -> None:
    """Raise 409 service_suspended (with the alternatives) while a disruption covers ``service``."""
    row = store.active_for(rt.db, service)
    if row is not None:
        raise _refusal(rt, row)


def suspension_check(rt: Office, service: str) -> Callable[[sqlite3.Connection], None]:
    """``refuse_if_suspended`` to run inside a write transaction (``check`` of storage's issue_ticket): a number
    is refused by the same transaction that would issue it, so a disruption started a moment before always wins."""

    def check(conn: sqlite3.Connection) -> None:
        row = store.active_for_in(conn, service)
        if row is not None:
            raise _refusal(rt, row)

    return check


def suspensions(rt: Office) -> dict[str, dict[str, Any]]:
    """Return, per configured service a disruption covers now, that disruption (the latest one)."""
    found: dict[str, dict[str, Any]] = {}
    for row in store.active(rt.db):  # oldest first: a later one covering the same service wins
        shown = disruption_json(rt, row)
        for service in rt.settings.services:
            if rules.covers(row["service"], service.code):
                found[service.code] = shown
    return found
