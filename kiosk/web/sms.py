"""SMS over HTTP: a resident's opt-in number for a ticket or a booking (kiosk, staff) and the channel's state (admin).

``POST /api/tickets/<id>/sms`` and ``POST /api/bookings/<token>/sms`` add a number after the fact (the kiosk asks
once the number or the booking is made); ``POST /api/tickets`` and ``POST /api/bookings`` also take ``"phone"``.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from kiosk.domain import sms as rules
from kiosk.domain.errors import KioskError
from kiosk.storage import bookings as booking_store
from kiosk.storage import sms as sms_store
from kiosk.storage import tickets as ticket_store
from kiosk.web.auth import admin_page, staff_required
from kiosk.web.common import json_body, runtime
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
    rt.sms_worker().opt_in(ticket, phone)
    return jsonify({"sms": {"ticket": ticket["id"], "phone": rules.masked_phone(phone)}}), 201


@bp.post("/api/bookings/<token>/sms")
def opt_in_booking(token: str):
    """Keep a phone number with a booking still to come: its reminder the evening before, a disruption notice,
    and once checked in its ticket's "3 nomor lagi" and call."""
    kiosk_or_staff()
    rt = runtime()
    body = json_body()
    phone = rules.normalise_phone(body.get("phone"))
    if phone is None:
        raise SmsProblem("invalid_phone", "Nomor HP tidak valid. Tulis nomor seperti 0812 3456 7890.", 400)
    booking = booking_store.by_token(rt.db, token)  # 404 unknown_booking
    if not rt.settings.sms.enabled:
        raise SmsProblem("sms_unavailable", "Layanan SMS belum aktif di kantor ini.", 409)
    if booking["status"] != "booked" or not sms_store.set_booking_phone(rt.db, booking["id"], phone):
        raise SmsProblem("booking_not_open", "Pemesanan ini sudah dipakai, dibatalkan, atau kedaluwarsa.", 409)
    return jsonify({"sms": {"booking": booking["code"], "phone": rules.masked_phone(phone)}}), 201


@bp.get("/api/admin/sms")
@staff_required("admin")
def state():
    """The SMS channel: on or off, the modem (gammu-smsd's status), today's messages, failures, budget left."""
    return jsonify(runtime().sms_worker().state())


@bp.get("/admin/sms")
@admin_page
def page():
    """The SMS screen for the head of office."""
    return render_template("admin/sms.html", office=runtime().settings.office)
