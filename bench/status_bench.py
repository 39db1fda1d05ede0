"""Measure the KTP-el status targets: lookup p50 at 5,000 and 500,000 records, import of 100,000 rows, RSS.

Run:  python bench/status_bench.py [--lookups 2000] [--records 5000,500000] [--import-rows 100000]

Each size gets its own ``kiosk serve`` process (synchronous=FULL, the product default) on a
temporary database filled directly with valid records; one keep-alive client looks up random
existing NIKs with their KK number (found) and unknown NIKs (not found: same work, same time).
The import runs ``kiosk import-status`` as its own process, twice (the second time is a no-op).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import ROOT, free_port, percentile, rss_mb  # noqa: E402

from kiosk.paths import packaged_config  # noqa: E402
from kiosk.tools.bench_load import residents, start_server  # noqa: E402,F401  (status_staff_bench imports residents)

KK = "6203010102150003"
STATUSES = ("READY_FOR_PICKUP", "CARD_SHIPPED", "PROCESSING", "PRINT_READY_RECORD", "CARD_ISSUED")
STATUS_CONFIG = '\n[status]\nkiosk_addresses = ["127.0.0.1"]\nkiosk_lookups_per_window = 100000000\n'


def write_config(directory: Path) -> Path:
    text = packaged_config().read_text(encoding="utf-8")
    text = text.replace('path = "var/kiosk.db"', f'path = "{directory / "kiosk.db"}"')
    text = text.replace('path = "var/printer.bin"', f'path = "{directory / "printer.bin"}"')
    config = directory / "kiosk.toml"
    config.write_text(text + STATUS_CONFIG, encoding="utf-8")
    return config


def kiosk(config: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), *args], cwd=ROOT, check=True, **kwargs
    )


def fill(directory: Path, count: int) -> list[str]:
    """Create the database and store ``count`` records straight into it; return their NIKs."""
    config = write_config(directory)
    kiosk(config, "init", stdout=subprocess.DEVNULL)
    from kiosk.domain.status import hash_kk, hash_nik
    from kiosk.storage.db import Database

    key = Database(directory / "kiosk.db").status_key()  # the NIK and KK are stored only as keyed hashes
    niks = []
    with sqlite3.connect(directory / "kiosk.db") as conn:
        rows = []
        for index, (nik, _born) in enumerate(residents(count)):
            niks.append(nik)
            rows.append(
                (
                    hash_nik(key, nik),
                    0,
                    hash_kk(key, KK),
                    f"Warga {index}",
                    STATUSES[index % len(STATUSES)],
                    "",
                    "2026-11-01T09:00:00+07:00",
                    "bench",
                )
            )
        conn.executemany(
            "INSERT INTO applications (nik_hash, generation, kk_hash, name, status, note, updated_at,"
            " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return niks


def lookups(port: int, bodies: list[dict], expected: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for body in bodies:
        payload = json.dumps(body).encode()
        start = time.perf_counter()
        connection.request("POST", "/api/status-lookups", body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status == expected, response.status
    connection.close()
    return timings


def measure_lookups(count: int, samples: int) -> tuple[float, float, float, float]:
    """Return p50 ms of found, unknown-NIK and wrong-KK lookups, and the server's RSS MB, at ``count`` records."""
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        niks = fill(directory, count)
        known = set(niks)
        port = free_port()
        server = start_server(directory, port, directory / "kiosk.toml")
        try:
            pick = random.Random(8)
            found = [{"nik": nik, "kk": KK} for nik in pick.sample(niks, min(samples, len(niks)))]
            unknown = [{"nik": nik, "kk": KK} for nik, _ in residents(count + samples) if nik not in known][:samples]
            wrong_kk = [{"nik": body["nik"], "kk": "6203010102150004"} for body in found]
            lookups(port, found[:100], 200)  # warm-up
            found_ms = lookups(port, found, 200)
            missing_ms = lookups(port, unknown, 404)
            wrong_ms = lookups(port, wrong_kk, 404)
            return (
                percentile(found_ms, 0.5),
                percentile(missing_ms, 0.5),
                percentile(wrong_ms, 0.5),
                rss_mb(server.pid),
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


def measure_import(rows: int) -> tuple[float, float, float]:
    """Return (first import s, re-import s, peak RSS MB of the import process) for ``rows`` CSV rows."""
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        config = write_config(directory)
        kiosk(config, "init", stdout=subprocess.DEVNULL)
        csv_file = directory / "siak.csv"
        with csv_file.open("w", encoding="utf-8") as out:
            out.write("\ufeffNIK;NO_KK;NAMA;TANGGAL_LAHIR;STATUS;KETERANGAN\n")
            for index, (nik, born) in enumerate(residents(rows)):
                day, month, year = born[8:], born[5:7], born[:4]
                out.write(f"{nik};{KK};Warga {index};{day}-{month}-{year};{STATUSES[index % len(STATUSES)]};\n")
        times, peaks = [], []
        for _ in range(2):
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-c", PEAK_REPORTING_KIOSK, "--config", str(config), "import-status", str(csv_file)],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - start)
            assert f"Accepted: {rows}" in result.stdout, result.stdout
            peaks.append(int(result.stderr.rsplit("PEAK_KB", 1)[1]) / 1024)
        return times[0], times[1], max(peaks)


# `kiosk` that reports its own peak resident memory when it exits. VmHWM, not ru_maxrss: Linux keeps
# ru_maxrss across exec, so it would count this (large) benchmark process the child was forked from.
PEAK_REPORTING_KIOSK = (
    "import atexit, sys\n"
    "peak = lambda: next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
    "atexit.register(lambda: print('PEAK_KB', peak(), file=sys.stderr))\n"
    "from kiosk.cli import main\n"
    "main(prog_name='kiosk')\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--records", default="5000,500000")
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    results = {}
    for count in (int(size) for size in args.records.split(",")):
        found, missing, wrong, rss = measure_lookups(count, args.lookups)
        results[count] = found
        print(
            f"lookup p50 at {count:,} records: found {found:.2f} ms, unknown NIK {missing:.2f} ms, "
            f"wrong KK {wrong:.2f} ms (target < 5 ms); server RSS {rss:.0f} MB (target < 100 MB)"
        )
    if len(results) > 1:
        small, large = results[min(results)], results[max(results)]
        print(f"lookup p50 ratio {max(results):,} / {min(results):,} records: {large / small:.2f}x (target <= 1.5x)")
    first, again, peak = measure_import(args.import_rows)
    print(
        f"import-status of {args.import_rows:,} rows: {first:.1f} s (target < 15 s); re-import (no change) "
        f"{again:.1f} s; peak RSS of the import {peak:.0f} MB (target < 100 MB)"
    )


if __name__ == "__main__":
    main()
