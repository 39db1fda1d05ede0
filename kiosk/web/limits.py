"""Login limits shared by the office's staff login and the regency's: attempts per (name, address) and per address."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class Throttle:
    """Count login attempts per key in a sliding window, in a bounded store.

    An attempt is recorded *before* the password is hashed, so a burst of parallel guesses
    can never get more than ``limit`` passwords checked. The store holds at most
    ``max_keys`` keys, dropping the least recently used: flooding it cannot grow memory.
    """

    def __init__(self, limit: int, window: float, max_keys: int = 4096, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._attempts: OrderedDict[tuple, deque[float]] = OrderedDict()  # callers hold LoginGuard's lock

    def __len__(self) -> int:
        return len(self._attempts)

    def _recent(self, key: tuple, now: float) -> deque[float]:
        attempts = self._attempts.get(key)
        if attempts is None:
            attempts = self._attempts[key] = deque(maxlen=self.limit)
        self._attempts.move_to_end(key)
        while attempts and now - attempts[0] >= self.window:
            attempts.popleft()
        return attempts

    def retry_after(self, key: tuple, now: float) -> int:
        """Return whole seconds until ``key`` may try again (0 when it may now)."""
        attempts = self._recent(key, now)
        if len(attempts) < self.limit:
            return 0
        return max(1, math.ceil(self.window - (now - attempts[0])))

    def record(self, key: tuple, now: float) -> None:
        """Count one attempt for ``key`` and keep the store within its bound."""
        self._recent(key, now).append(now)
        while len(self._attempts) > self.max_keys:
            self._attempts.popitem(last=False)

    def forget(self, key: tuple) -> None:
        """Drop the attempts of ``key`` (a successful login)."""
        self._attempts.pop(key, None)

    def refund(self, key: tuple) -> None:
        """Take back the latest attempt of ``key`` (it turned out to be a successful login)."""
        attempts = self._attempts.get(key)
        if attempts:
            attempts.pop()


class LoginGuard:
    """Throttle logins per (username, client address) and per client address.

    Keying by the pair means a guesser at another PC cannot use up the owner's attempts at
    their own counter; the per-address limit stops one PC from trying many usernames.
    """

    def __init__(
        self,
        per_user: int = 5,
        per_address: int = 20,
        window: float = 300.0,
        max_keys: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.clock = clock
        self.pairs = Throttle(per_user, window, max_keys, clock)
        self.addresses = Throttle(per_address, window, max_keys, clock)
        self._lock = threading.Lock()

    def attempt(self, username: str, address: str) -> int:
        """Record an attempt and return 0, or return the seconds to wait without recording one."""
        pair, addr = (username, address), (address,)
        with self._lock:
            now = self.clock()
            wait = max(self.pairs.retry_after(pair, now), self.addresses.retry_after(addr, now))
            if wait:
                return wait
            self.pairs.record(pair, now)
            self.addresses.record(addr, now)
            return 0

    def succeeded(self, username: str, address: str) -> None:
        """Forget the pair's failures and take back the address's count for this attempt."""
        with self._lock:
            self.pairs.forget((username, address))
            self.addresses.refund((address,))
