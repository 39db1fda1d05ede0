"""The report page's figures and charts, free of Flask and SQLite: a range report in, tables and SVG out.

Charts are drawn on the server with pygal and shown as self-contained SVG images: no script (pygal's
tooltip script and its config script are left out), no font or style from elsewhere, so the page
loads nothing from outside the office and an image's own <style> never meets the page's CSP.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from datetime import date

import pygal
from pygal.style import Style

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
TREND_DAYS = 30

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b1b2b",
    foreground_strong="#0b1b2b",
    foreground_subtle="#9aa8b6",
    opacity=".9",
    opacity_hover=".9",
    transition="none",
    font_family='"Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif',
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=16,
    value_font_size=14,
    title_font_size=18,
    tooltip_font_size=14,
    # deep blue, amber, green, red, grey-blue, purple, teal: told apart by colour-blind readers too
    colors=("#0a3d62", "#d9822b", "#1e7b45", "#b03a3a", "#5b6f82", "#7a4f9a", "#1b8a8a"),
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Chart:
    """One drawn chart: its name, what it shows in words (the image's alt text) and the SVG."""

    name: str
    alt: str
    svg: str

    @property
    def data_uri(self) -> str:
        """The SVG as a data: URI for an <img> (allowed by the page's img-src)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def weekday_hours(days: list[dict]) -> dict:
    """Average numbers issued per hour on each weekday with any issuing, over the days of a period.

    Returns ``{"hours": [8, 9, ...], "rows": [{"weekday", "days", "averages": [...]}]}``; an average is
    the numbers issued in that hour summed over the weekday's office days, divided by those days.
    """
    sums: dict[int, dict[int, int]] = {}
    open_days: dict[int, int] = {}
    for day in days:
        if not day["issued"]:
            continue
        weekday = date.fromisoformat(day["date"]).weekday()
        open_days[weekday] = open_days.get(weekday, 0) + 1
        hours = sums.setdefault(weekday, {})
        for row in day["hourly"]:
            hours[row["hour"]] = hours.get(row["hour"], 0) + row["issued"]
    busy = [hour for hours in sums.values() for hour, issued in hours.items() if issued]
    if not busy:
        return {"hours": [], "rows": []}
    hour_range = list(range(min(busy), max(busy) + 1))
    rows = [
        {
            "weekday": WEEKDAYS[weekday],
            "days": open_days[weekday],
            "averages": [round(sums[weekday].get(hour, 0) / open_days[weekday], 1) for hour in hour_range],
        }
        for weekday in sorted(sums)
    ]
    return {"hours": hour_range, "rows": rows}


def page_figures(report: dict, trend_days: list[dict]) -> dict:
    """Return the figures the report page shows: totals, per hour, per service, the trend, weekday hours."""
    totals = report["totals"]
    services = [{**row, "no_show_percent": _share(row["no_show"], row["issued"])} for row in totals["services"]]
    active = [row for row in services if row["issued"] or row["served"] or row["no_show"]]
    week = weekday_hours(report["days"])
    busiest = max(
        (
            (row["weekday"], hour, average)
            for row in week["rows"]
            for hour, average in zip(week["hours"], row["averages"], strict=True)
        ),
        key=lambda item: item[2],
        default=None,
    )
    return {
        "issued": totals["issued"],
        "served": totals["served"],
        "no_show": totals["no_show"],
        "no_show_percent": _share(totals["no_show"], totals["issued"]),
        "office_days": sum(1 for day in report["days"] if day["issued"]),
        "hourly": totals["hourly"],
        "services": services,
        "active_services": active,
        "trend": [
            {"date": day["date"], "issued": day["issued"], "served": day["served"], "no_show": day["no_show"]}
            for day in trend_days
        ],
        "week": week,
        "busiest": busiest,
    }


def _render(chart) -> str:
    svg = chart.render(is_unicode=True)
    return _COMMENT.sub("", _SCRIPT.sub("", svg))


def _config(**options):
    defaults = dict(
        style=_STYLE,
        js=[],
        width=720,
        height=400,
        include_x_axis=True,
        legend_at_bottom=True,
        print_values=False,
        show_y_guides=True,
        show_x_guides=False,
        margin=12,
        spacing=12,
        no_data_text="Belum ada data",
        explicit_size=False,
        truncate_label=-1,
        truncate_legend=-1,
    )
    return {**defaults, **options}


def _value_axis(values: list, steps: int = 6) -> dict:
    """Return pygal options for a value axis from 0 to a round number at or above every value.

    Without them pygal ends the axis at the largest value itself, past its last labelled guide, so the longest
    bar or the highest point runs beyond the scale it is read against.
    """
    present = [value for value in values if value is not None]
    if not present:
        return {}  # no data: pygal writes "Belum ada data"
    top = max(present)
    if top <= 0:
        return {"range": (0, 1), "y_labels": [0, 1]}
    raw = top / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(nice * magnitude for nice in (1, 2, 2.5, 5, 10) if nice * magnitude >= raw)
    if all(isinstance(value, int) for value in present):
        step = max(1, round(step))  # counts: whole-number guides
    count = math.ceil(top / step - 1e-9)
    labels = [round(step * index, 6) for index in range(count + 1)]
    return {"range": (0, labels[-1]), "y_labels": labels}


LABEL_FONT = 15  # _STYLE.label_font_size
PLOT_SHARE = 0.85  # of the chart's width left for the plot after the value axis and margins
LABEL_GAP = 6  # pixels between two labels


def _label_width(label: str) -> float:
    """Estimate a label's width in pixels: DejaVu/Noto Sans digits are ~0.64 em, a dot ~0.32 em."""
    return LABEL_FONT * sum(0.64 if char.isdigit() else 0.32 if char in ".,:" else 0.68 for char in label)


def _category_labels(labels: list[str], width: int) -> dict:
    """Return pygal options that keep category labels ("08.00" ...) from running into each other.

    Each label gets its slot of the plot's width; when the labels are wider than their slots only every
    n-th one is written (a full 24-hour day shows 00.00, 03.00, ...), the bars all stay.
    """
    if not labels:
        return {}
    slot = width * PLOT_SHARE / len(labels)
    needed = max(_label_width(label) for label in labels) + LABEL_GAP
    if needed <= slot:
        return {}
    return {"show_minor_x_labels": False, "x_labels_major_every": math.ceil(needed / slot)}


def _minutes(value) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def hourly_chart(figures: dict) -> Chart:
    labels = [f"{row['hour']:02d}.00" for row in figures["hourly"]]
    values = [value for row in figures["hourly"] for value in (row["issued"], row["served"])]
    chart = pygal.Bar(**_config(y_title="Nomor", x_title="Jam", **_value_axis(values), **_category_labels(labels, 720)))
    chart.x_labels = labels
    chart.add("Diambil", [row["issued"] for row in figures["hourly"]])
    chart.add("Dilayani", [row["served"] for row in figures["hourly"]])
    return Chart(
        "hourly", "Diagram batang: nomor diambil dan dilayani per jam (angkanya di tabel sebelahnya).", _render(chart)
    )


def wait_chart(figures: dict) -> Chart:
    rows = [row for row in figures["active_services"] if row["median_wait_minutes"] is not None][::-1]  # top down
    values = [value for row in rows for value in (row["median_wait_minutes"], row["p90_wait_minutes"])]
    chart = pygal.HorizontalBar(
        **_config(
            x_title="Menit menunggu",
            value_formatter=_minutes,
            height=max(300, 110 + 60 * len(rows)),
            **_value_axis(values),
        )
    )
    chart.x_labels = [row["name"] for row in rows]
    chart.add("Median", [row["median_wait_minutes"] for row in rows])
    chart.add("P90", [row["p90_wait_minutes"] for row in rows])
    return Chart(
        "waits",
        "Diagram batang: median dan P90 lama menunggu per layanan, dalam menit (angkanya di tabel sebelahnya).",
        _render(chart),
    )


def no_show_chart(figures: dict) -> Chart:
    rows = [row for row in figures["active_services"] if row["issued"]][::-1]  # first service on top
    chart = pygal.HorizontalBar(
        **_config(
            x_title="Persen dari nomor diambil",
            show_legend=False,
            value_formatter=_minutes,
            height=max(260, 90 + 50 * len(rows)),
            **_value_axis([row["no_show_percent"] for row in rows]),
        )
    )
    chart.x_labels = [row["name"] for row in rows]
    chart.add("Tidak hadir (%)", [row["no_show_percent"] for row in rows])
    return Chart(
        "no_show",
        "Diagram batang: persentase nomor tidak hadir per layanan (angkanya di tabel sebelahnya).",
        _render(chart),
    )


def trend_chart(figures: dict) -> Chart:
    trend = figures["trend"]
    values = [day[key] for day in trend for key in ("issued", "served", "no_show")]
    chart = pygal.Line(
        **_config(
            y_title="Nomor per hari",
            show_minor_x_labels=False,
            dots_size=3,
            stroke_style={"width": 3},
            height=420,
            **_value_axis(values),
        )
    )
    chart.x_labels = [day["date"][8:] + "/" + day["date"][5:7] for day in trend]
    chart.x_labels_major = chart.x_labels[::7]
    chart.add("Diambil", [day["issued"] for day in trend])
    chart.add("Dilayani", [day["served"] for day in trend])
    chart.add("Tidak hadir", [day["no_show"] for day in trend])
    return Chart(
        "trend",
        f"Diagram garis: nomor diambil, dilayani dan tidak hadir per hari selama "
        f"{len(trend)} hari (angkanya di tabel sebelahnya).",
        _render(chart),
    )


def weekday_chart(figures: dict) -> Chart:
    week = figures["week"]
    labels = [f"{hour:02d}.00" for hour in week["hours"]]
    values = [value for row in week["rows"] for value in row["averages"]]
    chart = pygal.Line(
        **_config(
            y_title="Rata-rata nomor diambil",
            x_title="Jam",
            dots_size=4,
            width=1300,
            height=380,
            stroke_style={"width": 3},
            **_value_axis(values),
            **_category_labels(labels, 1300),
        )
    )
    chart.x_labels = labels
    for row in week["rows"]:
        chart.add(row["weekday"], row["averages"])
    return Chart(
        "weekday",
        "Diagram garis: rata-rata nomor diambil per jam untuk setiap hari kerja (angkanya di tabel sebelahnya).",
        _render(chart),
    )


def page_charts(figures: dict) -> dict[str, Chart]:
    """Draw every chart of the report page, by name."""
    charts = (
        hourly_chart(figures),
        wait_chart(figures),
        no_show_chart(figures),
        trend_chart(figures),
        weekday_chart(figures),
    )
    return {chart.name: chart for chart in charts}
