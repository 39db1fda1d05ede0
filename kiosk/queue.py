"""Queue rules, free of Flask and SQLite: states, transitions, numbering, opening, next choice, waits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Sequence

import holidays

from kiosk.errors import BadTransition
from kiosk.settings import WEEKDAYS, Hours, Office, Service

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
    reason: str | None = None  # closed_today | before_hours | after_hours | holiday | closed_by_staff | quota_reached
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
) -> Availability:
    """Decide whether a service issues numbers at ``now`` (office zone) and why not."""
    if closed_by_staff:
        return Availability(False, "closed_by_staff", "Layanan ini ditutup sementara hari ini.")
    if observe_holidays and (name := holiday_name(now.date())):
        return Availability(False, "holiday", f"Kantor tutup hari ini: {name}.")
    today = hours[WEEKDAYS[now.weekday()]]
    if today.closed:
        return Availability(False, "closed_today", "Layanan tidak dibuka hari ini.")
    clock = now.time().replace(tzinfo=None)
    if clock < today.opens:
        return Availability(False, "before_hours", f"Layanan dibuka pukul {_clock(today.opens)}.")
    if today.closes != time.max and clock >= today.closes:
        return Availability(False, "after_hours", f"Layanan hari ini sudah tutup pukul {_clock(today.closes)}.")
    if quota is not None and issued_today >= quota:
        return Availability(False, "quota_reached", "Kuota nomor antrean hari ini sudah habis.")
    return OPEN


def service_availability(office: Office, service: Service, now: datetime, override: dict | None,
                         issued_today: int) -> Availability:
    """Decide whether ``service`` issues numbers now, given today's staff override and count so far."""
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
    )


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
    if today.closed or today.closes == time.max:
        closes = datetime.combine(day + timedelta(days=1), time(0), zone)
    else:
        closes = datetime.combine(day, today.closes, zone)
    return closes + timedelta(minutes=grace_minutes)
