"""The command line speaks Indonesian to the office: every line the main commands print (their --help stays English)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from tests.test_crash import write_office_config

KK = "6203010102150003"
SIAK = (
    "nik;no_kk;nama;tanggal_lahir;status\n"
    f"6203011708900001;{KK};Budi Santoso;1990-08-17;READY_FOR_PICKUP\n"
    f"620301170890003;{KK};Pendek;1990-08-17;CARD_SHIPPED\n"
)  # a NIK of 15 digits

# Words of the English the command line used to print; none may appear in a line it prints now.
ENGLISH = (
    "written",
    "created",
    "rejected",
    "refused",
    "ready",
    "removed",
    "exists",
    "passed",
    "accepted",
    "account",
    "database",
    "error",
    "password",
    "restore",
    "the",
    "nothing",
    "already",
    "session",
    "backup",
    "needs",
    "confirmation",
    "changed",
    "named",
    "row",
    "file",
    "records",
    "entries",
)


def commands(tmp_path):
    """(what it shows, arguments, standard input, exit status) for the main commands, in order."""
    siak = tmp_path / "siak.csv"
    siak.write_text(SIAK, encoding="utf-8")
    copy = tmp_path / "copy.db"
    return [
        ("init", ["init"], None, 0),
        ("user add", ["user", "add", "siti", "--role", "admin", "--password-stdin"], "Tinta-Biru-Kapuas-42\n", 0),
        (
            "user add: taken",
            ["user", "add", "SITI", "--role", "counter", "--password-stdin"],
            "Tinta-Biru-Kapuas-43\n",
            1,
        ),
        (
            "user add: weak password",
            ["user", "add", "budi", "--role", "counter", "--password-stdin"],
            "password123\n",
            1,
        ),
        ("user list", ["user", "list"], None, 0),
        ("user disable: unknown name", ["user", "disable", "nobody"], None, 1),
        ("user disable: last admin", ["user", "disable", "siti"], None, 1),
        ("import-status: a bad row", ["import-status", str(siak)], None, 0),
        ("backup", ["backup", str(copy)], None, 0),
        ("backup: the file exists", ["backup", str(copy)], None, 1),
        ("restore: no terminal to confirm on", ["restore", str(copy)], None, 1),
        ("purge", ["purge"], None, 0),
    ]


@pytest.mark.parametrize("index", range(12))
def test_every_line_the_main_commands_print_is_indonesian(tmp_path, index):
    config = str(write_office_config(tmp_path))
    steps = commands(tmp_path)
    runner = CliRunner()
    for _, args, stdin, _ in steps[:index]:  # the commands before set the scene
        runner.invoke(main, ["--config", config, *args], input=stdin, catch_exceptions=False)
    name, args, stdin, status = steps[index]
    result = runner.invoke(main, ["--config", config, *args], input=stdin, catch_exceptions=False)
    assert result.exit_code == status, (name, result.output)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines, name
    for line in lines:
        words = set(re.findall(r"[a-z]+", line.lower().replace(str(tmp_path).lower(), "")))
        assert not words & set(ENGLISH), (name, line, sorted(words & set(ENGLISH)))
