"""Staff API: calling and moving tickets at a counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, g, jsonify

from kiosk.domain.errors import BadRequest, NotFound, OtherCounter, UnknownService
from kiosk.office import tickets
from kiosk.office.views import staff_ticket_json
from kiosk.storage import tickets as store
from kiosk.web.auth import staff_required, work_at
from kiosk.web.common import json_body, runtime

bp = Blueprint("staff", __name__)

_ACTIONS = {
    "recall": "recall",
    "serve": "serve",
    "done": "done",
    "no-show": "no_show",
    "requeue": "requeue",
    "cancel": "cancel",
}


def _counter(counter_id: int):
    counter = runtime().settings.counter(counter_id)
    if counter is None:
        raise NotFound(f"Loket {counter_id} tidak dikenal.", code="unknown_counter")
    return counter


def _scope() -> int | None:
    """Return the counter whose tickets this user may act on; None for an admin (any counter)."""
    if g.staff["role"] == "admin":
        return None
    return g.staff["counter_id"] or 0  # 0: no counter chosen yet, so no held ticket is theirs


@contextmanager
def _refusing_other_counters() -> Iterator[None]:
    """Name both counters when a ticket another counter holds is refused, so the screen can say why."""
    try:
        yield
    except OtherCounter as refused:
        settings = runtime().settings
        holder = settings.counter(refused.holder)
        own = settings.counter(g.staff["counter_id"] or 0)
        holder_name = holder.name if holder else f"Loket {refused.holder}"
        where = f"Sesi ini bekerja di {own.name}" if own else "Sesi ini belum memilih loket"
        raise OtherCounter(
            refused.number,
            refused.holder,
            (
                f"Tiket {refused.number} ditangani {holder_name}. {where}; "
                "petugas hanya dapat mengubah tiket loketnya sendiri."
            ),
        ) from None


@bp.post("/api/counters/<id:counter_id>/next")
@staff_required("counter")
def call_next(counter_id: int):
    """Call the next ticket for a counter (priority first, never starving regular tickets)."""
    rt = runtime()
    counter = _counter(counter_id)
    work_at(counter.id)
    ticket = tickets.call_next(rt, counter, g.staff["id"])
    if ticket is None:
        return "", 204
    return jsonify({"ticket": staff_ticket_json(rt, ticket)})


@bp.get("/api/counters/<id:counter_id>")
@staff_required("counter")
def counter_view(counter_id: int):
    """Return a counter's current ticket and the waiting list of its services."""
    rt = runtime()
    counter = _counter(counter_id)
    work_at(counter.id)
    day = rt.today()
    current = store.held_ticket(rt.db, counter.id)
    return jsonify(
        {
            "counter": {"id": counter.id, "name": counter.name, "services": list(counter.services)},
            "ticket": staff_ticket_json(rt, current) if current else None,
            "waiting": [staff_ticket_json(rt, t) for t in store.waiting_list(rt.db, day, counter.services)],
            "printer": rt.printer_state(),
            "served_today": store.served_today(rt.db, day, counter.id),
        }
    )


@bp.post("/api/tickets/<id:ticket_id>/<any(recall, serve, done, 'no-show', requeue, cancel):action>")
@staff_required("counter")
def act(ticket_id: int, action: str):
    """Move a ticket: recall, serve, done, no-show, requeue or cancel."""
    rt = runtime()
    with _refusing_other_counters():
        ticket = tickets.act(rt, ticket_id, _ACTIONS[action], g.staff["id"], _scope())
    return jsonify({"ticket": staff_ticket_json(rt, ticket)})


@bp.post("/api/tickets/<id:ticket_id>/transfer")
@staff_required("counter")
def transfer(ticket_id: int):
    """Move a ticket to another service's queue; it keeps its number."""
    rt = runtime()
    code = json_body().get("service")
    if not isinstance(code, str) or not code:
        raise BadRequest("Pilih layanan tujuan (field 'service').")
    service = rt.settings.service(code)
    if service is None:
        raise UnknownService(f"Layanan '{code[:40]}' tidak dikenal.")
    with _refusing_other_counters():
        ticket = tickets.transfer(rt, ticket_id, service, g.staff["id"], _scope())
    return jsonify({"ticket": staff_ticket_json(rt, ticket)})


@bp.post("/api/tickets/<id:ticket_id>/reprint")
@staff_required("counter")
def reprint(ticket_id: int):
    """Queue a ticket for printing again."""
    rt = runtime()
    if rt.settings.printer.type == "none":
        raise BadRequest("Tidak ada printer yang dikonfigurasi.", code="no_printer")
    with _refusing_other_counters():
        ticket = tickets.reprint(rt, ticket_id, g.staff["id"], _scope())
    return jsonify({"ticket": staff_ticket_json(rt, ticket)})


@bp.get("/api/counters/<id:counter_id>/no-shows")
@staff_required("counter")
def counter_no_shows(counter_id: int):
    """Return today's no-shows of a counter, latest first, so staff can put one back in the queue."""
    rt = runtime()
    counter = _counter(counter_id)
    work_at(counter.id)  # loaded together with the counter view: both answers must carry the same choice
    no_shows = store.recent_no_shows(rt.db, rt.today(), counter.id)
    return jsonify({"tickets": [staff_ticket_json(rt, t) for t in no_shows]})
