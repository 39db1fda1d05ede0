"""In-process publish/subscribe that feeds the Server-Sent Events stream."""

from __future__ import annotations

import json
import queue as queue_module
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

Filter = Callable[[str, dict], bool]


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

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()

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
        for subscription in subscribers:
            if subscription.accepts and not subscription.accepts(event, data):
                continue
            try:
                subscription.mailbox.put_nowait((event_id, encoded))
                delivered += 1
            except queue_module.Full:
                self._drop(subscription)
        return delivered

    def _drop(self, subscription: Subscription) -> None:
        self.unsubscribe(subscription)
        try:  # wake the stream so it ends; the browser reconnects and catches up by Last-Event-ID
            subscription.mailbox.get_nowait()
            subscription.mailbox.put_nowait(None)
        except (queue_module.Empty, queue_module.Full):
            pass

    def close_all(self) -> None:
        """End every stream (server shutdown)."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            self._drop(subscription)
