"""Staff sessions: login, logout, and the guard every staff route passes through."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.domain.errors import BadCredentials, BadRequest, CsrfFailed, Forbidden, LoginRequired
from kiosk.domain.passwords import PasswordChecksBusy, password_slot
from kiosk.storage import staff as staff_store
from kiosk.web.common import error_response, json_body, runtime
from kiosk.web.limits import LoginGuard
from kiosk.web.network import staff_route

bp = Blueprint("auth", __name__)

# A hash to compare against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


MAX_USERNAME_LENGTH = 64


def _guard() -> LoginGuard:
    """Return this app's login guard (one per app, so separate offices/tests never share counts)."""
    app = current_app
    guard = app.extensions.get("kiosk_login_guard")
    if guard is None:
        guard = app.extensions.setdefault(
            "kiosk_login_guard",
            LoginGuard(
                per_user=app.config["LOGIN_ATTEMPTS_PER_USER"],
                per_address=app.config["LOGIN_ATTEMPTS_PER_ADDRESS"],
                window=app.config["LOGIN_WINDOW_SECONDS"],
                max_keys=app.config["LOGIN_THROTTLE_MAX_KEYS"],
            ),
        )
    return guard


@bp.post("/api/login")
@staff_route
def login():
    """Check a username and password; answer the CSRF token and set the session cookie."""
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise BadRequest("Isi nama pengguna dan kata sandi.")
    username = username.strip()
    if len(username) > MAX_USERNAME_LENGTH:
        raise BadRequest(f"Nama pengguna paling banyak {MAX_USERNAME_LENGTH} karakter.")
    key, address = username.lower(), request.remote_addr or "-"
    guard = _guard()
    wait = guard.attempt(key, address)
    if wait:
        minutes = math.ceil(wait / 60)
        response = error_response(
            "rate_limited", f"Terlalu banyak percobaan masuk. Coba lagi dalam {minutes} menit.", 429
        )
        response.headers["Retry-After"] = str(wait)
        return response
    staff = staff_store.get_staff(runtime().db, username)
    try:
        with password_slot():
            matches = check_password_hash(staff["password_hash"] if staff else _DUMMY_HASH, password)
    except PasswordChecksBusy:
        return busy_response()
    if not matches or staff is None:
        raise BadCredentials("Nama pengguna atau kata sandi salah.")
    guard.succeeded(key, address)
    session.clear()  # a fresh session: nothing from before the login carries over
    session.permanent = True
    token = secrets.token_urlsafe(32)
    now = _now()
    forget_before = now - int(current_app.permanent_session_lifetime.total_seconds()) - 86400
    staff_store.start_staff_session(runtime().db, _token_hash(token), staff["id"], now, forget_before)
    session.update(sid=token, csrf=secrets.token_urlsafe(24))
    return jsonify({"csrf_token": session["csrf"], "user": _user(staff)})


def busy_response():
    """Answer a password check that found no free slot: 429 rate_limited, try again in a second."""
    response = error_response(
        "rate_limited", "Server sedang memeriksa banyak kata sandi. Silakan coba lagi sebentar lagi.", 429
    )
    response.headers["Retry-After"] = "1"
    return response


@bp.post("/api/logout")
@staff_route
def logout():
    """End the staff session on the server (a copied cookie stops working) and in the browser."""
    token = session.get("sid")
    if isinstance(token, str):
        staff_store.end_staff_session(runtime().db, _token_hash(token), _now(), "logout")
    session.clear()
    return jsonify({"ok": True})


@bp.get("/api/session")
@staff_route
def current_session():
    """Return the logged-in staff member and the CSRF token (pages reload without logging in again)."""
    staff = current_staff()
    if staff is None:
        raise LoginRequired("Silakan masuk terlebih dahulu.")
    return jsonify({"csrf_token": session["csrf"], "user": _user(staff)})


def _user(staff: dict) -> dict:
    return {"id": staff["id"], "username": staff["username"], "role": staff["role"]}


def _token_hash(token: str) -> str:
    """Only a hash of the session token is stored: the database alone cannot resume a session."""
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> int:
    """Return the office clock in whole seconds (the app's clock, so tests can move it)."""
    return int(runtime().now().timestamp())


# A session's idle clock is written at most this often, not on every request.
_TOUCH_SECONDS = 60


def current_staff() -> dict | None:
    """Return the staff member of this request's session, or None (no, ended, idle or expired session)."""
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    db, token_hash, now = runtime().db, _token_hash(token), _now()
    record = staff_store.get_staff_session(db, token_hash)
    if record is None:  # logged out, password changed, account disabled, or unknown
        session.clear()
        return None
    idle = now - record["last_seen_at"]
    if idle > current_app.config["STAFF_IDLE_SECONDS"]:
        return _end(token_hash, now, "idle")
    if now - record["started_at"] > current_app.permanent_session_lifetime.total_seconds():
        return _end(token_hash, now, "expired")
    if idle > _TOUCH_SECONDS:
        staff_store.touch_staff_session(db, token_hash, now)
    return {key: record[key] for key in ("id", "username", "role", "counter_id")}


def work_at(counter_id: int) -> None:
    """Keep the counter this request's staff session works at with the session on the server."""
    if g.staff.get("counter_id") != counter_id:  # write only on a change of counter
        staff_store.set_session_counter(runtime().db, _token_hash(session["sid"]), counter_id)
        g.staff["counter_id"] = counter_id


def _end(token_hash: str, now: int, reason: str) -> None:
    staff_store.end_staff_session(runtime().db, token_hash, now, reason)
    session.clear()


def check_csrf() -> None:
    """Refuse a write that does not carry the session's CSRF token in ``X-CSRF-Token`` (403 csrf_failed)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("X-CSRF-Token", "")
        if not hmac.compare_digest(sent.encode(), session.get("csrf", "").encode()):
            raise CsrfFailed("Sesi tidak valid. Muat ulang halaman lalu coba lagi.")


def staff_required(role: str | None = None) -> Callable:
    """Guard a route: a logged-in staff member, the CSRF header on writes, and the role if given."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                raise LoginRequired("Silakan masuk terlebih dahulu.")
            check_csrf()
            if role and staff["role"] != role and staff["role"] != "admin":
                raise Forbidden("Anda tidak berwenang melakukan ini.")
            g.staff = staff
            return view(*args, **kwargs)

        return staff_route(guarded)  # answered only within [server] staff_addresses

    return decorate


ADMIN_ONLY = "Halaman ini hanya untuk admin. Anda tidak berwenang membukanya."


def admin_page(view: Callable) -> Callable:
    """Guard an admin screen: anonymous visitors go to the login form (and back), counter staff get a 403 page."""

    @wraps(view)
    def guarded(*args, **kwargs):
        staff = current_staff()
        if staff is None:
            return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
        if staff["role"] != "admin":
            return render_template("error.html", status=403, message=ADMIN_ONLY), 403
        return view(*args, **kwargs)

    return staff_route(guarded)  # answered only within [server] staff_addresses
