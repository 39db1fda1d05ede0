"""Measure the kiosk's voice guidance: how long espeak-ng takes to render each sentence of the catalogue
(kiosk/domain/guide.py) the first time, how fast a cached sentence answers over HTTP, and the cache's size.

Run from the repository root:  python bench/speech_bench.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import LiveServer, make_app  # noqa: E402


def figures(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return (
        f"{name}: n={len(ms)} median={statistics.median(ms):.1f} ms  "
        f"p90={ms[int(len(ms) * 0.9) - 1]:.1f} ms  max={ms[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    server = LiveServer(make_app(tmp)).start(workers=False)
    try:
        keys = server.get("/api/speech").json()["keys"]
        cold = []
        for key in keys:
            started = time.perf_counter()
            server.get(f"/api/speech/{key}.wav").raise_for_status()
            cold.append(time.perf_counter() - started)
        warm = []
        for index in range(args.rounds):
            started = time.perf_counter()
            server.get(f"/api/speech/{keys[index % len(keys)]}.wav").raise_for_status()
            warm.append(time.perf_counter() - started)
        cache = sum(path.stat().st_size for path in (tmp / "speech-cache").glob("*.wav"))
        print(f"catalogue: {len(keys)} sentences; cache {cache / 1e6:.1f} MB on disk")
        print(figures("first render (espeak-ng) over HTTP", cold))
        print(f"whole catalogue rendered once: {sum(cold):.2f} s")
        print(figures("cached sentence over HTTP", warm))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
