"""Send one paper of the print outbox that is not a ticket (a booking slip, a complaint receipt) to the printer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.devices.printer import PRINT_FAULTS
from kiosk.domain.settings import Printer
from printer import close_printer, open_printer, printer_state, send_job

if TYPE_CHECKING:
    from kiosk.office.context import Office

log = logging.getLogger(__name__)


def print_paper(
    rt: Office,
    set_state: Callable[[str], None],
    name: str,
    render: Callable[[Printer], bytes],
    postpone: Callable[[str], None],
    finish: Callable[[str, str | None], None],
) -> bool:
    """Render and print one job; return True when it was printed or given up, False when it waits for the printer.

    ``set_state`` tells the print worker what the printer answered (online, offline, paper_out).
    ``name`` says what it is in the log ("booking slip AB12CD"); ``render(config)`` lays the paper out (pure: a failure there would repeat, so the job is given up);
    ``postpone(reason)`` keeps the job for the worker's next look; ``finish(status, error)`` closes it.
    """
    config = rt.settings.printer
    try:
        data = render(config)
    except Exception as exc:  # the layout is pure: it would fail on every attempt
        finish("failed", f"unprintable: {exc}"[:500])
        return True
    try:
        device = open_printer(config)
    except PRINT_FAULTS as exc:
        set_state("offline")
        postpone(f"connect: {exc}"[:500])
        return False  # tried again at the worker's next look at the outbox
    try:
        state = printer_state(device)
        if state in ("offline", "paper_out"):
            set_state(state)
            postpone(f"printer {state}")
            return False
        send_job(device, data)
    except PRINT_FAULTS as exc:
        set_state("offline")
        postpone(f"print: {exc}"[:500])
        return False
    finally:
        close_printer(device)
    set_state("online")
    finish("printed", None)
    log.info("%s printed", name)
    return True
