"""Configuration: the demo file loads; every mistake stops start-up with a line naming the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import (
    load_settings,
    parse_settings,
)
from kiosk.paths import packaged_config
from tests.unit.test_settings import _mutate, demo_raw


def test_demo_office_loads_completely():
    settings = load_settings(packaged_config())
    assert settings.office.name == "Kantor Kecamatan Selat"
    assert str(settings.office.timezone) == "Asia/Jakarta"
    assert [s.code for s in settings.services] == ["REKAM", "CETAK", "AMBIL", "UBAH", "IKD", "INFO"]
    assert [s.prefix for s in settings.services] == ["A", "B", "C", "D", "E", "F"]
    assert [c.name for c in settings.counters] == ["Loket 1", "Loket 2", "Loket 3"]
    assert settings.printer.type == "file"
    assert settings.queue.max_consecutive_priority == 3
    assert settings.next_service["READY_FOR_PICKUP"] == "AMBIL"
    assert settings.counters_for("INFO") == 2


def test_environment_picks_file_and_database(tmp_path, monkeypatch):
    custom = tmp_path / "office.toml"
    custom.write_text(packaged_config().read_text(encoding="utf-8").replace("Kecamatan Selat", "Kecamatan Uji"))
    monkeypatch.setenv("KIOSK_CONFIG", str(custom))
    monkeypatch.setenv("KIOSK_DB", str(tmp_path / "x.db"))
    settings = load_settings()
    assert settings.office.name == "Kantor Kecamatan Uji"
    assert settings.database_path == tmp_path / "x.db"


def test_the_signature_keys_are_optional_and_kept_as_written():
    office = parse_settings(_mutate("office.head_nip", " 19700512  199003 1 004 ")).office
    assert (office.place, office.head_title, office.head_name, office.head_nip) == ("", "", "", "19700512 199003 1 004")


def test_unreadable_files_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[office\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken)


def _load_text(tmp_path: Path, text: str):
    config = tmp_path / "office.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config)


DEMO_TEXT = packaged_config().read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("public_url =", "publc_url =", "unknown key office.publc_url (did you mean office.public_url?)"),
        ("[printer]", "[printr]", "unknown table [printr] (did you mean [printer]?)"),
        ("[office.hours]", "[office.hour]", "unknown table [office.hour] (did you mean [office.hours]?)"),
        (
            "kiosk_idle_seconds",
            "kiosk_idle_second",
            "unknown key queue.kiosk_idle_second (did you mean queue.kiosk_idle_seconds?)",
        ),
        ("daily_quota", "dailyquota", "unknown key services[0].dailyquota (did you mean services[0].daily_quota?)"),
        (
            'name_en = "KTP-el Enrolment"',
            'name_eng = "KTP-el Enrolment"',
            "unknown key services[0].name_eng (did you mean services[0].name_en?)",
        ),
        (
            "observe_national_holidays",
            "observe_national_holiday",
            "unknown key office.observe_national_holiday (did you mean office.observe_national_holidays?)",
        ),
        ('name = "Loket 3"', 'nama = "Loket 3"', "unknown key counters[2].nama (did you mean counters[2].name?)"),
        (
            'mon = "00:00-24:00"',
            'monday = "00:00-24:00"',
            "unknown key office.hours.monday (did you mean office.hours.mon?)",
        ),
        (
            "[status.next_service]",
            "[status.next_servis]",
            "unknown table [status.next_servis] (did you mean [status.next_service]?)",
        ),
        ("[database]", "[database]\ndebug = true", "unknown key database.debug (known: path)"),
    ],
)
def test_a_typo_stops_start_up_naming_the_key_and_the_closest_known_one(tmp_path, old, new, message):
    assert old in DEMO_TEXT
    with pytest.raises(ConfigError) as error:
        _load_text(tmp_path, DEMO_TEXT.replace(old, new, 1))
    assert error.value.message == message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name = "Kantor Kecamatan Selat"', "name = 5", "office.name must be str, got 5"),
        ('mon = "00:00-24:00"', "mon = 8", "office.hours.mon must be str, got 8"),
        ("[office.hours]", 'hours = "always"\n[office.hour_table]', "[office.hours] must be a table"),
        ('prefix = "A"', 'prefix = "A"\nhours = "08:00-12:00"', "[services[0].hours] must be a table"),
        ('services = ["REKAM", "UBAH"]', 'services = "REKAM"', "counters[0].services must be list, got 'REKAM'"),
        (
            'services = ["REKAM", "UBAH"]',
            'services = ["REKAM", 5]',
            "counters[0].services must list service codes, got 5",
        ),
        ("timeout = 2.0", 'timeout = "2"', "printer.timeout must be int or float, got '2'"),
        ('UNREGISTERED = "REKAM"', "UNREGISTERED = 5", "status.next_service.UNREGISTERED must be str, got 5"),
        (
            "[status.next_service]",
            '[status]\nnext_service = "REKAM"\n[status.other]',
            "[status.next_service] must be a table",
        ),
    ],
)
def test_a_wrong_type_stops_start_up_naming_the_key(tmp_path, old, new, message):
    assert old in DEMO_TEXT
    with pytest.raises(ConfigError) as error:
        _load_text(tmp_path, DEMO_TEXT.replace(old, new, 1))
    assert error.value.message == message


def test_the_qr_link_length_limit_follows_the_paper_width():
    url = "http://192.168.1.10:8080/" + "a" * 700
    raw = _mutate("office.public_url", url)
    assert parse_settings(raw).office.public_url == url  # fits 80 mm
    raw["printer"]["paper_width_mm"] = 58
    with pytest.raises(ConfigError) as error:
        parse_settings(raw)
    assert error.value.message == (
        "office.public_url is too long: the QR code of its ticket links would not fit 58 mm paper (725 characters)"
    )


def test_without_a_printer_names_are_not_held_to_the_printer_code_page():
    raw = _mutate("office.name", "Kantor Kecamatan Sélat")
    raw["printer"] = {"type": "none"}
    assert parse_settings(raw).office.name == "Kantor Kecamatan Sélat"


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("public_url =", "publc_url =", "unknown key office.publc_url (did you mean office.public_url?)"),
        ("port = 8080", 'port = "8080"', "server.port must be int, got '8080'"),
    ],
)
def test_the_command_line_stops_with_one_line_and_status_2(tmp_path, old, new, line):
    database = tmp_path / "kiosk.db"
    config = tmp_path / "bad.toml"
    config.write_text(
        DEMO_TEXT.replace(old, new, 1).replace('path = "var/kiosk.db"', f'path = "{database}"'), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), "init"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"Error: configuration: {line}\n")
    assert not database.exists()


def test_a_wrong_kind_of_table_is_named_also_when_the_environment_sets_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DB", str(tmp_path / "x.db"))
    with pytest.raises(ConfigError) as error:
        _load_text(tmp_path, 'database = "var/kiosk.db"\n' + DEMO_TEXT.replace('[database]\npath = "var/kiosk.db"', ""))
    assert error.value.message == "[database] must be a table"


def test_stream_caps_default_well_below_the_threads():
    server = parse_settings(demo_raw()).server
    assert (server.threads, server.max_streams, server.max_streams_per_client) == (48, 24, 4)
    raw = demo_raw()
    raw["server"] = {"threads": 12}
    server = parse_settings(raw).server
    assert (server.max_streams, server.max_streams_per_client) == (6, 4)


def test_network_keys_have_their_defaults_and_read_cidrs():
    server = load_settings(packaged_config()).server
    assert (server.reserved_streams, server.max_connections_per_client, server.first_request_seconds) == (8, 64, 5.0)
    assert (server.staff_addresses, server.trusted_hosts) == ((), ())
    raw = demo_raw()
    raw["server"].update(staff_addresses=["192.168.1.20", "10.0.5.7/24"], trusted_hosts=["Antrean.Local"])
    server = parse_settings(raw).server
    assert server.staff_addresses == ("192.168.1.20/32", "10.0.5.0/24")
    assert server.trusted_hosts == ("antrean.local",)
