"""Ticket printing: ESC/POS layout and printer connections (python-escpos)."""

from printer.connection import (
    PrinterConfig,
    PrinterError,
    close_printer,
    open_printer,
    printer_state,
)
from printer.ticket import TicketPrint, print_ticket

__all__ = [
    "PrinterConfig",
    "PrinterError",
    "TicketPrint",
    "close_printer",
    "open_printer",
    "print_ticket",
    "printer_state",
]
