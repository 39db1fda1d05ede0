"""Configuration: the demo file loads; every mistake stops start-up with a line naming the key."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import (
    WEEKDAYS,
    Counter,
    Hours,
    Office,
    Printer,
    Queue,
    Server,
    Service,
    Settings,
    load_settings,
    parse_settings,
)
from kiosk.domain.tomlkeys import schema_of
from kiosk.paths import packaged_config


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


def test_the_signature_keys_are_optional_and_kept_as_written():
    office = parse_settings(_mutate("office.head_nip", " 19700512  199003 1 004 ")).office
    assert (office.place, office.head_title, office.head_name, office.head_nip) == ("", "", "", "19700512 199003 1 004")


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
        ("server.threads", 4, "server.threads must be more than 4"),
        ("server.max_streams", 45, "server.max_streams must leave 4 of server.threads (48)"),
        ("server.max_streams", 0, "server.max_streams"),
        ("server.max_streams_per_client", 25, "server.max_streams_per_client must be at most"),
        ("server.reserved_streams", 24, "server.reserved_streams must leave some of server.max_streams (24)"),
        ("server.max_connections_per_client", 4, "server.max_connections_per_client must be at least 8"),
        ("server.max_connections_per_client", 500, "server.max_connections_per_client must be below"),
        ("server.first_request_seconds", 0, "server.first_request_seconds must be between"),
        ("server.first_request_seconds", "5", "server.first_request_seconds must be int or float"),
        ("server.staff_addresses", ["192.168.1.300"], "server.staff_addresses must list IP addresses or networks"),
        ("server.staff_addresses", "192.168.1.0/24", "server.staff_addresses must be list"),
        ("server.trusted_hosts", ["http://antrean.local"], "server.trusted_hosts must list host names"),
        ("queue.max_consecutive_priority", 0, "queue.max_consecutive_priority"),
        ("queue.kiosk_idle_seconds", True, "queue.kiosk_idle_seconds"),
        ("queue.announcement", "Nomor {nomor}", "queue.announcement"),
        ("queue.expire_grace_minutes", -1, "queue.expire_grace_minutes"),
        ("queue.expire_grace_minutes", "30", "queue.expire_grace_minutes must be int"),
        ("queue.expire_grace_minutes", 1441, "queue.expire_grace_minutes: at most 1440"),
        ("printer.type", "laser", "printer.type"),
        ("printer.paper_width_mm", 76, "printer.paper_width_mm"),
        ("services.0.prefix", "AB", "services[0].prefix"),
        ("services.1.prefix", "A", "services[1].prefix 'A' is used twice"),
        ("services.1.code", "REKAM", "services[1].code 'REKAM' is used twice"),
        ("services.0.daily_quota", -5, "services[0].daily_quota"),
        ("services.0.name_en", 5, "services[0].name_en must be str"),
        ("services.2.name_en", "  ", "services[2].name_en must not be empty"),
        ("counters.0.services", ["REKAM", "NOPE"], "counters[0].services names unknown service 'NOPE'"),
        ("counters.1.id", 1, "counters[1].id 1 is used twice"),
        ("status.next_service.UNREGISTERED", "NOPE", "status.next_service.UNREGISTERED"),
        ("kiosk.voice_output", "loud", "kiosk.voice_output must be one of headphones, speaker, got 'loud'"),
        ("kiosk.voice_output", 1, "kiosk.voice_output must be str"),
        ("office.head_nip", "1970051219900310", "office.head_nip must be the 18 digits of a NIP"),
        ("office.head_nip", "19700512 199003 1 00A", "office.head_nip must be the 18 digits of a NIP"),
        ("office.head_name", 7, "office.head_name must be str"),
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
        ("kiosk_idle_seconds", "kiosk_idle_second",
         "unknown key queue.kiosk_idle_second (did you mean queue.kiosk_idle_seconds?)"),
        ("daily_quota", "dailyquota", "unknown key services[0].dailyquota (did you mean services[0].daily_quota?)"),
        ('name_en = "KTP-el Enrolment"', 'name_eng = "KTP-el Enrolment"',
         "unknown key services[0].name_eng (did you mean services[0].name_en?)"),
        ("observe_national_holidays", "observe_national_holiday",
         "unknown key office.observe_national_holiday (did you mean office.observe_national_holidays?)"),
        ('name = "Loket 3"', 'nama = "Loket 3"', "unknown key counters[2].nama (did you mean counters[2].name?)"),
        ('mon = "00:00-24:00"', 'monday = "00:00-24:00"', "unknown key office.hours.monday (did you mean office.hours.mon?)"),
        ("[status.next_service]", "[status.next_servis]",
         "unknown table [status.next_servis] (did you mean [status.next_service]?)"),
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
        ('services = ["REKAM", "UBAH"]', 'services = ["REKAM", 5]',
         "counters[0].services must list service codes, got 5"),
        ("timeout = 2.0", 'timeout = "2"', "printer.timeout must be int or float, got '2'"),
        ('UNREGISTERED = "REKAM"', "UNREGISTERED = 5", "status.next_service.UNREGISTERED must be str, got 5"),
        ("[status.next_service]", '[status]\nnext_service = "REKAM"\n[status.other]',
         "[status.next_service] must be a table"),
    ],
)
def test_a_wrong_type_stops_start_up_naming_the_key(tmp_path, old, new, message):
    assert old in DEMO_TEXT
    with pytest.raises(ConfigError) as error:
        _load_text(tmp_path, DEMO_TEXT.replace(old, new, 1))
    assert error.value.message == message


def test_tables_written_as_the_wrong_kind_are_named():
    raw = demo_raw()
    raw["counters"] = {"id": 1, "name": "Loket 1", "services": ["REKAM"]}  # [counters] instead of [[counters]]
    with pytest.raises(ConfigError) as error:
        parse_settings(raw)
    assert error.value.message == "[[counters]] must be an array of tables"
    raw = demo_raw()
    raw["office"] = "Kantor Kecamatan Selat"
    with pytest.raises(ConfigError) as error:
        parse_settings(raw)
    assert error.value.message == "[office] must be a table"


def test_the_known_keys_are_the_settings_dataclass_fields():
    schema = schema_of(Settings, keyed_by={Hours: WEEKDAYS})
    for table, settings_type in (("office", Office), ("server", Server), ("queue", Queue), ("printer", Printer)):
        assert set(schema[table]) == {f.name for f in fields(settings_type)}
    assert set(schema["services"][0]) == {f.name for f in fields(Service)}
    assert set(schema["counters"][0]) == {f.name for f in fields(Counter)}
    assert schema["office"]["hours"] == schema["services"][0]["hours"] == dict.fromkeys(WEEKDAYS)
    assert schema["database"] == {"path": None} and "next_service" in schema["status"]

    @dataclass(frozen=True)
    class WiderServer(Server):
        max_streams: int = 16

    assert set(schema_of(WiderServer, keyed_by={})) == {f.name for f in fields(Server)} | {"max_streams"}


def test_every_printer_key_of_every_type_is_accepted():
    every = {f.name: getattr(Printer(), f.name) for f in fields(Printer) if getattr(Printer(), f.name) is not None}
    assert parse_settings({**demo_raw(), "printer": every}).printer == Printer()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("office.public_url", "ftp://192.168.1.10",
         "office.public_url must be an http:// or https:// address such as \"http://192.168.1.10:8080\", "
         "got 'ftp://192.168.1.10'"),
        ("office.public_url", "http://",
         "office.public_url must be an http:// or https:// address such as \"http://192.168.1.10:8080\", "
         "got 'http://'"),
        ("office.public_url", "http://192.168.1.10:8080/?kiosk=1",
         "office.public_url must be an http:// or https:// address such as \"http://192.168.1.10:8080\", "
         "got 'http://192.168.1.10:8080/?kiosk=1'"),
        ("office.public_url", "http://192.168.1.10:99999",
         "office.public_url must be an http:// or https:// address such as \"http://192.168.1.10:8080\", "
         "got 'http://192.168.1.10:99999'"),
        ("office.public_url", "http://kantor selat.local",
         "office.public_url must be an http:// or https:// address such as \"http://192.168.1.10:8080\", "
         "got 'http://kantor selat.local'"),
        ("office.public_url", "http://192.168.1.10:8080/" + "a" * 1500,
         "office.public_url is too long: the QR code of its ticket links would not fit 80 mm paper "
         "(1525 characters)"),
        ("office.name", "Kantor Kecamatan Sélat",
         "office.name contains 'é', which the ticket printer cannot print: use plain ASCII"),
        ("office.name", "Kantor Kecamatan Selat, Kabupaten Kapuas, Provinsi Kalimantan Tengah, Republik Indonesia, 73583",
         "office.name is too long for the ticket: at most 2 lines of 48 characters"),
        ("services.0.name", "Perekaman\tKTP-el",
         "services[0].name contains '\\t', which the ticket printer cannot print: use plain ASCII"),
        ("services.2.name", " ", "services[2].name must not be empty"),
        ("printer.profile", "TM-X999", "printer.profile: Unknown printer profile 'TM-X999': set [printer] profile "
         "to one python-escpos knows, e.g. \"TM-T20II\" (80 mm Epson) or \"POS-5890\" (common 58 mm)."),
    ],
)
def test_what_the_ticket_prints_is_checked_at_start_up(path, value, message):
    with pytest.raises(ConfigError) as error:
        parse_settings(_mutate(path, value))
    assert error.value.message == message


def test_the_qr_link_length_limit_follows_the_paper_width():
    url = "http://192.168.1.10:8080/" + "a" * 700
    raw = _mutate("office.public_url", url)
    assert parse_settings(raw).office.public_url == url  # fits 80 mm
    raw["printer"]["paper_width_mm"] = 58
    with pytest.raises(ConfigError) as error:
        parse_settings(raw)
    assert error.value.message == (
        "office.public_url is too long: the QR code of its ticket links would not fit 58 mm paper (725 characters)")


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
    config.write_text(DEMO_TEXT.replace(old, new, 1).replace('path = "var/kiosk.db"', f'path = "{database}"'),
                      encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), "init"], capture_output=True, text=True,
        cwd=tmp_path, timeout=60, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
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


def test_expire_grace_minutes_defaults_to_30_and_may_be_zero():
    assert parse_settings(_mutate("queue.max_consecutive_priority", 3)).queue.expire_grace_minutes == 30
    assert parse_settings(_mutate("queue.expire_grace_minutes", 0)).queue.expire_grace_minutes == 0


def test_services_have_an_english_name_or_fall_back_to_the_indonesian_one():
    settings = load_settings(packaged_config())
    assert [(s.code, s.name_en) for s in settings.services][:3] == [
        ("REKAM", "KTP-el Enrolment"), ("CETAK", "KTP-el Printing"), ("AMBIL", "KTP-el Collection")]
    assert all(s.name_en for s in settings.services)  # the demo office is English throughout
    raw = demo_raw()
    del raw["services"][1]["name_en"]
    raw["services"][2]["name_en"] = "  Pickup  "
    services = parse_settings(raw).services
    assert (services[1].name_en, services[2].name_en) == (None, "Pickup")


def test_network_keys_have_their_defaults_and_read_cidrs():
    server = load_settings(packaged_config()).server
    assert (server.reserved_streams, server.max_connections_per_client, server.first_request_seconds) == (8, 64, 5.0)
    assert (server.staff_addresses, server.trusted_hosts) == ((), ())
    raw = demo_raw()
    raw["server"].update(staff_addresses=["192.168.1.20", "10.0.5.7/24"], trusted_hosts=["Antrean.Local"])
    server = parse_settings(raw).server
    assert server.staff_addresses == ("192.168.1.20/32", "10.0.5.0/24")
    assert server.trusted_hosts == ("antrean.local",)
