"""KTP-el status lookups shared by every channel (the kiosk's POST /api/status-lookups, SMS CEK): the rate
limits and the lookup itself.

A lookup does the same work whether or not the NIK has a record (one indexed read, one
constant-time comparison, one audit row), and answers an unknown NIK and a wrong KK number
alike, so neither the answer nor the timing tells which NIKs exist.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.domain.errors import KioskError
from kiosk.domain.settings import StatusLookups
from kiosk.domain.status import check_kk, check_nik, describe, mask_name
from kiosk.storage import status as status_store

if TYPE_CHECKING:
    from kiosk.office.context import Office

_NO_RECORD_KK = "0" * 64  # compared against when the NIK has no record, so both cases take the same time


class TooMany(Exception):
    """The caller must wait ``wait`` seconds before the next lookup."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


class NoRecord(Exception):
    """No record for this NIK, or the KK number does not match (one answer for both)."""


class Counters:
    """Attempts per key in a sliding window, in a bounded store that never forgets a live counter.

    A least-recently-used store let a flood of new keys (4,200 lookups from 140 addresses) push
    out the counter of a locked NIK, which was then free again. Here a counter leaves the store
    only once all its attempts are out of the window; when the store is full of live counters, a
    new key is refused (answered as rate limited) instead.
    """

    SWEEP_SECONDS = 1.0  # a full store is swept for expired counters at most this often

    def __init__(self, limit: int, window: float, capacity: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.capacity, self.clock = limit, window, capacity, clock
        self._attempts: dict[tuple, deque[float]] = {}  # callers hold LookupGuard's lock
        self._swept = -math.inf

    def __len__(self) -> int:
        return len(self._attempts)

    def _live(self, key: tuple, now: float) -> deque[float] | None:
        attempts = self._attempts.get(key)
        if attempts is None:
            return None
        while attempts and now - attempts[0] >= self.window:
            attempts.popleft()
        if not attempts:
            del self._attempts[key]
            return None
        return attempts

    def _room(self, now: float) -> bool:
        if len(self._attempts) < self.capacity:
            return True
        if now - self._swept >= self.SWEEP_SECONDS:
            self._swept = now
            for key in [key for key, attempts in self._attempts.items() if now - attempts[-1] >= self.window]:
                del self._attempts[key]
        return len(self._attempts) < self.capacity

    def retry_after(self, key: tuple, now: float) -> int:
        """Return whole seconds until ``key`` may try again (0 when it may now)."""
        attempts = self._live(key, now)
        if attempts is None:
            return 0 if self._room(now) else max(1, math.ceil(self.window / 10))
        if len(attempts) < self.limit:
            return 0
        return max(1, math.ceil(self.window - (now - attempts[0])))

    def record(self, key: tuple, now: float) -> None:
        """Count one attempt for ``key`` (after :meth:`retry_after` said it may)."""
        attempts = self._attempts.get(key)
        if attempts is None:
            attempts = self._attempts[key] = deque(maxlen=self.limit)
        attempts.append(now)

    def refund(self, key: tuple) -> None:
        """Take back the latest attempt of ``key``."""
        attempts = self._attempts.get(key)
        if attempts:
            attempts.pop()


class LookupGuard:
    """Rate limits of status lookups: per client address (kiosk PCs allowed more) and misses per NIK and address.

    Misses are counted per NIK *and* client address: wrong KK numbers typed elsewhere never lock the
    resident out, and a kiosk PC (where many residents type, in the office) is never locked out of a NIK.
    A NIK is held only as its keyed hash.
    """

    def __init__(self, config: StatusLookups, is_kiosk: Callable[[str], bool], clock=time.monotonic):
        window = config.window_minutes * 60
        self.is_kiosk = is_kiosk  # [kiosk] addresses (or its alias [status] kiosk_addresses)
        self.addresses = Counters(config.lookups_per_window, window, clock=clock)
        self.kiosk_addresses = Counters(config.kiosk_lookups_per_window, window, clock=clock)
        self.misses = Counters(config.nik_misses_per_hour, 3600, clock=clock)
        self.clock = clock
        self._lock = threading.Lock()

    def attempt(self, address: str) -> int:
        """Count a lookup from ``address``; return 0, or the seconds to wait (then nothing is counted)."""
        throttle = self.kiosk_addresses if self.is_kiosk(address) else self.addresses
        with self._lock:
            now = self.clock()
            wait = throttle.retry_after((address,), now)
            if not wait:
                throttle.record((address,), now)
            return wait

    def reserve_miss(self, nik_key: str, address: str) -> int:
        """Count a possible miss of this NIK from this address before looking (parallel guesses cannot overrun).

        Return 0, or the seconds to wait (then nothing is counted). A lookup that finds its record
        gives the count back with :meth:`found`. Kiosk PCs are not counted.
        """
        if self.is_kiosk(address):
            return 0
        with self._lock:
            now = self.clock()
            wait = self.misses.retry_after((nik_key, address), now)
            if not wait:
                self.misses.record((nik_key, address), now)
            return wait

    def found(self, nik_key: str, address: str) -> None:
        """Give back the miss counted for a lookup that found its record."""
        if self.is_kiosk(address):
            return
        with self._lock:
            self.misses.refund((nik_key, address))


def look_up(
    rt: Office,
    guard: LookupGuard,
    address: str,
    nik_value: object,
    kk_value: object,
    lang: str = "id",
    audit_address: str | None = None,
) -> dict:
    """Look up a status after ``guard.attempt`` let ``address`` in: validate, limit misses per NIK, audit.

    Return the contract's status answer; raise InvalidNumber (audited), TooMany or NoRecord. The audit log
    names ``audit_address`` (default: ``address``), never the NIK (its keyed hash only).
    """
    audited_as = audit_address or address

    def audit(outcome: str, nik_key: str | None) -> None:
        status_store.record_lookup(rt.db, rt.now().isoformat(timespec="seconds"), audited_as, outcome, nik_key)

    try:
        nik = check_nik(nik_value)
        kk = check_kk(kk_value, rt.now().date())
    except KioskError as problem:
        audit(problem.code, None)
        raise
    nik_key = status_store.nik_key(rt.db, nik)
    wait = guard.reserve_miss(nik_key, address)
    if wait:
        audit("rate_limited_nik", nik_key)
        raise TooMany(wait)
    record = status_store.get_application(rt.db, nik)
    kk_key = status_store.kk_key(rt.db, kk)  # hashed whether or not the NIK has a record: the same work
    matches = hmac.compare_digest(kk_key.encode(), (record["kk_hash"] if record else _NO_RECORD_KK).encode())
    if record is None or not matches:
        audit("not_found", nik_key)
        raise NoRecord()
    guard.found(nik_key, address)
    audit("found", nik_key)
    answer = describe(record["status"], rt.settings.next_service, lang if lang in ("id", "en") else "id")
    answer.update(name_masked=mask_name(record["name"]), updated_at=record["updated_at"])
    return answer
