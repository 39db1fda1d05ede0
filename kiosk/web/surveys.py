"""Satisfaction survey (SKM): residents answer from the phone page or the kiosk; the admin reads the IKM report."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from kiosk.domain import reports
from kiosk.domain import survey as skm
from kiosk.domain.errors import BadRequest, NotFound, RateLimited, UnknownService
from kiosk.files.reports import long_date, period_text
from kiosk.files.survey import skm_to_xlsx
from kiosk.storage import survey as survey_store
from kiosk.web.auth import admin_page, staff_required
from kiosk.web.common import json_body, runtime
from kiosk.web.devices import kiosk_only
from kiosk.web.limits import Throttle

bp = Blueprint("surveys", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Answering by queue number needs no secret, so it is kept to the office's kiosk PCs ([kiosk] addresses), and
# even there to a bounded number of tries (a typo, a retry; never a script working through the day's numbers).
KIOSK_NUMBER_TRIES = 600
NUMBER_WINDOW_SECONDS = 600
NOT_A_KIOSK = (
    "Survei dengan nomor antrean hanya dapat diisi di kios kantor. Gunakan tautan QR pada tiket Anda "
    "untuk mengisi lewat ponsel."
)


class NumberGuard:
    """Count answers and checks by queue number per kiosk PC, in a bounded store."""

    def __init__(self, clock=time.monotonic):
        self.kiosk_pcs = Throttle(KIOSK_NUMBER_TRIES, NUMBER_WINDOW_SECONDS, clock=clock)
        self.clock = clock
        self._lock = threading.Lock()

    def attempt(self, address: str) -> None:
        """Count one try from a kiosk PC; raise RateLimited when it made too many."""
        with self._lock:
            now = self.clock()
            wait = self.kiosk_pcs.retry_after((address,), now)
            if wait:
                raise RateLimited(
                    f"Terlalu banyak percobaan. Silakan coba lagi dalam {-(-wait // 60)} menit atau "
                    "tanyakan kepada petugas.",
                    wait,
                )
            self.kiosk_pcs.record((address,), now)


def _number_guard() -> NumberGuard:
    app = current_app
    guard = app.extensions.get("kiosk_survey_guard")
    if guard is None:
        guard = app.extensions.setdefault("kiosk_survey_guard", NumberGuard())
    return guard


def _ticket_hash(token: str) -> str:
    """Return the keyed hash that stands for an answered ticket (the app's secret key, this purpose only)."""
    key = hashlib.sha256(b"survey-ticket:" + str(current_app.secret_key).encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _who(body: dict) -> dict:
    """Return the ticket a submission names: ``token`` (phone) or ``number`` (kiosk, served today), not both."""
    if not runtime().settings.survey.enabled:
        raise NotFound("Survei kepuasan tidak diadakan di kantor ini.", code="survey_disabled")
    token, number = body.get("token"), body.get("number")
    if (token is None) == (number is None):
        raise BadRequest("Kirim token tiket (field 'token') atau nomor antrean hari ini (field 'number').")
    if token is not None:
        if not isinstance(token, str) or not 1 <= len(token) <= 64:
            raise NotFound("Tiket tidak ditemukan.")
        return {"token": token}
    kiosk_only(NOT_A_KIOSK)  # staff too: a survey by number from a staff session would let staff grade themselves
    _number_guard().attempt(request.remote_addr or "-")
    return {"number": skm.check_number(number)}


@bp.app_context_processor
def survey_context() -> dict:
    """Give templates the questionnaire in both languages (config texts, else the regulation's defaults)."""

    def skm_questionnaire() -> dict:
        settings = runtime().settings
        survey = settings.survey
        # The kiosk's number pad offers the services' letters.
        return {
            **skm.questionnaire(survey.texts(), survey.texts(english=True)),
            "prefixes": sorted(service.prefix for service in settings.services),
        }

    return {
        "skm_questionnaire": skm_questionnaire,
        "survey_enabled": runtime().settings.survey.enabled,
        "skm_latest": latest_ikm,
    }


def latest_ikm() -> dict | None:
    """Return the IKM of the last ``[survey] display_days`` days for the waiting-room display, or None (off or no data)."""
    rt = runtime()
    survey = rt.settings.survey
    if not (survey.enabled and survey.show_on_display):
        return None
    last = date.fromisoformat(rt.today())
    first = last - timedelta(days=survey.display_days - 1)
    rows = survey_store.survey_responses(rt.db, first.isoformat(), last.isoformat())
    summary = skm.summarize([[row[code] for code in skm.ELEMENT_CODES] for row in rows])
    if summary["ikm"] is None:
        return None
    return {
        "ikm": summary["ikm"],
        "grade": summary["grade"],
        "label": skm.GRADES[summary["grade"]].label,
        "label_en": skm.GRADES[summary["grade"]].label_en,
        "respondents": summary["respondents"],
        "days": survey.display_days,
    }


@bp.errorhandler(RateLimited)
def rate_limited(error: RateLimited):
    """Answer too many tries by number in the contract's error shape, with Retry-After."""
    response = jsonify({"error": {"code": error.code, "message": error.message}})
    response.status_code = 429
    response.headers["Retry-After"] = str(error.wait)
    return response


@bp.post("/api/surveys/check")
def check():
    """Tell whether a ticket (token, or today's number) may answer the survey now, before the questions are shown."""
    rt = runtime()
    ticket = survey_store.survey_ticket(rt.db, rt.today(), _ticket_hash, **_who(json_body()))
    return jsonify({"ticket": ticket})


@bp.post("/api/surveys")
def answer():
    """Store one survey response for a ticket served today (one per ticket)."""
    rt = runtime()
    body = json_body()
    who = _who(body)
    answers = skm.check_answers(body.get("answers"))
    profile = skm.check_profile(body.get("profile"))
    suggestion = skm.check_suggestion(body.get("suggestion"))
    ticket = survey_store.add_survey_response(
        rt.db, rt.today(), _ticket_hash, "phone" if "token" in who else "kiosk", answers, profile, suggestion, **who
    )
    return jsonify({"survey": {"number": ticket["number"], "answered": True}}), 201


# ---------------------------------------------------------------- report (admin)


def _period() -> tuple[date, date, str | None]:
    first, last = reports.parse_day(request.args.get("from")), reports.parse_day(request.args.get("to"))
    if first is None or last is None:
        raise BadRequest("Parameter 'from' dan 'to' harus berupa tanggal dengan format YYYY-MM-DD.")
    if first > last:
        raise BadRequest("Tanggal awal tidak boleh sesudah tanggal akhir.")
    if (last - first).days + 1 > reports.MAX_RANGE_DAYS:
        raise BadRequest(f"Rentang laporan paling panjang {reports.MAX_RANGE_DAYS} hari.")
    service = request.args.get("service") or None
    if service is not None and runtime().settings.service(service) is None:
        raise UnknownService(f"Layanan '{service[:40]}' tidak dikenal.")
    return first, last, service


def skm_report(first: date, last: date, service: str | None) -> dict:
    """Return the period's SKM report (the contract's shape first, then the office, period, population and profile)."""
    rt = runtime()
    rows = survey_store.survey_responses(rt.db, first.isoformat(), last.isoformat(), service)
    population = survey_store.served_tickets(rt.db, first.isoformat(), last.isoformat(), service)
    chosen = rt.settings.service(service) if service else None
    return {
        **skm.period_report(rows, population),
        "office": rt.settings.office.name,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "service": service,
        "service_name": chosen.name if chosen else "Semua layanan",
    }


@bp.get("/api/reports/skm")
@staff_required("admin")
def report():
    """The IKM of a period (and service) per PermenPANRB 14/2017, with the profile and suggestions."""
    return jsonify(skm_report(*_period()))


@bp.get("/api/reports/skm.xlsx")
@staff_required("admin")
def report_xlsx():
    """The SKM report of a period as an Excel workbook headed by the office and the period."""
    result = skm_report(*_period())
    response = Response(skm_to_xlsx(result), mimetype=XLSX)
    name = f"laporan-skm-{result['from']}-{result['to']}{'-' + result['service'] if result['service'] else ''}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/admin/skm")
@admin_page
def page():
    """The SKM report page (prints as an A4 "Laporan Hasil SKM"); default period: this month up to today."""
    rt = runtime()
    today = date.fromisoformat(rt.today())
    if not request.args.get("from") and not request.args.get("to"):
        first, last, service = today.replace(day=1), today, request.args.get("service") or None
        if service is not None and rt.settings.service(service) is None:
            service = None
        problem = None
    else:
        try:
            first, last, service = _period()
            problem = None
        except (BadRequest, UnknownService) as error:
            first, last, service, problem = today.replace(day=1), today, None, error.message
    result = skm_report(first, last, service)
    return render_template(
        "admin/skm.html",
        office=rt.settings.office,
        report=result,
        problem=problem,
        period=period_text(result["from"], result["to"]),
        services=rt.settings.services,
        grades=skm.GRADES,
        printed=long_date(today.isoformat()),
    ), 400 if problem else 200
