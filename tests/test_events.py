"""Live events: the in-process publisher and the SSE stream through a real waitress server."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from urllib.parse import quote, urlsplit

import pytest
import requests

from kiosk.office.publisher import Publisher, StreamSlots, format_sse
from tests.support import LiveServer, add_staff, free_counter, make_app, wait_until

# ---------------------------------------------------------------- publisher


def test_every_subscriber_gets_each_event_and_filters_apply():
    publisher = Publisher()
    everyone = [publisher.subscribe() for _ in range(3)]
    counter_two = publisher.subscribe(lambda event, data: event != "call" or data["counter"] == 2)

    assert publisher.publish("call", {"counter": 1}, event_id=7) == 3
    assert publisher.publish("queue", {"services": []}) == 4

    for subscription in everyone:
        assert subscription.get(timeout=1) == (7, format_sse("call", {"counter": 1}, 7))
        assert subscription.get(timeout=1) == (None, 'event: queue\ndata: {"services":[]}\n\n')
    assert counter_two.get(timeout=1)[1].startswith("event: queue")
    assert counter_two.mailbox.empty()


def test_unsubscribe_and_a_subscriber_that_cannot_keep_up_is_closed():
    publisher = Publisher()
    gone, slow = publisher.subscribe(), publisher.subscribe()
    publisher.unsubscribe(gone)
    publisher.unsubscribe(gone)  # twice is harmless
    assert publisher.subscriber_count == 1 and gone.closed

    for number in range(slow.mailbox.maxsize + 1):
        publisher.publish("queue", {"n": number})

    assert publisher.subscriber_count == 0 and slow.closed
    items = [slow.mailbox.get_nowait() for _ in range(slow.mailbox.qsize())]
    assert items[-1] is None  # the stream is told to end; the browser reconnects and catches up


def test_a_snapshot_made_before_a_call_never_reaches_a_screen_after_that_call():
    """A queue snapshot is read on the publisher's own thread; a call is published by the request that made it.

    Were the stale snapshot (loket 1 empty) delivered after the call event (loket 1 calls A-001), the display
    would clear the call it had just shown: screens must see a snapshot either before the call or fresh.
    """
    publisher = Publisher(coalesce_seconds=0)
    screen = publisher.subscribe()
    office = {"loket_1": None}
    reading, read = threading.Event(), threading.Event()

    def snapshot() -> dict:
        seen = dict(office)  # the database read, before the call commits ...
        reading.set()
        read.wait(timeout=5)  # ... and the snapshot still on its way to the screens
        return seen

    publisher.publish_latest("queue", snapshot)
    assert reading.wait(timeout=5)

    def call() -> None:  # the request: commit, then announce
        office["loket_1"] = "A-001"
        publisher.publish("call", {"number": "A-001", "counter": 1}, event_id=1)

    caller = threading.Thread(target=call)
    caller.start()
    caller.join(timeout=0.5)  # long enough for an unordered publish to overtake the snapshot
    read.set()
    caller.join(timeout=5)
    assert not caller.is_alive()

    received = [screen.get(timeout=5)[1] for _ in range(2)]
    publisher.close_all()
    events = [text.split("event: ", 1)[1].split("\n", 1)[0] for text in received]
    assert events == ["queue", "call"], received  # the stale snapshot went out before the call, never after it


def test_stream_slots_cap_in_all_and_per_client_address():
    slots = StreamSlots(limit=3, per_client=2)
    assert [slots.take("10.0.0.5"), slots.take("10.0.0.5"), slots.take("10.0.0.5")] == [True, True, False]
    assert [slots.take("10.0.0.6"), slots.take("10.0.0.7")] == [True, False]  # 3 open: the server is full
    slots.give_back("10.0.0.5")
    assert slots.open_count == 2 and slots.take("10.0.0.7")
    for client in ("10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.7"):  # one extra give-back is harmless
        slots.give_back(client)
    assert slots.open_count == 0 and slots.take("10.0.0.5") and slots.take("10.0.0.5")


# ---------------------------------------------------------------- SSE over HTTP


class SseClient:
    """A minimal Server-Sent Events reader over a raw HTTP connection."""

    def __init__(
        self, base_url: str, path: str = "/api/events", headers: dict | None = None, source: str | None = None
    ):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=5, source_address=(source, 0) if source else None
        )
        self.connection.request("GET", path, headers=headers or {})
        self.sock = self.connection.sock  # http.client lets go of it once a streamed answer starts
        self.response = self.connection.getresponse()
        self.comments: list[str] = []

    def next_event(self, timeout: float = 3.0) -> dict:
        """Return the next event as {"event", "id", "data"} (comments are collected, "retry" skipped)."""
        self.sock.settimeout(timeout)
        fields: dict = {}
        while True:
            line = self.response.fp.readline().decode()
            if line == "":
                raise EOFError("stream ended")
            line = line.rstrip("\n")
            if line.startswith(":"):
                self.comments.append(line)
            elif line == "":
                if "event" in fields or "data" in fields:
                    if "data" in fields:
                        fields["data"] = json.loads(fields["data"])
                    return fields
                fields = {}
            else:
                name, _, value = line.partition(": ")
                if name in ("event", "id", "data"):
                    fields[name] = value

    def events_until(self, name: str, timeout: float = 3.0) -> list[dict]:
        """Read events up to and including the first one called ``name``."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(max(0.05, deadline - time.monotonic()))
            seen.append(event)
            if event["event"] == name:
                return seen

    def queue_where(self, holds, reads: int = 3) -> list[dict]:
        """Read events up to the first "queue" event whose data ``holds``, within ``reads`` queue events.

        Queue events are snapshots coalesced by a thread of their own: one taken before an action may still be
        delivered after that action's own event; the next one follows it.
        """
        seen: list[dict] = []
        for _ in range(reads):
            seen += self.events_until("queue")
            if holds(seen[-1]["data"]):
                return seen
        raise AssertionError(f"no queue event in {reads} held: {[e['data'] for e in seen if e['event'] == 'queue']}")

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.response.close()
        self.sock.close()


@pytest.fixture
def server(tmp_path):
    app = make_app(tmp_path)
    add_staff(app)
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.2
    live = LiveServer(app).start(workers=False)
    yield live
    live.stop()


def _call(server: LiveServer, headers: dict, counter: int = 1, service: str = "REKAM") -> dict:
    server.post("/api/tickets", json={"service": service}).raise_for_status()
    free_counter(server, headers, counter)
    answer = server.post(f"/api/counters/{counter}/next", headers=headers)
    assert answer.status_code == 200
    return answer.json()["ticket"]


def _opened(server: LiveServer, path: str = "/api/events", headers: dict | None = None) -> SseClient:
    client = SseClient(server.url, path, headers)
    assert client.response.status == 200
    assert client.response.getheader("Content-Type").startswith("text/event-stream")
    assert client.events_until("printer")[0]["event"] == "queue"  # the snapshot on connect
    return client


def test_several_streams_each_receive_a_call_with_its_event_id(server):
    headers = server.login()
    streams = [_opened(server) for _ in range(3)]
    assert server.runtime.events.subscriber_count == 3

    ticket = _call(server, headers)

    calls = [stream.events_until("call")[-1] for stream in streams]
    assert {c["data"]["number"] for c in calls} == {ticket["number"]}
    assert len({c["id"] for c in calls}) == 1
    call = calls[0]["data"]
    assert call["id"] == int(calls[0]["id"])
    assert call["counter"] == 1 and call["counter_name"] == "Loket 1" and call["recall"] is False
    assert call["announcement"] == "Nomor antrean A, satu, silakan menuju loket satu"
    assert call["audio_url"] == f"/api/announcements/{call['id']}.wav"
    # and the waiting counts follow the call (the issue's own snapshot may still come first)
    streams[0].queue_where(lambda queue: {"code": "REKAM", "waiting": 0} in queue["services"], reads=2)
    for stream in streams:
        stream.close()


def test_a_recall_is_a_call_event_with_recall_true(server):
    headers = server.login()
    stream = _opened(server)
    ticket = _call(server, headers)
    first = stream.events_until("call")[-1]
    assert server.post(f"/api/tickets/{ticket['id']}/recall", headers=headers).status_code == 200
    again = stream.events_until("call")[-1]
    assert again["data"]["number"] == ticket["number"] and again["data"]["recall"] is True
    assert int(again["id"]) > int(first["id"])
    stream.close()


@pytest.mark.parametrize("resume", ["header", "query"])
def test_a_stream_resumes_after_the_last_event_id_without_duplicates(server, resume):
    headers = server.login()
    stream = _opened(server)
    first = _call(server, headers)
    last_id = stream.events_until("call")[-1]["id"]
    stream.close()

    missed = [_call(server, headers, counter=2, service="CETAK"), _call(server, headers, counter=3, service="IKD")]

    if resume == "header":
        again = SseClient(server.url, headers={"Last-Event-ID": last_id})
    else:
        again = SseClient(server.url, f"/api/events?last_event_id={last_id}")
    replay = again.events_until("queue")
    assert [(e["event"], e["data"].get("number")) for e in replay] == [
        ("call", missed[0]["number"]),
        ("call", missed[1]["number"]),
        ("queue", None),
    ]
    assert int(replay[0]["id"]) < int(replay[1]["id"])
    assert first["number"] not in {e["data"].get("number") for e in replay}

    live = _call(server, headers)
    events = again.events_until("call")
    assert [e["data"]["number"] for e in events if e["event"] == "call"] == [live["number"]]
    again.close()


def test_heartbeat_comment_and_ping_event_keep_an_idle_stream_alive(server):
    stream = _opened(server)
    # Heartbeat every 0.2 s here: waiting up to 5 s (a third of the default 15 s) tolerates a loaded machine.
    ping = stream.events_until("ping", timeout=5)[-1]
    assert ping == {"event": "ping", "data": {}}
    assert ": ping" in stream.comments
    stream.close()


def test_a_departed_client_is_cleaned_up(server):
    staying, leaving = _opened(server), _opened(server)
    assert server.runtime.events.subscriber_count == 2
    leaving.close()
    wait_until(lambda: server.runtime.events.subscriber_count == 1, timeout=5)
    staying.events_until("ping", timeout=2)  # the other stream is unaffected
    staying.close()
    wait_until(lambda: server.runtime.events.subscriber_count == 0, timeout=5)


def test_filters_by_counter_and_by_service(server):
    headers = server.login()
    by_counter = _opened(server, "/api/events?counters=2,3")
    by_service = _opened(server, "/api/events?services=REKAM")

    rekam_at_1 = _call(server, headers, counter=1, service="REKAM")
    cetak_at_2 = _call(server, headers, counter=2, service="CETAK")

    assert [e["data"]["number"] for e in by_counter.events_until("call") if e["event"] == "call"] == [
        cetak_at_2["number"]
    ]
    assert [e["data"]["number"] for e in by_service.events_until("call") if e["event"] == "call"] == [
        rekam_at_1["number"]
    ]
    # queue events are never filtered: every screen needs the counts
    by_service.events_until("queue")
    by_counter.close()
    by_service.close()


@pytest.mark.serial  # a time bound: alone on the machine
def test_streams_end_at_once_when_the_server_stops(tmp_path):
    app = make_app(tmp_path)  # the default 15 s heartbeat: ending must not wait for it
    server = LiveServer(app).start(workers=False)
    stream = _opened(server)
    started = time.monotonic()
    server.runtime.events.close_all()
    with pytest.raises(EOFError):
        stream.events_until("call", timeout=3)
    assert time.monotonic() - started < 1.0
    assert server.runtime.events.subscriber_count == 0
    stream.close()
    server.stop()


def test_kiosk_requests_still_answer_with_a_dozen_streams_open(tmp_path):
    app = make_app(
        tmp_path,
        server__threads=16,
        server__max_streams=12,
        server__max_streams_per_client=12,
        server__reserved_streams=0,
    )
    add_staff(app)
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.2
    server = LiveServer(app).start(workers=False)
    try:
        streams = [_opened(server) for _ in range(12)]  # each holds a waitress thread
        assert server.runtime.events.subscriber_count == 12

        answer = server.post("/api/tickets", json={"service": "REKAM"})  # answers (timed in bench/streams.py)
        assert answer.status_code == 201

        headers = server.login()
        called = server.post("/api/counters/1/next", headers=headers).json()["ticket"]
        for stream in streams:
            assert stream.events_until("call")[-1]["data"]["number"] == called["number"]
            stream.close()
    finally:
        server.stop()


# ---------------------------------------------------------------- stream caps


@pytest.fixture
def capped(tmp_path):
    """An office whose 8 threads allow 4 streams, 2 per client address, none kept for screens (15 s heartbeat)."""
    app = make_app(
        tmp_path, server__threads=8, server__max_streams=4, server__max_streams_per_client=2, server__reserved_streams=0
    )
    live = LiveServer(app).start(workers=False)
    yield live
    live.stop()


def _open_streams(server: LiveServer) -> int:
    return server.app.extensions["kiosk.streams"].open_count


def _attempt(server: LiveServer, source: str) -> SseClient:
    stream = SseClient(server.url, source=source)
    if stream.response.status == 200:
        assert stream.events_until("printer")[0]["event"] == "queue"
    return stream


def _assert_refused(stream: SseClient) -> None:
    assert stream.response.status == 503
    assert stream.response.getheader("Retry-After").isdigit()
    assert json.loads(stream.response.read())["error"]["code"] == "too_many_streams"


def test_streams_beyond_the_cap_are_refused_and_the_office_keeps_answering(capped):
    attempts = [_attempt(capped, f"127.0.0.{host}") for host in range(1, 7) for _ in range(2)]  # 3x the cap
    opened = [s for s in attempts if s.response.status == 200]
    assert len(opened) == 4 and _open_streams(capped) == 4
    for stream in attempts:
        if stream not in opened:
            _assert_refused(stream)

    # Threads are left for everyone else: health and issuing answer at once (timed in bench/streams.py).
    assert requests.get(capped.url + "/healthz", timeout=5).status_code == 200
    assert requests.post(capped.url + "/api/tickets", json={"service": "REKAM"}, timeout=5).status_code == 201
    for stream in opened:
        stream.close()


def test_one_client_address_cannot_take_every_stream(capped):
    mine = [_attempt(capped, "127.0.0.1") for _ in range(3)]
    assert [s.response.status for s in mine] == [200, 200, 503]
    _assert_refused(mine[2])
    other = _attempt(capped, "127.0.0.2")
    assert other.response.status == 200  # the server as a whole still has room
    for stream in (*mine[:2], other):
        stream.close()


def test_a_closed_stream_frees_its_slot_within_seconds(capped):
    first = [_attempt(capped, f"127.0.0.{host}") for host in (1, 1, 2, 2)]
    assert all(s.response.status == 200 for s in first)
    _assert_refused(_attempt(capped, "127.0.0.3"))
    for stream in first:
        stream.close()
    # Well before the 15 s heartbeat would have found out by a failed write.
    wait_until(lambda: _open_streams(capped) == 0 and capped.runtime.events.subscriber_count == 0, timeout=5)
    again = [_attempt(capped, f"127.0.0.{host}") for host in (3, 3, 4, 4)]
    assert [s.response.status for s in again] == [200] * 4
    for stream in again:
        stream.close()


# ---------------------------------------------------------------- privacy of public shapes

PUBLIC_TICKET_KEYS = {"number", "service", "status", "counter", "called_at"}


def test_no_public_shape_carries_an_issued_tickets_token_or_id(server):
    headers = server.login()
    stream = _opened(server)
    tickets = [
        server.post("/api/tickets", json={"service": code}).json()["ticket"] for code in ("REKAM", "CETAK", "REKAM")
    ]
    called = server.post("/api/counters/1/next", headers=headers).json()["ticket"]
    serving = server.post("/api/counters/2/next", headers=headers).json()["ticket"]
    assert server.post(f"/api/tickets/{serving['id']}/serve", headers=headers).status_code == 200
    secrets = {t["token"] for t in tickets}
    seen = stream.events_until("call") + stream.events_until("call")
    seen += stream.queue_where(lambda queue: sum(1 for c in queue["counters"] if c["ticket"]) == 2)

    live_counters = [e["data"]["counters"] for e in seen if e["event"] == "queue"]
    held_live = [c["ticket"] for c in live_counters[-1] if c["ticket"]]
    assert [set(t) for t in held_live] == [PUBLIC_TICKET_KEYS] * 2
    queue = server.get("/api/queue").json()
    held = [c["ticket"] for c in queue["counters"] if c["ticket"]]
    assert {t["number"]: set(t) for t in held} == {
        called["number"]: PUBLIC_TICKET_KEYS,
        serving["number"]: PUBLIC_TICKET_KEYS,
    }
    assert {t["number"]: t["status"] for t in held} == {called["number"]: "called", serving["number"]: "serving"}
    public_texts = {
        "/api/queue": json.dumps(queue),
        "/api/events": json.dumps(seen),
        "/display": server.get("/display").text,
    }
    # The phone page of the waiting ticket carries its own token, and no one else's.
    waiting = tickets[2]
    phone = server.get(f"/t/{waiting['token']}").text
    public_texts["/t/<other>"] = phone.replace(waiting["token"], "")
    for where, text in public_texts.items():
        assert [s for s in secrets if s in text] == [], where
        assert "/t/" not in text or where == "/t/<other>", where
    stream.close()


# ---------------------------------------------------------------- subscriptions never leak


def _refused(server: LiveServer, path: str, headers: dict | None = None) -> dict:
    """GET a stream that must be refused; return the error body (a stream that opens fails the test)."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.putrequest("GET", path)
    for name, value in (headers or {}).items():
        connection.putheader(name, value.encode())  # raw UTF-8 bytes, as a hostile client may send
    connection.endheaders()
    response = connection.getresponse()
    try:
        assert response.status == 400, response.status
        return json.loads(response.read())["error"]
    finally:
        connection.close()


@pytest.mark.parametrize("last_event_id", ["²", "٣", "1" * 20, str(2**63), "-1", "1e3", "0x10", "x"])
def test_a_last_event_id_that_is_not_an_ascii_id_is_a_400_and_subscribes_nothing(server, last_event_id):
    by_header = _refused(server, "/api/events", {"Last-Event-ID": last_event_id})
    by_query = _refused(server, "/api/events?last_event_id=" + quote(last_event_id))
    for error in (by_header, by_query):
        assert error["code"] == "bad_request"
        assert "Last-Event-ID" in error["message"]
    assert server.runtime.events.subscriber_count == 0


def test_the_largest_sqlite_id_is_accepted(server):
    stream = SseClient(server.url, headers={"Last-Event-ID": str(2**63 - 1)})
    assert stream.response.status == 200
    assert stream.events_until("printer")[0]["event"] == "queue"
    stream.close()


def test_head_requests_and_refused_streams_leave_no_subscriber_behind(server):
    for _ in range(200):
        assert server.session.head(server.url + "/api/events", timeout=10).status_code == 200
    assert server.runtime.events.subscriber_count == 0
    for _ in range(200):
        assert server.get("/api/events", headers={"Last-Event-ID": "²"}).status_code == 400
    assert server.runtime.events.subscriber_count == 0
    stream = _opened(server)  # and a real stream still subscribes and leaves
    assert server.runtime.events.subscriber_count == 1
    stream.close()
    wait_until(lambda: server.runtime.events.subscriber_count == 0, timeout=5)


# ---------------------------------------------------------------- slots kept for screens (issue 20, item 18)


@pytest.fixture
def reserving(tmp_path):
    """Six streams in all, one per address, two of them kept for displays and counters."""
    app = make_app(
        tmp_path,
        server__threads=16,
        server__max_streams=6,
        server__max_streams_per_client=1,
        server__reserved_streams=2,
    )
    add_staff(app)
    live = LiveServer(app).start(workers=False)
    yield live
    live.stop()


def test_six_phones_cannot_push_the_display_and_the_counter_back_to_polling(reserving):
    phones = [_attempt(reserving, f"127.0.0.{host}") for host in range(2, 8)]
    assert [s.response.status for s in phones] == [200] * 4 + [503] * 2  # the phones' share is 4 of 6
    _assert_refused(phones[4])
    claiming = _attempt(reserving, "127.0.0.10")  # a phone claiming to be a counter, without a staff session
    assert claiming.response.status == 503
    display = SseClient(reserving.url, "/api/events?screen=display", source="127.0.0.8")
    assert display.response.status == 200 and display.events_until("printer")[0]["event"] == "queue"
    cookie = reserving.session.post(
        reserving.url + "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}
    ).cookies
    counter = SseClient(
        reserving.url,
        "/api/events?screen=counter",
        source="127.0.0.9",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookie.items())},
    )
    assert counter.response.status == 200
    assert _open_streams(reserving) == 6
    for stream in (*phones, claiming, display, counter):
        stream.close()
    wait_until(lambda: _open_streams(reserving) == 0, timeout=5)
