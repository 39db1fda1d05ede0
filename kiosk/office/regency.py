"""Store-and-forward to the regency (docs/contract.md, "Regency"): the outbox and a sender thread.

The outbox is written inside each change's own transaction by SQLite triggers (storage migration 0019): a ticket
issued, called, recalled, served, done, missed, cancelled, transferred, requeued or expired; a disruption started,
changed or ended; a closed date set or removed; a service opened or closed for a day. A kill between a change's
commit and its report cannot happen, as there is no "between". The triggers copy only while [regency] url is set
(app_state regency_enabled, written at start-up).

Once an office day is over the sender queues its summary (the office's own daily report, per service, without
loket or staff names) and the day's survey responses as stored (never their suggestion text, never a ticket: they
leave in the order of their random ids, all stamped with the day's end) in one transaction.

The sender thread sends the oldest unsent rows in batches (at most BATCH_EVENTS, in order) to
``<url>/regency/api/batches`` with the office key and marks them sent on a 200. A batch refused as bad data
(400, 413, 422) is halved until the one refused event is found; that event is quarantined (kept, counted on
/healthz and /admin, never sent again) and the rest go on in order. Any other failure (network, 5xx, 401, 429)
waits 1, 2, 4 ... up to MAX_BACKOFF_SECONDS before trying again. Unsent rows stay in the database, so a restart
(or days offline) resumes where it stopped; the regency drops repeats by event id. With nothing to send it posts
an empty batch every HEARTBEAT_SECONDS, so the regency's "last contact" stays true.

Only what the regency needs leaves the office: never a token, NIK, name or phone.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.domain import reports
from kiosk.files import siak
from kiosk.office.bus import DisruptionChanged, EventBus, TicketCalled, TicketIssued, TicketMoved
from kiosk.storage import regency as outbox
from kiosk.storage import reports as reports_store

if TYPE_CHECKING:
    from kiosk.office.context import Office

log = logging.getLogger(__name__)

BATCH_EVENTS = 500
MAX_BACKOFF_SECONDS = 60.0
IDLE_SECONDS = 30.0  # an idle sender looks at the outbox this often even without a wake-up
TIMEOUT_SECONDS = 20.0
HEARTBEAT_SECONDS = 300.0  # an office with nothing to send still posts an empty batch this often (its last contact)
PULL_SECONDS = 60.0  # status records are pulled on contact, at most this often
BAD_DATA = (400, 413, 422)  # the regency refused what was sent, not the sender: retrying cannot help
STATUS_COLUMNS = ("nik", "no_kk", "nama", "tanggal_lahir", "status", "keterangan")
SUMMARY_KEYS = ("issued", "served", "no_show")
SERVICE_KEYS = (
    "code",
    "issued",
    "served",
    "no_show",
    "avg_wait_minutes",
    "median_wait_minutes",
    "p90_wait_minutes",
    "avg_service_minutes",
)


def _as_csv(records: list[dict[str, Any]]) -> str:
    """Write pulled status records as the SIAK export's CSV, for the office's own import."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(STATUS_COLUMNS)
    writer.writerows([str(record.get(column, "")) for column in STATUS_COLUMNS] for record in records)
    return out.getvalue()


def backoff_seconds(failures: int) -> float:
    """1 s, 2 s, 4 s ... at most MAX_BACKOFF_SECONDS after ``failures`` failed attempts in a row."""
    return min(2.0 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS)


def day_summary(runtime: Office, day: str) -> dict[str, Any] | None:
    """Return the office's own daily report of ``day`` as the regency receives it, or None for a day without tickets.

    The same figures as GET /api/reports/daily (kiosk.domain.reports), per service; loket and staff rows stay home.
    """
    facts = reports_store.report_facts(runtime.db, day, day)
    catalog = reports.Catalog(
        office=runtime.settings.office.name,
        services=tuple((s.code, s.name) for s in runtime.settings.services),
        counters=(),
        staff={},
    )
    report = reports.daily_report(facts, date.fromisoformat(day), catalog)
    if not report["issued"] and not report["served"] and not report["no_show"]:
        return None
    return {
        "day": day,
        **{key: report[key] for key in SUMMARY_KEYS},
        "services": [
            {key: row[key] for key in SERVICE_KEYS}
            for row in report["services"]
            if row["issued"] or row["served"] or row["no_show"]
        ],
    }


class RegencySender:
    """The office's one sender to the regency: records events, sends them in order, reports the lag."""

    def __init__(self, runtime: Office, timeout: float = TIMEOUT_SECONDS):
        self.runtime = runtime
        self.timeout = timeout
        self.failures = 0
        self.error: str | None = None  # the latest failure, for /healthz
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned_key = False
        self._contacted = float("-inf")  # monotonic time of the last batch the regency took
        self._pulled = float("-inf")  # monotonic time of the last pull of status records
        self._limit = BATCH_EVENTS  # halved while a refused batch is searched for its bad event

    @property
    def settings(self):
        return self.runtime.settings.regency

    # Wake-ups: the triggers already wrote the outbox; the sender only learns there is news

    def subscribe(self, bus: EventBus) -> Callable[[], None]:
        return bus.subscribe((TicketIssued, TicketCalled, TicketMoved, DisruptionChanged), lambda _event: self.wake())

    # The sender thread

    def key(self) -> str | None:
        return None if self.runtime.db.in_memory else outbox.read_key(self.runtime.db.path)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-regency", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                delay = self.send_once()
            except Exception:  # a bug here must never stop the office; try again later
                log.exception("regency sender failed")
                self.failures += 1
                delay = backoff_seconds(self.failures)
            if delay > 0:
                if self.failures:  # backing off: a new event does not cut the wait short
                    self._stop.wait(delay)
                else:
                    self._wake.wait(delay)

    def send_once(self) -> float:
        """Send pending batches until the outbox is empty or a send fails; return the seconds to wait."""
        settings = self.settings
        if not settings.enabled:
            return IDLE_SECONDS
        key = self.key()
        if key is None:
            if not self._warned_key:
                log.error(
                    "regency.url is set but the office key file %s is missing or empty: nothing is sent to "
                    "the regency until it is there",
                    outbox.key_file(self.runtime.db.path),
                )
                self._warned_key = True
            self.error = "no_key"
            return IDLE_SECONDS
        self._warned_key = False
        self.queue_closed_days()
        while not self._stop.is_set():
            rows = outbox.pending(self.runtime.db, self._limit)
            if not rows and time.monotonic() - self._contacted < HEARTBEAT_SECONDS:
                self.failures, self.error = 0, None
                return IDLE_SECONDS
            status, problem = self._post(settings.url, settings.office_code, key, [row["event"] for row in rows])
            if status in BAD_DATA and rows:
                if len(rows) > 1:  # somewhere in here is an event the regency cannot take: look in the first half
                    self._limit = max(1, len(rows) // 2)
                    continue
                log.warning(
                    "the regency refused event %s (%s): %s; it is set aside, the rest go on",
                    rows[0]["event"]["id"],
                    rows[0]["event"]["kind"],
                    problem,
                )
                outbox.quarantine(
                    self.runtime.db, rows[0]["seq"], problem or "", self.runtime.now().isoformat(timespec="seconds")
                )
                continue
            if problem is not None:
                self.failures += 1
                if self.error != problem:
                    log.warning("sending to the regency failed (%s); %d events wait", problem, len(rows))
                self.error = problem
                return backoff_seconds(self.failures)
            self._contacted = time.monotonic()
            self.failures, self.error = 0, None
            if time.monotonic() - self._pulled >= PULL_SECONDS:  # on contact, now and then: records come down
                self._pulled = time.monotonic()
                self.pull_status_records(settings.url, key)
            if not rows:  # the heartbeat: the regency knows the office is there
                return IDLE_SECONDS
            outbox.mark_sent(
                self.runtime.db, rows[0]["seq"], rows[-1]["seq"], self.runtime.now().isoformat(timespec="seconds")
            )
            self._limit = min(BATCH_EVENTS, self._limit * 2)
        return 0.0

    def pull_status_records(self, url: str, key: str) -> int:
        """Fetch this kecamatan's SIAK records changed since the last pull and apply them as a normal import.

        The regency hands them out by a cursor; they go through kiosk.files.siak's import (the same checks, keyed
        hashes at rest) and the cursor is kept only after the import finished, so a failure pulls them again
        (an import of the same records changes nothing). Return how many records came down.
        """
        rt = self.runtime
        since = outbox.status_cursor(rt.db)
        total = 0
        while not self._stop.is_set():
            request = urllib.request.Request(
                f"{url}/regency/api/status-records?since={since}", headers={"Authorization": f"Bearer {key}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    page = json.loads(answer.read())
            except (urllib.error.URLError, OSError, ValueError) as exc:
                log.warning("pulling status records from the regency failed: %s", getattr(exc, "reason", exc))
                return total
            records = page.get("records") or []
            if records:
                try:
                    report = siak.import_status(
                        rt.db,
                        io.StringIO(_as_csv(records)),
                        rt.now().date(),
                        rt.now().isoformat(timespec="seconds"),
                        by="regency",
                    )
                except siak.ImportProblem as problem:  # e.g. a staff import is running: pull again later
                    log.warning("applying status records from the regency failed: %s", problem)
                    return total
                total += len(records)
                if report.rejected_count:
                    log.warning(
                        "%d status records from the regency were refused by the office's checks", report.rejected_count
                    )
            since = int(page.get("cursor", since))
            outbox.set_status_cursor(rt.db, since, rt.now().isoformat(timespec="seconds"))
            if not page.get("more"):
                break
        return total

    def queue_closed_days(self) -> int:
        """Queue the summary and survey responses of every office day that ended since the last; return how many."""
        rt = self.runtime
        today = date.fromisoformat(rt.today())
        now = rt.now()
        through = outbox.summarised_through(rt.db)
        if through is None:  # joined today: the days before were never reported, and are not now
            outbox.add_day(
                rt.db, (today - timedelta(days=1)).isoformat(), "", None, [], now.isoformat(timespec="seconds")
            )
            return 0
        queued = 0
        day = date.fromisoformat(through) + timedelta(days=1)
        while day < today:
            text = day.isoformat()
            end = datetime.combine(day, datetime.max.time().replace(microsecond=0), now.tzinfo)
            outbox.add_day(
                rt.db,
                text,
                end.isoformat(),
                day_summary(rt, text),
                outbox.survey_rows(rt.db, text),
                now.isoformat(timespec="seconds"),
            )
            queued += 1
            day += timedelta(days=1)
        return queued

    def _post(self, url: str, office: str, key: str, events: list[dict]) -> tuple[int | None, str | None]:
        """POST one batch; return (HTTP status or None when unreachable, None on a 200 else a short reason)."""
        body = json.dumps({"office": office, "events": events}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url + "/regency/api/batches",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
                return answer.status, None if answer.status == 200 else f"HTTP {answer.status}"
        except urllib.error.HTTPError as exc:
            code = ""
            try:
                code = json.loads(exc.read() or b"{}").get("error", {}).get("code", "")
            except (ValueError, AttributeError):
                pass
            return exc.code, f"HTTP {exc.code}" + (f" {code}" if code else "")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return None, f"unreachable: {getattr(exc, 'reason', exc)}"[:200]

    # The lag, for /healthz

    def status(self) -> dict[str, Any]:
        backlog = outbox.backlog(self.runtime.db)
        lag = 0
        if backlog["oldest_at"]:
            oldest = datetime.fromisoformat(backlog["oldest_at"])
            lag = max(0, int((self.runtime.now() - oldest).total_seconds()))
        return {
            "pending": backlog["pending"],
            "quarantined": backlog["quarantined"],
            "last_sent_at": backlog["last_sent_at"],
            "lag_seconds": lag,
            "error": "no_key" if self.key() is None else self.error,
        }
