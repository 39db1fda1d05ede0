"""Measure the SPEC performance targets against a real ``kiosk serve`` process on 127.0.0.1.

Run:  python bench/benchmark.py [--seconds 5] [--clients 20]

Prints one line per figure. The server runs in its own process with
synchronous=FULL (the product default) on a temporary database and the
file printer; the load comes from this process over keep-alive HTTP/1.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.paths import packaged_config  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PRINTER = "file"


def start_server(directory: Path, port: int) -> subprocess.Popen:
    text = packaged_config().read_text(encoding="utf-8")
    text = text.replace("observe_national_holidays = true", "observe_national_holidays = false")
    text = text.replace('path = "var/kiosk.db"', f'path = "{directory / "kiosk.db"}"')
    text = text.replace('path = "var/printer.bin"', f'path = "{directory / "printer.bin"}"')
    text = re.sub(r"daily_quota = \d+", "daily_quota = 1000000", text)
    text = text.replace('type = "file"', f'type = "{PRINTER}"')
    config = directory / "kiosk.toml"
    config.write_text(text, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "serve", "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(directory / "server.log", "wb"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start: " + (directory / "server.log").read_text())


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})} if payload else dict(headers or {})
        self.connection.request(method, path, body=payload, headers=all_headers)
        response = self.connection.getresponse()
        return response.status, response.read(), response.getheader("Set-Cookie")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


SERVICES = ("REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO")


def one_client(port: int, method: str, path: str, count: int) -> list[float]:
    client = Client(port)
    timings = []
    for i in range(count):
        body = {"service": SERVICES[i % len(SERVICES)]} if method == "POST" else None
        start = time.perf_counter()
        status, _, _ = client.request(method, path, body)
        timings.append((time.perf_counter() - start) * 1000)
        assert status in (200, 201), status
    return timings


def concurrent(port: int, method: str, path: str, clients: int, seconds: float) -> tuple[list[float], float]:
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
    if errors:
        print(f"  ! {len(errors)} error answers: {sorted(set(errors))}")
    return timings, len(timings) / elapsed


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
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
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
        client = Client(port)
        time.sleep(index * 2.0 / phones)  # phones were opened at different moments, not in lock-step
        while not stop.is_set():
            _, body, _ = client.request("GET", "/api/queue")
            now = time.monotonic()
            for call in json.loads(body)["recent_calls"]:
                phone_seen[index].setdefault(call["id"], now)
            time.sleep(2.0)

    for index in range(phones):
        threading.Thread(target=phone, args=(index,), daemon=True).start()
    time.sleep(2.0)
    ready.set()
    reported: dict[str, set[int]] = {"display": set(), "phone": set()}
    while not stop.is_set():
        common = set.intersection(*(set(listener.arrivals) for listener in listeners))
        for event_id in common - reported["display"]:
            reports.put(("display", event_id, max(listener.arrivals[event_id] for listener in listeners)))
            reported["display"].add(event_id)
        common = set.intersection(*(set(seen) for seen in phone_seen))
        for event_id in common - reported["phone"]:
            reports.put(("phone", event_id, max(seen[event_id] for seen in phone_seen)))
            reported["phone"].add(event_id)
        time.sleep(0.001)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def login(port: int, password: str) -> tuple[Client, dict]:
    client = Client(port)
    status, body, cookie = client.request("POST", "/api/login", {"username": "bench", "password": password})
    assert status == 200, body
    return client, {"X-CSRF-Token": json.loads(body)["csrf_token"], "Cookie": cookie.split(";")[0]}


def page_weight(port: int) -> int:
    client = Client(port)
    _, html, _ = client.request("GET", "/kiosk")
    total = len(html)
    for asset in sorted(set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', html))):
        status, body, _ = client.request("GET", asset.decode())
        total += len(body) if status == 200 else 0
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--printer", choices=("file", "none"), default="file",
                        help="file: the print worker writes every ticket (the demo default); none: issuing alone")
    args = parser.parse_args()
    global PRINTER
    PRINTER = args.printer
    directory = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    port = free_port()
    password = "Loket-Ukur-2026"
    server = start_server(directory, port)
    subprocess.run([sys.executable, "-m", "kiosk", "--config", str(directory / "kiosk.toml"), "user", "add", "bench",
                    "--role", "counter", "--password-stdin"], input=password + "\n", text=True, cwd=ROOT,
                   check=True, capture_output=True)
    try:
        print(f"server pid {server.pid}, printer {args.printer}, synchronous=FULL, {os.cpu_count()} cores, "
              f"{args.clients} clients, "
              f"{args.seconds:.0f} s per load run")
        one_client(port, "POST", "/api/tickets", 100)  # warm-up
        issue = one_client(port, "POST", "/api/tickets", 500)
        health = one_client(port, "GET", "/healthz", 500)
        print(f"one client  issue   p50 {statistics.median(issue):6.2f} ms  p99 {percentile(issue, .99):6.2f} ms")
        print(f"one client  healthz p50 {statistics.median(health):6.2f} ms  p99 {percentile(health, .99):6.2f} ms")
        health_load, health_rate = concurrent(port, "GET", "/healthz", args.clients, args.seconds)
        issue_load, issue_rate = concurrent(port, "POST", "/api/tickets", args.clients, args.seconds)
        h99, i99 = percentile(health_load, .99), percentile(issue_load, .99)
        print(f"{args.clients} clients healthz {health_rate:7.0f} req/s      p99 {h99:6.2f} ms")
        print(f"{args.clients} clients issue   {issue_rate:7.0f} tickets/s  p99 {i99:6.2f} ms  "
              f"({i99 / h99:.2f}x healthz p99)")

        context = multiprocessing.get_context("spawn")
        reports, ready, stop = context.Queue(), context.Event(), context.Event()
        watchers = context.Process(target=audience, args=(port, 10, 100, reports, ready, stop), daemon=True)
        watchers.start()
        ready.wait(30)
        print(f"RSS with 10 displays + 100 phones connected: {rss_mb(server.pid):.0f} MB")
        staff, headers = login(port, password)
        started = []
        for _ in range(20):
            started.append(time.monotonic())
            status, body, cookie = staff.request("POST", "/api/counters/2/next", headers=headers)
            assert status == 200, status
            if cookie:  # the session now works at Loket 2
                headers["Cookie"] = cookie.split(";")[0]
            time.sleep(0.5)
            # A counter holds one ticket at a time: finish this one before the next call.
            ticket_id = json.loads(body)["ticket"]["id"]
            status, _, _ = staff.request("POST", f"/api/tickets/{ticket_id}/done", headers=headers)
            assert status == 200, status
        issue_busy, busy_rate = concurrent(port, "POST", "/api/tickets", args.clients, args.seconds)
        time.sleep(2.5)
        stop.set()
        seen: dict[str, dict[int, float]] = {"display": {}, "phone": {}}
        while True:
            try:
                kind, event_id, at = reports.get(timeout=3)
            except Exception:
                break
            seen[kind][event_id] = at
        for kind, label in (("display", "all 10 displays (SSE)"), ("phone", "all 100 phones (polling every 2 s)")):
            arrivals = [seen[kind][event_id] for event_id in sorted(seen[kind])][: len(started)]
            delays = [(at - began) * 1000 for at, began in zip(arrivals, started)]
            if delays:
                print(f"call -> {label}: p50 {statistics.median(delays):.1f} ms  p99 {percentile(delays, .99):.1f} ms  "
                      f"max {max(delays):.1f} ms  ({len(delays)} calls)")
        print(f"{args.clients} clients issue with 10 displays + 100 phones open: {busy_rate:.0f} tickets/s  "
              f"p99 {percentile(issue_busy, .99):.2f} ms ({percentile(issue_busy, .99) / h99:.2f}x healthz p99)")
        print(f"RSS after the run: {rss_mb(server.pid):.0f} MB")
        print(f"kiosk page weight (HTML + linked CSS/JS): {page_weight(port) / 1024:.1f} KB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
