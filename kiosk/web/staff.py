"""Staff API: calling and moving tickets at a counter."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from kiosk import store
from kiosk.errors import BadRequest, NotFound, UnknownService
from kiosk.web import json_body, runtime
from kiosk.web.auth import staff_required
from kiosk.present import publish_call, publish_queue, ticket_json

bp = Blueprint("staff", __name__)

_ACTIONS = {"recall": "recall", "serve": "serve", "done": "done", "no-show": "no_show",
            "requeue": "requeue", "cancel": "cancel"}


def _counter(counter_id: int):
    counter = runtime().settings.counter(counter_id)
    if counter is None:
        raise NotFound(f"Loket {counter_id} tidak dikenal.", code="unknown_counter")
    return counter


@bp.post("/api/counters/<id:counter_id>/next")
@staff_required("counter")
def call_next(counter_id: int):
    """Call the next ticket for a counter (priority first, never starving regular tickets)."""
    rt = runtime()
    called = store.call_next(rt.db, _counter(counter_id), rt.now(),
                             rt.settings.queue.max_consecutive_priority, g.staff["id"])
    if called is None:
        return "", 204
    ticket, event_id = called
    publish_call(rt, event_id)
    publish_queue(rt)
    return jsonify({"ticket": ticket_json(rt, ticket)})


@bp.get("/api/counters/<id:counter_id>")
@staff_required("counter")
def counter_view(counter_id: int):
    """Return a counter's current ticket and the waiting list of its services."""
    rt = runtime()
    counter = _counter(counter_id)
    day = rt.today()
    current = store.held_ticket(rt.db, counter.id)
    return jsonify({
        "counter": {"id": counter.id, "name": counter.name, "services": list(counter.services)},
        "ticket": ticket_json(rt, current) if current else None,
        "waiting": [ticket_json(rt, t) for t in store.waiting_list(rt.db, day, counter.services)],
        "printer": rt.printer_state(),
    })


@bp.post("/api/tickets/<id:ticket_id>/<any(recall, serve, done, 'no-show', requeue, cancel):action>")
@staff_required("counter")
def act(ticket_id: int, action: str):
    """Move a ticket: recall, serve, done, no-show, requeue or cancel."""
    rt = runtime()
    ticket, event_id = store.transition(rt.db, ticket_id, _ACTIONS[action], rt.now(), g.staff["id"])
    if action == "recall":
        publish_call(rt, event_id)
    publish_queue(rt)
    return jsonify({"ticket": ticket_json(rt, ticket)})


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
    ticket = store.transfer(rt.db, ticket_id, service, rt.now(), g.staff["id"])
    publish_queue(rt)
    return jsonify({"ticket": ticket_json(rt, ticket)})


@bp.post("/api/tickets/<id:ticket_id>/reprint")
@staff_required("counter")
def reprint(ticket_id: int):
    """Queue a ticket for printing again."""
    rt = runtime()
    if rt.settings.printer.type == "none":
        raise BadRequest("Tidak ada printer yang dikonfigurasi.", code="no_printer")
    ticket = store.queue_reprint(rt.db, ticket_id, rt.now(), g.staff["id"])
    if rt.printing is not None:
        rt.printing.wake()
    return jsonify({"ticket": ticket_json(rt, ticket)})


@bp.get("/api/counters/<id:counter_id>/no-shows")
@staff_required("counter")
def counter_no_shows(counter_id: int):
    """Return today's no-shows of a counter, latest first, so staff can put one back in the queue."""
    rt = runtime()
    counter = _counter(counter_id)
    return jsonify({"tickets": [ticket_json(rt, t) for t in store.recent_no_shows(rt.db, rt.today(), counter.id)]})
