"""Backups screen (/admin/backups) and its JSON: the copies with sizes, the latest outcome, "back up now",
download, the automatic schedule, and how to restore (a restore stays a command: `kiosk restore`)."""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path

from flask import Blueprint, jsonify, render_template, send_file

from kiosk.domain.errors import KioskError, NotFound
from kiosk.storage.backup import AUTOMATIC_NAME, BackupError, automatic_copies
from kiosk.web.auth import admin_page, staff_required
from kiosk.web.common import runtime

bp = Blueprint("backups", __name__)


def _copy_json(path: Path, zone) -> dict:
    stat = path.stat()
    return {
        "file": path.name,
        "size": stat.st_size,
        "taken_at": datetime.fromtimestamp(stat.st_mtime, zone).isoformat(timespec="seconds"),
        "outcome": "ok",
    }


def _restore_command(folder: str, name: str) -> str:
    rt = runtime()
    config = ["--config", str(rt.settings.source)] if rt.settings.source else []
    return shlex.join(["kiosk", *config, "restore", str(Path(folder) / name)])


@bp.get("/admin/backups")
@admin_page
def page():
    """The backups screen; anonymous visitors go to the login form, counter staff get a 403 page."""
    return render_template("admin/backups.html", office=runtime().settings.office)


@bp.get("/api/admin/backups")
@staff_required("admin")
def backups():
    """The schedule, the latest outcome and every automatic copy (newest first) with its size and restore command."""
    rt = runtime()
    backup = rt.settings.backup
    copies = (
        []
        if rt.backups is None
        else [_copy_json(path, rt.settings.office.timezone) for path in reversed(automatic_copies(rt.backups.folder))]
    )
    for copy in copies:
        copy["restore"] = _restore_command(backup.dir, copy["file"])
    return jsonify(
        {
            "schedule": {
                "enabled": rt.backups is not None,
                "dir": backup.dir,
                "keep": backup.keep,
                "time": backup.time,
            },
            "latest": rt.backup_outcome(),
            "backups": copies,
            "database": str(rt.settings.database_path),
        }
    )


def _folder():
    rt = runtime()
    if rt.backups is None:
        raise KioskError(
            "Cadangan otomatis belum diatur: isi [backup] dir (folder di disk lain) di berkas "
            "konfigurasi lalu nyalakan ulang server.",
            code="backup_off",
            status=409,
        )
    return rt, rt.backups


@bp.post("/api/admin/backups")
@staff_required("admin")
def back_up_now():
    """Take a copy now into the backup folder (kept and pruned like the daily copies)."""
    rt, automatic = _folder()
    try:
        target = automatic.run_now(rt.db, rt.now())
    except BackupError as error:
        raise KioskError(f"Pencadangan gagal: {error.message}", code="backup_failed", status=503) from None
    copy = _copy_json(target, rt.settings.office.timezone)
    copy["restore"] = _restore_command(rt.settings.backup.dir, copy["file"])
    return jsonify({"backup": copy, "latest": rt.backup_outcome()}), 201


@bp.get("/api/admin/backups/<name>")
@staff_required("admin")
def download(name: str):
    """Download one automatic copy (a SQLite file; it holds staff accounts and resident records: keep it safe)."""
    rt, automatic = _folder()
    if not AUTOMATIC_NAME.match(name):
        raise NotFound("Salinan cadangan tidak ditemukan.", code="unknown_backup")
    path = next((copy for copy in automatic_copies(automatic.folder) if copy.name == name), None)
    if path is None:
        raise NotFound("Salinan cadangan tidak ditemukan.", code="unknown_backup")
    return send_file(
        path.resolve(), mimetype="application/vnd.sqlite3", as_attachment=True, download_name=name, max_age=0
    )
