"""Screens of service standards and complaints: the holder's phone page, the kiosk's "Standar Pelayanan"
screen with its complaint form, the staff inbox, the A4 wall print of the standard and the yearly evaluation
pack as an A4 page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from kiosk.domain import complaints as rules
from kiosk.domain.errors import BadRequest, NotFound
from kiosk.domain.evaluation import ASPECTS_EN, FIRST_YEAR, LAST_YEAR
from kiosk.domain.survey import GRADES
from kiosk.domain.words import messages, page_messages
from kiosk.files.reports import long_date
from kiosk.office import complaints as office
from kiosk.storage import complaints as store
from kiosk.storage import tickets as ticket_store
from kiosk.web.auth import admin_page, current_staff
from kiosk.web.common import page_lang, runtime
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
    return render_template(
        "complaints/phone.html", office=rt.settings.office, complaint=complaint, messages=words
    ), status


@bp.get("/t/<token>/pengaduan")
def phone_form(token: str):
    """A ticket holder's complaint form on the phone (the ticket's token lets the phone lodge one)."""
    rt = runtime()
    words = page_messages("complaints")
    try:
        known = len(token) <= 64 and ticket_store.get_ticket_by_token(rt.db, token) is not None
    except NotFound:
        known = False
    return render_template(
        "complaints/phone_form.html",
        office=rt.settings.office,
        token=token if known else None,
        standards=_standards(),
        messages=words,
        text_max=rules.TEXT_MAX,
    ), 200 if known else 404


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
    return render_template(
        "complaints/kiosk.html",
        office=rt.settings.office,
        standards=_standards(),
        messages=page_messages("complaints"),
        text_max=rules.TEXT_MAX,
        idle_seconds=idle,
        voice_messages=page_messages("voice"),
        voice_output=rt.settings.kiosk.voice_output,
    )


@bp.get("/admin/complaints")
@admin_page
def inbox():
    """The complaints inbox: earliest deadline first, overdue ones marked, each with its answer form
    (Indonesian, or English with ``?lang=en``)."""
    rt = runtime()
    lang = page_lang()
    categories = {code: label_en if lang == "en" else label for code, (label, label_en) in rules.CATEGORIES.items()}
    return render_template(
        "complaints/inbox.html",
        office=rt.settings.office,
        lang=lang,
        w=messages(lang)["staff_complaints"],
        categories=categories,
    )


@bp.get("/admin/standards")
@admin_page
def wall_print():
    """The Standar Pelayanan and the Maklumat as an A4 page for the office wall (one service per page)."""
    rt = runtime()
    lang = page_lang()
    today = date.fromisoformat(rt.today())
    return render_template(
        "complaints/print.html",
        office=rt.settings.office,
        standards=_standards(),
        lang=lang,
        w=messages(lang)["staff_complaints"],
        printed=long_date(today.isoformat()) if lang == "id" else f"{today.day} {today:%B} {today.year}",
    )


TEXT_KEYS = ("time_standard", "cost", "product")  # the standard's texts the pack page shows
COUNT_KEYS = ("received", "answered_on_time", "answered_late", "overdue", "open")


def _number(value) -> str:
    return f"{value:,}".replace(",", ".")


def _decimal(value) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def _in_english(pack: dict, months: list[str]) -> dict:
    """Return the pack with its aspect titles, category labels, month names and grade labels in English."""
    complaints = pack["complaints"]
    days = pack["service_days"]
    standards = pack["standards"]
    # The standard as published: its English text where the office wrote one, else the Indonesian it published
    # (evidence, so never left blank).
    services = [
        {**service, **{key: service.get(f"{key}_en") or service[key] for key in ("name", *TEXT_KEYS)}}
        for service in standards["services"]
    ]
    return {
        **pack,
        "standards": {**standards, "maklumat": standards["maklumat_en"] or standards["maklumat"], "services": services},
        "aspects": {part: {"aspect": aspect, "title": title} for part, (aspect, title) in ASPECTS_EN.items()},
        "complaints": {
            **complaints,
            "by_category": [{**row, "label": row["label_en"]} for row in complaints["by_category"]],
            "by_month": [{**row, "name": months[row["month"] - 1]} for row in complaints["by_month"]],
        },
        "service_days": {**days, "months": [{**row, "name": months[row["month"] - 1]} for row in days["months"]]},
    }


@bp.get("/admin/evaluation")
@admin_page
def evaluation_page():
    """The yearly evaluation pack (``?year=``, this year when absent) as a page that prints on A4, one section per
    evaluation aspect, with the same figures as ``GET /api/reports/evaluation`` and its workbook."""
    rt = runtime()
    text = request.args.get("year")
    if text is None:
        year = rt.now().year
    elif text.isascii() and text.isdigit() and len(text) == 4 and FIRST_YEAR <= int(text) <= LAST_YEAR:
        year = int(text)
    else:
        problem = BadRequest(f"Tahun harus {FIRST_YEAR}-{LAST_YEAR}, misalnya 2026.")
        return render_template("error.html", status=400, message=problem.message), 400
    lang = page_lang()
    words = messages(lang)["staff_complaints"]
    months = words["months"].split(",")
    pack = office.evaluation_pack(rt, year)

    def day_text(day: str) -> str:
        return long_date(day) if lang == "id" else f"{int(day[8:])} {months[int(day[5:7]) - 1]} {day[:4]}"

    def grade_text(grade: str) -> str:
        return GRADES[grade].label if lang == "id" else GRADES[grade].label_en

    clock = f"{rt.now():%H.%M}" if lang == "id" else f"{rt.now():%H:%M}"
    return render_template(
        "complaints/evaluation.html",
        office=rt.settings.office,
        lang=lang,
        w=words,
        pack=pack if lang == "id" else _in_english(pack, months),
        generated=words["generated_at"].format(date=day_text(rt.today()), time=clock),
        long_date=day_text,
        grade_text=grade_text,
        number=_number if lang == "id" else "{:,}".format,
        decimal=_decimal if lang == "id" else lambda value: "–" if value is None else f"{value:.2f}",
        count_keys=COUNT_KEYS,
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    )
