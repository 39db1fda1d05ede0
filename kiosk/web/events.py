"""Live events (Server-Sent Events) and the spoken announcements of calls."""

from __future__ import annotations

import queue as queue_module

from flask import Blueprint, Response, current_app, request, stream_with_context

from kiosk import store
from kiosk.errors import NotFound
from kiosk.events import format_sse
from kiosk.web import runtime
from kiosk.present import call_json, waiting_json

bp = Blueprint("events", __name__)

REPLAY_LIMIT = 20
# A comment line (for proxies and the server's own dead-client check) plus a named
# event that pages can see: EventSource hides comments, and a display needs to notice
# a silent, half-open connection after a network drop to reconnect by itself.
HEARTBEAT = ": ping\nevent: ping\ndata: {}\n\n"


def _id_list(name: str) -> set[str] | None:
    raw = request.args.get(name, "").strip()
    return {part.strip() for part in raw.split(",") if part.strip()} or None


def _last_event_id() -> int:
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or "0"
    return int(raw) if raw.isdigit() else 0


@bp.get("/api/events")
def stream():
    """Stream ``call`` and ``queue`` events; resume after Last-Event-ID (header or ?last_event_id=)."""
    rt = runtime()
    counters, services = _id_list("counters"), _id_list("services")

    def accepts(event: str, data: dict) -> bool:
        if event != "call":
            return True
        return (counters is None or str(data["counter"]) in counters) and (
            services is None or data["service"] in services
        )

    subscription = rt.events.subscribe(accepts)  # before the replay, so nothing falls between
    last_sent = _last_event_id()
    missed = store.calls(rt.db, rt.today(), after_event=last_sent, limit=REPLAY_LIMIT) if last_sent else []
    replay = [call_json(rt, event) for event in reversed(missed)]  # oldest first
    backlog = [format_sse("call", call, call["id"]) for call in replay if accepts("call", call)]
    snapshot = format_sse("queue", {"services": waiting_json(rt)}) + format_sse("printer", {"state": rt.printer_state()})
    heartbeat = current_app.config["SSE_HEARTBEAT_SECONDS"]
    disconnected = request.environ.get("waitress.client_disconnected", lambda: False)
    replayed_up_to = missed[0]["event_id"] if missed else last_sent

    def generate():
        try:
            yield "retry: 2000\n\n"
            yield from backlog
            yield snapshot
            while not subscription.closed and not disconnected():
                try:
                    item = subscription.get(timeout=heartbeat)
                except queue_module.Empty:
                    yield HEARTBEAT
                    continue
                if item is None:
                    return
                event_id, encoded = item
                if event_id is not None and event_id <= replayed_up_to:
                    continue  # already sent in the replay
                yield encoded
        finally:
            rt.events.unsubscribe(subscription)

    return Response(
        stream_with_context(generate()),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.get("/api/announcements/<id:event_id>.wav")
def announcement_audio(event_id: int):
    """Return the spoken announcement of a call as WAV (espeak-ng), or 404 when speech is unavailable."""
    rt = runtime()
    event = store.call_event(rt.db, event_id)
    if event is None:
        raise NotFound("Panggilan tidak ditemukan.")
    audio = rt.speech.wav(call_json(rt, event)["announcement"]) if rt.speech else None
    if audio is None:
        raise NotFound("Suara tidak tersedia; halaman memakai suara peramban.", code="speech_unavailable")
    return Response(audio, mimetype="audio/wav", headers={"Cache-Control": "public, max-age=86400"})
