"""Store-and-forward to the regency (docs/contract.md, "Regency"): a bus subscriber and a sender thread.

The subscriber turns each committed ticket change and disruption into one outbox row (kiosk/storage/regency.py):
one INSERT in the emitting thread, after the change's own commit. The sender thread sends the oldest unsent rows
in batches (at most BATCH_EVENTS, in order) to ``<url>/regency/api/batches`` with the office key, marks them sent
on a 200, and otherwise waits 1, 2, 4 ... up to MAX_BACKOFF_SECONDS before trying again. Unsent rows stay in the
database, so a restart (or days offline) resumes where it stopped; the regency drops repeats by event id.
With nothing to send it posts an empty batch every HEARTBEAT_SECONDS, so the regency's "last contact" stays true.

Only what the regency needs leaves the office: number, service, counter, a disruption's id, service and reason.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from kiosk.office.bus import DisruptionChanged, Event, EventBus, TicketCalled, TicketIssued, TicketMoved
from kiosk.storage import regency as outbox

if TYPE_CHECKING:
    from kiosk.office.runtime import Runtime

log = logging.getLogger(__name__)

BATCH_EVENTS = 500
MAX_BACKOFF_SECONDS = 60.0
IDLE_SECONDS = 30.0  # an idle sender looks at the outbox this often even without a wake-up
TIMEOUT_SECONDS = 20.0
HEARTBEAT_SECONDS = 300.0  # an office with nothing to send still posts an empty batch this often (its last contact)
# The store's move names (kiosk/office/bus.py MOVES) as the regency's kinds; a requeue is not sent.
MOVE_KINDS = {"serve": "ticket_served", "done": "ticket_done", "no_show": "ticket_no_show",
              "cancel": "ticket_cancelled", "transfer": "ticket_transferred"}


def backoff_seconds(failures: int) -> float:
    """1 s, 2 s, 4 s ... at most MAX_BACKOFF_SECONDS after ``failures`` failed attempts in a row."""
    return min(2.0 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS)


def event_record(event: Event) -> tuple[str, dict[str, Any]] | None:
    """Return (kind, fields) of what the regency receives for ``event``, or None when it is not sent."""
    if isinstance(event, TicketIssued):
        return "ticket_issued", {"number": event.number, "service": event.service, "priority": event.priority}
    if isinstance(event, TicketCalled):
        return ("ticket_recalled" if event.recall else "ticket_called",
                {"number": event.number, "service": event.service, "counter": event.counter_id})
    if isinstance(event, TicketMoved) and event.action in MOVE_KINDS:
        return MOVE_KINDS[event.action], {"number": event.number, "service": event.service,
                                          "counter": event.counter_id}
    if isinstance(event, DisruptionChanged) and event.disruption.get("id") is not None:
        shown = event.disruption
        return "disruption", {"code": f"{shown.get('reason')}-{shown['id']}", "service": shown.get("service"),
                              "reason": shown.get("reason"), "active": shown.get("ended_at") is None}
    return None


class RegencySender:
    """The office's one sender to the regency: records events, sends them in order, reports the lag."""

    def __init__(self, runtime: "Runtime", timeout: float = TIMEOUT_SECONDS):
        self.runtime = runtime
        self.timeout = timeout
        self.failures = 0
        self.error: str | None = None  # the latest failure, for /healthz
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned_key = False
        self._contacted = float("-inf")  # monotonic time of the last batch the regency took

    @property
    def settings(self):
        return self.runtime.settings.regency

    # The subscriber: one INSERT per event, in the emitting thread

    def subscribe(self, bus: EventBus) -> Callable[[], None]:
        return bus.subscribe((TicketIssued, TicketCalled, TicketMoved, DisruptionChanged), self.record)

    def record(self, event: Event) -> None:
        found = event_record(event)
        if found is None or not self.settings.enabled:
            return
        kind, data = found
        outbox.add(self.runtime.db, kind, self.runtime.now().isoformat(timespec="milliseconds"), data)
        self._wake.set()

    # The sender thread

    def key(self) -> str | None:
        return None if self.runtime.db.in_memory else outbox.read_key(self.runtime.db.path)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-regency", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                delay = self.send_once()
            except Exception:  # a bug here must never stop the office; try again later
                log.exception("regency sender failed")
                self.failures += 1
                delay = backoff_seconds(self.failures)
            if delay > 0:
                if self.failures:  # backing off: a new event does not cut the wait short
                    self._stop.wait(delay)
                else:
                    self._wake.wait(delay)

    def send_once(self) -> float:
        """Send pending batches until the outbox is empty or a send fails; return the seconds to wait."""
        settings = self.settings
        if not settings.enabled:
            return IDLE_SECONDS
        key = self.key()
        if key is None:
            if not self._warned_key:
                log.error("regency.url is set but the office key file %s is missing or empty: nothing is sent to "
                          "the regency until it is there", outbox.key_file(self.runtime.db.path))
                self._warned_key = True
            self.error = "no_key"
            return IDLE_SECONDS
        self._warned_key = False
        while not self._stop.is_set():
            rows = outbox.pending(self.runtime.db, BATCH_EVENTS)
            if not rows and time.monotonic() - self._contacted < HEARTBEAT_SECONDS:
                self.failures, self.error = 0, None
                return IDLE_SECONDS
            problem = self._post(settings.url, settings.office_code, key, [row["event"] for row in rows])
            if problem is not None:
                self.failures += 1
                if self.error != problem:
                    log.warning("sending to the regency failed (%s); %d events wait", problem, len(rows))
                self.error = problem
                return backoff_seconds(self.failures)
            self._contacted = time.monotonic()
            self.failures, self.error = 0, None
            if not rows:  # the heartbeat: the regency knows the office is there
                return IDLE_SECONDS
            outbox.mark_sent(self.runtime.db, rows[0]["seq"], rows[-1]["seq"],
                             self.runtime.now().isoformat(timespec="seconds"))
        return 0.0

    def _post(self, url: str, office: str, key: str, events: list[dict]) -> str | None:
        """POST one batch; return None on a 200, else a short reason (never the key)."""
        body = json.dumps({"office": office, "events": events}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url + "/regency/api/batches", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
                return None if answer.status == 200 else f"HTTP {answer.status}"
        except urllib.error.HTTPError as exc:
            code = ""
            try:
                code = json.loads(exc.read() or b"{}").get("error", {}).get("code", "")
            except (ValueError, AttributeError):
                pass
            return f"HTTP {exc.code}" + (f" {code}" if code else "")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return f"unreachable: {getattr(exc, 'reason', exc)}"[:200]

    # The lag, for /healthz

    def status(self) -> dict[str, Any]:
        backlog = outbox.backlog(self.runtime.db)
        lag = 0
        if backlog["oldest_at"]:
            oldest = datetime.fromisoformat(backlog["oldest_at"])
            lag = max(0, int((self.runtime.now() - oldest).total_seconds()))
        return {"pending": backlog["pending"], "last_sent_at": backlog["last_sent_at"], "lag_seconds": lag,
                "error": "no_key" if self.key() is None else self.error}
