"""Crash safety: a server killed with SIGKILL under issuing load loses no answered ticket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from kiosk.paths import packaged_config
from tests.support import wait_until

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_office_config(directory: Path, **replacements: str) -> Path:
    """Copy the demo office with holidays ignored (tests run any day) and a file printer inside ``directory``."""
    text = packaged_config().read_text(encoding="utf-8")
    text = text.replace("observe_national_holidays = true", "observe_national_holidays = false")
    text = text.replace('path = "var/kiosk.db"', f'path = "{directory / "kiosk.db"}"')
    text = text.replace('path = "var/printer.bin"', f'path = "{directory / "printer.bin"}"')
    # The clients here are one kiosk PC (127.0.0.1) issuing far faster than its ticket rate allows.
    text = text.replace("[kiosk]\n", "[kiosk]\ntickets_per_second = 100000\nticket_burst = 100000\n", 1)
    for old, new in replacements.items():
        text = text.replace(old, new)
    config = directory / "kiosk.toml"
    config.write_text(text, encoding="utf-8")
    return config


def start_server(config: Path, port: int) -> subprocess.Popen:
    """Start ``kiosk serve`` in its own process and wait until /healthz answers."""
    log = open(config.parent / "server.log", "ab")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "serve", "--port", str(port)],
        stdout=log,
        stderr=log,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )

    def healthy():
        if process.poll() is not None:
            raise AssertionError(f"server exited: {(config.parent / 'server.log').read_text()}")
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
        except requests.ConnectionError:
            return False

    wait_until(healthy, timeout=20, interval=0.1)
    return process


def test_sigkill_under_load_loses_no_answered_ticket(tmp_path):
    config = write_office_config(tmp_path)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(config, port)
    answered: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()

    def issue_forever(service: str) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    answer = session.post(f"{url}/api/tickets", json={"service": service}, timeout=5)
                except requests.RequestException:
                    return  # the server died mid-request: that ticket was never answered
                if answer.status_code == 201:
                    with lock:
                        answered.append(answer.json()["ticket"])

    clients = [threading.Thread(target=issue_forever, args=(("INFO", "AMBIL", "IKD")[i % 3],)) for i in range(6)]
    for client in clients:
        client.start()
    wait_until(lambda: len(answered) >= 150, timeout=30)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    stop.set()
    for client in clients:
        client.join(timeout=10)

    server = start_server(config, port)
    try:
        for ticket in answered:
            again = requests.get(f"{url}/api/tickets/{ticket['token']}", timeout=5)
            assert again.status_code == 200, ticket["number"]
            assert again.json()["ticket"]["number"] == ticket["number"]
        highest = max(int(t["number"].split("-")[1]) for t in answered if t["service"] == "INFO")
        after = requests.post(f"{url}/api/tickets", json={"service": "INFO"}, timeout=5).json()["ticket"]
        # Numbering continues after the highest committed number (an unanswered commit may sit in between).
        assert int(after["number"].split("-")[1]) > highest
        numbers = [t["number"] for t in answered]
        assert len(numbers) == len(set(numbers))
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_numbering_is_gap_free_across_a_crash(tmp_path):
    """SIGKILL while issuing requests are in flight: every answered ticket survives, and numbers 1..highest all exist."""
    import sqlite3

    config = write_office_config(tmp_path)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(config, port)
    answered: list[dict] = []
    lock = threading.Lock()
    in_flight = [0]
    cut_off = [0]  # requests the kill interrupted (sent, never answered)

    def issue_until_killed(service: str) -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    in_flight[0] += 1
                try:
                    answer = session.post(f"{url}/api/tickets", json={"service": service}, timeout=10)
                except requests.RequestException as error:
                    if "refused" not in str(error).lower():  # cut mid-request, not a later attempt on a dead port
                        with lock:
                            cut_off[0] += 1
                    return
                finally:
                    with lock:
                        in_flight[0] -= 1
                assert answer.status_code == 201, answer.text
                with lock:
                    answered.append(answer.json()["ticket"])

    clients = [threading.Thread(target=issue_until_killed, args=(("CETAK", "INFO")[i % 2],)) for i in range(8)]
    for client in clients:
        client.start()
    wait_until(lambda: len(answered) >= 60, timeout=30)
    wait_until(lambda: in_flight[0] >= 4, timeout=10, interval=0.0005)  # several writes outstanding right now
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    for client in clients:
        client.join(timeout=15)
    assert cut_off[0] >= 1, "the kill should have cut off requests in flight"
    assert len({t["number"] for t in answered}) == len(answered)

    server = start_server(config, port)
    try:
        for ticket in answered:  # every answered ticket was committed before its answer
            again = requests.get(f"{url}/api/tickets/{ticket['token']}", timeout=5)
            assert again.status_code == 200, ticket["number"]
            assert again.json()["ticket"]["number"] == ticket["number"]
        with sqlite3.connect(tmp_path / "kiosk.db") as conn:
            for service, prefix in (("CETAK", "B"), ("INFO", "F")):
                seqs = [
                    row[0]
                    for row in conn.execute("SELECT seq FROM tickets WHERE origin_service = ? ORDER BY seq", [service])
                ]
                highest_answered = max(int(t["number"].split("-")[1]) for t in answered if t["service"] == service)
                assert seqs == list(range(1, len(seqs) + 1)), f"{service}: a number was skipped"
                assert len(seqs) >= highest_answered  # committed but unanswered tickets may follow, never gaps
                after = requests.post(f"{url}/api/tickets", json={"service": service}, timeout=5).json()["ticket"]
                assert after["number"] == f"{prefix}-{len(seqs) + 1:03d}"
    finally:
        server.terminate()
        server.wait(timeout=10)
