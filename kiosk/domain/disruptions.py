"""Disruption mode ("gangguan layanan") rules, free of Flask and SQLite: reasons, labels, minutes per day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from kiosk.domain.errors import BadRequest, KioskError

REASONS = ("blanko", "network", "power", "equipment", "staff", "other")

# What the kiosk, the display and the phone page say (Indonesian, English).
LABELS = {
    "blanko": ("Blanko KTP-el habis", "KTP-el card blanks have run out"),
    "network": ("Jaringan/SIAK sedang terganggu", "The network/SIAK link is down"),
    "power": ("Listrik padam", "Power cut"),
    "equipment": ("Alat perekaman rusak", "Equipment out of order"),
    "staff": ("Petugas sedang tidak ada", "No officer available"),
    "other": ("Layanan sedang terganggu", "Service disrupted"),
}
NOTE_MAX = 200


class ServiceSuspended(KioskError):
    """A number was asked for a service a disruption covers; ``alternatives`` are offered instead."""

    code = "service_suspended"
    status = 409

    def __init__(self, message: str, disruption: dict):
        super().__init__(message)
        self.disruption = disruption
        self.alternatives = disruption.get("alternatives", [])


def label(reason: str, lang: str = "id") -> str:
    """Return the plain words for a reason."""
    return LABELS[reason][1 if lang == "en" else 0]


def check_reason(value: object) -> str:
    """Return a known reason or raise a 400."""
    if value not in REASONS:
        raise BadRequest(f"Alasan gangguan harus salah satu dari: {', '.join(REASONS)}.", code="bad_request")
    return value


def clean_note(value: object) -> str:
    """Return the staff note as one line of at most NOTE_MAX characters (shown to residents)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest("Catatan gangguan harus berupa teks.")
    text = " ".join("".join(char if char.isprintable() else " " for char in value).split())
    if len(text) > NOTE_MAX:
        raise BadRequest(f"Catatan gangguan paling banyak {NOTE_MAX} karakter.")
    return text


def parse_until(value: object, now: datetime) -> datetime | None:
    """Read the expected end: ISO 8601 (without offset: office time) or "HH:MM" today; it must lie ahead."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BadRequest("Perkiraan selesai ('until') harus berupa waktu ISO 8601 atau \"HH:MM\".")
    try:
        if len(value) == 5 and value[2] == ":":
            when = datetime.combine(now.date(), time.fromisoformat(value), now.tzinfo)
        else:
            when = datetime.fromisoformat(value)
            when = when.replace(tzinfo=now.tzinfo) if when.tzinfo is None else when.astimezone(now.tzinfo)
    except ValueError:
        raise BadRequest("Perkiraan selesai ('until') harus berupa waktu ISO 8601 atau \"HH:MM\".") from None
    if when <= now:
        raise BadRequest("Perkiraan selesai ('until') harus di masa mendatang.")
    return when


def covers(disruption_service: str | None, service: str) -> bool:
    """Tell whether a disruption (of one service, or of all when None) covers ``service``."""
    return disruption_service is None or disruption_service == service


@dataclass(frozen=True)
class Span:
    """A disruption as reports see it."""

    service: str | None
    reason: str
    since: datetime
    ended: datetime | None  # None: still going on


def minutes_per_service(
    spans: Iterable[Span], first: date, last: date, zone: tzinfo, now: datetime, services: Iterable[str]
) -> list[dict]:
    """Sum disruption minutes per (service, reason) within the office days ``first``..``last``.

    A disruption of every service counts for each service; one still going on counts up to ``now``.
    """
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    codes = list(services)
    totals: dict[tuple[str, str], list[float]] = {}
    for span in spans:
        stop = min(span.ended or now, end)
        begin = max(span.since, start)
        if stop <= begin:
            continue
        minutes = (stop - begin).total_seconds() / 60
        for code in codes if span.service is None else [span.service]:
            entry = totals.setdefault((code, span.reason), [0.0, 0])
            entry[0] += minutes
            entry[1] += 1
    order = {code: index for index, code in enumerate(codes)}
    return [
        {"service": code, "reason": reason, "label": label(reason), "disruptions": count, "minutes": round(minutes)}
        for (code, reason), (minutes, count) in sorted(
            totals.items(), key=lambda item: (order.get(item[0][0], len(order)), REASONS.index(item[0][1]))
        )
    ]
