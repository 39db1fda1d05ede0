"""The head of office's page (/admin) and its JSON: today's figures and staff accounts.

Staff accounts change through the same store functions and password policy (kiosk/domain/passwords.py) as
``kiosk user ...``.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, g, jsonify, render_template
from werkzeug.security import generate_password_hash

from kiosk.domain.errors import BadRequest, NotFound, RateLimited
from kiosk.domain.passwords import PasswordChecksBusy, password_slot
from kiosk.office import staff
from kiosk.office.views import services_json
from kiosk.storage import staff as staff_store
from kiosk.storage import tickets as store
from kiosk.web.admin_api import service_answer
from kiosk.web.auth import admin_page, staff_required
from kiosk.web.common import json_body, runtime

bp = Blueprint("admin", __name__)

ROLES = staff.ROLES


@bp.get("/admin")
@admin_page
def page():
    """The admin page; anonymous visitors go to the login form, counter staff get a 403 page."""
    return render_template(
        "admin/index.html",
        office=runtime().settings.office,
        heartbeat_seconds=current_app.config["SSE_HEARTBEAT_SECONDS"],
    )


@bp.get("/admin/settings")
@admin_page
def settings_page():
    """The settings screen (office, services and lokets, printer, kiosk); same guard as /admin."""
    return render_template("admin/settings.html", office=runtime().settings.office)


# ---------------------------------------------------------------- today


@bp.get("/api/admin/today")
@staff_required("admin")
def today():
    """Today's figures and rules per service, each loket's ticket and staff member, printer, voice, print queue,
    and the automatic backup's latest outcome."""
    rt = runtime()
    day = rt.today()
    issued = store.issued_counts(rt.db, day)
    waiting = store.waiting_counts(rt.db, day)
    by_status = store.status_counts(rt.db, day)
    services = []
    for service in services_json(rt):
        today_rules = service_answer(service["code"])  # the PATCH /api/services answer: quota and override
        services.append(
            {
                "code": service["code"],
                "name": service["name"],
                "open": service["open"],
                "message": service["message"],
                "issued": issued.get(service["code"], 0),
                "waiting": waiting.get(service["code"], 0),
                "served": by_status.get(service["code"], {}).get("done", 0),
                "no_show": by_status.get(service["code"], {}).get("no_show", 0),
                "daily_quota": today_rules["daily_quota"],
                "override": today_rules["override"],
            }
        )
    names = {account["id"]: account["username"] for account in staff_store.list_staff(rt.db)}
    current = store.current_tickets(rt.db, day)
    counters = []
    for counter in rt.settings.counters:
        ticket = current.get(counter.id)
        counters.append(
            {
                "id": counter.id,
                "name": counter.name,
                "ticket": {"number": ticket["number"], "status": ticket["status"]} if ticket else None,
                "staff": names.get(ticket["staff_id"]) if ticket else None,
            }
        )
    return jsonify(
        {
            "date": day,
            "services": services,
            "counters": counters,
            "printer": rt.printer_state(),
            "speech": rt.speech.engine if rt.speech else "browser",
            "pending_print_jobs": store.pending_print_jobs(rt.db),
            "backup": rt.backup_outcome(),
            "regency": rt.regency_status(),
        }
    )


# ---------------------------------------------------------------- staff accounts


def _account(staff_id: int) -> dict:
    for account in staff_store.list_staff(runtime().db):
        if account["id"] == staff_id:
            return account
    raise NotFound("Akun petugas tidak ditemukan.", code="unknown_staff")


def _not_self(account: dict, what: str) -> None:
    if account["id"] == g.staff["id"]:
        raise BadRequest(f"Anda tidak dapat {what} akun Anda sendiri.", code="own_account")


def _password(body: dict, username: str) -> str:
    password = body.get("password")
    if not isinstance(password, str) or not password:
        raise BadRequest("Isi kata sandi (field 'password').")
    return staff.check_password(username, password)


def _hash(password: str) -> str:
    """Hash a new password in one of the few password slots (each hash takes tens of MB)."""
    try:
        with password_slot():
            return generate_password_hash(password)
    except PasswordChecksBusy:
        raise RateLimited("Server sedang memeriksa banyak kata sandi. Silakan coba lagi sebentar lagi.", 1) from None


def _role(body: dict) -> str:
    return staff.check_role(body.get("role"))


def _seconds() -> int:
    return int(runtime().now().timestamp())


def _staff_json(account: dict) -> dict:
    return {
        "id": account["id"],
        "username": account["username"],
        "role": account["role"],
        "active": bool(account["active"]),
        "sessions": account["sessions"],
        "created_at": account["created_at"],
    }


@bp.get("/api/admin/staff")
@staff_required("admin")
def staff_list():
    """Every staff account with its role, whether enabled, and open sessions."""
    return jsonify(
        {"staff": [_staff_json(account) for account in staff_store.list_staff(runtime().db)], "me": g.staff["id"]}
    )


@bp.post("/api/admin/staff")
@staff_required("admin")
def staff_add():
    """Create a staff account (the password policy of `kiosk user add`)."""
    body = json_body()
    username = body.get("username")
    username = staff.check_username(username.strip() if isinstance(username, str) else username)
    role = _role(body)
    password = _password(body, username)
    rt = runtime()
    created = staff.add_account(rt.db, username, password, role, rt.now(), by=g.staff["username"], hash_password=_hash)
    return jsonify({"staff": _staff_json(_account(created["id"]))}), 201


@bp.post("/api/admin/staff/<id:staff_id>/disable")
@staff_required("admin")
def staff_disable(staff_id: int):
    """Disable an account (not one's own): no more logins, its sessions end at once."""
    account = _account(staff_id)
    _not_self(account, "menonaktifkan")
    ended = staff_store.disable_staff(runtime().db, account["username"], _seconds(), by=g.staff["username"])
    return jsonify({"staff": _staff_json(_account(staff_id)), "ended_sessions": ended})


@bp.post("/api/admin/staff/<id:staff_id>/enable")
@staff_required("admin")
def staff_enable(staff_id: int):
    """Let a disabled account log in again."""
    account = _account(staff_id)
    staff_store.enable_staff(runtime().db, account["username"], _seconds(), by=g.staff["username"])
    return jsonify({"staff": _staff_json(_account(staff_id)), "ended_sessions": 0})


@bp.post("/api/admin/staff/<id:staff_id>/password")
@staff_required("admin")
def staff_password(staff_id: int):
    """Set a new password for an account and end its sessions."""
    account = _account(staff_id)
    password = _password(json_body(), account["username"])
    ended = staff_store.set_staff_password(runtime().db, account["username"], _hash(password), _seconds())
    return jsonify({"staff": _staff_json(_account(staff_id)), "ended_sessions": ended})


@bp.post("/api/admin/staff/<id:staff_id>/role")
@staff_required("admin")
def staff_role(staff_id: int):
    """Change an account's role (not one's own) and end its sessions."""
    role = _role(json_body())
    account = _account(staff_id)
    _not_self(account, "mengubah peran")
    ended = staff_store.set_staff_role(runtime().db, account["username"], role, _seconds(), by=g.staff["username"])
    return jsonify({"staff": _staff_json(_account(staff_id)), "ended_sessions": ended})


@bp.get("/api/admin/staff-changes")
@staff_required("admin")
def staff_changes():
    """Who created, disabled, enabled or changed the role of which account, and when (newest first)."""
    zone = runtime().settings.office.timezone
    return jsonify(
        {
            "changes": [
                {**change, "at": datetime.fromtimestamp(change["at"], zone).isoformat()}
                for change in staff_store.staff_changes(runtime().db)
            ]
        }
    )


@bp.post("/api/admin/staff/<id:staff_id>/end-sessions")
@staff_required("admin")
def staff_end_sessions(staff_id: int):
    """End every open session of an account (not one's own: use Keluar)."""
    account = _account(staff_id)
    _not_self(account, "mengakhiri sesi")
    ended = staff_store.end_staff_sessions(runtime().db, account["username"], _seconds())
    return jsonify({"staff": _staff_json(_account(staff_id)), "ended_sessions": ended})
