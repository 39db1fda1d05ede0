"""Which devices on the office network are kiosks, and how fast one kiosk may take numbers.

A kiosk is a client address inside ``[kiosk] addresses`` (IPs or CIDRs). Each kiosk address has a
token bucket: ``ticket_burst`` tickets at once, then ``tickets_per_second`` - so a stuck key or a
script on a kiosk PC cannot drain a day's quota in a moment.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from kiosk.domain.settings import KioskScreen

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str | None) -> _Address | None:
    """Return a client address as an IP (an IPv4-mapped IPv6 address as its IPv4 form), or None."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TokenBucket:
    """Per-key token buckets (``rate`` tokens a second, at most ``burst`` saved), in a bounded store."""

    def __init__(self, rate: float, burst: int, max_keys: int = 4096, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.max_keys, self.clock = rate, burst, max_keys, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token for ``key``; return 0, or the seconds until one is there (then nothing is taken)."""
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:  # a full bucket forgotten is the same as a new one
                self._buckets.popitem(last=False)
            return wait


class KioskDevices:
    """The configured kiosk addresses and their issuing rate."""

    def __init__(self, config: KioskScreen, clock: Callable[[], float] = time.monotonic):
        self.config = config  # the [kiosk] settings these were made from (the settings screen may replace them)
        self.networks = tuple(ipaddress.ip_network(text, strict=False) for text in config.addresses)
        self.tickets = TokenBucket(config.tickets_per_second, config.ticket_burst, clock=clock)

    def is_kiosk(self, address: str | None) -> bool:
        """Tell whether a client address is one of the office's kiosk PCs."""
        parsed = parse_address(address)
        return parsed is not None and any(parsed.version == net.version and parsed in net for net in self.networks)

    def ticket_wait(self, address: str) -> int:
        """Count a ticket request of a kiosk; return 0, or the whole seconds to wait before the next."""
        wait = self.tickets.take(str(parse_address(address) or address))
        return math.ceil(wait) if wait else 0
