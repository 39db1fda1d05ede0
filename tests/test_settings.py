"""Configuration: the demo file loads; every mistake stops start-up with a line naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.paths import packaged_config
from kiosk.settings import load_settings, parse_settings


def demo_raw() -> dict:
    return tomllib.loads(packaged_config().read_text(encoding="utf-8"))


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


def _mutate(path: str, value):
    raw = demo_raw()
    target = raw
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("office.name", KeyError, "office.name is missing"),
        ("office.timezone", "Mars/Olympus", "office.timezone"),
        ("office.public_url", "192.168.1.10", "office.public_url"),
        ("office.hours.mon", "8-15", "office.hours.mon"),
        ("office.hours.tue", "15:00-08:00", "office.hours.tue"),
        ("office.hours.wed", "08:00-25:00", "office.hours.wed"),
        ("server.port", "8080", "server.port must be int"),
        ("server.port", 70000, "server.port"),
        ("queue.max_consecutive_priority", 0, "queue.max_consecutive_priority"),
        ("queue.kiosk_idle_seconds", True, "queue.kiosk_idle_seconds"),
        ("queue.announcement", "Nomor {nomor}", "queue.announcement"),
        ("printer.type", "laser", "printer.type"),
        ("printer.paper_width_mm", 76, "printer.paper_width_mm"),
        ("services.0.prefix", "AB", "services[0].prefix"),
        ("services.1.prefix", "A", "services[1].prefix 'A' is used twice"),
        ("services.1.code", "REKAM", "services[1].code 'REKAM' is used twice"),
        ("services.0.daily_quota", -5, "services[0].daily_quota"),
        ("counters.0.services", ["REKAM", "NOPE"], "counters[0].services names unknown service 'NOPE'"),
        ("counters.1.id", 1, "counters[1].id 1 is used twice"),
        ("status.next_service.UNREGISTERED", "NOPE", "status.next_service.UNREGISTERED"),
    ],
)
def test_wrong_config_names_the_key(path, value, message):
    with pytest.raises(ConfigError) as error:
        parse_settings(_mutate(path, value))
    assert message in error.value.message
    assert "\n" not in error.value.message


def test_missing_services_and_counters_are_named():
    raw = demo_raw()
    del raw["services"]
    with pytest.raises(ConfigError, match=r"\[\[services\]\] is missing"):
        parse_settings(raw)
    raw = demo_raw()
    raw["counters"] = []
    with pytest.raises(ConfigError, match=r"\[\[counters\]\] is missing"):
        parse_settings(raw)


def test_network_printer_needs_a_host():
    raw = demo_raw()
    raw["printer"] = {"type": "network"}
    with pytest.raises(ConfigError, match="printer.host is missing"):
        parse_settings(raw)


def test_unreadable_files_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[office\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken)


def test_service_hours_override_office_hours():
    raw = demo_raw()
    raw["services"][0]["hours"] = {"mon": "08:00-12:00"}
    settings = parse_settings(raw)
    assert settings.services[0].hours["mon"].closes.hour == 12
    assert settings.services[0].hours["tue"].closed
    assert settings.services[1].hours is None


def test_relative_database_path_kept_relative():
    assert load_settings(packaged_config()).database_path == Path("var/kiosk.db")
