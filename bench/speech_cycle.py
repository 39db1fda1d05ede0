"""Measure ticket latency while a kiosk in voice mode cycles through the whole spoken catalogue.

Run from the repository root:  python bench/speech_cycle.py [--tickets 300] [--no-warm]

A real waitress server on 127.0.0.1 with espeak-ng; one thread asks for every catalogue sentence
in turn, over and over (more sentences than the 500 announcements the cache keeps), while the
main thread issues tickets one after another. By default the catalogue is first rendered ahead
(``Speech.warm``, as the server does after start-up; its duration is printed); ``--no-warm``
serves it on demand only, as before the catalogue was rendered ahead. Prints the tickets'
p50/p99/max and how many espeak-ng processes ran during the measurement.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.domain import guide  # noqa: E402
from tests.support import LiveServer, make_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--no-warm", action="store_true", help="serve the catalogue on demand only")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    app = make_app(tmp, printer__type="none")
    runtime = app.extensions["kiosk"]
    speech = runtime.speech
    runs = [0]
    original = speech._run_espeak

    def counted(*a, **k):
        runs[0] += 1
        return original(*a, **k)

    speech._run_espeak = counted
    if not args.no_warm:
        began = time.monotonic()
        rendered = speech.warm(guide.sentences(runtime.settings).values())
        print(f"rendered ahead: {rendered} sentences in {time.monotonic() - began:.1f} s")
    server = LiveServer(app).start(workers=False)
    stop = threading.Event()
    served = [0]

    def voice_kiosk() -> None:
        session = requests.Session()
        keys = session.get(server.url + "/api/speech", timeout=30).json()["keys"]
        while not stop.is_set():
            for key in keys:
                if stop.is_set():
                    return
                session.get(f"{server.url}/api/speech/{key}.wav", timeout=30)
                served[0] += 1

    try:
        cycling = threading.Thread(target=voice_kiosk, daemon=True)
        cycling.start()
        time.sleep(2)
        before, served_before = runs[0], served[0]
        latencies = []
        session = requests.Session()
        for index in range(args.tickets):
            started = time.perf_counter()
            answer = session.post(
                server.url + "/api/tickets", json={"service": ("CETAK", "INFO")[index % 2]}, timeout=30
            )
            latencies.append(time.perf_counter() - started)
            answer.raise_for_status()
        stop.set()
        cycling.join(timeout=30)
        ms = sorted(s * 1000 for s in latencies)
        print(
            f"{'on demand only' if args.no_warm else 'rendered ahead'}: tickets n={len(ms)} "
            f"p50={statistics.median(ms):.1f} ms p99={ms[int(len(ms) * 0.99) - 1]:.1f} ms max={ms[-1]:.1f} ms; "
            f"sentences served meanwhile {served[0] - served_before}, espeak-ng runs meanwhile {runs[0] - before}"
        )
    finally:
        stop.set()
        server.stop()


if __name__ == "__main__":
    main()
