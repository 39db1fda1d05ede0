"""The SMS channel: answer commands from gammu-smsd's inbox, send committed messages through its outbox.

One worker thread (like the print worker) does, every round: read the inbox (each message recorded
with its reply in one transaction, keyed by its file name, then its file deleted), write due messages
to the outbox (committed first, so a crash between commit and file write sends it after the restart,
and the outbox name is fixed per attempt, so it is never sent twice), and read gammu-smsd's sent and
error folders (an error is retried with back-off, then given up). The day's budget
(``[sms] daily_limit``) and the replies per number stop floods and loops between autoresponders.

Off until ``[sms] enabled``; the server runs the same without gammu-smsd.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from kiosk.devices.sms import DEFAULT_SMSDRC, Folders, Incoming, message_of, modem_status, outbox_name
from kiosk.domain import sms as rules
from kiosk.domain.errors import KioskError
from kiosk.office.lookups import LookupGuard, NoRecord, TooMany, look_up
from kiosk.office.messages import ResidentMessages, connect_office_events
from kiosk.office.sms_bookings import OfficeBookingDesk
from kiosk.office.views import ticket_json
from kiosk.storage import sms as store

if TYPE_CHECKING:
    from kiosk.office.context import Office

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
BATCH = 50  # inbox messages handled per round
YIELD_SECONDS = 0.002  # pause between two inbox messages
SETTLE_SECONDS = 0.25  # an inbox file this fresh may still be being written by gammu-smsd
KEEP_DAYS = 2  # finished messages (and the numbers in them) are deleted after this many days
PRIORITY = {"called": "A", "near": "A", "reply": "B", "optin": "B", "disruption": "B", "reminder": "C"}
DEFERRED_KINDS = ("reminder", "complaint")  # never written to the outbox during quiet hours
STILL_TRUE = {"near": "waiting", "called": "called"}  # sent only while its ticket is still in this state


class BookingDesk(Protocol):
    """The seam to bookings for later days (ANTRE, BATAL, STATUS <kode>): ``SmsWorker.bookings``
    (``kiosk.office.sms_bookings.OfficeBookingDesk`` unless replaced).

    Each method returns the reply text (standard Bahasa Indonesia, no NIK or name) or, for
    ``status``, None when ``code`` is no booking.
    """

    def book(self, phone: str, service: str, day: date | None) -> str: ...

    def cancel(self, phone: str, code: str) -> str: ...

    def status(self, code: str) -> str | None: ...


class SmsChannel:
    """SMS as a channel of resident messages: commits each message under the day's budget."""

    name = "sms"

    def __init__(self, worker: SmsWorker):
        self.worker = worker

    def send(
        self, contact: str, text: str, kind: str, dedupe: str | None = None, ticket_id: int | None = None
    ) -> int | None:
        return self.worker.commit(store.Outgoing(contact, rules.fit(text), kind, dedupe=dedupe, ticket_id=ticket_id))


class SmsWorker:
    """The one reader of gammu-smsd's inbox and writer of its outbox."""

    poll_seconds = POLL_SECONDS
    settle_seconds = SETTLE_SECONDS
    batch = BATCH

    def __init__(self, runtime: Office):
        self.runtime = runtime
        self.bookings: BookingDesk = OfficeBookingDesk(runtime)  # bookings for later days
        self.smsdrc = DEFAULT_SMSDRC  # read by gammu-smsd-monitor for the modem's state on /admin
        self.problem: str | None = None  # why the folders cannot be used (shown on /admin)
        # CEK: the kiosk's lookup and limits, per sender number (no number is a kiosk PC).
        self.guard = LookupGuard(runtime.settings.status, lambda address: False)
        self.messages = ResidentMessages(runtime, SmsChannel(self))
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._disconnect: Callable[[], None] | None = None
        self._lock = threading.Lock()  # one round at a time (the thread, or a test calling run_once)
        self._purged_day: str | None = None

    @property
    def config(self):
        return self.runtime.settings.sms

    @property
    def enabled(self) -> bool:
        return self.config.enabled

    @property
    def folders(self) -> Folders:
        return Folders.of(self.config)

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Start the worker and the notifications (no-op when ``[sms] enabled`` is false)."""
        if not self.enabled or self._thread is not None:
            return
        self._stop.clear()
        self._disconnect = connect_office_events(self.runtime, self._on_event)
        self._thread = threading.Thread(target=self._run, name="kiosk-sms", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        self._wake.set()
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def wake(self) -> None:
        """Run a round now (a message was committed)."""
        self._wake.set()

    def _on_event(self, event: str, data: dict) -> None:
        if self.messages.on_event(event, data):
            self.wake()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # a bug here must not end SMS for the day
                log.exception("SMS worker round failed; trying again")
            self._wake.wait(self.poll_seconds)

    def run_once(self) -> dict[str, int]:
        """One round: inbox, notifications, outbox, outcomes; return what was done (for tests and logs)."""
        with self._lock:
            folders = self.folders
            missing = folders.missing()
            if missing:
                if self.problem != "; ".join(missing):
                    log.warning(
                        "SMS folders not usable (is gammu-smsd installed? see deploy/install.sh --sms): %s",
                        "; ".join(missing),
                    )
                self.problem = "; ".join(missing)
                return {"received": 0, "written": 0, "finished": 0}
            self.problem = None
            received = self._read_inbox(folders)
            self.messages.notify_queue()
            self.messages.notify_reminders()
            store.forget_ended_optins(self.runtime.db, self.runtime.today())  # a number is kept until its ticket ends
            finished = self._collect(folders)
            written = self._send_due(folders)
            self._tidy()
            return {"received": received, "written": written, "finished": finished}

    # ------------------------------------------------------------ outgoing

    def commit(self, message: store.Outgoing) -> int | None:
        """Commit an outgoing message (reminders wait for the end of quiet hours); wake the worker."""
        rt = self.runtime
        now = rt.now()
        if message.kind in DEFERRED_KINDS and message.not_before is None:
            later = rules.quiet_until(now, self.config.quiet_hours)
            if later is not None:
                message = store.Outgoing(
                    message.phone, message.body, message.kind, later, message.dedupe, message.ticket_id
                )
        message_id = store.enqueue(rt.db, message, rt.today(), now, self.config.daily_limit)
        self.wake()
        return message_id

    def _send_due(self, folders: Folders) -> int:
        """Write every due message's outbox file (its state committed first); return how many were written."""
        rt = self.runtime
        written = 0
        for row in store.due(rt.db, rt.now()):
            if row["kind"] in DEFERRED_KINDS:
                later = rules.quiet_until(rt.now(), self.config.quiet_hours)
                if later is not None:  # committed before quiet hours began: wait for their end
                    store.postpone(rt.db, row["id"], later, rt.now())
                    continue
            if row["kind"] in STILL_TRUE and row["ticket_id"] is not None:
                now_status = store.ticket_status(rt.db, row["ticket_id"])
                if now_status != STILL_TRUE[row["kind"]]:  # e.g. a retried "3 nomor lagi" after the call
                    store.drop(rt.db, row["id"], rt.now(), f"ticket is {now_status or 'gone'}")
                    continue
            name = outbox_name(
                row["id"],
                row["attempts"] + 1,
                row["phone"],
                datetime.fromisoformat(row["created_at"]),
                PRIORITY.get(row["kind"], "B"),
            )
            place = folders.where(name)
            if place == "sent":  # written before a crash and already sent: record it, never write it again
                store.mark_sent(rt.db, row["id"], rt.now())
                continue
            if place != "error":
                if place is None:
                    folders.write(name, row["body"])
                written += 1
            store.mark_queued(rt.db, row["id"], name, rt.now())
        return written

    def _collect(self, folders: Folders) -> int:
        """Record what gammu-smsd did with our messages (sent or error folder); return how many ended."""
        rt = self.runtime
        ended = 0
        for name, place in folders.finished().items():
            ident = message_of(name)
            row = store.get(rt.db, ident[0]) if ident else None
            if (
                ident is not None
                and row is not None
                and row["status"] in ("pending", "queued")
                and ident[1] == row["attempts"]
            ):
                if place == "sent":
                    store.mark_sent(rt.db, row["id"], rt.now())
                else:
                    attempts = row["attempts"]
                    retry = (
                        rt.now() + timedelta(seconds=rules.backoff_seconds(attempts))
                        if attempts < rules.MAX_ATTEMPTS
                        else None
                    )
                    store.mark_failed(rt.db, row["id"], rt.now(), retry, f"gammu-smsd error (attempt {attempts})")
                    log.warning(
                        "SMS %s to %s failed (attempt %d)%s",
                        row["id"],
                        rules.masked_phone(row["phone"]),
                        attempts,
                        "; retrying" if retry else "; given up",
                    )
                ended += 1
            if (
                ident is None
                or row is None
                or row["status"] not in ("pending", "queued")
                or ident[1] <= row["attempts"]
            ):
                folders.forget(place, name)  # the outcome is in the database
        return ended

    def _tidy(self) -> None:
        """Once a day: forget old messages (and the numbers they were sent to)."""
        rt = self.runtime
        today = rt.today()
        if self._purged_day == today:
            return
        self._purged_day = today
        store.purge(rt.db, (rt.now() - timedelta(days=KEEP_DAYS)).isoformat(timespec="seconds"))

    # ------------------------------------------------------------ incoming

    def _read_inbox(self, folders: Folders) -> int:
        handled = 0
        # A bounded batch per round: a flood is spread over rounds instead of holding the writers for seconds.
        for message in folders.received(limit=self.batch, settle_seconds=self.settle_seconds):
            try:
                self.handle(message)
            except Exception:  # never logs the text: it may hold a NIK
                log.exception("SMS %s could not be handled; it stays in the inbox", message.key)
                continue
            folders.remove(message)
            handled += 1
            # Let the request threads have the interpreter between messages: a flood must not slow issuing.
            self._stop.wait(YIELD_SECONDS)
        return handled

    def handle(self, message: Incoming) -> str | None:
        """Record one incoming message and commit its reply; return the reply (None: not answered)."""
        rt = self.runtime
        now = rt.now()
        phone = rules.normalise_phone(message.sender)
        command = rules.parse(message.text)
        if phone is None:  # an operator's short code or promotion: never answered
            store.receive(
                rt.db,
                message.key,
                message.sender[:20],
                command.keyword,
                "ignored",
                rt.today(),
                now,
                None,
                self.config.daily_limit,
            )
            return None
        recent_hour = store.replies_since(rt.db, phone, now - timedelta(hours=1))
        recent_day = store.replies_since(rt.db, phone, now - timedelta(days=1))
        if recent_hour >= rules.REPLIES_PER_NUMBER_PER_HOUR or recent_day >= rules.REPLIES_PER_NUMBER_PER_DAY:
            store.receive(
                rt.db, message.key, phone, command.keyword, "limited", rt.today(), now, None, self.config.daily_limit
            )
            return None
        text = self.answer(phone, command)
        reply = store.Outgoing(phone, rules.fit(text), "reply")
        store.receive(
            rt.db, message.key, phone, command.keyword, "answered", rt.today(), now, reply, self.config.daily_limit
        )
        self.wake()
        return reply.body

    def answer(self, phone: str, command: rules.Command) -> str:
        """Return the reply to a command (never holding a NIK, a nomor KK or a name)."""
        rt = self.runtime
        if command.keyword == "CEK":
            return self._check_status(phone, command)
        if command.keyword == "INFO":
            return self._info()
        if command.keyword == "ANTRE":
            if not command.args:
                return rules.HELP
            service = rt.settings.service(command.args[0])
            day_text = command.args[1] if len(command.args) > 1 else ""
            day = rules.parse_day(day_text, rt.now().date()) if day_text else None
            if service is None:
                codes = ", ".join(s.code for s in rt.settings.services)
                example = rt.settings.services[0].code if rt.settings.services else "REKAM"
                tomorrow = rt.now().date() + timedelta(days=1)
                return rules.render(
                    rules.UNKNOWN_SERVICE,
                    code=command.args[0][:16],
                    codes=codes,
                    example=example,
                    day=f"{tomorrow:%d-%m}",
                )
            if day_text and day is None:
                return rules.render(rules.BAD_DAY, code=service.code)
            return self.bookings.book(phone, service.code, day)
        if command.keyword == "BATAL":
            if not command.args:
                return rules.BATAL_HELP
            return self.bookings.cancel(phone, command.args[0][:16])
        if command.keyword == "STATUS":
            if not command.args:
                return rules.STATUS_HELP
            return self._queue_status(command.args[0][:16])
        return rules.HELP

    def _check_status(self, phone: str, command: rules.Command) -> str:
        rt = self.runtime
        if len(command.args) != 2:
            return rules.INVALID_NUMBER
        address = f"sms:{phone}"
        wait = self.guard.attempt(address)
        if not wait:
            try:
                answer = look_up(rt, self.guard, address, command.args[0], command.args[1], "id", audit_address="sms")
            except TooMany as limited:
                wait = limited.wait
            except NoRecord:
                return rules.NOT_FOUND
            except KioskError:  # invalid_nik / invalid_kk
                return rules.INVALID_NUMBER
            else:
                return rules.status_reply(
                    answer["label"], answer["message"], answer["next_step"], answer["name_masked"]
                )
        return rules.render(rules.RATE_LIMITED, minutes=max(1, -(-wait // 60)))

    def _queue_status(self, code: str) -> str:
        rt = self.runtime
        number = rules.ticket_number(code)
        if number is not None:
            ticket = store.ticket_by_number(rt.db, rt.today(), number)
            if ticket is None:
                return rules.render(rules.UNKNOWN_TICKET, number=number)
            view = ticket_json(rt, ticket)
            if ticket["status"] == "waiting":
                return rules.render(
                    rules.TICKET_WAITING,
                    number=number,
                    service=view["service_name"],
                    ahead=view["ahead"],
                    minutes=view["estimated_wait_minutes"],
                )
            if ticket["status"] == "called":
                return rules.render(
                    rules.TICKET_CALLED, number=number, counter=view["counter_name"] or f"loket {ticket['counter_id']}"
                )
            return rules.render(
                rules.TICKET_FINISHED, number=number, state=rules.TICKET_STATES.get(ticket["status"], ticket["status"])
            )
        reply = self.bookings.status(code)
        if reply is not None:
            return reply
        return rules.render(rules.UNKNOWN_TICKET, number=code)

    def _info(self) -> str:
        settings = self.runtime.settings
        today = self.runtime.now().date()
        weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[today.weekday()]
        hours = settings.office.hours[weekday]
        if hours.closed or hours.opens is None or hours.closes is None:
            said = "hari ini tutup"
        else:
            closes = "24:00" if hours.closes.hour == 23 and hours.closes.minute == 59 else f"{hours.closes:%H:%M}"
            said = f"hari ini {hours.opens:%H:%M}-{closes}"
        return rules.info_reply(settings.office.name, said, [(s.code, s.name) for s in settings.services])

    # ------------------------------------------------------------ opt-in and state

    def opt_in(self, ticket: dict, phone: str) -> None:
        """Keep a phone number for a ticket's near/called messages and confirm it by SMS."""
        rt = self.runtime
        store.add_optin(rt.db, ticket["id"], phone, rt.now())
        self.commit(
            store.Outgoing(
                phone,
                rules.render(rules.OPTED_IN, number=ticket["number"]),
                "optin",
                dedupe=f"optin:{ticket['id']}:{phone}",
                ticket_id=ticket["id"],
            )
        )
        self.messages.notify_queue()

    def state(self) -> dict:
        """Return the channel's state for /admin: enabled, folders, modem, today's counts, failures."""
        rt = self.runtime
        config = self.config
        answer = {
            "enabled": config.enabled,
            "folders": {key: getattr(config, key) for key in ("inbox", "outbox", "sent", "error")},
            "problem": None,
            "outbox_waiting": 0,
            "quiet_hours": config.quiet_hours,
            "today": store.summary(rt.db, rt.today(), config.daily_limit),
            "failures": [{**row, "phone": rules.masked_phone(row["phone"])} for row in store.recent_failures(rt.db)],
        }
        if not config.enabled:
            answer["modem"] = {"state": "off", "detail": "[sms] enabled = false"}
            return answer
        folders = self.folders
        missing = folders.missing()
        answer["problem"] = "; ".join(missing) or None
        answer["outbox_waiting"] = folders.waiting_in_outbox() if not missing else 0
        answer["modem"] = modem_status(self.smsdrc)
        return answer
