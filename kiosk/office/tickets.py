"""Ticket use cases: issue, call, move, transfer, reprint, expire. Each one commits, then announces its event.

The web routes (and any other caller) go through these and nothing else changes tickets; who reacts to a
change (screens, the printer, an SMS) subscribes to the bus (kiosk/office/bus.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.domain import queue
from kiosk.domain.settings import Counter, Service
from kiosk.office.bus import ReprintQueued, TicketCalled, TicketIssued, TicketMoved, TicketsExpired
from kiosk.office.disruptions import suspension_check
from kiosk.storage import tickets as store

if TYPE_CHECKING:
    from kiosk.office.context import Office

Ticket = dict[str, Any]
IDEMPOTENCY_KEY_HOURS = 48  # a kiosk retry across midnight still finds its ticket


def issue(
    rt: Office, service: Service, priority: bool, idempotency_key: str | None = None, party: Any = None
) -> tuple[Ticket, bool]:
    """Issue the next number of ``service`` (a repeated key answers the same ticket); return (ticket, created).

    ``party`` (kiosk/domain/bookings.py Party): family members, the NIK's keyed hash, an SMS phone, a booked window.
    While a disruption suspends the service, 409 service_suspended (checked in the issue's own transaction).
    """
    printed = rt.settings.printer.type != "none"
    ticket, created = store.issue_ticket(
        rt.db,
        rt.settings,
        service,
        priority,
        rt.now(),
        idempotency_key=idempotency_key,
        print_job=printed,
        party=party,
        check=suspension_check(rt, service.code),
    )
    if created:
        rt.bus.emit(
            TicketIssued(
                ticket["id"], ticket["number"], ticket["service"], ticket["day"], bool(ticket["priority"]), printed
            )
        )
    return ticket, created


def call_next(rt: Office, counter: Counter, staff_id: int | None) -> Ticket | None:
    """Call the next ticket for ``counter`` (priority first, never starving regular tickets); None: nobody waits."""
    called = store.call_next(rt.db, counter, rt.now(), rt.settings.queue.max_consecutive_priority, staff_id)
    if called is None:
        return None
    ticket, event_id = called
    rt.bus.emit(TicketCalled(ticket["id"], ticket["number"], ticket["service"], counter.id, event_id))
    return ticket


def act(rt: Office, ticket_id: int, action: str, staff_id: int | None, counter_scope: int | None) -> Ticket:
    """Apply a counter's ``action`` (recall, serve, done, no_show, requeue, cancel) to a ticket."""
    ticket, event_id = store.transition(rt.db, ticket_id, action, rt.now(), staff_id, counter_scope=counter_scope)
    if action == "recall":
        rt.bus.emit(
            TicketCalled(ticket["id"], ticket["number"], ticket["service"], ticket["counter_id"], event_id, recall=True)
        )
    else:
        rt.bus.emit(
            TicketMoved(
                ticket["id"], ticket["number"], action, ticket["status"], ticket["service"], ticket["counter_id"]
            )
        )
    return ticket


def transfer(rt: Office, ticket_id: int, service: Service, staff_id: int | None, counter_scope: int | None) -> Ticket:
    """Move a ticket to another service's queue; it keeps its number."""
    ticket = store.transfer(rt.db, ticket_id, service, rt.now(), staff_id, counter_scope=counter_scope)
    rt.bus.emit(
        TicketMoved(
            ticket["id"], ticket["number"], "transfer", ticket["status"], ticket["service"], ticket["counter_id"]
        )
    )
    return ticket


def reprint(rt: Office, ticket_id: int, staff_id: int | None, counter_scope: int | None) -> Ticket:
    """Queue a ticket's paper again."""
    ticket = store.queue_reprint(rt.db, ticket_id, rt.now(), staff_id, counter_scope=counter_scope)
    rt.bus.emit(ReprintQueued(ticket["id"], ticket["number"]))
    return ticket


def expire_due(rt: Office, now: datetime | None = None) -> int:
    """Expire waiting tickets past their service's closing time plus the grace; return how many."""
    settings, now = rt.settings, now or rt.now()

    def deadline(day: str, service_code: str) -> datetime:
        service = settings.service(service_code)
        hours = service.hours if service and service.hours else settings.office.hours
        return queue.waiting_deadline(
            hours, date.fromisoformat(day), settings.office.timezone, settings.queue.expire_grace_minutes
        )

    expired = store.expire_waiting(rt.db, now, deadline)
    if expired:
        rt.bus.emit(TicketsExpired(expired))
    return expired


def forget_idempotency_keys(rt: Office, now: datetime | None = None) -> int:
    """Forget the Idempotency-Key of tickets issued more than IDEMPOTENCY_KEY_HOURS ago."""
    return store.forget_idempotency_keys(rt.db, (now or rt.now()) - timedelta(hours=IDEMPOTENCY_KEY_HOURS))
