"""Lay out a complaint's receipt (the tracking code, its dates and a QR link) on any python-escpos printer.

Like a ticket it holds nothing that identifies a person: no name, NIK, phone number or the complaint's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.escpos import Escpos
from escpos.printer import Dummy

from printer.ticket import (
    MAX_HEADER_LINES,
    _finish,
    _print_lines,
    _print_qr,
    _reset_style,
    ascii_text,
    number_magnification,
    ticket_columns,
    wrap_line,
)


@dataclass(frozen=True)
class ReceiptPrint:
    """What a complaint's receipt says, already in the resident's language."""

    office_name: str
    title: str  # "Tanda Terima Pengaduan"
    code_label: str  # "Kode pengaduan"
    code: str  # "PGD-2026-0001"
    category: str  # "Jenis: Perilaku petugas"
    received: str  # "Diterima: Jumat, 18 Desember 2026 pukul 14.00"
    due_label: str  # "Dijawab paling lambat:"
    due: str  # "Senin, 21 Desember 2026 pukul 15.00"
    track_url: str
    scan: str  # "Pindai untuk melihat jawaban"
    footer: str


def print_receipt(printer: Escpos, receipt: ReceiptPrint, paper_width_mm: int) -> None:
    """Lay out one complaint receipt and cut."""
    columns = ticket_columns(printer, paper_width_mm)
    _reset_style(printer, align="center")
    printer.set(bold=True)
    _print_lines(printer, wrap_line(ascii_text(receipt.office_name), columns, MAX_HEADER_LINES))
    printer.set(bold=False)
    _print_lines(printer, wrap_line(ascii_text(receipt.title), columns))
    printer.textln("-" * columns)
    printer.textln(ascii_text(receipt.code_label))
    size = max(1, number_magnification(receipt.code, columns) - 1)
    printer.set(custom_size=True, width=size, height=size, bold=True)
    printer.textln(receipt.code)
    printer.set(custom_size=True, width=1, height=1, bold=False)
    printer.ln()
    _print_lines(printer, wrap_line(ascii_text(receipt.category), columns))
    _print_lines(printer, wrap_line(ascii_text(receipt.received), columns))
    printer.set(bold=True)
    _print_lines(printer, wrap_line(ascii_text(receipt.due_label), columns))
    _print_lines(printer, wrap_line(ascii_text(receipt.due), columns))
    printer.set(bold=False)
    _print_qr(printer, receipt.track_url, paper_width_mm)
    _print_lines(printer, wrap_line(ascii_text(receipt.scan), columns))
    printer.textln("-" * columns)
    _print_lines(printer, wrap_line(ascii_text(receipt.footer), columns))
    _reset_style(printer, align="left")
    _finish(printer)


def render_receipt(receipt: ReceiptPrint, profile: str, paper_width_mm: int) -> bytes:
    """Return the exact bytes print_receipt sends to any printer of this python-escpos profile."""
    printer = Dummy(profile=profile)
    print_receipt(printer, receipt, paper_width_mm)
    return printer.output
