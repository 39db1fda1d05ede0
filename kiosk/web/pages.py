"""HTML screens: kiosk, waiting-room display, counter, staff login, the resident's phone page."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from kiosk.domain.errors import NotFound
from kiosk.domain.status import READY_FOR_PICKUP, STATUSES
from kiosk.domain.words import PHONE_PARTS, kiosk_messages, messages, page_messages
from kiosk.office.views import ticket_json
from kiosk.storage import tickets as store
from kiosk.web.auth import current_staff
from kiosk.web.common import page_lang, runtime
from kiosk.web.devices import NOT_A_KIOSK, on_kiosk
from kiosk.web.network import staff_route

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """Send visitors to the kiosk screen."""
    return redirect(url_for("pages.kiosk"))


@bp.get("/kiosk")
def kiosk():
    """The resident's touchscreen; ``?idle=S&warn=S&result=S`` shorten its timers (for tests and trials).

    Only a kiosk PC (or a staff session) gets it: on any other device it could take no number, so that
    device is told so at once instead of letting a resident try.
    """
    return kiosk_page()


def kiosk_page(open_screen: str | None = None, open_service: str | None = None):
    """Render the kiosk, opened on one of its screens (``later``: a number for a later day) or the start."""
    rt = runtime()
    if not on_kiosk() and current_staff() is None:
        return render_template("error.html", status=403, message=NOT_A_KIOSK), 403

    def seconds(name: str, default: int) -> int:
        value = request.args.get(name, type=int)
        return default if value is None else max(1, min(value, 3600))

    timers = {
        "idle": seconds("idle", rt.settings.queue.kiosk_idle_seconds),
        "warn": seconds("warn", 20),  # WCAG 2.2.1: at least 20 s to answer "Masih di sana?"
        "result": seconds("result", 15),
    }
    return render_template(
        "kiosk/index.html",
        office=rt.settings.office,
        queue=rt.settings.queue,
        timers=timers,
        messages=kiosk_messages(),
        voice_output=rt.settings.kiosk.voice_output,
        sms_enabled=rt.settings.sms.enabled,
        ask_requirements=rt.settings.kiosk.ask_requirements,
        open_screen=open_screen,
        open_service=open_service,
    )


CALL_SHOW_SECONDS = 300  # the big call on the TV clears after this long even if its loket still holds it


@bp.get("/display")
def display():
    """The waiting-room TV, in Indonesian or (``?lang=en``) English; the spoken call stays Indonesian.

    ``?call_seconds=S`` shortens how long the big call stays (for tests and trials; at most CALL_SHOW_SECONDS).
    """
    rt = runtime()
    call_seconds = request.args.get("call_seconds", type=int)
    call_seconds = CALL_SHOW_SECONDS if call_seconds is None else max(1, min(call_seconds, CALL_SHOW_SECONDS))
    lang = page_lang()
    return render_template(
        "display/index.html",
        lang=lang,
        words=messages(lang)["display"],
        office=rt.settings.office,
        running_text=rt.settings.office.running_text,
        services=_services(),
        counters=[{"id": c.id, "name": c.name} for c in rt.settings.counters],
        heartbeat_seconds=current_app.config["SSE_HEARTBEAT_SECONDS"],
        call_seconds=call_seconds,
    )


@bp.get("/login")
@staff_route
def login():
    """The staff login form."""
    return render_template("counter/login.html", office=runtime().settings.office)


@bp.get("/counter")
@staff_route
def counter():
    """The counter screen; without a staff session, the login page."""
    rt = runtime()
    staff = current_staff()
    if staff is None:
        return redirect(url_for("pages.login", next="/counter"))
    return render_template(
        "counter/index.html",
        office=rt.settings.office,
        settings=rt.settings,
        is_admin=staff["role"] == "admin",  # the SIAK upload is offered to admins only (the API refuses others)
        statuses=[{"code": code, "label": advice.label["id"]} for code, advice in STATUSES.items()],
        counters=[{"id": c.id, "name": c.name, "services": list(c.services)} for c in rt.settings.counters],
        services=_services(),
        pickup_service=rt.settings.next_service.get(READY_FOR_PICKUP),  # its tickets can hand a card over
        heartbeat_seconds=current_app.config["SSE_HEARTBEAT_SECONDS"],
    )


def _services() -> list[dict]:
    return [
        {"code": s.code, "name": s.name, "name_en": s.name_en, "prefix": s.prefix} for s in runtime().settings.services
    ]


@bp.get("/t/<token>")
def track(token: str):
    """The resident's phone page for one ticket; a friendly 404 page for an unknown token."""
    rt = runtime()
    try:
        ticket = ticket_json(rt, store.get_ticket_by_token(rt.db, token))
    except NotFound:
        return render_template(
            "phone/index.html", office=rt.settings.office, token=None, ticket=None, messages=page_messages(*PHONE_PARTS)
        ), 404
    return render_template(
        "phone/index.html",
        office=rt.settings.office,
        token=token,
        ticket=ticket,
        service=rt.settings.service(ticket["service"]),
        messages=page_messages(*PHONE_PARTS),
    )
