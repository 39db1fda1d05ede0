"""The load behind ``kiosk bench``: a real ``kiosk serve`` in a child process, and its clients.

Kiosks issuing over keep-alive HTTP/1.1, displays reading the event stream from their own
addresses, phones polling ``/api/queue``, staff calling, residents looking up their status.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from kiosk.paths import PACKAGE_DIR, packaged_config

SERVICES = ("REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO")  # the packaged demo office
STAFF, PASSWORD = "bench", "Loket-Ukur-2026"
KK = "6203010102150003"
STATUSES = ("READY_FOR_PICKUP", "CARD_SHIPPED", "PROCESSING", "PRINT_READY_RECORD", "CARD_ISSUED")
DISPLAYS, PHONES = 10, 100
IDLE_CONNECTIONS = 600  # one device on the Wi-Fi opening connections and sending nothing
PHONE_POLL_SECONDS = 2.0
# Status lookups come from this (kiosk) address; the default per-address limit would answer 429.
STATUS_CONFIG = '\n[status]\nkiosk_addresses = ["127.0.0.1"]\nkiosk_lookups_per_window = 100000000\n'


# The bench's printer takes a ticket (~520 bytes of ESC/POS) in about a quarter of a second, as a thermal
# printer at ~250 mm/s does: a printer that took tickets as fast as they are issued would have the print
# worker render hundreds a second, beside the requests being measured, which no office printer asks of it.
PRINTER_BYTES_PER_SECOND = 2048
PRINTER_BUFFER_BYTES = 4096  # what a printer's receive buffer holds while the paper moves


class PacedPrinter:
    """The printer of ``kiosk bench``: a named pipe, read at ``bytes_per_second`` by a thread of this process.

    The server's file printer writes each ticket into it (``[printer] type = "file"``, ``path`` = the pipe);
    once ``PRINTER_BUFFER_BYTES`` wait unread, the print worker's write waits, as it does on a real printer.
    """

    def __init__(self, path: Path, bytes_per_second: int = PRINTER_BYTES_PER_SECOND):
        import fcntl

        os.mkfifo(path, 0o600)
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)  # held open: a writer's open never waits, no EOF
        fcntl.fcntl(self.fd, fcntl.F_SETPIPE_SZ, PRINTER_BUFFER_BYTES)
        self.bytes_per_second = bytes_per_second
        self.received = 0
        self._fast = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="bench-printer", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        import select

        while not self._stop.is_set():
            if not select.select([self.fd], [], [], 0.1)[0]:
                continue
            try:
                data = os.read(self.fd, 512)
            except BlockingIOError:
                continue
            self.received += len(data)
            if not self._fast.is_set():
                time.sleep(len(data) / self.bytes_per_second)

    def drain(self) -> None:
        """Take whatever arrives at once from now on (the server is about to stop: its worker must not wait)."""
        self._fast.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        os.close(self.fd)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    """Return the resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_config(directory: Path, printer: str = "file", extra: str = "") -> Path:
    """Write the packaged office's configuration, pointed at ``directory``, always open and without quotas."""
    text = packaged_config().read_text(encoding="utf-8")
    text = text.replace("observe_national_holidays = true", "observe_national_holidays = false")
    text = text.replace('path = "var/kiosk.db"', f'path = "{directory / "kiosk.db"}"')
    text = text.replace('path = "var/printer.bin"', f'path = "{directory / "printer.bin"}"')
    text = re.sub(r"daily_quota = \d+", "daily_quota = 1000000", text)
    text = re.sub(r'^(mon|tue|wed|thu|fri|sat|sun) = ".*"', r'\1 = "00:00-24:00"', text, flags=re.MULTILINE)
    text = text.replace('type = "file"', f'type = "{printer}"')
    # Every kiosk client of the bench is 127.0.0.1: one kiosk PC, far faster than its ticket rate allows.
    text = text.replace("[kiosk]\n", "[kiosk]\ntickets_per_second = 1000000\nticket_burst = 1000000\n", 1)
    config = directory / "kiosk.toml"
    config.write_text(text + extra, encoding="utf-8")
    return config


def child_environment() -> dict[str, str]:
    """Return an environment in which ``python -m kiosk`` finds this very package."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_DIR.parent), environment.get("PYTHONPATH")]))
    environment.pop("KIOSK_DB", None)
    environment.pop("KIOSK_CONFIG", None)
    return environment


def start_server(directory: Path, port: int, config: Path | None = None) -> subprocess.Popen:
    """Start ``kiosk serve`` on 127.0.0.1:``port`` and wait until ``/healthz`` answers."""
    config = config or write_config(directory)
    log = open(directory / "server.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "serve", "--port", str(port)],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=log,
        env=child_environment(),
    )
    log.close()
    return wait_until_healthy(process, port, directory / "server.log")


def wait_until_healthy(process: subprocess.Popen, port: int, log: Path) -> subprocess.Popen:
    """Wait until the server ``process`` answers ``GET /healthz`` on ``port``; kill it if it never does."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError("server did not start: " + log.read_text())


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port: int, source: str | None = None):
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=30, source_address=(source, 0) if source else None
        )

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """Send one request; return (status, body bytes, Set-Cookie header)."""
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})} if payload else dict(headers or {})
        self.connection.request(method, path, body=payload, headers=all_headers)
        response = self.connection.getresponse()
        return response.status, response.read(), response.getheader("Set-Cookie")


def one_client(port: int, method: str, path: str, count: int) -> list[float]:
    """Time ``count`` requests one after the other; return milliseconds each."""
    client = Client(port)
    timings = []
    for i in range(count):
        body = {"service": SERVICES[i % len(SERVICES)]} if method == "POST" else None
        start = time.perf_counter()
        status, answer, _ = client.request(method, path, body)
        timings.append((time.perf_counter() - start) * 1000)
        if status not in (200, 201):
            raise RuntimeError(f"{method} {path} answered {status}: {answer[:200]!r}")
    return timings


def concurrent(port: int, method: str, path: str, clients: int, seconds: float) -> tuple[list[float], float, int]:
    """Run ``clients`` keep-alive clients for ``seconds``; return milliseconds each, requests/s and error answers."""
    timings: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    errors = []

    def work(index: int) -> None:
        client = Client(port)
        mine = []
        i = index
        while time.monotonic() < stop:
            body = {"service": SERVICES[i % len(SERVICES)]} if method == "POST" else None
            i += 1
            start = time.perf_counter()
            status, _, _ = client.request(method, path, body)
            mine.append((time.perf_counter() - start) * 1000)
            if status not in (200, 201):
                errors.append(status)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return timings, len(timings) / elapsed, len(errors)


class SseListener(threading.Thread):
    """A display: reads the event stream and records when each call event arrived."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        super().__init__(daemon=True)
        self.port = port
        self.source = source  # each TV is its own PC: [server] max_streams_per_client applies per address
        self.arrivals: dict[int, float] = {}
        self.ready = threading.Event()

    def run(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), source_address=(self.source, 0))
        sock.sendall(b"GET /api/events?screen=display HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        buffer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return
            now = time.monotonic()  # system-wide clock: comparable with the caller's process
            buffer += chunk
            if b"event: queue" in buffer:
                self.ready.set()
            for match in re.finditer(rb"id: (\d+)\nevent: call\n", buffer):
                self.arrivals.setdefault(int(match.group(1)), now)
            buffer = buffer[-4096:]


def audience(port: int, displays: int, phones: int, reports, ready, stop) -> None:
    """Run in its own process: displays on the event stream and phones polling, reporting when each call arrived."""
    listeners = [SseListener(port, f"127.0.0.{2 + index}") for index in range(displays)]
    for listener in listeners:
        listener.start()
    for listener in listeners:
        listener.ready.wait(10)
    phone_seen: list[dict[int, float]] = [{} for _ in range(phones)]

    def phone(index: int) -> None:
        client = Client(port, f"127.0.1.{1 + index % 250}")  # each phone is its own device on the Wi-Fi
        time.sleep(index * PHONE_POLL_SECONDS / phones)  # phones were opened at different moments
        while not stop.is_set():
            _, body, _ = client.request("GET", "/api/queue")
            now = time.monotonic()
            for call in json.loads(body)["recent_calls"]:
                phone_seen[index].setdefault(call["id"], now)
            time.sleep(PHONE_POLL_SECONDS)

    for index in range(phones):
        threading.Thread(target=phone, args=(index,), daemon=True).start()
    time.sleep(PHONE_POLL_SECONDS)
    ready.set()
    reported: dict[str, set[int]] = {"display": set(), "phone": set()}
    # Arrival times are taken where each event is read, so this loop only forwards them: it checks
    # every 50 ms rather than spinning, which would take CPU from the server being measured.
    while not stop.wait(0.05):
        common = set.intersection(*(set(listener.arrivals) for listener in listeners))
        for event_id in common - reported["display"]:
            reports.put(("display", event_id, max(listener.arrivals[event_id] for listener in listeners)))
            reported["display"].add(event_id)
        common = set.intersection(*(set(seen) for seen in phone_seen))
        for event_id in common - reported["phone"]:
            reports.put(("phone", event_id, max(seen[event_id] for seen in phone_seen)))
            reported["phone"].add(event_id)


def login(port: int, username: str = STAFF, password: str = PASSWORD) -> tuple[Client, dict]:
    """Log in as staff; return the connection and the headers (cookie, CSRF token) for staff requests."""
    client = Client(port)
    status, body, cookie = client.request("POST", "/api/login", {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"login answered {status}: {body[:200]!r}")
    return client, {"X-CSRF-Token": json.loads(body)["csrf_token"], "Cookie": cookie.split(";")[0]}


def page_weight(port: int) -> int:
    """Return the bytes of the kiosk page and every local asset it links."""
    client = Client(port)
    _, html, _ = client.request("GET", "/kiosk")
    total = len(html)
    for asset in sorted(set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', html))):
        status, body, _ = client.request("GET", asset.decode())
        total += len(body) if status == 200 else 0
    return total


def residents(count: int):
    """Yield (nik, birth date) of ``count`` valid Kapuas NIKs (region 620301), men and women."""
    made = 0
    serial = 0
    while True:
        serial += 1
        for year in range(1950, 2010):
            for month in range(1, 13):
                for day in range(1, 29):
                    if made == count:
                        return
                    offset = 40 if made % 2 else 0
                    yield (
                        f"620301{day + offset:02d}{month:02d}{year % 100:02d}{serial:04d}",
                        f"{year}-{month:02d}-{day:02d}",
                    )
                    made += 1


def prepare_database(config: Path, records: int) -> list[str]:
    """Create the database, the counter account and ``records`` status records; return their NIKs."""
    from werkzeug.security import generate_password_hash

    from kiosk.domain.settings import load_settings
    from kiosk.domain.status import Application
    from kiosk.storage import staff as staff_store
    from kiosk.storage import status as status_store
    from kiosk.storage.db import Database

    settings = load_settings(config)
    db = Database(settings.database_path)
    db.migrate()
    now = datetime.now(UTC)
    staff_store.add_staff(db, STAFF, generate_password_hash(PASSWORD), "counter", now)
    people = list(residents(records))
    status_store.save_applications(
        db,
        (
            Application(nik, KK, f"Warga {index}", born, STATUSES[index % len(STATUSES)])
            for index, (nik, born) in enumerate(people)
        ),
        now.isoformat(timespec="seconds"),
        "bench",
    )
    db.close()
    return [nik for nik, _ in people]


def status_lookups(port: int, niks: list[str], count: int) -> list[float]:
    """Look up ``count`` stored NIKs with their KK number; return milliseconds each."""
    client = Client(port)
    timings = []
    step = max(1, len(niks) // max(1, count))
    for nik in (niks[::step] * count)[:count]:
        start = time.perf_counter()
        status, body, _ = client.request("POST", "/api/status-lookups", {"nik": nik, "kk": KK})
        timings.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"status lookup answered {status}: {body[:200]!r}")
    return timings


def raise_open_files_limit(wanted: int = 4096) -> int:
    """Raise this process's soft limit of open files towards ``wanted`` (within the hard limit); return it."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def hold_idle_connections(port: int, source: str, count: int, stop, opened) -> None:
    """Run in its own process (one device): hold ``count`` connections that never send a byte from ``source``,
    reopening each one the server closes, until ``stop`` is set; ``opened`` (a shared int) counts them all."""
    import selectors

    raise_open_files_limit(count * 2 + 256)
    selector = selectors.DefaultSelector()
    try:
        while not stop.is_set():
            while len(selector.get_map()) < count and not stop.is_set():
                try:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=1, source_address=(source, 0))
                except OSError:
                    break
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ)
                with opened.get_lock():
                    opened.value += 1
            for key, _ in selector.select(timeout=0.2):  # readable: the server closed it
                selector.unregister(key.fileobj)
                key.fileobj.close()
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        selector.close()


class IdleFlood:
    """One device (another process) holding ``count`` idle TCP connections, reopening those the server closes."""

    def __init__(self, port: int, source: str, count: int = IDLE_CONNECTIONS):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self._opened = context.Value("q", 0)
        self.process = context.Process(
            target=hold_idle_connections, args=(port, source, count, self.stop, self._opened), daemon=True
        )
        self.count = count

    @property
    def opened(self) -> int:
        """Connections opened so far (the server's cuts make the flood reopen)."""
        return self._opened.value

    def __enter__(self) -> IdleFlood:
        self.process.start()
        deadline = time.monotonic() + 20
        while self.opened < self.count and time.monotonic() < deadline and self.process.is_alive():
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def probe_health(port: int, source: str, seconds: float, timeout: float = 5.0) -> list[float]:
    """GET /healthz from ``source`` on a new connection each time (a phone arriving) for ``seconds``; return ms each.

    A request that fails or times out counts as ``timeout`` seconds.
    """
    timings = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            connection.close()
            ok = response.status == 200
        except OSError:
            ok = False
        timings.append((time.perf_counter() - start) * 1000 if ok else timeout * 1000)
        time.sleep(0.02)
    return timings


def idle_flood(port: int, count: int = IDLE_CONNECTIONS, seconds: float = 7.0) -> tuple[list[float], int]:
    """While 127.0.0.250 holds ``count`` idle connections, time /healthz from 127.0.0.251 for ``seconds``.

    ``seconds`` is past the server's first-request limit (5 s by default), so the figure covers the flood's
    connections being cut and reopened. Returns the timings (ms) and how many connections the flood opened.
    """
    with IdleFlood(port, "127.0.0.250", count) as flood:
        timings = probe_health(port, "127.0.0.251", seconds, timeout=3.0)
        return timings, flood.opened


def booking_cycles(port: int, service: str, count: int) -> tuple[list[float], list[float]]:
    """Book ``count`` seats of later days at the kiosk and cancel each; return the milliseconds of each, apart.

    Each seat is given back at once, so a small ``booking_quota`` serves any count; the slip of each booking
    goes to the print outbox as at a real kiosk.
    """
    client = Client(port)
    status, body, _ = client.request("GET", f"/api/bookings/availability?service={service}")
    if status != 200:
        raise RuntimeError(f"booking availability answered {status}: {body[:200]!r}")
    seats = [(day["date"], slot["start"]) for day in json.loads(body)["days"] for slot in day["slots"] if slot["left"]]
    if not seats:
        raise RuntimeError(f"no seat of a later day to book for {service}")
    booked, cancelled = [], []
    for index in range(count):
        day, start = seats[index % len(seats)]
        began = time.perf_counter()
        status, body, _ = client.request("POST", "/api/bookings", {"service": service, "date": day, "slot": start})
        booked.append((time.perf_counter() - began) * 1000)
        if status != 201:
            raise RuntimeError(f"booking answered {status}: {body[:200]!r}")
        token = json.loads(body)["booking"]["token"]
        began = time.perf_counter()
        status, body, _ = client.request("POST", f"/api/bookings/{token}/cancel")
        cancelled.append((time.perf_counter() - began) * 1000)
        if status != 200:
            raise RuntimeError(f"cancelling a booking answered {status}: {body[:200]!r}")
    return booked, cancelled
