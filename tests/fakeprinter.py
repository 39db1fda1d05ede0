"""A fake ESC/POS network printer on 127.0.0.1, a serial link on a pseudo-terminal, and a decoder for the text
an ESC/POS job prints.

Not a test module: tests import `from tests.fakeprinter import FakePrinter, SerialLink, printed_lines`.
"""

from __future__ import annotations

import bisect
import itertools
import os
import select
import socket
import struct
import threading
import time
from typing import NamedTuple

MODES = ("online", "paper_low", "paper_out", "offline", "refuse", "stall")
DLE_EOT = b"\x10\x04"
# Real-time status answers (Epson DLE EOT n): bits 1 and 4 are always set (0x12).
# n=1 bit 3 offline; n=2 bit 2 cover open, bit 5 stopped by paper end;
# n=4 bits 2-3 paper near end, bits 5-6 paper end. A real printer also goes
# offline when the paper runs out, so "paper_out" sets the offline bit too.
STATUS_ANSWERS = {
    "online": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_low": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    "offline": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
}
POLL_SECONDS = 0.05
JOIN_SECONDS = 2.0
JAM_SETTLED_REFUSALS = 2  # see SerialLink.jam


class FakePrinter:
    """A TCP ESC/POS printer on 127.0.0.1 for tests: collects job bytes, answers DLE EOT status queries."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self._mode = "online"
        self._lock = threading.Lock()
        self._jobs_changed = threading.Condition(self._lock)
        # (accept order, job bytes): connection threads finish in any order under load, but the
        # printer received the jobs in the order it accepted their connections.
        self._jobs: list[tuple[int, bytes]] = []
        self._accepted = itertools.count()
        self._connections = 0
        self._clients: dict[socket.socket, bool] = {}  # socket -> killed by "refuse"/stop
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        # Set `answer_gate` to hold status answers until it is set; `asked` tells that a query came in.
        self.answer_gate: threading.Event | None = None
        self.asked = threading.Event()
        self._listener: socket.socket | None = self._listen(0)
        self.port: int = self._listener.getsockname()[1]

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def mode(self) -> str:
        """Return the current mode."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self.set_mode(mode)

    @property
    def received(self) -> bytes:
        """Return all bytes of completed jobs, without the status queries."""
        return b"".join(self.jobs())

    def start(self) -> FakePrinter:
        """Start accepting connections in a background thread."""
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        """Stop listening, drop open connections and join all threads."""
        self._stopping.set()
        with self._lock:
            self._close_listener()
            self._kill_clients()
        for thread in self._threads:
            thread.join(JOIN_SECONDS)

    def set_mode(self, mode: str) -> None:
        """Switch mode at run time; "refuse" closes the port, leaving it re-listens on the same port."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        with self._lock:
            was_refusing = self._mode == "refuse"
            self._mode = mode
            if mode == "refuse":
                # Like a printer switched off: the port closes and open connections die.
                self._close_listener()
                self._kill_clients()
            elif was_refusing:
                self._listener = self._listen(self.port)

    @property
    def connections(self) -> int:
        """Return how many connections the printer has accepted (print jobs and status questions)."""
        with self._lock:
            return self._connections

    def jobs(self) -> list[bytes]:
        """Return one entry per finished connection that sent job data, in the order the connections arrived."""
        with self._lock:
            return [job for _, job in self._jobs]

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Wait until at least `count` jobs have finished and return them in arrival order; raise TimeoutError otherwise."""
        with self._jobs_changed:
            if not self._jobs_changed.wait_for(lambda: len(self._jobs) >= count, timeout):
                raise TimeoutError(f"expected {count} print jobs, got {len(self._jobs)}")
            return [job for _, job in self._jobs]

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Re-listening on the same port must not trip over TIME_WAIT of old connections.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, port))
        listener.listen(8)
        return listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                # close() alone leaves the port listening while the accept thread's
                # select() still holds the socket; shutdown() stops it at once.
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None

    def _kill_clients(self) -> None:
        for client in self._clients:
            self._clients[client] = True
            try:
                client.shutdown(socket.SHUT_RDWR)  # wakes the handler blocked in recv()
            except OSError:
                pass

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="fake-printer")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            listener = self._listener
            if listener is None:
                self._stopping.wait(POLL_SECONDS)
                continue
            try:
                # Poll so that set_mode("refuse") and stop() can close the listener under us.
                if not select.select([listener], [], [], POLL_SECONDS)[0]:
                    continue
                conn, _ = listener.accept()
            except (OSError, ValueError):
                continue
            with self._lock:
                if self._stopping.is_set() or self._mode == "refuse":
                    conn.close()
                    continue
                self._clients[conn] = False
                arrival = next(self._accepted)
                self._connections += 1
            self._spawn(self._serve, conn, arrival)

    def _serve(self, conn: socket.socket, arrival: int) -> None:
        job = bytearray()
        pending = b""
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            data, queries, pending = split_status_queries(pending + chunk)
            job += data
            self._answer(conn, queries)
        job += pending
        self._finish(conn, arrival, bytes(job))

    def _answer(self, conn: socket.socket, queries: list[int]) -> None:
        gate = self.answer_gate
        if queries and gate is not None:
            self.asked.set()
            gate.wait(JOIN_SECONDS * 5)
        answers = STATUS_ANSWERS.get(self._mode, {})  # "stall" never answers
        reply = bytes(answers[n] for n in queries if n in answers)
        if reply:
            try:
                conn.sendall(reply)
            except OSError:
                pass

    def _finish(self, conn: socket.socket, arrival: int, job: bytes) -> None:
        with self._jobs_changed:
            killed = self._clients.pop(conn, True)
            if job and not killed:
                bisect.insort(self._jobs, (arrival, job))
                self._jobs_changed.notify_all()
        if killed:
            # Reset instead of a polite close, as a printer losing power would.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()


def split_status_queries(buffer: bytes) -> tuple[bytes, list[int], bytes]:
    """Split a byte stream into job data, DLE EOT query numbers and an incomplete tail."""
    data = bytearray()
    queries: list[int] = []
    index = 0
    while True:
        found = buffer.find(DLE_EOT, index)
        if found < 0:
            rest = buffer[index:]
            # A lone trailing DLE may be the start of a query split across two reads.
            if rest.endswith(b"\x10"):
                return bytes(data + rest[:-1]), queries, b"\x10"
            return bytes(data + rest), queries, b""
        if found + 2 >= len(buffer):
            return bytes(data + buffer[index:found]), queries, buffer[found:]
        number = buffer[found + 2]
        if number in (1, 2, 3, 4):
            data += buffer[index:found]
            queries.append(number)
        else:
            data += buffer[index : found + 3]
        index = found + 3


class PrintedLine(NamedTuple):
    text: str
    columns: int  # printed width in Font A columns, counting character magnification


# ESC/GS commands python-escpos emits, by the byte after ESC or GS: total command length.
_ESC_LENGTHS = {b"@": 2, b"2": 2, **{bytes([c]): 3 for c in b"!E-MatdG{3J"}}
_GS_LENGTHS = {bytes([c]): 3 for c in b"!Bb"}


def printed_lines(data: bytes) -> list[PrintedLine]:
    """Decode the text lines an ESC/POS job prints (commands, images and QR codes skipped)."""
    lines: list[PrintedLine] = []
    text: list[str] = []
    columns = 0
    width = 1
    index = 0
    while index < len(data):
        byte = data[index]
        if byte == 0x0A:
            lines.append(PrintedLine("".join(text), columns))
            text, columns = [], 0
            index += 1
        elif byte in (0x1B, 0x1D, 0x10):
            length, width = _command(data, index, width)
            index += length
        elif byte < 0x20:
            raise ValueError(f"unexpected control byte 0x{byte:02x} at {index}")
        else:
            text.append(bytes([byte]).decode("cp437"))
            columns += width
            index += 1
    if text:
        lines.append(PrintedLine("".join(text), columns))
    return lines


def printed_text(data: bytes) -> str:
    """Return the printed text of an ESC/POS job, one line per printed line."""
    return "\n".join(line.text for line in printed_lines(data))


def _command(data: bytes, index: int, width: int) -> tuple[int, int]:
    """Return (length of the command at index, character width multiplier after it)."""
    prefix, code = data[index], data[index + 1 : index + 2]
    if prefix == 0x10 and code == b"\x04":
        return 3, width
    if prefix == 0x1B and code in _ESC_LENGTHS:
        if code == b"!":
            # ESC ! also cancels GS ! magnification; bit 5 is double width.
            return 3, 2 if data[index + 2] & 0x20 else 1
        return _ESC_LENGTHS[code], width
    if prefix == 0x1D:
        if code == b"!":
            return 3, (data[index + 2] >> 4) + 1
        if code in _GS_LENGTHS:
            return 3, width
        if code == b"V":
            return (4 if data[index + 2] in (65, 66) else 3), width
        if code == b"(":
            # GS ( k / GS ( L: pL pH then that many bytes.
            return 5 + data[index + 3] + 256 * data[index + 4], width
        if code == b"v":
            # GS v 0 m xL xH yL yH: raster image of (xL + 256 xH) * (yL + 256 yH) bytes.
            x_bytes = data[index + 4] + 256 * data[index + 5]
            y_dots = data[index + 6] + 256 * data[index + 7]
            return 8 + x_bytes * y_dots, width
    raise ValueError(f"unknown ESC/POS command {data[index : index + 3]!r} at {index}")


class SerialLink:
    """A pseudo-terminal standing in for a serial printer cable: the kiosk opens `device`, the test holds the far end.

    `jam()` fills the link so that nothing more goes through until `start_reading()`, like a printer
    whose serial link stopped taking data.
    """

    def __init__(self) -> None:
        self._far_end, self._near_end = os.openpty()
        self.device = os.ttyname(self._near_end)
        self._received = bytearray()
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._closed = threading.Event()

    def __enter__(self) -> SerialLink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def jam(self) -> None:
        """Fill the link's buffer with NUL bytes until it takes no more, not even a moment later.

        The kernel moves pty data between its buffers in a background worker: a link that just
        refused a write may take another 2 KB some milliseconds later (then a printer status query
        would still go out, and the jam would show up only at the job). Fill until two writes in a
        row, each after a pause, take nothing.
        """
        os.set_blocking(self._near_end, False)
        refused_in_a_row = 0
        while refused_in_a_row < JAM_SETTLED_REFUSALS:
            taken = 0
            try:
                while True:
                    taken += os.write(self._near_end, b"\0" * 1024)
            except BlockingIOError:
                pass
            refused_in_a_row = 0 if taken else refused_in_a_row + 1
            time.sleep(POLL_SECONDS)

    def start_reading(self) -> None:
        """Take everything sent from now on (the jam first), as a printer that came back would."""
        self._reader = threading.Thread(target=self._read, daemon=True, name="serial-link")
        self._reader.start()

    def received(self) -> bytes:
        """Return every byte read so far."""
        with self._lock:
            return bytes(self._received)

    def close(self) -> None:
        """Close both ends."""
        self._closed.set()
        if self._reader is not None:
            self._reader.join(JOIN_SECONDS)
        for fd in (self._near_end, self._far_end):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read(self) -> None:
        while not self._closed.is_set():
            if not select.select([self._far_end], [], [], POLL_SECONDS)[0]:
                continue
            try:
                chunk = os.read(self._far_end, 4096)
            except OSError:
                return
            with self._lock:
                self._received += chunk
