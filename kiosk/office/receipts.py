"""Print complaint receipts through the print worker, after the tickets and slips waiting.

A receipt shows the tracking code, the category, when the complaint was received and when its answer is due,
and a QR code of its phone page (/c/<token>); never the text, a name or the phone number.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.devices.printer import PRINT_FAULTS
from kiosk.domain import complaints as rules
from kiosk.office.complaints import track_url
from kiosk.storage import complaints as store
from printer import close_printer, open_printer, printer_state, send_job
from printer.receipt import ReceiptPrint, render_receipt

if TYPE_CHECKING:
    from kiosk.office.printing import PrintWorker

log = logging.getLogger(__name__)


def receipt_of(worker: PrintWorker, job: dict) -> ReceiptPrint:
    """Return what a complaint's receipt says, in the language the resident used at the kiosk."""
    rt = worker.runtime
    lines = rules.receipt_lines(job, job["lang"])
    return ReceiptPrint(
        office_name=rt.settings.office.name,
        title=lines["title"],
        code_label=lines["code"],
        code=job["code"],
        category=f"{lines['category']}: {lines['category_label']}",
        received=f"{lines['received']}: {lines['received_at']}",
        due_label=f"{lines['due']}:",
        due=lines["due_at"],
        track_url=track_url(rt, job),
        scan=lines["scan"],
        footer=lines["footer"],
    )


def print_next_receipt(worker: PrintWorker) -> bool:
    """Print the oldest pending receipt; return True when one was printed or given up, False when none is due."""
    rt = worker.runtime
    job = store.oldest_receipt_job(rt.db)
    if job is None:
        return False
    config = rt.settings.printer
    try:
        data = render_receipt(receipt_of(worker, job), config.profile, config.paper_width_mm)
    except Exception as exc:  # the layout is pure: it would fail on every attempt
        store.finish_receipt_job(rt.db, job["job_id"], "failed", rt.now(), f"unprintable: {exc}"[:500])
        return True
    try:
        device = open_printer(config)
    except PRINT_FAULTS as exc:
        worker._set_state("offline")
        store.postpone_receipt_job(rt.db, job["job_id"], f"connect: {exc}"[:500])
        return False  # tried again at the worker's next look at the outbox
    try:
        state = printer_state(device)
        if state in ("offline", "paper_out"):
            worker._set_state(state)
            store.postpone_receipt_job(rt.db, job["job_id"], f"printer {state}")
            return False
        send_job(device, data)
    except PRINT_FAULTS as exc:
        worker._set_state("offline")
        store.postpone_receipt_job(rt.db, job["job_id"], f"print: {exc}"[:500])
        return False
    finally:
        close_printer(device)
    worker._set_state("online")
    store.finish_receipt_job(rt.db, job["job_id"], "printed", rt.now())
    log.info("complaint receipt %s printed", job["code"])
    return True
