"""`kiosk bench`: one table with every figure, each target marked met or missed (the values are not asserted)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from kiosk.tools.bench import Row, format_table

# Slow (the whole benchmark), not serial: no figure is asserted, only the table's rows, marks and arithmetic,
# which hold on a busy machine as on a quiet one (a missed target exits 1 and is accepted).
pytestmark = pytest.mark.slow

TARGETED_ROWS = (
    "issue p50 / bare probe p50, 1 client",
    "issue p99 / /healthz p99, 2 clients",
    "tickets/s, 2 clients",
    "tickets/s / bare probe tickets/s, 2 clients",
    "call -> display, worst of 10 streams: p99",
    "call -> phone, worst of 100 polling: max",
    "issue p99 / /healthz p99, 2 clients, streams open",
    "status lookup, 200 records: p50",
    "booking a later day at the kiosk, 1 client: p50",
    "server RSS, 10 displays + 100 phones",
    "kiosk page weight (HTML + linked CSS/JS)",
    "/healthz p99, another address, one holding 600 idle connections",
    "flood from 127.0.0.2 (not a kiosk): tickets issued",
    "daily report, 480 tickets: first / later",
    "30-day range report: first / later",
    "365-day range report: first (reads every day)",
    "365-day range report: median of 4 later",
    "report page, 30 days: first render",
    "SMS in -> reply in the outbox: p99",
)
PLAIN_ROWS = (
    "issue, 1 client: p50",
    "issue, 1 client: p99",
    "bare probe issue, 1 client: p50 / p99",
    "bare probe tickets/s, 2 clients",
    "server CPU per ticket, 1 client: product / bare probe",
    "server CPU per ticket, 2 clients: product / bare probe",
    "/healthz, 1 client: p50 / p99",
    "issue, 2 clients: p50 / p99",
    "/healthz, 2 clients: p50 / p99",
    "issue, 2 clients, streams open: p50 / p99",
    "/healthz, 2 clients, streams open: p50 / p99",
    "kiosk issue during the flood: p99",
    "kiosk issue during a 500-SMS flood from one number: p99",
    "booking: p99 / cancelling it: p50",
)


def test_kiosk_bench_prints_every_row_with_a_mark_per_target(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "bench",
            "--seconds",
            "0.5",
            "--clients",
            "2",
            "--records",
            "200",
            "--report-days",
            "8",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=110,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: a target missed on this (shared) machine
    lines = result.stdout.splitlines()
    assert "synchronous=FULL" in lines[0] and "2 clients" in lines[0]
    assert "reports in-process on 8 days of history (3,360 tickets" in lines[0]  # 7 open days of 480
    assert lines[1].split() == ["figure", "measured", "target", "met"]
    by_figure = {}
    for line in lines[3:-1]:
        figure = re.split(r"\s{2,}", line)[0]
        by_figure[figure] = line
    assert set(by_figure) == set(TARGETED_ROWS) | set(PLAIN_ROWS)
    for figure in TARGETED_ROWS:
        assert by_figure[figure].endswith(("✓", "✗")), by_figure[figure]
        assert re.search(r"\d", by_figure[figure][len(figure) :]), by_figure[figure]
    for figure in PLAIN_ROWS:
        assert not by_figure[figure].endswith(("✓", "✗")), by_figure[figure]
    missed = sum(by_figure[figure].endswith("✗") for figure in TARGETED_ROWS)
    assert lines[-1] == ("every target met" if missed == 0 else f"{missed} of {len(TARGETED_ROWS)} targets missed")
    assert result.returncode == (1 if missed else 0)
    # The issue path against the bare probe measured in the same run: each ratio is the quotient of the
    # figures shown beside it, and its mark says which side of the limit it is on (no speed is asserted).
    assert "[2/13] starting the server and the bare probe" in result.stderr

    def figures(figure: str) -> list[float]:
        return [float(number) for number in re.findall(r"\d+(?:\.\d+)?", by_figure[figure][len(figure) :])]

    for ratio_row, limit, upper, product, probe in (
        (
            "issue p50 / bare probe p50, 1 client",
            1.5,
            True,
            "issue, 1 client: p50",
            "bare probe issue, 1 client: p50 / p99",
        ),
        (
            "tickets/s / bare probe tickets/s, 2 clients",
            0.8,
            False,
            "tickets/s, 2 clients",
            "bare probe tickets/s, 2 clients",
        ),
    ):
        shown, expected = figures(ratio_row)[0], figures(product)[0] / figures(probe)[0]
        assert f"{'<=' if upper else '>='} {limit:g}x" in by_figure[ratio_row]
        assert abs(shown - expected) <= 0.01 + 0.02 * expected, (
            by_figure[ratio_row],
            by_figure[product],
            by_figure[probe],
        )
        if shown != limit and "errors" not in by_figure[product]:  # an error answer misses the target anyway
            assert by_figure[ratio_row].endswith("✓") == (shown <= limit if upper else shown >= limit)
    assert "###########.. [11/13] kiosk page weight" in result.stderr  # a progress bar, then the step
    assert "[9/13] one address holds 600 idle connections" in result.stderr
    assert (
        "[13/13] timing the reports on 3,360 tickets" in result.stderr
    )  # progress on standard error, not in the table


def test_table_marks_met_missed_and_untargeted_rows():
    table = format_table(
        [
            Row("issue p50", "2.00 ms", "< 3 ms", True),
            Row("tickets/s", "400", ">= 500", False),
            Row("healthz p50", "0.40 ms"),
        ]
    )
    assert table.splitlines() == [
        "figure       measured  target  met",
        "----------------------------------",
        "issue p50     2.00 ms  < 3 ms  ✓",
        "tickets/s         400  >= 500  ✗",
        "healthz p50   0.40 ms",
    ]


def test_a_ratio_just_over_its_limit_does_not_print_as_the_limit():
    from kiosk.tools.bench import _times

    assert [_times(2.5), _times(3.0), _times(3.004), _times(2.996), _times(3.2)] == [
        "2.50x",
        "3.00x",
        "3.004x",
        "2.996x",
        "3.20x",
    ]
