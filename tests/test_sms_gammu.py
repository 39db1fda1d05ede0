"""End to end through the real gammu-smsd: its dummy phone driver (a fake phone keeping its messages in a
folder) and its files backend on our folders. A message put into the dummy phone reaches our inbox through
the daemon, our answer goes out through the daemon and comes back as sent.

Skipped without gammu-smsd, except under CI=true, where it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.domain import sms as rules
from kiosk.domain.status import check_application
from kiosk.storage import status as status_store
from tests.support import add_staff, make_app, wait_until
from tests.test_sms import KK, NAME, NIK, sms_overrides

pytestmark = pytest.mark.slow

PHONE = "+6281234567890"


def gammu_smsd() -> str:
    path = shutil.which("gammu-smsd")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("gammu-smsd is missing: CI installs Debian's gammu-smsd")
        pytest.skip("gammu-smsd is not installed (apt-get install gammu-smsd)")
    return path


def smsdrc(root: Path, phone: Path) -> Path:
    """gammu-smsd's configuration: the dummy phone in ``phone``, the files backend on the test's folders."""
    spool = root / "spool"
    config = root / "smsdrc"
    config.write_text(f"""[gammu]
model = dummy
connection = none
device = {phone}

[smsd]
service = files
inboxpath = {spool / "inbox"}/
outboxpath = {spool / "outbox"}/
sentsmspath = {spool / "sent"}/
errorsmspath = {spool / "error"}/
inboxformat = unicode
outboxformat = unicode
transmitformat = auto
logfile = {root / "smsd.log"}
debuglevel = 1
commtimeout = 1
sendtimeout = 5
receivefrequency = 1
loopsleep = 1
statusfrequency = 1
checksecurity = 0
checkbattery = 0
checksignal = 0
checknetwork = 0
""")
    return config


_location = iter(range(1, 10_000))


def phone_receives(phone: Path, sender: str, text: str) -> None:
    """Put an unread SMS into the dummy phone's inbox (folder 1), in Gammu's own SMS backup format."""
    location = next(_location)
    body = "".join(f"{ord(ch):04X}" for ch in text)
    number = "".join(f"{ord(ch):04X}" for ch in sender)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # Written beside the inbox and renamed into it: the daemon polls the folder and must never read half a file.
    draft = phone / f"incoming-{location}.tmp"
    draft.write_text(f"""[SMSBackup000]
PDU = Deliver
DateTime = {stamp}
State = UnRead
Number = "{sender}"
NumberUnicode = {number}
Name = ""
NameUnicode =
Text00 = {body}
Coding = Default_No_Compression
Folder = 1
Length = {len(text)}
Class = -1
ReplySMSC = False
RejectDuplicates = False
ReplaceMessage = 0
MessageReference = 0
""")
    draft.replace(phone / "sms" / "1" / str(location))


@pytest.fixture
def daemon(tmp_path):
    program = gammu_smsd()
    phone = tmp_path / "phone"
    for folder in range(1, 6):
        (phone / "sms" / str(folder)).mkdir(parents=True)
    overrides = sms_overrides(tmp_path)
    config = smsdrc(tmp_path, phone)
    process = subprocess.Popen([program, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    yield phone, config, overrides
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def outgoing(rt) -> list[dict]:
    return [
        dict(row)
        for row in rt.db.conn.execute(
            "SELECT id, kind, body, status FROM sms_messages WHERE direction = 'out' ORDER BY id"
        )
    ]


def test_commands_and_notifications_go_through_the_real_daemon(daemon, tmp_path):
    phone, config, overrides = daemon
    app = make_app(tmp_path, **overrides)
    add_staff(app)
    rt = app.extensions["kiosk"]
    record = check_application(NIK, KK, NAME, "1990-08-17", "READY_FOR_PICKUP", "", rt.now().date())
    status_store.save_application(rt.db, record, "2026-11-20T10:15:00+07:00", "import", "import")
    rt.start()
    try:
        rt.sms.smsdrc = str(config)
        rt.sms.poll_seconds = 0.2

        # INFO: dummy phone -> gammu-smsd -> our inbox -> reply committed -> outbox -> gammu-smsd -> sent
        phone_receives(phone, PHONE, "info")
        sent = wait_until(lambda: [m for m in outgoing(rt) if m["status"] == "sent"], timeout=30)
        assert "Jam buka" in sent[0]["body"]

        # CEK: the answer as the kiosk gives it, the inbox file holding the NIK gone
        phone_receives(phone, "081234567891", f"CEK {NIK} {KK}")
        sent = wait_until(
            lambda: [m for m in outgoing(rt) if m["status"] == "sent" and m["body"].startswith("Status KTP-el")],
            timeout=30,
        )
        assert "Siap diambil" in sent[0]["body"] and NIK not in sent[0]["body"]
        spool = tmp_path / "spool"
        assert not any((spool / "inbox").iterdir())

        # a promotion from an operator's short code: received, never answered
        phone_receives(phone, "TELKOMSEL", "Promo kuota 10GB!")
        wait_until(
            lambda: rt.db.conn.execute("SELECT COUNT(*) FROM sms_messages WHERE status = 'ignored'").fetchone()[0] == 1,
            timeout=30,
        )

        # opt-in at the kiosk, then the call: "dipanggil ke Loket 1" through the daemon
        client = app.test_client()
        ticket = client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]
        assert client.post(f"/api/tickets/{ticket['id']}/sms", json={"phone": "0812 3456 7892"}).status_code == 201
        login = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
        headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
        assert client.post("/api/counters/1/next", headers=headers).status_code == 200
        called = rules.render(rules.CALLED, number=ticket["number"], counter="Loket 1")
        wait_until(lambda: [m for m in outgoing(rt) if m["body"] == called and m["status"] == "sent"], timeout=30)

        optin = rules.render(rules.OPTED_IN, number=ticket["number"])
        wait_until(lambda: [m for m in outgoing(rt) if m["body"] == optin and m["status"] == "sent"], timeout=30)

        # the daemon's own counters, read through gammu-smsd-monitor (refreshed every statusfrequency)
        state = wait_until(lambda: (found := rt.sms.state())["modem"].get("sent", 0) >= 4 and found, timeout=15)
        assert state["modem"]["state"] == "running"
        assert state["today"]["failed"] == 0
        assert not any((spool / "outbox").iterdir())
    finally:
        rt.stop()


def _booking_office(tmp_path, clock, overrides):
    """The office of the booking tests (REKAM bookable, closed on Sunday) on the daemon's folders, started."""
    from tests.test_sms import HOURS, booking_services

    app = make_app(tmp_path, clock=clock, office__hours__sun="", **HOURS, services=booking_services(), **overrides)
    add_staff(app)
    rt = app.extensions["kiosk"]
    rt.start()
    return app, rt


def test_a_booking_reminder_and_a_disruption_notice_go_through_the_real_daemon(daemon, tmp_path):
    """A booking staff made with the resident's number: the evening before, its reminder leaves through the
    daemon (the office's clock moved to 18:00), then a disruption of its service is told to it."""
    from tests.conftest import JAKARTA, Clock

    phone, config, overrides = daemon
    clock = Clock()  # Wednesday 25 November 2026, 09:00
    app, rt = _booking_office(tmp_path, clock, overrides)
    try:
        rt.sms.poll_seconds = 0.2
        staff_pc = {"REMOTE_ADDR": "192.168.1.20"}
        client = app.test_client()
        login = client.post(
            "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}, environ_base=staff_pc
        )
        headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
        booked = client.post(
            "/api/bookings",
            json={"service": "REKAM", "date": "2026-11-26", "slot": "08:00", "phone": "0857 1234 5678"},
            headers=headers,
            environ_base=staff_pc,
        )
        assert booked.status_code == 201, booked.get_json()
        code = booked.get_json()["booking"]["code"]

        clock.current = datetime(2026, 11, 25, 18, 0, tzinfo=JAKARTA)
        reminder = wait_until(
            lambda: [m for m in outgoing(rt) if m["kind"] == "reminder" and m["status"] == "sent"], timeout=30
        )
        assert (
            reminder[0]["body"].startswith("Pengingat: besok Kamis 26-11-2026 nomor REKAM")
            and code in reminder[0]["body"]
        )

        login = client.post(
            "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}, environ_base=staff_pc
        )  # the morning's session timed out
        headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
        started = client.post(
            "/api/disruptions", json={"service": "REKAM", "reason": "blanko"}, headers=headers, environ_base=staff_pc
        )
        assert started.status_code == 201, started.get_json()
        notice = wait_until(
            lambda: [m for m in outgoing(rt) if m["kind"] == "disruption" and m["status"] == "sent"], timeout=30
        )
        assert notice[0]["body"].startswith(f"Pemesanan {code} (REKAM, Kamis 26-11-2026, 08.00-09.00)")
        assert [m["kind"] for m in outgoing(rt)] == ["reminder", "disruption"]
    finally:
        rt.stop()


def test_booking_commands_and_the_near_turn_notice_go_through_the_real_daemon(daemon, tmp_path):
    """ANTRE books, STATUS tells the booking, BATAL cancels it — each answer leaves through gammu-smsd as "sent";
    then a number kept with a ticket hears "3 nomor lagi" through the daemon when three are ahead of it."""
    from tests.conftest import Clock

    phone, config, overrides = daemon
    clock = Clock()  # Wednesday 25 November 2026, 09:00
    app, rt = _booking_office(tmp_path, clock, overrides)
    try:
        rt.sms.poll_seconds = 0.2

        def answer(starting: str) -> dict:
            return wait_until(
                lambda: [m for m in outgoing(rt) if m["status"] == "sent" and m["body"].startswith(starting)],
                timeout=30,
            )[0]

        phone_receives(phone, PHONE, "antre rekam")
        booked = answer("Nomor REKAM untuk Kamis 26-11-2026, datang pukul 08.00-09.00. Kode: ")
        [(code, status)] = rt.db.conn.execute("SELECT code, status FROM bookings").fetchall()
        assert code in booked["body"] and status == "booked"

        phone_receives(phone, "081234567891", f"STATUS {code}")
        assert answer(f"Pemesanan {code} (REKAM): ")["body"].endswith("Tunjukkan kode di kios saat tiba.")

        phone_receives(phone, PHONE, f"batal {code.lower()}")
        assert answer(f"Pemesanan {code} (REKAM, Kamis 26-11-2026, 08.00-09.00) sudah dibatalkan.")
        assert rt.db.conn.execute("SELECT status FROM bookings").fetchone()[0] == "cancelled"

        # four numbers, the last one with a phone: when it has three ahead, "3 nomor lagi" leaves through the daemon
        client = app.test_client()
        numbers = [client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"] for _ in range(5)]
        last = numbers[-1]
        assert client.post(f"/api/tickets/{last['id']}/sms", json={"phone": "0812 3456 7893"}).status_code == 201
        login = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
        headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
        called = client.post("/api/counters/1/next", headers=headers).get_json()["ticket"]
        assert called["number"] == numbers[0]["number"]
        near = rules.render(rules.NEAR, number=last["number"], office=rt.settings.office.name)
        wait_until(lambda: [m for m in outgoing(rt) if m["body"] == near and m["status"] == "sent"], timeout=30)
    finally:
        rt.stop()
