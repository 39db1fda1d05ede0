"""Turn store rows into the JSON shapes of the contract (docs/contract.md) (TICKET, CALL, queue); publishing is the screens' subscriber's."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import date, datetime
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any

from kiosk.domain import queue
from kiosk.domain.announce import announcement_text
from kiosk.office.disruptions import suspensions
from kiosk.storage import services as service_store
from kiosk.storage import tickets as store

if TYPE_CHECKING:
    from kiosk.office.context import Office

QUEUE_CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class TicketView:
    """A ticket as residents and staff see it: its row plus names, place in the queue and wait estimate.

    The JSON answers (``as_json``) and the printed paper (kiosk/office/printing.py) are both made from it.
    """

    id: int
    token: str
    number: str
    service: str
    service_name: str
    service_name_en: str | None  # [[services]] name_en, or None
    priority: bool
    status: str
    issued_at: str
    called_at: str | None
    counter: int | None
    counter_name: str | None
    ahead: int
    estimated_wait_minutes: int
    track_url: str
    print_status: str
    members: int  # people of one Kartu Keluarga on this number
    booked: bool  # checked in from a booking for a later day

    def as_json(self) -> dict[str, Any]:
        """Return the TICKET shape of the contract (plus service and counter names for screens), in the contract's order."""
        return {name: getattr(self, name) for name in _TICKET_FIELDS}


def ticket_view(rt: Office, ticket: dict[str, Any]) -> TicketView:
    """Return the view of a ticket row (the store's ticket columns)."""
    settings = rt.settings
    # One query; a family's number counts each member in ``people``.
    figures = getattr(ticket, "wait_figures", None)  # read in the issue's own transaction (store.IssuedTicket)
    if figures is None:
        figures = store.wait_figures(rt.db, ticket, settings.queue.default_service_minutes)
    ahead, people, average = figures
    wait = 0
    if ticket["status"] == "waiting":
        # The ticket itself is served after everyone ahead has been.
        wait = queue.estimate_wait_minutes(people, settings.counters_for(ticket["service"]), average)
    service = settings.service(ticket["service"])
    counter = settings.counter(ticket["counter_id"]) if ticket["counter_id"] is not None else None
    return TicketView(
        id=ticket["id"],
        token=ticket["token"],
        number=ticket["number"],
        service=ticket["service"],
        service_name=service.name if service else ticket["service"],
        service_name_en=service.name_en if service else None,
        priority=bool(ticket["priority"]),
        status=ticket["status"],
        issued_at=ticket["issued_at"],
        called_at=ticket["called_at"],
        counter=ticket["counter_id"],
        counter_name=counter.name if counter else None,
        ahead=ahead,
        estimated_wait_minutes=wait,
        track_url=f"{settings.office.public_url}/t/{ticket['token']}",
        print_status=ticket["print_status"],
        members=ticket.get("members", 1),
        booked=ticket.get("booked_at") is not None,
    )


_TICKET_FIELDS = tuple(item.name for item in fields(TicketView))


def ticket_json(rt: Office, ticket: dict[str, Any]) -> dict[str, Any]:
    """Return the TICKET shape of the contract (plus service and counter names for screens)."""
    return ticket_view(rt, ticket).as_json()


STAFF_HIDDEN = ("token", "track_url")  # the resident's own: whoever holds them may answer the survey as them


def staff_ticket_json(rt: Office, ticket: dict[str, Any]) -> dict[str, Any]:
    """Return TICKET as staff see it: everything but the token and the track URL (staff must not grade themselves)."""
    answer = ticket_json(rt, ticket)
    for key in STAFF_HIDDEN:
        del answer[key]
    return answer


def public_ticket_json(ticket: dict[str, Any]) -> dict[str, Any]:
    """Return the PUBLIC_TICKET shape of the contract: what anyone may see (never the token, id or track URL)."""
    return {
        "number": ticket["number"],
        "service": ticket["service"],
        "status": ticket["status"],
        "counter": ticket["counter_id"],
        "called_at": ticket["called_at"],
    }


def call_json(rt: Office, event: dict[str, Any]) -> dict[str, Any]:
    """Return the CALL shape of the contract (plus the event id, the spoken sentence and its audio URL)."""
    counter = rt.settings.counter(event["counter_id"])
    counter_name = counter.name if counter else f"Loket {event['counter_id']}"
    return {
        "id": event["event_id"],
        "number": event["number"],
        "service": event["service"],
        "counter": event["counter_id"],
        "counter_name": counter_name,
        "called_at": event["called_at"],
        "recall": event["action"] == "recall",
        "announcement": announcement_text(event["number"], counter_name, rt.settings.queue.announcement),
        "audio_url": f"/api/announcements/{event['event_id']}.wav",
    }


def services_json(rt: Office) -> list[dict[str, Any]]:
    """Return every service with its availability now and its waiting count."""
    day, now = rt.today(), rt.now()
    overrides = service_store.service_overrides(rt.db, day)
    issued = store.issued_counts(rt.db, day)
    waiting = store.waiting_counts(rt.db, day)
    closed_dates = {date.fromisoformat(d): reason for d, reason in service_store.closed_dates(rt.db, day).items()}
    suspended = suspensions(rt)
    result = []
    for service in rt.settings.services:
        state = queue.service_availability(
            rt.settings.office, service, now, overrides.get(service.code), issued.get(service.code, 0), closed_dates
        )
        stopped = suspended.get(service.code)
        if stopped is not None and state.open:  # a disruption stops issuing until staff end it
            state = queue.Availability(False, "suspended", f"Layanan dihentikan sementara: {stopped['label']}.")
        opens = None
        if not state.open and stopped is None:  # a disruption has no known end: no "Buka kembali ..."
            opens = queue.next_opening(
                now,
                service.hours or rt.settings.office.hours,
                rt.settings.office.observe_national_holidays,
                closed_dates,
                from_tomorrow=state.reason in ("closed_by_staff", "quota_reached"),
            )
        result.append(
            {
                "code": service.code,
                "name": service.name,
                "name_en": service.name_en,
                "prefix": service.prefix,
                "open": state.open,
                "waiting": waiting.get(service.code, 0),
                "reason": state.reason,
                "message": state.message,
                "opens_at": opens.isoformat(timespec="minutes") if opens else None,
                "reopens": queue.reopen_text(now, opens),  # "Buka kembali Senin, 08.00."
                "suspended": stopped,  # the disruption covering it now (docs/contract.md, "Later days ..."), or null
                # what to bring, asked on the kiosk before a number is spent; and whether a later day can be booked
                "requirements": list(service.requirements),
                "requirements_en": list(service.requirements_en or service.requirements),
                "later_day": service.booking_quota > 0,
                "one_per_nik": service.one_per_nik,  # the kiosk asks the NIK (and how many people of one KK)
            }
        )
    return result


def waiting_json(rt: Office) -> list[dict[str, Any]]:
    """Return the waiting count of every configured service (zero included)."""
    waiting = store.waiting_counts(rt.db, rt.today())
    return [{"code": s.code, "waiting": waiting.get(s.code, 0)} for s in rt.settings.services]


def counters_json(rt: Office) -> list[dict[str, Any]]:
    """Return every counter with the ticket it has called or serves now (PUBLIC_TICKET), or None."""
    current = store.current_tickets(rt.db, rt.today())
    return [
        {
            "id": counter.id,
            "name": counter.name,
            "ticket": public_ticket_json(current[counter.id]) if counter.id in current else None,
        }
        for counter in rt.settings.counters
    ]


def live_queue_json(rt: Office) -> dict[str, Any]:
    """Return the body of the live ``queue`` event: waiting counts and what each counter holds."""
    return {"services": waiting_json(rt), "counters": counters_json(rt)}


def office_state_json(rt: Office) -> dict[str, Any]:
    """Return whether the office is open now by its hours, holidays and closed dates, and when that changes.

    ``{"open": true, "closes_at": ISO|null}`` or ``{"open": false, "opens_at": ISO|null}``: the waiting-room
    display says "Kantor tutup — buka kembali Senin 08.00" instead of an old call.
    """
    now, office = rt.now(), rt.settings.office
    closed_dates = {
        date.fromisoformat(d): reason for d, reason in service_store.closed_dates(rt.db, rt.today()).items()
    }
    state = queue.availability(now, office.hours, office.observe_national_holidays, closed_dates=closed_dates)
    if state.open:
        closes = office.hours[queue.WEEKDAYS[now.weekday()]].closes
        closes_at = None if closes in (None, clock_time.max) else datetime.combine(now.date(), closes, now.tzinfo)
        return {"open": True, "closes_at": closes_at.isoformat(timespec="minutes") if closes_at else None}
    opens = queue.next_opening(now, office.hours, office.observe_national_holidays, closed_dates)
    return {"open": False, "opens_at": opens.isoformat(timespec="minutes") if opens else None}


def queue_json(rt: Office) -> dict[str, Any]:
    """Return the queue overview of the contract (public: tickets in the PUBLIC_TICKET shape) and the office's state."""
    day = rt.today()
    return {
        "office": office_state_json(rt),
        "services": waiting_json(rt),
        "counters": counters_json(rt),
        "recent_calls": [call_json(rt, event) for event in _latest_per_number(store.calls(rt.db, day, limit=30))],
    }


def cached_queue_json(rt: Office) -> dict[str, Any]:
    """Return the queue overview, reusing it until the queue changes (or 2 s pass, for other processes' writes).

    A hundred phones polling the same overview must not cost a hundred sets of queries.
    """
    cached = rt.queue_cache
    if cached and cached[0] == rt.state_version and time.monotonic() - cached[1] < QUEUE_CACHE_SECONDS:
        return cached[2]
    version = rt.state_version
    body = queue_json(rt)
    rt.queue_cache = (version, time.monotonic(), body)
    return body


def _latest_per_number(events: list[dict[str, Any]], limit: int = 5) -> list[dict[str, Any]]:
    """Keep the newest call of each number (a recall must not push other numbers off the board)."""
    seen: set[str] = set()
    latest = []
    for event in events:
        if event["number"] not in seen:
            seen.add(event["number"])
            latest.append(event)
    return latest[:limit]
