"""What the printer package and python-escpos raise when a ticket or slip cannot be printed (worth a retry)."""

from __future__ import annotations

from escpos.exceptions import Error as EscposError

from printer import PrinterError

PRINT_FAULTS = (PrinterError, EscposError, OSError, TimeoutError, ValueError)
