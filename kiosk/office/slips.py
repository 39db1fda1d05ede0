"""Print booking slips through the print worker, after the tickets waiting (a slip is for a later day: it prints)."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from kiosk.domain import bookings as rules
from kiosk.devices.printer import PRINT_FAULTS
from kiosk.storage import bookings as store
from printer import close_printer, open_printer, printer_state, send_job
from printer.slip import SlipPrint, render_slip

if TYPE_CHECKING:
    from kiosk.office.printing import PrintWorker

log = logging.getLogger(__name__)


def slip_of(worker: PrintWorker, job: dict) -> SlipPrint:
    """Return what a booking's slip says."""
    rt = worker.runtime
    service = rt.settings.service(job["service"])
    return SlipPrint(
        office_name=rt.settings.office.name,
        service_name=service.name if service else job["service"],
        code=job["code"],
        day=rules.date_text(date.fromisoformat(job["day"])),
        window=rules.window_text(job["slot_start"], job["slot_end"]),
        members=job["members"],
        requirements=service.requirements if service else (),
        track_url=f"{rt.settings.office.public_url}/b/{job['token']}",
    )


def print_next_slip(worker: PrintWorker) -> bool:
    """Print the oldest pending slip; return True when one was printed or given up, False when none is due."""

    rt = worker.runtime
    job = store.oldest_slip_job(rt.db)
    if job is None:
        return False
    if job["status"] == "cancelled":
        store.finish_slip_job(rt.db, job["job_id"], "failed", rt.now(), "skipped: booking cancelled")
        return True
    config = rt.settings.printer
    try:
        data = render_slip(slip_of(worker, job), config.profile, config.paper_width_mm)
    except Exception as exc:  # the layout is pure: it would fail on every attempt
        store.finish_slip_job(rt.db, job["job_id"], "failed", rt.now(), f"unprintable: {exc}"[:500])
        return True
    try:
        device = open_printer(config)
    except PRINT_FAULTS as exc:
        worker._set_state("offline")
        store.postpone_slip_job(rt.db, job["job_id"], f"connect: {exc}"[:500])
        return False  # tried again at the worker's next look at the outbox
    try:
        state = printer_state(device)
        if state in ("offline", "paper_out"):
            worker._set_state(state)
            store.postpone_slip_job(rt.db, job["job_id"], f"printer {state}")
            return False
        send_job(device, data)
    except PRINT_FAULTS as exc:
        worker._set_state("offline")
        store.postpone_slip_job(rt.db, job["job_id"], f"print: {exc}"[:500])
        return False
    finally:
        close_printer(device)
    worker._set_state("online")
    store.finish_slip_job(rt.db, job["job_id"], "printed", rt.now())
    log.info("booking slip %s printed", job["code"])
    return True
