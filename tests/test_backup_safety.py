"""Restore checks a migrated copy before it replaces anything; encrypted copies off the PC; no partial copies."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.domain.settings import load_settings
from tests.conftest import JAKARTA
from tests.support import add_staff, make_app, wait_until
from tests.test_crash import write_office_config

ROOT = Path(__file__).resolve().parents[1]
PROMOTE = (
    "CREATE TRIGGER promote_on_login AFTER INSERT ON staff_sessions "
    "BEGIN UPDATE staff SET role = 'admin' WHERE id = NEW.staff_id; END"
)


def cli(config: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--config", str(config), *args], input=input)


def tokens_in(path: Path) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT token FROM tickets")}


def admins_in(path: Path) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT username FROM staff WHERE role = 'admin'")}


@pytest.fixture
def office(tmp_path):
    """An office with one admin and two tickets, stopped; a genuine backup of it in tmp_path/usb."""
    config = write_office_config(tmp_path)
    app = make_app(tmp_path, printer__type="none")
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    client = app.test_client()
    tokens = {client.post("/api/tickets", json={"service": "REKAM"}).get_json()["ticket"]["token"] for _ in range(2)}
    app.extensions["kiosk"].stop()
    app.extensions["kiosk"].db.close()  # its last connection checkpoints now, not whenever it is collected
    copy = tmp_path / "usb" / "genuine.db"
    assert cli(config, "backup", str(copy)).exit_code == 0
    return config, tmp_path / "kiosk.db", copy, tokens


def _tampered(copy: Path, *statements: str) -> Path:
    target = copy.with_name("tampered.db")
    target.write_bytes(copy.read_bytes())
    with sqlite3.connect(target) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return target


def _unchanged(database: Path, before: bytes) -> None:
    assert database.read_bytes() == before
    assert not list(database.parent.glob("kiosk.db.replaced-*"))
    assert not [p.name for p in database.parent.iterdir() if p.name.startswith(".kiosk.db")]


# ---------------------------------------------------------------- restore checks a migrated copy first


def test_a_file_with_only_a_tickets_table_is_refused_and_the_server_still_starts(office, tmp_path):
    config, database, _, tokens = office
    with sqlite3.connect(database) as conn:
        tickets_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
    conn.close()
    lone = tmp_path / "lone.db"
    with sqlite3.connect(lone) as conn:
        conn.execute(tickets_sql)
    conn.close()
    before = database.read_bytes()

    result = cli(config, "restore", "--yes", str(lone))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert (
        "basis data tidak diubah" in result.output.lower() and "not changed" not in result.output
    )  # no English duplicate
    _unchanged(database, before)
    app = make_app(tmp_path, printer__type="none")  # the server still starts on the live database
    assert app.test_client().get("/healthz").get_json()["db"] == "ok"
    app.extensions["kiosk"].stop()
    assert tokens_in(database) == tokens


@pytest.mark.parametrize(
    ("statements", "named"),
    [
        ((PROMOTE,), "trigger tambahan promote_on_login"),
        (("CREATE VIEW everyone AS SELECT username, password_hash FROM staff",), "view tambahan everyone"),
        (("CREATE INDEX staff_hash ON staff (password_hash)",), "indeks tambahan staff_hash"),
        (("CREATE TABLE notes (text TEXT)",), "tabel tambahan notes"),
        (("ALTER TABLE staff ADD COLUMN backdoor TEXT",), "tabel staff: kolom tambahan backdoor"),
        (("DROP INDEX tickets_counter",), "indeks hilang tickets_counter"),
        (
            (
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('kiosk', '9999_future', '2027')",
            ),
            "migrasi tidak dikenal 9999_future",
        ),  # a copy from a newer release
    ],
)
def test_a_copy_with_anything_our_migrations_do_not_make_is_refused(office, statements, named):
    config, database, copy, _ = office
    tampered = _tampered(copy, *statements)
    before = database.read_bytes()
    result = cli(config, "restore", "--yes", str(tampered))
    assert result.exit_code == 1, result.output
    assert named in result.output
    _unchanged(database, before)


def test_an_added_admin_and_a_promoting_trigger_never_reach_the_live_database(office):
    config, database, copy, _ = office
    tampered = _tampered(
        copy,
        "INSERT INTO staff (username, password_hash, role, created_at) VALUES ('penyusup', 'x', 'admin', '2026')",
        PROMOTE,
    )
    before = database.read_bytes()
    result = cli(config, "restore", "--yes", str(tampered))
    assert result.exit_code == 1 and "promote_on_login" in result.output
    _unchanged(database, before)
    assert admins_in(database) == {"kepala"}


def test_restore_lists_the_copys_admins_and_asks_without_a_terminal_it_refuses(office):
    config, database, copy, tokens = office
    added = _tampered(
        copy, "INSERT INTO staff (username, password_hash, role, created_at) VALUES ('penyusup', 'x', 'admin', '2026')"
    )
    before = database.read_bytes()
    refused = cli(config, "restore", str(added))  # no terminal, no --yes
    assert refused.exit_code == 1
    assert "penyusup" in refused.output and "kepala" in refused.output
    assert "tidak ada di basis data aktif" in refused.output  # the new account stands out
    assert "--yes" in refused.output
    _unchanged(database, before)

    restored = cli(config, "restore", "--yes", str(added))
    assert restored.exit_code == 0, restored.output
    assert "penyusup" in restored.output
    assert admins_in(database) == {"kepala", "penyusup"} and tokens_in(database) == tokens


def _run_on_a_terminal(args: list[str], *answers: tuple[bytes, bytes], timeout: float = 60) -> tuple[int, str]:
    """Run ``kiosk ARGS`` with a pseudo-terminal as its standard input and output, answering each prompt.

    Its own session (no controlling terminal), so getpass reads the pseudo-terminal too.
    """
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        close_fds=True,
        start_new_session=True,
    )
    os.close(follower)
    output, pending, deadline = b"", list(answers), time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                while pending and pending[0][0] in output:
                    prompt, answer = pending.pop(0)
                    output = output.replace(prompt, b"<" + prompt + b">", 1)  # each prompt answered once
                    os.write(leader, answer)
            elif process.poll() is not None:
                break
        return process.wait(timeout=10), output.decode(errors="replace")
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()


def test_on_a_terminal_restore_asks_and_no_keeps_the_live_database(office):
    config, database, copy, tokens = office
    before = database.read_bytes()
    code, output = _run_on_a_terminal(["--config", str(config), "restore", str(copy)], (b"[y/N]", b"n\n"))
    assert code == 1, output
    assert "kepala" in output and "[y/N]" in output
    _unchanged(database, before)
    code, output = _run_on_a_terminal(["--config", str(config), "restore", str(copy)], (b"[y/N]", b"y\n"))
    assert code == 0, output
    assert "dipulihkan" in output and tokens_in(database) == tokens


# ---------------------------------------------------------------- encrypted copies off the PC


def test_an_encrypted_copy_off_the_pc_and_restoring_it_with_its_passphrase(office, tmp_path):
    config, database, _, tokens = office
    secret = (tmp_path / "kiosk.db.secret").read_bytes().strip()
    status_key = tmp_path / "kiosk.db.status-key"  # the NIK hashing key, beside the database like the secret
    status_key.write_bytes(os.urandom(32).hex().encode())
    stick = tmp_path / "stick"
    made = cli(config, "backup", "--to", str(stick), "--passphrase-stdin", input="kunci-kantor-2026\n")
    assert made.exit_code == 0, made.output
    [encrypted] = list(stick.iterdir())
    data = encrypted.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert b"REKAM" not in data and b"kepala" not in data  # nothing readable without the passphrase
    assert oct(encrypted.stat().st_mode & 0o777) == oct(0o600)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no plain copy left behind

    before = database.read_bytes()
    wrong = cli(config, "restore", "--yes", "--passphrase-stdin", str(encrypted), input="salah-sekali\n")
    assert wrong.exit_code == 1
    assert "Frasa sandi salah" in wrong.output and "Traceback" not in wrong.output
    _unchanged(database, before)
    no_passphrase = cli(config, "restore", "--yes", str(encrypted))  # no terminal to ask on
    assert no_passphrase.exit_code == 1 and "--passphrase-stdin" in no_passphrase.output
    _unchanged(database, before)

    restored = cli(config, "restore", "--yes", "--passphrase-stdin", str(encrypted), input="kunci-kantor-2026\n")
    assert restored.exit_code == 0, restored.output
    assert tokens_in(database) == tokens
    plain = database.read_bytes()
    # Neither key file beside the database is ever inside a copy: not in the decrypted one either.
    for key in (secret, status_key.read_bytes().strip()):
        assert key not in plain and key not in data


def test_plain_backups_never_hold_the_key_files_beside_the_database(office, tmp_path):
    config, _, copy, _ = office
    status_key = tmp_path / "kiosk.db.status-key"
    status_key.write_bytes(os.urandom(32).hex().encode())
    second = tmp_path / "usb" / "second.db"
    assert cli(config, "backup", str(second)).exit_code == 0
    for key_file in (tmp_path / "kiosk.db.secret", status_key):
        key = key_file.read_bytes().strip()
        assert key not in second.read_bytes() and key not in copy.read_bytes()


def test_on_a_terminal_the_passphrase_is_asked_twice_then_once_to_restore(office, tmp_path):
    config, database, _, tokens = office
    stick = tmp_path / "stick"
    code, output = _run_on_a_terminal(
        ["--config", str(config), "backup", "--to", str(stick)],
        (b"Frasa sandi: ", b"kunci-kantor-2026\n"),
        (b"Ulangi frasa sandi", b"kunci-lain-2026\n"),
    )
    assert code == 1 and "tidak sama" in output and not list(stick.glob("*"))
    code, output = _run_on_a_terminal(
        ["--config", str(config), "backup", "--to", str(stick)],
        (b"Frasa sandi: ", b"kunci-kantor-2026\n"),
        (b"Ulangi frasa sandi", b"kunci-kantor-2026\n"),
    )
    assert code == 0, output
    assert "kunci-kantor" not in output  # not echoed
    [encrypted] = list(stick.iterdir())
    code, output = _run_on_a_terminal(
        ["--config", str(config), "restore", str(encrypted)],
        (b"Frasa sandi: ", b"kunci-kantor-2026\n"),
        (b"[y/N]", b"y\n"),
    )
    assert code == 0, output
    assert "kepala" in output and tokens_in(database) == tokens


def test_backup_to_a_folder_needs_the_passphrase_twice_alike(office, tmp_path):
    config = office[0]
    refused = cli(config, "backup", "--to", str(tmp_path / "stick"))  # no terminal: no way to ask
    assert refused.exit_code != 0 and "--passphrase-stdin" in refused.output
    short = cli(config, "backup", "--to", str(tmp_path / "stick"), "--passphrase-stdin", input="pendek\n")
    assert short.exit_code != 0 and "8" in short.output
    assert not (tmp_path / "stick").exists() or list((tmp_path / "stick").iterdir()) == []


# ---------------------------------------------------------------- partial copies and kept databases


def _big_office(tmp_path: Path, megabytes: int) -> Path:
    config = write_office_config(tmp_path, **{'dir = ""': f'dir = "{tmp_path / "auto"}"'})
    app = make_app(tmp_path, printer__type="none")
    app.extensions["kiosk"].stop()
    filler = "6203011708900001 Siti Rahayu " * (1024 * 1024 // 29)
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        for index in range(megabytes):
            conn.execute(
                "INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, '2026')", [f"filler-{index}", filler]
            )
    conn.close()
    return config


@pytest.mark.slow
def test_a_backup_killed_mid_copy_leaves_no_partial_copy_after_the_next_housekeeping(tmp_path):
    config = _big_office(tmp_path, 150)
    folder = tmp_path / "auto"
    folder.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "backup", str(folder / "by-hand.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        partial = wait_until(
            lambda: [p for p in folder.iterdir() if p.stat().st_size > 1_000_000], timeout=60, interval=0.005
        )
    finally:
        process.kill()  # SIGKILL: no handler, no finally block runs
        process.wait(timeout=10)
    assert partial and not (folder / "by-hand.db").exists()
    left = [p for p in folder.iterdir()]
    assert left and all(p.name.startswith(".") for p in left)  # hidden, full of resident data

    settings = load_settings(config)
    from kiosk.office.runtime import Runtime

    runtime = Runtime.open(settings, lambda: datetime(2026, 11, 25, 1, 0, tzinfo=JAKARTA))  # before 02:00
    runtime.housekeep()
    assert list(folder.iterdir()) == []


def test_another_backup_into_the_folder_sweeps_an_abandoned_partial_copy_but_never_one_being_written(office):
    from kiosk.storage.backup import Partial, sweep_partials

    config, _, copy, _ = office
    folder = copy.parent
    with Partial(folder / "in-progress.db") as writing:  # another process writing a copy right now
        writing.write_bytes(b"half")
        assert sweep_partials(folder) == [] and writing.exists()
    abandoned = folder / f".{copy.name}.99999.1.partial"  # as a killed `kiosk backup` leaves it
    abandoned.write_bytes(copy.read_bytes())
    (folder / f"{abandoned.name}-journal").write_bytes(b"x")
    assert cli(config, "backup", str(folder / "next.db")).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["genuine.db", "next.db"]


def test_housekeeping_keeps_only_the_newest_replaced_databases(office, tmp_path):
    config, database, copy, _ = office
    from kiosk.storage.backup import REPLACED_KEEP

    for stamp in range(REPLACED_KEEP + 3):
        kept = database.with_name(f"kiosk.db.replaced-20261101-00000{stamp}")
        kept.write_bytes(b"old")
        os.utime(kept, (1_700_000_000 + stamp, 1_700_000_000 + stamp))
    app = make_app(tmp_path, printer__type="none")
    app.extensions["kiosk"].housekeep()
    app.extensions["kiosk"].stop()
    app.extensions["kiosk"].db.close()
    left = sorted(p.name for p in tmp_path.glob("kiosk.db.replaced-*"))
    assert left == [f"kiosk.db.replaced-20261101-00000{stamp}" for stamp in range(3, REPLACED_KEEP + 3)]
    # A restore prunes them too, the one it keeps now among the newest.
    assert cli(config, "restore", "--yes", str(copy)).exit_code == 0
    assert len(list(tmp_path.glob("kiosk.db.replaced-*"))) == REPLACED_KEEP


def test_a_copy_from_an_older_release_is_migrated_checked_and_restored(office, tmp_path):
    from sqlite_utils import Database as UtilsDatabase

    from kiosk.storage.migrations import migrations

    config, database, _, _ = office
    older = tmp_path / "older.db"
    conn = sqlite3.connect(older, isolation_level=None)
    migrations.apply(UtilsDatabase(conn), stop_before="0006_report_and_waiting_indexes")
    conn.execute("INSERT INTO staff (username, password_hash, role, created_at) VALUES ('lama', 'x', 'admin', '2025')")
    conn.execute("ANALYZE")  # statistics tables are SQLite's own, not an extra table
    conn.close()
    result = cli(config, "restore", "--yes", str(older))
    assert result.exit_code == 0, result.output
    assert admins_in(database) == {"lama"}
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'tickets_waiting_cover'").fetchone()[0]
    conn.close()


def test_a_copy_holding_clear_niks_is_hashed_with_the_live_key_and_leaves_no_key_of_its_own(office, tmp_path):
    """A backup from before the NIK hashes: restore hashes its records with the live database's key, so a
    resident's NIK + KK still find them, and no second key file is left beside the checked copy."""
    from sqlite_utils import Database as UtilsDatabase

    from kiosk.domain.status import hash_kk, hash_nik
    from kiosk.storage.db import Database
    from kiosk.storage.migrations import migrations

    config, database, _, _ = office
    older = tmp_path / "older-with-records.db"
    conn = sqlite3.connect(older, isolation_level=None)
    migrations.apply(UtilsDatabase(conn), stop_before="0013_a_status_hashes_and_import_generations")
    conn.execute(
        "INSERT INTO applications (nik, kk, name, birth_date, status, note, updated_at, updated_by)"
        " VALUES ('6203015708900001', '6203011203150004', 'Budi Santoso', '1990-08-17',"
        " 'READY_FOR_PICKUP', '', '2026-01-02T08:00:00+07:00', 'import')"
    )
    conn.close()
    live_key = Database(database).status_key()
    result = cli(config, "restore", "--yes", str(older))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT nik_hash, kk_hash, status FROM applications").fetchall()
    conn.close()
    assert rows == [(hash_nik(live_key, "6203015708900001"), hash_kk(live_key, "6203011203150004"), "READY_FOR_PICKUP")]
    assert sorted(p.name for p in database.parent.glob("*.status-key")) == [database.name + ".status-key"]


def test_an_encrypted_copy_cut_short_or_altered_is_refused():
    import io

    from kiosk.storage import vault

    data = os.urandom(2 * vault.CHUNK + 100)
    sealed = io.BytesIO()
    vault.encrypt(io.BytesIO(data), sealed, "kunci-kantor-2026")
    whole = sealed.getvalue()
    plain = io.BytesIO()
    vault.decrypt(io.BytesIO(whole), plain, "kunci-kantor-2026")
    assert plain.getvalue() == data
    last_frame = len(whole) - (100 + 16 + 5)
    altered = bytearray(whole)
    altered[len(vault.MAGIC) + 3] ^= 1  # the salt
    for damaged in (whole[:last_frame], whole[:-1], bytes(altered)):
        with pytest.raises(vault.VaultError):
            vault.decrypt(io.BytesIO(damaged), io.BytesIO(), "kunci-kantor-2026")


def test_kiosk_purge_tidies_copies_on_a_pc_that_was_switched_off(office, tmp_path):
    config, database, copy, _ = office
    from kiosk.storage.backup import REPLACED_KEEP

    abandoned = tmp_path / ".kiosk.db.offsite.4242.1.partial"  # an encrypted backup killed mid-copy
    abandoned.write_bytes(copy.read_bytes())
    for stamp in range(REPLACED_KEEP + 1):
        database.with_name(f"kiosk.db.replaced-20261101-00000{stamp}").write_bytes(b"old")
    result = cli(config, "purge")
    assert result.exit_code == 0, result.output
    assert "2 berkas dihapus: salinan cadangan yang terhenti di tengah jalan" in result.output
    assert not abandoned.exists() and len(list(tmp_path.glob("kiosk.db.replaced-*"))) == REPLACED_KEEP
