"""Kiosk Antrean KTP-el: queue kiosk, ticket printer, waiting-room display and counter screens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask

from kiosk.version import __version__  # noqa: F401


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, database, blueprints and the office runtime (no threads started).

    ``test_config`` may hold ``config_path``, ``overrides`` (dotted TOML keys),
    ``settings`` (a ready Settings), ``clock`` (a callable returning an aware
    datetime) and any Flask setting.
    """
    from kiosk.domain.settings import load_settings
    from kiosk.office.runtime import Runtime
    from kiosk.paths import STATIC_DIR, TEMPLATES_DIR
    from kiosk.web import register

    test_config = dict(test_config or {})
    settings = test_config.pop("settings", None) or load_settings(
        test_config.pop("config_path", None), test_config.pop("overrides", None)
    )
    clock: Callable[[], datetime] | None = test_config.pop("clock", None)

    app = Flask(__name__, template_folder=str(TEMPLATES_DIR), static_folder=str(STATIC_DIR))
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="kiosk_session",
        PERMANENT_SESSION_LIFETIME=10 * 3600,
        STAFF_IDLE_SECONDS=2 * 3600,
        LOGIN_ATTEMPTS_PER_USER=5,  # per (username, client address) in LOGIN_WINDOW_SECONDS
        LOGIN_ATTEMPTS_PER_ADDRESS=20,  # per client address, whatever the username
        LOGIN_WINDOW_SECONDS=300,
        LOGIN_THROTTLE_MAX_KEYS=4096,
        SSE_HEARTBEAT_SECONDS=15.0,
    )
    app.config.update(test_config)
    app.json.sort_keys = False  # keep the contract's field order in answers
    # Data written into pages (`tojson`, read by their scripts) compact and in UTF-8: the kiosk page carries
    # both languages' words, and every byte of it counts against its 200 KB (SPEC "Performance").
    app.jinja_env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False}
    runtime = Runtime.open(settings, clock)
    app.secret_key = runtime.secret_key()
    app.extensions["kiosk"] = runtime
    register(app)
    return app
