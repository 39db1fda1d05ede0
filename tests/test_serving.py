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
                sock.send(trickle[position % len(trickle):][:1])
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
