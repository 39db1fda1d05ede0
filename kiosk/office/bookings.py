"""Use cases of later days and disruptions: a storage call, then one announcement (see ``announce``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kiosk.domain import bookings as rules
from kiosk.domain.errors import BadRequest, KioskError, NotFound, QuotaReached, ServiceClosed, UnknownService
from kiosk.domain.settings import WEEKDAYS, Service
from kiosk.office.notices import announce
from kiosk.storage import bookings as store
from kiosk.storage import services as service_store
from kiosk.storage import tickets as tickets_store

if TYPE_CHECKING:
    from kiosk.office.context import Office


NO_BOOKINGS = "Layanan ini tidak menerima pemesanan nomor untuk hari lain."


def _service(rt: Office, code: object) -> Service:
    if not isinstance(code, str) or not code:
        raise BadRequest("Pilih layanan terlebih dahulu (field 'service').")
    service = rt.settings.service(code)
    if service is None:
        raise UnknownService(f"Layanan '{code[:40]}' tidak dikenal.")
    return service


def _hours(rt: Office, service: Service):
    return service.hours or rt.settings.office.hours


def _open_days(rt: Office, service: Service) -> list[date]:
    now = rt.now()
    closed = {date.fromisoformat(d): reason for d, reason in service_store.closed_dates(rt.db, rt.today()).items()}
    return rules.bookable_days(
        now.date(),
        _hours(rt, service),
        rt.settings.office.observe_national_holidays,
        closed,
        rt.settings.booking.days_ahead,
    )


def _windows(rt: Office, service: Service, day: date) -> list[tuple[rules.Slot, int]]:
    slots = rules.day_slots(_hours(rt, service)[WEEKDAYS[day.weekday()]], rt.settings.booking.slot_minutes)
    return list(zip(slots, rules.slot_capacities(service.booking_quota, len(slots)), strict=False))


def availability_json(rt: Office, code: object) -> dict[str, Any]:
    """Return the open days of a service with the seats left in each arrival window (none without a quota)."""
    service = _service(rt, code)
    days = _open_days(rt, service) if service.booking_quota > 0 else []
    seats = store.booked_seats(rt.db, service.code, days[0].isoformat(), days[-1].isoformat()) if days else {}
    answer = []
    for day in days:
        booked_day = sum(taken for (when, _), taken in seats.items() if when == day.isoformat())
        day_left = service.booking_quota - booked_day
        answer.append(
            {
                "date": day.isoformat(),
                "slots": [
                    {
                        "start": slot.start_text,
                        "end": slot.end_text,
                        "left": max(0, min(capacity - seats.get((day.isoformat(), slot.start_text), 0), day_left)),
                    }
                    for slot, capacity in _windows(rt, service, day)
                ],
            }
        )
    return {"service": service.code, "days": answer}


def _nik_hash(rt: Office, service: Service, nik: object, day: str) -> str | None:
    """Return the day's keyed hash of the NIK where the service asks for one (400 nik_required without it)."""
    from kiosk.domain.status import check_nik

    if not service.one_per_nik:
        return None  # not asked for: not kept
    if nik is None or nik == "":
        raise BadRequest("Layanan ini memerlukan NIK: satu nomor per NIK per hari.", code="nik_required")
    return rules.visit_hash(rt.db.status_key(), day, check_nik(nik))


def walk_in_party(rt: Office, service: Service, body: dict[str, Any]) -> rules.Party:
    """Read a ticket request's family members, NIK (where the service asks) and SMS phone."""
    return rules.Party(
        members=rules.check_members(body.get("members")),
        nik_hash=_nik_hash(rt, service, body.get("nik"), rt.today()),
        phone=rules.normalise_phone(body.get("phone")),
    )


def booking_json(rt: Office, row: dict[str, Any]) -> dict[str, Any]:
    """Return the BOOKING shape of the contract (plus names, requirements and the check-in times)."""
    from kiosk.office.views import ticket_json

    service = rt.settings.service(row["service"])
    booking = rt.settings.booking
    _, opens, closes = rules.window_bounds(
        date.fromisoformat(row["day"]),
        row["slot_start"],
        row["slot_end"],
        rt.settings.office.timezone,
        booking.early_minutes,
        booking.late_minutes,
    )
    ticket = tickets_store.get_ticket(rt.db, row["ticket_id"]) if row["ticket_id"] else None
    return {
        "code": row["code"],
        "token": row["token"],
        "service": row["service"],
        "service_name": service.name if service else row["service"],
        "service_name_en": service.name_en if service else None,
        "date": row["day"],
        "slot_start": row["slot_start"],
        "slot_end": row["slot_end"],
        "status": row["status"],
        "members": row["members"],
        "track_url": f"{rt.settings.office.public_url}/b/{row['token']}",
        "ticket": ticket_json(rt, ticket) if ticket else None,
        "requirements": list(service.requirements) if service else [],
        "check_in_from": opens.isoformat(timespec="minutes"),
        "check_in_until": closes.isoformat(timespec="minutes"),
    }


def book(
    rt: Office, body: dict[str, Any], key: str | None, created_by: str, print_slip: bool
) -> tuple[dict[str, Any], bool]:
    """Book a seat in an arrival window of a later open day; return (BOOKING, created)."""
    service = _service(rt, body.get("service"))
    text, start = body.get("date"), body.get("slot")
    if not isinstance(text, str) or not isinstance(start, str):
        raise BadRequest("Pilih tanggal (field 'date', YYYY-MM-DD) dan jam kedatangan (field 'slot', HH:MM).")
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadRequest("Field 'date' harus berupa tanggal YYYY-MM-DD.")
    if service.booking_quota <= 0:
        raise ServiceClosed(NO_BOOKINGS)
    if day not in _open_days(rt, service):
        raise ServiceClosed(
            f"Tanggal {text} tidak dapat dipesan: kantor tutup atau di luar "
            f"{rt.settings.booking.days_ahead} hari buka berikutnya."
        )
    window = next(((slot, capacity) for slot, capacity in _windows(rt, service, day) if slot.start_text == start), None)
    if window is None:
        raise BadRequest(f"Jam kedatangan '{start[:10]}' tidak ada pada tanggal itu.")
    members = rules.check_members(body.get("members"))
    phone = rules.normalise_phone(body.get("phone"))
    nik_hash = _nik_hash(rt, service, body.get("nik"), day.isoformat())
    row, created = store.create(
        rt.db,
        service.code,
        day.isoformat(),
        window[0],
        members,
        nik_hash,
        phone,
        created_by,
        key,
        rt.now(),
        window[1],
        service.booking_quota,
        print_slip and rt.settings.printer.type != "none",
    )
    if created:
        announce(rt, "bookings", {"date": row["day"], "service": row["service"]}, printer=print_slip)
    return booking_json(rt, row), created


def show(rt: Office, token: str) -> dict[str, Any]:
    """Return one booking to whoever holds its token."""
    return booking_json(rt, store.by_token(rt.db, token))


def cancel(rt: Office, token: str) -> dict[str, Any]:
    """Cancel a booking (its seat goes back to the window)."""
    row = store.cancel(rt.db, token, rt.now())
    announce(rt, "bookings", {"date": row["day"], "service": row["service"]})
    return booking_json(rt, row)


def _expired(message: str) -> KioskError:
    return KioskError(message, code="expired", status=409)


def check_in(rt: Office, presented: object) -> dict[str, Any]:
    """Turn a booking shown at the kiosk (code typed or slip scanned) into today's queue number.

    Within the window (from early_minutes before to late_minutes after) the number is called ahead of walk-ins;
    later, the booking expires and a plain walk-in number is given if the day has room.
    """
    from kiosk.office.views import ticket_json

    shown = rules.read_presented(presented)
    if shown.ticket_token:
        return late_return_scanned(rt, shown.ticket_token)
    row = store.by_token(rt.db, shown.token) if shown.token else store.by_code(rt.db, shown.code or "")
    if row["status"] == "cancelled":
        raise store.UnknownBooking("Pemesanan ini sudah dibatalkan.")
    if row["status"] == "checked_in":
        raise KioskError("Kode ini sudah dipakai untuk mengambil nomor antrean.", code="already_checked_in", status=409)
    if row["status"] == "expired":
        raise _expired("Pemesanan ini sudah kedaluwarsa.")
    service = rt.settings.service(row["service"])
    if service is None:
        raise store.UnknownBooking("Layanan pemesanan ini tidak lagi tersedia. Silakan tanyakan kepada petugas.")
    now, booking = rt.now(), rt.settings.booking
    day = date.fromisoformat(row["day"])
    start, opens, closes = rules.window_bounds(
        day,
        row["slot_start"],
        row["slot_end"],
        rt.settings.office.timezone,
        booking.early_minutes,
        booking.late_minutes,
    )
    verdict = rules.check_in_verdict(now, day, opens, closes)
    window = rules.window_text(row["slot_start"], row["slot_end"])
    if verdict == "not_today":
        raise KioskError(
            f"Nomor Anda untuk {rules.date_text(day)}, {window}.",
            code="not_today",
            status=409,
            details={
                "date": day.isoformat(),
                "start": rules.clock_text(row["slot_start"]),
                "end": rules.clock_text(row["slot_end"]),
            },
        )
    if verdict == "too_early":
        back = opens.strftime("%H.%M")
        raise KioskError(
            f"Terlalu awal: silakan kembali pukul {back}.", code="too_early", status=409, details={"time": back}
        )
    party = rules.Party(
        members=row["members"],
        nik_hash=store.nik_hash_of(rt.db, row["id"]),
        phone=store.phone_of(rt.db, row["id"]),
        reuse_existing=False,
    )
    print_job = rt.settings.printer.type != "none"
    walk_in = verdict in ("late", "past")
    if walk_in:
        store.expire(rt.db, row["id"], now)
        if verdict == "past":
            raise _expired(f"Pemesanan ini untuk {rules.date_text(day)} dan sudah kedaluwarsa.")
        try:
            ticket, _ = tickets_store.issue_ticket(
                rt.db, rt.settings, service, False, now, print_job=print_job, party=party
            )
        except (QuotaReached, ServiceClosed) as refused:
            raise _expired(
                f"Jam kedatangan Anda sudah lewat dan {refused.message[0].lower()}{refused.message[1:]}"
            ) from None
    else:
        ticket = store.check_in(
            rt.db,
            rt.settings,
            service,
            row,
            now,
            rules.Party(**{**party.__dict__, "booked_at": start.isoformat(timespec="seconds")}),
            print_job,
        )
    announce(rt, "bookings", {"date": row["day"], "service": row["service"]}, queue=True, printer=True)
    return {
        "ticket": ticket_json(rt, ticket),
        "booking": booking_json(rt, store.by_token(rt.db, row["token"])),
        "walk_in": walk_in,
    }


def housekeep(rt: Office) -> int:
    """Expire bookings whose window and grace have passed (reports count them), and forget the SMS phones of
    tickets that ended; return how many bookings expired."""
    booking, zone, now = rt.settings.booking, rt.settings.office.timezone, rt.now()

    def past_grace(row: dict[str, Any]) -> bool:
        _, _, closes = rules.window_bounds(
            date.fromisoformat(row["day"]),
            row["slot_start"],
            row["slot_end"],
            zone,
            booking.early_minutes,
            booking.late_minutes,
        )
        return now > closes

    from datetime import timedelta

    store.forget_phones(rt.db, now - timedelta(minutes=rt.settings.queue.late_return_minutes))
    return store.expire_due(rt.db, rt.today(), past_grace, now)


def reprint_existing(rt: Office, ticket: dict[str, Any]) -> dict[str, Any]:
    """Print a NIK's existing number of today again while it is still in the queue; return the ticket."""
    if ticket["status"] in ("waiting", "called", "serving") and rt.settings.printer.type != "none":
        ticket = {**tickets_store.queue_reprint(rt.db, ticket["id"], rt.now()), "existing": True}
        announce(rt, printer=True)
    return ticket


def late_return(rt: Office, ticket_id: int, staff: dict[str, Any] | None, counter_scope: int | None) -> dict[str, Any]:
    """Put a no-show back in the queue once, [queue] late_requeue_after numbers later; return the ticket row.

    ``staff`` is None when the resident does it at the kiosk by scanning the ticket."""
    queue_settings = rt.settings.queue
    ticket = store.late_return(
        rt.db,
        ticket_id,
        rt.now(),
        queue_settings.late_return_minutes,
        queue_settings.late_requeue_after,
        staff["id"] if staff else None,
        counter_scope,
    )
    announce(rt, queue=True)
    return ticket


def late_return_scanned(rt: Office, token: str) -> dict[str, Any]:
    """A no-show's ticket QR scanned at the kiosk: the same late return as the counter's key L, once, within
    [queue] late_return_minutes; answers ``{"ticket", "late_return": true}``."""
    from kiosk.office.views import ticket_json

    try:
        ticket = tickets_store.get_ticket_by_token(rt.db, token)
    except NotFound:
        raise KioskError(
            "Kode QR tiket ini tidak dikenal. Silakan tanyakan kepada petugas.", code="unknown_ticket", status=404
        ) from None
    if ticket["status"] != "no_show":
        raise KioskError(
            rules.not_missed(ticket["status"], ticket["number"]),
            code="not_a_no_show",
            status=409,
            details={"number": ticket["number"]},
        )
    returned = late_return(rt, ticket["id"], None, None)  # the counter's key L, with no staff member
    return {"ticket": ticket_json(rt, returned), "late_return": True}


def rebook(rt: Office, ticket_id: int, staff: dict[str, Any], counter_scope: int | None) -> tuple[dict, dict]:
    """Turn a waiting ticket into a booking in the earliest window with room (e.g. during a disruption).

    The booking is made first (race-safe), then the ticket cancelled; if the ticket moved meanwhile, the booking
    is cancelled again. Return (BOOKING, the cancelled ticket row).
    """
    from kiosk.storage.bookings import SlotFull

    ticket = tickets_store.get_ticket(rt.db, ticket_id)
    if ticket["status"] != "waiting":
        from kiosk.domain.queue import next_status

        next_status("cancel", ticket["status"], ticket["number"])  # 409 bad_transition with the reason
    service = _service(rt, ticket["service"])
    if service.booking_quota <= 0:
        raise ServiceClosed(NO_BOOKINGS)
    phone = tickets_store.ticket_phone(rt.db, ticket_id)
    for day in availability_json(rt, service.code)["days"]:
        for slot in day["slots"]:
            if slot["left"] < ticket["members"]:
                continue
            try:
                booking, _ = (
                    book(
                        rt,
                        {
                            "service": service.code,
                            "date": day["date"],
                            "slot": slot["start"],
                            "members": ticket["members"],
                            "phone": phone,
                        },
                        None,
                        staff["username"],
                        print_slip=True,
                    )
                    if not service.one_per_nik
                    else _book_without_nik(rt, service, day["date"], slot["start"], ticket["members"], phone, staff)
                )
            except SlotFull:
                continue  # taken meanwhile: the next window
            try:
                cancelled, _ = tickets_store.transition(
                    rt.db, ticket_id, "cancel", rt.now(), staff["id"], counter_scope=counter_scope
                )
            except KioskError:
                store.cancel(rt.db, booking["token"], rt.now())
                raise
            announce(rt, queue=True)
            return booking, cancelled
    raise SlotFull("Tidak ada jam kedatangan yang masih kosong pada hari-hari buka berikutnya.")


def _book_without_nik(
    rt: Office, service: Service, day: str, start: str, members: int, phone: str | None, staff: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """Book for a ticket whose NIK is not known any more (only a hash for its own day is kept)."""
    window = next(
        (slot, capacity)
        for slot, capacity in _windows(rt, service, date.fromisoformat(day))
        if slot.start_text == start
    )
    row, created = store.create(
        rt.db,
        service.code,
        day,
        window[0],
        members,
        None,
        phone,
        staff["username"],
        None,
        rt.now(),
        window[1],
        service.booking_quota,
        rt.settings.printer.type != "none",
    )
    announce(rt, "bookings", {"date": day, "service": service.code}, printer=True)
    return booking_json(rt, row), created
