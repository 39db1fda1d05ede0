"""Lay out a booking slip (a number for a later day) on any python-escpos printer, like a ticket."""

from __future__ import annotations

from dataclasses import dataclass

from escpos.escpos import Escpos
from escpos.printer import Dummy

from printer.ticket import (
    MAX_HEADER_LINES,
    _finish,
    _print_lines,
    _print_qr,
    _print_requirements,
    _reset_style,
    ascii_text,
    number_magnification,
    ticket_columns,
    wrap_line,
)


@dataclass(frozen=True)
class SlipPrint:
    """What goes on a booking slip; like a ticket it holds nothing that identifies a person."""

    office_name: str
    service_name: str
    code: str
    day: str  # "Kamis, 26 November 2026"
    window: str  # "datang pukul 08.00-09.00"
    members: int
    requirements: tuple[str, ...]
    track_url: str
    footer: str = "Pindai atau ketik kode ini di kios antrean pada hari itu untuk mendapat nomor antrean."


def print_slip(printer: Escpos, slip: SlipPrint, paper_width_mm: int) -> None:
    """Lay out one booking slip and cut."""
    columns = ticket_columns(printer, paper_width_mm)
    _reset_style(printer, align="center")
    printer.set(bold=True)
    _print_lines(printer, wrap_line(ascii_text(slip.office_name), columns, MAX_HEADER_LINES))
    printer.set(bold=False)
    _print_lines(printer, wrap_line(ascii_text(slip.service_name), columns, MAX_HEADER_LINES))
    printer.textln("-" * columns)
    printer.textln("Nomor untuk hari lain")
    printer.textln("Kode pemesanan")
    size = max(1, number_magnification(slip.code, columns) - 1)
    printer.set(custom_size=True, width=size, height=size, bold=True)
    printer.textln(slip.code)
    printer.set(custom_size=True, width=1, height=1, bold=False)
    printer.ln()
    printer.set(bold=True)
    _print_lines(printer, wrap_line(ascii_text(slip.day), columns))
    _print_lines(printer, wrap_line(ascii_text(slip.window), columns))
    printer.set(bold=False)
    if slip.members > 1:
        printer.textln(f"Untuk {slip.members} orang (satu KK)")
    _print_requirements(printer, slip.requirements, columns)
    _print_qr(printer, slip.track_url, paper_width_mm)
    _print_lines(printer, wrap_line("Pindai untuk melihat atau membatalkan", columns))
    printer.textln("-" * columns)
    _print_lines(printer, wrap_line(slip.footer, columns))
    _reset_style(printer, align="left")
    _finish(printer)


def render_slip(slip: SlipPrint, profile: str, paper_width_mm: int) -> bytes:
    """Return the exact bytes print_slip sends to any printer of this python-escpos profile."""
    printer = Dummy(profile=profile)
    print_slip(printer, slip, paper_width_mm)
    return printer.output
