"""KTP-el status work of the staff on /counter: find a record, change its status, a batch of cards, SIAK import.

Every NIK travels in a request body, never in a URL: these routes are all POSTs, so they also carry the
CSRF header. The the contract's ``PUT /api/applications/<nik>`` stays for API clients (kiosk/web/status.py).
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from kiosk.domain.errors import BadRequest, KioskError, NotFound
from kiosk.domain.status import (
    MAX_NOTE_LENGTH,
    READY_FOR_PICKUP,
    STATUSES,
    InvalidNumber,
    RecordProblem,
    check_nik,
    clean_note,
    split_nik_list,
)
from kiosk.files.siak import MAX_IMPORT_BYTES, import_file_apart
from kiosk.office import status as office_status
from kiosk.storage import status as status_store
from kiosk.web import status as lookup_routes
from kiosk.web.auth import staff_required
from kiosk.web.common import error_response, json_body, runtime
from kiosk.web.status import Counters

bp = Blueprint("status_staff", __name__)

MAX_BATCH = 2000  # NIKs in one "cards arrived" batch; a delivery is tens to a few hundred cards
DEFAULT_IMPORT_MAX_BYTES = MAX_IMPORT_BYTES  # a kecamatan of 60,000 residents exports about 6 MB

OUTCOME_TEXT = {
    "updated": "Diubah menjadi siap diambil.",
    "already_ready": "Sudah siap diambil sebelumnya; tidak diubah.",
    "unknown": "NIK ini belum ada di data status KTP-el.",
    "not_ready_state": "Status saat ini {label} ({code}): kartu belum dapat ada di kantor; tidak diubah.",
}
OUTCOMES = ("updated", "already_ready", "not_ready_state", "unknown", "invalid", "duplicate")


def _label(code: str) -> str:
    advice = STATUSES.get(code)
    return advice.label["id"] if advice else code


def _nik(body: dict) -> str:
    value = body.get("nik")
    if isinstance(value, str):
        value = value.replace(" ", "")
    try:
        return check_nik(value)
    except InvalidNumber as problem:  # staff get the exact fault, not the resident's general advice
        raise KioskError(problem.detail, code=problem.code, status=400) from None


def _note(body: dict) -> str:
    note = body.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH:
        raise RecordProblem(
            "invalid_note",
            f"Keterangan paling banyak {MAX_NOTE_LENGTH} karakter.",
            f"note longer than {MAX_NOTE_LENGTH} characters",
        )
    return clean_note(note)


def _upload_dir(db) -> str | None:
    return None if db.in_memory else str(db.path.parent)


def _staff_limit() -> Counters:
    app = current_app
    counters = app.extensions.get("kiosk_staff_search_guard")
    if counters is None:
        per_hour = runtime().settings.status.staff_searches_per_hour
        counters = app.extensions.setdefault("kiosk_staff_search_guard", Counters(per_hour, 3600))
    return counters


_STAFF_LIMIT_LOCK = threading.Lock()


def _count_search() -> None:
    """Count one search (or change, or batch) of the logged-in staff member; raise 429 beyond the hourly limit."""
    counters, now = _staff_limit(), runtime().now().timestamp()
    key = (g.staff["username"],)
    with _STAFF_LIMIT_LOCK:
        wait = counters.retry_after(key, now)
        if not wait:
            counters.record(key, now)
    if wait:
        raise RateLimited(
            f"Terlalu banyak pencarian data status KTP-el. Silakan coba lagi dalam {math.ceil(wait / 60)} menit.", wait
        )


class RateLimited(KioskError):
    """A staff member searched more records than the hourly limit allows."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _audit(entries: list[tuple[str, str]]) -> None:
    """Record the staff member's reads of records (outcome, NIK) in the audit log; NIKs only as keyed hashes."""
    rt = runtime()
    status_store.record_lookups(
        rt.db,
        rt.now().isoformat(timespec="seconds"),
        request.remote_addr or "-",
        [(outcome, lookup_routes.nik_hash(nik)) for outcome, nik in entries],
        g.staff["username"],
    )


def _found(nik: str) -> dict:
    rt = runtime()
    record = status_store.get_application(rt.db, nik)
    if record is None:
        raise NotFound("Belum ada data status KTP-el untuk NIK ini.")
    return {
        "application": lookup_routes.public_record(nik, record),
        "history": status_store.application_history(rt.db, nik),
    }


@bp.post("/api/applications/search")
@staff_required()
def search():
    """Find a record by NIK (sent in the body) with its history, oldest change first; the read is audited."""
    rt = runtime()
    nik = _nik(json_body())
    _count_search()
    found = status_store.get_application(rt.db, nik) is not None
    _audit([("staff_found" if found else "staff_not_found", nik)])
    return jsonify(_found(nik))


@bp.post("/api/applications/status")
@staff_required()
def change_status():
    """Change the status of an existing record, with a note; the answer holds the record and its history."""
    body = json_body()
    nik = _nik(body)
    status = body.get("status")
    if not isinstance(status, str) or status.strip().upper() not in STATUSES:
        raise RecordProblem("unknown_status", "Kode status SIAK tidak dikenal.", "unknown status code")
    rt = runtime()
    note = _note(body)
    _count_search()
    change = office_status.set_status(rt, nik, status.strip().upper(), note, g.staff["username"])
    _audit([("staff_change_found" if change is not None else "staff_change_not_found", nik)])
    if change is None:
        raise NotFound("Belum ada data status KTP-el untuk NIK ini.")
    return jsonify({"change": change, **_found(nik)})


def _entries(body: dict) -> list[str]:
    niks = body.get("niks")
    if isinstance(niks, str):
        entries = split_nik_list(niks)
    elif isinstance(niks, list) and all(isinstance(entry, str) for entry in niks):
        entries = [entry for entry in (e.strip() for e in niks) if entry]
    else:
        raise BadRequest("Kirim daftar NIK (field 'niks': teks atau daftar).")
    if not entries:
        raise BadRequest("Tempelkan paling sedikit satu NIK.", code="empty_batch")
    if len(entries) > MAX_BATCH:
        raise BadRequest(
            f"Paling banyak {MAX_BATCH} NIK sekali proses; daftar ini berisi {len(entries)}.", code="batch_too_large"
        )
    return entries


@bp.post("/api/applications/ready")
@staff_required()
def mark_ready():
    """Set a batch of NIKs to READY_FOR_PICKUP in one transaction; report every entry's outcome.

    Only records whose card can exist move (kiosk.status.READY_FROM); the others are refused per entry as
    ``not_ready_state`` with their current status.
    """
    body = json_body()
    entries, note = _entries(body), _note(body)
    _count_search()
    lines: list[dict] = []
    first_seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        shown = entry.replace(" ", "")[:40]
        try:
            nik = check_nik(shown)
        except InvalidNumber as problem:
            lines.append({"no": number, "nik": shown, "outcome": "invalid", "message": problem.detail})
            continue
        if nik in first_seen:
            lines.append(
                {
                    "no": number,
                    "nik": nik,
                    "outcome": "duplicate",
                    "message": f"Sudah tercantum di nomor {first_seen[nik]}; diproses sekali.",
                }
            )
            continue
        first_seen[nik] = number
        lines.append({"no": number, "nik": nik, "outcome": None, "message": ""})
    rt = runtime()
    outcomes = office_status.mark_ready(rt, list(first_seen), note, g.staff["username"])
    _audit([(f"staff_ready_{outcomes[nik]}", nik) for nik in first_seen])
    for line in lines:
        if line["outcome"] is None:
            line["outcome"] = outcomes[line["nik"]]
            line["message"] = OUTCOME_TEXT[line["outcome"]]
            if line["outcome"] == "not_ready_state":  # name the status that stopped it
                current = status_store.get_application(rt.db, line["nik"])["status"]
                line["current_status"] = current
                line["message"] = line["message"].format(label=_label(current), code=current)
    counts = {key: 0 for key in OUTCOMES}
    for line in lines:
        counts[line["outcome"]] += 1
    return jsonify({"status": READY_FOR_PICKUP, "counts": counts, "lines": lines})


@bp.post("/api/applications/handover")
@staff_required()
def hand_over():
    """Hand a ready card to the resident of a served Pengambilan ticket: the record becomes CARD_ISSUED.

    Body ``{"nik", "ticket"}``: the ticket (id) is called or served at this session's counter and is for the
    service offered for READY_FOR_PICKUP; the record must be READY_FOR_PICKUP (409 not_ready_state otherwise).
    """
    body = json_body()
    nik = _nik(body)
    ticket_id = body.get("ticket")
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool) or ticket_id < 1:
        raise BadRequest("Sebutkan tiket yang sedang dilayani (field 'ticket').")
    rt = runtime()
    own = None if g.staff["role"] == "admin" else (g.staff["counter_id"] or 0)  # kept in the server-side session
    ticket = office_status.pickup_ticket(rt, ticket_id, own)
    record = status_store.get_application(rt.db, nik)
    _audit([("staff_handover" if record and record["status"] == READY_FOR_PICKUP else "staff_handover_refused", nik)])
    if record is None:
        raise NotFound("Belum ada data status KTP-el untuk NIK ini.")
    if record["status"] != READY_FOR_PICKUP:
        raise KioskError(
            f"KTP-el ini belum siap diambil: status saat ini {_label(record['status'])} "
            f"({record['status']}). Tidak diubah.",
            code="not_ready_state",
            status=409,
        )
    office_status.hand_over(rt, nik, ticket, g.staff["username"])
    return jsonify({"change": "updated", "ticket": ticket["number"], **_found(nik)})


@bp.post("/api/admin/status-import")
@staff_required("admin")
def upload():
    """Import a SIAK CSV sent as multipart field ``file`` (same importer as `kiosk import-status`)."""
    limit = current_app.config.get("STATUS_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES)
    request.max_content_length = limit
    try:
        sent = request.files.get("file")
    except RequestEntityTooLarge:
        return error_response(
            "payload_too_large",
            f"Berkas terlalu besar (paling besar {limit // (1024 * 1024)} MB). Bagi berkas menjadi beberapa bagian.",
            413,
        )
    if sent is None or not sent.filename:
        raise BadRequest("Pilih berkas CSV dari SIAK (field 'file').", code="no_file")
    rt = runtime()
    now = rt.now()
    # The upload goes to a private file beside the database and is imported by a process of its own
    # (kiosk/files/siak.py); ImportProblem (no header, not UTF-8, not SIAK) answers 4xx in Indonesian.
    fd, name = tempfile.mkstemp(prefix=".status-import-", suffix=".csv", dir=_upload_dir(rt.db))
    try:
        with os.fdopen(fd, "wb") as copy:
            shutil.copyfileobj(sent.stream, copy, 1024 * 1024)
        report = import_file_apart(rt.db, name, now.date(), now.isoformat(timespec="seconds"), g.staff["username"])
    finally:
        os.unlink(name)
    return jsonify(
        {
            "accepted": report.accepted,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected_count": report.rejected_count,
            "rejected": [
                {"row": row, "reason": reason, "message": report.messages.get(row, reason)}
                for row, reason in report.rejected
            ],
        }
    )


# Bodies of these routes hold NIKs: answer errors in full here, and log them by route (kiosk/web/status.py).
bp.register_error_handler(KioskError, lookup_routes.kiosk_error)
bp.register_error_handler(HTTPException, lookup_routes.http_error)
bp.register_error_handler(Exception, lookup_routes.unexpected)
