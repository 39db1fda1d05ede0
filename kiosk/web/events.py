"""Live events (Server-Sent Events) and the spoken announcements of calls."""

from __future__ import annotations

import queue as queue_module
import time

from flask import Blueprint, Response, current_app, request, stream_with_context

from kiosk.domain.errors import BadRequest, NotFound
from kiosk.office.publisher import StreamSlots, format_sse
from kiosk.office.views import call_json, live_queue_json
from kiosk.storage import tickets as store
from kiosk.web.auth import current_staff
from kiosk.web.common import error_response, runtime

bp = Blueprint("events", __name__)

REPLAY_LIMIT = 20
# A comment line (for proxies and the server's own dead-client check) plus a named
# event that pages can see: EventSource hides comments, and a display needs to notice
# a silent, half-open connection after a network drop to reconnect by itself.
HEARTBEAT = ": ping\nevent: ping\ndata: {}\n\n"
RETRY_AFTER_SECONDS = 20  # a refused page polls /api/queue meanwhile
DISCONNECT_CHECK_SECONDS = 1.0  # how soon a closed client's stream ends and frees its thread


@bp.record_once
def _stream_slots(state) -> None:
    """Give the app its stream counter, sized by ``[server] max_streams``, ``max_streams_per_client`` and
    ``reserved_streams``."""
    server = state.app.extensions["kiosk"].settings.server
    state.app.extensions["kiosk.streams"] = StreamSlots(
        server.max_streams, server.max_streams_per_client, server.reserved_streams
    )


SCREENS = ("display", "counter")  # ?screen= of the pages that may use the reserved slots


def _is_screen() -> bool:
    """Tell whether the stream is for a waiting-room display (``?screen=display``) or a staff screen
    (``?screen=counter`` with a staff session): those may use ``[server] reserved_streams``."""
    screen = request.args.get("screen")
    if screen == "display":
        return True
    return screen == "counter" and current_staff() is not None


def _id_list(name: str) -> set[str] | None:
    raw = request.args.get(name, "").strip()
    return {part.strip() for part in raw.split(",") if part.strip()} or None


_MAX_EVENT_ID = 2**63 - 1  # SQLite's INTEGER range


def _last_event_id() -> int | None:
    """Return the resume point (None: none given): ASCII digits within SQLite's range, else a 400 (never a 500,
    never a stream). 0 is a resume point too: a display that knew of no call yet gets every call since."""
    raw = request.headers.get("Last-Event-ID")
    if raw is None:
        raw = request.args.get("last_event_id", "")
    raw = raw.strip(" ")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) <= _MAX_EVENT_ID):
        raise BadRequest("Last-Event-ID harus berupa angka id peristiwa (0 sampai 9223372036854775807).")
    return int(raw)


@bp.get("/api/events")
def stream():
    """Stream ``call`` and ``queue`` events; resume after Last-Event-ID (header or ?last_event_id=)."""
    rt = runtime()
    counters, services = _id_list("counters"), _id_list("services")
    last_sent = _last_event_id()  # refused before anything is held for this client
    slots: StreamSlots = current_app.extensions["kiosk.streams"]
    client = request.remote_addr or "?"
    screen = _is_screen()
    if not slots.take(client, screen):
        refused = error_response(
            "too_many_streams",
            "Terlalu banyak layar yang tersambung langsung. Halaman tetap diperbarui secara berkala; "
            f"sambungan langsung dicoba lagi dalam {RETRY_AFTER_SECONDS} detik.",
            503,
        )
        refused.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return refused

    def accepts(event: str, data: dict) -> bool:
        if event != "call":
            return True
        return (counters is None or str(data["counter"]) in counters) and (
            services is None or data["service"] in services
        )

    heartbeat = current_app.config["SSE_HEARTBEAT_SECONDS"]
    disconnected = request.environ.get("waitress.client_disconnected", lambda: False)

    def generate():
        # Everything held for this client is taken here, inside the generator's own try/finally:
        # a HEAD request or a client gone before the first byte never starts it, so holds nothing.
        subscription = None
        try:
            subscription = rt.events.subscribe(accepts)  # before the replay, so nothing falls between
            missed = (
                store.calls(rt.db, rt.today(), after_event=last_sent, limit=REPLAY_LIMIT)
                if last_sent is not None
                else []
            )
            replayed_up_to = missed[0]["event_id"] if missed else (last_sent or 0)
            yield "retry: 2000\n\n"
            for call in (call_json(rt, event) for event in reversed(missed)):  # oldest first
                if accepts("call", call):
                    yield format_sse("call", call, call["id"])
            yield format_sse("queue", live_queue_json(rt))
            yield format_sse("printer", {"state": rt.printer_state()})
            yield format_sse("settings", {"version": rt.settings_version})  # a page that missed a change reloads
            quiet_since = time.monotonic()
            while not subscription.closed and not disconnected():
                try:
                    item = subscription.get(timeout=min(heartbeat, DISCONNECT_CHECK_SECONDS))
                except queue_module.Empty:
                    if time.monotonic() - quiet_since >= heartbeat:
                        quiet_since = time.monotonic()
                        yield HEARTBEAT
                    continue
                if item is None:
                    return
                event_id, encoded = item
                if event_id is not None and event_id <= replayed_up_to:
                    continue  # already sent in the replay
                quiet_since = time.monotonic()
                yield encoded
        finally:
            if subscription is not None:
                rt.events.unsubscribe(subscription)

    response = Response(
        stream_with_context(generate()),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    # The server closes every answer it started, streamed or not (HEAD, a client gone early): the slot
    # goes back exactly once, there.
    response.call_on_close(lambda: slots.give_back(client, screen))
    return response


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
