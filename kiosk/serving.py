"""waitress, set up for the office: live streams below the thread count, departed clients noticed."""

from __future__ import annotations

from typing import Any

from kiosk.settings import Server


def waitress_options(server: Server, **overrides: Any) -> dict[str, Any]:
    """Return the keyword arguments for ``waitress.create_server`` from the ``[server]`` settings."""
    options: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "threads": server.threads,
        "connection_limit": server.connection_limit,
        "ident": "kiosk",
        "clear_untrusted_proxy_headers": True,
        # Keep reading while a stream runs, so a closed client is seen (waitress.client_disconnected)
        # and its stream ends within a second instead of at the next failed write.
        "channel_request_lookahead": 1,
        "channel_timeout": 60,
    }
    options.update(overrides)
    return options
