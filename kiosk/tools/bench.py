"""``kiosk bench``: measure this install against the contract's performance targets.

A real ``kiosk serve`` runs in a child process on 127.0.0.1 (waitress, ``synchronous=FULL``, a file
printer writing into a pipe that this process reads at a thermal printer's pace) on a temporary database that holds a counter account and a few thousand KTP-el
status records; the load comes from this process over keep-alive HTTP/1.1, and the displays
(event streams) and phones (polling) from a third process (kiosk/tools/bench_load.py). Once the server
has stopped, the reports are timed in-process on a year of a busy office written into another
temporary database (kiosk/tools/bench_reports.py). The figures become one table, each beside its target
with ✓ or ✗.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.settings import load_settings
from kiosk.tools.bench_load import (
    DISPLAYS,
    IDLE_CONNECTIONS,
    PHONE_POLL_SECONDS,
    PHONES,
    PRINTER_BYTES_PER_SECOND,
    SERVICES,
    STATUS_CONFIG,
    PacedPrinter,
    audience,
    booking_cycles,
    concurrent,
    free_port,
    idle_flood,
    login,
    one_client,
    page_weight,
    percentile,
    prepare_database,
    rss_mb,
    start_server,
    status_lookups,
    write_config,
)
from kiosk.tools.bench_probe import start_probe
from kiosk.tools.bench_sms import enable_sms, sms_rows
from kiosk.tools.bench_table import Row, _ms

__all__ = [
    "SERVICES",
    "IssueFigures",
    "Row",
    "format_table",
    "free_port",
    "issue_rows",
    "percentile",
    "rss_mb",
    "run",
    "start_probe",
    "start_server",
    "write_config",
]

# The issue path against the bare probe (kiosk/tools/bench_probe.py) measured in the same run.
PROBE_LATENCY_LIMIT = 1.5  # one client: issue p50 at most this many times the probe's
PROBE_RATE_LIMIT = 0.8  # many clients: at least this share of the probe's tickets/s
BOOKING_SERVICE = "REKAM"  # the packaged office's service with a booking_quota


def _times(ratio: float, limit: float = 3.0) -> str:
    """Format a ratio; with a third decimal when two would hide which side of ``limit`` it is on."""
    shown = f"{ratio:.2f}x"
    return f"{ratio:.3f}x" if float(shown[:-1]) == limit and ratio != limit else shown


def run(
    seconds: float = 5.0,
    clients: int = 20,
    records: int = 5000,
    report_days: int = 365,
    progress: Callable[[str], None] = lambda step: None,
) -> tuple[list[Row], str]:
    """Measure everything; return the table rows and a line describing the machine and the run.

    ``report_days`` days of history (480 tickets a day, Monday to Saturday) are written for the report rows.
    """
    from kiosk.tools.bench_reports import report_rows

    samples = max(100, min(500, int(seconds * 100)))
    calls = max(3, min(20, int(seconds * 4)))
    steps = iter(range(1, 14))

    def step(text: str) -> None:
        done = next(steps)
        progress(f"{'#' * done}{'.' * (13 - done)} [{done}/13] {text}")  # a bar, then the step

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as temporary:
        directory = Path(temporary)
        config = write_config(directory, extra=STATUS_CONFIG)
        sms_root = enable_sms(config, directory)
        step(f"preparing a temporary database with {records:,} status records")
        niks = prepare_database(config, records)
        port = free_port()
        step("starting the server and the bare probe")
        printer = PacedPrinter(directory / "printer.bin")  # the configuration's file printer
        server = start_server(directory, port, config)
        probe_port = free_port()
        probe = start_probe(directory, probe_port, load_settings(config).server.threads)
        try:
            step(f"one client: {samples} tickets and {samples} /healthz; the same tickets to the bare probe")
            quiet = issue_rows(port, probe_port, samples, clients, seconds, step, (server.pid, probe.pid))
            rows += quiet.rows
            issue = quiet.issue
            step(f"opening {DISPLAYS} displays (event stream) and {PHONES} phones (polling)")
            context = multiprocessing.get_context("spawn")
            reports, ready, stop = context.Queue(), context.Event(), context.Event()
            watchers = context.Process(
                target=audience, args=(port, DISPLAYS, PHONES, reports, ready, stop), daemon=True
            )
            watchers.start()
            ready.wait(30)
            rss_connected = rss_mb(server.pid)
            step(f"{calls} calls at a counter")
            staff, headers = login(port)
            started = []
            for _ in range(calls):
                started.append(time.monotonic())
                status, body, cookie = staff.request("POST", "/api/counters/2/next", headers=headers)
                if status != 200:
                    raise RuntimeError(f"call next answered {status}: {body[:200]!r}")
                if cookie:  # the session now works at Loket 2
                    headers["Cookie"] = cookie.split(";")[0]
                time.sleep(0.5)
                # A counter holds one ticket at a time: finish this one before the next call.
                ticket_id = json.loads(body)["ticket"]["id"]
                staff.request("POST", f"/api/tickets/{ticket_id}/done", headers=headers)
            step(f"{clients} clients: /healthz then tickets with the displays and phones open")
            # The bound is against a bare /healthz on the same server: measured here under the same
            # displays and phones, as the quiet ratio above is measured against a quiet /healthz.
            health_busy, _, _ = concurrent(port, "GET", "/healthz", clients, seconds)
            issue_busy, busy_rate, busy_errors = concurrent(port, "POST", "/api/tickets", clients, seconds)
            time.sleep(PHONE_POLL_SECONDS + 0.5)  # the last call reaches the last phone
            stop.set()
            seen: dict[str, dict[int, float]] = {"display": {}, "phone": {}}
            while True:
                try:
                    kind, event_id, at = reports.get(timeout=1)
                except Exception:  # queue.Empty: nothing more arrives
                    break
                seen[kind][event_id] = at
            watchers.join(5)
            delays = {}
            for kind in seen:
                arrivals = [seen[kind][event_id] for event_id in sorted(seen[kind])][: len(started)]
                # fewer arrivals than calls when some were lost
                delays[kind] = [(at - began) * 1000 for at, began in zip(arrivals, started, strict=False)]
            display, phone = delays["display"], delays["phone"]
            rows.append(
                Row(
                    f"call -> display, worst of {DISPLAYS} streams: p99",
                    f"{_ms(percentile(display, 0.99))} ({len(display)}/{calls} calls)"
                    if display
                    else f"no call arrived ({calls} calls)",
                    "< 100 ms",
                    bool(display) and len(display) == calls and percentile(display, 0.99) < 100,
                )
            )
            rows.append(
                Row(
                    f"call -> phone, worst of {PHONES} polling: max",
                    f"{max(phone) / 1000:.2f} s ({len(phone)}/{calls} calls)"
                    if phone
                    else f"no call arrived ({calls} calls)",
                    "< 5 s",
                    bool(phone) and len(phone) == calls and max(phone) < 5000,
                )
            )
            b99, hb99 = percentile(issue_busy, 0.99), percentile(health_busy, 0.99)
            rows.append(
                Row(
                    f"issue, {clients} clients, streams open: p50 / p99",
                    f"{_ms(statistics.median(issue_busy))} / {_ms(b99)}",
                )
            )
            rows.append(
                Row(
                    f"/healthz, {clients} clients, streams open: p50 / p99",
                    f"{_ms(statistics.median(health_busy))} / {_ms(hb99)}",
                )
            )
            rows.append(
                Row(
                    f"issue p99 / /healthz p99, {clients} clients, streams open",
                    f"{_times(b99 / hb99)} ({busy_rate:.0f} tickets/s)",
                    "<= 3x",
                    b99 / hb99 <= 3 and not busy_errors,
                )
            )
            step(f"status lookups at {records:,} records, bookings, SMS replies and an SMS flood")
            lookups = status_lookups(port, niks, samples)
            found = statistics.median(lookups)
            rows.append(Row(f"status lookup, {records:,} records: p50", _ms(found), "< 5 ms", found < 5))
            booked, cancelled = booking_cycles(port, BOOKING_SERVICE, samples)
            book50 = statistics.median(booked)
            rows.append(Row("booking a later day at the kiosk, 1 client: p50", _ms(book50), "< 5 ms", book50 < 5))
            rows.append(
                Row(
                    "booking: p99 / cancelling it: p50",
                    f"{_ms(percentile(booked, 0.99))} / {_ms(statistics.median(cancelled))}",
                )
            )
            rows += sms_rows(
                sms_root, port, max(5, min(30, int(seconds * 6))), samples, percentile(issue, 0.99), Row, _ms
            )
            rows.append(
                Row(
                    f"server RSS, {DISPLAYS} displays + {PHONES} phones",
                    f"{rss_connected:.0f} MB",
                    "< 100 MB",
                    rss_connected < 100,
                )
            )
            step(f"one address holds {IDLE_CONNECTIONS} idle connections; /healthz from another")
            flooded, held = idle_flood(port, IDLE_CONNECTIONS)
            f99 = percentile(flooded, 0.99)
            rows.append(
                Row(
                    f"/healthz p99, another address, one holding {IDLE_CONNECTIONS} idle connections",
                    f"{_ms(f99)} ({len(flooded)} requests; {held} opened)",
                    "< 1 s",
                    f99 < 1000,
                )
            )
            step(f"a flood of POST /api/tickets from a non-kiosk address for {seconds:g} s")
            rows += flood_rows(port, seconds, percentile(issue, 0.99))
            step("kiosk page weight")
            weight = page_weight(port) / 1024
            rows.append(Row("kiosk page weight (HTML + linked CSS/JS)", f"{weight:.1f} KB", "< 200 KB", weight < 200))
        finally:
            printer.drain()
            probe.send_signal(signal.SIGTERM)
            server.send_signal(signal.SIGTERM)
            try:
                probe.wait(timeout=10)
            except subprocess.TimeoutExpired:
                probe.kill()
                probe.wait()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            printer.close()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-reports-") as temporary:
        step(f"writing {report_days} days of history into a temporary database")
        report, history = report_rows(Path(temporary), days=report_days, progress=step)
    rows += report
    machine = (
        f"{platform.node()}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, synchronous=FULL, a printer taking {PRINTER_BYTES_PER_SECOND:,} bytes/s, "
        f"{clients} clients, "
        f"{seconds:g} s per load run; {history}"
    )
    return rows, machine


@dataclass(frozen=True)
class IssueFigures:
    """The rows of the issue path and the product's one-client issue timings (ms) they came from."""

    rows: list[Row]
    issue: list[float]


# Product and probe take turns this many times (product, probe, probe, product each), so that the load of a
# shared machine, which comes and goes within seconds, weighs on both alike.
ISSUE_ROUNDS = 5


def cpu_seconds(pid: int | None) -> float:
    """Return the CPU time (user + system) a process has used so far; 0 without a pid."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Side:
    """What one server (the product or the probe) did over its turns: timings, tickets, seconds and CPU."""

    def __init__(self, port: int, pid: int | None) -> None:
        self.port, self.pid = port, pid
        self.timings: list[float] = []
        self.seconds = 0.0
        self.errors = 0
        self.cpu = 0.0

    def one_client(self, count: int) -> None:
        began = cpu_seconds(self.pid)
        self.timings += one_client(self.port, "POST", "/api/tickets", count)
        self.cpu += cpu_seconds(self.pid) - began

    def clients(self, clients: int, seconds: float) -> None:
        began = cpu_seconds(self.pid)
        timings, rate, errors = concurrent(self.port, "POST", "/api/tickets", clients, seconds)
        self.cpu += cpu_seconds(self.pid) - began
        self.timings += timings
        self.seconds += len(timings) / rate if rate else seconds
        self.errors += errors

    @property
    def rate(self) -> float:
        return len(self.timings) / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU per ticket (ms)."""
        return self.cpu * 1000 / max(1, len(self.timings))


def _turns(product: _Side, probe: _Side, rounds: int, run: Callable[[_Side], None]) -> None:
    for _ in range(rounds):
        for side in (product, probe, probe, product):
            run(side)


def issue_rows(
    port: int,
    probe_port: int,
    samples: int,
    clients: int,
    seconds: float,
    step: Callable[[str], None] = lambda text: None,
    pids: tuple[int, int] | None = None,
) -> IssueFigures:
    """Issue from one client, then from ``clients`` at once, on the product and on the bare probe.

    Both are measured in turns (product, probe, probe, product; ``ISSUE_ROUNDS`` times for one client and
    up to that for ``clients``), so a change in the machine's load during the run weighs on both alike; their
    figures become ratios with targets. With ``pids`` (the product's, the probe's) the servers' CPU time per
    ticket is shown too: unlike the times, it hardly moves with the load of other programs.
    """
    for target in (port, probe_port):  # warm-up: imports, first connections, caches
        one_client(target, "POST", "/api/tickets", min(100, samples))
    product, probe = _Side(port, pids[0] if pids else None), _Side(probe_port, pids[1] if pids else None)
    per_turn = max(1, samples // (2 * ISSUE_ROUNDS))
    _turns(product, probe, ISSUE_ROUNDS, lambda side: side.one_client(per_turn))
    issue, bare = product.timings, probe.timings
    health = one_client(port, "GET", "/healthz", samples)
    p50, bare50 = statistics.median(issue), statistics.median(bare)
    rows = [
        Row("issue, 1 client: p50", _ms(p50)),
        Row("issue, 1 client: p99", _ms(percentile(issue, 0.99))),
        Row("bare probe issue, 1 client: p50 / p99", f"{_ms(bare50)} / {_ms(percentile(bare, 0.99))}"),
        Row(
            "issue p50 / bare probe p50, 1 client",
            _times(p50 / bare50, PROBE_LATENCY_LIMIT),
            f"<= {PROBE_LATENCY_LIMIT:g}x",
            p50 / bare50 <= PROBE_LATENCY_LIMIT,
        ),
    ]
    if pids:
        rows.append(
            Row(
                "server CPU per ticket, 1 client: product / bare probe",
                f"{_ms(product.cpu_ms)} / {_ms(probe.cpu_ms)} ({product.cpu_ms / probe.cpu_ms:.2f}x)",
            )
        )
    rows.append(
        Row("/healthz, 1 client: p50 / p99", f"{_ms(statistics.median(health))} / {_ms(percentile(health, 0.99))}")
    )
    rounds = max(1, min(ISSUE_ROUNDS, int(seconds)))
    window = seconds / (2 * rounds)
    step(
        f"{clients} clients: /healthz for {seconds:g} s, then tickets for {seconds:g} s each to the server and "
        f"the bare probe, taking turns every {window:g} s"
    )
    health_load, _, _ = concurrent(port, "GET", "/healthz", clients, seconds)
    product, probe = _Side(port, product.pid), _Side(probe_port, probe.pid)
    _turns(product, probe, rounds, lambda side: side.clients(clients, window))
    issue_load, bare_load = product.timings, probe.timings
    rate, bare_rate, errors, bare_errors = product.rate, probe.rate, product.errors, probe.errors
    h99, i99 = percentile(health_load, 0.99), percentile(issue_load, 0.99)
    rows += [
        Row(f"issue, {clients} clients: p50 / p99", f"{_ms(statistics.median(issue_load))} / {_ms(i99)}"),
        Row(f"/healthz, {clients} clients: p50 / p99", f"{_ms(statistics.median(health_load))} / {_ms(h99)}"),
        Row(f"issue p99 / /healthz p99, {clients} clients", _times(i99 / h99), "<= 3x", i99 / h99 <= 3),
        Row(
            f"tickets/s, {clients} clients",
            f"{rate:.0f}" + (f" ({errors} errors)" if errors else ""),
            ">= 500",
            rate >= 500 and not errors,
        ),
        Row(
            f"bare probe tickets/s, {clients} clients",
            f"{bare_rate:.0f}"
            + (f" ({bare_errors} errors)" if bare_errors else "")
            + f" (p50 / p99 {_ms(statistics.median(bare_load))} / {_ms(percentile(bare_load, 0.99))})",
        ),
        Row(
            f"tickets/s / bare probe tickets/s, {clients} clients",
            _times(rate / bare_rate, PROBE_RATE_LIMIT),
            f">= {PROBE_RATE_LIMIT:g}x",
            rate / bare_rate >= PROBE_RATE_LIMIT and not errors,
        ),
    ]
    if pids:
        rows.append(
            Row(
                f"server CPU per ticket, {clients} clients: product / bare probe",
                f"{_ms(product.cpu_ms)} / {_ms(probe.cpu_ms)} ({product.cpu_ms / probe.cpu_ms:.2f}x)",
            )
        )
    return IssueFigures(rows, issue)


def flood_rows(port: int, seconds: float, quiet_p99: float) -> list[Row]:
    """Flood POST /api/tickets from 127.0.0.2 (not a kiosk) while a kiosk PC issues; the flooder must get nothing."""
    from kiosk.tools.bench_flood import FLOOD_SOURCE, ticket_flood

    flood = ticket_flood(port, seconds, services=SERVICES)
    k99 = percentile(flood.kiosk_ms, 0.99) if flood.kiosk_ms else float("nan")
    refused = flood.flood_answers.get(403, 0)
    return [
        Row(
            f"flood from {FLOOD_SOURCE} (not a kiosk): tickets issued",
            f"{flood.tickets_to_flooder} of {flood.flood_requests:,} ({refused:,} x 403)",
            "= 0",
            flood.tickets_to_flooder == 0 and flood.flood_requests > 0,
        ),
        Row(
            "kiosk issue during the flood: p99",
            f"{_ms(k99)} ({len(flood.kiosk_ms)} tickets, quiet p99 {_ms(quiet_p99)})"
            + (f", {len(flood.kiosk_failures)} failed" if flood.kiosk_failures else ""),
        ),
    ]


def format_table(rows: list[Row]) -> str:
    """Return the rows as one aligned plain-text table."""
    header = Row("figure", "measured", "target")
    widths = [max(len(getattr(row, name)) for row in [header, *rows]) for name in ("figure", "measured", "target")]
    lines = []
    for row in [header, *rows]:
        mark = "" if row.met is None else ("✓" if row.met else "✗")
        if row is header:
            mark = "met"
        lines.append(
            f"{row.figure:<{widths[0]}}  {row.measured:>{widths[1]}}  {row.target:<{widths[2]}}  {mark}".rstrip()
        )
    lines.insert(1, "-" * len(max(lines, key=len)))
    return "\n".join(lines)
