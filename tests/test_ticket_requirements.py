"""What to bring ("Bawa: ..."), from a service's requirements: printed on the ticket and on the booking slip,
left-aligned, within the paper, in plain ASCII; sent to a fake network printer over TCP like any job; shown on
the ticket's phone page; listed by GET /api/services for the kiosk's check before a number."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.office.printing import PrintWorker
from printer.slip import SlipPrint, render_slip
from printer.ticket import TicketPrint, render_ticket
from tests.fakeprinter import FakePrinter, printed_lines
from tests.support import LiveServer, make_app
from tests.test_bookings import HOURS, services

ALIGN_LEFT, ALIGN_CENTRE = b"\x1ba\x00", b"\x1ba\x01"
REKAM_BRING = ("Kartu Keluarga asli", "Sudah berusia 17 tahun atau sudah/pernah kawin")
WIB = timezone(timedelta(hours=7))


@pytest.fixture
def fake():
    with FakePrinter() as printer:
        yield printer


def bring_lines(data: bytes) -> list[str]:
    """The printed lines from "Bawa:" up to the next blank line or QR code (the lines of the list)."""
    lines = [line.text for line in printed_lines(data)]
    start = next(index for index, text in enumerate(lines) if text.startswith("Bawa: "))
    end = next((index for index in range(start + 1, len(lines)) if not lines[index].strip()), len(lines))
    return lines[start:end]


@pytest.mark.parametrize("width", [58, 80])
def test_a_ticket_reaches_the_network_printer_with_what_to_bring(tmp_path, fake, width):
    app = make_app(
        tmp_path,
        printer__type="network",
        printer__host="127.0.0.1",
        printer__port=fake.port,
        printer__timeout=0.5,
        printer__paper_width_mm=width,
    )
    server = LiveServer(app).start()
    try:
        ticket = server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
        info = server.post("/api/tickets", json={"service": "INFO"}).json()["ticket"]
        rekam_job, info_job = fake.wait_for_jobs(2)
    finally:
        server.stop()
    assert rekam_job == render_ticket(
        TicketPrint(
            office_name="Kantor Kecamatan Selat",
            service_name="Perekaman KTP-el",
            number="A-001",
            priority=False,
            issued_at=datetime.fromisoformat(ticket["issued_at"]),
            ahead=0,
            estimated_wait_minutes=0,
            track_url=ticket["track_url"],
            requirements=REKAM_BRING,
        ),
        "TM-T20II",
        width,
    )
    words = " ".join(bring_lines(rekam_job))
    assert words == "Bawa: Kartu Keluarga asli; Sudah berusia 17 tahun atau sudah/pernah kawin"
    assert max(len(line) for line in bring_lines(rekam_job)) <= {58: 32, 80: 48}[width]
    # left-aligned while the list prints, centred again for the QR code
    at = rekam_job.index(b"Bawa: ")
    assert rekam_job.rfind(ALIGN_LEFT, 0, at) > rekam_job.rfind(ALIGN_CENTRE, 0, at)
    assert rekam_job.find(ALIGN_CENTRE, at) != -1
    assert " ".join(bring_lines(info_job)) == "Bawa: Tidak ada persyaratan khusus"
    assert info["number"] == "F-001"


def test_a_ticket_without_requirements_prints_no_bawa_line_and_odd_letters_print_as_ascii():
    plain = TicketPrint(
        office_name="Kantor",
        service_name="Informasi",
        number="F-001",
        priority=False,
        issued_at=datetime(2026, 11, 25, 9, 0, tzinfo=WIB),
        ahead=0,
        estimated_wait_minutes=0,
        track_url="http://192.168.1.10:8080/t/x",
    )
    assert b"Bawa" not in render_ticket(plain, "TM-T20II", 80)
    odd = render_ticket(
        TicketPrint(**{**plain.__dict__, "requirements": ("Surat pengantar RT–RW", "Foto 3×4")}), "TM-T20II", 80
    )
    assert " ".join(bring_lines(odd)) == "Bawa: Surat pengantar RT-RW; Foto 3?4"


@pytest.mark.parametrize("paper, profile", [(58, "POS-5890"), (80, "TM-T20II")])
def test_the_slip_lists_what_to_bring_the_same_way(paper, profile):
    slip = SlipPrint(
        office_name="Kantor Kecamatan Selat",
        service_name="Perekaman KTP-el",
        code="K7M2QX",
        day="Kamis, 26 November 2026",
        window="datang pukul 08.00\u201309.00",
        members=1,
        requirements=REKAM_BRING,
        track_url="http://192.168.1.10:8080/b/" + "x" * 16,
    )
    data = render_slip(slip, profile, paper)
    assert " ".join(bring_lines(data)) == "Bawa: " + "; ".join(REKAM_BRING)
    assert data.rfind(ALIGN_LEFT, 0, data.index(b"Bawa: ")) > data.rfind(ALIGN_CENTRE, 0, data.index(b"Bawa: "))


def test_a_kiosk_slip_reaches_the_network_printer_with_what_to_bring(tmp_path, fake, clock):
    app = make_app(
        tmp_path,
        clock=clock,
        office__hours__sun="",
        **HOURS,
        services=services(booking_quota=8),
        printer__type="network",
        printer__host="127.0.0.1",
        printer__port=fake.port,
        printer__timeout=0.5,
    )
    rt = app.extensions["kiosk"]
    try:
        app.test_client().post("/api/bookings", json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00"})
        PrintWorker(rt).drain_once()
        (job,) = fake.wait_for_jobs(1)
    finally:
        rt.stop()
    assert " ".join(bring_lines(job)) == "Bawa: " + "; ".join(REKAM_BRING)


def test_the_phone_page_and_the_services_list_say_what_to_bring(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    try:
        ticket = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
        page = client.get(f"/t/{ticket['token']}").get_data(as_text=True)
        listed = {s["code"]: s for s in client.get("/api/services").get_json()}
    finally:
        app.extensions["kiosk"].stop()
    assert '<h2 id="bring-title" data-p="bring_title">Yang perlu dibawa</h2>' in page
    assert "<li>Kartu Keluarga asli</li>" in page and "<li>Original Kartu Keluarga (family card)</li>" in page
    assert listed["REKAM"]["requirements"] == list(REKAM_BRING)
    assert listed["REKAM"]["requirements_en"][0] == "Original Kartu Keluarga (family card)"
    assert listed["REKAM"]["later_day"] is True and listed["INFO"]["later_day"] is False
