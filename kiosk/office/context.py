"""What every use case and subscriber is given: the running office's settings, database, clock, event bus,
live-screen publisher, speech and backups, with the accessors they read (now, today, the settings in force).

It imports nothing of this layer but the bus and the publisher, so the modules that take an ``Office`` never
import the composition that starts them (kiosk/office/runtime.py ``Runtime``, an ``Office`` with the workers,
their start and stop).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.devices.speech import Speech
from kiosk.domain import queue
from kiosk.domain.settings import Settings
from kiosk.office.bus import EventBus
from kiosk.office.publisher import Publisher
from kiosk.storage import state as state_store
from kiosk.storage.db import Database, read_or_create_secret

if TYPE_CHECKING:
    from kiosk.storage.backup import AutomaticBackup

log = logging.getLogger(__name__)


@dataclass
class Office:
    settings: Settings
    db: Database
    clock: Callable[[], datetime]
    events: Publisher = field(default_factory=Publisher)  # the live screens' streams (SSE)
    bus: EventBus = field(default_factory=EventBus)  # every committed change of the office, announced
    speech: Speech | None = None
    state_version: int = 0  # bumped on every queue change made through this process
    queue_cache: tuple[int, float, dict] | None = None  # (version, monotonic time, /api/queue body)
    backups: AutomaticBackup | None = None  # the daily automatic backup, when [backup] dir is set
    file_settings: Settings | None = None  # the file's settings, before the changes saved on the admin screen
    settings_version: int = 0  # id of the settings change in force (0: the file's values)
    settings_lock: threading.Lock = field(default_factory=threading.Lock)  # one settings change at a time

    def __post_init__(self) -> None:
        if self.file_settings is None:
            self.file_settings = self.settings
        backup = self.settings.backup
        if backup.enabled and self.backups is None and not self.db.in_memory:
            from kiosk.storage.backup import AutomaticBackup

            self.backups = AutomaticBackup(backup.dir, backup.keep, backup.at)

    def use_saved_settings(self) -> None:
        """Lay the settings saved on the admin screen over the file's; keep the file's if they no longer fit it."""
        from kiosk.domain.errors import ConfigError
        from kiosk.domain.settings import with_screen_changes
        from kiosk.storage import settings as settings_store

        saved = settings_store.latest(self.db)
        if saved is None:
            return
        try:
            settings = with_screen_changes(self.file_settings or self.settings, saved["changes"])
        except ConfigError as exc:
            log.error(
                "the settings saved on the admin screen (%s by %s) do not fit the configuration file, "
                "which is used instead: %s",
                saved["changed_at"],
                saved["changed_by"],
                exc.message,
            )
            return
        self.use_settings(settings, saved["id"])

    def use_settings(self, settings: Settings, version: int) -> None:
        """Swap in new settings at once (one assignment: a request sees the old or the new, never a mix)."""
        self.settings = settings
        self.settings_version = version
        self.queue_cache = None
        self.state_version += 1

    def now(self) -> datetime:
        """Return the current time in the office time zone."""
        return self.clock().astimezone(self.settings.office.timezone)

    def today(self) -> str:
        """Return today's office day (ISO date)."""
        return queue.office_day(self.now())

    def secret_key(self) -> str:
        """Return the session-signing secret from ``<database>.secret`` (mode 0600), creating it on first start.

        It never lives in the database, so a backup copy cannot forge a staff session. Older
        installs kept it in ``app_state``: it moves to the file (sessions stay valid) and the row goes.
        """
        if self.db.in_memory:
            return self.__dict__.setdefault("_memory_secret", secrets.token_hex(32))
        stored = state_store.get_state(self.db, "secret_key")
        secret = read_or_create_secret(self.db.secret_path, stored or secrets.token_hex(32))
        if stored is not None:
            state_store.delete_state(self.db, "secret_key")
        return secret

    def backup_outcome(self) -> dict:
        """Return the automatic backup's latest outcome for /healthz (state off when not configured)."""
        if self.backups is None:
            from kiosk.storage.backup import Outcome

            return Outcome("off").as_json()
        return self.backups.outcome(self.settings.office.timezone).as_json()

    def queue_changing(self) -> Callable[[], bool]:
        """Return a question for background work: has the queue changed since it was last asked?

        Numbers being issued or called mean the office is busy; rendering speech ahead waits meanwhile.
        """
        seen = [self.state_version]

        def changed() -> bool:
            now = self.state_version
            answer, seen[0] = now != seen[0], now
            return answer

        return changed
