"""waitress, set up for the office: live streams below the thread count, departed and slow clients cut off."""

from __future__ import annotations

import time
from typing import Any

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer

from kiosk.settings import Server
from kiosk.status_import import MAX_IMPORT_BYTES

# A request (headers and body) must arrive within this many seconds of its first byte. On the office
# LAN a request takes milliseconds; a client trickling its headers byte by byte would otherwise hold a
# connection for as long as it likes, and a few hundred of them fill ``connection_limit``.
REQUEST_TIMEOUT_SECONDS = 5.0
# The largest body any route takes is a SIAK upload: its limit plus the multipart envelope. waitress's
# default (1 GB) spooled a 400 MB anonymous body to the temporary folder before the app could refuse it.
MAX_REQUEST_BODY_BYTES = MAX_IMPORT_BYTES + 64 * 1024


def waitress_options(server: Server, **overrides: Any) -> dict[str, Any]:
    """Return the keyword arguments for ``waitress.create_server`` from the ``[server]`` settings."""
    options: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "threads": server.threads,
        "connection_limit": server.connection_limit,
        "max_request_body_size": MAX_REQUEST_BODY_BYTES,
        "ident": "kiosk",
        "clear_untrusted_proxy_headers": True,
        # Keep reading while a stream runs, so a closed client is seen (waitress.client_disconnected)
        # and its stream ends within a second instead of at the next failed write.
        "channel_request_lookahead": 1,
        "channel_timeout": 30,  # an idle keep-alive connection (no request under way) is closed after this
        "cleanup_interval": 2,  # how often idle and too-slow connections are looked for
    }
    options.update(overrides)
    return options


class _TimedRequestParser(HTTPRequestParser):
    """waitress's request parser, remembering when the request's first byte arrived."""

    def __init__(self, adj) -> None:
        super().__init__(adj)
        self.started = time.monotonic()


class _OfficeChannel(HTTPChannel):
    parser_class = _TimedRequestParser


def create_office_server(app, server: Server, request_timeout: float = REQUEST_TIMEOUT_SECONDS, **overrides: Any):
    """Create (and bind) the waitress server; connections still sending a request after ``request_timeout`` s close."""
    created = create_server(app, **waitress_options(server, **overrides))
    listeners = [created] if isinstance(created, BaseWSGIServer) else [
        s for s in created.map.values() if isinstance(s, BaseWSGIServer)]
    for listener in listeners:
        _cut_slow_requests(listener, request_timeout)
    return created


def _cut_slow_requests(listener: BaseWSGIServer, request_timeout: float) -> None:
    listener.channel_class = _OfficeChannel
    idle_check = listener.maintenance

    def maintenance(now: float) -> None:
        idle_check(now)  # waitress's own: connections idle for channel_timeout
        cutoff = time.monotonic() - request_timeout
        for channel in list(listener.active_channels.values()):
            request = channel.request  # a request still arriving (a finished one is in channel.requests)
            if request is not None and not request.completed and getattr(request, "started", cutoff) < cutoff:
                channel.will_close = True  # closed by the loop at its next turn

    listener.maintenance = maintenance
