"""The parallel lane's order (tests/schedule.py): xdist's own slices, equal shares, busy and waiting files mixed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from random import Random
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdist.scheduler.worksteal import WorkStealingScheduling

from tests import conftest, schedule


@dataclass(frozen=True)
class Case:
    file: str
    cost: float
    waits: bool = False
    index: int = 0


def arrange(tests: list[Case], workers: int) -> list[Case]:
    return schedule.order(tests, workers, lambda t: t.file, lambda t: t.cost, waits=lambda t: t.waits)


class Node:
    """Just enough of xdist's WorkerController for its scheduler: records the tests it is sent."""

    def __init__(self, name: str) -> None:
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent: list[int] = []

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)

    def send_steal(self, indices: list[int]) -> None:  # pragma: no cover - not reached before any test ends
        raise AssertionError("no steal before a test has run")

    def shutdown(self) -> None:  # pragma: no cover
        self.shutting_down = True


def test_the_slices_are_the_ones_xdist_worksteal_hands_out_at_the_start():
    for count, workers in ((2267, 5), (2266, 4), (10, 3), (7, 2)):
        config = SimpleNamespace(getvalue=lambda name, workers=workers: [f"{workers}*popen"])
        scheduler = WorkStealingScheduling(config)
        nodes = [Node(f"gw{i}") for i in range(workers)]
        for node in nodes:
            scheduler.add_node(node)
        for node in nodes:
            scheduler.add_node_collection(node, [f"t{i}" for i in range(count)])
        scheduler.schedule()
        assert [len(node.sent) for node in nodes] == schedule.slice_sizes(count, workers)
        assert [node.sent[0] for node in nodes] == [
            sum(schedule.slice_sizes(count, workers)[:i]) for i in range(workers)
        ]


files = st.lists(st.tuples(st.integers(1, 40), st.floats(0.001, 60), st.booleans()), min_size=1, max_size=30).map(
    lambda specs: [
        Case(f"f{n}.py", cost, waits, index) for n, (count, cost, waits) in enumerate(specs) for index in range(count)
    ]
)


@settings(max_examples=200, deadline=None)
@given(files, st.integers(1, 6))
def test_every_test_runs_once_and_each_file_keeps_its_own_order(tests, workers):
    arranged = arrange(tests, workers)
    assert sorted(arranged, key=lambda t: (t.file, t.index)) == sorted(tests, key=lambda t: (t.file, t.index))
    for name in {t.file for t in tests}:
        assert [t.index for t in arranged if t.file == name] == [t.index for t in tests if t.file == name]


@settings(max_examples=200, deadline=None)
@given(files, st.integers(2, 6))
def test_each_slice_ends_with_its_quick_tests(tests, workers):
    arranged = arrange(tests, workers)
    start = 0
    for size in schedule.slice_sizes(len(tests), workers):
        quick = [t.cost < schedule.QUICK for t in arranged[start : start + size]]
        start += size
        assert quick == sorted(quick), "a quick test before a slower one"


@pytest.mark.parametrize("workers", [4, 5])
def test_a_suite_shaped_like_ours_is_shared_out_evenly(workers):
    # Slices hold equal numbers of tests, so a share can only be as even as the files allow (worksteal evens
    # out the rest). A suite of our shape: browser files of 2-16 tests of ~3 s, one 65 s soak, 89 fuzzed
    # operations of ~1 s, ~80 files of quick HTTP tests and a dozen files of pure rules.
    random = Random(7)
    tests = [
        Case(f"browser{n}.py", 3.0 * random.uniform(0.5, 2), True, i)
        for n in range(40)
        for i in range(random.randint(2, 16))
    ]
    tests += [Case("soak.py", 65.0)] + [Case("fuzz.py", 1.1, index=i) for i in range(89)]
    tests += [
        Case(f"http{n}.py", random.uniform(0.05, 0.5), index=i) for n in range(80) for i in range(random.randint(3, 60))
    ]
    tests += [Case(f"unit{n}.py", 0.005, index=i) for n in range(12) for i in range(random.randint(10, 140))]
    arranged, start, shares = arrange(tests, workers), 0, []
    for size in schedule.slice_sizes(len(tests), workers):
        shares.append(sum(t.cost for t in arranged[start : start + size]))
        start += size
    assert max(shares) <= 1.05 * sum(shares) / workers, shares
    in_order = [
        sum(t.cost for t in tests[i * len(tests) // workers : (i + 1) * len(tests) // workers]) for i in range(workers)
    ]
    assert max(in_order) > 1.5 * sum(shares) / workers  # as collected, the browser files crowd one slice


def test_waiting_and_busy_files_take_turns_and_half_the_slices_start_with_a_busy_one():
    tests = [Case(f"browser{n}.py", 10.0, True) for n in range(8)] + [Case(f"busy{n}.py", 5.0) for n in range(8)]
    tests += [Case(f"unit{n}.py", 0.001, index=i) for n in range(4) for i in range(3)]
    arranged = arrange(tests, 2)
    first, second = arranged[:14], arranged[14:]
    assert first[0].file.startswith("busy") and second[0].file.startswith("browser")
    for part in (first, second):
        kinds = [re.match("[a-z]+", t.file).group(0) for t in part]
        assert kinds[-3:] == ["unit"] * 3
        assert "browserbrowserbrowser" not in "".join(kinds) and "busybusybusy" not in "".join(kinds)


def test_the_lane_reorders_only_under_worksteal_and_guesses_by_marker_for_a_file_it_has_no_figure_for(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(schedule, "DURATIONS", tmp_path / "durations.json")
    (tmp_path / "durations.json").write_text(json.dumps({"tests/test_known.py": 30.0}))

    def item(name: str, marker: str | None = None):
        return SimpleNamespace(
            path=conftest.Path(conftest.__file__).parent / name,
            fixturenames=(),
            get_closest_marker=lambda wanted: wanted if wanted == marker else None,
            add_marker=lambda mark: None,
            nodeid=name,
        )

    items = [item("test_known.py"), item("unit/test_rules.py", "unit"), item("test_other.py", "browser")]
    collected = list(items)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")

    def run(argv: list[str]) -> list:
        config = SimpleNamespace(getoption=lambda name, default=None: 2, workerinput={"mainargv": argv}, hook=None)
        order = list(collected)
        conftest.pytest_collection_modifyitems(config, order)
        return [i.nodeid for i in order]

    assert run(["pytest", "-n", "2", "-m", "not serial"]) == [i.nodeid for i in items]  # load: as collected
    # worksteal: the known 30 s file and the guessed browser file (3 s) in slices of their own, the unit test last
    assert run(["pytest", "-n", "2", "--dist", "worksteal"]) == ["test_known.py", "test_other.py", "unit/test_rules.py"]
    assert run(["pytest", "-n", "2", "--dist=worksteal"]) == ["test_known.py", "test_other.py", "unit/test_rules.py"]


def test_the_figures_come_from_a_junit_report(tmp_path):
    report = tmp_path / "lane.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_schedule" name="a" time="1.25"/>'
        '<testcase classname="tests.test_schedule" name="b" time="0.75"/>'
        '<testcase classname="tests.browser.test_kiosk.TestSomething" name="c" time="3.5"/>'
        "</testsuite></testsuites>"
    )
    assert schedule.from_junit(report) == {"tests/browser/test_kiosk.py": 3.5, "tests/test_schedule.py": 2.0}
