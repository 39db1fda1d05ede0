"""Settings from a screen: read and change the office's settings live (admin), and the version pages watch."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from kiosk.domain.errors import KioskError, NotFound
from kiosk.office import settings as settings_screen
from kiosk.office.settings import InvalidSetting
from kiosk.storage import settings as settings_store
from kiosk.web.auth import staff_required
from kiosk.web.common import json_body, runtime

bp = Blueprint("settings_api", __name__)


@bp.app_context_processor
def settings_version_for_pages() -> dict:
    """Pages render the settings version they show, so settings-watch.js notices the next change."""
    return {"settings_version": runtime().settings_version}


@bp.errorhandler(InvalidSetting)
def invalid_setting(error: InvalidSetting):
    return jsonify({"error": {"code": error.code, "message": error.message, "key": error.key}}), error.status


@bp.get("/api/admin/settings")
@staff_required("admin")
def get_settings():
    """The office's settings as the configuration file's tables office, services, counters, printer, kiosk."""
    return jsonify(settings_screen.document(runtime().settings))


@bp.patch("/api/admin/settings")
@staff_required("admin")
def patch_settings():
    """Change settings live with a partial document; kept in the database over the file, with who and when."""
    rt = runtime()
    patch = json_body()
    if patch:
        settings_screen.change(rt, patch, g.staff["username"])
    return jsonify(settings_screen.document(rt.settings))


@bp.get("/api/admin/settings/changes")
@staff_required("admin")
def settings_changes():
    """Who changed the settings when, and what they sent, newest first."""
    rt = runtime()
    return jsonify({"version": rt.settings_version, "changes": settings_screen.history(rt)})


@bp.get("/api/settings/version")
def settings_version():
    """The settings change in force (0: the file's): open pages reload when it moves."""
    return jsonify({"version": runtime().settings_version})


def _test_print_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "status": row["status"],
        "requested_at": row["requested_at"],
        "requested_by": row["requested_by"],
        "finished_at": row["finished_at"],
        "error": row["last_error"],
    }


@bp.post("/api/admin/printer/test")
@staff_required("admin")
def queue_test_print():
    """Queue a test page through the print worker (after any waiting tickets); poll GET .../<id> for the result."""
    rt = runtime()
    if rt.settings.printer.type == "none" or rt.printing is None:
        raise KioskError('Tidak ada printer yang diatur (printer.type = "none").', code="no_printer", status=409)
    row = settings_screen.queue_test_print(rt, g.staff["username"])
    return jsonify({"test_print": _test_print_json(row), "printer": rt.printer_state()}), 202


@bp.get("/api/admin/printer/test/<id:test_id>")
@staff_required("admin")
def test_print_result(test_id: int):
    """A test page's result: pending, printed or failed (with the reason), and the printer's state."""
    rt = runtime()
    row = settings_store.get_test_print(rt.db, test_id)
    if row is None:
        raise NotFound("Cetak uji tidak ditemukan.", code="unknown_test_print")
    return jsonify({"test_print": _test_print_json(row), "printer": rt.printer_state()})
