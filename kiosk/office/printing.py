"""Drain the print outbox: one worker thread owns the printer, sends jobs in order, retries with backoff.

Issuing never waits for paper: the ticket and its print job are committed
together (store.issue_ticket), then this worker prints. A printer that is
offline, out of paper or stalled only delays printing; staff see its state at
/healthz, on GET /api/counters/<id> and as a ``printer`` event on /api/events.
A ticket that cannot be laid out at all (its QR code does not fit the paper) is
failed with its reason, shown at /healthz, and the outbox moves on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.devices.printer import PRINT_FAULTS
from kiosk.office.bus import (
    ComplaintChanged,
    EventBus,
    PrinterStateChanged,
    ReprintQueued,
    SettingsChanged,
    SlipQueued,
    TestPrintQueued,
    TicketIssued,
)
from kiosk.office.receipts import print_next_receipt
from kiosk.office.slips import print_next_slip
from kiosk.office.views import ticket_view
from kiosk.storage import tickets as store
from printer import TicketPrint, close_printer, open_printer, printer_state, render_ticket, send_job

if TYPE_CHECKING:
    from kiosk.office.context import Office

log = logging.getLogger(__name__)

# Short enough that a resident whose ticket waits for fresh paper gets it soon after staff fix it.
MAX_BACKOFF_SECONDS = 10.0
# How often an idle worker asks the printer for its state, so staff learn of a fault first.
IDLE_CHECK_SECONDS = 5.0
# Faults a printer can raise mid-job (see docs/developer.md, library facts): never let them kill the worker.
STATES = ("online", "offline", "paper_out", "unknown")
# Starts the reason of a job no retry can print (kept apart from "skipped: ..."); staff see it at /healthz.
UNPRINTABLE = "unprintable: "


class Unprintable(Exception):
    """A job that fails the same way on every attempt (its layout, not the printer): retrying cannot help."""


class Overtaken(Exception):
    """The outbox changed while the printer was asked for its state (e.g. the ticket was called): look again."""


def backoff_seconds(failures: int, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """Return the wait after ``failures`` failed attempts in a row: 1 s, 2 s, 4 s ... at most ``cap``."""
    return min(2.0 ** max(failures - 1, 0), cap)


def print_failure(rt: Office) -> dict | None:
    """Return today's latest ticket that could not be printed at all, as {"number", "reason"}, or None."""
    return store.latest_print_failure(rt.db, rt.today(), UNPRINTABLE)


def skip_reason(job: dict, today: str) -> str | None:
    """Return why a job must not be printed (late, superseded or for a closed ticket), or None to print it.

    ``job`` is a row of store.oldest_print_job: the ticket plus ``last_action`` (its latest
    issue/reprint/call event) and ``newer_jobs`` (reprints still pending after this job).
    """
    if job["day"] != today:
        return "skipped: ticket from an earlier day"
    if job["status"] not in ("waiting", "called", "serving"):
        return f"skipped: ticket is {job['status']}"
    if job["newer_jobs"]:
        return "skipped: a newer reprint is queued"
    # Called after the job was queued: the resident is at the counter, a late ticket only confuses.
    # A reprint asked for after the call is the newest event, so it prints.
    if job["last_action"] in ("call", "recall"):
        return "skipped: ticket already called"
    return None


class PrintWorker:
    """The single owner of the printer (a printer may be claimed by one process/thread only)."""

    idle_check_seconds = IDLE_CHECK_SECONDS
    max_backoff_seconds = MAX_BACKOFF_SECONDS

    def __init__(self, runtime: Office):
        self.runtime = runtime
        self.state = "unknown"
        self.failures = 0  # failed attempts in a row; the backoff grows with it
        self._answered_at = float("-inf")  # monotonic time the printer last took a job
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.runtime.settings.printer.type != "none"

    def start(self) -> None:
        """Start the worker thread (no-op when no printer is configured)."""
        if not self.enabled or self._thread is not None:
            return
        self._stop.clear()
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
        """Look at the outbox now: a ticket was issued or reprinted, so retry at once even during a backoff."""
        self._wake.set()

    def subscribe(self, bus: EventBus) -> Callable[[], None]:
        """Wake on every new print job (issued ticket, reprint, test page, slip, a kiosk complaint's receipt) and
        follow printer settings changes;
        the printing itself stays in the worker's thread. Return the function that ends the subscription."""
        ends = [
            bus.subscribe(
                (TicketIssued, ReprintQueued, TestPrintQueued, SlipQueued, ComplaintChanged), self._job_queued
            ),
            bus.subscribe(SettingsChanged, self._settings_changed),
        ]

        def unsubscribe() -> None:
            for end in ends:
                end()

        return unsubscribe

    def _job_queued(
        self, event: TicketIssued | ReprintQueued | TestPrintQueued | SlipQueued | ComplaintChanged
    ) -> None:
        if isinstance(event, ComplaintChanged) and event.change != "received":
            return
        if not isinstance(event, TicketIssued) or event.printed:
            self.wake()

    def _settings_changed(self, event: SettingsChanged) -> None:
        if self.enabled:
            self.start()
            self.wake()
        else:
            self.stop()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            log.info("printer state: %s -> %s", self.state, state)
            self.state = state
            self.runtime.bus.emit(PrinterStateChanged(state))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before draining: a wake during the drain must not be lost
            try:
                delay = self.drain_once()
            except Exception:  # a bug here must not stop printing for the day
                log.exception("print worker failed; retrying")
                delay = self.max_backoff_seconds
            self._wake.wait(delay)

    def drain_once(self) -> float:
        """Print pending jobs oldest first until the outbox is empty or the printer fails; return seconds to sleep."""
        rt = self.runtime
        while not self._stop.is_set():
            # Strictly first in, first out: a later ticket never prints before an earlier one.
            job = store.oldest_print_job(rt.db)
            if job is None and self._print_test_page():
                continue
            if job is None and print_next_receipt(
                rt, self._set_state
            ):  # a complaint's receipt, for the resident at the kiosk
                continue
            if job is None and print_next_slip(
                rt, self._set_state
            ):  # booking slips, after the tickets (a later day: printed)
                continue
            if job is None:
                # A printer that took a job just now needs no status question yet: ask when it has been idle
                # for a whole check interval (the same bound on how late staff learn of a fault).
                if time.monotonic() - self._answered_at >= self.idle_check_seconds:
                    self._check_idle_printer()
                return self.idle_check_seconds
            reason = skip_reason(job, rt.today())
            if reason:
                log.info("print job %s for %s %s", job["job_id"], job["number"], reason)
                store.finish_print_job(rt.db, job["job_id"], job["id"], "failed", rt.now(), reason)
                continue
            try:
                error = self._print(job)
            except Overtaken:
                continue
            except Unprintable as exc:
                log.error("print job %s for %s cannot be printed: %s", job["job_id"], job["number"], exc)
                store.finish_print_job(rt.db, job["job_id"], job["id"], "failed", rt.now(), f"{UNPRINTABLE}{exc}"[:500])
                continue
            if error is not None:
                self.failures += 1
                wait = backoff_seconds(self.failures, self.max_backoff_seconds)
                log.warning(
                    "print job %s for %s not printed (%s); retry in %.1f s", job["job_id"], job["number"], error, wait
                )
                store.postpone_print_job(rt.db, job["job_id"], rt.now() + timedelta(seconds=wait), error[:500])
                return wait
            self.failures = 0
            self._answered_at = time.monotonic()
            store.finish_print_job(rt.db, job["job_id"], job["id"], "printed", rt.now())
        return 0.0

    def _print(self, job: dict) -> str | None:
        """Lay out one ticket, ask the printer's state, then send it; return None when printed, else a short reason.

        Raise Unprintable when the ticket itself cannot be laid out: every later attempt would fail alike,
        Overtaken when the job must be looked at again (it changed while the printer answered).
        """
        config = self.runtime.settings.printer
        ticket = self._ticket(job)
        try:
            data = render_ticket(ticket, config.profile, config.paper_width_mm)
        except Exception as exc:  # the layout is pure: whatever fails now fails on every retry
            raise Unprintable(str(exc)) from exc
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
            # Asking took time (a retry waits on the printer): staff may have called the ticket or
            # queued a reprint meanwhile. Print only if this is still the job to print now.
            now = store.oldest_print_job(self.runtime.db)
            if now is None or now["job_id"] != job["job_id"] or skip_reason(now, self.runtime.today()):
                raise Overtaken(job["job_id"])
            send_job(device, data)
        except PRINT_FAULTS as exc:
            self._set_state("offline")
            return f"print: {exc}"
        finally:
            close_printer(device)  # a network printer takes the job when the connection closes
        self._set_state("online")
        return None

    def _print_test_page(self) -> bool:
        """Print the oldest test page the admin asked for, once (the admin waits for the answer); False: none."""
        from kiosk.storage import settings as settings_store

        rt = self.runtime
        test = settings_store.oldest_test_print(rt.db)
        if test is None:
            return False
        config = rt.settings.printer
        page = TicketPrint(
            office_name=rt.settings.office.name,
            service_name="Cetak uji printer",
            number="UJI-000",
            priority=False,
            issued_at=rt.now(),
            ahead=0,
            estimated_wait_minutes=0,
            track_url=f"{rt.settings.office.public_url}/t/{'x' * 43}",
            footer="Halaman uji, bukan nomor antrean.",
        )
        error = None
        try:
            data = render_ticket(page, config.profile, config.paper_width_mm)
        except Exception as exc:  # the layout itself (profile, paper): no printer can take it
            data, error = None, f"layout: {exc}"
        try:
            if data is None:
                raise Unprintable(error)
            device = open_printer(config)
            try:
                state = printer_state(device)
                if state in ("offline", "paper_out"):
                    self._set_state(state)
                    error = f"printer {state}"
                else:
                    send_job(device, data)
                    self._set_state("online")
            finally:
                close_printer(device)
        except Unprintable:
            pass
        except PRINT_FAULTS as exc:
            self._set_state("offline")
            error = str(exc) or type(exc).__name__
        settings_store.finish_test_print(
            rt.db, test["id"], "failed" if error else "printed", rt.now(), error[:500] if error else None
        )
        log.info("test page %s: %s", test["id"], error or "printed")
        return True

    def _check_idle_printer(self) -> None:
        """Refresh the printer state while idle so staff learn of a fault before the next resident does."""
        try:
            device = open_printer(self.runtime.settings.printer)
        except PRINT_FAULTS:
            self._set_state("offline")
            return
        try:
            state = printer_state(device)
        finally:
            close_printer(device)
        # "unknown" = a one-way link (file, some USB/serial): it opened, so it takes jobs.
        self._set_state("online" if state == "unknown" else state)

    def _ticket(self, job: dict) -> TicketPrint:
        rt = self.runtime
        view = ticket_view(rt, job)
        service = rt.settings.service(view.service)
        return TicketPrint(
            office_name=rt.settings.office.name,
            service_name=view.service_name,
            number=view.number,
            priority=view.priority,
            issued_at=datetime.fromisoformat(view.issued_at),
            ahead=view.ahead,
            estimated_wait_minutes=view.estimated_wait_minutes,
            track_url=view.track_url,
            reprint=job["earlier_jobs"] > 0,
            requirements=service.requirements if service else (),  # "Bawa: ...", what the counter will ask for
        )
