"""Office reports, free of Flask and SQLite: figures per day, service, hour, loket and staff member.

Everything is computed from the ticket event log (``ticket_events``); the store hands over facts grouped by day:

- issued: ``issue`` events, by the service that issued the number and the hour it was issued;
- wait: from a ticket's ``issue`` to its first ``call``, by the service that called it (a ticket issued
  before the period has no wait in it);
- served: ``done`` events, by service, hour, loket and staff member of the ``done``;
- service time: from the latest ``serve`` (or, when staff pressed "done" straight from "called",
  the latest call or recall, as the live wait estimate does) to ``done``;
- no-show: tickets whose latest no-show was not followed by a requeue, on the day of that no-show.

Minutes are rounded to one decimal; p90 and median use the nearest-rank method.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

MAX_RANGE_DAYS = 366


class Issued(NamedTuple):
    """Numbers issued by a service in one hour of a day."""

    day: str
    service: str
    hour: int
    count: int  # type: ignore[assignment]  # a field, not tuple.count


class Waits(NamedTuple):
    """Waits (issue to first call, in seconds) of tickets first called on a day by a service, loket and staff member,
    issued on ``issued_day`` (a ticket issued before the period has no wait in it)."""

    day: str
    service: str
    counter_id: int | None
    staff_id: int | None
    seconds: Sequence[int]
    issued_day: str


class Called(NamedTuple):
    """Calls made on a day by a loket and staff member (first calls, and calls after a requeue or transfer)."""

    day: str
    counter_id: int | None
    staff_id: int | None
    count: int  # type: ignore[assignment]  # a field, not tuple.count


class Done(NamedTuple):
    """Tickets finished as done in one hour of a day by a loket and staff member, and their summed service time."""

    day: str
    service: str
    hour: int
    counter_id: int | None
    staff_id: int | None
    count: int  # type: ignore[assignment]  # a field, not tuple.count
    timed: int  # of them, those with a known start of service
    seconds: int


class NoShow(NamedTuple):
    """Tickets that stayed no-shows (not put back in the queue), by day, service, loket and staff member."""

    day: str
    service: str
    counter_id: int | None
    staff_id: int | None
    count: int  # type: ignore[assignment]  # a field, not tuple.count


class Facts(NamedTuple):
    """What the event log says about a range of days, grouped (a year is ~40,000 small rows, not 700,000 events)."""

    issued: list[Issued]
    waits: list[Waits]
    calls: list[Called]
    dones: list[Done]
    no_shows: list[NoShow]


@dataclass(frozen=True)
class Catalog:
    """Names the report shows: services and counters in config order, staff usernames by id."""

    office: str
    services: tuple[tuple[str, str], ...]  # (code, name)
    counters: tuple[tuple[int, str], ...]  # (id, name)
    staff: dict[int, str] = field(default_factory=dict)


@dataclass
class _Figures:
    issued: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    waits: list[float] = field(default_factory=list)  # minutes (kept for services: median and p90)
    wait_seconds: int = 0  # summed in whole seconds: averages do not depend on the order of addition
    wait_count: int = 0
    service_seconds: int = 0
    timed: int = 0

    def avg_wait(self) -> float | None:
        return self.wait_seconds / 60 / self.wait_count if self.wait_count else None

    def avg_service(self) -> float | None:
        return self.service_seconds / 60 / self.timed if self.timed else None


@dataclass
class _Period:
    services: dict[str, _Figures] = field(default_factory=dict)
    counters: dict[int, _Figures] = field(default_factory=dict)
    staff: dict[int, _Figures] = field(default_factory=dict)
    hourly: dict[int, list[int]] = field(default_factory=dict)  # hour -> [issued, served]

    def service(self, code: str) -> _Figures:
        return self.services.get(code) or self.services.setdefault(code, _Figures())

    def workers(self, counter_id: int | None, staff_id: int | None) -> list[_Figures]:
        """Return the figures of the loket and the staff member (those known)."""
        found = []
        if counter_id is not None:
            found.append(self.counters.get(counter_id) or self.counters.setdefault(counter_id, _Figures()))
        if staff_id is not None:
            found.append(self.staff.get(staff_id) or self.staff.setdefault(staff_id, _Figures()))
        return found

    def hour(self, hour: int) -> list[int]:
        return self.hourly.get(hour) or self.hourly.setdefault(hour, [0, 0])


def parse_day(text: str | None) -> date | None:
    """Return the date of a strict ``YYYY-MM-DD`` string, or None when it is not one."""
    if not isinstance(text, str) or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def days_between(first: date, last: date) -> list[str]:
    """Return every ISO day from ``first`` to ``last`` inclusive."""
    return [(first + timedelta(days=offset)).isoformat() for offset in range((last - first).days + 1)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percentile(values: list[float], share: float, presorted: bool = False) -> float | None:
    """Return the nearest-rank percentile (``share`` 0-1) of the values, or None for no values."""
    if not values:
        return None
    ordered = values if presorted else sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _fold(facts: Facts, days: list[str]) -> tuple[dict[str, _Period], _Period]:
    """Fill one period per day, then the whole range's as their sum."""
    periods = {day: _Period() for day in days}
    for day, service, hour, count in facts.issued:
        period = periods[day]
        period.service(service).issued += count
        period.hour(hour)[0] += count
    for day, counter_id, staff_id, count in facts.calls:
        for item in periods[day].workers(counter_id, staff_id):
            item.called += count
    for day, service, counter_id, staff_id, seconds, issued_day in facts.waits:
        if issued_day not in periods:
            continue  # issued before the period
        total = sum(seconds)
        figures = periods[day].service(service)
        figures.waits.extend(second / 60 for second in seconds)
        for item in (figures, *periods[day].workers(counter_id, staff_id)):
            item.wait_seconds += total
            item.wait_count += len(seconds)
    for done in facts.dones:
        period = periods[done.day]
        period.hour(done.hour)[1] += done.count
        for item in (period.service(done.service), *period.workers(done.counter_id, done.staff_id)):
            item.served += done.count
            item.timed += done.timed
            item.service_seconds += done.seconds
    for no_show in facts.no_shows:
        period = periods[no_show.day]
        for item in (period.service(no_show.service), *period.workers(no_show.counter_id, no_show.staff_id)):
            item.no_show += no_show.count
    return periods, _sum(periods.values())


def _merge(into: _Figures, figures: _Figures) -> None:
    into.issued += figures.issued
    into.called += figures.called
    into.served += figures.served
    into.no_show += figures.no_show
    into.waits.extend(figures.waits)
    into.wait_seconds += figures.wait_seconds
    into.wait_count += figures.wait_count
    into.service_seconds += figures.service_seconds
    into.timed += figures.timed


def _sum(periods) -> _Period:
    """Return one period holding the sum of the given ones (medians and p90 then span every ticket)."""
    total = _Period()
    for period in periods:
        for code, figures in period.services.items():
            _merge(total.service(code), figures)
        for counter_id, figures in period.counters.items():
            _merge(total.workers(counter_id, None)[0], figures)
        for staff_id, figures in period.staff.items():
            _merge(total.workers(None, staff_id)[0], figures)
        for hour, (issued, served) in period.hourly.items():
            counts = total.hour(hour)
            counts[0] += issued
            counts[1] += served
    return total


def _service_rows(period: _Period, catalog: Catalog) -> list[dict]:
    names = dict(catalog.services)
    codes = list(names) + sorted(set(period.services) - set(names))  # a service since removed from config
    rows = []
    for code in codes:
        figures = period.services.get(code) or _Figures()
        waits = sorted(figures.waits)
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "issued": figures.issued,
                "served": figures.served,
                "no_show": figures.no_show,
                "avg_wait_minutes": _round(figures.avg_wait()),
                "median_wait_minutes": _round(percentile(waits, 0.5, presorted=True)),
                "p90_wait_minutes": _round(percentile(waits, 0.9, presorted=True)),
                "avg_service_minutes": _round(figures.avg_service()),
            }
        )
    return rows


def _worker_rows(figures_by_id: dict[int, _Figures], names: dict[int, str], key: str, label: str) -> list[dict]:
    ids = [known for known in names if known in figures_by_id] + sorted(set(figures_by_id) - set(names))
    return [
        {
            key: ident,
            label: names.get(ident, str(ident)),
            "called": figures_by_id[ident].called,
            "served": figures_by_id[ident].served,
            "no_show": figures_by_id[ident].no_show,
            "avg_wait_minutes": _round(figures_by_id[ident].avg_wait()),
            "avg_service_minutes": _round(figures_by_id[ident].avg_service()),
            "service_minutes": _round(figures_by_id[ident].service_seconds / 60),
        }
        for ident in ids
    ]


def _hourly_rows(period: _Period) -> list[dict]:
    """Every hour from the first to the last with any issuing or serving (none when the day was empty)."""
    if not period.hourly:
        return []
    return [
        {"hour": hour, "issued": period.hourly.get(hour, [0, 0])[0], "served": period.hourly.get(hour, [0, 0])[1]}
        for hour in range(min(period.hourly), max(period.hourly) + 1)
    ]


def _period_json(period: _Period, catalog: Catalog) -> dict:
    services = _service_rows(period, catalog)
    return {
        "issued": sum(row["issued"] for row in services),
        "served": sum(row["served"] for row in services),
        "no_show": sum(row["no_show"] for row in services),
        "services": services,
        "hourly": _hourly_rows(period),
        "counters": _worker_rows(period.counters, dict(catalog.counters), "counter", "name"),
        "staff": _worker_rows(
            period.staff, dict(sorted(catalog.staff.items(), key=lambda item: item[1])), "staff_id", "username"
        ),
    }


def range_report(facts: Facts, first: date, last: date, catalog: Catalog) -> dict:
    """Return the report of every day from ``first`` to ``last`` (inclusive) and the totals of the period."""
    days = days_between(first, last)
    periods, total = _fold(facts, days)
    return {
        "office": catalog.office,
        "from": days[0],
        "to": days[-1],
        "days": [{"date": day, **_period_json(periods[day], catalog)} for day in days],
        "totals": _period_json(total, catalog),
    }


def daily_report(facts: Facts, day: date, catalog: Catalog) -> dict:
    """Return one day's report (docs/contract.md, ``GET /api/reports/daily``), with loket and staff figures beside it."""
    report = range_report(facts, day, day, catalog)
    return {"office": catalog.office, **report["days"][0]}
