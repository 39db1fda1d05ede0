"""Staff screens of later days and disruptions: the counter's "Gangguan & hari lain" page and /admin/arrivals."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from kiosk.domain import disruptions as disruption_rules
from kiosk.domain.words import messages
from kiosk.web.auth import admin_page, current_staff
from kiosk.web.common import page_lang, runtime
from kiosk.web.network import staff_route

bp = Blueprint("later_pages", __name__)


def _services(lang: str) -> list[dict]:
    return [
        {"code": s.code, "name": (s.name_en or s.name) if lang == "en" else s.name, "booking": s.booking_quota > 0}
        for s in runtime().settings.services
    ]


@bp.get("/counter/later")
@staff_route
def counter_later():
    """Disruptions (start, end, the waiting tickets they hold) and booking a later day for a resident who phones."""
    if current_staff() is None:
        return redirect(url_for("pages.login", next="/counter/later"))
    lang = page_lang()
    words = messages(lang)["staff_later"]
    reasons = [{"code": code, "label": disruption_rules.label(code, lang)} for code in disruption_rules.REASONS]
    return render_template(
        "counter/later.html",
        office=runtime().settings.office,
        lang=lang,
        w=words,
        services=_services(lang),
        reasons=reasons,
        note_max=disruption_rules.NOTE_MAX,
    )


@bp.get("/admin/arrivals")
@admin_page
def admin_arrivals():
    """A day's expected arrivals per window (bookings), each cancellable after a confirmation."""
    rt = runtime()
    lang = page_lang()
    return render_template(
        "admin/arrivals.html",
        office=rt.settings.office,
        lang=lang,
        w=messages(lang)["staff_later"],
        services=_services(lang),
        day=request.args.get("date", rt.today()),
    )
