"""The one place the later-day and disruption use cases announce a committed change, on the office's event bus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.office import bus

if TYPE_CHECKING:
    from kiosk.office.context import Office


def announce(
    rt: Office,
    event: str | None = None,
    data: dict[str, Any] | None = None,
    queue: bool = False,
    printer: bool = False,
) -> None:
    """Announce a committed change on the office's event bus: a print job waiting (slip or reprint), the queue
    changed, a booking or a disruption changed. The print worker, the screens' streams and the SMS channel
    are subscribers; this is the one place these use cases announce from."""
    if printer:
        rt.bus.emit(bus.SlipQueued())
    if queue:
        rt.bus.emit(bus.QueueChanged(reason="bookings"))
    if event == "disruption":
        rt.bus.emit(bus.DisruptionChanged(dict(data or {})))
    elif event == "bookings":
        rt.bus.emit(bus.BookingsChanged((data or {}).get("date"), (data or {}).get("service")))
    elif event is not None:
        raise ValueError(f"unknown announcement {event!r}")
