"""The running office, composed: an ``Office`` (kiosk/office/context.py: settings, database, clock, event bus,
live-screen publisher, speech, backups) with its background workers (housekeeping, printing, SMS, the regency
sender, speech warm-up), their start and stop, and the guard that keeps a restore out while it runs.

It holds no rule of its own: state changes are use cases (kiosk/office/tickets.py ...), which announce
them on ``bus``; the screens and the print worker are subscribers wired here. Use cases and subscribers take
an ``Office``, never this class, so nothing they import leads back here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.devices.speech import Speech
from kiosk.domain.settings import Settings
from kiosk.office import housekeeping, screens
from kiosk.office.context import Office
from kiosk.office.printing import PrintWorker
from kiosk.office.regency import RegencySender
from kiosk.office.sms import SmsWorker
from kiosk.storage.backup import ServerLock
from kiosk.storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime(Office):
    printing: PrintWorker | None = None  # once started
    sms: SmsWorker | None = None  # the SMS channel (gammu-smsd's folders), once started; idle unless [sms] enabled
    regency: RegencySender | None = None  # store-and-forward to the regency, once started with [regency] url set
    housekeeping_seconds: float = 60.0  # how often expiry and key purging run
    speech_warmup_seconds: float | None = 10.0  # after start: render the spoken catalogue ahead (None = never)
    server_lock: ServerLock | None = None  # held while started: `kiosk restore` refuses meanwhile
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _unsubscribe_printing: Callable[[], None] | None = None
    _unsubscribe_regency: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        screens.subscribe(self.bus, self)
        super().__post_init__()

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

    def printer_state(self) -> str:
        """Return the printer's last known state: online, offline, paper_out or unknown."""
        return self.printing.state if self.printing is not None else "unknown"

    def sms_worker(self) -> SmsWorker:
        """Return the office's SMS worker, making it (not started) when the server's workers are not running."""
        if self.sms is None:
            self.sms = SmsWorker(self)
        return self.sms

    def start(self) -> None:
        """Start background work: closing stale tickets and the print worker."""
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
        self.sms_worker().start()
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
