"""The yearly evaluation pack's figures (PEKPPP, PermenPANRB 29/2022), free of Flask and SQLite.

Each part is titled with the evaluation aspect it serves as evidence for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from typing import Any

from kiosk.domain.complaints import CATEGORIES, OUTCOMES, outcome
from kiosk.domain.disruptions import Span
from kiosk.domain.queue import MONTH_NAMES

# part -> (aspect, what the part shows); the workbook's sheets carry the aspect in their names
ASPECTS = {
    "standards": ("Kebijakan Pelayanan", "Standar Pelayanan dan Maklumat Pelayanan"),
    "skm": ("Kebijakan Pelayanan", "Survei Kepuasan Masyarakat (SKM) per triwulan"),
    "complaints": ("Konsultasi dan Pengaduan", "Pengaduan diterima dan ditangani per jenis dan bulan"),
    "service_days": ("Sarana Prasarana", "Hari layanan dan gangguan layanan per bulan"),
}
# the same in English, for the pack's page with ?lang=en (the workbook stays in Indonesian)
ASPECTS_EN = {
    "standards": ("Service policy", "Service standards and the service pledge (Maklumat Pelayanan)"),
    "skm": ("Service policy", "Community satisfaction survey (SKM) per quarter"),
    "complaints": ("Consultation and complaints", "Complaints received and handled per category and month"),
    "service_days": ("Facilities and infrastructure", "Service days and service disruptions per month"),
}
QUARTERS = ((1, 3), (4, 6), (7, 9), (10, 12))
FIRST_YEAR = 2000
LAST_YEAR = 2100


def quarters(year: int) -> list[tuple[int, date, date]]:
    """Return (quarter, first day, last day) of the four quarters of ``year``."""
    periods = []
    for number, (first_month, last_month) in enumerate(QUARTERS, 1):
        first = date(year, first_month, 1)
        last = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
        periods.append((number, first, date.fromordinal(last.toordinal() - 1)))
    return periods


def _zero() -> dict[str, int]:
    return {"received": 0, **{name: 0 for name in OUTCOMES}}


def complaint_figures(rows: Iterable[Mapping[str, Any]], now: datetime) -> dict[str, Any]:
    """Count complaints received and what became of them by ``now``, per category, per month and in all.

    ``answered_on_time`` + ``answered_late`` + ``overdue`` (unanswered past the deadline) + ``open``
    (unanswered, deadline not reached) = ``received``.
    """
    per_month = {month: {code: _zero() for code in CATEGORIES} for month in range(1, 13)}
    for row in rows:
        counts = per_month[int(row["received_at"][5:7])][row["category"]]
        counts["received"] += 1
        counts[outcome(row, now)] += 1

    def summed(tables: Iterable[Mapping[str, int]]) -> dict[str, int]:
        total = _zero()
        for table in tables:
            for key, value in table.items():
                total[key] += value
        return total

    by_category = [
        {
            "category": code,
            "label": label,
            "label_en": label_en,
            **summed(per_month[month][code] for month in per_month),
        }
        for code, (label, label_en) in CATEGORIES.items()
    ]
    by_month = [
        {
            "month": month,
            "name": MONTH_NAMES[month - 1],
            "categories": [{"category": code, **counts} for code, counts in per_month[month].items()],
            "total": summed(per_month[month].values()),
        }
        for month in per_month
    ]
    return {
        "by_category": by_category,
        "by_month": by_month,
        "total": summed({key: int(row[key]) for key in row if key in _zero()} for row in by_category),  # type: ignore[call-overload]
    }


def days_per_month(days: Iterable[date | str]) -> list[int]:
    """Count days per month (January first)."""
    counts = [0] * 12
    for day in days:
        month = day.month if isinstance(day, date) else int(day[5:7])
        counts[month - 1] += 1
    return counts


def disruption_minutes_per_month(spans: Iterable[Span], year: int, zone: tzinfo, now: datetime) -> list[int]:
    """Sum the minutes of disruption per month of ``year`` (January first), each disruption once, whether it
    stopped one service or all; one still going on counts up to ``now``, one across months counts in each."""
    minutes = [0.0] * 12
    for span in spans:
        stop = span.ended or now
        for month in range(1, 13):
            first = datetime.combine(date(year, month, 1), time(0), zone)
            last = datetime.combine(date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1), time(0), zone)
            overlap = (min(stop, last) - max(span.since, first)).total_seconds()
            if overlap > 0:
                minutes[month - 1] += overlap / 60
    return [round(value) for value in minutes]
