"""One rule set for staff accounts: `kiosk user add` and /admin accept and refuse the same usernames."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.office import staff
from tests.test_crash import write_office_config

STRONG = "Kapuas-Tinta-Lontar-42"
REFUSED = ["siti_ñ", "sïti", "ｓｉｔｉ", "siti santoso", "s", "x" * 41, "siti/1", ""]
ACCEPTED = ["siti_1", "budi.santoso", "A-b", "x" * 40]


@pytest.mark.parametrize("name", REFUSED)
def test_the_command_line_refuses_what_the_rule_refuses(tmp_path, name):
    config = str(write_office_config(tmp_path))
    result = CliRunner().invoke(
        main,
        ["--config", config, "user", "add", name, "--role", "counter", "--password-stdin"],
        input=STRONG + "\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "NAMA harus 2-40 huruf, angka, '.', '_' atau '-'" in result.output
    assert not staff.username_ok(name)


@pytest.mark.parametrize("name", REFUSED)
def test_the_admin_page_refuses_what_the_rule_refuses(live_server, name):
    headers = live_server.login("kepala", "rahasia-Admin1")
    answer = live_server.post(
        "/api/admin/staff", headers=headers, json={"username": name, "role": "counter", "password": STRONG}
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "bad_request",
        "message": "Nama pengguna harus 2-40 huruf, angka, '.', '_' atau '-'.",
    }


def test_both_accept_the_same_names(tmp_path, live_server):
    (tmp_path / "cli").mkdir()
    config = str(write_office_config(tmp_path / "cli"))
    headers = live_server.login("kepala", "rahasia-Admin1")
    for name in ACCEPTED:
        assert staff.username_ok(name)
        result = CliRunner().invoke(
            main,
            ["--config", config, "user", "add", name, "--role", "counter", "--password-stdin"],
            input=STRONG + "\n",
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        answer = live_server.post(
            "/api/admin/staff", headers=headers, json={"username": name, "role": "counter", "password": STRONG}
        )
        assert answer.status_code == 201, answer.text
    with sqlite3.connect(tmp_path / "cli" / "kiosk.db") as conn:
        assert sorted(row[0] for row in conn.execute("SELECT username FROM staff")) == sorted(ACCEPTED)
