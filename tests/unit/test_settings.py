"""Configuration: the demo file loads; every mistake stops start-up with a line naming the key."""

from __future__ import annotations

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


def test_service_hours_override_office_hours():
    raw = demo_raw()
    raw["services"][0]["hours"] = {"mon": "08:00-12:00"}
    settings = parse_settings(raw)
    assert settings.services[0].hours["mon"].closes.hour == 12
    assert settings.services[0].hours["tue"].closed
    assert settings.services[1].hours is None


def test_relative_database_path_kept_relative():
    assert load_settings(packaged_config()).database_path == Path("var/kiosk.db")


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
        (
            "office.public_url",
            "ftp://192.168.1.10",
            'office.public_url must be an http:// or https:// address such as "http://192.168.1.10:8080", '
            "got 'ftp://192.168.1.10'",
        ),
        (
            "office.public_url",
            "http://",
            'office.public_url must be an http:// or https:// address such as "http://192.168.1.10:8080", '
            "got 'http://'",
        ),
        (
            "office.public_url",
            "http://192.168.1.10:8080/?kiosk=1",
            'office.public_url must be an http:// or https:// address such as "http://192.168.1.10:8080", '
            "got 'http://192.168.1.10:8080/?kiosk=1'",
        ),
        (
            "office.public_url",
            "http://192.168.1.10:99999",
            'office.public_url must be an http:// or https:// address such as "http://192.168.1.10:8080", '
            "got 'http://192.168.1.10:99999'",
        ),
        (
            "office.public_url",
            "http://kantor selat.local",
            'office.public_url must be an http:// or https:// address such as "http://192.168.1.10:8080", '
            "got 'http://kantor selat.local'",
        ),
        (
            "office.public_url",
            "http://192.168.1.10:8080/" + "a" * 1500,
            "office.public_url is too long: the QR code of its ticket links would not fit 80 mm paper "
            "(1525 characters)",
        ),
        (
            "office.name",
            "Kantor Kecamatan Sélat",
            "office.name contains 'é', which the ticket printer cannot print: use plain ASCII",
        ),
        (
            "office.name",
            "Kantor Kecamatan Selat, Kabupaten Kapuas, Provinsi Kalimantan Tengah, Republik Indonesia, 73583",
            "office.name is too long for the ticket: at most 2 lines of 48 characters",
        ),
        (
            "services.0.name",
            "Perekaman\tKTP-el",
            "services[0].name contains '\\t', which the ticket printer cannot print: use plain ASCII",
        ),
        ("services.2.name", " ", "services[2].name must not be empty"),
        (
            "printer.profile",
            "TM-X999",
            "printer.profile: Unknown printer profile 'TM-X999': set [printer] profile "
            'to one python-escpos knows, e.g. "TM-T20II" (80 mm Epson) or "POS-5890" (common 58 mm).',
        ),
    ],
)
def test_what_the_ticket_prints_is_checked_at_start_up(path, value, message):
    with pytest.raises(ConfigError) as error:
        parse_settings(_mutate(path, value))
    assert error.value.message == message


def test_expire_grace_minutes_defaults_to_30_and_may_be_zero():
    assert parse_settings(_mutate("queue.max_consecutive_priority", 3)).queue.expire_grace_minutes == 30
    assert parse_settings(_mutate("queue.expire_grace_minutes", 0)).queue.expire_grace_minutes == 0


def test_services_have_an_english_name_or_fall_back_to_the_indonesian_one():
    settings = load_settings(packaged_config())
    assert [(s.code, s.name_en) for s in settings.services][:3] == [
        ("REKAM", "KTP-el Enrolment"),
        ("CETAK", "KTP-el Printing"),
        ("AMBIL", "KTP-el Collection"),
    ]
    assert all(s.name_en for s in settings.services)  # the demo office is English throughout
    raw = demo_raw()
    del raw["services"][1]["name_en"]
    raw["services"][2]["name_en"] = "  Pickup  "
    services = parse_settings(raw).services
    assert (services[1].name_en, services[2].name_en) == (None, "Pickup")
