"""Service standards for everyone, complaints from the kiosk, a ticket holder's phone or staff, the staff inbox,
and the yearly evaluation pack (admin)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time

from flask import Blueprint, Response, current_app, g, jsonify, request

from kiosk.domain import complaints as rules
from kiosk.domain.errors import BadRequest, KioskError, NotAKiosk, NotFound, RateLimited
from kiosk.domain.evaluation import FIRST_YEAR, LAST_YEAR
from kiosk.files.evaluation import evaluation_to_xlsx
from kiosk.office import complaints as office
from kiosk.storage import complaints as store
from kiosk.storage import tickets as ticket_store
from kiosk.web.auth import check_csrf, current_staff, staff_required
from kiosk.web.common import json_body, runtime
from kiosk.web.devices import on_kiosk
from kiosk.web.limits import Throttle
from kiosk.web.qr import qr_svg

bp = Blueprint("complaints", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIOSK_COMPLAINTS = 30  # per kiosk PC in KIOSK_WINDOW_SECONDS: residents queue at it, a stuck key does not flood
KIOSK_WINDOW_SECONDS = 600
PER_TICKET = 3  # complaints one ticket's holder may lodge from a phone
NOT_A_KIOSK = (
    "Pengaduan dapat disampaikan di kios kantor, lewat tautan QR pada tiket antrean Anda, atau kepada petugas."
)


class ComplaintLimit(KioskError):
    """A ticket's holder has lodged as many complaints from a phone as one ticket allows."""

    code = "complaint_limit"
    status = 409


class _KioskGuard:
    """Count complaints per kiosk PC in a bounded store."""

    def __init__(self, clock=time.monotonic):
        self.pcs = Throttle(KIOSK_COMPLAINTS, KIOSK_WINDOW_SECONDS, clock=clock)
        self.clock = clock
        self._lock = threading.Lock()

    def attempt(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            wait = self.pcs.retry_after((address,), now)
            if wait:
                raise RateLimited(
                    f"Terlalu banyak pengaduan dari kios ini. Silakan coba lagi dalam {-(-wait // 60)} "
                    "menit atau sampaikan kepada petugas.",
                    wait,
                )
            self.pcs.record((address,), now)


def _kiosk_guard() -> _KioskGuard:
    return current_app.extensions.setdefault("kiosk_complaint_guard", _KioskGuard())


def _ticket_hash(token: str) -> str:
    """Return the keyed hash that stands for the ticket a phone complaint came with (this purpose only)."""
    key = hashlib.sha256(b"complaint-ticket:" + str(current_app.secret_key).encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


@bp.get("/api/standards")
def standards():
    """The office's Maklumat Pelayanan, each service's Standar Pelayanan, and the complaint deadlines."""
    settings = runtime().settings
    days = {code: settings.complaints.days(code) for code in rules.CATEGORIES}
    return jsonify(rules.standards_json(settings.office, settings.services, days))


def _origin(body: dict) -> dict:
    """Return where a complaint comes from: a staff session (with CSRF), a ticket's holder, or a kiosk PC."""
    kiosk = on_kiosk()
    staff = current_staff()
    # A staff session counts when it sends its CSRF token (the kiosk page on a kiosk PC sends none) or is elsewhere.
    if staff is not None and (request.headers.get("X-CSRF-Token") or not kiosk):
        check_csrf()
        return {"channel": "staff", "received_by": staff["username"]}
    ticket = body.get("ticket")
    if ticket is None:  # the kiosk's own form sends none; a phone page sends its ticket's token, on any network
        if not kiosk:
            raise NotAKiosk(NOT_A_KIOSK)
        _kiosk_guard().attempt(request.remote_addr or "-")
        return {"channel": "kiosk"}
    if len(ticket) > 64:
        raise NotFound("Tiket tidak ditemukan.")
    rt = runtime()
    ticket_store.get_ticket_by_token(rt.db, ticket)  # 404 for an unknown token
    key = _ticket_hash(ticket)
    if store.complaints_of_ticket(rt.db, key) >= PER_TICKET:
        raise ComplaintLimit(
            f"Dari satu tiket dapat disampaikan paling banyak {PER_TICKET} pengaduan. Silakan "
            "sampaikan pengaduan lain kepada petugas."
        )
    return {"channel": "phone", "ticket_hash": key}


@bp.post("/api/complaints")
def lodge():
    """Lodge a complaint: kiosk PCs, staff on behalf of a resident, or the holder of a ticket (its token)."""
    body = json_body()
    category = rules.check_category(body.get("category"))
    text = rules.check_text(body.get("text"))
    phone = rules.check_phone(body.get("phone"))
    if "ticket" in body and not (isinstance(body["ticket"], str) and body["ticket"]):
        raise BadRequest("Field 'ticket' harus berupa token tiket (teks).")
    lang = rules.check_receipt_lang(body.get("lang"))
    rt = runtime()
    origin = _origin(body)
    complaint = office.lodge(
        rt, category, text, phone, **origin, receipt_lang=lang if origin["channel"] == "kiosk" else None
    )
    # "receipt": a kiosk's printer prints the complaint's receipt (code, dates, QR; never the text or phone)
    return jsonify({"complaint": office.holder_json(rt, complaint), "receipt": complaint["receipt"]}), 201


def _holder_complaint(token: str) -> dict:
    if len(token) > 64:
        raise NotFound("Pengaduan tidak ditemukan.")
    return store.get_by_token(runtime().db, token)


@bp.get("/api/complaints/<token>")
def show(token: str):
    """A complaint's status and answer, for whoever holds its token."""
    return jsonify({"complaint": office.holder_json(runtime(), _holder_complaint(token))})


@bp.get("/api/complaints/<token>/qr.svg")
def complaint_qr(token: str):
    """The QR code that opens a complaint's phone page (the kiosk's receipt)."""
    link = office.track_url(runtime(), _holder_complaint(token))
    return Response(qr_svg(link), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.get("/api/complaints")
@staff_required()
def staff_inbox():
    """The staff inbox, earliest deadline first: ``?status=open|overdue|answered`` (absent: all)."""
    status = rules.check_filter(request.args.get("status"))
    return jsonify({"complaints": office.inbox(runtime(), status)})


@bp.post("/api/complaints/<code>/answer")
@staff_required()
def answer(code: str):
    """Answer a complaint once (the holder sees it on the phone page), or record its SP4N-LAPOR! referral."""
    if not rules.is_code(code):
        raise NotFound("Pengaduan tidak ditemukan.")
    body = json_body()
    text = rules.check_answer(body.get("text"))
    lapor_ref = rules.check_lapor_ref(body.get("lapor_ref"))
    rt = runtime()
    complaint = office.answer(rt, code, text, lapor_ref, g.staff["username"])
    return jsonify({"complaint": office.staff_json(rt, complaint)})


# ---------------------------------------------------------------- the yearly evaluation pack (admin)


def _year() -> int:
    """Return ``?year=`` (this year when absent), FIRST_YEAR to LAST_YEAR; else raise BadRequest."""
    text = request.args.get("year")
    if text is None:
        return runtime().now().year
    if not (text.isascii() and text.isdigit() and len(text) == 4 and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise BadRequest(f"Parameter 'year' harus tahun {FIRST_YEAR}-{LAST_YEAR}, misalnya 2026.")
    return int(text)


@bp.get("/api/reports/evaluation")
@staff_required("admin")
def evaluation():
    """The yearly evaluation pack's figures as JSON."""
    return jsonify(office.evaluation_pack(runtime(), _year()))


@bp.get("/api/reports/evaluation.xlsx")
@staff_required("admin")
def evaluation_xlsx():
    """The yearly evaluation pack as an Excel workbook, one sheet per evaluation aspect."""
    pack = office.evaluation_pack(runtime(), _year())
    response = Response(evaluation_to_xlsx(pack), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="evaluasi-pelayanan-{pack["year"]}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response
