"""Print complaint receipts through the print worker, after the tickets and slips waiting.

A receipt shows the tracking code, the category, when the complaint was received and when its answer is due,
and a QR code of its phone page (/c/<token>); never the text, a name or the phone number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.domain import complaints as rules
from kiosk.office.complaints import track_url
from kiosk.office.paper import print_paper
from kiosk.storage import complaints as store
from printer.receipt import ReceiptPrint, render_receipt

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.office.context import Office


def receipt_of(rt: Office, job: dict) -> ReceiptPrint:
    """Return what a complaint's receipt says, in the language the resident used at the kiosk."""
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


def print_next_receipt(rt: Office, set_state: Callable[[str], None]) -> bool:
    """Print the oldest pending receipt; return True when one was printed or given up, False when none is due."""
    job = store.oldest_receipt_job(rt.db)
    if job is None:
        return False
    job_id = job["job_id"]
    return print_paper(
        rt,
        set_state,
        f"complaint receipt {job['code']}",
        lambda config: render_receipt(receipt_of(rt, job), config.profile, config.paper_width_mm),
        lambda reason: store.postpone_receipt_job(rt.db, job_id, reason),
        lambda status, error: store.finish_receipt_job(rt.db, job_id, status, rt.now(), error),
    )
