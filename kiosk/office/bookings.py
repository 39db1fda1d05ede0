"""Use cases of later days and disruptions: a storage call, then one announcement (see ``announce``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.office.runtime import Runtime


def announce(rt: Runtime, event: str | None = None, data: dict[str, Any] | None = None, queue: bool = False,
             printer: bool = False) -> None:
    """Tell the rest of the office about a change: wake the printer, refresh queue counts, publish an event.

    The one place these use cases reach the printer and the live streams, so it can move onto an event bus.
    """
    from kiosk.office.views import publish_queue

    if printer and rt.printing is not None:
        rt.printing.wake()
    if queue:
        publish_queue(rt)
    if event is not None:
        rt.state_version += 1  # the cached queue overview and services list are stale now
        rt.events.publish(event, data or {})
