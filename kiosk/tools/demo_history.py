"""A few weeks of made-up office history for the demo, so the report page has something to show.

Pure: settings and dates in, tickets with their events out (``store.add_history`` writes them). The days
look like a kecamatan office's: Monday busiest, Friday short, a morning rush and a quieter afternoon, a
line that builds up when more people come than the lokets serve, some recalls and a few no-shows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from kiosk.domain import queue
from kiosk.domain.settings import Settings

# Relative number of visitors by weekday (Monday = 0); Saturday and Sunday closed.
WEEKDAY_LOAD = {0: 1.35, 1: 1.1, 2: 1.0, 3: 0.95, 4: 0.7}
# Share of the day's visitors arriving in each hour (Friday: no one after Jumatan's break ends at 14.00).
ARRIVALS = {8: 0.22, 9: 0.24, 10: 0.18, 11: 0.12, 12: 0.05, 13: 0.11, 14: 0.08}
FRIDAY_ARRIVALS = {8: 0.30, 9: 0.30, 10: 0.22, 11: 0.10, 13: 0.08}
SERVICE_SHARE = {"REKAM": 0.22, "CETAK": 0.16, "AMBIL": 0.26, "UBAH": 0.08, "IKD": 0.14, "INFO": 0.14}
SERVICE_MINUTES = {"REKAM": (4, 9), "CETAK": (2, 5), "AMBIL": (1, 3), "UBAH": (3, 8), "IKD": (3, 7), "INFO": (1, 4)}
NO_SHOW_SHARE = 0.07
VISITORS_PER_DAY = 110


@dataclass
class PastTicket:
    """A finished ticket of an earlier day and its events, each ``(at, action, from, to, counter, staff)``."""

    day: str
    service: str
    seq: int
    number: str
    priority: bool
    events: list[tuple[datetime, str, str | None, str, int | None, int | None]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.events[-1][3]

    def stamp(self, action: str) -> datetime | None:
        """Return when the ticket first took ``action``, or None."""
        return next((at for at, done, *_ in self.events if done == action), None)

    @property
    def counter_id(self) -> int | None:
        return self.events[-1][4]

    @property
    def staff_id(self) -> int | None:
        return self.events[-1][5]


def office_days(today: date, weeks: int) -> list[date]:
    """Return the weekdays of the ``weeks`` weeks before ``today`` (not today), oldest first."""
    days = [today - timedelta(days=back) for back in range(7 * weeks, 0, -1)]
    return [day for day in days if day.weekday() in WEEKDAY_LOAD]


def history(
    settings: Settings, today: date, weeks: int, staff_by_counter: dict[int, int | None], seed: int = 2026
) -> list[PastTicket]:
    """Return the tickets of ``weeks`` weeks of office days before ``today`` (seeded: the same every time)."""
    rng = random.Random(seed)
    zone = settings.office.timezone
    services = [service for service in settings.services if service.code in SERVICE_SHARE]
    counters = {
        service.code: [counter.id for counter in settings.counters if service.code in counter.services]
        for service in services
    }
    services = [service for service in services if counters[service.code]]
    if not services:
        return []
    tickets: list[PastTicket] = []
    for day in office_days(today, weeks):
        opening = datetime.combine(day, time(8, 0), zone)
        arrivals = FRIDAY_ARRIVALS if day.weekday() == 4 else ARRIVALS
        visitors = round(VISITORS_PER_DAY * WEEKDAY_LOAD[day.weekday()] * rng.uniform(0.85, 1.15))
        hours = rng.choices(list(arrivals), list(arrivals.values()), k=visitors)
        issued = sorted(opening.replace(hour=hour) + timedelta(seconds=rng.randrange(3600)) for hour in hours)
        free_at = {counter.id: opening + timedelta(minutes=10) for counter in settings.counters}
        seqs: dict[str, int] = {}
        for at in issued:
            service = rng.choices(services, [SERVICE_SHARE[service.code] for service in services])[0]
            seqs[service.code] = seqs.get(service.code, 0) + 1
            ticket = PastTicket(
                day.isoformat(),
                service.code,
                seqs[service.code],
                queue.format_number(service.prefix, seqs[service.code]),
                rng.random() < 0.08,
            )
            ticket.events.append((at, "issue", None, "waiting", None, None))
            counter = min(counters[service.code], key=lambda counter_id: free_at[counter_id])
            staff = staff_by_counter.get(counter)
            clock = max(at + timedelta(seconds=rng.randrange(30, 120)), free_at[counter])
            ticket.events.append((clock, "call", "waiting", "called", counter, staff))
            if rng.random() < 0.25:
                clock += timedelta(seconds=rng.randrange(40, 150))
                ticket.events.append((clock, "recall", "called", "called", counter, staff))
            if rng.random() < NO_SHOW_SHARE:
                clock += timedelta(seconds=rng.randrange(60, 180))
                ticket.events.append((clock, "no_show", "called", "no_show", counter, staff))
            else:
                clock += timedelta(seconds=rng.randrange(20, 90))
                ticket.events.append((clock, "serve", "called", "serving", counter, staff))
                low, high = SERVICE_MINUTES[service.code]
                clock += timedelta(minutes=rng.uniform(low, high))
                ticket.events.append((clock, "done", "serving", "done", counter, staff))
            free_at[counter] = clock + timedelta(seconds=rng.randrange(10, 60))
            tickets.append(ticket)
    return tickets
