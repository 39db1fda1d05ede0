"""The SMS channel on gammu-smsd's folders: every command, privacy, limits, quiet hours, retries and crashes.

gammu-smsd itself is played here by moving files as it does (outbox -> sent or error, same name);
tests/test_sms_gammu.py runs the real daemon.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.devices.sms import Folders, decode, message_of
from kiosk.domain import sms as rules
from kiosk.domain.status import check_application
from kiosk.storage import sms as sms_store
from kiosk.storage import status as status_store
from tests.conftest import JAKARTA
from tests.support import add_staff, make_app

NIK = "6203011708900001"  # Kapuas, a man born 17-08-1990
KK = "6203010102150003"
WRONG_KK = "6203010102150004"
OTHER_NIK = "6203015708900002"  # no record
NAME = "Budi Santoso"
PHONE = "+6281234567890"


def sms_overrides(root: Path, **more) -> dict:
    folders = {}
    for name in ("inbox", "outbox", "sent", "error"):
        (root / "spool" / name).mkdir(parents=True, exist_ok=True)
        folders[f"sms__{name}"] = str(root / "spool" / name) + "/"
    return {"sms__enabled": True, **folders, **more}


@pytest.fixture
def office(tmp_path, clock):
    """An office with SMS on (folders in tmp_path), a status record, and its SMS worker (rounds run by hand)."""
    app = make_app(tmp_path, clock=clock, **sms_overrides(tmp_path))
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    rt = app.extensions["kiosk"]
    record = check_application(NIK, KK, NAME, "1990-08-17", "READY_FOR_PICKUP", "", rt.now().date())
    status_store.save_application(rt.db, record, "2026-11-20T10:15:00+07:00", "import", "import")
    yield app
    rt.stop()


def worker(app):
    """The office's SMS worker; inbox files count as complete at once (test_a_half_written_... tries the wait)."""
    found = app.extensions["kiosk"].sms_worker()
    found.settle_seconds = 0
    return found


def folders(app) -> Folders:
    return Folders.of(app.extensions["kiosk"].settings.sms)


_serial = iter(range(10_000))


def receive(app, text: str, sender: str = PHONE, when: str = "20261125_090000") -> Path:
    """Put a message in the inbox as gammu-smsd does (unicode format: UTF-16 with a byte-order mark)."""
    name = f"IN{when}_{next(_serial) % 100:02d}_{sender}_00.txt"
    path = folders(app).inbox / name
    path.write_bytes(("\ufeff" + text).encode("utf-16-le"))
    return path


def outbox(app) -> dict[str, str]:
    """Return our messages waiting in the outbox: name -> text."""
    box = folders(app).outbox
    return {path.name: decode(path.read_bytes()) for path in sorted(box.iterdir()) if path.name.startswith("OUT")}


def gammu_sends(app, outcome: str = "sent") -> list[str]:
    """Do what gammu-smsd does with each outbox file: send it and move it, same name, to sent (or error)."""
    f = folders(app)
    moved = []
    for path in sorted(f.outbox.iterdir()):
        if path.name.startswith("OUT"):
            path.rename((f.sent if outcome == "sent" else f.error) / path.name)
            moved.append(path.name)
    return moved


def ask(app, text: str, sender: str = PHONE) -> str | None:
    """Send one SMS to the office, run a round, and return the single reply now in the outbox (None: none)."""
    before = set(outbox(app))
    receive(app, text, sender)
    worker(app).run_once()
    new = {name: body for name, body in outbox(app).items() if name not in before}
    assert len(new) <= 1, new
    reply = next(iter(new.values()), None)
    gammu_sends(app)
    worker(app).run_once()
    return reply


def assert_fits(reply: str) -> None:
    assert rules.is_gsm7(reply), reply
    assert rules.gsm7_length(reply) <= 2 * rules.PART_OF_TWO, reply


# ---------------------------------------------------------------- commands


def test_cek_answers_the_status_as_the_kiosk_says_it_with_the_name_masked(office):
    reply = ask(office, f"cek {NIK} {KK}")
    assert "Siap diambil" in reply and "Pengambilan" in reply
    assert "B*** S******" in reply
    assert NIK not in reply and KK not in reply and "Budi" not in reply and "Santoso" not in reply
    assert_fits(reply)


def test_cek_is_forgiving_of_case_spacing_and_digit_groups(office):
    grouped = (
        " ".join(NIK[i : i + 4] for i in range(0, 16, 4)) + "   " + " ".join(KK[i : i + 4] for i in range(0, 16, 4))
    )
    assert "Siap diambil" in ask(office, f"  Cek   {grouped} ")


def test_cek_answers_an_unknown_nik_and_a_wrong_kk_alike(office):
    wrong = ask(office, f"CEK {NIK} {WRONG_KK}")
    unknown = ask(office, f"CEK {OTHER_NIK} {KK}", sender="+6281234567891")
    assert wrong == unknown == rules.NOT_FOUND


def test_cek_with_an_impossible_number_says_how_to_write_it(office):
    assert ask(office, "CEK 1234 5678") == rules.INVALID_NUMBER
    assert ask(office, f"CEK {NIK}", sender="+6281234567891") == rules.INVALID_NUMBER


def test_cek_has_the_kiosk_limits_per_nik(office):
    """Wrong KK numbers for one NIK from one number: after [status] nik_misses_per_hour, "try later"."""
    limit = office.extensions["kiosk"].settings.status.nik_misses_per_hour
    w = worker(office)
    for _ in range(limit + 1):
        receive(office, f"CEK {NIK} {WRONG_KK}", sender=PHONE)
        w.run_once()
        gammu_sends(office)
        w.run_once()
        sms_store.purge(office.extensions["kiosk"].db, "9999")  # forget replies: only the lookup limits count
    rows = office.extensions["kiosk"].db.conn.execute("SELECT outcome FROM status_lookups ORDER BY id").fetchall()
    outcomes = [row[0] for row in rows]
    assert outcomes[:limit] == ["not_found"] * limit
    assert outcomes[limit] == "rate_limited_nik"


def test_info_gives_hours_and_service_codes(office):
    reply = ask(office, "info")
    assert "REKAM" in reply and "Jam buka" in reply
    assert_fits(reply)


def test_antre_with_an_unknown_service_or_day_says_how_to_write_it(office):
    unknown = ask(office, "ANTRE PASPOR", sender="+6281234567891")
    assert "PASPOR tidak dikenal" in unknown and "REKAM" in unknown
    assert_fits(unknown)
    assert ask(office, "ANTRE REKAM 31-02") == rules.render(rules.BAD_DAY, code="REKAM")


def test_antre_goes_through_the_booking_seam_when_bookings_exist(office):
    class Desk:
        calls = []

        def book(self, phone, service, day):
            self.calls.append((phone, service, day))
            return "Kode K7M2QX, 12-12 08:00-09:00."

        def cancel(self, phone, code):
            return f"Pemesanan {code} dibatalkan."

        def status(self, code):
            return None

    worker(office).bookings = desk = Desk()
    assert ask(office, "antre rekam 12-12") == "Kode K7M2QX, 12-12 08:00-09:00."
    assert desk.calls == [(PHONE, "REKAM", datetime(2026, 12, 12).date())]
    assert ask(office, "BATAL k7m2qx") == "Pemesanan K7M2QX dibatalkan."


def test_status_of_a_number_gives_place_and_estimate(office):
    client = office.test_client()
    for _ in range(3):
        client.post("/api/tickets", json={"service": "REKAM"})
    reply = ask(office, "status a3")
    assert reply.startswith("Antrean A-003") and "2 orang di depan Anda" in reply
    assert ask(office, "STATUS Z-999", sender="+6281234567891") == "Nomor antrean Z-999 tidak ditemukan untuk hari ini."


def test_anything_else_gets_help(office):
    assert ask(office, "halo pak, kapan KTP saya jadi?") == rules.HELP
    assert_fits(rules.HELP)


def test_every_reply_text_is_gsm7_and_fits_two_parts():
    for name in dir(rules):
        value = getattr(rules, name)
        # every long upper-case text is a reply, but for the phone rule's pattern (the OpenAPI document's)
        if name.isupper() and isinstance(value, str) and len(value) > 20 and not name.endswith("_PATTERN"):
            assert rules.is_gsm7(value), name
            assert rules.gsm7_length(value.format_map(_Long())) <= 2 * rules.PART_OF_TWO, name


class _Long(dict):
    def __missing__(self, key):
        return "Kantor Kecamatan Selat" if key == "office" else "X" * 8


def test_a_long_office_text_is_cut_to_two_parts():
    text = rules.info_reply("Kantor " * 40, "08:00-15:00", [("REKAM", "Perekaman KTP-el")] * 20)
    assert rules.parts(text) <= 2 and text.endswith("...")


# ---------------------------------------------------------------- privacy


def test_no_nik_kk_or_name_stays_in_the_inbox_the_database_or_the_log(office, caplog):
    caplog.set_level(logging.DEBUG)
    path = receive(office, f"CEK {NIK} {KK}")
    worker(office).run_once()
    assert not path.exists()
    rt = office.extensions["kiosk"]
    # The status record holds the name by design; what the SMS channel and the audit log keep must not.
    dump = "\n".join(
        line
        for line in rt.db.conn.iterdump()
        if not line.startswith(('INSERT INTO "applications"', 'INSERT INTO "application_history"'))
    )
    for secret in (NIK, KK, NAME, "Santoso"):
        assert secret not in dump
        assert secret not in caplog.text
    assert rt.db.conn.execute("SELECT kind, body FROM sms_messages WHERE direction = 'in'").fetchall()[0][:] == (
        "CEK",
        "",
    )


def test_numbers_are_normalised_and_short_codes_and_promotions_are_ignored(office):
    assert rules.normalise_phone("0812-3456-7890") == rules.normalise_phone("62 812 3456 7890") == PHONE
    assert ask(office, "info", sender="081234567890") is not None
    assert next(iter(outbox(office) or {"": ""})) == ""  # sent already
    rt = office.extensions["kiosk"]
    assert rt.db.conn.execute("SELECT phone FROM sms_messages WHERE direction = 'out'").fetchone()[0] == PHONE
    for sender in ("TELKOMSEL", "3636", "+18005551234", "INFO-XL"):
        assert ask(office, "Selamat! Anda mendapat bonus kuota 10GB. Ketik INFO", sender=sender) is None


# ---------------------------------------------------------------- limits


def test_a_flood_of_500_messages_from_one_number_is_answered_a_few_times(office):
    w = worker(office)
    for index in range(500):
        receive(office, "INFO" if index % 2 else "halo", when=f"20261125_09{index // 60:02d}{index % 60:02d}")
    rounds = 0
    while any(folders(office).inbox.iterdir()):
        w.run_once()
        rounds += 1
    assert rounds == 500 // worker(office).batch  # a bounded batch a round: writers are not held up for long
    assert len(outbox(office)) == rules.REPLIES_PER_NUMBER_PER_HOUR
    # another resident is still answered
    assert ask(office, "info", sender="+6285712345678") is not None
    summary = sms_store.summary(office.extensions["kiosk"].db, "2026-11-25", 300)
    assert summary["limited"] == 500 - rules.REPLIES_PER_NUMBER_PER_HOUR


def test_the_daily_budget_stops_sending(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, **sms_overrides(tmp_path, sms__daily_limit=4))
    try:
        for index in range(6):
            ask(app, "info", sender=f"+62812345678{index:02d}")
        rt = app.extensions["kiosk"]
        summary = sms_store.summary(rt.db, rt.today(), 4)
        assert (summary["sent"], summary["dropped"], summary["budget_left"]) == (4, 2, 0)
        assert len(list(folders(app).sent.iterdir())) == 0  # outcomes recorded, files tidied
    finally:
        app.extensions["kiosk"].stop()


def test_replies_per_number_come_back_after_an_hour(office, clock):
    for _ in range(rules.REPLIES_PER_NUMBER_PER_HOUR):
        assert ask(office, "info") is not None
    assert ask(office, "info") is None
    clock.advance(minutes=61)
    assert ask(office, "info") is not None


# ---------------------------------------------------------------- quiet hours


def test_a_reminder_waits_for_the_end_of_quiet_hours(office, clock):
    clock.current = datetime(2026, 11, 25, 21, 30, tzinfo=JAKARTA)
    w = worker(office)
    w.commit(sms_store.Outgoing(PHONE, "Pengingat: besok pukul 08:00-09:00, kode K7M2QX.", "reminder"))
    w.run_once()
    assert outbox(office) == {}
    clock.current = datetime(2026, 11, 26, 5, 59, tzinfo=JAKARTA)
    w.run_once()
    assert outbox(office) == {}
    clock.current = datetime(2026, 11, 26, 6, 0, tzinfo=JAKARTA)
    w.run_once()
    assert list(outbox(office).values()) == ["Pengingat: besok pukul 08:00-09:00, kode K7M2QX."]


def test_answers_are_not_held_back_by_quiet_hours(office, clock):
    clock.current = datetime(2026, 11, 25, 23, 0, tzinfo=JAKARTA)
    receive(office, "info")
    worker(office).run_once()
    assert len(outbox(office)) == 1


def test_quiet_hours_over_midnight_and_within_a_day():
    at = datetime(2026, 11, 25, 22, 0, tzinfo=JAKARTA)
    assert rules.quiet_until(at, "21:00-06:00") == datetime(2026, 11, 26, 6, 0, tzinfo=JAKARTA)
    assert rules.quiet_until(at.replace(hour=3), "21:00-06:00") == datetime(2026, 11, 25, 6, 0, tzinfo=JAKARTA)
    assert rules.quiet_until(at.replace(hour=12), "21:00-06:00") is None
    assert rules.quiet_until(at.replace(hour=13), "12:00-14:00") == datetime(2026, 11, 25, 14, 0, tzinfo=JAKARTA)
    assert rules.quiet_until(at, "") is None


# ---------------------------------------------------------------- retries and crashes


def test_a_failed_send_is_retried_with_back_off_then_given_up(office, clock):
    w = worker(office)
    receive(office, "info")
    w.run_once()
    names = []
    for attempt in range(1, rules.MAX_ATTEMPTS + 1):
        waiting = outbox(office)
        assert len(waiting) == 1, attempt
        name = next(iter(waiting))
        assert message_of(name)[1] == attempt
        names.append(name)
        gammu_sends(office, "error")
        w.run_once()
        assert outbox(office) == {}  # not before its back-off
        clock.advance(seconds=rules.backoff_seconds(attempt) + 1)
        w.run_once()
    assert outbox(office) == {}
    row = (
        office.extensions["kiosk"]
        .db.conn.execute("SELECT status, attempts FROM sms_messages WHERE direction = 'out'")
        .fetchone()
    )
    assert tuple(row) == ("failed", rules.MAX_ATTEMPTS)
    assert len(set(names)) == rules.MAX_ATTEMPTS
    assert not any(folders(office).error.iterdir())
    state = w.state()
    assert state["today"]["failed"] == 1 and state["failures"][0]["phone"].endswith("890")


def test_a_retry_after_an_error_is_sent_once(office, clock):
    w = worker(office)
    receive(office, "info")
    w.run_once()
    gammu_sends(office, "error")
    w.run_once()
    clock.advance(minutes=5)
    w.run_once()
    gammu_sends(office)
    w.run_once()
    w.run_once()
    row = (
        office.extensions["kiosk"]
        .db.conn.execute("SELECT status, attempts FROM sms_messages WHERE direction = 'out'")
        .fetchone()
    )
    assert tuple(row) == ("sent", 2)
    assert outbox(office) == {}


_KILLED = """
import json, os, signal, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from kiosk.office.runtime import Runtime
from kiosk.domain.settings import load_settings
from kiosk.paths import packaged_config
from kiosk.storage import sms as store
from kiosk.office.sms import SmsWorker
from kiosk.devices import sms as device

settings = load_settings(packaged_config(), json.loads(sys.argv[2]))
clock = lambda: datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
rt = Runtime.open(settings, clock)
worker = SmsWorker(rt)
if sys.argv[1] == "after-commit":
    worker.commit(store.Outgoing("+6281234567890", "Antrean A-001: silakan menuju Loket 1 sekarang.", "called"))
elif sys.argv[1] == "after-write":
    original = store.mark_queued
    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # the file is in the outbox; its state never reaches the database
    store.mark_queued = killed
    worker.commit(store.Outgoing("+6281234567890", "Antrean A-001: silakan menuju Loket 1 sekarang.", "called"))
    worker.run_once()
os.kill(os.getpid(), signal.SIGKILL)
"""


def _kill_run(tmp_path: Path, stage: str, overrides: dict) -> None:
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent(_KILLED))
    values = {
        "database.path": str(tmp_path / "kiosk.db"),
        "printer.type": "none",
        **{key.replace("__", "."): value for key, value in overrides.items()},
    }
    result = subprocess.run(
        [sys.executable, str(script), stage, json.dumps(values)],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


def test_kill_9_between_commit_and_outbox_sends_once_after_restart(tmp_path, clock):
    overrides = sms_overrides(tmp_path)
    _kill_run(tmp_path, "after-commit", overrides)
    app = make_app(tmp_path, clock=clock, **sms_overrides(tmp_path))
    try:
        assert outbox(app) == {}
        worker(app).run_once()
        worker(app).run_once()
        assert list(outbox(app).values()) == ["Antrean A-001: silakan menuju Loket 1 sekarang."]
        gammu_sends(app)
        worker(app).run_once()
        worker(app).run_once()
        assert outbox(app) == {}
        assert app.extensions["kiosk"].db.conn.execute("SELECT status FROM sms_messages").fetchone()[0] == "sent"
    finally:
        app.extensions["kiosk"].stop()


def test_kill_9_after_the_outbox_write_never_sends_twice(tmp_path, clock):
    overrides = sms_overrides(tmp_path)
    _kill_run(tmp_path, "after-write", overrides)
    app = make_app(tmp_path, clock=clock, **sms_overrides(tmp_path))
    try:
        assert len(outbox(app)) == 1  # written before the kill, still marked pending
        gammu_sends(app)  # the daemon sent it while our server was down
        worker(app).run_once()
        worker(app).run_once()
        assert outbox(app) == {}
        assert app.extensions["kiosk"].db.conn.execute("SELECT status FROM sms_messages").fetchone()[0] == "sent"
    finally:
        app.extensions["kiosk"].stop()


def test_an_incoming_message_read_again_after_a_crash_is_not_answered_twice(office):
    path = receive(office, "info")
    content = path.read_bytes()
    worker(office).run_once()
    path.write_bytes(content)  # as if the server died before deleting the handled file
    worker(office).run_once()
    assert len(outbox(office)) == 1
    assert not path.exists()


def test_a_fresh_inbox_file_waits_until_gammu_has_finished_writing_it(office):
    w = worker(office)
    w.settle_seconds = 30
    path = receive(office, "info")
    w.run_once()
    assert path.exists() and outbox(office) == {}
    os.utime(path, (path.stat().st_mtime - 60, path.stat().st_mtime - 60))
    w.run_once()
    assert not path.exists() and len(outbox(office)) == 1


def test_outbox_files_are_utf16_with_a_bom_and_named_for_gammu(office):
    receive(office, "info")
    worker(office).run_once()
    path = next(folders(office).outbox.glob("OUT*"))
    assert path.read_bytes()[:2] == b"\xff\xfe"
    assert path.name.startswith("OUTB2026") and f"_{PHONE}_kiosk" in path.name and path.name.endswith(".txt")
    assert not [p for p in folders(office).outbox.iterdir() if not p.name.startswith("OUT")]  # no temp left


# ---------------------------------------------------------------- notifications (opt-in)


def test_opted_in_residents_hear_3_more_numbers_and_their_call_once(office):
    client = office.test_client()
    tickets = [client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"] for _ in range(6)]
    mine = tickets[5]
    answer = client.post(f"/api/tickets/{mine['id']}/sms", json={"phone": "0812 3456 7890"})
    assert answer.status_code == 201 and answer.get_json()["sms"]["phone"] == "+62812*****890"
    w = worker(office)
    w.run_once()
    assert [text for text in outbox(office).values()] == [rules.render(rules.OPTED_IN, number="A-006")]
    gammu_sends(office)
    staff = office.test_client()
    headers = {
        "X-CSRF-Token": staff.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()[
            "csrf_token"
        ]
    }
    texts = []
    for _index in range(6):
        called = staff.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
        w.run_once()
        texts += list(outbox(office).values())
        gammu_sends(office)
        w.run_once()
        staff.post(f"/api/tickets/{called['id']}/done", headers=headers)
        w.run_once()
        texts += list(outbox(office).values())
        gammu_sends(office)
    assert texts == [
        rules.render(rules.NEAR, number="A-006", office=office.extensions["kiosk"].settings.office.name),
        rules.render(rules.CALLED, number="A-006", counter="Loket 1"),
    ]
    w.run_once()
    assert sms_store.optin_of(office.extensions["kiosk"].db, mine["id"]) is None  # ended: number forgotten
    del tickets


def test_a_retried_near_message_is_dropped_once_the_ticket_moved_on(office, clock):
    client = office.test_client()
    ticket = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
    client.post(f"/api/tickets/{ticket['id']}/sms", json={"phone": PHONE})
    w = worker(office)
    w.run_once()
    assert len(outbox(office)) == 2  # the confirmation and "3 nomor lagi"
    gammu_sends(office, "error")  # the modem is down
    w.run_once()
    login = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    client.post("/api/counters/1/next", headers={"X-CSRF-Token": login["csrf_token"]})
    clock.advance(minutes=2)
    w.run_once()
    texts = sorted(outbox(office).values())
    assert (
        rules.render(rules.NEAR, number=ticket["number"], office=office.extensions["kiosk"].settings.office.name)
        not in texts
    )
    assert rules.render(rules.CALLED, number=ticket["number"], counter="Loket 1") in texts
    dropped = (
        office.extensions["kiosk"]
        .db.conn.execute("SELECT kind, last_error FROM sms_messages WHERE status = 'dropped'")
        .fetchall()
    )
    assert [tuple(row) for row in dropped] == [("near", "ticket is called")]


def test_a_disruption_of_their_service_reaches_opted_in_residents_once(office):
    client = office.test_client()
    rekam = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
    cetak = client.post("/api/tickets", json={"service": "CETAK"}).get_json()["ticket"]
    for ticket, phone in ((rekam, PHONE), (cetak, "+6281234567891")):
        client.post(f"/api/tickets/{ticket['id']}/sms", json={"phone": phone})
    w = worker(office)
    w.run_once()
    gammu_sends(office)
    disruption = {
        "id": 7,
        "service": "CETAK",
        "reason": "blanko",
        "label": "Blanko KTP-el habis",
        "note": "",
        "since": "2026-11-25T09:00:00+07:00",
        "until": None,
        "alternatives": ["SUKET"],
    }
    assert w.messages.on_event("disruption", disruption) == 1
    assert w.messages.on_event("disruption", {**disruption, "until": "2026-11-25T12:00:00+07:00"}) == 0  # its end
    w.run_once()
    texts = list(outbox(office).values())
    assert texts == [
        rules.render(rules.DISRUPTED, number=cetak["number"], service="Pencetakan KTP-el", label="Blanko KTP-el habis")
    ]
    assert_fits(texts[0])


def test_office_events_reach_the_resident_messages_through_one_hook_up(office):
    """The event bus feeds on_event on a thread of its own, with or without a screen connected."""
    from kiosk.office import bus
    from kiosk.office.messages import connect_office_events
    from tests.support import wait_until

    seen = []
    rt = office.extensions["kiosk"]
    disconnect = connect_office_events(rt, lambda event, data: seen.append((event, data)))
    try:
        rt.bus.emit(bus.TicketCalled(ticket_id=7, number="A-001", service="REKAM", counter_id=1, event_id=3))
        rt.bus.emit(bus.PrinterStateChanged(state="online"))  # not a resident's concern
        rt.bus.emit(bus.TicketsExpired(count=2))
        wait_until(lambda: len(seen) == 2)
    finally:
        disconnect()
    assert seen == [("call", {"ticket_id": 7}), ("queue", {})]
    rt.bus.emit(bus.TicketsExpired(count=1))  # after disconnecting: heard by nobody
    assert len(seen) == 2


def test_opt_in_refuses_a_bad_number_and_a_closed_ticket(office):
    client = office.test_client()
    ticket = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
    bad = client.post(f"/api/tickets/{ticket['id']}/sms", json={"phone": "12345"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_phone"
    missing = client.post("/api/tickets/999999/sms", json={"phone": PHONE})
    assert missing.status_code == 404
    outsider = office.test_client()
    refused = outsider.post(
        f"/api/tickets/{ticket['id']}/sms", json={"phone": PHONE}, environ_base={"REMOTE_ADDR": "192.168.1.77"}
    )
    assert refused.status_code == 403


def test_without_sms_the_office_runs_and_says_so(tmp_path, clock):
    app = make_app(tmp_path, clock=clock)  # [sms] enabled = false, /var/spool/gammu not needed
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    rt = app.extensions["kiosk"]
    rt.start()
    try:
        assert rt.sms is not None and rt.sms._thread is None
        client = app.test_client()
        ticket = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
        refused = client.post(f"/api/tickets/{ticket['id']}/sms", json={"phone": PHONE})
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "sms_unavailable"
        login = client.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
        headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
        state = client.get("/api/admin/sms", headers=headers).get_json()
        assert state["enabled"] is False and state["modem"]["state"] == "off"
    finally:
        rt.stop()


def test_missing_folders_are_reported_not_fatal(tmp_path, clock):
    overrides = sms_overrides(tmp_path)
    overrides["sms__inbox"] = str(tmp_path / "nowhere") + "/"
    app = make_app(tmp_path, clock=clock, **overrides)
    try:
        assert worker(app).run_once() == {"received": 0, "written": 0, "finished": 0}
        assert "does not exist" in worker(app).state()["problem"]
    finally:
        app.extensions["kiosk"].stop()


def test_admin_sees_today_and_the_budget_counter_staff_does_not(office):
    ask(office, "info")
    client = office.test_client()
    login = client.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"}).get_json()
    state = client.get("/api/admin/sms", headers={"X-CSRF-Token": login["csrf_token"]}).get_json()
    assert state["enabled"] is True and state["problem"] is None
    assert state["today"]["received"] == 1 and state["today"]["sent"] == 1
    assert state["today"]["budget_left"] == 299
    assert state["modem"]["state"] in ("running", "not_running", "not_configured", "not_installed")
    counter = office.test_client()
    counter.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    assert counter.get("/api/admin/sms").status_code == 403
    assert office.test_client().get("/api/admin/sms").status_code == 401


def test_the_worker_thread_starts_and_stops_with_the_office(office):
    rt = office.extensions["kiosk"]
    rt.start()
    try:
        thread = rt.sms._thread
        assert thread is not None and thread.is_alive()
    finally:
        rt.stop()
    assert not thread.is_alive()


# ---------------------------------------------------------------- bookings for a later day by SMS

HOURS = {f"office__hours__{day}": "08:00-12:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat")}


def booking_services(**rekam) -> list[dict]:
    """The demo's services, REKAM with 8 seats to book a day (two per window of 08:00-12:00)."""
    import tomllib

    from kiosk.paths import packaged_config

    listed = tomllib.loads(packaged_config().read_text(encoding="utf-8"))["services"]
    return [{**service, "booking_quota": 8, **rekam} if service["code"] == "REKAM" else service for service in listed]


@pytest.fixture
def booking_office(tmp_path, clock):
    """An office with SMS on, open 08:00-12:00 Monday to Saturday; today is Wednesday 25 November 2026, 09:00."""
    app = make_app(
        tmp_path, clock=clock, office__hours__sun="", **HOURS, services=booking_services(), **sms_overrides(tmp_path)
    )
    add_staff(app)
    yield app
    app.extensions["kiosk"].stop()


def bookings_of(app) -> list[dict]:
    rows = app.extensions["kiosk"].db.conn.execute(
        "SELECT code, token, service, day, slot_start, slot_end, status, phone, created_by FROM bookings ORDER BY id"
    )
    return [dict(row) for row in rows.fetchall()]


def test_antre_without_a_day_books_the_first_window_with_room(booking_office):
    reply = ask(booking_office, "antre rekam")
    [booking] = bookings_of(booking_office)
    assert (
        booking["service"],
        booking["day"],
        booking["slot_start"],
        booking["status"],
        booking["phone"],
        booking["created_by"],
    ) == ("REKAM", "2026-11-26", "08:00", "booked", PHONE, "sms")
    assert reply.startswith("Nomor REKAM untuk Kamis 26-11-2026, datang pukul 08.00-09.00. Kode: " + booking["code"])
    assert "Bawa: Kartu Keluarga asli" in reply
    assert_fits(reply)
    # the window (two seats) fills, then the next window is given
    ask(booking_office, "ANTRE REKAM", sender="+6281234567891")
    ask(booking_office, "ANTRE REKAM", sender="+6281234567892")
    assert [b["slot_start"] for b in bookings_of(booking_office)] == ["08:00", "08:00", "09:00"]


def test_antre_with_a_day_books_that_day_and_a_full_or_closed_day_is_refused(booking_office):
    reply = ask(booking_office, "ANTRE REKAM 28-11")
    assert "Sabtu 28-11-2026, datang pukul 08.00-09.00" in reply
    for index in range(7):  # the other seven seats of Saturday
        ask(booking_office, "ANTRE REKAM 28-11", sender=f"+62812345678{10 + index}")
    assert [b["day"] for b in bookings_of(booking_office)] == ["2026-11-28"] * 8
    full = ask(booking_office, "ANTRE REKAM 28/11", sender="+6281234567899")
    assert full == "Kuota REKAM tanggal 28-11 sudah penuh. Coba tanggal lain, contoh: ANTRE REKAM 26-11"
    sunday = ask(booking_office, "ANTRE REKAM 29-11", sender="+6281234567898")
    assert sunday.startswith("Tanggal 29-11 tidak dapat dipesan untuk REKAM")
    assert len(bookings_of(booking_office)) == 8


def test_antre_for_a_service_without_bookings_or_needing_a_nik_is_refused(tmp_path, clock):
    app = make_app(
        tmp_path,
        clock=clock,
        office__hours__sun="",
        **HOURS,
        services=booking_services(one_per_nik=True),
        **sms_overrides(tmp_path),
    )
    try:
        assert ask(app, "ANTRE CETAK") == rules.render(rules.BOOKING_NO_BOOKINGS, service="CETAK")
        assert ask(app, "ANTRE REKAM 26-11") == rules.render(rules.BOOKING_NIK_NEEDED, service="REKAM")
        assert bookings_of(app) == []
    finally:
        app.extensions["kiosk"].stop()


def test_batal_cancels_only_a_booking_made_from_the_same_number(booking_office):
    ask(booking_office, "ANTRE REKAM 26-11")
    [booking] = bookings_of(booking_office)
    code = booking["code"]
    stranger = ask(booking_office, f"BATAL {code}", sender="+6281234567891")
    unknown = ask(booking_office, "BATAL KKKKKK", sender="+6281234567891")
    assert stranger == rules.render(rules.BOOKING_NOT_FOUND, code=code)
    assert unknown == rules.render(rules.BOOKING_NOT_FOUND, code="KKKKKK")
    assert bookings_of(booking_office)[0]["status"] == "booked"
    mine = ask(booking_office, f"batal {code.lower()}")
    assert mine == f"Pemesanan {code} (REKAM, Kamis 26-11-2026, 08.00-09.00) sudah dibatalkan."
    after = bookings_of(booking_office)[0]
    assert (after["status"], after["phone"]) == ("cancelled", None)
    assert ask(booking_office, "ANTRE REKAM 26-11", sender="+6281234567891").count("08.00-09.00") == 1  # seat back


def test_status_of_a_booking_tells_day_window_and_after_check_in_the_place(booking_office, clock):
    ask(booking_office, "ANTRE REKAM 26-11")
    code = bookings_of(booking_office)[0]["code"]
    other = "+6281234567891"
    assert ask(booking_office, f"STATUS {code}", sender=other) == (
        f"Pemesanan {code} (REKAM): Kamis 26-11-2026, datang pukul 08.00-09.00. Tunjukkan kode di kios saat tiba."
    )
    assert ask(booking_office, "STATUS KKKKKK", sender=other) == "Kode pemesanan KKKKKK tidak ditemukan."
    clock.current = datetime(2026, 11, 26, 8, 10, tzinfo=JAKARTA)
    client = booking_office.test_client()
    client.post("/api/tickets", json={"service": "REKAM"})
    checked = client.post("/api/check-ins", json={"code": code})
    assert checked.status_code == 201, checked.get_json()
    number = checked.get_json()["ticket"]["number"]
    worker(booking_office).run_once()  # the number kept with the booking hears "3 nomor lagi" first
    assert list(outbox(booking_office).values()) == [
        rules.render(rules.NEAR, number=number, office=booking_office.extensions["kiosk"].settings.office.name)
    ]
    gammu_sends(booking_office)
    reply = ask(booking_office, f"status {code}", sender="+6281234567892")
    assert reply.startswith(f"Pemesanan {code} sudah menjadi antrean {number}: ") and "di depan Anda" in reply
    assert ask(booking_office, "STATUS A1", sender="+6281234567893").startswith("Antrean A-001")  # numbers still work


def test_a_booking_made_by_sms_is_seen_by_its_token_and_in_the_staff_list(booking_office):
    reply = ask(booking_office, "ANTRE REKAM 27-11")
    [row] = bookings_of(booking_office)
    assert row["code"] in reply
    client = booking_office.test_client()
    shown = client.get(f"/api/bookings/{row['token']}").get_json()["booking"]
    assert (shown["code"], shown["date"], shown["slot_start"], shown["status"]) == (
        row["code"],
        "2026-11-27",
        "08:00",
        "booked",
    )
    token = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    listed = client.get("/api/bookings?date=2026-11-27", headers={"X-CSRF-Token": token["csrf_token"]})
    assert [b["code"] for b in listed.get_json()["bookings"]] == [row["code"]]
    assert PHONE not in listed.get_data(as_text=True)


def test_antre_sent_again_from_the_same_number_answers_the_same_booking(booking_office, clock):
    first = ask(booking_office, "ANTRE REKAM 26-11")
    again = ask(booking_office, "antre rekam 26-11")
    undated = ask(booking_office, "ANTRE REKAM")
    assert first == again == undated
    assert len(bookings_of(booking_office)) == 1
    clock.current = datetime(2026, 11, 25, 10, 30, tzinfo=JAKARTA)  # past the hour's reply limit of a number
    other_day = ask(booking_office, "ANTRE REKAM 27-11")
    assert "Jumat 27-11-2026" in other_day and len(bookings_of(booking_office)) == 2


def test_a_booking_during_a_disruption_of_its_service_warns_before_the_journey(booking_office):
    client = booking_office.test_client()
    token = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    started = client.post(
        "/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers={"X-CSRF-Token": token["csrf_token"]}
    )
    assert started.status_code == 201, started.get_json()
    label = started.get_json()["disruption"]["label"]
    reply = ask(booking_office, "ANTRE REKAM 26-11")
    [row] = bookings_of(booking_office)
    assert row["status"] == "booked" and row["code"] in reply  # a later day stays bookable, as at the kiosk
    assert f"terganggu ({label})" in reply
    assert_fits(reply)
    assert f"terganggu ({label})" in ask(booking_office, f"STATUS {row['code']}", sender="+6281234567891")
    assert "terganggu" not in ask(booking_office, "ANTRE CETAK", sender="+6281234567892")


def test_a_disruption_over_before_the_window_gives_no_warning(booking_office):
    client = booking_office.test_client()
    token = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
    started = client.post(
        "/api/disruptions",
        json={"service": "REKAM", "reason": "network", "until": "2026-11-25T11:00"},
        headers={"X-CSRF-Token": token["csrf_token"]},
    )
    assert started.status_code == 201, started.get_json()
    reply = ask(booking_office, "ANTRE REKAM 26-11")
    assert "Kode:" in reply and "terganggu" not in reply


def test_antre_for_today_says_to_take_a_number_at_the_kiosk(booking_office):
    assert ask(booking_office, "ANTRE REKAM 25-11") == rules.render(rules.BOOKING_TODAY, service="REKAM")
    assert bookings_of(booking_office) == []


def test_status_of_a_booking_whose_code_looks_like_a_queue_number_tells_the_booking(booking_office, monkeypatch):
    """About one booking code in 200 is three letters and three digits ("NVJ739"): STATUS took it for the queue
    number NVJ-739 and told the resident it was not found today. A queue number has one letter: no code is one."""
    from kiosk.domain import bookings as booking_rules

    monkeypatch.setattr(booking_rules, "make_code", lambda: "NVJ739")
    ask(booking_office, "ANTRE REKAM 26-11")
    assert bookings_of(booking_office)[0]["code"] == "NVJ739"
    assert ask(booking_office, "STATUS nvj739", sender="+6281234567891") == (
        "Pemesanan NVJ739 (REKAM): Kamis 26-11-2026, datang pukul 08.00-09.00. Tunjukkan kode di kios saat tiba."
    )
