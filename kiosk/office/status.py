"""KTP-el status use cases of the staff: change one record, mark a batch ready, hand a ready card over.

Each one commits, then announces its event (StatusChanged, CardsReady, CardHandedOver), so a notice to the
resident ("your card is ready") or a report to the regency can subscribe instead of living in a route.
The audit of who read which record stays with the route that knows the client.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kiosk.domain.errors import KioskError
from kiosk.domain.status import CARD_ISSUED, READY_FOR_PICKUP
from kiosk.office.bus import CardHandedOver, CardsReady, StatusChanged
from kiosk.storage import status as status_store
from kiosk.storage import tickets as store

if TYPE_CHECKING:
    from kiosk.office.context import Office


def _stamp(rt: Office) -> str:
    return rt.now().isoformat(timespec="seconds")


def set_status(rt: Office, nik: str, status: str, note: str, who: str) -> str | None:
    """Change an existing record's status and note; return updated or unchanged, None when there is no record."""
    change = status_store.set_status(rt.db, nik, status, note, _stamp(rt), who)
    if change is not None:
        rt.bus.emit(StatusChanged(status, change, nik))
    return change


def mark_ready(rt: Office, niks: Iterable[str], note: str, who: str) -> dict[str, str]:
    """Set many records to READY_FOR_PICKUP in one transaction; return each NIK's outcome."""
    niks = list(niks)
    outcomes = status_store.mark_ready(rt.db, niks, note, _stamp(rt), who) if niks else {}
    moved = tuple(nik for nik in niks if outcomes.get(nik) == "updated")
    if moved:
        rt.bus.emit(CardsReady(moved))
    return outcomes


def pickup_ticket(rt: Office, ticket_id: int, own_counter: int | None) -> dict[str, Any]:
    """Return the ticket a card may be handed over for: today's, called or served at ``own_counter`` (None: any
    counter, an admin), for the service offered for READY_FOR_PICKUP; else raise a 409."""
    ticket = store.get_ticket(rt.db, ticket_id)
    pickup = rt.settings.next_service.get(READY_FOR_PICKUP)
    if (
        ticket["day"] != rt.today()
        or ticket["status"] not in ("called", "serving")
        or (own_counter is not None and ticket["counter_id"] != own_counter)
    ):
        raise KioskError(
            f"Tiket {ticket['number']} tidak sedang dilayani di loket ini.", code="bad_transition", status=409
        )
    if pickup is None or ticket["service"] != pickup:
        raise KioskError(
            f"Tiket {ticket['number']} bukan antrean pengambilan KTP-el.", code="not_pickup_ticket", status=409
        )
    return ticket


def hand_over(rt: Office, nik: str, ticket: dict[str, Any], who: str) -> None:
    """Record that the resident of ``ticket`` received the ready card of ``nik``: the record becomes CARD_ISSUED."""
    note = f"Diserahkan kepada pemilik, antrean {ticket['number']}."
    status_store.set_status(rt.db, nik, CARD_ISSUED, note, _stamp(rt), who)
    rt.bus.emit(CardHandedOver(ticket["id"], ticket["number"], nik))
