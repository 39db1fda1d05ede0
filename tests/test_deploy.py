"""The deploy/ folder: systemd units that systemd itself accepts, and install scripts that parse and lint clean.

systemd-analyze and shellcheck come from Debian (CI installs both); without them the checks are
skipped locally, never under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = {
    "kiosk.service": "kiosk.service",
    "kiosk-firewall.service": "kiosk-firewall.service",
    "kiosk-screen@.service": "kiosk-screen@kiosk.service",
    "kiosk-regency.service": "kiosk-regency.service",
}
SCRIPTS = ("install.sh", "screen-session", "check-in-container.sh")


def tool(name: str) -> str:
    """Return the path of a Debian tool; skip the test without it, except in CI where it must be installed."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing: .ci/run installs it")
        pytest.skip(f"{name} is not installed")
    return path


def settings_of(unit: str) -> dict[str, list[str]]:
    """Return each Key= of a unit file with every value it is given, in order."""
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / unit).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


@pytest.fixture
def system_root(tmp_path):
    """A root directory holding Debian's own units, ours, and a stand-in for every program ours start."""
    units = next(path for path in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if path.is_dir())
    shutil.copytree(units, tmp_path / "usr/lib/systemd/system", symlinks=True)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(DEPLOY / unit, tmp_path / "etc/systemd/system" / unit)
        for key, values in settings_of(unit).items():
            if key.startswith("Exec"):
                for value in values:
                    program = tmp_path / value.lstrip("-@+!:").split()[0].lstrip("/")
                    program.parent.mkdir(parents=True, exist_ok=True)
                    program.write_text("#!/bin/sh\n")
                    program.chmod(0o755)
    return tmp_path


def test_every_unit_passes_systemd_analyze_verify_without_a_warning(system_root):
    analyze = tool("systemd-analyze")
    for instance in [*UNITS.values(), "kiosk-screen@display.service"]:
        result = subprocess.run(
            [analyze, "verify", "--man=no", f"--root={system_root}", instance],
            capture_output=True,
            text=True,
            cwd=system_root,
        )
        assert (result.returncode, result.stderr, result.stdout) == (0, "", ""), instance


def test_verify_would_catch_a_mistake(system_root):
    """The check above is not vacuous: a misspelt key and a bad value are reported."""
    analyze = tool("systemd-analyze")
    unit = system_root / "etc/systemd/system/kiosk.service"
    unit.write_text(unit.read_text().replace("Restart=on-failure", "Restart=sometimes\nRestartSecs=2"))
    result = subprocess.run(
        [analyze, "verify", "--man=no", f"--root={system_root}", "kiosk.service"],
        capture_output=True,
        text=True,
        cwd=system_root,
    )
    assert "sometimes" in result.stderr and "RestartSecs" in result.stderr


@pytest.mark.parametrize("unit", ["kiosk.service", "kiosk-regency.service"])
def test_the_server_unit_is_hardened_by_systemds_own_measure(system_root, unit):
    analyze = tool("systemd-analyze")
    result = subprocess.run(
        [analyze, "security", "--offline=yes", f"--root={system_root}", unit],
        capture_output=True,
        text=True,
        cwd=system_root,
    )
    exposure = float(re.search(rf"Overall exposure level for {unit}: ([\d.]+)", result.stdout).group(1))
    assert exposure <= 2.0, result.stdout  # 0 = fully locked down, 10 = unprotected; "OK" is below 4


def test_the_server_unit_restarts_runs_unprivileged_and_keeps_state_and_config_apart():
    unit = settings_of("kiosk.service")
    assert unit["Restart"] == ["on-failure"]
    assert unit["WantedBy"] == ["multi-user.target"]
    assert (unit["User"], unit["Group"]) == (["kiosk"], ["kiosk"])
    assert unit["StateDirectory"] == ["kiosk"] and unit["WorkingDirectory"] == ["/var/lib/kiosk"]
    assert unit["Environment"] == ["KIOSK_CONFIG=/etc/kiosk/kiosk.toml"]
    assert unit["ExecStart"] == ["/opt/kiosk/current/bin/kiosk serve"]
    assert unit["NoNewPrivileges"] == ["yes"] and unit["ProtectSystem"] == ["strict"]


def test_the_screens_restart_with_autoplay_no_blanking_and_no_cursor_on_the_kiosk():
    unit = settings_of("kiosk-screen@.service")
    assert unit["Restart"] == ["always"] and unit["User"] == ["kiosk-screen"]
    assert "-s 0 -dpms $X_OPTIONS" in unit["ExecStart"][0]
    session = (DEPLOY / "screen-session").read_text(encoding="utf-8")
    assert "exec chromium" in session and "--kiosk" in session
    assert "--autoplay-policy=no-user-gesture-required" in session
    assert "xset s off" in session and "xset -dpms" in session
    assert 'options="-nocursor"' in (DEPLOY / "install.sh").read_text(encoding="utf-8")


def test_usb_printer_rules_cover_epson_and_the_common_58_and_80_mm_units():
    rules = (DEPLOY / "60-kiosk-printers.rules").read_text(encoding="utf-8")
    matched = set(re.findall(r'ATTRS\{idVendor\}=="(\w{4})"(?:, ATTRS\{idProduct\}=="(\w{4})")?', rules))
    assert ("04b8", "") in matched  # every Epson product
    assert {("0416", "5011"), ("0483", "5743"), ("1fc9", "2016"), ("0456", "0808")} <= matched
    assert all(
        'GROUP="kiosk"' in line and 'MODE="0660"' in line for line in rules.splitlines() if line.startswith("ATTRS")
    )


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_parse_and_pass_shellcheck(script):
    shell = "bash" if script.endswith(".sh") else "sh"
    assert subprocess.run([shell, "-n", str(DEPLOY / script)], capture_output=True).returncode == 0
    result = subprocess.run([tool("shellcheck"), str(DEPLOY / script)], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "")


def test_the_firewall_admits_the_lan_and_localhost_only_to_the_kiosk_port():
    rules = (DEPLOY / "nftables-kiosk.conf").read_text(encoding="utf-8")
    assert "elements = { 127.0.0.0/8, @LAN@ }" in rules
    assert rules.index("ip saddr @office_lan accept") < rules.index("tcp dport @PORT@ counter drop")
    # One address holds at most [server] max_connections_per_client connections, checked before any accept.
    for family in ("ip saddr", "ip6 saddr"):
        cap = rules.index(
            f"ct state new add @clients_v{family[2] if family[2] == '6' else '4'} "
            f"{{ {family} ct count over @PERCLIENT@ }} counter reject with tcp reset"
        )
        assert cap < rules.index("ip saddr @office_lan accept")
    nft = shutil.which("nft")
    if nft:  # nftables' own parser, without touching this machine's rules
        filled = rules.replace("@LAN@", "192.168.1.0/24").replace("@PORT@", "8080").replace("@PERCLIENT@", "64")
        result = subprocess.run([nft, "--check", "-f", "-"], input=filled, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def _install_helpers() -> str:
    """The helper functions of install.sh that read the configuration, as bash source."""
    script = (DEPLOY / "install.sh").read_text(encoding="utf-8")
    names = ("server_number", "configured_port", "staff_list")
    found = {m.group(1): m.group(0) for m in re.finditer(r"^(\w+)\(\) \{\n.*?^\}\n", script, re.S | re.M)}
    return "\n".join(found[name] for name in names if name in found)


def _bash(tmp_path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{_install_helpers()}\n{command}"],
        capture_output=True,
        text=True,
        env={**os.environ, "CONFIG_DIR": str(tmp_path)},
    )


@pytest.mark.parametrize(
    ("toml", "port"),
    [
        ("[server]\nport=9090\n", "9090"),  # no spaces around =
        ('[printer]\nport = 9100\n\n[server]\nhost = "0.0.0.0"\n', "8080"),  # another table's port; server's unset
        ("server.port = 9092\n[printer]\nport = 9100\n", "9092"),  # a dotted key
        ("[server]\nport = 8443 # TLS proxy in front\n", "8443"),
        ("[server] # the web server\nport = 9093\n", "9093"),  # a comment after the header
        (None, "8080"),  # no configuration yet
    ],
)
def test_the_installer_reads_the_servers_port_with_pythons_toml_parser(tmp_path, toml, port):
    """The firewall and the screens must guard the port the server really listens on ([server] port)."""
    if toml is not None:
        (tmp_path / "kiosk.toml").write_text(toml, encoding="utf-8")
    done = _bash(tmp_path, "configured_port")
    assert (done.returncode, done.stdout.strip()) == (0, port), done.stderr


def test_the_installer_stops_on_a_configuration_it_cannot_read(tmp_path):
    (tmp_path / "kiosk.toml").write_text("[server\nport = 9090\n", encoding="utf-8")
    done = _bash(tmp_path, "configured_port")
    assert done.returncode != 0 and "not valid TOML" in done.stderr
    (tmp_path / "kiosk.toml").write_text('[server]\nport = "9090"\n', encoding="utf-8")
    done = _bash(tmp_path, "configured_port")
    assert done.returncode != 0 and "[server] port" in done.stderr


def test_the_installer_writes_staff_addresses_as_a_list_the_server_accepts(tmp_path):
    from kiosk.domain.settings import load_settings
    from kiosk.paths import packaged_config

    done = _bash(tmp_path, 'staff_list "192.168.1.20, 192.168.1.32/28"')
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '["192.168.1.20/32", "192.168.1.32/28"]'
    config = tmp_path / "kiosk.toml"
    config.write_text(
        packaged_config()
        .read_text(encoding="utf-8")
        .replace("staff_addresses = []", f"staff_addresses = {done.stdout.strip()}", 1),
        encoding="utf-8",
    )
    assert load_settings(config).server.staff_addresses == ("192.168.1.20/32", "192.168.1.32/28")
    assert _bash(tmp_path, 'staff_list "192.168.1.300"').returncode != 0
    assert _bash(tmp_path, 'staff_list ""').stdout.strip() == "[]"
    assert "--staff" in (DEPLOY / "install.sh").read_text(encoding="utf-8")


def test_the_server_unit_never_starts_without_its_firewall():
    unit = settings_of("kiosk.service")
    assert "kiosk-firewall.service" in " ".join(unit.get("Requires", []) + unit.get("BindsTo", [])).split()
    assert "kiosk-firewall.service" in " ".join(unit["After"]).split()


@pytest.mark.browser
def test_the_screen_session_blanks_nothing_and_opens_the_kiosk_full_screen_in_chromium_on_x(
    browser, live_server, tmp_path
):
    """deploy/screen-session as kiosk-screen@kiosk runs it, on a real X server (Xvfb) with Debian's Chromium.

    Only the X server differs from the kiosk PC (Xvfb for the tty7 one xinit starts), and Chromium gets
    --no-sandbox (these tests run as root) and a DevTools port to look through; the page is the real one.
    Without a window manager --kiosk left Chromium a 1050x786 window in a corner of the screen.
    """
    xvfb, xset = tool("Xvfb"), tool("xset")
    tool("curl")
    tool("matchbox-window-manager")
    # -noreset as the unit gives it (without, X forgets xset's settings whenever no client is connected);
    # not the unit's -s 0 -dpms, so what is asserted below is the session's own doing.
    assert "-noreset" in settings_of("kiosk-screen@.service")["ExecStart"][0]
    x_server = subprocess.Popen(
        [xvfb, "-displayfd", "1", "-screen", "0", "1080x1920x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    session = None
    try:
        display = ":" + x_server.stdout.readline().decode().strip()
        devtools = _free_port()
        shims = tmp_path / "bin"
        shims.mkdir()
        (shims / "chromium").write_text(
            f'#!/bin/sh\nexec /usr/bin/chromium --no-sandbox --remote-debugging-port={devtools} "$@"\n'
        )
        (shims / "chromium").chmod(0o755)
        profile = tmp_path / "home/chromium-kiosk/Default"
        profile.mkdir(parents=True)  # as left by a crash: no "restore pages?" bubble may come up
        (profile / "Preferences").write_text('{"profile":{"exit_type":"Crashed","exited_cleanly":false}}')
        environment = {
            **os.environ,
            "DISPLAY": display,
            "HOME": str(tmp_path / "home"),
            "KIOSK_URL": live_server.url,
            "PATH": f"{shims}:{os.environ['PATH']}",
        }
        session = subprocess.Popen(
            [str(DEPLOY / "screen-session"), "kiosk"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Playwright's own (the browser fixture's) connects to the Chromium the session started.
        chromium = None
        for _ in range(300):  # Chromium starts in a few seconds; a slow CI machine gets 30
            try:
                chromium = browser.browser_type.connect_over_cdp(f"http://127.0.0.1:{devtools}")
                break
            except Exception:
                assert session.poll() is None, "screen-session ended before Chromium was up"
                time.sleep(0.1)
        assert chromium is not None, "Chromium never opened its DevTools port"
        page = chromium.contexts[0].pages[0]
        page.wait_for_selector("[data-screen='start']:not([hidden])", timeout=30000)
        assert page.url == f"{live_server.url}/kiosk"
        # --kiosk: the page has the whole 1080x1920 screen, no window frame, tabs or address bar.
        for _ in range(50):
            size = page.evaluate("[innerWidth, innerHeight, screen.width, screen.height]")
            if size == [1080, 1920, 1080, 1920]:
                break
            page.wait_for_timeout(100)
        assert size == [1080, 1920, 1080, 1920]
        saver = subprocess.run([xset, "q"], env=environment, capture_output=True, text=True).stdout
        saver = saver[saver.index("Screen Saver") : saver.index("Colors")]
        assert re.search(r"prefer blanking:\s+no", saver) and re.search(r"timeout:\s+0\b", saver), saver
        chromium.close()
    finally:
        if session is not None and session.poll() is None:
            os.killpg(session.pid, 15)
            session.wait(10)
        x_server.terminate()
        x_server.wait(10)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
