"""Admin reports: one day or a period, as JSON, CSV and Excel, computed from the ticket event log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, request

from kiosk.domain import reports
from kiosk.domain.errors import BadRequest
from kiosk.files.reports import disruptions_csv, to_csv, to_xlsx
from kiosk.office.disruptions import minutes as disruption_minutes
from kiosk.storage import reports as reports_store
from kiosk.web.auth import staff_required
from kiosk.web.common import runtime

bp = Blueprint("reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day_arg(name: str, label: str) -> date:
    value = reports.parse_day(request.args.get(name))
    if value is None:
        raise BadRequest(f"Parameter '{name}' ({label}) harus berupa tanggal dengan format YYYY-MM-DD.")
    return value


def _facts_and_catalog(first: date, last: date) -> tuple[reports.Facts, reports.Catalog]:
    rt = runtime()
    settings = rt.settings
    catalog = reports.Catalog(
        office=settings.office.name,
        services=tuple((service.code, service.name) for service in settings.services),
        counters=tuple((counter.id, counter.name) for counter in settings.counters),
        staff=reports_store.staff_names(rt.db),
    )
    return reports_store.report_facts(rt.db, first.isoformat(), last.isoformat()), catalog


def _daily() -> dict:
    day = _day_arg("date", "tanggal")
    facts, catalog = _facts_and_catalog(day, day)
    return reports.daily_report(facts, day, catalog)


def check_period(first: date, last: date) -> None:
    """Raise a 400 for a period that ends before it starts or is longer than the longest report."""
    if first > last:
        raise BadRequest("Tanggal awal tidak boleh sesudah tanggal akhir.")
    if (last - first).days + 1 > reports.MAX_RANGE_DAYS:
        raise BadRequest(f"Rentang laporan paling panjang {reports.MAX_RANGE_DAYS} hari.")


def range_report(first: date, last: date) -> dict:
    """Return the office's report of a checked period."""
    facts, catalog = _facts_and_catalog(first, last)
    return reports.range_report(facts, first, last, catalog)


def _range() -> dict:
    first, last = _day_arg("from", "tanggal awal"), _day_arg("to", "tanggal akhir")
    check_period(first, last)
    return range_report(first, last)


def _download(body: str | bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/reports/daily")
@staff_required("admin")
def daily():
    """One day's figures per service and per hour (with loket and staff figures)."""
    return jsonify(_daily())


def _excel_id() -> bool:
    """Tell whether ``?dialect=excel-id`` asks for the CSV Excel set to Indonesian opens as columns."""
    dialect = request.args.get("dialect")
    if dialect not in (None, "excel-id"):
        raise BadRequest(
            "Parameter 'dialect' hanya boleh 'excel-id' (untuk Excel berbahasa Indonesia); "
            "tanpa parameter itu CSV memakai koma dan titik desimal."
        )
    return dialect == "excel-id"


def _csv(report: dict, name: str) -> Response:
    excel_id = _excel_id()
    return _download(to_csv(report, excel_id), "text/csv", name if not excel_id else name.replace(".csv", "-excel.csv"))


@bp.get("/api/reports/disruptions.csv")
@staff_required("admin")
def disruptions_as_csv():
    """Disruption minutes per service and reason over a period as CSV (``?dialect=excel-id`` as for the day)."""
    first, last = _day_arg("from", "tanggal awal"), _day_arg("to", "tanggal akhir")
    check_period(first, last)
    excel_id = _excel_id()
    name = f"gangguan-{first.isoformat()}-{last.isoformat()}{'-excel' if excel_id else ''}.csv"
    return _download(disruptions_csv(disruption_minutes(runtime(), first, last), excel_id), "text/csv", name)


@bp.get("/api/reports/daily.csv")
@staff_required("admin")
def daily_csv():
    """One day's service figures as CSV (``?dialect=excel-id``: the form for Excel set to Indonesian)."""
    report = _daily()
    return _csv(report, f"laporan-antrean-{report['date']}.csv")


@bp.get("/api/reports/daily.xlsx")
@staff_required("admin")
def daily_xlsx():
    """One day's figures as an Excel workbook headed by the office and the date."""
    report = _daily()
    day = date.fromisoformat(report["date"])
    return _download(
        to_xlsx({**report, "disruptions": disruption_minutes(runtime(), day, day)}),
        XLSX,
        f"laporan-antrean-{report['date']}.xlsx",
    )


@bp.get("/api/reports/range")
@staff_required("admin")
def period():
    """Every day of a period (at most a year) in the daily shape, plus the period's totals."""
    return jsonify(_range())


@bp.get("/api/reports/range.csv")
@staff_required("admin")
def period_csv():
    """A period's service figures per day, then its totals, as CSV (``?dialect=excel-id`` as for the day)."""
    report = _range()
    return _csv(report, f"laporan-antrean-{report['from']}-{report['to']}.csv")


@bp.get("/api/reports/range.xlsx")
@staff_required("admin")
def period_xlsx():
    """A period's figures as an Excel workbook headed by the office and the period."""
    report = _range()
    minutes = disruption_minutes(runtime(), date.fromisoformat(report["from"]), date.fromisoformat(report["to"]))
    return _download(
        to_xlsx({**report, "disruptions": minutes}), XLSX, f"laporan-antrean-{report['from']}-{report['to']}.xlsx"
    )
