"""Measure the SPEC performance targets against a real ``kiosk serve`` process on 127.0.0.1.

Run:  python bench/benchmark.py [--seconds 5] [--clients 20] [--records 5000]

The same as ``kiosk bench`` (kiosk/tools/bench.py holds the measuring code); kept so the other
scripts here can import its helpers and so a checkout can run it without installing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.cli import bench  # noqa: E402
from kiosk.tools.bench import free_port, percentile, rss_mb, start_server  # noqa: E402,F401

if __name__ == "__main__":
    bench.main(prog_name="python bench/benchmark.py")
