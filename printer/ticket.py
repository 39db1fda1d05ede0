"""Lay out a queue ticket on any python-escpos printer, in the printer's own font."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime

import qrcode
from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.printer import Dummy

# Font A columns per paper width; every text line must fit these.
COLUMNS_BY_PAPER_MM = {58: 32, 80: 48}
# Printable dots per line (203 dpi heads), used when the profile does not know it.
DOTS_BY_PAPER_MM = {58: 384, 80: 576}
# QR module size in dots that scans well from a phone: ~0.75 mm on 58 mm, ~1 mm on 80 mm.
QR_MODULE_DOTS_BY_PAPER_MM = {58: 6, 80: 8}
# Below 0.5 mm a module printed by a thermal head no longer scans reliably.
MIN_QR_MODULE_DOTS = 4
# Blank lines fed on printers without a cutter, so the ticket clears the tear bar.
TEAR_OFF_FEED_LINES = 6
MAX_HEADER_LINES = 2


class TicketLayoutError(ValueError):
    """A ticket that cannot be laid out on this paper: printing it again will fail again."""


@dataclass(frozen=True)
class TicketPrint:
    """What goes on a printed ticket; deliberately holds nothing that identifies a person."""

    office_name: str
    service_name: str
    number: str
    priority: bool
    issued_at: datetime
    ahead: int
    estimated_wait_minutes: int
    track_url: str
    reprint: bool = False  # a copy staff asked for: marked so two tickets for one number are told apart
    requirements: tuple[str, ...] = ()  # what to bring to the counter ("Bawa: ..."), the service's requirements
    footer: str = "Terima kasih. Simpan tiket ini sampai dipanggil."


def print_ticket(printer: Escpos, ticket: TicketPrint, paper_width_mm: int) -> None:
    """Lay out one ticket on any python-escpos printer (Dummy, Network, File, Usb, Serial) and cut."""
    columns = ticket_columns(printer, paper_width_mm)
    # Start from known defaults: a previous job may have died mid-style.
    _reset_style(printer, align="center")
    _print_header(printer, ticket, columns)
    _print_number(printer, ticket, columns)
    _print_details(printer, ticket, columns)
    _print_requirements(printer, ticket.requirements, columns)
    _print_qr(printer, ticket.track_url, paper_width_mm)
    _print_lines(printer, wrap_line("Pindai untuk melihat posisi antrean", columns))
    printer.textln("-" * columns)
    _print_lines(printer, wrap_line(ticket.footer, columns))
    _reset_style(printer, align="left")
    _finish(printer)


# Code page -> {character: byte} maps, shared by every ticket rendered: python-escpos builds them per printer
# object (once per ticket here) and then looks each character of the ticket up in them. They depend on the
# code page alone; the encoder's state (the code page in use) stays with each printer object.
_CHARACTER_MAPS: dict[str, dict[str, int]] = {}


def render_ticket(ticket: TicketPrint, profile: str, paper_width_mm: int) -> bytes:
    """Return the exact bytes print_ticket sends to any printer of this python-escpos profile."""
    printer = Dummy(profile=profile)
    encoder = getattr(getattr(printer, "magic", None), "encoder", None)
    if isinstance(getattr(encoder, "available_characters", None), dict):
        encoder.available_characters = _CHARACTER_MAPS
    print_ticket(printer, ticket, paper_width_mm)
    return printer.output


def text_problem(text: str, columns: int, max_lines: int) -> str | None:
    """Return why a configured text cannot go on the ticket (empty, not plain ASCII, too long), or None."""
    if not text.strip():
        return "must not be empty"
    # python-escpos prints "?" for what the code page lacks, or switches code pages that clones ignore.
    unprintable = next((char for char in text if not " " <= char <= "~"), None)
    if unprintable is not None:
        return f"contains {unprintable!r}, which the ticket printer cannot print: use plain ASCII"
    if len(wrap_line(text, columns)) > max_lines:
        return f"is too long for the ticket: at most {max_lines} lines of {columns} characters"
    return None


def header_text_problem(text: str, profile: str, paper_width_mm: int) -> str | None:
    """Return why an office or service name cannot head a ticket on this printer and paper, or None."""
    return text_problem(text, ticket_columns(Dummy(profile=profile), paper_width_mm), MAX_HEADER_LINES)


def qr_fits(content: str, profile: str, paper_width_mm: int) -> bool:
    """Tell whether the QR code of ``content`` prints scannably on this printer and paper."""
    try:
        qr_module_dots(Dummy(profile=profile), content, paper_width_mm)
    except TicketLayoutError:
        return False
    return True


def ticket_columns(printer: Escpos, paper_width_mm: int) -> int:
    """Return the Font A column count for this paper, never more than the profile's own."""
    if paper_width_mm not in COLUMNS_BY_PAPER_MM:
        raise ValueError(f"paper_width_mm must be 58 or 80, got {paper_width_mm!r}")
    return min(COLUMNS_BY_PAPER_MM[paper_width_mm], printer.profile.get_columns("a"))


def wrap_line(text: str, columns: int, max_lines: int | None = None) -> list[str]:
    """Wrap text to lines of at most `columns` characters, optionally capped with '...'."""
    text = " ".join(text.split())
    if not text:
        return []
    if max_lines is None:
        return textwrap.wrap(text, columns)
    return textwrap.wrap(text, columns, max_lines=max_lines, placeholder="...")


def format_issued_at(issued_at: datetime) -> str:
    """Format a time the Indonesian way: '28-11-2026 08.05'."""
    return issued_at.strftime("%d-%m-%Y %H.%M")


def wait_line(ahead: int, estimated_wait_minutes: int) -> str:
    """Return the estimated-wait line, or 'Segera dipanggil' when nobody is ahead."""
    if ahead <= 0:
        return "Segera dipanggil"
    # An estimate of 0 with people ahead would read as "now"; say at least a minute. No "±": plain ASCII
    # needs no code page switch, which cheap printers ignore.
    return f"Perkiraan tunggu: {max(1, estimated_wait_minutes)} menit"


def number_magnification(number: str, columns: int) -> int:
    """Return the largest character magnification (1-8) at which the number fits one line."""
    return max(1, min(8, columns // max(1, len(number))))


def _print_lines(printer: Escpos, lines: list[str]) -> None:
    for line in lines:
        printer.textln(line)


def _print_header(printer: Escpos, ticket: TicketPrint, columns: int) -> None:
    printer.set(bold=True)
    _print_lines(printer, wrap_line(ticket.office_name, columns, MAX_HEADER_LINES))
    printer.set(bold=False)
    _print_lines(printer, wrap_line(ticket.service_name, columns, MAX_HEADER_LINES))
    printer.textln("-" * columns)
    printer.textln("Nomor Antrean")


def _print_number(printer: Escpos, ticket: TicketPrint, columns: int) -> None:
    size = number_magnification(ticket.number, columns)
    printer.set(custom_size=True, width=size, height=size, bold=True)
    printer.textln(ticket.number)
    if ticket.priority:
        _print_mark(printer, " PRIORITAS ", columns)
    if ticket.reprint:
        _print_mark(printer, " CETAK ULANG ", columns)
    # Back to normal so nothing after the number (or the next ticket) prints huge.
    printer.set(custom_size=True, width=1, height=1, bold=False, invert=False)


def _print_mark(printer: Escpos, label: str, columns: int) -> None:
    # Double size, inverted: seen at a glance by the counter staff.
    size = 2 if len(label) * 2 <= columns else 1
    printer.set(custom_size=True, width=size, height=size, invert=True)
    printer.textln(label)


def _reset_style(printer: Escpos, align: str) -> None:
    printer.set_with_default(align=align)
    # set_with_default sends only ESC ! 0; some clones keep a GS ! magnification through it.
    printer.set(custom_size=True, width=1, height=1)


def _print_details(printer: Escpos, ticket: TicketPrint, columns: int) -> None:
    printer.ln()
    lines = [
        format_issued_at(ticket.issued_at),
        # Numbers restart every day: yesterday's ticket must not be taken for today's.
        "Berlaku hari ini saja",
        f"Antrean di depan Anda: {max(0, ticket.ahead)}",
        wait_line(ticket.ahead, ticket.estimated_wait_minutes),
    ]
    for line in lines:
        _print_lines(printer, wrap_line(line, columns))


def ascii_text(text: str) -> str:
    """Keep what every ESC/POS code page prints (a dash for the en and em dash, "?" for the rest)."""
    return text.replace("\u2013", "-").replace("\u2014", "-").encode("ascii", "replace").decode()


def _print_requirements(printer: Escpos, requirements: tuple[str, ...], columns: int) -> None:
    """Print "Bawa: a; b" left-aligned (a wrapped list reads badly centred), then centre again."""
    if not requirements:
        return
    _reset_style(printer, align="left")
    _print_lines(printer, wrap_line(ascii_text("Bawa: " + "; ".join(requirements)), columns))
    _reset_style(printer, align="center")


def _print_qr(printer: Escpos, content: str, paper_width_mm: int) -> None:
    # qr(native=True, center=True) raises in python-escpos 3.1; alignment centres it instead.
    printer.set(align="center")
    size = qr_module_dots(printer, content, paper_width_mm)
    if printer.profile.supports("qrCode"):
        printer.qr(content, ec=QR_ECLEVEL_M, size=size, native=True)
        printer.ln()
        return
    # Image QR: padding the image to the full line centres it even where ESC a ignores images.
    center = _profile_dots(printer) is not None
    printer.qr(content, ec=QR_ECLEVEL_M, size=size, native=False, center=center)


def qr_module_dots(printer: Escpos, content: str, paper_width_mm: int) -> int:
    """Return the QR module size in dots: the preferred size, shrunk until the code fits the line.

    Raise TicketLayoutError when even the smallest module that still scans does not fit.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(content)
    try:
        version = code.best_fit()  # only the size: building the whole code (masks) cost ~10 ms a ticket
    except ValueError:  # more data than QR version 40 holds
        version = None
    # python-escpos draws image QR codes with a one-module border on each side.
    fitting = _line_dots(printer, paper_width_mm) // (version * 4 + 17 + 2) if version else 0
    if fitting < MIN_QR_MODULE_DOTS:
        raise TicketLayoutError(
            f"the QR code of a {len(content)}-character link does not fit {paper_width_mm} mm "
            "paper: shorten [office] public_url"
        )
    return min(QR_MODULE_DOTS_BY_PAPER_MM[paper_width_mm], fitting)


def _line_dots(printer: Escpos, paper_width_mm: int) -> int:
    paper_dots = DOTS_BY_PAPER_MM[paper_width_mm]
    profile_dots = _profile_dots(printer)
    return paper_dots if profile_dots is None else min(paper_dots, profile_dots)


def _profile_dots(printer: Escpos) -> int | None:
    # Profiles such as "default" say "Unknown" here.
    dots = printer.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    return dots if isinstance(dots, int) else None


def _finish(printer: Escpos) -> None:
    if printer.profile.supports("paperFullCut") or printer.profile.supports("paperPartCut"):
        printer.cut()
    else:
        printer.ln(TEAR_OFF_FEED_LINES)
