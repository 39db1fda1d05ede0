"""Random office days against the real store on a temporary database (hypothesis stateful testing).

Residents take numbers for any service (regular or priority), counters call next, staff recall,
serve, finish, mark no-shows, put no-shows back, transfer and cancel, and now and then the
office day turns. A plain Python model of every ticket says what each step must do; after
every step the database must agree with it and keep the queue's invariants:

- numbers are unique and gap-free per (day, issuing service), each ``PREFIX-seq``;
- every ticket is in a legal state, the one the model expects, and its event log ends there;
- a counter holds at most one called or serving ticket;
- per day, the tickets counted per state add up to the numbers issued.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from kiosk.domain import queue
from kiosk.domain.errors import BadRequest, BadTransition
from kiosk.storage import tickets as store
from kiosk.storage.db import Database
from tests.conftest import JAKARTA
from tests.support import fresh_database, office_settings

OFFICE = office_settings(Path("/nonexistent"))  # only for the services and counters of the demo office
SERVICE_CODES = [service.code for service in OFFICE.services]
COUNTER_IDS = [counter.id for counter in OFFICE.counters]
# SPEC's ticket states, written out here rather than read from kiosk.domain.queue, so the model is independent of it:
# action -> (states it may start from, state it leads to)
LEGAL = {
    "recall": ({"called"}, "called"),
    "serve": ({"called"}, "serving"),
    "done": ({"called", "serving"}, "done"),
    "no_show": ({"called"}, "no_show"),
    "requeue": ({"no_show"}, "waiting"),
    "cancel": ({"waiting"}, "cancelled"),
    "transfer": ({"waiting", "called", "serving"}, "waiting"),
}
STAFF_ACTIONS = ("recall", "serve", "done", "no_show", "requeue", "cancel")
STATES = {"waiting", "called", "serving", "done", "no_show", "cancelled", "expired"}


@dataclass
class Expected:
    """What the model knows of one ticket."""

    day: str
    number: str
    service: str
    priority: bool
    status: str
    queued_at: str
    counter: int | None = None


class OfficeDay(RuleBasedStateMachine):
    """The queue of the demo office, driven through kiosk.store."""

    tickets = Bundle("tickets")

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="kiosk-machine-"))
        self.settings = office_settings(self.directory)
        fresh_database(Path(self.settings.database_path))  # a copy of one migrated database, not 150 migrations
        self.db = Database(self.settings.database_path)
        self.db.migrate()
        self.now = datetime(2026, 11, 25, 8, 0, tzinfo=JAKARTA)
        self.model: dict[int, Expected] = {}

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _tick(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now

    # ------------------------------------------------------------ rules

    @rule(target=tickets, service=st.sampled_from(SERVICE_CODES), priority=st.booleans())
    def issue(self, service: str, priority: bool):
        ticket, created = store.issue_ticket(
            self.db, self.settings, self.settings.service(service), priority, self._tick(), print_job=False
        )
        assert created and ticket["status"] == "waiting" and ticket["id"] not in self.model
        self.model[ticket["id"]] = Expected(
            ticket["day"], ticket["number"], service, priority, "waiting", ticket["queued_at"]
        )
        return ticket["id"]

    @rule(counter_id=st.sampled_from(COUNTER_IDS))
    def call_next(self, counter_id: int):
        counter = self.settings.counter(counter_id)
        held = [t for t in self.model.values() if t.counter == counter_id and t.status in ("called", "serving")]
        waiting = [
            (t.priority, t.queued_at, ticket_id)
            for ticket_id, t in self.model.items()
            if t.status == "waiting" and t.service in counter.services
        ]
        if held:
            with pytest.raises(BadTransition) as refused:
                store.call_next(self.db, counter, self._tick(), self.settings.queue.max_consecutive_priority)
            assert refused.value.code == "counter_busy"
            return
        called = store.call_next(self.db, counter, self._tick(), self.settings.queue.max_consecutive_priority)
        if not waiting:
            assert called is None
            return
        assert called is not None
        ticket, _ = called
        expected = self.model[ticket["id"]]
        assert (expected.status, expected.service in counter.services) == ("waiting", True)
        # The oldest waiting ticket of its class (priority or regular): nobody of that class is skipped.
        same_class = sorted(
            (queued_at, ticket_id) for priority, queued_at, ticket_id in waiting if priority == expected.priority
        )
        assert same_class[0][1] == ticket["id"]
        assert (ticket["status"], ticket["counter_id"]) == ("called", counter_id)
        expected.status, expected.counter = "called", counter_id

    @rule(ticket_id=tickets, action=st.sampled_from(STAFF_ACTIONS))
    def staff_action(self, ticket_id: int, action: str):
        expected = self.model[ticket_id]
        allowed_from, target = LEGAL[action]
        if expected.status not in allowed_from:
            with pytest.raises(BadTransition):
                store.transition(self.db, ticket_id, action, self._tick())
            return
        ticket, _ = store.transition(self.db, ticket_id, action, self._tick())
        assert ticket["status"] == target
        expected.status = target
        if action == "requeue":
            expected.counter, expected.queued_at = None, ticket["queued_at"]

    @rule(ticket_id=tickets, service=st.sampled_from(SERVICE_CODES))
    def transfer(self, ticket_id: int, service: str):
        expected = self.model[ticket_id]
        if expected.service == service:
            with pytest.raises(BadRequest):
                store.transfer(self.db, ticket_id, self.settings.service(service), self._tick())
            return
        if expected.status not in LEGAL["transfer"][0]:
            with pytest.raises(BadTransition):
                store.transfer(self.db, ticket_id, self.settings.service(service), self._tick())
            return
        ticket = store.transfer(self.db, ticket_id, self.settings.service(service), self._tick())
        assert (ticket["status"], ticket["service"], ticket["number"]) == ("waiting", service, expected.number)
        expected.status, expected.service, expected.counter = "waiting", service, None

    @rule()
    def next_office_day(self):
        self.now = (self.now + timedelta(days=1)).replace(hour=8, minute=0, second=0)

    # ------------------------------------------------------------ invariants

    @invariant()
    def numbers_are_unique_and_gap_free_per_day_and_service(self):
        rows = self.db.conn.execute("SELECT day, origin_service, seq, number FROM tickets").fetchall()
        numbered: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            numbered.setdefault((row["day"], row["origin_service"]), []).append(row["seq"])
            prefix = self.settings.service(row["origin_service"]).prefix
            assert row["number"] == queue.format_number(prefix, row["seq"])
        for seqs in numbered.values():
            assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert len({(row["day"], row["number"]) for row in rows}) == len(rows)

    @invariant()
    def every_ticket_is_where_the_model_says_and_its_log_ends_there(self):
        rows = self.db.conn.execute(
            "SELECT t.id, t.status, t.service, t.counter_id, t.number,"
            " (SELECT to_status FROM ticket_events e WHERE e.ticket_id = t.id ORDER BY e.id DESC LIMIT 1) AS logged,"
            " (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.action = 'issue') AS issues"
            " FROM tickets t"
        ).fetchall()
        assert len(rows) == len(self.model)
        for row in rows:
            expected = self.model[row["id"]]
            assert row["status"] in STATES
            assert (row["status"], row["service"], row["number"]) == (
                expected.status,
                expected.service,
                expected.number,
            )
            assert (row["logged"], row["issues"]) == (row["status"], 1)
            if row["status"] in ("called", "serving"):
                assert row["counter_id"] == expected.counter

    @invariant()
    def a_counter_holds_at_most_one_ticket(self):
        rows = self.db.conn.execute(
            "SELECT counter_id, COUNT(*) AS held FROM tickets WHERE status IN ('called', 'serving') GROUP BY counter_id"
        ).fetchall()
        assert all(row["held"] == 1 and row["counter_id"] in COUNTER_IDS for row in rows)
        for counter_id in COUNTER_IDS:
            held = store.held_ticket(self.db, counter_id)
            mine = [
                ticket_id
                for ticket_id, t in self.model.items()
                if t.counter == counter_id and t.status in ("called", "serving")
            ]
            assert ([held["id"]] if held else []) == mine

    @invariant()
    def counts_per_state_add_up_to_the_numbers_issued(self):
        for day in {t.day for t in self.model.values()}:
            issued = sum(store.issued_counts(self.db, day).values())
            counted = sum(sum(states.values()) for states in store.status_counts(self.db, day).values())
            assert counted == issued == sum(t.day == day for t in self.model.values())


OfficeDay.TestCase.settings = settings(
    max_examples=150, stateful_step_count=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
test_queue_state_machine = OfficeDay.TestCase
