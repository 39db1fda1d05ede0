"""Bookings for a later day by SMS (ANTRE, BATAL, STATUS <kode>): the SMS worker's ``BookingDesk``.

Every booking goes through the same use case as ``POST /api/bookings`` (``kiosk.office.bookings.book``): the
seats are counted inside its write transaction, its refusals hold, and its announcement is made. The sender's
number is kept with the booking (for BATAL and the reminders) until the booking ends. Replies never hold a NIK,
a nomor KK or a name.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kiosk.domain import bookings as booking_rules
from kiosk.domain import sms as rules
from kiosk.domain.errors import BadRequest, KioskError
from kiosk.office import bookings as office
from kiosk.office.disruptions import suspension
from kiosk.storage import bookings as store

if TYPE_CHECKING:
    from kiosk.office.context import Office

CREATED_BY = "sms"

_CODE = re.compile(rf"^[{booking_rules.CODE_ALPHABET}]{{{booking_rules.CODE_LENGTH}}}$")


def short_day(day: date) -> str:
    """Say a day briefly for an SMS: "Kamis 26-11-2026"."""
    return booking_rules.date_text(day).split(",")[0] + f" {day:%d-%m-%Y}"


def _code(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "").upper()[:16]


class OfficeBookingDesk:
    """Book, cancel and tell bookings for later days from SMS commands (see ``kiosk.office.sms.BookingDesk``)."""

    def __init__(self, runtime: Office):
        self.runtime = runtime

    # ------------------------------------------------------------ ANTRE

    def book(self, phone: str, service: str, day: date | None) -> str:
        """Book the first arrival window with room on ``day`` (None: the first open day with room)."""
        rt = self.runtime
        found = rt.settings.service(service)
        if found is None or found.booking_quota <= 0:
            return rules.render(rules.BOOKING_NO_BOOKINGS, service=service)
        if found.one_per_nik:
            return rules.render(rules.BOOKING_NIK_NEEDED, service=service)
        held = store.held_by_phone(rt.db, phone, service, rt.today(), day.isoformat() if day else None)
        if held is not None:  # the same request again (no answer seen yet, or an autoresponder): the same booking
            return self._booked(office.booking_json(rt, held))
        days = office.availability_json(rt, service)["days"]
        if day is not None:
            days = [each for each in days if each["date"] == day.isoformat()]
            if not days and day == rt.now().date():
                return rules.render(rules.BOOKING_TODAY, service=service)
            if not days:
                return rules.render(
                    rules.BOOKING_DAY_CLOSED, day=f"{day:%d-%m}", service=service, days=rt.settings.booking.days_ahead
                )
        for each in days:
            for slot in each["slots"]:
                if slot["left"] < 1:
                    continue
                body = {"service": service, "date": each["date"], "slot": slot["start"], "phone": phone}
                try:
                    booking, _ = office.book(rt, body, None, CREATED_BY, print_slip=False)
                except store.SlotFull:
                    continue  # taken meanwhile: the next window
                except (BadRequest, KioskError) as refused:  # service_closed, nik_required ...
                    return rules.fit(refused.message)
                return self._booked(booking)
        if day is not None:
            others = [
                each["date"]
                for each in office.availability_json(rt, service)["days"]
                if any(slot["left"] > 0 for slot in each["slots"])
            ]
            other = f"{date.fromisoformat(others[0]):%d-%m}" if others else "<TGL-BLN>"
            return rules.render(rules.BOOKING_DAY_FULL, service=service, day=f"{day:%d-%m}", other=other)
        return rules.render(rules.BOOKING_ALL_FULL, service=service, days=rt.settings.booking.days_ahead)

    def _booked(self, booking: dict[str, Any]) -> str:
        bring = "; ".join(booking["requirements"]) or "-"
        return rules.render(
            rules.BOOKING_BOOKED,
            service=booking["service"],
            day=short_day(date.fromisoformat(booking["date"])),
            window=booking_rules.window_text(booking["slot_start"], booking["slot_end"]),
            code=booking["code"],
            bring=bring,
            warning=self._warning(booking),
        )

    def _warning(self, booking: dict[str, Any]) -> str:
        """Warn of a disruption of the booking's service going on now that may last until its window."""
        rt = self.runtime
        shown = suspension(rt, booking["service"])
        if shown is None:
            return ""
        if shown["until"]:
            zone = rt.settings.office.timezone
            until = datetime.fromisoformat(shown["until"])
            until = until if until.tzinfo else until.replace(tzinfo=zone)
            start, _, _ = booking_rules.window_bounds(
                date.fromisoformat(booking["date"]), booking["slot_start"], booking["slot_end"], zone, 0, 0
            )
            if until <= start:
                return ""  # over before the resident comes
        return rules.BOOKING_DISRUPTED.format(service=booking["service"], label=shown["label"])

    # ------------------------------------------------------------ BATAL

    def cancel(self, phone: str, code: str) -> str:
        """Cancel a booking made from this same number; any other code answers "not found" alike."""
        rt = self.runtime
        code = _code(code)
        not_found = rules.render(rules.BOOKING_NOT_FOUND, code=code)
        if not _CODE.match(code):
            return not_found
        try:
            row = store.by_code(rt.db, code)
        except store.UnknownBooking:
            return not_found
        if row["status"] != "booked" or store.phone_of(rt.db, row["id"]) != phone:
            return not_found
        try:
            office.cancel(rt, row["token"])
        except KioskError:  # used or expired meanwhile
            return not_found
        return rules.render(
            rules.BOOKING_CANCELLED,
            code=code,
            service=row["service"],
            day=short_day(date.fromisoformat(row["day"])),
            window=f"{row['slot_start'].replace(':', '.')}-{row['slot_end'].replace(':', '.')}",
        )

    # ------------------------------------------------------------ STATUS <kode>

    def status(self, code: str) -> str | None:
        """Tell a booking's day, window and state (and its ticket's place once checked in); None: no booking code."""
        rt = self.runtime
        code = _code(code)
        if not _CODE.match(code):
            return None
        try:
            row = store.by_code(rt.db, code)
        except store.UnknownBooking:
            return rules.render(rules.BOOKING_UNKNOWN_CODE, code=code)
        booking = office.booking_json(rt, row)
        day = short_day(date.fromisoformat(row["day"]))
        if row["status"] == "booked":
            return rules.render(
                rules.BOOKING_STATUS_BOOKED,
                code=code,
                service=row["service"],
                day=day,
                window=booking_rules.window_text(row["slot_start"], row["slot_end"]),
                warning=self._warning(booking),
            )
        ticket = booking["ticket"]
        if row["status"] == "checked_in" and ticket is not None:
            if ticket["status"] == "waiting":
                where = (
                    f"{ticket['ahead']} orang di depan Anda, perkiraan {ticket['estimated_wait_minutes']} menit lagi."
                )
            elif ticket["status"] == "called":
                where = f"sedang dipanggil ke {ticket.get('counter_name') or 'loket'}. Silakan menuju loket."
            else:
                where = rules.TICKET_STATES.get(ticket["status"], ticket["status"]) + "."
            return rules.render(rules.BOOKING_STATUS_TICKET, code=code, number=ticket["number"], where=where)
        return rules.render(
            rules.BOOKING_STATUS_ENDED,
            code=code,
            service=row["service"],
            day=day,
            state=rules.BOOKING_STATES.get(row["status"], row["status"]),
        )
