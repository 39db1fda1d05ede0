"""The waiting-room display in real Chromium: live calls, announcements, restarts, sound fallbacks."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pytest
import requests

from kiosk.devices.speech import Speech
from tests.support import LiveServer, add_staff, free_counter, make_app, wait_until

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save screenshots there (docs/screenshots)


@pytest.fixture
def office(tmp_path):
    server = LiveServer(_office_app(tmp_path, staff=True)).start()
    yield server
    server.stop()


def _office_app(tmp_path: Path, staff: bool = False):
    app = make_app(tmp_path)
    app.config["SSE_HEARTBEAT_SECONDS"] = 1.0
    if staff:
        add_staff(app)
    return app


def _open_display(new_page, server, width=1920, height=1080, query=""):
    page = new_page(width, height)
    page.goto(server.url + "/display" + query)
    page.wait_for_selector("#connection[data-state=online]", state="attached", timeout=5000)
    return page


def _call(server, headers, service="REKAM", counter=1) -> dict:
    server.post("/api/tickets", json={"service": service}).raise_for_status()
    free_counter(server, headers, counter)
    answer = server.post(f"/api/counters/{counter}/next", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["ticket"]


def _announced(page) -> list[dict]:
    return page.evaluate("window.__announced.slice()")


def test_a_call_shows_within_a_second_flashes_and_is_spoken(new_page, office):
    headers = office.login()
    page = _open_display(new_page, office)
    latencies = []
    for service, counter in (("REKAM", 1), ("CETAK", 2), ("IKD", 3)):  # each loket still holds its call
        office.post("/api/tickets", json={"service": service}).raise_for_status()
        sent = time.time()
        free_counter(office, headers, counter)
        ticket = office.post(f"/api/counters/{counter}/next", headers=headers).json()["ticket"]
        page.wait_for_function("n => window.__received.some(c => c.number === n)", arg=ticket["number"], timeout=2000)
        received = page.evaluate("n => window.__received.find(c => c.number === n).at", ticket["number"])
        latencies.append(received / 1000 - sent)
    assert max(latencies) < 1.0, latencies
    print(
        f"call -> display latency: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"worst {max(latencies) * 1000:.0f} ms"
    )

    # the first call is on the big panel with its counter, flashing, and spoken from the server's WAV
    page.wait_for_function("() => window.__announced.length >= 1")
    assert page.inner_text("#current-number") == "A-001"
    assert page.inner_text("#current-counter") == "Loket 1"
    assert "flash" in page.get_attribute("#current", "class")
    wait_until(lambda: _announced(page)[0]["via"] != "pending", timeout=15)
    assert _announced(page)[0]["via"] == "wav"
    # under the big panel, the other calls, newest first, one entry per number
    assert page.locator(".recent-row:not([hidden]) .recent-number").all_inner_texts() == ["E-001", "B-001"]


def test_calls_arriving_together_are_announced_in_turn_and_a_recall_again(new_page, office):
    headers = office.login()
    page = _open_display(new_page, office)
    ticket = _call(office, headers)
    assert office.post(f"/api/tickets/{ticket['id']}/recall", headers=headers).status_code == 200

    page.wait_for_function("() => window.__received.length === 2", timeout=2000)
    assert page.evaluate("window.__display.pending()") == 1  # the recall waits its turn
    page.wait_for_function("() => window.__announced.length === 2", timeout=20000)
    first, again = _announced(page)
    assert (first["number"], first["recall"]) == (ticket["number"], False)
    assert (again["number"], again["recall"]) == (ticket["number"], True)
    # one after the other: the chime (1.2 s) and the sentence (~5 s) of the first came in between
    assert again["at"] - first["at"] > 4000
    assert first["via"] == "wav"
    assert page.is_visible("#current-recall")


def test_the_display_survives_a_server_restart_without_reloading(new_page, tmp_path):
    first = LiveServer(_office_app(tmp_path, staff=True)).start()
    headers = first.login()
    page = _open_display(new_page, first)
    _call(first, headers)
    page.wait_for_function("() => window.__received.length === 1")
    page.evaluate("window.__marker = 'same page'")
    port = first.port

    first.stop()
    page.wait_for_selector("#connection[data-state=offline]", state="attached", timeout=5000)

    # While the server is down a call is made (e.g. straight after start-up, before the display is back).
    restarted = LiveServer(_office_app(tmp_path), port=port)
    client = restarted.app.test_client()
    token = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    client.post("/api/tickets", json={"service": "CETAK"})
    missed = client.post("/api/counters/2/next", headers={"X-CSRF-Token": token["csrf_token"]}).get_json()["ticket"]
    restarted.start()
    try:
        page.wait_for_selector("#connection[data-state=online]", state="attached", timeout=10000)
        page.wait_for_function("n => window.__received.some(c => c.number === n)", arg=missed["number"], timeout=3000)
        headers = restarted.login()
        live = _call(restarted, headers, service="IKD", counter=3)
        page.wait_for_function("n => window.__received.some(c => c.number === n)", arg=live["number"], timeout=2000)
        assert page.evaluate("window.__marker") == "same page"
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        # Once the live call is announced, the big panel shows it and the missed one is the first earlier call.
        page.wait_for_function(
            "n => document.getElementById('current-number').textContent === n", arg=live["number"], timeout=20000
        )
        recent = page.locator(".recent-row:not([hidden]) .recent-number").all_inner_texts()
        assert recent[0] == missed["number"]
        assert page.inner_text(".loket[data-counter='3'] .loket-number") == live["number"]
        page.wait_for_function("() => window.__announced.length >= 2", timeout=20000)
        assert [a["number"] for a in _announced(page)][:2] == ["A-001", missed["number"]]
    finally:
        restarted.stop()


def test_blocked_autoplay_shows_one_prompt_and_a_tap_enables_sound(new_page, office):
    headers = office.login()
    page = new_page(1920, 1080)
    # Chromium's autoplay policy, as on a TV browser without the kiosk flag: no sound before a gesture.
    page.add_init_script("""
      (() => {
        let gesture = false;
        addEventListener('pointerdown', () => { gesture = true; }, true);
        const play = HTMLMediaElement.prototype.play;
        HTMLMediaElement.prototype.play = function () {
          if (!gesture) return Promise.reject(new DOMException('blocked', 'NotAllowedError'));
          return play.call(this);
        };
      })();
    """)
    page.goto(office.url + "/display")
    page.wait_for_selector("#connection[data-state=online]", state="attached")
    assert page.is_hidden("#sound-prompt")

    _call(office, headers)
    page.wait_for_selector("#sound-prompt", state="visible", timeout=3000)
    assert page.inner_text("#sound-prompt") == "Ketuk untuk mengaktifkan suara"
    wait_until(lambda: _announced(page) and _announced(page)[0]["via"] == "muted")
    assert page.inner_text("#current-number") == "A-001"  # still shown, just silent

    page.click("#sound-prompt")
    assert page.is_hidden("#sound-prompt")
    page.wait_for_function("() => window.__display.pending() === 0 && window.__announced.length === 1")
    _call(office, headers)
    page.wait_for_function("() => window.__announced.length === 2", timeout=10000)
    wait_until(lambda: _announced(page)[1]["via"] != "pending", timeout=15)
    assert _announced(page)[1]["via"] == "wav"
    assert page.locator("#sound-prompt").count() == 1


def test_without_server_speech_the_page_falls_back_without_stalling(new_page, office, tmp_path):
    office.runtime.speech = Speech(tmp_path / "no-speech", espeak=str(tmp_path / "missing-espeak-ng"))
    headers = office.login()
    page = _open_display(new_page, office)
    _call(office, headers)
    _call(office, headers)
    page.wait_for_function("() => window.__announced.length === 2", timeout=20000)
    vias = [entry["via"] for entry in _announced(page)]
    # headless Chromium has no Indonesian voice, so the chime alone; a browser with one speaks
    assert vias[0] in ("speech", "chime")
    assert page.inner_text("#current-number") == "A-002"


def test_memory_stays_bounded_over_many_calls(new_page, office):
    headers = office.login()
    # The service standards take their first turn between calls after 12 s (8 more nodes): a slow machine got
    # there during the calls. Here they wait ten minutes, so only the calls can change the count.
    page = _open_display(new_page, office, query="?standard_seconds=600")
    nodes_before = page.evaluate("document.getElementsByTagName('*').length")
    for _ in range(40):
        office.post("/api/tickets", json={"service": "INFO"})
    for _ in range(20):
        for counter in (2, 3):
            free_counter(office, headers, counter)
            office.post(f"/api/counters/{counter}/next", headers=headers)
    page.wait_for_function("() => window.__received.length >= 40", timeout=5000)
    page.wait_for_function(
        "() => document.querySelector('.waiting-item[data-service=INFO] .count').textContent === '0'", timeout=3000
    )
    state = page.evaluate("""({nodes: document.getElementsByTagName('*').length,
                               pending: window.__display.pending(), received: window.__received.length,
                               rows: document.querySelectorAll('.recent-row').length})""")
    assert state["nodes"] == nodes_before
    assert state["pending"] <= 6  # the announcement queue drops the oldest, never grows
    assert state["received"] <= 50 and state["rows"] == 4


@pytest.mark.parametrize("width,height", [(1920, 1080), (1366, 768)])
def test_the_whole_display_fits_the_screen(new_page, office, width, height):
    headers = office.login()
    for service, counter in (("REKAM", 1), ("CETAK", 2), ("IKD", 3), ("REKAM", 1), ("AMBIL", 2)):
        _call(office, headers, service, counter)
    for service in ("REKAM", "REKAM", "UBAH", "CETAK", "INFO"):
        office.post("/api/tickets", json={"service": service})
    page = _open_display(new_page, office, width, height)
    page.wait_for_function("() => document.querySelectorAll('.recent-row:not([hidden])').length === 4")
    page.wait_for_function(
        "() => document.querySelector('.waiting-item[data-service=REKAM] .count').textContent === '2'"
    )
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight + 1")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1")
    date = page.inner_text("#date")
    assert date.split(", ")[0] in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
    assert page.inner_text("#clock").count(".") == 1
    assert "Siapkan Kartu Keluarga Anda" in page.inner_text(".ticker")
    box = page.locator("#current-number").bounding_box()
    assert box["height"] > height * 0.15  # readable from the back of the room
    if SCREENSHOTS:
        page.evaluate("document.querySelector('.ticker-track').style.animation = 'none'")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"display-{width}x{height}.png"))


def test_the_display_knows_the_queue_before_it_listens_so_no_call_falls_between(new_page, office):
    """The first /api/queue answer says what was called before the page knew (shown, not spoken again); the
    stream then starts after its newest call. Opened the other way round, a call made while that answer
    travelled could reach the page in the answer before the stream: taken as old, never spoken, and the big
    panel left empty once a queue snapshot came in between."""
    headers = office.login()
    page = new_page(1920, 1080)
    order: list[str] = []
    page.on("request", lambda r: order.append("stream opened") if "/api/events" in r.url else None)
    page.on("requestfinished", lambda r: order.append("queue answered") if "/api/queue" in r.url else None)
    early: list[dict] = []

    def call_while_the_first_answer_is_asked(route):
        if not early:  # a call made just as the page loads
            early.append(_call(office, headers))
        route.continue_()

    page.route("**/api/queue", call_while_the_first_answer_is_asked)
    page.goto(office.url + "/display")
    page.wait_for_selector("#connection[data-state=online]", state="attached", timeout=5000)
    assert order[:2] == ["queue answered", "stream opened"], order
    expect_text = "n => document.getElementById('current-number').textContent === n"
    page.wait_for_function(expect_text, arg=early[0]["number"], timeout=5000)  # shown: its loket calls it

    later = _call(office, headers, service="CETAK", counter=2)  # and the next call is spoken
    page.wait_for_function("n => window.__announced.some(c => c.number === n)", arg=later["number"], timeout=5000)
    page.wait_for_function(expect_text, arg=later["number"], timeout=5000)
    assert [c["number"] for c in _announced(page)] == [later["number"]]  # the earlier one is not spoken again


def test_the_first_call_of_the_day_made_just_before_the_stream_opens_is_still_spoken(new_page, office):
    """With no call yet the display's first answer names no call to resume after: the stream opened without a
    resume point and the server replayed nothing, so a call made between that answer and the stream was lost."""
    headers = office.login()
    page = new_page(1920, 1080)
    made: list[dict] = []

    def call_before_the_stream_is_heard(route):
        if not made:
            made.append(_call(office, headers))
        route.continue_()

    page.route("**/api/events**", call_before_the_stream_is_heard)
    page.goto(office.url + "/display")
    page.wait_for_selector("#connection[data-state=online]", state="attached", timeout=5000)
    page.wait_for_function("n => window.__announced.some(c => c.number === n)", arg=made[0]["number"], timeout=5000)
    assert page.inner_text("#current-number") == made[0]["number"]


def test_a_display_refused_a_stream_keeps_up_by_polling(new_page, tmp_path):
    app = make_app(tmp_path, server__max_streams=1, server__max_streams_per_client=1)
    add_staff(app)
    server = LiveServer(app).start()
    occupier = requests.get(server.url + "/api/events", stream=True, timeout=10)  # takes the only stream
    try:
        assert occupier.status_code == 200
        headers = server.login()
        page = new_page(1920, 1080)
        refused = []
        page.on("response", lambda r: refused.append(r.status) if "/api/events" in r.url else None)
        page.goto(server.url + "/display")
        page.wait_for_function("() => window.__display.live.polling()", timeout=5000)
        assert refused and set(refused) == {503}
        # A call made before the page's first /api/queue answer is shown, not announced (it came before
        # the page): wait for that answer, so the call below is a new one.
        page.wait_for_function("() => window.__display.synced()", timeout=5000)

        ticket = _call(server, headers, service="CETAK", counter=2)
        page.wait_for_function(
            "n => document.getElementById('current-number').textContent === n", arg=ticket["number"], timeout=8000
        )
        page.wait_for_function("n => window.__received.some(c => c.number === n)", arg=ticket["number"])
        assert page.inner_text("#current-counter") == "Loket 2"
        server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
        page.wait_for_function(
            "() => document.querySelector('.waiting-item[data-service=REKAM] .count').textContent === '1'", timeout=8000
        )
        assert server.runtime.events.subscriber_count == 1  # only the occupier: the page really polls
    finally:
        occupier.close()
        server.stop()


def test_a_display_gets_a_live_stream_while_phones_hold_every_other_one(new_page, tmp_path):
    """Issue 20 item 18: the page says it is a display (?screen=display) and gets a slot kept for screens."""
    from tests.test_events import SseClient

    app = make_app(tmp_path, server__max_streams=3, server__max_streams_per_client=1, server__reserved_streams=1)
    server = LiveServer(app).start()
    phones = [SseClient(server.url, source=f"127.0.0.{host}") for host in (2, 3, 4)]
    try:
        assert [p.response.status for p in phones] == [200, 200, 503]  # the phones' share is full
        page = new_page(1920, 1080)
        with page.expect_response(lambda r: "/api/events" in r.url, timeout=10000) as stream:
            page.goto(server.url + "/display")
        assert stream.value.status == 200 and "screen=display" in stream.value.url
        page.wait_for_function("() => document.querySelector('#connection[data-state=online]') !== null", timeout=5000)
        assert not page.evaluate("() => window.__display.live.polling()")
        assert server.app.extensions["kiosk.streams"].open_count == 3
    finally:
        for phone in phones:
            phone.close()
        server.stop()


# ---------------------------------------------------------------- read from 6 m: sizes, idle state, every loket

SIX_LOKETS = [
    {"id": number, "name": f"Loket {number}", "services": services}
    for number, services in (
        (1, ["REKAM", "UBAH"]),
        (2, ["CETAK", "AMBIL", "INFO"]),
        (3, ["IKD", "INFO", "AMBIL"]),
        (4, ["REKAM"]),
        (5, ["AMBIL", "CETAK"]),
        (6, ["INFO", "IKD", "UBAH"]),
    )
]
SIZES = [(1920, 1080), (1280, 720)]


def _boxes(page, selector: str) -> list[dict]:
    return [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]


def _inside(box: dict, width: int, height: int) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width + 0.5
        and box["y"] + box["height"] <= height + 0.5
    )


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


@pytest.mark.parametrize("width,height", SIZES)
def test_tile_text_is_at_least_4vh(new_page, office, width, height):
    page = _open_display(new_page, office, width, height)
    sizes = page.evaluate("""() => [...document.querySelectorAll('.waiting-name, .waiting-name b, .waiting-item .count')]
                               .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert len(sizes) == 3 * 6
    assert min(sizes) >= 0.04 * height - 0.01, sizes


@pytest.mark.parametrize("width,height", SIZES)
def test_before_the_first_call_the_display_welcomes_instead_of_a_dash(new_page, office, width, height):
    page = _open_display(new_page, office, width, height)
    page.wait_for_function("() => document.getElementById('current').dataset.state === 'idle'")
    current = page.inner_text("#current")
    assert [line for line in current.split("\n") if line.strip()] == [
        "Selamat datang",
        "Silakan ambil nomor antrean di kios. Nomor Anda akan dipanggil di layar ini.",
    ]
    assert "\u2013" not in current and "silakan menuju" not in current.lower()
    assert page.locator(".recent").is_hidden()  # no empty "earlier calls" line either
    assert _inside(page.locator(".current-idle").bounding_box(), width, height)
    if SCREENSHOTS and width == 1920:
        page.evaluate("() => document.querySelector('.ticker-track').style.animation = 'none'")
        page.screenshot(path=str(Path(SCREENSHOTS) / "display-idle-1920x1080.png"))

    headers = office.login()
    ticket = _call(office, headers)
    page.wait_for_function("() => document.getElementById('current').dataset.state === 'call'")
    assert page.inner_text("#current-number") == ticket["number"]
    assert page.locator(".current-idle").is_hidden()


@pytest.mark.parametrize("lokets", [3, 6])
@pytest.mark.parametrize("width,height", SIZES)
def test_every_lokets_number_is_visible_beside_the_latest_call(new_page, tmp_path, lokets, width, height):
    app = make_app(tmp_path, **({"counters": SIX_LOKETS} if lokets == 6 else {}))
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start()
    try:
        headers = server.login("kepala", "rahasia-Admin1")
        calls = {1: "REKAM", 2: "CETAK", 3: "IKD", 4: "REKAM", 5: "AMBIL", 6: "INFO"}
        held = {
            counter: _call(server, headers, service, counter)["number"]
            for counter, service in list(calls.items())[:lokets]
        }
        for service in ("REKAM", "UBAH", "CETAK", "INFO", "IKD", "AMBIL"):
            server.post("/api/tickets", json={"service": service}).raise_for_status()
        page = _open_display(new_page, server, width, height)
        page.wait_for_function("n => document.querySelectorAll('.loket[data-state=busy]').length === n", arg=lokets)
        shown = {
            int(item.get_attribute("data-counter")): item.inner_text().split("\n")
            for item in page.locator(".loket").all()
        }
        assert shown == {counter: [f"Loket {counter}", number] for counter, number in held.items()}
        # The lokets may come from a live queue event before /api/queue has answered with the calls.
        page.wait_for_function("n => document.getElementById('current-number').textContent === n", arg=held[lokets])
        assert page.inner_text("#current-number") == held[lokets]  # the latest call, large

        parts = (
            ["header", "#current", ".waiting-title", "footer.ticker"]
            + _boxes_names(page, ".loket", lokets)
            + _boxes_names(page, ".waiting-item", 6)
        )
        boxes = {name: _box_of(page, name) for name in parts}
        for name, box in boxes.items():
            assert box["width"] > 0 and box["height"] > 0, name
            assert _inside(box, width, height), (name, box)
        names = list(boxes)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                assert not _overlap(boxes[first], boxes[second]), (first, second)
        for item in page.locator(".loket .loket-number, .loket .loket-name").all():  # text not cut off
            assert item.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")
        assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight + 1")
        if SCREENSHOTS and lokets == 6:
            page.evaluate("() => document.querySelector('.ticker-track').style.animation = 'none'")
            page.screenshot(path=str(Path(SCREENSHOTS) / f"display-6-lokets-{width}x{height}.png"))
    finally:
        server.stop()


def _boxes_names(page, selector: str, expected: int) -> list[str]:
    assert page.locator(selector).count() == expected
    return [f"{selector} >> nth={i}" for i in range(expected)]


def _box_of(page, name: str) -> dict:
    return page.locator(name).bounding_box()


# ---------------------------------------------------------------- the call clears, a closed office, portrait, 6 m

TV_SIZES = [(1920, 1080), (1080, 1920)]  # a 43" TV mounted either way


def _state(page) -> str:
    return page.get_attribute("#current", "data-state")


@pytest.mark.parametrize("action", ["no-show", "done", "transfer"])
def test_the_big_call_clears_when_its_ticket_leaves_the_loket(new_page, office, action):
    headers = office.login()
    page = _open_display(new_page, office)
    ticket = _call(office, headers, service="IKD", counter=3)
    page.wait_for_function("n => document.getElementById('current-number').textContent === n", arg=ticket["number"])
    assert _state(page) == "call"
    body = {"service": "INFO"} if action == "transfer" else None
    office.post(f"/api/tickets/{ticket['id']}/{action}", headers=headers, json=body).raise_for_status()
    page.wait_for_function("() => document.getElementById('current').dataset.state === 'idle'", timeout=3000)
    assert "Loket 3" not in page.inner_text("#current")
    assert page.inner_text("#idle-title") == "Selamat datang"
    # The number stays among the earlier calls, without a loket to walk to.
    assert page.locator(".recent-row:not([hidden]) .recent-number").all_inner_texts() == [ticket["number"]]
    # A reload (a restart of the TV or the server) does not bring the old call back either.
    page.reload()
    page.wait_for_function("() => window.__display.synced()")
    assert _state(page) == "idle"


def test_the_big_call_clears_after_a_few_minutes_even_if_the_loket_still_holds_it(new_page, office):
    headers = office.login()
    page = new_page(1920, 1080)
    page.goto(office.url + "/display?call_seconds=3")
    page.wait_for_selector("#connection[data-state=online]", state="attached")
    ticket = _call(office, headers)
    page.wait_for_function("n => document.getElementById('current-number').textContent === n", arg=ticket["number"])
    page.wait_for_function("() => document.getElementById('current').dataset.state === 'idle'", timeout=6000)
    assert page.inner_text(".loket[data-counter='1'] .loket-number") == ticket["number"]  # still held there


@pytest.mark.parametrize("width,height", TV_SIZES)
def test_a_closed_office_says_when_it_opens_again(new_page, tmp_path, width, height):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    opens = today + timedelta(days=2)
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    hours = {f"office__hours__{day}": "" for day in days}
    hours[f"office__hours__{days[opens.weekday()]}"] = "08:00-15:00"
    server = LiveServer(make_app(tmp_path, **hours)).start()
    try:
        page = _open_display(new_page, server, width, height)
        page.wait_for_function("() => document.getElementById('current').dataset.office === 'closed'")
        weekday = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")[opens.weekday()]
        assert [line for line in page.inner_text("#current").split("\n") if line.strip()] == [
            "Kantor tutup",
            f"Buka kembali {weekday} 08.00.",
        ]
        assert server.get("/api/queue").json()["office"] == {"open": False, "opens_at": f"{opens}T08:00+07:00"}
        assert _inside(page.locator(".current-idle").bounding_box(), width, height)
        if SCREENSHOTS:
            page.evaluate("() => document.querySelector('.ticker-track').style.animation = 'none'")
            page.screenshot(path=str(Path(SCREENSHOTS) / f"display-closed-{width}x{height}.png"))
        english = _open_display(new_page, server, width, height)
        english.goto(server.url + "/display?lang=en")
        english.wait_for_function("() => document.getElementById('current').dataset.office === 'closed'")
        day_en = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[opens.weekday()]
        assert english.inner_text("#idle-text") == f"Opens again {day_en} 08.00."
    finally:
        server.stop()


def _fill_the_board(server, headers) -> str:
    """Calls at every loket and people waiting for all six services; return the newest call's number."""
    for service, counter in (("REKAM", 1), ("CETAK", 2), ("INFO", 3), ("UBAH", 1), ("AMBIL", 2)):
        last = _call(server, headers, service, counter)
    for service in ("REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO"):
        server.post("/api/tickets", json={"service": service}).raise_for_status()
    return last


@pytest.mark.parametrize("width,height", TV_SIZES)
def test_a_recall_keeps_the_earlier_calls_inside_the_card(new_page, office, width, height):
    headers = office.login()
    last = _fill_the_board(office, headers)
    page = _open_display(new_page, office, width, height)
    page.wait_for_function("() => document.querySelectorAll('.recent-row:not([hidden])').length === 4")
    assert office.post(f"/api/tickets/{last['id']}/recall", headers=headers).status_code == 200
    page.wait_for_function("() => !document.getElementById('current-recall').hidden")
    card = page.locator("#current").bounding_box()
    for part in ("#current-recall", "#current-counter", ".recent", ".recent-row >> nth=3"):
        box = page.locator(part).bounding_box()
        assert box["y"] >= card["y"] - 0.5 and box["y"] + box["height"] <= card["y"] + card["height"] + 0.5, part
        assert box["x"] >= card["x"] - 0.5 and box["x"] + box["width"] <= card["x"] + card["width"] + 0.5, part
    assert not _overlap(page.locator("#current-recall").bounding_box(), page.locator("#current-number").bounding_box())
    if SCREENSHOTS:
        page.evaluate("() => document.querySelector('.ticker-track').style.animation = 'none'")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"display-recall-{width}x{height}.png"))


# On a 43" TV at 1920x1080 one pixel is ~0.496 mm: letters 2 cm high (readable at 6 m) are ~40 px.
CAP_HEIGHT = """sel => [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length).map(e => {
    const style = getComputedStyle(e), ctx = document.createElement('canvas').getContext('2d');
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return {size: parseFloat(style.fontSize), cap: ctx.measureText('H').actualBoundingBoxAscent};
})"""


@pytest.mark.parametrize("width,height", TV_SIZES)
def test_recent_numbers_and_service_names_are_readable_at_six_metres(new_page, office, width, height):
    headers = office.login()
    _fill_the_board(office, headers)
    page = _open_display(new_page, office, width, height)
    page.wait_for_function("() => document.querySelectorAll('.recent-row:not([hidden])').length === 4")
    for selector, count in ((".recent-row .recent-number", 4), (".waiting-name", 6), (".waiting-name b", 6)):
        letters = page.evaluate(CAP_HEIGHT, selector)
        assert len(letters) == count, selector
        assert min(letter["cap"] for letter in letters) >= 40, (selector, letters)
        assert min(letter["size"] for letter in letters) >= 55, (selector, letters)
    for item in page.locator(".waiting-item").all():  # whole names, not cut or spilling out of their tile
        assert item.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")


@pytest.mark.parametrize("width,height", TV_SIZES)
def test_a_portrait_tv_shows_everything(new_page, office, width, height):
    headers = office.login()
    _fill_the_board(office, headers)
    page = _open_display(new_page, office, width, height)
    page.wait_for_function("() => document.querySelectorAll('.loket[data-state=busy]').length === 3")
    names = (
        ["header", "#current", "#current-number", "#current-counter", ".recent", ".waiting-title", "footer.ticker"]
        + _boxes_names(page, ".loket", 3)
        + _boxes_names(page, ".waiting-item", 6)
    )
    boxes = {name: _box_of(page, name) for name in names}
    for name, box in boxes.items():
        assert box["width"] > 0 and box["height"] > 0, name
        assert _inside(box, width, height), (name, box)
    outer = ["header", "#current", ".waiting-title", "footer.ticker"] + [
        n for n in names if n.startswith(".") and ">>" in n
    ]
    for i, first in enumerate(outer):
        for second in outer[i + 1 :]:
            assert not _overlap(boxes[first], boxes[second]), (first, second)
    for item in page.locator(".loket .loket-number, .loket .loket-name, #current-number").all():
        assert item.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight + 1")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1")
    if SCREENSHOTS:
        page.evaluate("() => document.querySelector('.ticker-track').style.animation = 'none'")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"display-board-{width}x{height}.png"))


@pytest.mark.parametrize("width,height", TV_SIZES)
def test_a_lost_connection_is_a_sign_staff_notice(new_page, tmp_path, width, height):
    server = LiveServer(_office_app(tmp_path)).start()
    page = _open_display(new_page, server, width, height)
    server.stop()
    page.wait_for_selector("#connection[data-state=offline]", state="attached", timeout=5000)
    sign = page.locator("#connection")
    assert sign.inner_text() == "Koneksi ke server terputus. Menghubungkan ulang\u2026"
    box = sign.bounding_box()
    assert _inside(box, width, height)
    assert box["width"] >= 0.8 * width
    assert min(letter["cap"] for letter in page.evaluate(CAP_HEIGHT, "#connection")) >= 30
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"display-offline-{width}x{height}.png"))
