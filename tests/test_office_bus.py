"""The office's event bus: every committed change is announced, whether or not a screen listens."""

from __future__ import annotations

import logging

from kiosk.office.bus import (
    Event,
    EventBus,
    PrinterStateChanged,
    QueueChanged,
    ReprintQueued,
    SettingsChanged,
    TicketCalled,
    TicketIssued,
    TicketMoved,
    TicketsExpired,
)
from kiosk.storage import tickets as store
from tests.support import wait_until


def test_a_subscriber_hears_an_issued_ticket_with_no_screen_connected(live_server):
    runtime = live_server.runtime
    heard: list[Event] = []
    runtime.bus.subscribe(TicketIssued, heard.append)
    assert runtime.events.subscriber_count == 0  # no display, counter or phone follows the live stream

    answer = live_server.post("/api/tickets", json={"service": "REKAM"})

    assert answer.status_code == 201
    ticket = answer.json()["ticket"]
    assert heard == [TicketIssued(ticket["id"], ticket["number"], "REKAM", heard[0].day, False, True)]
    again = live_server.post("/api/tickets", json={"service": "REKAM"}, headers={"Idempotency-Key": "k-1"})
    live_server.post("/api/tickets", json={"service": "REKAM"}, headers={"Idempotency-Key": "k-1"})
    assert [event.ticket_id for event in heard] == [ticket["id"], again.json()["ticket"]["id"]]  # a retry is no news


def test_a_failing_subscriber_never_breaks_issuing_nor_the_other_subscribers(live_server, caplog):
    runtime = live_server.runtime
    heard: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("the SMS gateway is down")

    runtime.bus.subscribe(None, broken)
    runtime.bus.subscribe(TicketIssued, heard.append)

    with caplog.at_level(logging.ERROR, logger="kiosk.office.bus"):
        answer = live_server.post("/api/tickets", json={"service": "REKAM"})

    assert answer.status_code == 201
    assert [event.number for event in heard] == [answer.json()["ticket"]["number"]]
    assert "the SMS gateway is down" in caplog.text
    # The print worker, a subscriber too, still woke and printed the ticket.
    wait_until(lambda: store.get_ticket(runtime.db, heard[0].ticket_id)["print_status"] == "printed")


def test_events_come_after_commit_so_a_subscriber_reads_the_change(live_server):
    runtime = live_server.runtime
    seen: list[tuple[str, str]] = []

    def read_back(event: Event) -> None:
        # Another connection (as an SMS or sync thread would have): sees only what is committed.
        from kiosk.storage.db import Database

        other = Database(runtime.db.path)
        try:
            ticket = store.get_ticket(other, event.ticket_id)
            seen.append((type(event).__name__, ticket["status"]))
        finally:
            other.close()

    runtime.bus.subscribe((TicketIssued, TicketCalled, TicketMoved), read_back)
    headers = live_server.login()
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    assert live_server.post("/api/counters/1/next", headers=headers).json()["ticket"]["id"] == ticket["id"]
    live_server.post(f"/api/tickets/{ticket['id']}/recall", headers=headers).raise_for_status()
    live_server.post(f"/api/tickets/{ticket['id']}/serve", headers=headers).raise_for_status()
    live_server.post(f"/api/tickets/{ticket['id']}/done", headers=headers).raise_for_status()

    assert seen == [
        ("TicketIssued", "waiting"),
        ("TicketCalled", "called"),
        ("TicketCalled", "called"),
        ("TicketMoved", "serving"),
        ("TicketMoved", "done"),
    ]


def test_each_change_of_the_office_is_announced_once(live_server):
    runtime = live_server.runtime
    heard: list[Event] = []
    runtime.bus.subscribe(None, heard.append)
    staff, admin = live_server.login(), None
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    live_server.post(f"/api/tickets/{ticket['id']}/reprint", headers=staff).raise_for_status()
    live_server.post(
        f"/api/tickets/{ticket['id']}/transfer", json={"service": "INFO"}, headers=staff
    ).raise_for_status()
    live_server.post("/api/logout", headers=staff)
    admin = live_server.login("kepala", "rahasia-Admin1")
    live_server.session.patch(
        live_server.url + "/api/services/UBAH", json={"open": False}, headers=admin
    ).raise_for_status()
    live_server.session.patch(
        live_server.url + "/api/admin/settings", json={"office": {"name": "Kantor Uji"}}, headers=admin
    ).raise_for_status()

    kinds = [type(event) for event in heard if not isinstance(event, PrinterStateChanged)]
    assert kinds == [TicketIssued, ReprintQueued, TicketMoved, QueueChanged, SettingsChanged]
    moved = next(event for event in heard if isinstance(event, TicketMoved))
    assert (moved.action, moved.service) == ("transfer", "INFO")


def test_housekeeping_announces_expired_tickets_instead_of_calling_the_screens(app, clock):
    runtime = app.extensions["kiosk"]
    heard: list[Event] = []
    runtime.bus.subscribe(TicketsExpired, heard.append)
    client = app.test_client()
    assert client.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    version = runtime.state_version

    clock.advance(days=1)
    assert runtime.housekeep() == 1

    assert heard == [TicketsExpired(1)]
    assert runtime.state_version > version  # the /api/queue cache is dropped, no screen needed for that


def test_the_bus_calls_by_type_and_unsubscribes():
    bus = EventBus()
    every, issued = [], []
    bus.subscribe(None, every.append)
    stop = bus.subscribe(TicketIssued, issued.append)
    first = TicketIssued(1, "A-001", "REKAM", "2026-11-25", False, True)
    bus.emit(first)
    bus.emit(QueueChanged("service_override", service="REKAM"))
    stop()
    bus.emit(first)
    assert issued == [first] and len(every) == 3


def test_status_work_is_announced_and_the_nik_stays_out_of_its_text(staff_client, app):
    from kiosk.office.bus import CardHandedOver, CardsReady, StatusChanged
    from tests.test_status_staff import AGUS, BUDI, SITI, _serve_pickup, seed

    seed(app, BUDI, "Budi Santoso", "1990-08-17", "CARD_SHIPPED")
    seed(app, SITI, "Siti Aminah", "1990-08-17", "READY_FOR_PICKUP")
    seed(app, AGUS, "Agus Salim", "1985-05-03", "PRINT_READY_RECORD")
    heard: list[Event] = []
    app.extensions["kiosk"].bus.subscribe((StatusChanged, CardsReady, CardHandedOver), heard.append)
    client, headers = staff_client

    client.post(
        "/api/applications/status", json={"nik": AGUS, "status": "CARD_PRINTED", "note": "dicetak"}, headers=headers
    )
    client.post("/api/applications/ready", json={"niks": [BUDI, SITI]}, headers=headers)
    ticket = _serve_pickup(app, client, headers)
    client.post("/api/applications/handover", json={"nik": SITI, "ticket": ticket["id"]}, headers=headers)

    assert heard == [
        StatusChanged("CARD_PRINTED", "updated", AGUS),
        CardsReady((BUDI,)),
        CardHandedOver(ticket["id"], ticket["number"], SITI),
    ]
    assert not any(nik in repr(heard) for nik in (AGUS, BUDI, SITI))
