"""Queue rules, free of Flask and SQLite: states, transitions, numbering, opening, next choice, waits."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

import holidays

from kiosk.domain.errors import BadTransition
from kiosk.domain.settings import WEEKDAYS, Hours, Office, Service

STATUSES = ("waiting", "called", "serving", "done", "no_show", "cancelled", "expired")
ACTIVE_STATUSES = ("waiting", "called", "serving")

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "call": (frozenset({"waiting"}), "called"),
    "recall": (frozenset({"called"}), "called"),
    "serve": (frozenset({"called"}), "serving"),
    "done": (frozenset({"called", "serving"}), "done"),  # from called: served at once, timed from the call
    "no_show": (frozenset({"called"}), "no_show"),
    "requeue": (frozenset({"no_show"}), "waiting"),
    "cancel": (frozenset({"waiting"}), "cancelled"),
    "transfer": (frozenset({"waiting", "called", "serving"}), "waiting"),
    "expire": (frozenset({"waiting", "called", "serving"}), "expired"),
}

STATUS_LABELS = {
    "waiting": "menunggu",
    "called": "dipanggil",
    "serving": "sedang dilayani",
    "done": "selesai",
    "no_show": "tidak hadir",
    "cancelled": "dibatalkan",
    "expired": "kedaluwarsa",
}

ACTION_LABELS = {
    "call": "dipanggil",
    "recall": "dipanggil ulang",
    "serve": "mulai dilayani",
    "done": "diselesaikan",
    "no_show": "ditandai tidak hadir",
    "requeue": "dikembalikan ke antrean",
    "cancel": "dibatalkan",
    "transfer": "dialihkan",
    "expire": "ditutup",
}


def next_status(action: str, status: str, number: str = "") -> str:
    """Return the state ``action`` leads to from ``status``; raise BadTransition when not allowed."""
    allowed_from, target = TRANSITIONS[action]
    if status not in allowed_from:
        subject = f"Tiket {number}" if number else "Tiket ini"
        raise BadTransition(
            f"{subject} sedang {STATUS_LABELS.get(status, status)}, sehingga tidak dapat {ACTION_LABELS[action]}."
        )
    return target


def format_number(prefix: str, seq: int) -> str:
    """Return the printed queue number: ("A", 12) -> "A-012"."""
    return f"{prefix}-{seq:03d}"


def office_day(now: datetime) -> str:
    """Return the office calendar day (ISO date) of an aware datetime already in the office zone."""
    return now.date().isoformat()


@lru_cache(maxsize=8)
def _indonesian_holidays(year: int) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays("ID", years=year, language="id")
    except (NotImplementedError, ValueError):
        return holidays.country_holidays("ID", years=year)


def holiday_name(day: date) -> str | None:
    """Return the name of the Indonesian national public holiday on ``day``, or None."""
    return _indonesian_holidays(day.year).get(day)


@dataclass(frozen=True)
class Availability:
    open: bool
    # closed_today | before_hours | after_hours | holiday | closed_date | closed_by_staff | quota_reached
    reason: str | None = None
    message: str | None = None  # Indonesian, for the resident


OPEN = Availability(True)


def _clock(t: time) -> str:
    return "24.00" if t == time.max else t.strftime("%H.%M")


def availability(
    now: datetime,
    hours: dict[str, Hours],
    observe_holidays: bool,
    closed_by_staff: bool = False,
    quota: int | None = None,
    issued_today: int = 0,
    closed_dates: Mapping[date, str] | None = None,
) -> Availability:
    """Decide whether a service issues numbers at ``now`` (office zone) and why not.

    ``closed_dates`` are the office's extra closed days (cuti bersama, local events) with their reason.
    """
    if closed_by_staff:
        return Availability(False, "closed_by_staff", "Layanan ini ditutup sementara hari ini.")
    if observe_holidays and (name := holiday_name(now.date())):
        return Availability(False, "holiday", f"Kantor tutup hari ini: {name}.")
    if closed_dates and (reason := closed_dates.get(now.date())):
        return Availability(False, "closed_date", f"Kantor tutup hari ini: {reason}.")
    today = hours[WEEKDAYS[now.weekday()]]
    if today.opens is None or today.closes is None:  # closed all day
        return Availability(False, "closed_today", "Layanan tidak dibuka hari ini.")
    clock = now.time().replace(tzinfo=None)
    if clock < today.opens:
        return Availability(False, "before_hours", f"Layanan dibuka pukul {_clock(today.opens)}.")
    if today.closes != time.max and clock >= today.closes:
        return Availability(False, "after_hours", f"Layanan hari ini sudah tutup pukul {_clock(today.closes)}.")
    if quota is not None and issued_today >= quota:
        return Availability(False, "quota_reached", "Kuota nomor antrean hari ini sudah habis.")
    return OPEN


def service_availability(
    office: Office,
    service: Service,
    now: datetime,
    override: dict | None,
    issued_today: int,
    closed_dates: Mapping[date, str] | None = None,
) -> Availability:
    """Decide whether ``service`` issues numbers now, given today's staff override, count so far and closed dates."""
    quota = service.daily_quota
    if override and override.get("daily_quota") is not None:
        quota = override["daily_quota"]
    return availability(
        now,
        service.hours or office.hours,
        office.observe_national_holidays,
        closed_by_staff=bool(override and override.get("open") == 0),
        quota=quota,
        issued_today=issued_today,
        closed_dates=closed_dates,
    )


DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
REOPEN_SEARCH_DAYS = 366


def next_opening(
    now: datetime,
    hours: dict[str, Hours],
    observe_holidays: bool,
    closed_dates: Mapping[date, str] | None = None,
    from_tomorrow: bool = False,
) -> datetime | None:
    """Return when the office next opens for these hours after ``now`` (office zone), or None within a year.

    Skips closed weekdays, national holidays (if observed) and extra closed dates. With ``from_tomorrow``
    today does not count (a staff closure or a full quota lasts the day).
    """
    zone = now.tzinfo
    clock = now.time().replace(tzinfo=None)
    for offset in range(1 if from_tomorrow else 0, REOPEN_SEARCH_DAYS):
        day = now.date() + timedelta(days=offset)
        today = hours[WEEKDAYS[day.weekday()]]
        if today.opens is None or (observe_holidays and holiday_name(day)) or (closed_dates and day in closed_dates):
            continue  # closed all day
        if offset == 0:
            if clock < today.opens:
                return datetime.combine(day, today.opens, zone)
            continue  # open now or closed for the rest of today: not "opening again" today
        return datetime.combine(day, today.opens, zone)
    return None


def reopen_text(now: datetime, opens: datetime | None) -> str | None:
    """Say when a closed service opens again: "Buka kembali Senin, 08.00." (with the date a week or more away)."""
    if opens is None:
        return None
    days = (opens.date() - now.date()).days
    if days == 0:
        return f"Buka kembali hari ini pukul {_clock(opens.time())}."
    when = DAY_NAMES[opens.weekday()]
    if days >= 7:
        when += f", {opens.day} {MONTH_NAMES[opens.month - 1]} {opens.year}"
    return f"Buka kembali {when}, {_clock(opens.time())}."


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the next-ticket choice sees it."""

    id: int
    priority: bool
    queued_at: str  # ISO 8601 in the office zone; compares in time order


def priority_streak(recent_call_priorities: Sequence[bool]) -> int:
    """Count the priority calls at the head of a counter's calls, newest first."""
    streak = 0
    for was_priority in recent_call_priorities:
        if not was_priority:
            break
        streak += 1
    return streak


def choose_next(
    oldest_priority: Waiting | None,
    oldest_regular: Waiting | None,
    streak: int,
    max_consecutive_priority: int,
) -> Waiting | None:
    """Pick the next ticket: priority first, but one regular after ``max_consecutive_priority`` priority calls."""
    if oldest_priority and (oldest_regular is None or streak < max_consecutive_priority):
        return oldest_priority
    return oldest_regular or oldest_priority


def estimate_wait_minutes(ahead: int, counters: int, average_service_minutes: float) -> int:
    """Estimated wait = people ahead / counters serving the service x average service time, rounded up."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead / max(counters, 1) * average_service_minutes)


def waiting_deadline(hours: dict[str, Hours], day: date, zone: tzinfo, grace_minutes: int) -> datetime:
    """Return when a ticket still waiting from ``day`` expires: that day's closing time plus the grace.

    A day open until 24:00 (or not open at all) closes at the next midnight.
    """
    today = hours[WEEKDAYS[day.weekday()]]
    if today.closes is None or today.closes == time.max:  # closed all day or open until midnight
        closes = datetime.combine(day + timedelta(days=1), time(0), zone)
    else:
        closes = datetime.combine(day, today.closes, zone)
    return closes + timedelta(minutes=grace_minutes)
