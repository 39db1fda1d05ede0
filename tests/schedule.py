"""The order the parallel lane hands tests to its workers: equal shares, browser and busy tests mixed, quick last.

pytest-xdist's ``--dist worksteal`` gives each of its N workers one contiguous slice of the collection (the
first ``len // N`` tests to the first worker, and so on) and, when a worker runs dry, moves the second half of the
longest queue to it. In file order every browser test sat in the first worker's slice: the other three ran the
quick tests, then took browser tests from its end, and the run ended on a few 10-20 s browser tests with a
core idle (the last ~70 s of a 350 s run at 30-80 % CPU).

This module orders the collection so that each slice holds an equal share of the estimated work (by
``tests/durations.json``: wall seconds per file from a recent run, or a guess from the markers for a file not
listed), browser files interleaved with the busy ones and the quick tests (pure rules, milliseconds each) at its
end. Work
stealing still evens out what the estimate missed, and whatever runs last is short. Files are kept whole where a
slice has room, so module fixtures are built once. The order decides nothing but speed: every test still runs,
each with its own fixtures.

Refresh the figures after large changes to the suite (any run of the parallel lane)::

    .venv/bin/python -m pytest -n 5 --dist worksteal -m "not serial" --junitxml=/tmp/lane.xml
    .venv/bin/python -m tests.schedule /tmp/lane.xml
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

DURATIONS = Path(__file__).with_name("durations.json")
# Seconds a test of a file missing from DURATIONS is guessed to take, by its markers.
GUESS = {"browser": 3.0, "slow": 2.0, "unit": 0.005, None: 0.1}

T = TypeVar("T")


def slice_sizes(count: int, workers: int) -> list[int]:
    """The sizes of the slices worksteal hands out at the start (xdist's ``len(pending) // nodes_remaining``)."""
    sizes = []
    for index in range(workers):
        size = count // (workers - index)
        sizes.append(size)
        count -= size
    return sizes


def order(
    items: Sequence[T],
    workers: int,
    file_of: Callable[[T], str],
    cost_of: Callable[[T], float],
    waits: Callable[[T], bool] = lambda item: False,
) -> list[T]:
    """The items in slices of ``slice_sizes`` order, each with an equal share of the cost, cheap files last.

    Files are placed whole, costliest first, each in the slice with the least cost so far that has room for it
    (longest-processing-time-first). A file too big for any slice's room is split, in order, over the slices with
    room.
    Tests of one file keep their collected order. In a slice, files whose tests mostly wait (``waits``: the
    browser tests, which wait on pages far more than they compute) and the others, which keep a core busy, are
    interleaved in proportion to their cost, each kind costliest first, so that the workers' mix keeps both cores
    busy all along (browser tests alone on all workers left the machine ~30 % idle); files of quick tests (under
    ``QUICK`` seconds each) come last, cheapest at the very end.
    """
    files: dict[str, list[T]] = defaultdict(list)
    for item in items:
        files[file_of(item)].append(item)
    cost = {name: sum(cost_of(item) for item in members) for name, members in files.items()}
    sizes = slice_sizes(len(items), workers)
    load = [0.0] * workers
    placed: list[list[tuple[float, list[T]]]] = [[] for _ in sizes]  # per slice: (cost, tests of one file)

    def room(index: int) -> int:
        return sizes[index] - sum(len(members) for _, members in placed[index])

    for name in sorted(files, key=lambda name: (-cost[name], name)):
        members = files[name]
        fits = [index for index in range(workers) if room(index) >= len(members)]
        if fits:
            target = min(fits, key=lambda index: (load[index], index))
            placed[target].append((cost[name], members))
            load[target] += cost[name]
            continue
        each = cost[name] / len(members)
        start = 0
        for index in range(workers):  # slice by slice: the file's tests stay in their order across the run
            part = members[start : start + room(index)]
            if part:
                placed[index].append((each * len(part), part))
                load[index] += each * len(part)
                start += len(part)
    return [item for index, parts in enumerate(placed) for item in _interleave(parts, waits, index % 2 == 0)]


QUICK = 0.05  # seconds per test: a file of such tests goes to the end of its slice


def _interleave(parts: list[tuple[float, list[T]]], waits: Callable[[T], bool], busy_first: bool) -> list[T]:
    """One slice's tests: waiting and busy files merged by the share of their kind's cost done so far, quick last.

    Half the slices start with a busy file, half with a waiting one, so the run starts with the same mix it keeps.
    """
    quick: list[tuple[float, list[T]]] = []
    kinds: list[list[tuple[float, list[T]]]] = [[], []]  # kinds[0] waits, kinds[1] is busy
    for part in sorted(parts, key=lambda part: -part[0]):  # stable: equal costs keep their order
        cost, members = part
        if cost / len(members) < QUICK:
            quick.append(part)
        else:
            kinds[0 if waits(members[0]) else 1].append(part)
    totals = [sum(cost for cost, _ in kind) or 1.0 for kind in kinds]
    done = [0.0, 0.0]
    ordered: list[T] = []
    first = 1 if busy_first else 0
    while kinds[0] or kinds[1]:
        pick = min(
            (kind for kind in (0, 1) if kinds[kind]), key=lambda kind: (done[kind] / totals[kind], kind != first)
        )
        cost, members = kinds[pick].pop(0)
        done[pick] += cost
        ordered.extend(members)
    for _, members in quick:
        ordered.extend(members)
    return ordered


def durations(path: Path | None = None) -> dict[str, float]:
    """Wall seconds per test file from ``tests/durations.json`` ({} when it is missing or unreadable)."""
    try:
        figures = json.loads((path or DURATIONS).read_text())
        return {str(name): float(seconds) for name, seconds in figures.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def from_junit(report: Path) -> dict[str, float]:
    """Wall seconds per test file (``tests/...py``) from a pytest ``--junitxml`` report."""
    totals: dict[str, float] = defaultdict(float)
    for case in ElementTree.parse(report).iter("testcase"):
        module = case.get("classname", "")
        parts = module.split(".")
        # classname is the dotted module path, plus a class name for tests in classes
        while parts and not (Path(__file__).parents[1] / Path(*parts)).with_suffix(".py").exists():
            parts.pop()
        if parts:
            totals["/".join(parts) + ".py"] += float(case.get("time", 0))
    return {name: round(seconds, 1) for name, seconds in sorted(totals.items())}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.schedule REPORT.xml  (a pytest --junitxml report of the parallel lane)")
        return 2
    figures = from_junit(Path(argv[0]))
    if not figures:
        print(f"{argv[0]}: no test cases found")
        return 1
    DURATIONS.write_text(json.dumps(figures, indent=0, sort_keys=True) + "\n")
    print(f"{DURATIONS}: {len(figures)} files, {sum(figures.values()):.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
