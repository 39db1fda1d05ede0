"""A flood of ``POST /api/tickets`` from a device that is not a kiosk, while a kiosk PC keeps issuing.

Used by ``kiosk bench`` (its rows) and the fault suite (tests/test_faults.py): the flooder must get no
ticket at all (403 ``not_a_kiosk``), and the kiosk's issuing must stay quick during the flood.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

FLOOD_SOURCE = "127.0.0.2"  # another device on the office network (the whole 127/8 is this machine)
KIOSK_SOURCE = "127.0.0.1"  # a kiosk PC ([kiosk] addresses default)


@dataclass
class Flood:
    """What a flood did: the flooder's answers by status, and the kiosk's issuing during it."""

    flood_answers: dict[int, int] = field(default_factory=dict)
    kiosk_ms: list[float] = field(default_factory=list)
    kiosk_failures: list[int] = field(default_factory=list)

    @property
    def flood_requests(self) -> int:
        return sum(self.flood_answers.values())

    @property
    def tickets_to_flooder(self) -> int:
        return self.flood_answers.get(200, 0) + self.flood_answers.get(201, 0)


def _post(connection: http.client.HTTPConnection, body: dict) -> int:
    connection.request(
        "POST", "/api/tickets", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    response.read()
    return response.status


def ticket_flood(
    port: int, seconds: float, flooders: int = 8, kiosk_pause: float = 0.02, services: tuple[str, ...] = ("REKAM",)
) -> Flood:
    """Flood from ``FLOOD_SOURCE`` with ``flooders`` keep-alive clients for ``seconds``; meanwhile time one kiosk.

    The kiosk takes a ticket every ``kiosk_pause`` seconds (its own rate limit must not be what is measured).
    """
    result = Flood()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def flood() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(FLOOD_SOURCE, 0))
        answers: dict[int, int] = {}
        while time.monotonic() < stop:
            status = _post(connection, {"service": services[0], "priority": True})
            answers[status] = answers.get(status, 0) + 1
        connection.close()
        with lock:
            for status, count in answers.items():
                result.flood_answers[status] = result.flood_answers.get(status, 0) + count

    def kiosk() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(KIOSK_SOURCE, 0))
        index = 0
        time.sleep(min(0.2, seconds / 10))  # the flood is running first
        while time.monotonic() < stop:
            start = time.perf_counter()
            status = _post(connection, {"service": services[index % len(services)]})
            result.kiosk_ms.append((time.perf_counter() - start) * 1000)
            if status != 201:
                result.kiosk_failures.append(status)
            index += 1
            time.sleep(kiosk_pause)
        connection.close()

    threads = [threading.Thread(target=flood, daemon=True) for _ in range(flooders)]
    threads.append(threading.Thread(target=kiosk, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return result
