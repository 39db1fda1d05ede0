"""deploy/ for SMS: gammu-smsd's configuration works with the real daemon, the SIM's PIN is entered from its
root-only file, and the folders agree with the [sms] defaults. Skipped without gammu, except under CI=true."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.domain.settings import Sms
from tests.test_deploy import system_root, tool  # noqa: F401 (a fixture)

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def smsdrc_values() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "gammu-smsdrc").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip().lower()] = value.strip()
    return values


def test_the_daemon_configuration_uses_the_files_backend_in_unicode_on_the_sms_folders():
    values = smsdrc_values()
    assert (values["service"], values["inboxformat"], values["outboxformat"]) == ("files", "unicode", "unicode")
    assert [values[key] for key in ("inboxpath", "outboxpath", "sentsmspath", "errorsmspath")] == [
        Sms.inbox,
        Sms.outbox,
        Sms.sent,
        Sms.error,
    ]
    assert "pin" not in values  # the PIN lives in /etc/kiosk/sim-pin, root only


def test_the_shipped_configuration_starts_the_real_daemon(tmp_path):
    program = tool("gammu-smsd")
    phone = tmp_path / "phone"
    (phone / "sms" / "1").mkdir(parents=True)
    text = (DEPLOY / "gammu-smsdrc").read_text()
    text = text.replace("/dev/kiosk-modem", str(phone)).replace("connection = at", "connection = none\nmodel = dummy")
    text = text.replace("/var/spool/gammu/", f"{tmp_path}/spool/").replace(
        "logfile = syslog", f"logfile = {tmp_path}/smsd.log"
    )
    text = text.replace("debuglevel = 0", "debuglevel = 1")  # the daemon names its folders and formats
    for folder in ("inbox", "outbox", "sent", "error"):
        (tmp_path / "spool" / folder).mkdir(parents=True)
    config = tmp_path / "smsdrc"
    config.write_text(text)
    process = subprocess.Popen([program, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        log = ""
        while time.monotonic() < deadline and "Starting phone communication" not in log:
            time.sleep(0.2)
            log = (tmp_path / "smsd.log").read_text() if (tmp_path / "smsd.log").exists() else ""
        assert f'Inbox is "{tmp_path}/spool/inbox/" with format "unicode"' in log
        assert f'Outbox is "{tmp_path}/spool/outbox/" with format "unicode"' in log
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_sim_pin_is_entered_from_its_root_only_file(tmp_path):
    tool("gammu")
    drop_in = (DEPLOY / "gammu-smsd-kiosk.conf").read_text()
    command = re.search(r"^ExecStartPre=-(.*)$", drop_in, re.MULTILINE).group(1)
    phone = tmp_path / "phone"
    (phone / "sms" / "1").mkdir(parents=True)
    config = tmp_path / "gammurc"
    config.write_text(f"[gammu]\nmodel = dummy\nconnection = none\ndevice = {phone}\n")
    pin = tmp_path / "sim-pin"
    pin.write_text("2468\n")
    command = command.replace("/etc/kiosk/sim-pin", str(pin)).replace("/etc/gammu-smsdrc", str(config))
    subprocess.run(shlex.split(command), check=True, capture_output=True, timeout=30)
    assert "Security code 2: 2468" in (phone / "operations.log").read_text()  # the dummy phone's record of it
    pin.write_text("")
    (phone / "operations.log").unlink()
    subprocess.run(shlex.split(command), check=True, capture_output=True, timeout=30)  # no PIN: nothing entered
    assert not (phone / "operations.log").exists()


def test_install_sh_installs_sms_only_when_asked():
    script = (DEPLOY / "install.sh").read_text()
    assert "--sms) sms=yes" in script
    assert 'if [ "$sms" = yes ] && [ "$server" = yes ]; then' in script
    assert 'chmod 0600 "$CONFIG_DIR/sim-pin"' in script


def test_the_drop_ins_pass_systemd_analyze_verify(system_root):  # noqa: F811 (the fixture)
    analyze = tool("systemd-analyze")
    if not (system_root / "usr/lib/systemd/system/gammu-smsd.service").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("gammu-smsd.service is missing: CI installs gammu-smsd")
        pytest.skip("Debian's gammu-smsd.service is not installed")
    for unit, drop_in, name in (
        ("gammu-smsd.service", "gammu-smsd-kiosk.conf", "kiosk.conf"),
        ("kiosk.service", "kiosk-sms.conf", "sms.conf"),
    ):
        folder = system_root / "etc/systemd/system" / f"{unit}.d"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text((DEPLOY / drop_in).read_text())
    for program in ("usr/bin/gammu-smsd", "bin/sh", "bin/kill", "bin/rm", "usr/bin/gammu"):
        path = system_root / program
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text("#!/bin/sh\n")
            path.chmod(0o755)
    for unit in ("gammu-smsd.service", "kiosk.service"):
        result = subprocess.run(
            [analyze, "verify", "--man=no", f"--root={system_root}", unit],
            capture_output=True,
            text=True,
            cwd=system_root,
        )
        assert (result.returncode, result.stderr) == (0, ""), unit
