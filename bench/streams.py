"""Measure what a real ``kiosk serve`` withstands: 3x its stream cap open, and clients trickling headers.

Run:  python bench/streams.py [--trickling 400,1000]

1. Opens three times ``[server] max_streams`` event streams from many client addresses
   (127.0.0.x), then times /healthz and POST /api/tickets while they stay open.
2. For each N, holds N connections from one address that send a request's headers one byte every
   0.5 s (reconnecting as soon as the server cuts them) and times /healthz from another meanwhile.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmark import free_port, percentile, start_server  # noqa: E402

from kiosk.domain.settings import Server  # noqa: E402

DEFAULTS = Server()


def timed(
    port: int, method: str, path: str, body: bytes | None = None, timeout: float = 30.0, source: str | None = None
) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    headers = {"Content-Type": "application/json"} if body else {}
    try:
        connection.request(method, path, body=body, headers=headers)
        status = connection.getresponse().status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def sample(port: int, rounds: int = 20) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"healthz": [], "issue": []}
    statuses = set()
    for _ in range(rounds):
        status, ms = timed(port, "GET", "/healthz")
        statuses.add(status)
        figures["healthz"].append(ms)
        status, ms = timed(port, "POST", "/api/tickets", b'{"service": "REKAM"}')
        statuses.add(status)
        figures["issue"].append(ms)
        time.sleep(0.05)
    figures["statuses"] = sorted(statuses)
    return figures


def describe(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.1f} ms, max {max(values):.1f} ms"


def open_streams(port: int, count: int) -> tuple[list[socket.socket], dict[int, int]]:
    opened, statuses = [], {}
    for index in range(count):
        source = f"127.0.0.{2 + index // DEFAULTS.max_streams_per_client}"
        sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        head = sock.recv(4096).split(b"\r\n", 1)[0]
        status = int(head.split()[1]) if head else 0
        statuses[status] = statuses.get(status, 0) + 1
        opened.append(sock)
    return opened, statuses


def trickle(port: int, count: int, stop: threading.Event, cut: list[int]) -> None:
    """Keep ``count`` connections sending headers one byte every 0.5 s; reconnect when cut."""
    socks: list[socket.socket | None] = [None] * count
    while not stop.is_set():
        for index in range(count):
            sock = socks[index]
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=2)
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    socks[index] = sock
                else:
                    sock.send(b"a")
            except OSError:
                if sock is not None:
                    sock.close()
                    cut[0] += 1
                socks[index] = None
        stop.wait(0.5)
    for sock in socks:
        if sock is not None:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trickling", default="400,1000", help="comma-separated connection counts")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="kiosk-streams-"))
    port = free_port()
    server = start_server(directory, port)
    try:
        quiet = sample(port)
        print(
            f"server: threads {DEFAULTS.threads}, max_streams {DEFAULTS.max_streams} "
            f"({DEFAULTS.max_streams_per_client} per address), connection_limit {DEFAULTS.connection_limit}"
        )
        print(f"idle:                        /healthz {describe(quiet['healthz'])}; issue {describe(quiet['issue'])}")

        streams, statuses = open_streams(port, 3 * DEFAULTS.max_streams)
        loaded = sample(port)
        print(
            f"{len(streams)} streams asked ({statuses}): /healthz {describe(loaded['healthz'])}; "
            f"issue {describe(loaded['issue'])}; answers {loaded['statuses']}"
        )
        for sock in streams:
            sock.close()

        for count in (int(n) for n in args.trickling.split(",")):
            stop, cut = threading.Event(), [0]
            feeder = threading.Thread(target=trickle, args=(port, count, stop, cut), daemon=True)
            feeder.start()
            time.sleep(3)  # let them connect and start trickling
            times, statuses = [], set()
            for _ in range(10):
                status, ms = timed(port, "GET", "/healthz", timeout=60, source="127.0.0.251")  # another device
                statuses.add(status)
                times.append(ms)
            stop.set()
            feeder.join()
            print(
                f"{count} trickling connections: /healthz {describe(times)}, p90 {percentile(times, 0.9):.0f} ms; "
                f"answers {sorted(statuses)}; slow connections cut by the server: {cut[0]}"
            )
            time.sleep(3)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
