"""The print outbox through a fake ESC/POS network printer on 127.0.0.1 and the demo file printer.

Issuing only commits; the worker prints in order, waits out paper and power faults,
never prints a ticket late, and reports the printer's state to staff.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from datetime import datetime

import pytest
import requests

from kiosk.office.printing import PrintWorker, backoff_seconds
from kiosk.storage import tickets as store
from printer import TicketPrint
from printer.ticket import format_issued_at, render_ticket
from tests.fakeprinter import FakePrinter, SerialLink, printed_lines, printed_text, split_status_queries
from tests.support import LiveServer, add_staff, make_app, wait_until

NUMBER = re.compile(r"\b[A-F]-\d{3}\b")


@pytest.fixture
def fast_retries(monkeypatch):
    """Retry and re-check the printer within a fraction of a second (production: up to 10 s / 5 s)."""
    monkeypatch.setattr(PrintWorker, "max_backoff_seconds", 0.3)
    monkeypatch.setattr(PrintWorker, "idle_check_seconds", 0.2)


@pytest.fixture
def fake():
    with FakePrinter() as printer:
        yield printer


def network_app(tmp_path, fake, **overrides):
    return make_app(
        tmp_path,
        printer__type="network",
        printer__host="127.0.0.1",
        printer__port=fake.port,
        printer__timeout=0.5,
        **overrides,
    )


@pytest.fixture
def office(tmp_path, fake, fast_retries):
    """A real waitress server with the print worker, printing to the fake network printer."""
    app = network_app(tmp_path, fake)
    add_staff(app)
    server = LiveServer(app).start()
    yield server
    server.stop()


def issue(server, service="REKAM", priority=False):
    answer = server.post("/api/tickets", json={"service": service, "priority": priority})
    assert answer.status_code == 201, answer.text
    return answer.json()["ticket"]


def print_status(server, ticket):
    return server.get(f"/api/tickets/{ticket['token']}").json()["ticket"]["print_status"]


def printer_health(server):
    return server.get("/healthz").json()["printer"]


def numbers_printed(jobs):
    """Return the queue number each job printed, in the order the printer received them."""
    return [NUMBER.search(printed_text(job)).group(0) for job in jobs]


def test_backoff_doubles_up_to_the_cap():
    assert [backoff_seconds(n) for n in range(1, 8)] == [1, 2, 4, 8, 10, 10, 10]


def test_a_ticket_prints_its_number_and_phone_link(office, fake):
    ticket = issue(office)

    job = fake.wait_for_jobs(1)[0]

    assert numbers_printed([job]) == ["A-001"]
    assert "Antrean di depan Anda: 0" in printed_text(job)
    assert ticket["track_url"].encode() in job  # the QR code's data, stored raw in GS ( k
    wait_until(lambda: print_status(office, ticket) == "printed")
    assert printer_health(office) == "online"


def test_a_printer_that_just_took_a_job_is_asked_for_its_state_only_after_an_idle_interval(tmp_path, fake, monkeypatch):
    monkeypatch.setattr(PrintWorker, "idle_check_seconds", 3600.0)
    app = network_app(tmp_path, fake)
    worker = PrintWorker(app.extensions["kiosk"])  # driven by hand: no thread, no timing
    assert app.test_client().post("/api/tickets", json={"service": "REKAM"}).status_code == 201

    assert worker.drain_once() == 3600.0
    wait_until(lambda: len(fake.jobs()) == 1)  # the fake printer's own thread takes the bytes in
    assert fake.connections == 1  # the job's own connection (which asked the state before sending)

    monkeypatch.setattr(PrintWorker, "idle_check_seconds", 0.0)  # idle for a whole interval now
    worker.drain_once()
    wait_until(lambda: fake.connections == 2)
    assert len(fake.jobs()) == 1


def test_paper_out_keeps_jobs_pending_then_prints_them_in_issue_order(office, fake):
    fake.mode = "paper_out"
    tickets = [issue(office, service) for service in ("REKAM", "AMBIL", "REKAM", "INFO")]

    wait_until(lambda: printer_health(office) == "paper_out")
    time.sleep(0.5)  # several retries happen meanwhile; none may print
    assert fake.jobs() == []
    assert [print_status(office, t) for t in tickets] == ["pending"] * 4
    jobs = store.print_jobs_of(office.runtime.db, tickets[0]["id"])
    assert jobs[0]["status"] == "pending" and jobs[0]["attempts"] >= 1 and "paper_out" in jobs[0]["last_error"]

    fake.mode = "online"

    assert numbers_printed(fake.wait_for_jobs(4)) == ["A-001", "C-001", "A-002", "F-001"]
    wait_until(lambda: [print_status(office, t) for t in tickets] == ["printed"] * 4)
    wait_until(lambda: printer_health(office) == "online")


@pytest.mark.serial  # a time bound: alone on the machine
def test_issuing_stays_fast_while_the_printer_refuses_connections(office, fake):
    fake.mode = "refuse"  # switched off: the port is closed
    timings, tickets = [], []
    for _ in range(20):
        started = time.perf_counter()
        tickets.append(issue(office))
        timings.append(time.perf_counter() - started)

    # Loose on purpose (speed is measured by bench/print_latency.py, not asserted tightly here).
    assert max(timings) < 1.0, timings
    wait_until(lambda: printer_health(office) == "offline")
    assert {print_status(office, t) for t in tickets} == {"pending"}

    fake.mode = "online"
    assert numbers_printed(fake.wait_for_jobs(20)) == [t["number"] for t in tickets]


@pytest.mark.serial  # a time bound: alone on the machine
def test_a_stalled_printer_never_blocks_issuing(office, fake):
    fake.mode = "stall"  # accepts the connection, never answers DLE EOT
    first = issue(office)
    wait_until(lambda: printer_health(office) == "offline")

    timings = []
    for _ in range(10):  # the worker is stuck in a status query for 0.5 s at a time meanwhile
        started = time.perf_counter()
        issue(office, "AMBIL")
        timings.append(time.perf_counter() - started)

    assert max(timings) < 1.0, timings
    assert fake.jobs() == [] and print_status(office, first) == "pending"
    fake.mode = "online"
    assert numbers_printed(fake.wait_for_jobs(11))[0] == "A-001"


def test_a_ticket_called_before_it_could_print_is_not_printed_late(office, fake):
    staff = office.login()
    fake.mode = "paper_out"
    early = issue(office)
    wait_until(lambda: printer_health(office) == "paper_out")
    called = office.post("/api/counters/1/next", headers=staff).json()["ticket"]
    assert called["number"] == early["number"]

    fake.mode = "online"
    later = issue(office)

    assert numbers_printed(fake.wait_for_jobs(1)) == [later["number"]]
    wait_until(lambda: print_status(office, early) == "failed")
    job = store.print_jobs_of(office.runtime.db, early["id"])[0]
    assert (job["status"], job["last_error"]) == ("failed", "skipped: ticket already called")
    time.sleep(0.3)
    assert len(fake.jobs()) == 1


def test_a_call_while_the_printer_is_asked_for_its_state_is_not_printed_late(tmp_path, fake, clock):
    app = network_app(tmp_path, fake, clock=clock)
    runtime = app.extensions["kiosk"]
    add_staff(app)
    client = app.test_client()
    ticket = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
    fake.answer_gate = threading.Event()  # the printer takes its time to say it is ready
    worker = PrintWorker(runtime)
    drained = threading.Thread(target=worker.drain_once, daemon=True)
    drained.start()
    assert fake.asked.wait(5), "the worker never asked the printer for its state"

    login = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    called = client.post("/api/counters/1/next", headers={"X-CSRF-Token": login["csrf_token"]}).get_json()
    assert called["ticket"]["number"] == ticket["number"]  # the resident is at the counter now
    fake.answer_gate.set()
    drained.join(10)

    assert not drained.is_alive()
    job = store.print_jobs_of(runtime.db, ticket["id"])[0]
    assert (job["status"], job["last_error"]) == ("failed", "skipped: ticket already called")
    assert fake.jobs() == []


def test_staff_reprint_prints_again_even_after_the_call(office, fake):
    staff = office.login()
    ticket = issue(office)
    fake.wait_for_jobs(1)
    wait_until(lambda: print_status(office, ticket) == "printed")

    answer = office.post(f"/api/tickets/{ticket['id']}/reprint", headers=staff)
    assert answer.status_code == 200 and answer.json()["ticket"]["print_status"] == "pending"
    assert numbers_printed(fake.wait_for_jobs(2)) == ["A-001", "A-001"]

    office.post("/api/counters/1/next", headers=staff).raise_for_status()
    office.post(f"/api/tickets/{ticket['id']}/reprint", headers=staff).raise_for_status()
    assert numbers_printed(fake.wait_for_jobs(3)) == ["A-001"] * 3  # asked for at the counter: printed
    wait_until(lambda: print_status(office, ticket) == "printed")


def test_a_newer_reprint_supersedes_the_pending_job_so_one_ticket_prints(office, fake):
    staff = office.login()
    fake.mode = "paper_out"
    ticket = issue(office)
    wait_until(lambda: printer_health(office) == "paper_out")
    office.post(f"/api/tickets/{ticket['id']}/reprint", headers=staff).raise_for_status()

    fake.mode = "online"
    later = issue(office, "AMBIL")

    printed = fake.wait_for_jobs(2)
    assert numbers_printed(printed) == ["A-001", later["number"]]
    assert "CETAK ULANG" in printed_text(printed[0])
    wait_until(lambda: print_status(office, later) == "printed")
    jobs = store.print_jobs_of(office.runtime.db, ticket["id"])
    assert [(j["status"], j["last_error"]) for j in jobs] == [
        ("failed", "skipped: a newer reprint is queued"),
        ("printed", None),
    ]
    assert print_status(office, ticket) == "printed"
    assert len(fake.jobs()) == 2


def test_a_ticket_cancelled_before_it_could_print_is_never_printed(office, fake):
    staff = office.login()
    fake.mode = "paper_out"
    cancelled = issue(office)
    wait_until(lambda: printer_health(office) == "paper_out")
    answer = office.post(f"/api/tickets/{cancelled['id']}/cancel", headers=staff)
    assert answer.status_code == 200 and answer.json()["ticket"]["status"] == "cancelled"

    fake.mode = "online"
    later = issue(office, "AMBIL")

    assert numbers_printed(fake.wait_for_jobs(1)) == [later["number"]]
    wait_until(lambda: print_status(office, later) == "printed")
    job = store.print_jobs_of(office.runtime.db, cancelled["id"])[0]
    assert (job["status"], job["last_error"]) == ("failed", "skipped: ticket is cancelled")
    assert print_status(office, cancelled) == "failed"
    assert len(fake.jobs()) == 1


@pytest.mark.parametrize("width", [58, 80])
def test_a_reprint_arrives_marked_cetak_ulang_and_every_ticket_is_valid_today_only(tmp_path, fake, fast_retries, width):
    app = network_app(tmp_path, fake, printer__paper_width_mm=width)
    add_staff(app)
    server = LiveServer(app).start()
    try:
        staff = server.login()
        ticket = issue(server)
        fake.wait_for_jobs(1)
        server.post(f"/api/tickets/{ticket['id']}/reprint", headers=staff).raise_for_status()
        first, second = fake.wait_for_jobs(2)
    finally:
        server.stop()

    def expected(reprint):
        return render_ticket(
            TicketPrint(
                office_name="Kantor Kecamatan Selat",
                service_name="Perekaman KTP-el",
                number="A-001",
                priority=False,
                issued_at=datetime.fromisoformat(ticket["issued_at"]),
                ahead=0,
                estimated_wait_minutes=0,
                track_url=ticket["track_url"],
                reprint=reprint,
                requirements=app.extensions["kiosk"].settings.service("REKAM").requirements,
            ),
            "TM-T20II",
            width,
        )

    assert (first, second) == (expected(False), expected(True))
    lines = [line.text for line in printed_lines(second)]
    assert lines[lines.index("A-001") + 1] == " CETAK ULANG "
    assert "CETAK ULANG" not in printed_text(first)
    for job in (first, second):
        lines = [line.text for line in printed_lines(job)]
        assert lines[lines.index(format_issued_at(datetime.fromisoformat(ticket["issued_at"]))) + 1] == (
            "Berlaku hari ini saja"
        )
        assert max(line.columns for line in printed_lines(job)) <= {58: 32, 80: 48}[width]


def test_printer_state_follows_the_printer_at_healthz_counter_and_event_stream(office, fake):
    staff = office.login()
    wait_until(lambda: printer_health(office) == "online")
    events = requests.get(office.url + "/api/events", stream=True, timeout=5)
    try:
        lines = events.iter_lines(decode_unicode=True)
        for mode, expected in (
            ("paper_out", "paper_out"),
            ("refuse", "offline"),
            ("stall", "offline"),
            ("online", "online"),
        ):
            fake.mode = mode
            wait_until(lambda expected=expected: printer_health(office) == expected)
            counter = office.get("/api/counters/1", headers=staff).json()
            assert counter["printer"] == expected
        seen = []
        for line in lines:
            if line.startswith("data:") and '"state"' in line:
                seen.append(json.loads(line[5:])["state"])
            if seen[-3:] == ["paper_out", "offline", "online"]:
                break
        assert seen[-3:] == ["paper_out", "offline", "online"]
    finally:
        events.close()


def test_a_job_that_can_never_print_is_failed_with_its_reason_and_the_outbox_moves_on(office, fake):
    runtime = office.runtime
    assert office.get("/healthz").json()["print_failure"] is None
    good = runtime.settings
    # As if the start-up check had let it through: a link far too long for any QR code.
    runtime.settings = dataclasses.replace(
        good, office=dataclasses.replace(good.office, public_url="http://192.168.1.10:8080/" + "a" * 3000)
    )
    first, second = issue(office), issue(office, "AMBIL")

    wait_until(lambda: [print_status(office, t) for t in (first, second)] == ["failed", "failed"])
    reason = (
        f"unprintable: the QR code of a {len(first['track_url'])}-character link does not fit 80 mm paper: "
        "shorten [office] public_url"
    )
    for ticket in (first, second):
        jobs = store.print_jobs_of(runtime.db, ticket["id"])
        assert [(j["status"], j["attempts"], j["last_error"]) for j in jobs] == [("failed", 1, reason)]
    health = office.get("/healthz").json()
    assert health["print_failure"] == {"number": "C-001", "reason": reason}
    wait_until(lambda: printer_health(office) == "online")  # the printer itself is fine

    runtime.settings = good  # staff fix the configuration
    third = issue(office, "INFO")

    assert numbers_printed(fake.wait_for_jobs(1)) == ["F-001"]
    wait_until(lambda: print_status(office, third) == "printed")
    time.sleep(0.3)
    assert len(fake.jobs()) == 1 and [print_status(office, t) for t in (first, second)] == ["failed", "failed"]


@pytest.mark.serial  # a time bound: alone on the machine
def test_a_serial_printer_whose_link_stops_taking_data_never_hangs_the_worker(tmp_path, clock):
    with SerialLink() as link:
        app = make_app(
            tmp_path,
            clock=clock,
            printer__type="serial",
            printer__device=link.device,
            printer__profile="POS-5890",
            printer__paper_width_mm=58,
            printer__timeout=0.3,
        )
        runtime = app.extensions["kiosk"]
        ticket = app.test_client().post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
        worker = PrintWorker(runtime)
        link.jam()

        drained = threading.Thread(target=worker.drain_once, daemon=True)
        started = time.monotonic()
        drained.start()
        drained.join(10)
        assert not drained.is_alive(), "the print worker hung on the serial link"
        assert time.monotonic() - started < 3
        assert worker.state == "offline"
        job = store.print_jobs_of(runtime.db, ticket["id"])[0]
        assert (job["status"], job["last_error"]) == ("pending", "printer offline")

        link.start_reading()  # the printer takes data again
        worker.drain_once()

        assert store.get_ticket(runtime.db, ticket["id"])["print_status"] == "printed"
        expected = render_ticket(
            TicketPrint(
                office_name="Kantor Kecamatan Selat",
                service_name="Perekaman KTP-el",
                number="A-001",
                priority=False,
                issued_at=datetime.fromisoformat(ticket["issued_at"]),
                ahead=0,
                estimated_wait_minutes=0,
                track_url=ticket["track_url"],
                requirements=runtime.settings.service("REKAM").requirements,  # "Bawa: ..."
            ),
            "POS-5890",
            58,
        )
        wait_until(lambda: split_status_queries(link.received())[0].endswith(expected))
        data = split_status_queries(link.received())[0]
        assert data == b"\0" * (len(data) - len(expected)) + expected  # the jam, then the ticket


def test_a_job_from_an_earlier_day_is_never_printed(tmp_path, fake, clock):
    app = network_app(tmp_path, fake, clock=clock)
    runtime = app.extensions["kiosk"]
    fake.mode = "paper_out"
    ticket = app.test_client().post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
    worker = PrintWorker(runtime)
    worker.drain_once()
    assert worker.state == "paper_out"

    clock.advance(days=1)
    fake.mode = "online"
    worker.drain_once()

    assert fake.jobs() == []
    job = store.print_jobs_of(runtime.db, ticket["id"])[0]
    assert (job["status"], job["last_error"]) == ("failed", "skipped: ticket from an earlier day")


def test_the_demo_file_printer_appends_real_escpos_bytes(tmp_path, clock):
    app = make_app(tmp_path, clock=clock)  # printer type "file", as in config/kiosk.toml
    runtime = app.extensions["kiosk"]
    client = app.test_client()
    worker = PrintWorker(runtime)
    first = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
    worker.drain_once()
    second = client.post("/api/tickets", json={"service": "REKAM", "priority": True}).get_json()["ticket"]
    worker.drain_once()

    data = (tmp_path / "printer.bin").read_bytes()
    assert data.startswith(b"\x1b!\x00")  # ESC ! 0: the layout starts from the default style
    assert data.count(b"\x1dV") == 2  # two tickets, each cut (GS V)
    assert NUMBER.findall(printed_text(data)) == ["A-001", "A-002"]
    assert "PRIORITAS" in printed_text(data)
    assert first["track_url"].encode() in data and second["track_url"].encode() in data
    assert store.get_ticket(runtime.db, second["id"])["print_status"] == "printed"
    assert worker.state == "online"
