"""Numbers for a later day: availability, booking, the holder's view and cancel, and check-in at the kiosk."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from kiosk.domain.errors import BadRequest
from kiosk.office import bookings as office
from kiosk.web.auth import check_csrf, current_staff, staff_required
from kiosk.web.common import idempotency_key, json_body, page_lang, runtime
from kiosk.web.devices import kiosk_or_staff, take_ticket_slot

bp = Blueprint("bookings", __name__)

KIOSK_ONLY = (
    "Nomor untuk hari lain hanya dapat diambil di kios antrean kantor. Silakan menuju kios atau "
    "tanyakan kepada petugas."
)


@bp.get("/api/bookings/availability")
def availability():
    """The next open days of a service with the seats left in each arrival window."""
    return jsonify(office.availability_json(runtime(), request.args.get("service")))


@bp.post("/api/bookings")
def book():
    """Book a seat in an arrival window of a later day (kiosk PCs, or staff for a resident who phoned)."""
    # A staff screen's request (session + CSRF header) is the staff member's even from a kiosk address: no slip
    # is printed at the kiosk for a resident who is not there, and the kiosk's rate limit does not apply.
    staff = current_staff() if "X-CSRF-Token" in request.headers else None
    if staff is not None:
        check_csrf()
    else:
        staff = kiosk_or_staff(KIOSK_ONLY)
    if staff is None:
        take_ticket_slot()
    body = json_body()
    key = idempotency_key()
    booking, created = office.book(
        runtime(), body, key, staff["username"] if staff else "kiosk", print_slip=staff is None
    )
    return jsonify({"booking": booking}), 201 if created else 200


@bp.get("/api/bookings")
@staff_required("counter")
def arrivals():
    """The bookings of a day (default today), by arrival window: the office's expected arrivals."""
    from datetime import date

    rt = runtime()
    text = request.args.get("date", rt.today())
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadRequest("Parameter 'date' harus berupa tanggal YYYY-MM-DD.")
    from kiosk.storage import bookings as store

    rows = store.list_day(rt.db, day.isoformat(), request.args.get("service") or None)
    return jsonify({"date": day.isoformat(), "bookings": [office.booking_json(rt, row) for row in rows]})


@bp.get("/api/bookings/<token>")
def show(token: str):
    """One booking, for whoever holds its token (the slip's QR code)."""
    return jsonify({"booking": office.show(runtime(), token)})


@bp.post("/api/bookings/<token>/cancel")
def cancel(token: str):
    """Cancel a booking by its token: the seat goes back to its window."""
    return jsonify({"booking": office.cancel(runtime(), token)})


@bp.post("/api/check-ins")
def check_in():
    """Check a booking in on its day (code typed or slip scanned): 201 with the queue number.

    A ticket's QR scanned here instead puts a missed call back in the queue (200, ``"late_return": true``).
    """
    kiosk_or_staff(KIOSK_ONLY)
    answer = office.check_in(runtime(), json_body().get("code"))
    return jsonify(answer), 200 if answer.get("late_return") else 201


@bp.post("/api/tickets/<id:ticket_id>/late-return")
@staff_required("counter")
def late_return(ticket_id: int):
    """Put a no-show who came back within [queue] late_return_minutes back in the queue, once, a few numbers later."""
    from flask import g

    from kiosk.office.views import staff_ticket_json
    from kiosk.web.staff import _refusing_other_counters, _scope

    rt = runtime()
    with _refusing_other_counters():
        ticket = office.late_return(rt, ticket_id, g.staff, _scope())
    return jsonify({"ticket": staff_ticket_json(rt, ticket)})


@bp.get("/b/<token>")
def booking_page(token: str):
    """The resident's phone page of a booking (the slip's QR code): day, window, what to bring, cancel."""
    from datetime import date, datetime

    from flask import render_template

    from kiosk.domain import bookings as rules
    from kiosk.domain.words import page_messages
    from kiosk.office.disruptions import suspension
    from kiosk.storage.bookings import UnknownBooking

    rt = runtime()
    lang = page_lang()
    messages = page_messages("phone")
    words = messages[lang]["phone"]
    page = {"office": rt.settings.office, "lang": lang, "w": words, "token": token}
    try:
        booking = office.show(rt, token)
    except UnknownBooking:
        return render_template("phone/booking.html", booking=None, **page), 404
    day = date.fromisoformat(booking["date"])
    service = rt.settings.service(booking["service"])
    english = lang == "en" and service is not None
    return render_template(
        "phone/booking.html",
        booking=booking,
        service_name=(service.name_en or service.name) if english else booking["service_name"],
        requirements=list(service.requirements_en or service.requirements) if english else booking["requirements"],
        status_text=words[f"booking_{booking['status']}"],
        day_text=f"{day:%A}, {day.day} {day:%B} {day.year}" if lang == "en" else rules.date_text(day),
        window_text=(
            f"arrive {booking['slot_start']}-{booking['slot_end']}".replace(":", ".")
            if lang == "en"
            else rules.window_text(booking["slot_start"], booking["slot_end"])
        ),
        check_in_from=datetime.fromisoformat(booking["check_in_from"]).strftime("%H.%M"),
        suspended=suspension(rt, booking["service"]),
        messages=messages,
        **page,
    )


@bp.post("/b/<token>/cancel")
def cancel_page(token: str):
    """Cancel from the phone page (a plain form: the page needs no script), then show the page again."""
    from flask import redirect, url_for

    from kiosk.domain.errors import BadTransition

    try:
        office.cancel(runtime(), token)
    except BadTransition:
        pass  # already used or expired: the page says so
    lang = "en" if page_lang() == "en" else None  # the page's language, kept (Indonesian: no parameter)
    return redirect(url_for("bookings.booking_page", token=token, lang=lang), code=303)


@bp.get("/kiosk/later")
def kiosk_later():
    """The kiosk opened on "Ambil nomor untuk hari lain" (``?service=CODE``: on that service's days), with
    check-in by code or the slip's QR code; voice mode, English and large text as on every kiosk screen."""
    from kiosk.web.pages import kiosk_page

    service = request.args.get("service", "")
    return kiosk_page("later", service if runtime().settings.service(service) else None)


@bp.get("/api/reports/bookings")
@staff_required("admin")
def report():
    """Bookings of a period's days per service: booked (still to come), checked in, cancelled and expired."""
    from kiosk.storage import bookings as store
    from kiosk.web.reports import _day_arg, check_period

    rt = runtime()
    first, last = _day_arg("from", "tanggal awal"), _day_arg("to", "tanggal akhir")
    check_period(first, last)
    found = {
        (row["service"], row["status"]): row["bookings"]
        for row in store.counts(rt.db, first.isoformat(), last.isoformat())
    }
    services = [
        {
            "service": s.code,
            **{status: found.get((s.code, status), 0) for status in ("booked", "checked_in", "cancelled", "expired")},
        }
        for s in rt.settings.services
        if any(key[0] == s.code for key in found)
    ]
    return jsonify({"from": first.isoformat(), "to": last.isoformat(), "services": services})


@bp.app_context_processor
def later_days() -> dict:
    """Tell templates whether any service takes bookings (the kiosk then offers "Ambil nomor untuk hari lain")."""
    from flask import current_app

    rt = current_app.extensions.get("kiosk")
    return {"later_days": bool(rt and any(s.booking_quota > 0 for s in rt.settings.services))}


@bp.post("/api/tickets/<id:ticket_id>/rebook")
@staff_required("counter")
def rebook(ticket_id: int):
    """Turn a waiting ticket into a booking for the earliest open window (staff, e.g. during a disruption)."""
    from flask import g

    from kiosk.office.views import staff_ticket_json
    from kiosk.web.staff import _refusing_other_counters, _scope

    rt = runtime()
    with _refusing_other_counters():
        booking, ticket = office.rebook(rt, ticket_id, g.staff, _scope())
    return jsonify({"booking": booking, "ticket": staff_ticket_json(rt, ticket)}), 201
