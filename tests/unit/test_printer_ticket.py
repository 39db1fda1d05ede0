"""Ticket layout, checked on the exact bytes python-escpos Dummy printers collect."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import qrcode
from escpos.printer import Dummy

from printer import TicketPrint, print_ticket
from printer.ticket import TicketLayoutError, format_issued_at, render_ticket, text_problem, ticket_columns
from tests.fakeprinter import printed_lines, printed_text

WIB = timezone(timedelta(hours=7))
TRACK_URL = "http://192.168.1.10:8080/t/Xy12abCD34efGH56ij"
COLUMNS = {58: 32, 80: 48}
CUT = b"\x1dV"
# (profile, paper width): native QR + cutter at both widths, image QR + no cutter on the cheap 58 mm.
LAYOUTS = [("TM-T20II", 80), ("TM-T20II", 58), ("POS-5890", 58)]


def make_ticket(**changes) -> TicketPrint:
    fields = dict(
        office_name="Kantor Kecamatan Selat",
        service_name="Perekaman KTP-el",
        number="A-012",
        priority=False,
        issued_at=datetime(2026, 11, 28, 8, 5, tzinfo=WIB),
        ahead=3,
        estimated_wait_minutes=30,
        track_url=TRACK_URL,
    )
    fields.update(changes)
    return TicketPrint(**fields)


def render(profile: str, width: int, ticket: TicketPrint | None = None) -> bytes:
    printer = Dummy(profile=profile)
    print_ticket(printer, ticket or make_ticket(), width)
    return printer.output


def texts(data: bytes) -> list[str]:
    return [line.text for line in printed_lines(data)]


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_every_printed_line_fits_the_paper(profile: str, width: int) -> None:
    data = render(profile, width, make_ticket(priority=True, reprint=True))
    too_long = [line for line in printed_lines(data) if line.columns > COLUMNS[width]]
    assert too_long == []


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_number_is_printed_large_on_one_line(profile: str, width: int) -> None:
    lines = printed_lines(render(profile, width))
    number = next(line for line in lines if line.text == "A-012")
    # 5 characters: x6 on 32 columns, x8 (the maximum) on 48.
    assert number.columns == {58: 30, 80: 40}[width]


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_style_is_normal_again_after_the_number(profile: str, width: int) -> None:
    printer = Dummy(profile=profile)
    print_ticket(printer, make_ticket(priority=True), width)
    print_ticket(printer, make_ticket(number="A-013"), width)
    print_ticket(printer, make_ticket(number="A-014", reprint=True), width)
    big = {"A-012", "A-013", "A-014", " PRIORITAS ", " CETAK ULANG "}
    normal = [line for line in printed_lines(printer.output) if line.text not in big]
    assert normal and all(line.columns == len(line.text) for line in normal)


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_indonesian_text(profile: str, width: int) -> None:
    text = printed_text(render(profile, width))
    flowing = " ".join(text.split())
    for expected in (
        "Kantor Kecamatan Selat",
        "Perekaman KTP-el",
        "Nomor Antrean",
        "A-012",
        "28-11-2026 08.05",
        "Berlaku hari ini saja",
        "Antrean di depan Anda: 3",
        "Perkiraan tunggu: 30 menit",
        "Pindai untuk melihat posisi antrean",
        "Terima kasih. Simpan tiket ini sampai dipanggil.",
    ):
        assert expected in flowing
    assert "antrian" not in text.lower() and "silahkan" not in text.lower()


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_every_ticket_says_it_is_valid_on_its_day_only(profile: str, width: int) -> None:
    lines = texts(render(profile, width))
    start = lines.index("28-11-2026 08.05")
    assert lines[start : start + 3] == ["28-11-2026 08.05", "Berlaku hari ini saja", "Antrean di depan Anda: 3"]


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_a_reprint_is_marked_cetak_ulang_under_the_number(profile: str, width: int) -> None:
    data = render(profile, width, make_ticket(reprint=True))
    lines = printed_lines(data)
    start = [line.text for line in lines].index("A-012")
    assert lines[start + 1] == (" CETAK ULANG ", 26)  # double width, fits 32 and 48 columns
    assert b"\x1dB\x01 CETAK ULANG " in data  # inverted, like the priority mark
    assert "CETAK ULANG" not in printed_text(render(profile, width))


def test_a_priority_reprint_carries_both_marks() -> None:
    lines = texts(render("TM-T20II", 58, make_ticket(priority=True, reprint=True)))
    start = lines.index("A-012")
    assert lines[start : start + 3] == ["A-012", " PRIORITAS ", " CETAK ULANG "]


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_every_ticket_text_is_plain_ascii_so_no_code_page_switch_is_needed(profile: str, width: int) -> None:
    data = render(profile, width, make_ticket(priority=True, reprint=True))
    text = printed_text(data).replace("\n", "")
    assert [char for char in text if not " " <= char <= "~"] == []
    assert data.count(b"\x1bt") <= 1  # ESC t: at most the one code page python-escpos starts with


def test_priority_mark_only_on_priority_tickets() -> None:
    assert "PRIORITAS" in printed_text(render("TM-T20II", 80, make_ticket(priority=True)))
    assert "PRIORITAS" not in printed_text(render("TM-T20II", 80, make_ticket(priority=False)))


def test_priority_mark_is_inverted() -> None:
    data = render("TM-T20II", 58, make_ticket(priority=True))
    assert b"\x1dB\x01 PRIORITAS " in data


def test_nobody_ahead_says_called_soon() -> None:
    text = printed_text(render("TM-T20II", 58, make_ticket(ahead=0, estimated_wait_minutes=0)))
    assert "Antrean di depan Anda: 0" in text
    assert "Segera dipanggil" in text
    assert "Perkiraan tunggu" not in text


@pytest.mark.parametrize("width", [58, 80])
def test_native_qr_embeds_the_track_url_and_ticket_is_cut(width: int) -> None:
    data = render("TM-T20II", width)
    assert b"\x1d(k" in data and TRACK_URL.encode() in data
    assert data.rstrip(b"\n").endswith(CUT + b"\x00")


def test_cheap_58mm_printer_gets_an_image_qr_of_the_track_url_and_no_cut() -> None:
    data = render("POS-5890", 58)
    assert qr_matrix_from_raster(data) == expected_qr_matrix(TRACK_URL)
    assert CUT not in data
    assert data.endswith(b"\n" * 6)


def test_long_names_are_wrapped_to_two_lines() -> None:
    long_name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan Seribu Utara"
    lines = texts(render("TM-T20II", 58, make_ticket(office_name=long_name)))
    start = lines.index("Dinas Kependudukan dan")
    assert lines[start + 1].endswith("...")
    assert lines[start + 2] == "Perekaman KTP-el"


def test_longer_numbers_still_fit_one_line() -> None:
    lines = printed_lines(render("TM-T20II", 58, make_ticket(number="AB-1234")))
    number = next(line for line in lines if line.text == "AB-1234")
    assert number.columns <= 32


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_a_qr_code_too_big_for_the_paper_is_refused_naming_the_link_length(profile: str, width: int) -> None:
    # A module needs 4 dots (0.5 mm) to scan: 96 modules on 58 mm (QR version 19, 624 bytes at level M),
    # 144 on 80 mm (version 31, 1452 bytes); beyond 2331 bytes no QR version holds the link at all.
    fitting, too_long = {58: (600, 700), 80: (1400, 1500)}[width]
    render(profile, width, make_ticket(track_url="http://192.168.1.10:8080/" + "a" * (fitting - 25)))
    for length in (too_long, 3000):
        url = "http://192.168.1.10:8080/" + "a" * (length - 25)
        with pytest.raises(TicketLayoutError) as error:
            render(profile, width, make_ticket(track_url=url))
        assert str(error.value) == (
            f"the QR code of a {length}-character link does not fit {width} mm paper: shorten [office] public_url"
        )


@pytest.mark.parametrize("profile,width", LAYOUTS)
def test_render_ticket_gives_the_bytes_any_printer_of_the_profile_gets(profile: str, width: int) -> None:
    assert render_ticket(make_ticket(), profile, width) == render(profile, width)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Kantor Kecamatan Selat", None),
        ("Perubahan Data / KTP-el Hilang atau Rusak", None),
        ("Kantor Kecamatan Sélat", "contains 'é', which the ticket printer cannot print: use plain ASCII"),
        ("Kantor\tSelat", "contains '\\t', which the ticket printer cannot print: use plain ASCII"),
        ("", "must not be empty"),
        (
            "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan Seribu Utara",
            "is too long for the ticket: at most 2 lines of 32 characters",
        ),
    ],
)
def test_text_problem_names_what_cannot_be_printed(text: str, problem: str | None) -> None:
    assert text_problem(text, 32, 2) == problem


def test_time_is_written_the_indonesian_way_in_office_time() -> None:
    assert format_issued_at(datetime(2026, 1, 2, 14, 30, tzinfo=WIB)) == "02-01-2026 14.30"


def test_unsupported_paper_width_is_refused() -> None:
    with pytest.raises(ValueError, match="58 or 80"):
        ticket_columns(Dummy(profile="TM-T20II"), 60)


def expected_qr_matrix(content: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(content)
    code.make(fit=True)
    return code.get_matrix()


def qr_matrix_from_raster(data: bytes) -> list[list[bool]]:
    """Read the modules back from the GS v 0 raster image in the job."""
    start = data.index(b"\x1dv0")
    row_bytes = data[start + 4] + 256 * data[start + 5]
    height = data[start + 6] + 256 * data[start + 7]
    raster = data[start + 8 : start + 8 + row_bytes * height]
    rows = [
        [bool(raster[y * row_bytes + x // 8] & (0x80 >> x % 8)) for x in range(row_bytes * 8)] for y in range(height)
    ]
    black_rows = [y for y, row in enumerate(rows) if any(row)]
    black_cols = [x for x in range(row_bytes * 8) if any(row[x] for row in rows)]
    top, left = black_rows[0], black_cols[0]
    # Finder patterns make the symbol's corners black, so the black bounding box is the symbol.
    modules = len(expected_qr_matrix(TRACK_URL))
    module = (black_cols[-1] - left + 1) // modules
    centre = module // 2
    return [
        [rows[top + r * module + centre][left + c * module + centre] for c in range(modules)] for r in range(modules)
    ]
