"""Staff sessions: login, logout, and the guard every staff route passes through."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from functools import wraps
from typing import Callable

from flask import Blueprint, current_app, g, jsonify, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk import store
from kiosk.errors import BadCredentials, BadRequest, CsrfFailed, Forbidden, KioskError, LoginRequired
from kiosk.web import json_body, runtime

bp = Blueprint("auth", __name__)

# A hash to compare against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class _Throttle:
    """Refuse logins for a username after repeated failures (guessing at a shared counter PC)."""

    def __init__(self, limit: int = 5, window: float = 300.0):
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if time.monotonic() - t < self.window]
            self._failures[key] = recent
            return len(recent) >= self.limit

    def fail(self, key: str) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(time.monotonic())

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def _throttle() -> _Throttle:
    """Return this app's login throttle (one per app, so separate offices/tests never share counts)."""
    return current_app.extensions.setdefault("kiosk_login_throttle", _Throttle())


@bp.post("/api/login")
def login():
    """Check a username and password; answer the CSRF token and set the session cookie."""
    body = json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise BadRequest("Isi nama pengguna dan kata sandi.")
    key = username.strip().lower()
    throttle = _throttle()
    if throttle.blocked(key):
        raise KioskError("Terlalu banyak percobaan masuk. Coba lagi dalam 5 menit.", "rate_limited", 429)
    staff = store.get_staff(runtime().db, username.strip())
    if not check_password_hash(staff["password_hash"] if staff else _DUMMY_HASH, password) or staff is None:
        throttle.fail(key)
        raise BadCredentials("Nama pengguna atau kata sandi salah.")
    throttle.clear(key)
    session.clear()
    session.permanent = True
    session.update(staff_id=staff["id"], role=staff["role"], csrf=secrets.token_urlsafe(24), seen=int(time.time()))
    return jsonify({"csrf_token": session["csrf"], "user": _user(staff)})


@bp.post("/api/logout")
def logout():
    """End the staff session."""
    session.clear()
    return jsonify({"ok": True})


@bp.get("/api/session")
def current_session():
    """Return the logged-in staff member and the CSRF token (pages reload without logging in again)."""
    staff = current_staff()
    if staff is None:
        raise LoginRequired("Silakan masuk terlebih dahulu.")
    return jsonify({"csrf_token": session["csrf"], "user": _user(staff)})


def _user(staff: dict) -> dict:
    return {"id": staff["id"], "username": staff["username"], "role": staff["role"]}


def current_staff() -> dict | None:
    staff_id = session.get("staff_id")
    if staff_id is None:
        return None
    now = int(time.time())
    if now - session.get("seen", 0) > current_app.config["STAFF_IDLE_SECONDS"]:
        session.clear()
        return None
    if now - session.get("seen", 0) > 60:  # refresh the idle clock without re-signing every request
        session["seen"] = now
    staff = store.get_staff_by_id(runtime().db, staff_id)
    if staff is None:
        session.clear()
    return staff


def staff_required(role: str | None = None) -> Callable:
    """Guard a route: a logged-in staff member, the CSRF header on writes, and the role if given."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                raise LoginRequired("Silakan masuk terlebih dahulu.")
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                sent = request.headers.get("X-CSRF-Token", "")
                if not hmac.compare_digest(sent.encode(), session.get("csrf", "").encode()):
                    raise CsrfFailed("Sesi tidak valid. Muat ulang halaman lalu coba lagi.")
            if role and staff["role"] != role and staff["role"] != "admin":
                raise Forbidden("Anda tidak berwenang melakukan ini.")
            g.staff = staff
            return view(*args, **kwargs)

        return guarded

    return decorate
