"""Office reports, free of Flask and SQLite: figures per day, service, hour, loket and staff member.

Everything is computed from the ticket event log (``ticket_events``), read in commit order:

- issued: ``issue`` events, by the service that issued the number and the hour it was issued;
- wait: from a ticket's ``issue`` to its first ``call``, by the service that called it;
- served: ``done`` events, by service, hour, loket and staff member of the ``done``;
- service time: from the latest ``serve`` (or, when staff pressed "done" straight from "called",
  the latest call or recall, as the live wait estimate does) to ``done``;
- no-show: tickets whose latest no-show was not followed by a requeue, on the day of that no-show.

Minutes are rounded to one decimal; p90 and median use the nearest-rank method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, NamedTuple

MAX_RANGE_DAYS = 366


class Event(NamedTuple):
    """One row of the ticket event log, as much of it as a report needs."""

    ticket_id: int
    day: str  # office day, ISO
    second: int  # seconds since the epoch
    hour: int  # office-local hour 0-23
    action: str
    service: str
    counter_id: int | None
    staff_id: int | None


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
    waits: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)


@dataclass
class _Period:
    services: dict[str, _Figures] = field(default_factory=dict)
    counters: dict[int, _Figures] = field(default_factory=dict)
    staff: dict[int, _Figures] = field(default_factory=dict)
    hourly: dict[int, list[int]] = field(default_factory=dict)  # hour -> [issued, served]

    def service(self, code: str) -> _Figures:
        return self.services.get(code) or self.services.setdefault(code, _Figures())

    def counter(self, counter_id: int | None) -> _Figures | None:
        if counter_id is None:
            return None
        return self.counters.get(counter_id) or self.counters.setdefault(counter_id, _Figures())

    def member(self, staff_id: int | None) -> _Figures | None:
        if staff_id is None:
            return None
        return self.staff.get(staff_id) or self.staff.setdefault(staff_id, _Figures())

    def hour(self, hour: int) -> list[int]:
        return self.hourly.get(hour) or self.hourly.setdefault(hour, [0, 0])


@dataclass
class _Ticket:
    issued: int | None = None  # second of the issue event
    called: bool = False
    started: int | None = None  # second service started (serve, else latest call/recall)
    no_show: Event | None = None  # its latest no-show, unless requeued since


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


def _minutes(seconds: float) -> float:
    return seconds / 60


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def mean(values: list[float]) -> float | None:
    """Return the arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def percentile(values: list[float], share: float) -> float | None:
    """Return the nearest-rank percentile (``share`` 0-1) of the values, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _fold(events: Iterable[Event], days: list[str]) -> tuple[dict[str, _Period], _Period]:
    """Walk the log once, filling one period per day and one for the whole range."""
    periods = {day: _Period() for day in days}
    total = _Period()
    tickets: dict[int, _Ticket] = {}
    for event in events:
        period = periods.get(event.day)
        if period is None:  # outside the asked days (the caller fetched a little more)
            continue
        ticket = tickets.get(event.ticket_id)
        if ticket is None:
            ticket = tickets[event.ticket_id] = _Ticket()
        action = event.action
        scopes = (period, total)
        if action == "issue":
            ticket.issued = event.second
            for scope in scopes:
                scope.service(event.service).issued += 1
                scope.hour(event.hour)[0] += 1
        elif action == "call":
            ticket.started = event.second
            for scope in scopes:
                figures = [scope.counter(event.counter_id), scope.member(event.staff_id)]
                if not ticket.called and ticket.issued is not None:
                    figures.append(scope.service(event.service))
                    wait = _minutes(event.second - ticket.issued)
                    for item in figures:
                        if item is not None:
                            item.waits.append(wait)
                for item in figures[:2]:
                    if item is not None:
                        item.called += 1
            ticket.called = True
        elif action in ("recall", "serve"):  # a recall happens only before serving starts
            ticket.started = event.second
        elif action == "done":
            duration = None if ticket.started is None else _minutes(event.second - ticket.started)
            for scope in scopes:
                scope.hour(event.hour)[1] += 1
                for item in (scope.service(event.service), scope.counter(event.counter_id),
                             scope.member(event.staff_id)):
                    if item is not None:
                        item.served += 1
                        if duration is not None:
                            item.durations.append(duration)
            ticket.started = None
        elif action == "no_show":
            ticket.no_show, ticket.started = event, None
        elif action in ("requeue", "transfer"):
            ticket.no_show, ticket.started = None, None
    for ticket in tickets.values():
        event = ticket.no_show
        if event is not None:
            for scope in (periods[event.day], total):
                for item in (scope.service(event.service), scope.counter(event.counter_id),
                             scope.member(event.staff_id)):
                    if item is not None:
                        item.no_show += 1
    return periods, total


def _service_rows(period: _Period, catalog: Catalog) -> list[dict]:
    names = dict(catalog.services)
    codes = list(names) + sorted(set(period.services) - set(names))  # a service since removed from config
    rows = []
    for code in codes:
        figures = period.services.get(code) or _Figures()
        rows.append({
            "code": code,
            "name": names.get(code, code),
            "issued": figures.issued,
            "served": figures.served,
            "no_show": figures.no_show,
            "avg_wait_minutes": _round(mean(figures.waits)),
            "median_wait_minutes": _round(percentile(figures.waits, 0.5)),
            "p90_wait_minutes": _round(percentile(figures.waits, 0.9)),
            "avg_service_minutes": _round(mean(figures.durations)),
        })
    return rows


def _worker_rows(figures_by_id: dict[int, _Figures], names: dict[int, str], key: str, label: str) -> list[dict]:
    ids = [known for known in names if known in figures_by_id] + sorted(set(figures_by_id) - set(names))
    return [{
        key: ident,
        label: names.get(ident, str(ident)),
        "called": figures_by_id[ident].called,
        "served": figures_by_id[ident].served,
        "no_show": figures_by_id[ident].no_show,
        "avg_wait_minutes": _round(mean(figures_by_id[ident].waits)),
        "avg_service_minutes": _round(mean(figures_by_id[ident].durations)),
        "service_minutes": _round(sum(figures_by_id[ident].durations)),
    } for ident in ids]


def _hourly_rows(period: _Period) -> list[dict]:
    """Every hour from the first to the last with any issuing or serving (none when the day was empty)."""
    if not period.hourly:
        return []
    return [{"hour": hour, "issued": period.hourly.get(hour, [0, 0])[0], "served": period.hourly.get(hour, [0, 0])[1]}
            for hour in range(min(period.hourly), max(period.hourly) + 1)]


def _period_json(period: _Period, catalog: Catalog) -> dict:
    services = _service_rows(period, catalog)
    return {
        "issued": sum(row["issued"] for row in services),
        "served": sum(row["served"] for row in services),
        "no_show": sum(row["no_show"] for row in services),
        "services": services,
        "hourly": _hourly_rows(period),
        "counters": _worker_rows(period.counters, dict(catalog.counters), "counter", "name"),
        "staff": _worker_rows(period.staff, dict(sorted(catalog.staff.items(), key=lambda item: item[1])),
                              "staff_id", "username"),
    }


def range_report(events: Iterable[Event], first: date, last: date, catalog: Catalog) -> dict:
    """Return the report of every day from ``first`` to ``last`` (inclusive) and the totals of the period."""
    days = days_between(first, last)
    periods, total = _fold(events, days)
    return {
        "office": catalog.office,
        "from": days[0],
        "to": days[-1],
        "days": [{"date": day, **_period_json(periods[day], catalog)} for day in days],
        "totals": _period_json(total, catalog),
    }


def daily_report(events: Iterable[Event], day: date, catalog: Catalog) -> dict:
    """Return one day's report (SPEC ``GET /api/reports/daily``), with loket and staff figures beside it."""
    report = range_report(events, day, day, catalog)
    return {"office": catalog.office, **report["days"][0]}
