"""A complaint lodged at the kiosk prints its receipt through the print outbox, on the fake network printer:
the tracking code, the dates and the QR link of its phone page, never the text, a name, a NIK or the phone."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.office.printing import PrintWorker
from kiosk.storage import complaints as store
from printer.receipt import ReceiptPrint, render_receipt
from tests.conftest import JAKARTA, Clock
from tests.fakeprinter import FakePrinter, printed_lines, printed_text
from tests.support import add_staff, make_app, wait_until

WORKWEEK = {
    **{f"office__hours__{day}": "08:00-15:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    "office__hours__sat": "",
    "office__hours__sun": "",
}
TEXT = "Petugas meminta uang 50 ribu, nama saya Siti Aminah"
PHONE = "0812 3456 7890"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


@pytest.fixture
def fake():
    with FakePrinter() as printer:
        yield printer


@pytest.fixture
def office(tmp_path, fake):
    """An office printing to the fake network printer, on a clock set to Friday 18 December 2026, 14.00."""
    app = make_app(
        tmp_path,
        clock=Clock(at("2026-12-18 14:00")),
        printer__type="network",
        printer__host="127.0.0.1",
        printer__port=fake.port,
        printer__timeout=0.5,
        office__observe_national_holidays=True,
        **WORKWEEK,
    )
    add_staff(app)
    yield app
    app.extensions["kiosk"].stop()


def lodge(app, **extra):
    answer = app.test_client().post("/api/complaints", json={"category": "conduct", "text": TEXT, **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_kiosk_complaint_prints_its_code_dates_and_qr_and_nothing_personal(office, fake):
    body = lodge(office, phone=PHONE)
    complaint = body["complaint"]
    assert body["receipt"] is True

    PrintWorker(office.extensions["kiosk"]).drain_once()
    job = fake.wait_for_jobs(1)[0]

    lines = [line.text.strip() for line in printed_lines(job)]
    assert "Tanda Terima Pengaduan" in lines
    assert complaint["code"] == "PGD-2026-0001" and complaint["code"] in lines
    assert "Jenis: Perilaku petugas" in lines
    assert "Diterima: Jumat, 18 Desember 2026 pukul 14.00" in lines
    # 14 working days after Fri 18 Dec: weekends, Christmas (25 Dec), New Year (1 Jan), Isra Mi'raj (5 Jan) not counted
    assert complaint["due_at"] == "2027-01-12T15:00:00+07:00"
    assert "Dijawab paling lambat:" in lines and "Selasa, 12 Januari 2027 pukul 15.00" in lines
    assert complaint["track_url"].encode() in job  # the QR code's content (native QR: stored raw in GS ( k)
    text = printed_text(job)
    for private in ("Siti", "Aminah", "uang", "3456", "7890", "+62", complaint["token"]):
        assert private not in text, private
    assert b"3456" not in job and b"Siti" not in job  # nor anywhere else in the bytes
    assert [row["status"] for row in store.receipt_jobs_of(office.extensions["kiosk"].db, complaint["code"])] == [
        "printed"
    ]


def test_the_receipt_is_printed_in_english_when_the_resident_chose_english(office, fake):
    complaint = lodge(office, lang="en")["complaint"]
    PrintWorker(office.extensions["kiosk"]).drain_once()
    lines = [line.text.strip() for line in printed_lines(fake.wait_for_jobs(1)[0])]
    assert "Complaint Receipt" in lines and complaint["code"] in lines
    assert "Type: Staff conduct" in lines
    assert "Received: Friday 18 December 2026, 14:00" in lines
    assert "Answer due by:" in lines and "Tuesday 12 January 2027, 15:00" in lines
    assert "Scan to read the answer" in lines


def test_a_printer_out_of_paper_keeps_the_receipt_until_it_is_back(office, fake):
    fake.mode = "paper_out"
    complaint = lodge(office)["complaint"]
    worker = PrintWorker(office.extensions["kiosk"])
    worker.drain_once()
    rows = store.receipt_jobs_of(office.extensions["kiosk"].db, complaint["code"])
    assert [(row["status"], row["last_error"]) for row in rows] == [("pending", "printer paper_out")]
    assert fake.jobs() == []

    fake.mode = "online"
    worker.drain_once()
    assert complaint["code"] in printed_text(fake.wait_for_jobs(1)[0])
    assert store.receipt_jobs_of(office.extensions["kiosk"].db, complaint["code"])[0]["status"] == "printed"


def test_the_running_worker_prints_a_receipt_as_soon_as_the_complaint_is_lodged(office, fake):
    office.extensions["kiosk"].start()  # the worker thread, woken by the complaint's event on the bus
    complaint = lodge(office)["complaint"]
    assert complaint["code"] in printed_text(fake.wait_for_jobs(1)[0])
    wait_until(
        lambda: store.receipt_jobs_of(office.extensions["kiosk"].db, complaint["code"])[0]["status"] == "printed"
    )


def test_only_the_kiosk_prints_a_receipt_and_a_bad_language_is_refused(office, fake):
    staff = office.test_client()
    csrf = staff.post(
        "/api/login",
        json={"username": "petugas", "password": "rahasia-Loket1"},
        environ_base={"REMOTE_ADDR": "192.168.1.20"},
    ).get_json()["csrf_token"]
    answer = staff.post(
        "/api/complaints",
        json={"category": "info", "text": "Jam buka?"},
        headers={"X-CSRF-Token": csrf},
        environ_base={"REMOTE_ADDR": "192.168.1.20"},
    )
    assert answer.status_code == 201 and answer.get_json()["receipt"] is False
    assert store.receipt_jobs_of(office.extensions["kiosk"].db, answer.get_json()["complaint"]["code"]) == []

    refused = office.test_client().post("/api/complaints", json={"category": "info", "text": "x", "lang": "fr"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "bad_request"


def test_without_a_printer_nothing_is_queued(tmp_path):
    app = make_app(tmp_path, printer__type="none")
    try:
        body = lodge(app)
        assert body["receipt"] is False
        assert store.receipt_jobs_of(app.extensions["kiosk"].db, body["complaint"]["code"]) == []
    finally:
        app.extensions["kiosk"].stop()


@pytest.mark.parametrize("paper, profile", [(58, "POS-5890"), (80, "TM-T20II")])
def test_the_receipt_fits_both_papers(paper, profile):
    receipt = ReceiptPrint(
        office_name="Kantor Kecamatan Selat",
        title="Tanda Terima Pengaduan",
        code_label="Kode pengaduan",
        code="PGD-2026-0001",
        category="Jenis: Perilaku petugas",
        received="Diterima: Jumat, 18 Desember 2026 pukul 14.00",
        due_label="Dijawab paling lambat:",
        due="Jumat, 8 Januari 2027 pukul 15.00",
        track_url="http://192.168.1.10:8080/c/" + "x" * 24,
        scan="Pindai untuk melihat jawaban",
        footer="Simpan tanda terima ini.",
    )
    columns = {58: 32, 80: 48}[paper]
    lines = printed_lines(render_receipt(receipt, profile, paper))
    assert max(line.columns for line in lines) <= columns
    assert "PGD-2026-0001" in [line.text for line in lines]
