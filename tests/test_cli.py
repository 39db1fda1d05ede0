"""The ``kiosk`` command line through click's runner (and one real ``python -m kiosk``)."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner
from werkzeug.security import check_password_hash

from kiosk.cli import main
from kiosk.domain.passwords import check_password
from tests.test_crash import write_office_config


@pytest.fixture
def config(tmp_path):
    return str(write_office_config(tmp_path))


def applied_migrations(path) -> list[tuple[str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT name FROM _sqlite_migrations ORDER BY name").fetchall()


def every_migration(tmp_path) -> list[tuple[str]]:
    """The migrations one fresh `kiosk init` applies: the list a repeated or racing init must not change."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert run(write_office_config(fresh), "init").exit_code == 0
    return applied_migrations(fresh / "kiosk.db")


def assert_private_secret(database) -> str:
    """The signing secret sits beside the database, owner-only, and is a usable secret."""
    secret_file = database.with_name(database.name + ".secret")
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) == 64 and int(secret, 16) > 0
    return secret


def run(config, *args, input=None):
    return CliRunner().invoke(main, ["--config", config, *args], input=input, catch_exceptions=False)


def test_init_twice_is_harmless(config, tmp_path):
    first = run(config, "init")
    second = run(config, "init")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "Basis data siap" in second.output
    assert applied_migrations(tmp_path / "kiosk.db") == every_migration(tmp_path)
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM app_state WHERE key = 'secret_key'").fetchone()[0] == 0
    assert_private_secret(tmp_path / "kiosk.db")


def test_user_add_from_stdin(config, tmp_path):
    result = run(config, "user", "add", "siti", "--role", "counter", "--password-stdin", input="Loket-Satu-2026\n")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        username, role, password_hash = conn.execute("SELECT username, role, password_hash FROM staff").fetchone()
    assert (username, role) == ("siti", "counter")
    assert check_password_hash(password_hash, "Loket-Satu-2026")
    assert "Loket-Satu-2026" not in password_hash
    again = run(config, "user", "add", "SITI", "--role", "admin", "--password-stdin", input="Loket-Dua-2026\n")
    assert again.exit_code == 1 and again.output == (
        "Gagal: nama pengguna 'SITI' sudah dipakai (huruf besar dan kecil dianggap sama)\n"
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("pendek1", "Kata sandi minimal 10 karakter."),
        (" " * 10, "Kata sandi tidak boleh hanya spasi."),
        ("!" * 10, "Kata sandi tidak boleh satu karakter yang diulang."),
        ("z" * 16, "Kata sandi tidak boleh satu karakter yang diulang."),
        (
            "Password12",
            "Kata sandi terlalu mudah ditebak. Gunakan beberapa kata yang tidak umum dengan angka atau simbol.",
        ),
        ("password123", "Kata sandi terlalu mudah ditebak."),
        ("kecamatan123", "Kata sandi terlalu mudah ditebak."),
        ("qwertyuiop12", "Kata sandi terlalu mudah ditebak."),
        ("abcdefghijkl", "Kata sandi terlalu mudah ditebak."),
        ("sitisiti-2026", "Kata sandi tidak boleh memuat nama pengguna."),
        ("Loket-SITI-Selat-77", "Kata sandi tidak boleh memuat nama pengguna."),
        ("Loket-Satu-2026" * 9, "Kata sandi paling banyak 128 karakter."),
    ],
)
def test_user_add_refuses_weak_passwords_saying_why(config, tmp_path, password, reason):
    run(config, "init")
    result = run(config, "user", "add", "siti", "--role", "counter", "--password-stdin", input=password + "\n")
    assert result.exit_code == 1
    assert result.output.startswith(f"Gagal: {reason}"), result.output
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0] == 0


def test_passwd_refuses_a_weak_password_and_keeps_the_old_one(config, tmp_path):
    run(config, "user", "add", "siti", "--role", "counter", "--password-stdin", input="Loket-Satu-2026\n")
    result = run(config, "user", "passwd", "siti", "--password-stdin", input="Password12\n")
    assert result.exit_code == 1 and result.output.startswith("Gagal: Kata sandi terlalu mudah ditebak")
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        assert check_password_hash(conn.execute("SELECT password_hash FROM staff").fetchone()[0], "Loket-Satu-2026")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Loket-Satu-2026", True),
        ("kantor selat raya", True),
        ("correct horse battery staple", True),
        ("Biru-Kopi-Jendela-8", True),
        ("1234567890", False),
        ("short", False),
        ("Password12", False),
        ("Dukcapil2026!", False),
    ],
)
def test_password_rules(password, ok):
    assert (check_password("siti", password) is None) is ok


def test_wrong_config_stops_with_the_key(tmp_path):
    config = write_office_config(tmp_path, **{"paper_width_mm = 80": "paper_width_mm = 76"})
    result = run(str(config), "init")
    assert result.exit_code == 2
    assert "printer.paper_width_mm must be 58 or 80" in result.output
    assert "Traceback" not in result.output


def test_backup_is_a_consistent_copy(config, tmp_path):
    run(config, "user", "add", "siti", "--role", "admin", "--password-stdin", input="Loket-Satu-2026\n")
    result = run(config, "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute("SELECT username FROM staff").fetchall() == [("siti",)]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    refused = run(config, "backup", str(tmp_path / "copy.db"))
    assert refused.exit_code == 1 and "sudah ada; pilih nama berkas baru" in refused.output


def test_help_shows_examples():
    result = CliRunner().invoke(main, ["user", "add", "--help"])
    assert "Example:" in result.output and "--password-stdin" in result.output


def test_module_entry_point_runs(config):
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", config, "init"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "Basis data siap" in result.stdout


@pytest.mark.slow
def test_demo_seeds_staff_and_tickets_then_serves(tmp_path):
    import os
    import re

    import requests

    from tests.support import wait_until
    from tests.test_crash import _free_port

    config = write_office_config(tmp_path)
    port = _free_port()
    log = tmp_path / "demo.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "demo", "--port", str(port)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:

        def healthy() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok
            except (requests.ConnectionError, requests.Timeout):
                # The port is bound before the demo office is seeded: until then a request waits unanswered.
                return False

        wait_until(healthy, timeout=30, interval=0.1)
        output = log.read_text()
        passwords = dict(re.findall(r"Akun petugas dibuat: (\w+) / (\S+)", output))
        assert set(passwords) == {"admin", "petugas"}
        session = requests.Session()
        login = session.post(
            f"http://127.0.0.1:{port}/api/login",
            json={"username": "petugas", "password": passwords["petugas"]},
            timeout=5,
        )
        assert login.status_code == 200
        waiting = {s["code"]: s["waiting"] for s in session.get(f"http://127.0.0.1:{port}/api/services").json()}
        assert waiting["REKAM"] == 2 and waiting["AMBIL"] == 1 and waiting["INFO"] == 1
        for page in ("/kiosk", "/display", "/login"):
            assert requests.get(f"http://127.0.0.1:{port}{page}", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert passwords["petugas"] not in (tmp_path / "kiosk.db").read_bytes().decode("latin-1")


@pytest.mark.slow
def test_three_processes_initialising_a_new_database_at_once(config, tmp_path):
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--config", config, "init"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [process.communicate(timeout=60) for process in starts]
    assert [process.returncode for process in starts] == [0, 0, 0], results
    assert applied_migrations(tmp_path / "kiosk.db") == every_migration(tmp_path)
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM app_state WHERE key = 'secret_key'").fetchone()[0] == 0
    assert_private_secret(tmp_path / "kiosk.db")
    assert list(tmp_path.glob("*.tmp")) == []


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_port_in_use_is_one_line_naming_it_and_status_2_before_anything_else(tmp_path, command):
    import socket

    config = write_office_config(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kiosk", "--config", str(config), command, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 2, output
    assert output == (f"Gagal: port {port} di 127.0.0.1 sudah dipakai (server lain?); pilih port lain dengan --port")
    if command == "demo":  # nothing was set up for a server that cannot start
        with sqlite3.connect(tmp_path / "kiosk.db") as conn:
            assert conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0] == 0
