"""HTML screens: kiosk, waiting-room display, counter, staff login, the resident's phone page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from kiosk.web import runtime
from kiosk.web.auth import current_staff

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """Send visitors to the kiosk screen."""
    return redirect(url_for("pages.kiosk"))


@bp.get("/kiosk")
def kiosk():
    """The resident's touchscreen."""
    rt = runtime()
    return render_template("kiosk/index.html", office=rt.settings.office, queue=rt.settings.queue)


@bp.get("/display")
def display():
    """The waiting-room TV."""
    rt = runtime()
    return render_template("display/index.html", office=rt.settings.office)


@bp.get("/login")
def login():
    """The staff login form."""
    return render_template("counter/login.html", office=runtime().settings.office)


@bp.get("/counter")
def counter():
    """The counter screen; without a staff session, the login page."""
    rt = runtime()
    if current_staff() is None:
        return redirect(url_for("pages.login", next="/counter"))
    return render_template("counter/index.html", office=rt.settings.office, settings=rt.settings)


@bp.get("/t/<token>")
def track(token: str):
    """The resident's phone page for one ticket."""
    return render_template("phone/index.html", office=runtime().settings.office, token=token)
