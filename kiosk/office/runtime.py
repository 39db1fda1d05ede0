"""The running office, composed: settings, database, clock, event bus, live-screen publisher, background
workers (housekeeping, printing, speech warm-up), guards and secrets.

It holds no rule of its own: state changes are use cases (kiosk/office/tickets.py ...), which announce
them on ``bus``; the screens and the print worker are subscribers wired here.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.devices.speech import Speech
from kiosk.domain import queue
from kiosk.domain.settings import Settings
from kiosk.office import housekeeping, screens
from kiosk.office.bus import EventBus
from kiosk.office.publisher import Publisher
from kiosk.storage import state as state_store
from kiosk.storage.db import Database, read_or_create_secret

if TYPE_CHECKING:
    from kiosk.office.printing import PrintWorker
    from kiosk.office.regency import RegencySender
    from kiosk.office.sms import SmsWorker
    from kiosk.storage.backup import AutomaticBackup, ServerLock

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Callable[[], datetime]
    events: Publisher = field(default_factory=Publisher)  # the live screens' streams (SSE)
    bus: EventBus = field(default_factory=EventBus)  # every committed change of the office, announced
    speech: Speech | None = None
    printing: PrintWorker | None = None  # once started
    sms: SmsWorker | None = None  # the SMS channel (gammu-smsd's folders), once started; idle unless [sms] enabled
    regency: RegencySender | None = None  # store-and-forward to the regency, once started with [regency] url set
    housekeeping_seconds: float = 60.0  # how often expiry and key purging run
    speech_warmup_seconds: float | None = 10.0  # after start: render the spoken catalogue ahead (None = never)
    state_version: int = 0  # bumped on every queue change made through this process
    queue_cache: tuple[int, float, dict] | None = None  # (version, monotonic time, /api/queue body)
    backups: AutomaticBackup | None = None  # the daily automatic backup, when [backup] dir is set
    server_lock: ServerLock | None = None  # held while started: `kiosk restore` refuses meanwhile
    file_settings: Settings | None = None  # the file's settings, before the changes saved on the admin screen
    settings_version: int = 0  # id of the settings change in force (0: the file's values)
    settings_lock: threading.Lock = field(default_factory=threading.Lock)  # one settings change at a time
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _unsubscribe_printing: Callable[[], None] | None = None
    _unsubscribe_regency: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        screens.subscribe(self.bus, self)
        if self.file_settings is None:
            self.file_settings = self.settings
        backup = self.settings.backup
        if backup.enabled and self.backups is None and not self.db.in_memory:
            from kiosk.storage.backup import AutomaticBackup

            self.backups = AutomaticBackup(backup.dir, backup.keep, backup.at)

    @classmethod
    def open(cls, settings: Settings, clock: Callable[[], datetime] | None = None) -> Runtime:
        """Open (and migrate) the database of ``settings``; the clock defaults to now in the office zone."""
        zone = settings.office.timezone
        db = Database(settings.database_path)
        db.migrate()
        cache = Path(settings.database_path).parent / "speech-cache"
        runtime = cls(settings, db, clock or (lambda: datetime.now(zone)), speech=Speech(cache))
        runtime.use_saved_settings()
        return runtime

    def use_saved_settings(self) -> None:
        """Lay the settings saved on the admin screen over the file's; keep the file's if they no longer fit it."""
        from kiosk.domain.errors import ConfigError
        from kiosk.domain.settings import with_screen_changes
        from kiosk.storage import settings as settings_store

        saved = settings_store.latest(self.db)
        if saved is None:
            return
        try:
            settings = with_screen_changes(self.file_settings, saved["changes"])
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

    def printer_state(self) -> str:
        """Return the printer's last known state: online, offline, paper_out or unknown."""
        return self.printing.state if self.printing is not None else "unknown"

    def start(self) -> None:
        """Start background work: closing stale tickets and the print worker."""
        from kiosk.office.printing import PrintWorker
        from kiosk.storage.backup import ServerLock

        if not self.db.in_memory and self.server_lock is None:
            self.server_lock = ServerLock(self.db.path)
            self.server_lock.acquire()
        self._stop.clear()
        thread = threading.Thread(target=self._housekeeping, name="kiosk-housekeeping", daemon=True)
        thread.start()
        self._threads.append(thread)
        if self.speech is not None and self.speech_warmup_seconds is not None:
            thread = threading.Thread(target=self._warm_speech, name="kiosk-speech-warmup", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self._unsubscribe_printing is not None:  # started again: the new worker takes the old one's place
            self._unsubscribe_printing()
        self.printing = PrintWorker(self)
        self._unsubscribe_printing = self.printing.subscribe(self.bus)
        self.printing.start()
        from kiosk.office.sms import SmsWorker

        if self.sms is None:
            self.sms = SmsWorker(self)
        self.sms.start()
        self._start_regency()

    def stop(self) -> None:
        """Stop background work and end open event streams."""
        self._stop.set()
        if self.printing is not None:
            self.printing.stop()
        if self._unsubscribe_printing is not None:
            self._unsubscribe_printing()
            self._unsubscribe_printing = None
        if self.sms is not None:
            self.sms.stop()
        if self.regency is not None:
            self.regency.stop()
        if self._unsubscribe_regency is not None:
            self._unsubscribe_regency()
            self._unsubscribe_regency = None
        self.events.close_all()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        if self.server_lock is not None:
            self.server_lock.release()
            self.server_lock = None

    def _start_regency(self) -> None:
        """Record and send events to the regency when [regency] url is set (kiosk/office/regency.py)."""
        from kiosk.office.regency import RegencySender
        from kiosk.storage import regency as outbox

        # The outbox triggers copy each change inside its own transaction, only while this says so.
        outbox.set_enabled(self.db, self.settings.regency.enabled, self.now().isoformat(timespec="seconds"))
        if not self.settings.regency.enabled:
            return
        if self.regency is None:
            self.regency = RegencySender(self)
        if self._unsubscribe_regency is None:
            self._unsubscribe_regency = self.regency.subscribe(self.bus)
        self.regency.start()

    def regency_status(self) -> dict | None:
        """Return the regency sender's backlog and lag for /healthz, or None when [regency] url is not set."""
        if not self.settings.regency.enabled:
            return None
        from kiosk.office.regency import RegencySender

        return (self.regency or RegencySender(self)).status()

    def housekeep(self) -> int:
        """Run one round of housekeeping (kiosk/office/housekeeping.py); return how many tickets expired."""
        return housekeeping.run(self)

    def tidy_copies(self) -> list[str]:
        """Remove abandoned partial copies and old replaced databases; return the names removed."""
        return housekeeping.tidy_copies(self)

    def purge_status_traces(self) -> dict[str, int]:
        """Delete status traces older than [status] retention_days."""
        return housekeeping.purge_status_traces(self)

    def _housekeeping(self) -> None:
        """Run housekeeping at start and then every ``housekeeping_seconds``; read a year of report days once."""
        first_round = True
        while True:
            try:
                self.housekeep()
            except Exception:  # keep the office running; the next round tries again
                log.exception("housekeeping failed")
            if first_round:
                first_round = False
                self._read_report_year()
            if self._stop.wait(self.housekeeping_seconds):
                return

    def _warm_speech(self) -> None:
        """Once start-up is over, pin the spoken catalogue in the speech cache and render what is missing.

        The catalogue (~1,300 sentences) is larger than the cache kept for call announcements: served
        on demand, cycling through it ran espeak-ng on nearly every request.
        """
        from kiosk.domain import guide

        speech = self.speech
        if self._stop.wait(self.speech_warmup_seconds):
            return
        try:
            texts = list(guide.sentences(self.settings).values())
            began = time.monotonic()
            rendered = speech.warm(texts, self._stop, pause=self.queue_changing())
            if rendered:
                log.info("spoken catalogue rendered ahead: %d sentences in %.0f s", rendered, time.monotonic() - began)
        except Exception:  # only a head start: a request renders what it needs anyway
            log.warning("rendering the spoken catalogue ahead failed", exc_info=True)

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

    def _read_report_year(self) -> None:
        """Read the facts of the year up to today once, so the first report of a long period reuses them."""
        from kiosk.domain import reports
        from kiosk.storage import reports as reports_store

        today = self.now().date()
        first = today - timedelta(days=reports.MAX_RANGE_DAYS - 1)
        try:
            reports_store.report_facts(self.db, first.isoformat(), today.isoformat())
        except Exception:  # only a head start: a report reads what it needs anyway
            log.warning("reading the year's report facts at start failed", exc_info=True)
