"""The office's waitress set-up: clients that send a request too slowly are cut off, streams are not."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from tests.support import LiveServer, make_app
from tests.test_events import SseClient


@pytest.fixture
def strict(tmp_path):
    """A server that gives a request 1 s to arrive and accepts at most 20 connections."""
    app = make_app(tmp_path)
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.2
    live = LiveServer(app, connection_limit=20, server_options={"request_timeout": 1.0}).start(workers=False)
    yield live
    live.stop()


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes | None) -> float | None:
    """Send ``trickle`` a byte at a time every 0.2 s (or nothing); return when the server closed, or None."""
    started = time.monotonic()
    sock.settimeout(0.2)
    position = 0
    while time.monotonic() - started < seconds:
        try:
            if sock.recv(1024) == b"":
                return time.monotonic() - started
        except TimeoutError:
            pass
        except ConnectionError:
            return time.monotonic() - started
        if trickle:
            try:
                sock.send(trickle[position % len(trickle) :][:1])
            except (BrokenPipeError, ConnectionError):
                return time.monotonic() - started
            position += 1
    return None


def _start_request(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: kiosk\r\n")
    return sock


@pytest.mark.parametrize("trickle", [b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", None], ids=["trickling", "silent"])
def test_a_request_that_does_not_arrive_in_time_is_cut_off(strict, trickle):
    with _start_request(strict) as sock:
        closed_after = _closed_within(sock, 8.0, trickle)
    assert closed_after is not None, "the server kept a half-sent request open"
    assert closed_after >= 0.8  # not before its time


def test_slow_clients_cannot_fill_the_connection_limit(strict):
    stop = threading.Event()
    slow = [_start_request(strict) for _ in range(30)]  # 1.5x the connection limit

    def trickle() -> None:
        while not stop.is_set():
            for sock in slow:
                try:
                    sock.send(b"a")
                except OSError:
                    pass
            time.sleep(0.2)

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        answer = requests.get(strict.url + "/healthz", timeout=15)  # served once the slow ones are cut
        assert answer.status_code == 200
        issued = requests.post(strict.url + "/api/tickets", json={"service": "REKAM"}, timeout=15)
        assert issued.status_code == 201
    finally:
        stop.set()
        feeder.join()
        for sock in slow:
            sock.close()


def test_keep_alive_requests_and_streams_outlive_the_request_timeout(strict):
    stream = SseClient(strict.url)
    assert stream.response.status == 200
    session = requests.Session()
    started = time.monotonic()
    while time.monotonic() - started < 2.5:  # well past the 1 s request timeout
        assert stream.events_until("ping", timeout=2)[-1]["event"] == "ping"
        assert session.get(strict.url + "/healthz", timeout=5).status_code == 200
        time.sleep(0.3)
    stream.close()
    session.close()


# ---------------------------------------------------------------- idle connections (issue 20, item 1)


@pytest.fixture
def guarded(tmp_path):
    """A server that gives a new connection 1 s for its first request and one address 8 connections."""
    app = make_app(tmp_path, server__first_request_seconds=1, server__max_connections_per_client=8)
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.2
    live = LiveServer(app, connection_limit=40).start(workers=False)
    yield live
    live.stop()


def _connect(server: LiveServer, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), source_address=(source, 0))


def test_a_connection_that_sends_nothing_is_closed_soon_after_it_was_accepted(guarded):
    with _connect(guarded) as sock:
        closed_after = _closed_within(sock, 8.0, None)
    assert closed_after is not None, "a silent connection stayed open (until channel_timeout)"
    assert 0.8 <= closed_after < 6.0


def _get_on(sock: socket.socket, path: str = "/healthz") -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    sock.settimeout(5)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    return answer


def test_keep_alive_between_requests_is_not_cut_by_the_first_request_rule(guarded):
    with _connect(guarded) as sock:
        assert _get_on(sock).startswith(b"HTTP/1.1 200")
        time.sleep(3.0)  # idle well past first_request_seconds (1 s), well below channel_timeout (30 s)
        assert _get_on(sock).startswith(b"HTTP/1.1 200")


def _closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.02)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionError:
        return True


def test_one_address_cannot_hold_more_than_its_share_of_connections(tmp_path):
    app = make_app(tmp_path, server__first_request_seconds=30, server__max_connections_per_client=8)
    guarded = LiveServer(app, connection_limit=40).start(workers=False)
    mine = [_connect(guarded, "127.0.0.3") for _ in range(14)]
    try:
        closed = [False] * len(mine)
        deadline = time.monotonic() + 5  # at once, not after first_request_seconds (30 s here)
        while closed.count(False) > 8 and time.monotonic() < deadline:
            closed = [gone or _closed_by_server(sock) for sock, gone in zip(mine, closed, strict=True)]
        time.sleep(0.3)  # and no more than those
        closed = [gone or _closed_by_server(sock) for sock, gone in zip(mine, closed, strict=True)]
        assert closed.count(False) == 8
        # Another device is served meanwhile, and the capped address gets its first 8 served.
        with _connect(guarded, "127.0.0.4") as other:
            assert _get_on(other).startswith(b"HTTP/1.1 200")
        kept = [sock for sock, gone in zip(mine, closed, strict=True) if not gone]
        assert _get_on(kept[0]).startswith(b"HTTP/1.1 200")
    finally:
        for sock in mine:
            sock.close()
        guarded.stop()
