"""Backups: an online copy during concurrent issuing, restoring it, and the daily automatic copy."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import load_settings
from kiosk.paths import packaged_config
from kiosk.storage.backup import integrity
from tests.conftest import JAKARTA, Clock
from tests.support import LiveServer, add_staff, make_app, wait_until
from tests.test_crash import write_office_config

SERVICES = ("REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO")


def cli(config: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def tokens_in(path: Path) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT token FROM tickets")}


class Issuers:
    """Kiosks issuing tickets as fast as they can; each answer is noted with the moment it arrived, and with the
    moment its request was sent (``asked``)."""

    def __init__(self, url: str, kiosks: int = 6):
        self.url, self.stop = url, threading.Event()
        self.answered: list[tuple[float, str]] = []
        self.asked: dict[str, float] = {}
        self.failures: list[str] = []
        self._threads = [threading.Thread(target=self._issue, args=(index,), daemon=True) for index in range(kiosks)]

    def _issue(self, index: int) -> None:
        session = requests.Session()
        count = 0
        while not self.stop.is_set():
            service = SERVICES[(index + count) % len(SERVICES)]
            sent = time.monotonic()
            answer = session.post(self.url + "/api/tickets", json={"service": service}, timeout=30)
            arrived = time.monotonic()
            if answer.status_code == 201:
                token = answer.json()["ticket"]["token"]
                self.asked[token] = sent
                self.answered.append((arrived, token))
            else:
                self.failures.append(f"{answer.status_code} {answer.text[:200]}")
            count += 1
        session.close()

    def __enter__(self) -> Issuers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


@pytest.mark.serial  # orders tickets by when their answers arrived: alone on the machine
def test_a_backup_during_issuing_holds_every_answered_ticket_and_restore_brings_them_back(tmp_path):
    config = write_office_config(tmp_path)
    database = tmp_path / "kiosk.db"
    app = make_app(tmp_path, printer__type="none")
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start()
    copy = tmp_path / "usb" / "kiosk-copy.db"
    head = requests.Session()
    try:
        head.post(
            server.url + "/api/login", json={"username": "kepala", "password": "rahasia-Admin1"}, timeout=10
        ).raise_for_status()
        with Issuers(server.url) as issuers:
            wait_until(lambda: len(issuers.answered) >= 60, timeout=30)
            began = time.monotonic()
            result = cli(config, "backup", str(copy))
            ended = time.monotonic()
            # issuing went on
            wait_until(lambda: any(issuers.asked[token] > ended for _, token in issuers.answered), timeout=30)
        assert result.exit_code == 0, result.output
        assert issuers.failures == []
        before = {token for at, token in issuers.answered if at < began}
        # Asked for after the backup ended: it cannot have been committed before. (An answer may be noted after
        # the end yet have been committed before the copy was taken: its thread waited for its turn to run.)
        after = {token for _, token in issuers.answered if issuers.asked[token] > ended}
        assert len(before) >= 60 and after

        assert integrity(copy) == "ok"
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        in_copy = tokens_in(copy)
        assert before <= in_copy  # every ticket answered before the backup began
        assert not after & in_copy  # and nothing asked for after it ended
        assert mode(copy) == 0o600
        assert not Path(f"{copy}-wal").exists() and not Path(f"{copy}-shm").exists()
        secret = (tmp_path / "kiosk.db.secret").read_text().strip()
        assert secret.encode() not in copy.read_bytes()

        # While the server runs on the database, restore refuses and changes nothing.
        everything = tokens_in(database)
        refused = cli(config, "restore", "--yes", str(copy))
        assert refused.exit_code == 1
        assert "Server masih berjalan" in refused.output
        assert tokens_in(database) == everything
        assert not list(tmp_path.glob("kiosk.db.replaced-*"))
    finally:
        server.stop()

    restored = cli(config, "restore", "--yes", str(copy))
    assert restored.exit_code == 0, restored.output
    kept = list(tmp_path.glob("kiosk.db.replaced-*"))
    assert len(kept) == 1 and f"disimpan sebagai {kept[0]}" in restored.output
    assert tokens_in(kept[0]) == everything and mode(kept[0]) == 0o600  # the replaced database, WAL included
    assert tokens_in(database) == in_copy
    assert mode(database) == 0o600

    server = LiveServer(make_app(tmp_path, printer__type="none")).start()
    try:
        assert server.get("/healthz").json()["db"] == "ok"
        # The session open in the copy does not come back to life: staff log in again after a restore.
        assert head.get(server.url + "/api/session", timeout=10).status_code == 401
        for token in before:
            assert server.get(f"/api/tickets/{token}").status_code == 200
        assert server.get(f"/api/tickets/{sorted(after)[0]}").status_code == 404
        issued = server.post("/api/tickets", json={"service": "REKAM"})
        assert issued.status_code == 201  # numbering goes on from the restored day
    finally:
        server.stop()


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # the second page: a table's b-tree
    path.write_bytes(bytes(data))


def test_restore_refuses_a_damaged_or_foreign_file_and_changes_nothing(tmp_path):
    config = write_office_config(tmp_path)
    database = tmp_path / "kiosk.db"
    app = make_app(tmp_path, printer__type="none")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    app.extensions["kiosk"].stop()
    good = tmp_path / "good.db"
    assert cli(config, "backup", str(good)).exit_code == 0
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(good.read_bytes())
    _corrupt(damaged)
    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    text = tmp_path / "notes.txt"
    text.write_text("bukan basis data\n" * 500)
    original = database.read_bytes()

    for source in (damaged, foreign, text, tmp_path / "missing.db", database):
        result = cli(config, "restore", str(source))
        assert result.exit_code == 1, (source, result.output)
        assert "Traceback" not in result.output
        assert database.read_bytes() == original
        assert not list(tmp_path.glob("kiosk.db.replaced-*"))
    assert "rusak" in cli(config, "restore", str(damaged)).output


# ---------------------------------------------------------------- the daily automatic backup


@pytest.fixture
def nightly(tmp_path):
    """An office with automatic backups into tmp_path/auto, keeping 2, at 02:00 office time (Jakarta)."""
    clock = Clock(datetime(2026, 11, 25, 1, 59, tzinfo=JAKARTA))
    app = make_app(
        tmp_path,
        clock=clock,
        printer__type="none",
        backup__dir=str(tmp_path / "auto"),
        backup__keep=2,
        backup__time="02:00",
    )
    server = LiveServer(app).start(workers=False)
    yield server, clock, tmp_path / "auto"
    server.stop()


def test_one_automatic_backup_a_day_after_its_time_keeping_the_last_n(nightly):
    server, clock, folder = nightly
    runtime = server.runtime
    health = server.get("/healthz").json()
    assert {key: health[key] for key in ("status", "db", "printer")} == {
        "status": "ok",
        "db": "ok",
        "printer": "unknown",
    }
    assert health["backup"] == {"state": "none", "last_at": None, "file": None, "error": None}

    server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    runtime.housekeep()
    assert not folder.exists() or os.listdir(folder) == []  # 01:59: not yet

    clock.current = datetime(2026, 11, 25, 2, 0, 30, tzinfo=JAKARTA)
    runtime.housekeep()
    runtime.housekeep()  # once a day only
    first = folder / "kiosk-2026-11-25-020030.db"
    assert sorted(os.listdir(folder)) == [first.name]
    assert integrity(first) == "ok" and mode(first) == 0o600
    assert len(tokens_in(first)) == 1
    assert server.get("/healthz").json()["backup"]["state"] == "ok"
    assert server.get("/healthz").json()["backup"]["file"] == first.name

    (folder / "notes.txt").write_text("milik kantor")  # not ours: never deleted
    for day in (26, 27):
        clock.current = datetime(2026, 11, day, 9, 15, tzinfo=JAKARTA)  # server was off at 02:00: catches up
        runtime.housekeep()
    assert sorted(os.listdir(folder)) == ["kiosk-2026-11-26-091500.db", "kiosk-2026-11-27-091500.db", "notes.txt"]


def test_the_automatic_backup_is_taken_from_its_time_on_not_a_second_before(nightly):
    server, clock, folder = nightly
    clock.current = datetime(2026, 11, 25, 1, 59, 59, tzinfo=JAKARTA)
    server.runtime.housekeep()
    assert not folder.exists() or os.listdir(folder) == []  # one second before: not yet
    clock.current = datetime(2026, 11, 25, 2, 0, 0, tzinfo=JAKARTA)
    server.runtime.housekeep()
    assert sorted(os.listdir(folder)) == ["kiosk-2026-11-25-020000.db"]  # at the time itself: taken


def test_a_failed_automatic_backup_shows_in_healthz(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backup folder should be")
    clock = Clock(datetime(2026, 11, 25, 3, 0, tzinfo=JAKARTA))
    app = make_app(tmp_path, clock=clock, printer__type="none", backup__dir=str(blocked / "sub"))
    server = LiveServer(app).start(workers=False)
    try:
        server.runtime.housekeep()
        answer = server.get("/healthz")
        assert answer.status_code == 200  # the office keeps running; the outcome says what went wrong
        backup = answer.json()["backup"]
        assert backup["state"] == "failed" and backup["file"] is None
        assert "Not a directory" in backup["error"]
    finally:
        server.stop()


def test_without_a_folder_automatic_backups_are_off(client):
    assert client.get("/healthz").get_json()["backup"] == {"state": "off", "last_at": None, "file": None, "error": None}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("backup.folder", "x", "backup.folder"),
        ("backup.keep", 0, "backup.keep must be a positive whole number"),
        ("backup.keep", "3", "backup.keep must be int"),
        ("backup.time", "25:00", "backup.time must look like"),
        ("backup.time", "2:00", "backup.time must look like"),
        ("backup.dir", 5, "backup.dir must be str"),
    ],
)
def test_a_wrong_backup_setting_names_the_key(key, value, message):
    with pytest.raises(ConfigError) as caught:
        load_settings(packaged_config(), {key: value})
    assert message in caught.value.message


def test_the_demo_config_documents_the_backup_settings():
    settings = load_settings(packaged_config())
    assert (settings.backup.dir, settings.backup.keep, settings.backup.time) == ("", 14, "02:00")
    text = packaged_config().read_text()
    assert "[backup]" in text and "keep = 14" in text


def test_openapi_describes_the_backup_outcome(client):
    health = client.get("/api/openapi.json").get_json()["paths"]["/healthz"]["get"]["responses"]["200"]
    backup = health["content"]["application/json"]["schema"]["properties"]["backup"]
    assert backup["properties"]["state"]["enum"] == ["off", "none", "ok", "failed"]


def test_restore_refuses_while_a_kiosk_serve_process_uses_the_database(tmp_path):
    from tests.test_crash import _free_port, start_server

    config = write_office_config(tmp_path)
    port = _free_port()
    server = start_server(config, port)
    try:
        answer = requests.post(f"http://127.0.0.1:{port}/api/tickets", json={"service": "REKAM"}, timeout=10)
        assert answer.status_code == 201
        token = answer.json()["ticket"]["token"]
        copy = tmp_path / "copy.db"
        assert cli(config, "backup", str(copy)).exit_code == 0
        refused = cli(config, "restore", "--yes", str(copy))
        assert refused.exit_code == 1 and "Server masih berjalan" in refused.output
    finally:
        server.terminate()
        server.wait(timeout=20)
    restored = cli(config, "restore", "--yes", str(copy))
    assert restored.exit_code == 0, restored.output
    assert tokens_in(tmp_path / "kiosk.db") == {token}


def test_a_server_does_not_start_while_a_restore_holds_the_database(tmp_path):
    import fcntl

    from kiosk.storage.backup import DatabaseInUse, ServerLock

    database = tmp_path / "kiosk.db"
    first, second = ServerLock(database), ServerLock(database)
    first.acquire()
    second.acquire()  # two servers on one database may run together
    first.release()
    second.release()
    fd = os.open(tmp_path / "kiosk.db.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what kiosk restore holds while it replaces the file
    try:
        with pytest.raises(DatabaseInUse):
            ServerLock(database).acquire()
    finally:
        os.close(fd)
    after = ServerLock(database)
    after.acquire()  # once the restore is over
    after.release()


def test_restore_onto_a_new_pc_with_no_database_yet(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    app = make_app(old, printer__type="none")
    token = app.test_client().post("/api/tickets", json={"service": "CETAK"}).get_json()["ticket"]["token"]
    app.extensions["kiosk"].stop()
    copy = tmp_path / "usb" / "kiosk-2026-11-28-020000.db"
    assert cli(write_office_config(old), "backup", str(copy)).exit_code == 0

    config = write_office_config(new)
    result = cli(config, "restore", "--yes", str(copy))
    assert result.exit_code == 0, result.output
    assert "disimpan sebagai" not in result.output  # nothing was replaced
    assert tokens_in(new / "kiosk.db") == {token}
    assert integrity(new / "kiosk.db") == "ok" and mode(new / "kiosk.db") == 0o600
