"""The admin settings screen's document and its changes, applied live.

The document has the configuration file's tables ``office``, ``services``, ``counters``, ``printer`` and
``kiosk`` with the file's keys and meanings. A change is a partial document: tables merge key by key, a
value replaces, ``null`` means "no value" (the built-in default), and the ``services`` and ``counters``
arrays replace the whole list. The file's document with every saved change over it goes through the
file's own loader, so a bad value is refused with the very line the file would get.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.domain.errors import ConfigError, KioskError
from kiosk.domain.settings import SCREEN_TABLES, Hours, Settings, merge_screen_changes, with_screen_changes
from kiosk.office.bus import SettingsChanged, TestPrintQueued
from kiosk.storage import settings as settings_store

if TYPE_CHECKING:
    from kiosk.office.context import Office

# A key as the loader's messages name it, e.g. office.hours.mon or services[1].prefix: the first one is the key.
_TABLES = sorted(
    {
        (item.metadata.get("toml") or item.name).split(".")[0]
        for item in fields(Settings)
        if item.metadata.get("toml", item.name) is not None
    }
)
_KEY_RE = re.compile(r"\b(?:" + "|".join(_TABLES) + r")(?:\[\d+\])?(?:\.[A-Za-z0-9_]+(?:\[\d+\])?)*")


class InvalidSetting(KioskError):
    """A value the configuration file would refuse; ``key`` names it."""

    code = "invalid_setting"
    status = 400

    def __init__(self, line: str):
        super().__init__(f"Pengaturan ditolak: {line}")
        self.line = line
        match = _KEY_RE.search(line)
        self.key = match.group(0) if match else None


def document(settings: Settings) -> dict[str, Any]:
    """Return the screen's tables of ``settings`` with the file's keys (a missing value is null)."""
    return {table: _value(getattr(settings, table)) for table in SCREEN_TABLES}


def _hours_text(hours: Hours) -> str:
    if hours.closed:
        return ""
    closes = "24:00" if hours.closes == time.max else hours.closes.strftime("%H:%M")
    return f"{hours.opens.strftime('%H:%M')}-{closes}"


def _value(value: Any) -> Any:
    if isinstance(value, Hours):
        return _hours_text(value)
    if is_dataclass(value):
        return {
            item.name: _value(getattr(value, item.name))
            for item in fields(value)
            if item.metadata.get("toml", item.name) is not None
        }
    if isinstance(value, dict):
        return {key: _value(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_value(item) for item in value]
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, Path):
        return str(value)
    return value


def change(rt: Office, patch: dict[str, Any], who: str) -> Settings:
    """Validate ``patch`` over the settings in force, keep it with who and when, and swap the settings in live.

    Raise InvalidSetting for what the file would refuse, and a 409 for a service that has tickets today or a
    loket holding a ticket that the change would remove.
    """
    with rt.settings_lock:
        saved = settings_store.latest(rt.db)
        changes = merge_screen_changes(saved["changes"] if saved else {}, patch)
        try:
            settings = with_screen_changes(rt.file_settings, changes)
        except ConfigError as exc:
            raise InvalidSetting(exc.message) from None
        except (TypeError, ValueError, RecursionError) as exc:  # a shape no TOML file can have
            raise InvalidSetting(f"not a value a configuration file can hold: {str(exc)[:200]}") from None
        _refuse_removing_what_is_in_use(rt, settings)
        row = settings_store.record(rt.db, patch, changes, who, rt.now())
        rt.use_settings(settings, row["id"])
    rt.bus.emit(SettingsChanged(row["id"]))
    return settings


def queue_test_print(rt: Office, who: str) -> dict[str, Any]:
    """Queue a printer test page (printed after any waiting tickets); return its row."""
    row = settings_store.queue_test_print(rt.db, who, rt.now())
    rt.bus.emit(TestPrintQueued(row["id"]))
    return row


def _refuse_removing_what_is_in_use(rt: Office, settings: Settings) -> None:
    from kiosk.storage import tickets as store

    day = rt.today()
    kept = {service.code for service in settings.services}
    for code in sorted(settings_store.services_with_tickets(rt.db, day) - kept):
        if rt.settings.service(code) is not None:
            raise KioskError(
                f"Layanan {code} sudah memiliki nomor antrean hari ini dan tidak dapat dihapus "
                "sebelum hari berganti. Tutup layanan untuk hari ini di 'Layanan hari ini'.",
                code="service_has_tickets",
                status=409,
            )
    counters = {counter.id for counter in settings.counters}
    for counter_id, ticket in store.current_tickets(rt.db, day).items():
        if counter_id not in counters and rt.settings.counter(counter_id) is not None:
            raise KioskError(
                f"Loket {counter_id} sedang memegang nomor {ticket['number']}: selesaikan dulu "
                "sebelum menghapus loket ini.",
                code="counter_busy",
                status=409,
            )


def history(rt: Office) -> list[dict[str, Any]]:
    """Return the latest saved changes, newest first: id, when, who and what was sent."""
    return [
        {"id": row["id"], "changed_at": row["changed_at"], "changed_by": row["changed_by"], "patch": row["patch"]}
        for row in settings_store.history(rt.db)
    ]
