"""The live screens' subscriber: turn office events into the Server-Sent Events of /api/events.

Displays, counters and phones follow ``call``, ``queue``, ``printer`` and ``settings`` events. When no
screen is connected the publisher drops queue snapshots at once (nothing to build them for); the bus
still announced the event to every other subscriber.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.office.bus import (
    BookingsChanged,
    ComplaintChanged,
    DisruptionChanged,
    Event,
    EventBus,
    PrinterStateChanged,
    QueueChanged,
    SettingsChanged,
    TicketCalled,
    TicketIssued,
    TicketMoved,
    TicketsExpired,
)
from kiosk.office.views import call_json, live_queue_json
from kiosk.storage import tickets as store

if TYPE_CHECKING:
    from kiosk.office.context import Office

# Events that change waiting counts or what a counter holds (or the rules that decide them).
QUEUE_EVENTS = (
    TicketIssued,
    TicketCalled,
    TicketMoved,
    TicketsExpired,
    QueueChanged,
    SettingsChanged,
    BookingsChanged,
    DisruptionChanged,
)  # the services list and queue overview change with these


def subscribe(bus: EventBus, rt: Office) -> None:
    """Keep the queue overview's cache fresh and feed every open stream from ``bus``."""

    def queue_changed(event: Event) -> None:
        rt.state_version += 1  # the /api/queue cache: whether or not a screen listens

    def to_screens(event: Event) -> None:
        if isinstance(event, TicketCalled) and rt.events.subscriber_count:  # no stream: nothing to build it for
            call = store.call_event(rt.db, event.event_id)
            if call is not None:  # the event id lets a display resume after a drop
                rt.events.publish("call", call_json(rt, call), event_id=event.event_id)
        elif isinstance(event, SettingsChanged):
            rt.events.publish("settings", {"version": event.version})
        elif isinstance(event, PrinterStateChanged):
            rt.events.publish("printer", {"state": event.state})
        elif isinstance(event, DisruptionChanged):
            rt.events.publish("disruption", event.disruption)
        elif isinstance(event, BookingsChanged):
            rt.events.publish("bookings", {"date": event.day, "service": event.service})
        elif isinstance(event, ComplaintChanged):  # no content: an open inbox asks for its list again
            rt.events.publish("complaints", {"change": event.change})
        if isinstance(event, QUEUE_EVENTS):  # bursts coalesce into one event per 0.2 s
            rt.events.publish_latest("queue", lambda: live_queue_json(rt))

    bus.subscribe(QUEUE_EVENTS, queue_changed)
    bus.subscribe((*QUEUE_EVENTS, PrinterStateChanged, ComplaintChanged), to_screens)
