"""The issue rows of ``kiosk bench`` alone: the product's ``POST /api/tickets`` against the bare probe.

Run:  python bench/issue_probe.py [--seconds 2] [--clients 20] [--samples 300]

A real ``kiosk serve`` (the bench's configuration: file printer, ``synchronous=FULL``) and the bare probe
(kiosk/tools/bench_probe.py) run side by side on temporary databases; prints the same rows as the bench.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.domain.settings import load_settings  # noqa: E402
from kiosk.tools.bench import format_table, free_port, issue_rows, start_probe, start_server, write_config  # noqa: E402
from kiosk.tools.bench_load import PacedPrinter  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--printer", choices=("paced", "file", "none"), default="paced",
                        help="the product's printer: paced as in kiosk bench, a file taking tickets at once, none")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiosk-issue-probe-") as temporary:
        directory = Path(temporary)
        config = write_config(directory, printer="none" if args.printer == "none" else "file")
        printer = PacedPrinter(directory / "printer.bin") if args.printer == "paced" else None
        port, probe_port = free_port(), free_port()
        server = start_server(directory, port, config)
        probe = start_probe(directory, probe_port, load_settings(config).server.threads)
        try:
            figures = issue_rows(port, probe_port, args.samples, args.clients, args.seconds)
        finally:
            if printer is not None:
                printer.drain()
            for process in (probe, server):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
    if printer is not None:
        printer.close()
    print(f"load average before/after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(format_table(figures.rows))


if __name__ == "__main__":
    main()
