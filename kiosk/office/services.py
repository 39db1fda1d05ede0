"""Today's rules of the services and the office's extra closed dates, changed by the admin; each change is
committed, then announced as QueueChanged (the kiosk's buttons and the displays follow it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.office.bus import QueueChanged
from kiosk.storage import services as service_store

if TYPE_CHECKING:
    from kiosk.office.context import Office


def override_today(rt: Office, code: str, changes: dict[str, Any], staff: dict[str, Any]) -> None:
    """Close or reopen a service, or set its quota, for today only."""
    service_store.set_service_override(rt.db, rt.today(), code, changes, staff, rt.now())
    rt.bus.emit(QueueChanged("service_override", service=code))


def close_date(rt: Office, day: str, reason: str, username: str) -> tuple[dict[str, Any], bool]:
    """Close the whole office on ``day`` for ``reason``; return (the closed date, whether it is new)."""
    row, created = service_store.set_closed_date(rt.db, day, reason, username, rt.now())
    rt.bus.emit(QueueChanged("closed_date_set", day=day))
    return row, created


def reopen_date(rt: Office, day: str) -> None:
    """Open the office again on a date that was an extra closed date."""
    service_store.remove_closed_date(rt.db, day)
    rt.bus.emit(QueueChanged("closed_date_removed", day=day))
