"""Print booking slips through the print worker, after the tickets waiting (a slip is for a later day: it prints)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from kiosk.domain import bookings as rules
from kiosk.office.paper import print_paper
from kiosk.storage import bookings as store
from printer.slip import SlipPrint, render_slip

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.office.context import Office


def slip_of(rt: Office, job: dict) -> SlipPrint:
    """Return what a booking's slip says."""
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


def print_next_slip(rt: Office, set_state: Callable[[str], None]) -> bool:
    """Print the oldest pending slip; return True when one was printed or given up, False when none is due."""
    job = store.oldest_slip_job(rt.db)
    if job is None:
        return False
    if job["status"] == "cancelled":
        store.finish_slip_job(rt.db, job["job_id"], "failed", rt.now(), "skipped: booking cancelled")
        return True
    job_id = job["job_id"]
    return print_paper(
        rt,
        set_state,
        f"booking slip {job['code']}",
        lambda config: render_slip(slip_of(rt, job), config.profile, config.paper_width_mm),
        lambda reason: store.postpone_slip_job(rt.db, job_id, reason),
        lambda status, error: store.finish_slip_job(rt.db, job_id, status, rt.now(), error),
    )
