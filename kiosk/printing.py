"""Drain the print outbox: one worker thread owns the printer, sends jobs in order, retries with backoff.

Issuing never waits for paper: the ticket and its print job are committed
together, then this worker prints. A printer that is offline, out of paper or
stalled only delays printing; staff see its state at /healthz and on /counter.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from escpos.exceptions import Error as EscposError

from kiosk import store
from kiosk.present import ticket_json
from printer import PrinterError, TicketPrint, close_printer, open_printer, print_ticket, printer_state

if TYPE_CHECKING:
    from kiosk.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
IDLE_CHECK_SECONDS = 10.0
# Faults a printer can raise mid-job (see TOOLCHAIN.md): never let them kill the worker.
PRINT_FAULTS = (PrinterError, EscposError, OSError, TimeoutError, ValueError)


def backoff_seconds(attempts: int) -> float:
    """Return the wait before retry number ``attempts`` (1 s, 2 s, 4 s ... at most 30 s)."""
    return min(2.0 ** max(attempts, 0), MAX_BACKOFF_SECONDS)


def skip_reason(job: dict, today: str) -> str | None:
    """Return why a job must not be printed late (earlier day, or the ticket was called after it was queued)."""
    if job["day"] != today:
        return "skipped: ticket from an earlier day"
    if job["called_at"] is not None and job["called_at"] >= job["job_created_at"]:
        return "skipped: ticket already called"
    if job["status"] not in ("waiting", "called", "serving"):
        return f"skipped: ticket is {job['status']}"
    return None


class PrintWorker:
    """The single owner of the printer (a printer may be claimed by one process/thread only)."""

    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime
        self.state = "unknown" if runtime.settings.printer.type != "none" else "none"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker thread (no-op when no printer is configured)."""
        if self.runtime.settings.printer.type == "none" or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="kiosk-printer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker after its current job."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def wake(self) -> None:
        """Look at the outbox now (a ticket was just issued or reprinted)."""
        self._wake.set()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            log.info("printer state: %s -> %s", self.state, state)
            self.state = state
            self.runtime.events.publish("printer", {"state": state})

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self.drain_once()
            except Exception:  # a bug here must not stop printing for the day
                log.exception("print worker failed; retrying")
                delay = MAX_BACKOFF_SECONDS
            self._wake.wait(delay)
            self._wake.clear()

    def drain_once(self) -> float:
        """Print due jobs until the outbox is empty or the printer fails; return seconds to sleep."""
        rt = self.runtime
        while not self._stop.is_set():
            job = store.next_print_job(rt.db, rt.now())
            if job is None:
                if store.pending_print_jobs(rt.db) == 0:
                    self._check_idle_printer()
                return IDLE_CHECK_SECONDS if store.pending_print_jobs(rt.db) == 0 else 1.0
            reason = skip_reason(job, rt.today())
            if reason:
                store.finish_print_job(rt.db, job["job_id"], job["id"], "failed", rt.now(), reason)
                continue
            error = self._print(job)
            if error is not None:
                wait = backoff_seconds(job["attempts"])
                store.postpone_print_job(rt.db, job["job_id"], rt.now() + timedelta(seconds=wait), error)
                return wait
            store.finish_print_job(rt.db, job["job_id"], job["id"], "printed", rt.now())
        return 0.0

    def _print(self, job: dict) -> str | None:
        """Send one ticket; return None when printed, else a short reason."""
        config = self.runtime.settings.printer
        try:
            device = open_printer(config)
        except PRINT_FAULTS as exc:
            self._set_state("offline")
            return f"connect: {exc}"
        try:
            state = printer_state(device)
            if state in ("offline", "paper_out"):
                self._set_state(state)
                return f"printer {state}"
            print_ticket(device, self._ticket(job), config.paper_width_mm)
            self._set_state("online")
            return None
        except PRINT_FAULTS as exc:
            self._set_state("offline")
            return f"print: {exc}"
        finally:
            close_printer(device)

    def _check_idle_printer(self) -> None:
        """Refresh the printer state while idle so staff learn of a fault before the next resident does."""
        config = self.runtime.settings.printer
        if config.type == "file":
            return
        try:
            device = open_printer(config)
        except PRINT_FAULTS:
            self._set_state("offline")
            return
        try:
            state = printer_state(device)
            self._set_state("online" if state == "unknown" else state)
        finally:
            close_printer(device)

    def _ticket(self, job: dict) -> TicketPrint:
        rt = self.runtime
        view = ticket_json(rt, job)
        return TicketPrint(
            office_name=rt.settings.office.name,
            service_name=view["service_name"],
            number=job["number"],
            priority=bool(job["priority"]),
            issued_at=datetime.fromisoformat(job["issued_at"]),
            ahead=view["ahead"],
            estimated_wait_minutes=view["estimated_wait_minutes"],
            track_url=view["track_url"],
        )
