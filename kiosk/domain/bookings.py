"""Rules of numbers for a later day, free of Flask and SQLite: open days, arrival windows, seats, check-in time."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.domain import queue
from kiosk.domain.errors import BadRequest
from kiosk.domain.settings import WEEKDAYS, Hours

# Booking codes avoid look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B) so a code read off a slip is typed right.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_TOKEN_IN_LINK = re.compile(r"/b/([A-Za-z0-9_-]{8,64})/?$")
_TICKET_IN_LINK = re.compile(r"/t/([A-Za-z0-9_-]{8,64})/?$")  # a ticket's QR: a missed call, back late
SEARCH_DAYS = 366


@dataclass(frozen=True)
class Slot:
    """An arrival window of a day, in minutes from midnight (end 1440 = 24:00)."""

    start: int
    end: int

    @property
    def start_text(self) -> str:
        return _clock(self.start)

    @property
    def end_text(self) -> str:
        return _clock(self.end)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_clock(text: str) -> int:
    """Return the minutes from midnight of "HH:MM" (24:00 allowed)."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def day_slots(hours: Hours, slot_minutes: int) -> list[Slot]:
    """Cut a day's opening hours into arrival windows of ``slot_minutes`` (the last one may be shorter)."""
    if hours.closed or hours.opens is None or hours.closes is None:
        return []
    opens = hours.opens.hour * 60 + hours.opens.minute
    closes = 1440 if hours.closes == time.max else hours.closes.hour * 60 + hours.closes.minute
    return [Slot(start, min(start + slot_minutes, closes)) for start in range(opens, closes, slot_minutes)]


def slot_capacities(quota: int, slots: int) -> list[int]:
    """Spread a day's booking quota over its windows, earlier windows taking the remainder."""
    if slots <= 0:
        return []
    share, rest = divmod(quota, slots)
    return [share + (1 if index < rest else 0) for index in range(slots)]


def bookable_days(
    today: date, hours: dict[str, Hours], observe_holidays: bool, closed_dates: Mapping[date, str], days_ahead: int
) -> list[date]:
    """Return the next ``days_ahead`` open days after ``today`` (weekday hours, holidays and closed dates)."""
    found: list[date] = []
    for offset in range(1, SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if (
            hours[WEEKDAYS[day.weekday()]].closed
            or (observe_holidays and queue.holiday_name(day))
            or day in closed_dates
        ):
            continue
        found.append(day)
        if len(found) == days_ahead:
            break
    return found


def make_code() -> str:
    """Return a fresh short booking code such as "K7M2QX"."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# A ticket scanned at the kiosk that is not a missed call: what its resident is told to do instead.
_NOT_MISSED = {
    "waiting": "Nomor {number} masih dalam antrean. Silakan tunggu panggilan.",
    "called": "Nomor {number} sedang dipanggil. Silakan menuju loket.",
    "serving": "Nomor {number} sedang dilayani.",
}


def not_missed(status: str, number: str) -> str:
    """The message for a scanned ticket in ``status`` that is not a no-show (a finished one: take a new number)."""
    return _NOT_MISSED.get(status, "Nomor {number} sudah selesai. Silakan ambil nomor baru.").format(number=number)


@dataclass(frozen=True)
class Presented:
    """What a resident showed at check-in: the code typed, the token of the slip's QR link, or the token of
    their ticket's QR link (a resident whose number was called while they were away)."""

    code: str | None = None
    token: str | None = None
    ticket_token: str | None = None


def read_presented(value: object) -> Presented:
    """Read a typed code ("k7m 2qx") or a scanned QR link (a slip's ".../b/<token>", a ticket's ".../t/<token>");
    raise a 400 for anything else."""
    if not isinstance(value, str) or not value.strip() or len(value) > 300:
        raise BadRequest("Ketik kode pemesanan (6 huruf/angka) atau pindai kode QR pada slip (field 'code').")
    link = _TOKEN_IN_LINK.search(value.strip())
    if link:
        return Presented(token=link.group(1))
    ticket = _TICKET_IN_LINK.search(value.strip())
    if ticket:
        return Presented(ticket_token=ticket.group(1))
    code = re.sub(r"[\s-]", "", value).upper()
    return Presented(code=code) if _CODE_RE.match(code) else Presented(code="")


def window_bounds(
    day: date, slot_start: str, slot_end: str, zone, early: int, late: int
) -> tuple[datetime, datetime, datetime]:
    """Return (window start, first check-in time, last check-in time) of a booking's window."""
    midnight = datetime.combine(day, time(0), zone)
    start = midnight + timedelta(minutes=parse_clock(slot_start))
    end = midnight + timedelta(minutes=parse_clock(slot_end))
    return start, start - timedelta(minutes=early), end + timedelta(minutes=late)


def check_in_verdict(now: datetime, day: date, opens_at: datetime, closes_at: datetime) -> str:
    """Decide a check-in: "ok", "too_early", "late" (window and grace over today) or "not_today"/"past"."""
    if day > now.date():
        return "not_today"
    if day < now.date():
        return "past"
    if now < opens_at:
        return "too_early"
    if now > closes_at:
        return "late"
    return "ok"


def booked_turn(last_call_was_booked: bool, oldest_booked: queue.Waiting | None) -> queue.Waiting | None:
    """Return the checked-in booking to call ahead of walk-ins, at most every other call; None: the usual rule."""
    return None if last_call_was_booked else oldest_booked


def check_members(value: object) -> int:
    """Return how many people one number is for (1-5, one Kartu Keluarga); raise a 400 otherwise."""
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise BadRequest("Field 'members' harus angka 1 sampai 5 (anggota satu Kartu Keluarga).")
    return value


_PHONE_DIGITS = re.compile(r"(?:\+?62|0)(8[1-9][0-9]{6,10})")  # the mobile numbers SMS can reach (domain/sms.py)
_PHONE_SEP = r"[ \t\n\r\f\v-]"  # ASCII spaces and dashes, as OPT_IN_PATTERN says
_S = _PHONE_SEP + "*"
# The SMS opt-in given with a ticket or a booking, as the OpenAPI document states it: empty (or spaces) for none.
OPT_IN_PATTERN = rf"^({_S}|{_S}(\+{_S}6{_S}2|6{_S}2|0){_S}8{_S}[1-9]({_S}[0-9]){{6,10}}{_S})$"


def normalise_phone(value: object) -> str | None:
    """Return an Indonesian mobile number as +628..., None when absent; raise 400 invalid_phone otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        text = re.sub(_PHONE_SEP, "", value)
        if not text:
            return None  # empty, or spaces only: no SMS
        match = _PHONE_DIGITS.fullmatch(text)
        if match:
            return "+62" + match.group(1)
    raise BadRequest("Nomor ponsel tidak valid (contoh: 0812 3456 7890).", code="invalid_phone")


def date_text(day: date) -> str:
    """Say a day the Indonesian way: "Kamis, 26 November 2026"."""
    return f"{queue.DAY_NAMES[day.weekday()]}, {day.day} {queue.MONTH_NAMES[day.month - 1]} {day.year}"


def clock_text(hhmm: str) -> str:
    """Write a time of day the Indonesian way: "08:00" -> "08.00"."""
    return hhmm.replace(":", ".")


def window_text(slot_start: str, slot_end: str) -> str:
    """Say a window as printed: "datang pukul 08.00-09.00"."""
    return f"datang pukul {clock_text(slot_start)}-{clock_text(slot_end)}"


@dataclass(frozen=True)
class Party:
    """Who a number is for beyond the service: family members, the NIK's keyed hash, an SMS phone, a booked window."""

    members: int = 1
    nik_hash: str | None = None  # set where the service has one_per_nik
    phone: str | None = None  # +628..., kept until the ticket ends
    booked_at: str | None = None  # the start of the booked window this ticket was checked in for
    reuse_existing: bool = True  # the same NIK again that day gets its existing ticket back


def visit_hash(key: bytes, day: str, nik: str) -> str:
    """Return the keyed hash standing for a NIK on one office day (its own purpose and day: never joinable with
    the status records' hashes, nor across days)."""
    import hashlib
    import hmac

    return hmac.new(key, f"visit:{day}:{nik}".encode(), hashlib.sha256).hexdigest()
