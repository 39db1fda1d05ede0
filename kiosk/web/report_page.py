"""The report page for the head of office (/admin/reports): charts drawn on the server, tables, A4 print."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request

from kiosk.domain import reports
from kiosk.domain.errors import BadRequest
from kiosk.files import charts as report_charts
from kiosk.files.reports import long_date, period_text
from kiosk.office.disruptions import minutes as disruption_minutes
from kiosk.web.auth import admin_page
from kiosk.web.common import runtime
from kiosk.web.reports import check_period, range_report

bp = Blueprint("report_page", __name__)


def _period(today: date) -> tuple[date, date]:
    """Read ?from= and ?to= (each optional: the 30 days up to today, or up to ``to``); raise a 400 when bad."""
    values = []
    for name, label in (("from", "tanggal awal"), ("to", "tanggal akhir")):
        text = request.args.get(name, "")
        value = reports.parse_day(text) if text else None
        if text and value is None:
            raise BadRequest(f"{label.capitalize()} harus berupa tanggal dengan format YYYY-MM-DD.")
        values.append(value)
    first, last = values
    last = last or (max(today, first) if first else today)
    first = first or last - timedelta(days=report_charts.TREND_DAYS - 1)
    check_period(first, last)
    return first, last


def _trend_days(report: dict, last: date) -> list[dict]:
    """The 30 days up to the period's end: from the report itself when it holds them."""
    if len(report["days"]) >= report_charts.TREND_DAYS:
        return report["days"][-report_charts.TREND_DAYS :]
    return range_report(last - timedelta(days=report_charts.TREND_DAYS - 1), last)["days"]


def minutes(value) -> str:
    """Minutes with a decimal comma (12,5), or a dash when there is no figure."""
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def number(value) -> str:
    """A whole number with a dot between thousands (12.345), as the office writes it."""
    return f"{value:,}".replace(",", ".")


@bp.get("/admin/reports")
@admin_page
def page():
    """The report of a period; anonymous visitors go to the login form, counter staff get a 403 page."""
    rt = runtime()
    today = date.fromisoformat(rt.today())
    context = {
        "office": rt.settings.office,
        "minutes": minutes,
        "number": number,
        "generated": f"{long_date(rt.today())} pukul {rt.now():%H.%M}",
    }
    try:
        first, last = _period(today)
    except BadRequest as problem:
        return render_template(
            "admin/reports.html",
            problem=problem.message,
            form={"from": request.args.get("from", ""), "to": request.args.get("to", "")},
            **context,
        ), 400
    report = range_report(first, last)
    figures = report_charts.page_figures(report, _trend_days(report, last))
    return render_template(
        "admin/reports.html",
        report=report,
        figures=figures,
        charts=report_charts.page_charts(figures),
        period=period_text(report["from"], report["to"]),
        form={"from": report["from"], "to": report["to"]},
        trend_period=period_text(figures["trend"][0]["date"], figures["trend"][-1]["date"]),
        disruptions=disruption_minutes(rt, first, last),
        **context,
    )
