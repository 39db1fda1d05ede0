"""What the office does by itself every minute: expire waiting tickets after closing time, forget old
idempotency keys, purge old status traces and the phone numbers of complaints answered long enough ago, tidy
abandoned copies and run the daily backup.

A change it makes is announced on the bus (TicketsExpired) like any other; it never calls a screen or the
printer itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from kiosk.office import tickets

if TYPE_CHECKING:
    from kiosk.office.context import Office

log = logging.getLogger(__name__)


def run(rt: Office) -> int:
    """Run one round; return how many tickets expired."""
    now = rt.now()
    expired = tickets.expire_due(rt, now)
    if expired:
        log.info("expired %d waiting tickets after closing time", expired)
    from kiosk.office.bookings import housekeep as expire_bookings

    expire_bookings(rt)  # bookings past their window and grace
    tickets.forget_idempotency_keys(rt, now)
    purge_status_traces(rt)
    forget_complaint_phones(rt)
    tidy_copies(rt)
    if rt.backups is not None:
        rt.backups.run(rt.db, now)
    return expired


def tidy_copies(rt: Office) -> list[str]:
    """Remove copies killed mid-way (abandoned ``.partial`` files) beside the database and in the backup
    folder, and replaced databases beyond the newest ``REPLACED_KEEP``; return the names removed."""
    if rt.db.in_memory:
        return []
    from kiosk.storage.backup import prune_replaced, sweep_partials

    removed = sweep_partials(rt.db.path.parent)
    if rt.backups is not None:
        removed += sweep_partials(rt.backups.folder)
    return removed + [path.name for path in prune_replaced(rt.db.path)]


def purge_status_traces(rt: Office) -> dict[str, int]:
    """Delete status lookup audit entries, and records whose card was handed over (with their history),
    older than [status] retention_days."""
    from kiosk.storage import status as status_store

    before = rt.now() - timedelta(days=rt.settings.status.retention_days)
    return status_store.purge(rt.db, before.isoformat(timespec="seconds"))


def forget_complaint_phones(rt: Office) -> int:
    """Remove the phone number of complaints answered more than ``[complaints] phone_days`` ago; return how many.

    A number is kept only to call or text the resident back about the complaint: while it is open, and for the
    stated period after its answer (a follow-up question); the complaint itself, its text and answer stay.
    """
    from kiosk.storage import complaints as complaint_store

    before = rt.now() - timedelta(days=rt.settings.complaints.phone_days)
    forgotten = complaint_store.forget_phones(rt.db, before)
    if forgotten:
        log.info("removed the phone numbers of %d answered complaints", forgotten)
    return forgotten
