"""Who may ask what, by network: staff routes only from ``[server] staff_addresses``; only known Host names.

A staff route is a view that ``staff_required`` guards, or one marked ``@staff_route`` (the login form
and API, the pages that check the session themselves). Outside ``staff_addresses`` (when it is set)
those answer 403 ``staff_network_only``: the residents' Wi-Fi never reaches a password prompt.

A request whose ``Host`` is not ``[office] public_url``'s host, localhost (127.0.0.1, ::1) or a name in
``[server] trusted_hosts`` answers 400 ``bad_host``: a web page on another site whose name was pointed
at this server (DNS rebinding) cannot read its answers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, render_template, request

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
STAFF_NETWORK_ONLY = (
    "Halaman dan layanan petugas hanya dapat dibuka dari komputer petugas di jaringan kantor. "
    "Hubungi admin bila komputer ini seharusnya diizinkan."
)
BAD_HOST = "Alamat server ini tidak dikenal. Buka aplikasi melalui alamat resmi kantor."


def staff_route(view: Callable) -> Callable:
    """Mark a view as a staff route (``staff_required`` marks the views it guards)."""
    view.staff_route = True
    return view


# Pages under these paths are staff pages whether or not their view is marked, so a new admin screen
# cannot be left open to the residents' network by a forgotten decorator.
STAFF_PAGE_PREFIXES = ("/admin", "/counter", "/login")


def is_staff_route(app: Flask, endpoint: str | None, path: str = "") -> bool:
    """Tell whether ``endpoint`` of ``app`` (requested at ``path``) is a staff route."""
    view = app.view_functions.get(endpoint or "")
    if getattr(view, "staff_route", False):
        return True
    return any(path == prefix or path.startswith(prefix + "/") for prefix in STAFF_PAGE_PREFIXES)


def host_name(host: str) -> str:
    """Return the name of a Host header without its port, lower case: "[::1]:8080" -> "::1"."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    if host.count(":") == 1:  # name:port (a bare IPv6 address has more colons)
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def register(app: Flask) -> None:
    """Check the Host of every request and the address of every staff request."""
    from kiosk.web.common import error_response

    runtime = app.extensions["kiosk"]
    # Worked out again when the settings change (the settings screen may change public_url).
    derived: dict[str, object] = {"settings": None}

    def current() -> tuple[set[str], list]:
        settings = runtime.settings
        if derived["settings"] is not settings:
            allowed = set(LOCAL_HOSTS) | set(settings.server.trusted_hosts)
            public = urlsplit(settings.office.public_url).hostname
            if public:
                allowed.add(public.lower())
            networks = [ipaddress.ip_network(entry) for entry in settings.server.staff_addresses]
            derived.update(settings=settings, allowed=allowed, networks=networks)
        return derived["allowed"], derived["networks"]  # type: ignore[return-value]

    def refuse(code: str, message: str, status: int):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return error_response(code, message, status)
        return render_template("error.html", status=status, message=message), status

    def from_staff_network(staff_networks: list) -> bool:
        try:
            address = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in staff_networks)

    @app.before_request
    def check_network():
        allowed, staff_networks = current()
        host = request.environ.get("HTTP_HOST")
        if host is not None and host_name(host) not in allowed:
            return refuse("bad_host", BAD_HOST, 400)
        if (
            staff_networks
            and is_staff_route(app, request.endpoint, request.path)
            and not from_staff_network(staff_networks)
        ):
            return refuse("staff_network_only", STAFF_NETWORK_ONLY, 403)
        return None
