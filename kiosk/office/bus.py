"""The office's events and the in-process bus that announces them.

Every state change of the office is a use case (kiosk/office/tickets.py, services.py, settings.py ...): a
storage call that commits, then one event emitted here. Who reacts subscribes: the live screens (SSE
fan-out, kiosk/office/screens.py), the print worker, the SMS worker, the regency sender (only to wake up: its
outbox is written inside the change's own transaction, so a kill after the commit loses nothing). An event fires
whether or not anyone listens, and always after its transaction committed, so a subscriber that reads the
database sees the change; work that must survive a crash between the two belongs in that transaction instead.

A subscriber runs in the emitting thread (the request's): it must be quick, and hand slow work (printing,
a network call) to a thread of its own, as the print worker does. One that raises is logged; the request
and the other subscribers go on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Something that happened in the office (committed)."""


@dataclass(frozen=True)
class TicketIssued(Event):
    """A new number was issued (not a repeated Idempotency-Key); ``printed``: a print job was queued with it."""

    ticket_id: int
    number: str
    service: str
    day: str
    priority: bool
    printed: bool


@dataclass(frozen=True)
class TicketCalled(Event):
    """A counter called a ticket (``recall``: called again); ``event_id`` is the call's id on the live stream."""

    ticket_id: int
    number: str
    service: str
    counter_id: int
    event_id: int
    recall: bool = False


# The moves staff make at a counter (POST /api/tickets/<id>/<action>), by the store's action names.
MOVES = ("serve", "done", "no_show", "requeue", "cancel", "transfer")


@dataclass(frozen=True)
class TicketMoved(Event):
    """A ticket changed state at a counter: serve, done, no_show, requeue, cancel, or transfer to ``service``."""

    ticket_id: int
    number: str
    action: str
    status: str
    service: str
    counter_id: int | None


@dataclass(frozen=True)
class ReprintQueued(Event):
    """Staff asked for a ticket's paper again: a print job waits in the outbox."""

    ticket_id: int
    number: str


@dataclass(frozen=True)
class TicketsExpired(Event):
    """Housekeeping closed ``count`` waiting tickets past their service's closing time plus the grace."""

    count: int


@dataclass(frozen=True)
class QueueChanged(Event):
    """Today's rules changed without a ticket moving: a service closed/reopened or its quota set (``service``),
    or an extra closed date set or removed (``day``)."""

    reason: str  # "service_override", "closed_date_set", "closed_date_removed"
    service: str | None = None
    day: str | None = None


@dataclass(frozen=True)
class SettingsChanged(Event):
    """The settings screen's change ``version`` is in force now."""

    version: int


@dataclass(frozen=True)
class TestPrintQueued(Event):
    """The admin asked for a printer test page."""

    test_id: int


@dataclass(frozen=True)
class PrinterStateChanged(Event):
    """The printer's state moved: online, offline, paper_out or unknown."""

    state: str


@dataclass(frozen=True)
class StatusChanged(Event):
    """Staff set a KTP-el record's status (``change``: updated or unchanged). The NIK stays out of logs."""

    status: str
    change: str
    nik: str = field(repr=False)


@dataclass(frozen=True)
class CardsReady(Event):
    """Staff marked a batch of records READY_FOR_PICKUP; ``niks`` are those that moved now (not in logs)."""

    niks: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True)
class CardHandedOver(Event):
    """A ready KTP-el card was handed to the resident of a Pengambilan ticket (the record is CARD_ISSUED now).

    The NIK stays out of the event's text (logs): a subscriber that needs it reads ``nik``.
    """

    ticket_id: int
    number: str
    nik: str = field(repr=False)


@dataclass(frozen=True)
class SlipQueued(Event):
    """A booking slip (or a NIK's existing number again) waits in the print outbox."""


@dataclass(frozen=True)
class BookingsChanged(Event):
    """A booking for a later day was made, cancelled, checked in or expired (``day``, ``service``)."""

    day: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class DisruptionChanged(Event):
    """A disruption started or ended; ``disruption`` is its public shape ({"id", "service", "reason", ...})."""

    disruption: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ComplaintChanged(Event):
    """A complaint was received or answered (``change``); its token and text stay out of the event."""

    code: str
    change: str


E = TypeVar("E", bound=Event)
Handler = Callable[[E], None]


class EventBus:
    """Hand every emitted event to the handlers subscribed to its type (or to every event), in order."""

    def __init__(self) -> None:
        self._handlers: list[tuple[tuple[type[Event], ...], Callable[[Event], None]]] = []
        self._lock = threading.Lock()

    def subscribe(
        self, kind: type[E] | tuple[type[Event], ...] | None, handler: Callable[[E], None]
    ) -> Callable[[], None]:
        """Call ``handler`` for each event of ``kind`` (a type, a tuple of types, or None for every event);
        return a function that ends the subscription."""
        kinds = (Event,) if kind is None else kind if isinstance(kind, tuple) else (kind,)
        entry: tuple[tuple[type[Event], ...], Callable[[Event], None]] = (kinds, handler)  # type: ignore[assignment]
        with self._lock:
            self._handlers = [*self._handlers, entry]  # copy on write: emit reads without the lock

        def unsubscribe() -> None:
            with self._lock:
                self._handlers = [each for each in self._handlers if each is not entry]

        return unsubscribe

    def emit(self, event: Event) -> None:
        """Hand ``event`` to its subscribers; call only once the change is committed. Never raises."""
        for kinds, handler in self._handlers:
            if not isinstance(event, kinds):
                continue
            try:
                handler(event)
            except Exception:  # a subscriber's fault must not undo or fail what already happened
                log.exception(
                    "subscriber %s failed on %s", getattr(handler, "__qualname__", handler), type(event).__name__
                )

    @property
    def subscriber_count(self) -> int:
        return len(self._handlers)
