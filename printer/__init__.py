"""Ticket printing: ESC/POS layout and printer connections (python-escpos)."""

from printer.connection import (
    PrinterConfig,
    PrinterError,
    close_printer,
    open_printer,
    printer_state,
    send_job,
)
from printer.ticket import TicketPrint, print_ticket, render_ticket

__all__ = [
    "PrinterConfig",
    "PrinterError",
    "TicketPrint",
    "close_printer",
    "open_printer",
    "print_ticket",
    "printer_state",
    "render_ticket",
    "send_job",
]
