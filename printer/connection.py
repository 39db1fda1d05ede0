"""Turn the [printer] config into a connected python-escpos printer and ask it for its state."""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from escpos.capabilities import get_profile
from escpos.constants import (
    RT_MASK_NOPAPER,
    RT_MASK_ONLINE,
    RT_STATUS_ONLINE,
    RT_STATUS_PAPER,
)
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import File, Network, Serial, Usb

log = logging.getLogger(__name__)

# A USB write may wait for the printer to drain its buffer; never less than this.
MIN_USB_WRITE_TIMEOUT_S = 5.0
# Serial jobs go out in pieces this big, each allowed the timeout plus its own transmit time, so a
# slow link (a 14 KB image ticket takes 15 s at 9600 baud) works while a stalled one fails fast.
SERIAL_CHUNK_BYTES = 512
SERIAL_BITS_PER_BYTE = 10  # start + 8 data + stop


class PrinterError(Exception):
    """A printer problem, worded as a clear fix-it sentence for the staff log."""


class PrinterConfig(Protocol):
    """The [printer] settings open_printer reads (the app passes a frozen dataclass: read-only members)."""

    @property
    def type(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def vendor_id(self) -> int: ...
    @property
    def product_id(self) -> int: ...
    @property
    def in_ep(self) -> int | None: ...
    @property
    def out_ep(self) -> int | None: ...
    @property
    def device(self) -> str: ...
    @property
    def baudrate(self) -> int: ...
    @property
    def profile(self) -> str: ...
    @property
    def paper_width_mm(self) -> int: ...
    @property
    def timeout(self) -> float: ...


class AppendingFile(File):
    """A File printer that appends: python-escpos File opens with "wb" and would erase earlier tickets."""

    def open(self, raise_not_found: bool = True) -> None:
        """Open the file for appending."""
        if self._device:
            self.close()
        try:
            self.device = open(self.devfile, "ab")
        except OSError as exc:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"Could not open {self.devfile}: {exc}") from exc
            log.error("File printer %s cannot be opened: %s", self.devfile, exc)


class ClosingNetwork(Network):
    """A Network printer whose failed connect closes its socket (python-escpos 3.1 leaves it to the GC)."""

    def open(self, raise_not_found: bool = True) -> None:
        """Connect to host:port within the timeout."""
        if self._device:
            self.close()
        try:
            self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"Could not connect to {self.host}:{self.port}: {exc}") from exc
            log.error("Network printer %s:%s unreachable: %s", self.host, self.port, exc)


class TimedSerial(Serial):
    """A Serial printer whose writes and close give up on a link that stops taking data.

    python-escpos opens the port without a write timeout (``dsrdtr=True``) and drains it with
    tcdrain on close: either would hang the print worker for good on a stalled link.
    """

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port with a write timeout; a stalled write raises SerialTimeoutException (an OSError)."""
        super().open(raise_not_found)
        if self._device:
            self._device.write_timeout = self.timeout + self._transmit_seconds(SERIAL_CHUNK_BYTES)

    def _raw(self, msg: bytes) -> None:
        for start in range(0, len(msg), SERIAL_CHUNK_BYTES):
            self.device.write(msg[start : start + SERIAL_CHUNK_BYTES])

    def close(self) -> None:
        """Wait for the output to go out (bounded), discard what a stalled link left, and close the port."""
        port = self._device
        if not port:
            return
        self._device = False
        try:
            deadline = time.monotonic() + self.timeout + self._transmit_seconds(port.out_waiting)
            while port.out_waiting and time.monotonic() < deadline:
                time.sleep(0.01)
            if port.out_waiting:
                port.reset_output_buffer()
        finally:
            port.close()

    def _transmit_seconds(self, size: int) -> float:
        return size * SERIAL_BITS_PER_BYTE / self.baudrate


def send_job(printer: Escpos, job: bytes) -> None:
    """Send the bytes of a rendered job (see render_ticket) to the printer as they are."""
    printer._raw(job)


def open_printer(config: PrinterConfig) -> Escpos | None:
    """Return a connected python-escpos printer for the config, None for type "none"; raise PrinterError with a fix-it message."""
    if config.type == "none":
        return None
    opener = _OPENERS.get(config.type)
    if opener is None:
        raise PrinterError(
            f"Unknown printer type {config.type!r}: set [printer] type to usb, serial, network, file or none."
        )
    check_profile(config.profile)
    return opener(config)


def printer_state(printer: Escpos | None) -> str:
    """Ask the printer (DLE EOT) and return "online", "offline", "paper_out" or "unknown"."""
    if printer is None or not _can_read(printer):
        # File, LP, CUPS and Dummy printers cannot answer: the caller should just print.
        return "unknown"
    try:
        online_status = printer.query_status(RT_STATUS_ONLINE)
        paper_status = printer.query_status(RT_STATUS_PAPER)
    except (OSError, EscposError) as exc:
        # Includes TimeoutError: a connected printer that stays silent is treated as not ready.
        log.info("Printer status query failed: %r", exc)
        return "offline"
    if isinstance(printer, Network) and not (online_status and paper_status):
        # A socket reads b"" only at the end of the stream: the printer hung up instead of answering (switched
        # off, its network module restarting). That is not a one-way cable ("unknown", which takes jobs).
        log.info("Printer closed the connection instead of answering its status")
        return "offline"
    return _state_from_status(online_status, paper_status)


def close_printer(printer: Escpos | None) -> None:
    """Close the printer connection, ignoring errors from a link that is already gone."""
    if printer is None:
        return
    try:
        printer.close()
    except (OSError, EscposError) as exc:
        log.info("Ignoring error while closing the printer: %r", exc)


def _can_read(printer: Escpos) -> bool:
    # Checked up front: query_status writes DLE EOT before finding out it cannot read,
    # which would leave stray bytes in a file printer's output.
    return type(printer)._read is not Escpos._read


def _state_from_status(online_status: bytes, paper_status: bytes) -> str:
    # An empty answer is a one-way link (serial or USB without a back channel): state unknown.
    if not online_status or not paper_status:
        return "unknown"
    # Checked first because real printers also raise the offline bit when the paper runs out.
    if paper_status[0] & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return "paper_out"
    if online_status[0] & RT_MASK_ONLINE:
        return "offline"
    # Paper near its end still prints: counts as online.
    return "online"


def check_profile(name: str) -> None:
    """Raise PrinterError naming [printer] profile unless python-escpos knows this capability profile."""
    try:
        get_profile(name)
    except KeyError:
        raise PrinterError(
            f"Unknown printer profile {name!r}: set [printer] profile to one python-escpos knows, "
            'e.g. "TM-T20II" (80 mm Epson) or "POS-5890" (common 58 mm).'
        ) from None


def _root_cause(exc: BaseException) -> BaseException:
    # python-escpos wraps the OS error in DeviceNotFoundError; the cause says what went wrong.
    return exc.__cause__ or exc.__context__ or exc


def _open_file(config: PrinterConfig) -> Escpos:
    path = Path(config.path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        printer = AppendingFile(devfile=str(path), profile=config.profile)
        printer.open()
    except (OSError, DeviceNotFoundError) as exc:
        raise PrinterError(
            f"Cannot write the printer file {path} ({_root_cause(exc)}): "
            "check [printer] path and that the kiosk user may write there."
        ) from exc
    return printer


def _open_network(config: PrinterConfig) -> Escpos:
    printer = ClosingNetwork(config.host, config.port, timeout=config.timeout, profile=config.profile)
    try:
        printer.open()
    except DeviceNotFoundError as exc:
        raise PrinterError(
            f"Cannot connect to the network printer at {config.host}:{config.port} ({_root_cause(exc)}): "
            "check that it is switched on and cabled, and that [printer] host and port match "
            "the address on its self-test page."
        ) from exc
    return printer


def _open_usb(config: PrinterConfig) -> Escpos:
    if not Usb.is_usable():
        raise PrinterError(
            "USB printing needs pyusb: install the extra: pip install 'python-escpos[usb]' "
            "(and the Debian package libusb-1.0-0)."
        )
    endpoints = {
        name: value for name, value in (("in_ep", config.in_ep), ("out_ep", config.out_ep)) if value is not None
    }
    write_timeout_ms = int(max(config.timeout, MIN_USB_WRITE_TIMEOUT_S) * 1000)
    printer = Usb(
        config.vendor_id,
        config.product_id,
        timeout=write_timeout_ms,
        profile=config.profile,
        **endpoints,
    )
    try:
        printer.open()
    except (DeviceNotFoundError, ValueError) as exc:
        # ValueError: pyusb's NoBackendError when libusb itself is missing.
        raise PrinterError(_usb_problem(config, _root_cause(exc))) from exc
    return printer


def _usb_problem(config: PrinterConfig, cause: BaseException) -> str:
    ids = f"{config.vendor_id:04x}:{config.product_id:04x}"
    code = getattr(cause, "errno", None) or getattr(cause, "backend_error_code", None)
    if type(cause).__name__ == "NoBackendError":
        return "USB printing needs libusb: install the Debian package libusb-1.0-0."
    if code in (errno.EACCES, -3):  # -3 is LIBUSB_ERROR_ACCESS
        return (
            f"Access denied to the USB printer {ids}: add a udev rule, e.g. "
            f"/etc/udev/rules.d/99-escpos.rules with "
            f'SUBSYSTEM=="usb", ATTRS{{idVendor}}=="{config.vendor_id:04x}", '
            f'ATTRS{{idProduct}}=="{config.product_id:04x}", MODE="0664", GROUP="dialout", '
            "then run 'udevadm control --reload', replug the printer and add the kiosk user to dialout."
        )
    if code in (errno.EBUSY, -6):  # -6 is LIBUSB_ERROR_BUSY
        return (
            f"The USB printer {ids} is busy: another process holds it (a second print worker, "
            "CUPS or ipp-usb); stop it (e.g. 'systemctl stop ipp-usb cups') and run one print worker."
        )
    return (
        f"USB printer {ids} not found ({cause}): check the cable and power, compare [printer] "
        "vendor_id and product_id with the output of 'lsusb', and set in_ep/out_ep if the printer "
        "uses other endpoints (cheap units often use 0x81/0x03)."
    )


def _open_serial(config: PrinterConfig) -> Escpos:
    try:
        printer = TimedSerial(
            devfile=config.device,
            baudrate=config.baudrate,
            timeout=config.timeout,
            profile=config.profile,
        )
    except RuntimeError as exc:
        # python-escpos raises RuntimeError when pyserial is missing.
        raise PrinterError(
            "Serial printing needs pyserial: install the extra: pip install 'python-escpos[serial]'."
        ) from exc
    try:
        printer.open()
    except DeviceNotFoundError as exc:
        raise PrinterError(_serial_problem(config, _root_cause(exc))) from exc
    return printer


def _serial_problem(config: PrinterConfig, cause: BaseException) -> str:
    if getattr(cause, "errno", None) == errno.EACCES:
        return (
            f"Access denied to the serial printer {config.device}: add the kiosk user to the "
            "dialout group (usermod -aG dialout USER) and log in again."
        )
    return (
        f"Serial printer device {config.device} not found ({cause}): check the cable and power, "
        "and set [printer] device to the port shown by 'ls /dev/ttyACM* /dev/ttyUSB*'."
    )


_OPENERS: dict[str, Callable[[PrinterConfig], Escpos]] = {
    "file": _open_file,
    "network": _open_network,
    "usb": _open_usb,
    "serial": _open_serial,
}
