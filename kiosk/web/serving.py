"""waitress, set up for the office: live streams below the thread count, departed, slow and idle clients cut off.

One device on the office Wi-Fi must not be able to fill waitress's ``connection_limit``: a new
connection has ``[server] first_request_seconds`` to send one complete request (counted from the
moment it was accepted), and one client address holds at most ``[server] max_connections_per_client``
connections (those beyond are closed as soon as they are accepted). Keep-alive between requests and
live event streams are left alone: they completed a request.
"""

from __future__ import annotations

import time
from typing import Any

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer

from kiosk.domain.settings import Server
from kiosk.files.siak import MAX_IMPORT_BYTES

# A request (headers and body) must arrive within this many seconds of its first byte. On the office
# LAN a request takes milliseconds; a client trickling its headers byte by byte would otherwise hold a
# connection for as long as it likes, and a few hundred of them fill ``connection_limit``.
REQUEST_TIMEOUT_SECONDS = 5.0
ACCEPT_BATCH = 32  # connections accepted per turn of the loop at most
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


# Answered as a live stream: only while one runs does the channel read ahead (``channel_request_lookahead``).
STREAM_PATHS = frozenset({"/api/events"})


class _OfficeChannel(HTTPChannel):
    parser_class = _TimedRequestParser
    answered = False  # True once a complete request reached a worker thread

    def service(self):
        self.answered = True
        return super().service()

    def readable(self):
        # Reading ahead lets a stream see its client leave; for any other request it only costs the loop a turn
        # per request (measured: ~0.4 ms of CPU per ticket issued). So other requests read as with no lookahead.
        requests = self.requests
        if requests and getattr(requests[0], "path", None) not in STREAM_PATHS:
            return False
        return super().readable()

    def __init__(self, server, sock, addr, adj, map=None):
        self.client = _client_of(addr)  # before add_channel, which the dispatcher calls while starting
        super().__init__(server, sock, addr, adj, map)

    def add_channel(self, map=None):
        super().add_channel(map)
        per_client = self.server.kiosk_connections
        per_client[self.client] = per_client.get(self.client, 0) + 1

    def del_channel(self, map=None):
        counted = self._fileno in self.server.active_channels
        super().del_channel(map)
        if counted:
            per_client = self.server.kiosk_connections
            left = per_client.get(self.client, 0) - 1
            if left > 0:
                per_client[self.client] = left
            else:
                per_client.pop(self.client, None)


def _client_of(addr) -> str:
    """Return the client address of a connection (a Unix socket's peer: the PC itself)."""
    return str(addr[0]) if isinstance(addr, tuple) and addr else "local"


def create_office_server(app, server: Server, request_timeout: float = REQUEST_TIMEOUT_SECONDS, **overrides: Any):
    """Create (and bind) the waitress server; connections still sending a request after ``request_timeout`` s close."""
    created = create_server(app, **waitress_options(server, **overrides))
    listeners = (
        [created]
        if isinstance(created, BaseWSGIServer)
        else [s for s in created.map.values() if isinstance(s, BaseWSGIServer)]
    )
    for listener in listeners:
        _cut_slow_requests(listener, request_timeout, server.first_request_seconds)
        _cap_per_client(listener, server.max_connections_per_client)
    return created


def _cut_slow_requests(listener: BaseWSGIServer, request_timeout: float, first_request: float) -> None:
    listener.channel_class = _OfficeChannel
    listener.kiosk_connections = {}  # client address -> open connections (kept by _OfficeChannel)
    idle_check = listener.maintenance

    def maintenance(now: float) -> None:
        idle_check(now)  # waitress's own: connections idle for channel_timeout
        cutoff = time.monotonic() - request_timeout
        never_asked = now - first_request  # waitress's channels take their creation_time from time.time()
        for channel in list(listener.active_channels.values()):
            request = channel.request  # a request still arriving (a finished one is in channel.requests)
            if request is not None and not request.completed and getattr(request, "started", cutoff) < cutoff:
                channel.will_close = True  # closed by the loop at its next turn
            elif (
                not getattr(channel, "answered", True) and not channel.requests and channel.creation_time < never_asked
            ):
                channel.will_close = True  # accepted long ago and still no complete request

    listener.maintenance = maintenance
    # Look for idle and slow connections at least as often as the shortest of the two limits asks.
    listener.adj.cleanup_interval = max(0.25, min(listener.adj.cleanup_interval, first_request / 2))


def _cap_per_client(listener: BaseWSGIServer, per_client: int) -> None:
    """Close a new connection at once when its client address already holds ``per_client`` of them.

    Each turn of the loop accepts every connection waiting (up to a batch), so a device reopening the
    connections it loses costs the loop one turn per batch rather than one per connection.
    """

    def accept_one() -> bool:
        try:
            accepted = listener.accept()
            if accepted is None:
                return False  # nothing more waiting
            conn, addr = accepted
            if listener.kiosk_connections.get(_client_of(addr), 0) >= per_client:
                conn.close()
                return True
            listener.set_socket_options(conn)
        except OSError:
            return True  # as waitress does: a client gone before accept() finished
        listener.channel_class(listener, conn, listener.fix_addr(addr), listener.adj, map=listener._map)
        return True

    def handle_accept() -> None:
        for _ in range(ACCEPT_BATCH):
            if len(listener._map) >= listener.adj.connection_limit or not accept_one():
                return

    listener.handle_accept = handle_accept
