"""In-process publish/subscribe that feeds the Server-Sent Events stream."""

from __future__ import annotations

import json
import logging
import queue as queue_module
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Filter = Callable[[str, dict], bool]
log = logging.getLogger(__name__)


def format_sse(event: str, data: Any, event_id: int | None = None) -> str:
    """Encode one Server-Sent Event (``id:`` only when given, so queue events do not move the resume point)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@dataclass(eq=False)
class Subscription:
    """One listener: a bounded mailbox of encoded events and an optional filter."""

    accepts: Filter | None = None
    mailbox: queue_module.Queue = field(default_factory=lambda: queue_module.Queue(maxsize=512))
    closed: bool = False

    def get(self, timeout: float) -> tuple[int | None, str] | None:
        """Wait for the next (event id, encoded event); raise queue.Empty on timeout; None means closed."""
        return self.mailbox.get(timeout=timeout)


class Publisher:
    """Fan events out to every subscriber; a subscriber too slow to keep up is closed, not buffered forever."""

    def __init__(self, coalesce_seconds: float = 0.2) -> None:
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        # Held while a snapshot is read and delivered, and while any event is delivered: a snapshot read
        # before a change committed always reaches the screens before that change's own event, never after
        # it (a stale "loket 1 is free" after "loket 1 calls A-001" would clear the call on the display).
        self._order = threading.RLock()
        self.coalesce_seconds = coalesce_seconds
        self._latest: dict[str, Callable[[], dict]] = {}
        self._latest_ready = threading.Condition()
        self._flusher: threading.Thread | None = None
        self._closing = False

    def subscribe(self, accepts: Filter | None = None) -> Subscription:
        """Register a listener and return its subscription."""
        subscription = Subscription(accepts)
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget a listener (safe to call twice)."""
        with self._lock:
            self._subscribers.discard(subscription)
        subscription.closed = True

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, event: str, data: dict, event_id: int | None = None) -> int:
        """Send an event to every matching subscriber; return how many received it."""
        encoded = format_sse(event, data, event_id)
        with self._lock:
            subscribers = list(self._subscribers)
        delivered = 0
        with self._order:  # mailboxes never block: this is held for the puts only
            for subscription in subscribers:
                if subscription.accepts and not subscription.accepts(event, data):
                    continue
                try:
                    subscription.mailbox.put_nowait((event_id, encoded))
                    delivered += 1
                except queue_module.Full:
                    self._drop(subscription)
        return delivered

    def publish_latest(self, event: str, make_data: Callable[[], dict]) -> None:
        """Publish ``event`` with data made at send time; a burst collapses into one event per interval.

        A busy kiosk issuing hundreds of tickets a second must not wake every
        display hundreds of times a second with nearly identical counts.
        """
        if not self.subscriber_count:
            return
        with self._latest_ready:
            self._latest[event] = make_data
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_latest, name="kiosk-events", daemon=True)
                self._flusher.start()
            self._latest_ready.notify()

    def _flush_latest(self) -> None:
        while True:
            with self._latest_ready:
                while not self._latest and not self._closing:
                    self._latest_ready.wait()
                if self._closing:
                    self._flusher = None
                    return
                batch, self._latest = self._latest, {}
            for event, make_data in batch.items():
                try:
                    with self._order:  # read and delivered before any event published meanwhile
                        self.publish(event, make_data())
                except Exception:  # one failed snapshot must not end live updates for the day
                    log.exception("could not publish %s event", event)
            time.sleep(self.coalesce_seconds)  # the rest of a burst collapses into the next event

    def _drop(self, subscription: Subscription) -> None:
        self.unsubscribe(subscription)
        # Wake the stream so it ends now (not at its next heartbeat); the browser reconnects
        # and catches up by Last-Event-ID. Make room first when the mailbox is full.
        try:
            subscription.mailbox.put_nowait(None)
        except queue_module.Full:
            try:
                subscription.mailbox.get_nowait()
                subscription.mailbox.put_nowait(None)
            except (queue_module.Empty, queue_module.Full):
                pass  # ``closed`` is set: the stream stops at its next wake-up anyway

    def close_all(self) -> None:
        """End every stream (server shutdown)."""
        with self._latest_ready:
            self._closing = True
            self._latest_ready.notify()
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            self._drop(subscription)


class StreamSlots:
    """Count open streams, in all and per client address, so streams never take every server thread.

    ``reserved`` of the ``limit`` slots are kept for the office's screens (displays and counters): other
    clients (a phone, a script) share the rest, so they can never push the waiting-room TV back to polling.
    """

    def __init__(self, limit: int, per_client: int, reserved: int = 0) -> None:
        self.limit = limit
        self.per_client = per_client
        self.reserved = reserved
        self._by_client: dict[str, int] = {}
        self._open = 0
        self._unreserved = 0  # streams open for clients that are not screens
        self._lock = threading.Lock()

    def take(self, client: str, screen: bool = False) -> bool:
        """Take a slot for ``client`` (a display or counter when ``screen``); False when at a cap."""
        with self._lock:
            held = self._by_client.get(client, 0)
            if self._open >= self.limit or held >= self.per_client:
                return False
            if not screen and self._unreserved >= self.limit - self.reserved:
                return False
            self._by_client[client] = held + 1
            self._open += 1
            if not screen:
                self._unreserved += 1
            return True

    def give_back(self, client: str, screen: bool = False) -> None:
        """Return a slot taken by ``client`` (with the same ``screen`` as it was taken)."""
        with self._lock:
            held = self._by_client.get(client, 0)
            if held <= 0:
                return
            if held == 1:
                del self._by_client[client]
            else:
                self._by_client[client] = held - 1
            self._open -= 1
            if not screen:
                self._unreserved = max(0, self._unreserved - 1)

    @property
    def open_count(self) -> int:
        with self._lock:
            return self._open
