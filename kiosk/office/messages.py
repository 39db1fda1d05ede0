"""Messages to residents who asked for them, whatever the channel: "3 nomor lagi", "dipanggil ke Loket N",
the reminder the evening before a booking, a disruption that touches their number or their booking, and the
answer to a complaint that left a phone number.

A channel (SMS today; WhatsApp could follow where an office has internet) takes a contact and a text
and answers for delivering it. The office's events reach :meth:`ResidentMessages.on_event` through
:func:`connect_office_events`, the one place that knows how events are published.
"""

from __future__ import annotations

import logging
import queue as queue_module
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from kiosk.domain import bookings as booking_rules
from kiosk.domain import complaints as complaint_rules
from kiosk.domain import sms as rules
from kiosk.office import bus
from kiosk.office.sms_bookings import short_day
from kiosk.office.views import ticket_json
from kiosk.storage import complaints as complaint_store
from kiosk.storage import sms as sms_store

if TYPE_CHECKING:
    from kiosk.office.context import Office

log = logging.getLogger(__name__)

NEAR_AHEAD = 3  # "3 nomor lagi": this many (or fewer) people ahead
EVENTS = ("call", "queue", "disruption", "complaint")  # what a resident may hear of (see MESSAGE_EVENTS)
# Changes heard within this many seconds of the last look are handled together (each look reads today's
# opt-ins and the line ahead of each): a message goes out at most this much later, as the screens' queue
# event does (kiosk/office/publisher.py).
LOOK_SECONDS = 0.2


class Channel(Protocol):
    """A way to reach a resident (SMS: a phone number)."""

    name: str

    def send(
        self, contact: str, text: str, kind: str, dedupe: str | None = None, ticket_id: int | None = None
    ) -> int | None:
        """Commit a message for delivery; return its id, or None when ``dedupe`` was used before."""


class ResidentMessages:
    """Turns the office's events into opt-in messages for today's tickets, through ``channel``."""

    def __init__(self, rt: Office, channel: Channel):
        self.rt = rt
        self.channel = channel

    def on_event(self, event: str, data: dict | None = None) -> int:
        """Handle one office event (a call, a queue change); return how many messages were committed."""
        if event not in EVENTS:
            return 0
        if event == "disruption":
            return self.notify_disruption(data or {}) + self.notify_bookings_disrupted(data or {})
        if event == "complaint":
            return self.notify_complaint(data or {})
        return self.notify_queue()

    def notify_complaint(self, change: dict) -> int:
        """Send a complaint's answer to the phone number its resident left, once; return 1 when committed."""
        if change.get("change") != "answered" or not isinstance(change.get("code"), str):
            return 0
        complaint = complaint_store.get_by_code(self.rt.db, change["code"])
        if not complaint["phone"] or complaint["status"] != "answered":
            return 0
        url = f"{self.rt.settings.office.public_url}/c/{complaint['token']}"
        text = complaint_rules.answer_sms(complaint["code"], complaint["answer"], url, complaint["lapor_ref"])
        sent = self.channel.send(complaint["phone"], text, "complaint", f"complaint:{complaint['code']}")
        return 0 if sent is None else 1

    def notify_disruption(self, disruption: dict) -> int:
        """Tell opted-in residents waiting for an affected service (all when ``service`` is null), once each.

        ``disruption`` is the contract's shape ({"id", "service", "label", ...}); its end is published as the same
        event and sends nothing more (one message per disruption and ticket).
        """
        rt = self.rt
        if not isinstance(disruption.get("id"), int):
            return 0
        sms_store.adopt_ticket_phones(rt.db, rt.today(), rt.now())
        sent = 0
        for row in sms_store.optins(rt.db, rt.today()):
            if row["status"] != "waiting" or disruption.get("service") not in (None, row["service"]):
                continue
            service = rt.settings.service(row["service"])
            text = rules.render(
                rules.DISRUPTED,
                number=row["number"],
                service=service.name if service else row["service"],
                label=str(disruption.get("label") or disruption.get("reason") or "gangguan")[:60],
            )
            if (
                self.channel.send(
                    row["phone"], text, "disruption", f"disruption:{disruption['id']}:{row['id']}", row["id"]
                )
                is not None
            ):
                sent += 1
        return sent

    def notify_bookings_disrupted(self, disruption: dict) -> int:
        """Tell the holders of bookings that a disruption going on now touches, once per disruption and booking.

        Touched: a booking of the service (any service when ``service`` is null) whose window starts before the
        disruption's expected end, or, when it has none, a booking of today or tomorrow (those about to travel).
        """
        rt = self.rt
        if not isinstance(disruption.get("id"), int) or disruption.get("ended_at"):
            return 0
        zone = rt.settings.office.timezone
        today = rt.now().date()
        until = None
        if disruption.get("until"):
            until = datetime.fromisoformat(str(disruption["until"]))
            until = until if until.tzinfo else until.replace(tzinfo=zone)
        last = until.astimezone(zone).date() if until else today + timedelta(days=1)
        sent = 0
        for row in sms_store.bookings_with_phones(
            rt.db, today.isoformat(), last.isoformat(), disruption.get("service")
        ):
            day = date.fromisoformat(row["day"])
            start, _, _ = booking_rules.window_bounds(day, row["slot_start"], row["slot_end"], zone, 0, 0)
            if until is not None and until <= start:
                continue  # over before the resident comes
            text = rules.render(
                rules.BOOKING_DISRUPTION_NOTICE,
                code=row["code"],
                service=row["service"],
                day=short_day(day),
                window=f"{row['slot_start']}-{row['slot_end']}".replace(":", "."),
                label=str(disruption.get("label") or disruption.get("reason") or "gangguan")[:60],
            )
            if (
                self.channel.send(row["phone"], text, "disruption", f"disruption:{disruption['id']}:b{row['id']}")
                is not None
            ):
                sent += 1
        return sent

    def notify_reminders(self) -> int:
        """From ``[sms] reminder_time`` on, remind tomorrow's bookings that hold a phone, once each.

        A booking made after that time already had its answer this evening and is not reminded. The channel
        holds a reminder back during quiet hours (the server was off at the reminder time, say).
        """
        rt = self.rt
        when = rt.settings.sms.reminder_time
        if not when:
            return 0
        now = rt.now()
        if now.strftime("%H:%M") < when:
            return 0
        since = now.replace(hour=int(when[:2]), minute=int(when[3:]), second=0, microsecond=0)
        tomorrow = now.date() + timedelta(days=1)
        sent = 0
        for row in sms_store.bookings_to_remind(rt.db, tomorrow.isoformat()):
            if datetime.fromisoformat(row["created_at"]) >= since:
                continue
            text = rules.render(
                rules.BOOKING_REMINDER,
                day=short_day(tomorrow),
                service=row["service"],
                office=rt.settings.office.name,
                code=row["code"],
                window=booking_rules.window_text(row["slot_start"], row["slot_end"]),
            )
            if self.channel.send(row["phone"], text, "reminder", f"reminder:{row['id']}") is not None:
                sent += 1
        return sent

    def notify_queue(self) -> int:
        """Send "near" and "called" messages due for today's opted-in tickets (each at most once).

        A phone given with the ticket itself (or kept with its booking) counts as opted in.
        """
        rt = self.rt
        sms_store.adopt_ticket_phones(rt.db, rt.today(), rt.now())
        sent = 0
        for row in sms_store.optins(rt.db, rt.today()):
            ticket = {key: row[key] for key in row if key not in ("ticket_id", "phone", "near_sent", "called_sent")}
            if row["status"] in ("called", "serving") and not row["called_sent"]:
                counter = rt.settings.counter(row["counter_id"]) if row["counter_id"] is not None else None
                text = rules.render(
                    rules.CALLED,
                    number=row["number"],
                    counter=counter.name if counter else f"loket {row['counter_id']}",
                )
                if row["status"] == "called":
                    self.channel.send(row["phone"], text, "called", f"called:{row['id']}", row["id"])
                    sent += 1
                sms_store.mark_optin(rt.db, row["id"], "called_sent")
                sms_store.mark_optin(rt.db, row["id"], "near_sent")
                continue
            if row["status"] == "waiting" and not row["near_sent"]:
                ahead = ticket_json(rt, ticket)["ahead"]
                if ahead <= NEAR_AHEAD:
                    text = rules.render(rules.NEAR, number=row["number"], office=rt.settings.office.name)
                    self.channel.send(row["phone"], text, "near", f"near:{row['id']}", row["id"])
                    sms_store.mark_optin(rt.db, row["id"], "near_sent")
                    sent += 1
        return sent


def connect_office_events(rt: Office, handler: Callable[[str, dict], object]) -> Callable[[], None]:
    """Feed the office's events to ``handler(event, data)`` on a thread of its own; return a function ending it.

    The one hook-up to the office's events: a subscriber of the event bus (it hears every committed change,
    whether or not a screen is connected), handing off to its own thread so that a call never waits for SMS work.
    """
    pending: queue_module.SimpleQueue = queue_module.SimpleQueue()
    stop = threading.Event()

    def heard(event: bus.Event) -> None:
        pending.put(_translate(event))

    unsubscribe = rt.bus.subscribe(MESSAGE_EVENTS, heard)

    def run() -> None:
        looked = -LOOK_SECONDS  # when the last batch was handled (monotonic)
        while not stop.is_set():
            try:
                items = [pending.get(timeout=1.0)]
            except queue_module.Empty:
                continue
            if items[0] is not None:  # kiosks issuing back to back: one look per LOOK_SECONDS at most
                stop.wait(looked + LOOK_SECONDS - time.monotonic())
            while True:  # everything heard meanwhile (many kiosks issuing at once)
                try:
                    items.append(pending.get_nowait())
                except queue_module.Empty:
                    break
            for item in _collapsed(items):
                if item is None:
                    return
                event, data = item
                try:
                    handler(event, data)
                except Exception:  # one failed message must not end notifications for the day
                    log.exception("resident messages: handling a %s event failed", event)
            looked = time.monotonic()

    thread = threading.Thread(target=run, name="kiosk-resident-messages", daemon=True)
    thread.start()

    def disconnect() -> None:
        unsubscribe()
        stop.set()
        pending.put(None)
        thread.join(timeout=5)

    return disconnect


# What may change a resident's place in the line (a call, a move, expiry, a service closing), and complaints.
MESSAGE_EVENTS = (
    bus.TicketIssued,
    bus.TicketCalled,
    bus.TicketMoved,
    bus.TicketsExpired,
    bus.QueueChanged,
    bus.DisruptionChanged,
    bus.ComplaintChanged,
)


def _collapsed(items: list) -> list:
    """Drop an item that repeats the one before it: a queue change heard ten times in a row is one look at the
    queue (each look reads the whole of today's opt-ins and the line ahead of each)."""
    kept: list = []
    for item in items:
        if not kept or item is None or item != kept[-1]:
            kept.append(item)
    return kept


def _translate(event: bus.Event) -> tuple[str, dict]:
    """Name a bus event as ResidentMessages.on_event knows it."""
    if isinstance(event, bus.TicketCalled):
        return "call", {"ticket_id": event.ticket_id}
    if isinstance(event, bus.DisruptionChanged):
        return "disruption", dict(event.disruption)
    if isinstance(event, bus.ComplaintChanged):
        return "complaint", {"code": event.code, "change": event.change}
    return "queue", {}
