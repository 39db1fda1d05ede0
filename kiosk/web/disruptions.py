"""Disruption mode API: staff suspend a service (or all) with a reason and end it; anyone sees the active ones."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from kiosk.domain import disruptions as rules
from kiosk.office import disruptions as office
from kiosk.web.auth import staff_required
from kiosk.web.common import json_body, runtime
from kiosk.web.reports import _day_arg, check_period

bp = Blueprint("disruptions", __name__)


@bp.app_errorhandler(rules.ServiceSuspended)
def suspended(error: rules.ServiceSuspended):
    """Answer 409 service_suspended with the disruption and the services offered instead."""
    return jsonify(
        {
            "error": {
                "code": error.code,
                "message": error.message,
                "alternatives": error.alternatives,
                "disruption": error.disruption,
            }
        }
    ), error.status


@bp.get("/api/disruptions")
def active():
    """List the disruptions going on now (public fields)."""
    return jsonify({"disruptions": office.active_json(runtime())})


@bp.post("/api/disruptions")
@staff_required("counter")
def start():
    """Suspend one service, or all when "service" is null, with a reason, a note and an expected end."""
    return jsonify({"disruption": office.start(runtime(), json_body(), g.staff)}), 201


@bp.post("/api/disruptions/<id:disruption_id>/end")
@staff_required("counter")
def end(disruption_id: int):
    """End a disruption now."""
    return jsonify({"disruption": office.end(runtime(), disruption_id, g.staff)})


@bp.get("/api/reports/disruptions")
@staff_required("admin")
def report():
    """Disruption minutes per service and reason over a period of office days (a still active one up to now)."""
    first, last = _day_arg("from", "tanggal awal"), _day_arg("to", "tanggal akhir")
    check_period(first, last)
    rows = [
        {key: value for key, value in row.items() if key != "name"} for row in office.minutes(runtime(), first, last)
    ]
    return jsonify({"from": first.isoformat(), "to": last.isoformat(), "services": rows})


@bp.get("/api/disruptions/waiting")
@staff_required("counter")
def waiting():
    """List the waiting tickets of every service a disruption covers now, for staff to keep, move or rebook."""
    from kiosk.office.views import staff_ticket_json
    from kiosk.storage import tickets as tickets_store

    rt = runtime()
    codes = tuple(office.suspensions(rt))
    rows = tickets_store.waiting_list(rt.db, rt.today(), codes) if codes else []
    return jsonify({"services": list(codes), "tickets": [staff_ticket_json(rt, row) for row in rows]})
