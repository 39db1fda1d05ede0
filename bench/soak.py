"""Soak: a simulated office day against a real ``kiosk serve`` process, time compressed.

Run:  python bench/soak.py [--speed 20] [--tickets 500] [--counters 4] [--displays 2] [--phones 50]

An eight-hour day (08.00-16.00) runs in 8 h / speed of wall time: 500 tickets arrive spread over
it (one in ten priority, one in twenty a double tap sending the same Idempotency-Key twice), 4 counter
staff call, serve and finish them (one in twenty a no-show, now and then a recall), 2 displays hold
the live event stream, 50 phones poll their ticket's page. Every few seconds the server's RSS and
open file descriptors are sampled. At the end every ticket must be accounted for (done or no-show,
none left waiting or held, numbers gap-free), each display must have received every call, and RSS
and descriptors must be flat (the end of the day against midday: caches fill in the morning).

Prints one table; exits 1 when a check fails. tests/test_soak.py runs it at a high speed in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.paths import packaged_config  # noqa: E402

DAY_SECONDS = 8 * 3600
SERVICES = ("REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO")
STAFF_PASSWORD = "Soak-loket-2026-panjang"
RSS_GROWTH_LIMIT_KB = 10 * 1024
FD_GROWTH_LIMIT = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(directory: Path, counters: int) -> Path:
    """The demo office, open all day every day, no quota, a file printer, and ``counters`` lokets serving all."""
    text = packaged_config().read_text(encoding="utf-8")
    text = text.replace("observe_national_holidays = true", "observe_national_holidays = false")
    text = text.replace('path = "var/kiosk.db"', f'path = "{directory / "kiosk.db"}"')
    text = text.replace('path = "var/printer.bin"', f'path = "{directory / "printer.bin"}"')
    text = re.sub(r'^(mon|tue|wed|thu|fri|sat|sun) = ".*"$', r'\1 = "00:00-24:00"', text, flags=re.M)
    text = re.sub(r"daily_quota = \d+", "daily_quota = 100000", text)
    # A whole day's kiosk at 480x speed: far faster than one kiosk PC's ticket rate allows.
    text = text.replace("[kiosk]\n", "[kiosk]\ntickets_per_second = 100000\nticket_burst = 100000\n", 1)
    text = re.sub(r"^\[\[counters\]\]\n(?:(?:id|name|services) = .*\n)+", "", text, flags=re.M)
    services = ", ".join(f'"{code}"' for code in SERVICES)
    for number in range(1, counters + 1):
        text += f'[[counters]]\nid = {number}\nname = "Loket {number}"\nservices = [{services}]\n\n'
    config = directory / "kiosk.toml"
    config.write_text(text, encoding="utf-8")
    return config


def kiosk(config: Path, *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), *args],
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def start_server(config: Path, port: int) -> subprocess.Popen:
    log = open(config.parent / "server.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start: " + (config.parent / "server.log").read_text())


def usage(pid: int) -> tuple[int, int]:
    """Return (RSS in kB, open file descriptors) of a process, read from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


@dataclass
class Day:
    """What the simulated office did and saw."""

    url: str
    speed: float
    issued: list[dict] = field(default_factory=list)
    calls_made: set[int] = field(default_factory=set)  # event ids of every call and recall
    finished: dict[int, str] = field(default_factory=dict)  # ticket id -> done | no_show
    errors: list[str] = field(default_factory=list)
    samples: list[tuple[float, int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    issuing_done: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def scaled(self, office_seconds: float) -> float:
        return office_seconds / self.speed

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def kiosk_loop(day: Day, tickets: int, rng: random.Random) -> None:
    """Issue the day's tickets at random moments spread over the day, some with a double tap."""
    session = requests.Session()
    moments = sorted(rng.uniform(0, day.scaled(DAY_SECONDS) * 0.9) for _ in range(tickets))
    started = time.monotonic()
    for moment in moments:
        time.sleep(max(0.0, started + moment - time.monotonic()))
        body = {"service": rng.choice(SERVICES), "priority": rng.random() < 0.1}
        key = str(uuid.uuid4())
        answer = session.post(day.url + "/api/tickets", json=body, headers={"Idempotency-Key": key}, timeout=30)
        if answer.status_code != 201:
            day.error(f"issue: {answer.status_code} {answer.text[:120]}")
            continue
        ticket = answer.json()["ticket"]
        if rng.random() < 0.05:  # a double tap: the same key again must answer the same ticket
            again = session.post(day.url + "/api/tickets", json=body, headers={"Idempotency-Key": key}, timeout=30)
            if again.status_code != 200 or again.json()["ticket"]["id"] != ticket["id"]:
                day.error(f"double tap: {again.status_code} {again.text[:120]}")
        with day.lock:
            day.issued.append(ticket)
    day.issuing_done.set()


def counter_loop(day: Day, counter: int, rng: random.Random) -> None:
    """One member of staff at one loket: next, maybe a recall, serve, then done (or no-show)."""
    session = requests.Session()
    login = session.post(
        day.url + "/api/login", json={"username": f"loket{counter}", "password": STAFF_PASSWORD}, timeout=30
    )
    if login.status_code != 200:
        day.error(f"login loket{counter}: {login.status_code}")
        return
    headers = {"X-CSRF-Token": login.json()["csrf_token"]}

    def act(path: str) -> requests.Response:
        return session.post(day.url + path, headers=headers, timeout=30)

    while not day.stop.is_set():
        answer = act(f"/api/counters/{counter}/next")
        if answer.status_code == 204:  # nobody waiting
            if day.issuing_done.is_set():
                with day.lock:
                    if len(day.finished) >= len(day.issued):
                        return
            time.sleep(day.scaled(30))  # nobody waiting: look again in half a minute
            continue
        if answer.status_code != 200:
            day.error(f"next at {counter}: {answer.status_code} {answer.text[:120]}")
            time.sleep(0.2)
            continue
        ticket = answer.json()["ticket"]
        with day.lock:
            day.calls_made.add(ticket["id"])
        time.sleep(day.scaled(rng.uniform(20, 60)))  # the resident walks up
        if rng.random() < 0.05:
            outcome = act(f"/api/tickets/{ticket['id']}/no-show")
            final = "no_show"
        else:
            if rng.random() < 0.1:
                act(f"/api/tickets/{ticket['id']}/recall")
            act(f"/api/tickets/{ticket['id']}/serve")
            time.sleep(day.scaled(rng.uniform(3, 9) * 60 / 4))  # four lokets share the day's work
            outcome = act(f"/api/tickets/{ticket['id']}/done")
            final = "done"
        if outcome.status_code != 200:
            day.error(f"{final} {ticket['number']}: {outcome.status_code} {outcome.text[:120]}")
            continue
        with day.lock:
            day.finished[ticket["id"]] = final


class Display(threading.Thread):
    """A waiting-room display's live stream: counts the call events it receives."""

    def __init__(self, day: Day):
        super().__init__(daemon=True)
        self.day, self.calls, self.recalls, self.opened = day, set(), 0, 0

    def run(self) -> None:
        while not self.day.stop.is_set():
            try:
                with requests.get(self.day.url + "/api/events", stream=True, timeout=(5, 60)) as stream:
                    self.opened += 1
                    event = None
                    for line in stream.iter_lines(decode_unicode=True):
                        if self.day.stop.is_set():
                            return
                        if line.startswith("event: "):
                            event = line[7:]
                        elif line.startswith("data: ") and event == "call":
                            data = json.loads(line[6:])
                            self.calls.add(data["number"]) if not data["recall"] else None
                            self.recalls += data["recall"]
            except requests.RequestException:
                time.sleep(0.5)


def phone_loop(day: Day, rng: random.Random) -> None:
    """A resident's phone: follows one ticket's page, polling its state every few seconds."""
    session = requests.Session()
    token = None
    while not day.stop.is_set():
        if token is None:
            with day.lock:
                token = rng.choice(day.issued)["token"] if day.issued else None
        if token is not None:
            answer = session.get(f"{day.url}/api/tickets/{token}", timeout=30)
            if answer.status_code != 200:
                day.error(f"phone: {answer.status_code}")
            elif answer.json()["ticket"]["status"] in ("done", "no_show", "expired", "cancelled"):
                token = None  # this resident has gone home; another one picks up a phone
        day.stop.wait(3)


def sampler(day: Day, pid: int) -> None:
    started = time.monotonic()
    while not day.stop.is_set():
        rss, fds = usage(pid)
        day.samples.append((time.monotonic() - started, rss, fds))
        day.stop.wait(max(0.5, day.scaled(DAY_SECONDS) / 100))


def run(speed: float, tickets: int, counters: int, displays: int, phones: int, seed: int = 1) -> dict:
    """Run one office day; return the figures and the checks (each True when it holds)."""
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as folder:
        directory = Path(folder)
        config = write_config(directory, counters)
        kiosk(config, "init")
        for number in range(1, counters + 1):
            kiosk(
                config,
                "user",
                "add",
                f"loket{number}",
                "--role",
                "counter",
                "--password-stdin",
                stdin=STAFF_PASSWORD + "\n",
            )
        port = free_port()
        server = start_server(config, port)
        day = Day(f"http://127.0.0.1:{port}", speed)
        rng = random.Random(seed)
        try:
            screens = [Display(day) for _ in range(displays)]
            threads = [threading.Thread(target=sampler, args=(day, server.pid), daemon=True)]
            threads += [threading.Thread(target=kiosk_loop, args=(day, tickets, random.Random(rng.random())))]
            threads += [
                threading.Thread(target=counter_loop, args=(day, n, random.Random(rng.random())))
                for n in range(1, counters + 1)
            ]
            threads += [
                threading.Thread(target=phone_loop, args=(day, random.Random(rng.random())), daemon=True)
                for _ in range(phones)
            ]
            for thread in screens + threads:
                thread.start()
            started = time.monotonic()
            for thread in threads[1 : counters + 2]:  # the kiosk and the counters end the day
                thread.join()
            took = time.monotonic() - started
            time.sleep(1.0)  # the last call events reach the displays
            rss_end, fds_end = usage(server.pid)
            day.stop.set()
            health = requests.get(day.url + "/healthz", timeout=10).json()
        finally:
            server.terminate()
            server.wait(timeout=30)
        import sqlite3

        with sqlite3.connect(directory / "kiosk.db") as conn:
            states = dict(conn.execute("SELECT status, count(*) FROM tickets GROUP BY status").fetchall())
            gaps = conn.execute("SELECT service, count(*), max(seq) FROM tickets GROUP BY day, service").fetchall()
            printed = dict(
                conn.execute(
                    "SELECT CASE WHEN last_error LIKE 'skipped:%' THEN 'skipped (called before it printed)' ELSE status END,"
                    " count(*) FROM print_jobs GROUP BY 1"
                ).fetchall()
            )
        conn.close()

    warm = day.samples[len(day.samples) // 2] if day.samples else (0, 0, 0)  # caches fill in the first half
    numbers = {t["number"] for t in day.issued}
    figures = {
        "wall time": f"{took:.0f} s for {DAY_SECONDS / 3600:.0f} office hours ({speed:g}x)",
        "tickets": f"{len(day.issued)} issued; {states}",
        "calls seen by each display": ", ".join(str(len(s.calls)) for s in screens),
        "RSS": f"{warm[1] / 1024:.1f} MB at midday, {rss_end / 1024:.1f} MB at the end",
        "open descriptors": f"{warm[2]} at midday, {fds_end} at the end",
        "print jobs": str(printed),
        "RSS samples (MB)": " ".join(
            f"{rss / 1024:.0f}" for _, rss, _ in day.samples[:: max(1, len(day.samples) // 12)]
        ),
        "errors": str(len(day.errors)),
    }
    checks = {
        "every ticket issued": len(day.issued) == tickets,
        "every ticket done or no-show": states.get("done", 0) + states.get("no_show", 0) == tickets
        and set(states) <= {"done", "no_show"},
        "numbers gap-free": all(count == top for _, count, top in gaps),
        "each display saw every call": all(numbers <= s.calls for s in screens),
        "RSS flat": rss_end - warm[1] < RSS_GROWTH_LIMIT_KB,
        "descriptors flat": fds_end - warm[2] <= FD_GROWTH_LIMIT,
        "no request failed": not day.errors,
        "healthz ok": health.get("status") == "ok",
        "every print job printed or skipped": set(printed) <= {"printed", "skipped (called before it printed)"},
    }
    return {"figures": figures, "checks": checks, "errors": day.errors[:10]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=20, help="how many office seconds pass per second (20)")
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--counters", type=int, default=4)
    parser.add_argument("--displays", type=int, default=2)
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = run(args.speed, args.tickets, args.counters, args.displays, args.phones, args.seed)
    width = max(map(len, list(result["figures"]) + list(result["checks"])))
    for name, value in result["figures"].items():
        print(f"{name:<{width}}  {value}")
    for name, ok in result["checks"].items():
        print(f"{name:<{width}}  {'✓' if ok else '✗'}")
    for error in result["errors"]:
        print("error:", error)
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
