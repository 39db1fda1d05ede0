"""Settings from a screen: read and change the office's settings live (admin), and the version pages watch."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from kiosk import settings_screen
from kiosk.settings_screen import InvalidSetting
from kiosk.web import json_body, runtime
from kiosk.web.auth import staff_required

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
