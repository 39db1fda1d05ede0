"""SMS over HTTP: a resident's opt-in number for a ticket (kiosk, staff) and the channel's state (admin).

``POST /api/tickets/<id>/sms`` stands in until ``POST /api/tickets`` takes ``"phone"`` itself.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from kiosk.domain import sms as rules
from kiosk.domain.errors import KioskError
from kiosk.office.sms import sms_worker
from kiosk.storage import tickets as ticket_store
from kiosk.web.common import json_body, runtime
from kiosk.web.auth import admin_page, staff_required
from kiosk.web.devices import kiosk_or_staff

bp = Blueprint("sms", __name__)


class SmsProblem(KioskError):
    """An opt-in the SMS channel cannot take."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(message, code=code)
        self.status = status


@bp.post("/api/tickets/<id:ticket_id>/sms")
def opt_in(ticket_id: int):
    """Keep a phone number for "3 nomor lagi" and "dipanggil ke Loket N" messages of a waiting ticket."""
    kiosk_or_staff()
    rt = runtime()
    body = json_body()
    phone = rules.normalise_phone(body.get("phone"))
    if phone is None:
        raise SmsProblem("invalid_phone", "Nomor HP tidak valid. Tulis nomor seperti 0812 3456 7890.", 400)
    ticket = ticket_store.get_ticket(rt.db, ticket_id)  # 404 not_found
    if not rt.settings.sms.enabled:
        raise SmsProblem("sms_unavailable", "Layanan SMS belum aktif di kantor ini.", 409)
    if ticket["day"] != rt.today() or ticket["status"] != "waiting":
        raise SmsProblem("ticket_not_waiting", "Nomor antrean ini tidak sedang menunggu.", 409)
    sms_worker(rt).opt_in(ticket, phone)
    return jsonify({"sms": {"ticket": ticket["id"], "phone": rules.masked_phone(phone)}}), 201


@bp.get("/api/admin/sms")
@staff_required("admin")
def state():
    """The SMS channel: on or off, the modem (gammu-smsd's status), today's messages, failures, budget left."""
    return jsonify(sms_worker(runtime()).state())


@bp.get("/admin/sms")
@admin_page
def page():
    """The SMS screen for the head of office."""
    return render_template("admin/sms.html", office=runtime().settings.office)
