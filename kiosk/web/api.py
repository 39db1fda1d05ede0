"""Public API: services, issuing and following tickets, the queue overview, health."""

from __future__ import annotations

from flask import Blueprint, jsonify

from kiosk.domain.errors import BadRequest, KioskError, UnknownService
from kiosk.office import tickets
from kiosk.office.bookings import reprint_existing, walk_in_party
from kiosk.office.disruptions import refuse_if_suspended
from kiosk.office.printing import print_failure
from kiosk.office.views import cached_queue_json, services_json, staff_ticket_json, ticket_json
from kiosk.storage import tickets as store
from kiosk.web.common import idempotency_key, json_body, runtime
from kiosk.web.devices import kiosk_or_staff, take_ticket_slot

bp = Blueprint("api", __name__)


@bp.get("/api/services")
def list_services():
    """List services with whether they issue numbers now and how many wait."""
    return jsonify(services_json(runtime()))


@bp.post("/api/tickets")
def issue():
    """Issue a queue number (kiosk PCs, or staff at a counter); a repeated Idempotency-Key answers the same ticket."""
    rt = runtime()
    staff = kiosk_or_staff(
        "Nomor antrean hanya dapat diambil di kios antrean kantor. Silakan menuju kios atau tanyakan kepada petugas."
    )
    if staff is None:
        take_ticket_slot()
    body = json_body()
    code = body.get("service")
    priority = body.get("priority", False)
    if not isinstance(code, str) or not code:
        raise BadRequest("Pilih layanan terlebih dahulu (field 'service').")
    if not isinstance(priority, bool):
        raise BadRequest("Field 'priority' harus true atau false.")
    service = rt.settings.service(code)
    if service is None:
        raise UnknownService(f"Layanan '{code[:40]}' tidak dikenal.")
    try:
        key = idempotency_key()
        party = walk_in_party(rt, service, body)  # "members", "nik" (where one_per_nik), "phone"
    except KioskError:
        refuse_if_suspended(rt, service.code)  # a suspended service answers 409 first, whatever else is wrong
        raise
    # 409 service_suspended with the alternatives comes from the issue's own transaction: no read of its own
    ticket, created = tickets.issue(rt, service, priority, idempotency_key=key, party=party)
    if ticket.get("existing"):  # the same NIK again today: its number again, printed again
        ticket = reprint_existing(rt, ticket)
    answer = ticket_json(rt, ticket) if staff is None else staff_ticket_json(rt, ticket)
    if ticket.get("existing"):
        return jsonify({"ticket": answer, "existing": True}), 200
    return jsonify({"ticket": answer}), 201 if created else 200


@bp.get("/api/tickets/<token>")
def show(token: str):
    """Show one ticket to whoever holds its token."""
    rt = runtime()
    return jsonify({"ticket": ticket_json(rt, store.get_ticket_by_token(rt.db, token))})


@bp.get("/api/queue")
def overview():
    """Waiting counts, what each counter is calling now, and the latest calls."""
    return jsonify(cached_queue_json(runtime()))


@bp.get("/healthz")
def health():
    """Report database and printer health."""
    rt = runtime()
    try:
        db_state = "ok" if store.ping(rt.db) else "error"
    except Exception:  # a broken database is exactly what this must report, not raise
        db_state = "error"
    body = {
        "status": "ok" if db_state == "ok" else "error",
        "db": db_state,
        "printer": rt.printer_state(),
        "print_failure": print_failure(rt) if db_state == "ok" else None,
        "speech": rt.speech.engine if rt.speech else "browser",
        "backup": rt.backup_outcome(),
        "regency": rt.regency_status() if db_state == "ok" else None,
    }
    return jsonify(body), 200 if db_state == "ok" else 503
