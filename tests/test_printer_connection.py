"""Printer connections and status, against a fake network printer and real files."""

from __future__ import annotations

import dataclasses
import importlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from escpos.printer import Dummy

from kiosk.domain.settings import Printer
from printer import (
    PrinterError,
    TicketPrint,
    close_printer,
    open_printer,
    print_ticket,
    printer_state,
)
from printer.connection import _usb_problem
from tests.fakeprinter import FakePrinter, SerialLink, split_status_queries
from tests.support import wait_until

TIMEOUT = 0.3


def Config(**changes) -> Printer:  # noqa: N802 - reads like the config class it builds
    """The app's own printer settings (so the real config object is what open_printer gets), network by default."""
    base = Printer(type="network", host="127.0.0.1", vendor_id=0x04B8, product_id=0x0202, timeout=TIMEOUT)
    return dataclasses.replace(base, **changes)


TICKET = TicketPrint(
    office_name="Kantor Kecamatan Selat",
    service_name="Pengambilan KTP-el",
    number="C-007",
    priority=False,
    issued_at=datetime(2026, 11, 28, 9, 41, tzinfo=timezone(timedelta(hours=7))),
    ahead=2,
    estimated_wait_minutes=20,
    track_url="http://192.168.1.10:8080/t/Qw9x",
)


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def network(fake: FakePrinter, **changes) -> Config:
    return Config(host=fake.host, port=fake.port, **changes)


def dummy_bytes(profile: str = "TM-T20II", width: int = 80) -> bytes:
    printer = Dummy(profile=profile)
    print_ticket(printer, TICKET, width)
    return printer.output


def state_of(config: Config) -> str:
    printer = open_printer(config)
    try:
        return printer_state(printer)
    finally:
        close_printer(printer)


def test_network_ticket_arrives_byte_identical(fake: FakePrinter) -> None:
    printer = open_printer(network(fake))
    print_ticket(printer, TICKET, 80)
    close_printer(printer)
    assert fake.wait_for_jobs(1) == [dummy_bytes()]


def test_status_queries_are_not_part_of_the_job(fake: FakePrinter) -> None:
    printer = open_printer(network(fake))
    assert printer_state(printer) == "online"
    print_ticket(printer, TICKET, 80)
    close_printer(printer)
    assert fake.wait_for_jobs(1) == [dummy_bytes()]


@pytest.mark.parametrize(
    "mode,state",
    [("online", "online"), ("paper_low", "online"), ("paper_out", "paper_out"), ("offline", "offline")],
)
def test_state_follows_the_printer(fake: FakePrinter, mode: str, state: str) -> None:
    fake.set_mode(mode)
    assert state_of(network(fake)) == state
    assert fake.jobs() == []


def test_state_changes_at_run_time(fake: FakePrinter) -> None:
    config = network(fake)
    assert state_of(config) == "online"
    fake.set_mode("paper_out")
    assert state_of(config) == "paper_out"
    fake.set_mode("online")
    assert state_of(config) == "online"


@pytest.mark.serial  # a time bound: alone on the machine
def test_refused_connection_fails_fast_then_recovers_on_the_same_port(fake: FakePrinter) -> None:
    fake.set_mode("refuse")
    started = time.monotonic()
    with pytest.raises(PrinterError, match=f"127.0.0.1:{fake.port}"):
        open_printer(network(fake))
    assert time.monotonic() - started < 1.0
    fake.set_mode("online")
    assert state_of(network(fake)) == "online"


@pytest.mark.serial  # a time bound: alone on the machine
def test_silent_printer_is_not_online_within_the_timeout(fake: FakePrinter) -> None:
    fake.set_mode("stall")
    printer = open_printer(network(fake))
    started = time.monotonic()
    assert printer_state(printer) == "offline"
    assert time.monotonic() - started < TIMEOUT * 3
    close_printer(printer)


def test_a_network_printer_that_hangs_up_before_its_second_answer_is_offline_never_unknown() -> None:
    # The print worker reads "unknown" as a one-way cable that takes jobs ("online"). A network printer that ends
    # the connection instead of answering (switched off, its network module restarting) is not ready: the
    # counter showed a printer switched off mid-question as "online" for one check before "offline".
    listener = socket.create_server(("127.0.0.1", 0))
    hung_up = threading.Event()

    def answer_once_then_hang_up() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(3)  # DLE EOT 1
            conn.sendall(bytes([0x12]))  # online
            hung_up.set()  # (set before the hang-up itself: the client may read the end of the stream at once)
            conn.shutdown(socket.SHUT_WR)  # then the end of the stream, and nothing more
            conn.settimeout(5)
            while conn.recv(16):
                pass

    server = threading.Thread(target=answer_once_then_hang_up, daemon=True)
    server.start()
    printer = open_printer(Config(port=listener.getsockname()[1]))
    try:
        assert printer_state(printer) == "offline"
        assert hung_up.is_set()
    finally:
        close_printer(printer)
        server.join(5)
        listener.close()


def test_printer_dropping_mid_job_raises_oserror(fake: FakePrinter) -> None:
    printer = open_printer(network(fake))
    assert printer_state(printer) == "online"
    fake.set_mode("refuse")
    time.sleep(0.1)  # let the fake reset the connection
    with pytest.raises(OSError):
        print_ticket(printer, TICKET, 80)
    close_printer(printer)


def test_file_printer_appends_tickets(tmp_path) -> None:
    config = Config(type="file", path=str(tmp_path / "var" / "spool" / "printer.bin"))
    for _ in range(2):
        printer = open_printer(config)
        assert printer_state(printer) == "unknown"
        print_ticket(printer, TICKET, 80)
        close_printer(printer)
    assert (tmp_path / "var" / "spool" / "printer.bin").read_bytes() == dummy_bytes() * 2


def test_unwritable_file_path_is_a_printer_error(tmp_path) -> None:
    (tmp_path / "not-a-dir").write_text("")
    config = Config(type="file", path=str(tmp_path / "not-a-dir" / "printer.bin"))
    with pytest.raises(PrinterError, match="printer.bin"):
        open_printer(config)


def test_no_printer() -> None:
    printer = open_printer(Config(type="none"))
    assert printer is None
    assert printer_state(printer) == "unknown"
    close_printer(printer)


def test_unknown_type_and_profile_are_explained() -> None:
    with pytest.raises(PrinterError, match="usb, serial, network, file or none"):
        open_printer(Config(type="bluetooth"))
    with pytest.raises(PrinterError, match="TM-T20II"):
        open_printer(Config(type="file", profile="TM-X999"))


def test_missing_serial_device_is_named() -> None:
    with pytest.raises(PrinterError, match="/dev/ttyNOPRINTER"):
        open_printer(Config(type="serial", device="/dev/ttyNOPRINTER"))


def finishes_within(seconds: float, action) -> tuple[bool, float, BaseException | None]:
    """Run ``action`` in a thread; return whether it finished in time, how long it took and what it raised."""
    outcome: dict = {}

    def run() -> None:
        started = time.monotonic()
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
        outcome["took"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)  # a hung write must fail the test, not hang it
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), outcome.get("took", seconds), outcome.get("error")


def test_a_serial_link_that_stops_taking_data_times_out_instead_of_hanging() -> None:
    with SerialLink() as link:
        printer = open_printer(Config(type="serial", device=link.device, profile="POS-5890"))
        link.jam()

        finished, took, error = finishes_within(10, lambda: print_ticket(printer, TICKET, 58))
        assert finished, "a write to a jammed serial link hung"
        assert isinstance(error, OSError) and "Write timeout" in str(error)
        assert took < TIMEOUT + 2

        finished, took, error = finishes_within(10, lambda: close_printer(printer))
        assert finished and error is None and took < TIMEOUT + 2


def test_a_serial_printer_gets_the_same_bytes_as_dummy() -> None:
    with SerialLink() as link:
        link.start_reading()
        printer = open_printer(Config(type="serial", device=link.device, profile="POS-5890"))
        print_ticket(printer, TICKET, 58)
        close_printer(printer)
        wait_until(lambda: len(link.received()) >= len(dummy_bytes("POS-5890", 58)))
        assert link.received() == dummy_bytes("POS-5890", 58)


def test_missing_usb_printer_names_ids_and_lsusb() -> None:
    with pytest.raises(PrinterError, match="04b8:0202.*lsusb"):
        open_printer(Config(type="usb"))


def _usb_core():
    """Import pyusb's core; skip without it on a developer machine, fail in CI (the test extra installs it)."""
    try:
        return importlib.import_module("usb.core")
    except ImportError as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"pyusb is required in CI (pip install -e '.[test]'): {missing}")
        pytest.skip("pyusb is not installed")


def test_usb_permission_and_busy_errors_say_how_to_fix_them() -> None:
    usb_core = _usb_core()
    denied = _usb_problem(Config(type="usb"), usb_core.USBError("Access denied", -3, 13))
    assert 'ATTRS{idVendor}=="04b8", ATTRS{idProduct}=="0202"' in denied and "udevadm" in denied
    busy = _usb_problem(Config(type="usb"), usb_core.USBError("Resource busy", -6, 16))
    assert "ipp-usb" in busy and "CUPS" in busy


def test_one_way_printer_state_is_unknown() -> None:
    class OneWay(Dummy):
        """A printer on a cable without a back channel: reads return nothing."""

        def _read(self) -> bytes:
            return b""

    printer = OneWay(profile="TM-T20II")
    assert printer_state(printer) == "unknown"
    assert printer.output == b"\x10\x04\x01\x10\x04\x04"


def test_fake_keeps_queries_split_across_reads_out_of_the_job() -> None:
    assert split_status_queries(b"AB\x10") == (b"AB", [], b"\x10")
    assert split_status_queries(b"\x10\x04\x01CD\x10\x04") == (b"CD", [1], b"\x10\x04")
    assert split_status_queries(b"\x10\x04\x09") == (b"\x10\x04\x09", [], b"")


def test_fake_records_jobs_in_the_order_their_connections_arrived(fake: FakePrinter) -> None:
    first = socket.create_connection((fake.host, fake.port), timeout=TIMEOUT)
    second = socket.create_connection((fake.host, fake.port), timeout=TIMEOUT)
    second.sendall(b"second job")
    second.close()
    assert fake.wait_for_jobs(1) == [b"second job"]  # its connection thread finished first
    first.sendall(b"first job")
    first.close()
    assert fake.wait_for_jobs(2) == [b"first job", b"second job"]
