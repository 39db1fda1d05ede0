"""The issue rows of ``kiosk bench`` alone: the product's ``POST /api/tickets`` against the bare probe.

Run:  python bench/issue_probe.py [--seconds 5] [--clients 20] [--samples 500] [--runs 1] [--printer paced|file|none]

A real ``kiosk serve`` with ``kiosk bench``'s configuration (file printer read at a thermal printer's pace,
``synchronous=FULL``, SMS on, 5,000 status records) and the bare probe (kiosk/tools/bench_probe.py) run side by
side on temporary databases; prints the same rows as the bench, once per run (each run on fresh servers and
databases), then with ``--runs`` above 1 the two ratios of every run and their medians.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.domain.settings import load_settings  # noqa: E402
from kiosk.tools.bench import (  # noqa: E402
    PROBE_LATENCY_LIMIT,
    PROBE_RATE_LIMIT,
    IssueFigures,
    format_table,
    free_port,
    issue_rows,
    start_probe,
    start_server,
    write_config,
)
from kiosk.tools.bench_load import STATUS_CONFIG, PacedPrinter, prepare_database  # noqa: E402
from kiosk.tools.bench_sms import enable_sms  # noqa: E402


def one_run(args: argparse.Namespace) -> IssueFigures:
    with tempfile.TemporaryDirectory(prefix="kiosk-issue-probe-") as temporary:
        directory = Path(temporary)
        config = write_config(directory, printer="none" if args.printer == "none" else "file", extra=STATUS_CONFIG)
        enable_sms(config, directory)
        prepare_database(config, 5000)
        printer = PacedPrinter(directory / "printer.bin") if args.printer == "paced" else None
        port, probe_port = free_port(), free_port()
        server = start_server(directory, port, config)
        probe = start_probe(directory, probe_port, load_settings(config).server.threads)
        try:
            return issue_rows(port, probe_port, args.samples, args.clients, args.seconds, pids=(server.pid, probe.pid))
        finally:
            if printer is not None:
                printer.drain()
            for process in (probe, server):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
            if printer is not None:
                printer.close()


def ratio(figures: IssueFigures, starts: str) -> float:
    row = next(row for row in figures.rows if row.figure.startswith(starts))
    return float(re.match(r"[\d.]+", row.measured).group())  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load per side with many clients")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--samples", type=int, default=500, help="one-client tickets per side")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--printer",
        choices=("paced", "file", "none"),
        default="paced",
        help="the product's printer: paced as in kiosk bench, a file taking tickets at once, none",
    )
    args = parser.parse_args()
    ratios = []
    for run in range(1, args.runs + 1):
        before = os.getloadavg()
        figures = one_run(args)
        print(f"run {run}: load average before {before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
        print(format_table(figures.rows), flush=True)
        ratios.append((ratio(figures, "issue p50 / bare probe p50"), ratio(figures, "tickets/s / bare probe")))
    if args.runs > 1:
        one = [first for first, _ in ratios]
        many = [second for _, second in ratios]
        print(
            f"issue p50 / bare probe p50, 1 client, each run: {' '.join(f'{r:.2f}x' for r in one)}; "
            f"median {statistics.median(one):.2f}x (target <= {PROBE_LATENCY_LIMIT:g}x)"
        )
        print(
            f"tickets/s / bare probe tickets/s, {args.clients} clients, each run: "
            f"{' '.join(f'{r:.2f}x' for r in many)}; median {statistics.median(many):.2f}x "
            f"(target >= {PROBE_RATE_LIMIT:g}x)"
        )


if __name__ == "__main__":
    main()
