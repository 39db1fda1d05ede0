"""Screens of service standards and complaints: the holder's phone page, the kiosk's "Standar Pelayanan"
screen with its complaint form, the staff inbox and the A4 wall print of the standard."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from kiosk.domain import complaints as rules
from kiosk.domain.errors import NotFound
from kiosk.domain.words import page_messages
from kiosk.files.reports import long_date
from kiosk.office import complaints as office
from kiosk.storage import complaints as store
from kiosk.storage import tickets as ticket_store
from kiosk.web.common import runtime
from kiosk.web.auth import admin_page, current_staff
from kiosk.web.devices import NOT_A_KIOSK, on_kiosk

bp = Blueprint("complaint_pages", __name__)


def _standards() -> dict:
    settings = runtime().settings
    days = {code: settings.complaints.days(code) for code in rules.CATEGORIES}
    return rules.standards_json(settings.office, settings.services, days)


@bp.get("/c/<token>")
def phone(token: str):
    """The holder's page of one complaint (status and answer); a friendly 404 page for an unknown token."""
    rt = runtime()
    words = page_messages("complaints")
    try:
        complaint = office.holder_json(rt, store.get_by_token(rt.db, token)) if len(token) <= 64 else None
    except NotFound:
        complaint = None
    status = 200 if complaint else 404
    return render_template("complaints/phone.html", office=rt.settings.office, complaint=complaint,
                           messages=words), status


@bp.get("/t/<token>/pengaduan")
def phone_form(token: str):
    """A ticket holder's complaint form on the phone (the ticket's token lets the phone lodge one)."""
    rt = runtime()
    words = page_messages("complaints")
    try:
        known = len(token) <= 64 and ticket_store.get_ticket_by_token(rt.db, token) is not None
    except NotFound:
        known = False
    return render_template("complaints/phone_form.html", office=rt.settings.office, token=token if known else None,
                           standards=_standards(), messages=words, text_max=rules.TEXT_MAX), 200 if known else 404


@bp.get("/kiosk/standar")
def kiosk():
    """The kiosk's "Standar Pelayanan" screen and complaint form (kiosk PCs and staff sessions only).

    Voice guidance and large text work as on /kiosk (kiosk-voice.js, the spoken catalogue's standard.* and
    complaint.* keys). After ``[queue] kiosk_idle_seconds`` untouched (``?idle=S`` shortens it, for tests and trials) the page goes
    back to the kiosk's start screen, dropping whatever was typed.
    """
    rt = runtime()
    if not on_kiosk() and current_staff() is None:
        return render_template("error.html", status=403, message=NOT_A_KIOSK), 403
    idle = request.args.get("idle", type=int)
    idle = rt.settings.queue.kiosk_idle_seconds if idle is None else max(1, min(idle, 3600))
    return render_template("complaints/kiosk.html", office=rt.settings.office, standards=_standards(),
                           messages=page_messages("complaints"), text_max=rules.TEXT_MAX, idle_seconds=idle,
                           voice_messages=page_messages("voice"), voice_output=rt.settings.kiosk.voice_output)


@bp.get("/admin/complaints")
@admin_page
def inbox():
    """The complaints inbox: earliest deadline first, overdue ones marked, each with its answer form."""
    rt = runtime()
    return render_template("complaints/inbox.html", office=rt.settings.office,
                           categories=rules.CATEGORIES)


@bp.get("/admin/standards")
@admin_page
def wall_print():
    """The Standar Pelayanan and the Maklumat as an A4 page for the office wall (one service per page)."""
    rt = runtime()
    return render_template("complaints/print.html", office=rt.settings.office, standards=_standards(),
                           printed=long_date(rt.today()))
