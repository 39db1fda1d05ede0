"""Read and validate the office's TOML configuration into frozen dataclasses.

Layering (last wins): built-in defaults -> TOML file -> environment
(``KIOSK_CONFIG`` picks the file, ``KIOSK_DB`` the database) -> test overrides.
Every problem raises :class:`ConfigError` with one line naming the key. The keys
a file may hold are the fields of the dataclasses below (see kiosk/domain/tomlkeys.py):
an unknown key or table is refused with the closest known one.
"""

from __future__ import annotations

import copy
import datetime
import ipaddress
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, make_dataclass, replace
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.domain import survey as skm
from kiosk.domain.errors import ConfigError
from kiosk.domain.tomlkeys import check_known, schema_of
from kiosk.paths import packaged_config
from printer import PrinterError
from printer.connection import check_profile
from printer.ticket import header_text_problem, qr_fits

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRINTER_TYPES = ("usb", "serial", "network", "file", "none")
_HOURS_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_SERVICE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")
# Room for the ticket token in the QR link <public_url>/t/<token>: up to secrets.token_urlsafe(32).
TOKEN_ALLOWANCE = 43


@dataclass(frozen=True)
class Hours:
    """Opening hours for one weekday; ``None`` bounds mean closed all day."""

    opens: time | None
    closes: time | None  # time.max stands for "24:00"

    @property
    def closed(self) -> bool:
        return self.opens is None


@dataclass(frozen=True)
class Office:
    name: str
    timezone: ZoneInfo
    public_url: str
    observe_national_holidays: bool
    hours: dict[str, Hours]
    running_text: str = ""
    dukcapil_address: str = ""
    # The signature block of printed reports (SKM): "<place>, 6 Desember 2026", the head's title, name and NIP.
    place: str = ""  # e.g. "Selat"; empty: the office's name
    head_title: str = ""  # e.g. "Camat Selat"; empty: "Kepala Kantor"
    head_name: str = ""  # e.g. "Drs. Ahmad Fauzi, M.Si."; empty: a line to write the name on
    head_nip: str = ""  # 18 digits (spaces between groups allowed); empty: no NIP line
    # Maklumat Pelayanan (UU 25/2009): the office's published promise, on the standards screen and the wall print.
    maklumat: str = ""
    maklumat_en: str = ""


STREAM_SPARE_THREADS = 4  # threads always left for the kiosk, counters and health checks


@dataclass(frozen=True)
class Server:
    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 48
    connection_limit: int = 500
    max_streams: int = 24  # open /api/events streams; each holds a thread, so well below ``threads``
    max_streams_per_client: int = 4  # per client address: one phone cannot take every stream
    reserved_streams: int = 8  # of max_streams, only for displays and counters (pages that say ?screen=...)
    max_connections_per_client: int = 64  # open TCP connections per client address; more are closed at once
    first_request_seconds: float = 5.0  # a new connection must send one whole request within this, or is closed
    staff_addresses: tuple[str, ...] = ()  # IPs/CIDRs staff pages and the staff API answer; empty = anywhere
    trusted_hosts: tuple[str, ...] = ()  # Host names accepted besides public_url's host and localhost


@dataclass(frozen=True)
class Queue:
    max_consecutive_priority: int = 3
    default_service_minutes: int = 10
    kiosk_idle_seconds: int = 60
    expire_grace_minutes: int = 30  # waiting tickets expire this long after their service closes
    announcement: str = "Nomor antrean {letter}, {number}, silakan menuju {counter}"
    late_return_minutes: int = 60  # a no-show back within this many minutes is put back in the queue once ...
    late_requeue_after: int = 5  # ... this many numbers later


@dataclass(frozen=True)
class Printer:
    type: str = "file"
    path: str = "var/printer.bin"
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    in_ep: int | None = None
    out_ep: int | None = None
    device: str = "/dev/ttyACM0"
    baudrate: int = 9600
    profile: str = "TM-T20II"
    paper_width_mm: int = 80
    timeout: float = 2.0


@dataclass(frozen=True)
class StatusLookups:
    """``[status]``: rate limits of KTP-el status lookups and how long their traces are kept."""

    nik_misses_per_hour: int = 5  # wrong KK numbers (or unknown NIK) per NIK, from any address
    lookups_per_window: int = 30  # per client address
    window_minutes: int = 10
    kiosk_addresses: tuple[str, ...] = ()  # alias of [kiosk] addresses (read into it); holds the same list
    kiosk_lookups_per_window: int = 300
    retention_days: int = 90  # lookup audit log, and the history of finished (card issued) records
    staff_searches_per_hour: int = 200  # record searches, status changes and batches per staff user


@dataclass(frozen=True)
class Backup:
    """``[backup]``: the daily automatic backup (off while ``dir`` is empty)."""

    dir: str = ""  # folder for the copies, ideally on another disk; relative paths start at the working directory
    keep: int = 14  # how many automatic copies to keep (the oldest beyond go)
    time: str = "02:00"  # office time after which each day's copy is taken (at start-up if that time has passed)

    @property
    def enabled(self) -> bool:
        return bool(self.dir)

    @property
    def at(self) -> datetime.time:  # the field ``time`` hides the class in here
        """Return ``time`` as a clock time."""
        hours, minutes = self.time.split(":")
        return time(int(hours), int(minutes))


# ``[survey.questions]`` / ``[survey.questions_en]``: one key per fixed SKM element ("" = the default wording).
if TYPE_CHECKING:

    class SurveyQuestions:
        """What the type checker knows of the class made below: one text per element code."""

        def __init__(self, **texts: str) -> None: ...
        def __getattr__(self, code: str) -> str: ...
else:
    SurveyQuestions = make_dataclass(
        "SurveyQuestions", [(code, str, field(default="")) for code in skm.ELEMENT_CODES], frozen=True
    )


@dataclass(frozen=True)
class Survey:
    """``[survey]``: the resident satisfaction survey (SKM) on the phone page and the kiosk."""

    enabled: bool = True
    show_on_display: bool = False  # the waiting-room display shows the latest IKM and grade
    display_days: int = 90  # ... computed over this many days up to today
    questions: SurveyQuestions = field(default_factory=SurveyQuestions)  # Indonesian texts
    questions_en: SurveyQuestions = field(default_factory=SurveyQuestions)  # English texts

    def texts(self, english: bool = False) -> dict[str, str]:
        """Return the configured question text per element code (empty: the regulation's default wording)."""
        chosen = self.questions_en if english else self.questions
        return {code: getattr(chosen, code) for code in skm.ELEMENT_CODES}


@dataclass(frozen=True)
class Sms:
    """``[sms]``: the SMS channel through gammu-smsd's files backend (off until ``enabled``)."""

    enabled: bool = False
    inbox: str = "/var/spool/gammu/inbox/"  # gammu-smsd files backend folders
    outbox: str = "/var/spool/gammu/outbox/"
    sent: str = "/var/spool/gammu/sent/"
    error: str = "/var/spool/gammu/error/"
    daily_limit: int = 300  # outgoing messages per office day (about Rp 200 each)
    quiet_hours: str = "21:00-06:00"  # office time when no reminder goes out ("" = none)
    reminder_time: str = "18:00"  # office time, the evening before a booking, of its reminder ("" = none)


@dataclass(frozen=True)
class Complaints:
    """``[complaints]``: the answer deadline of each complaint category, in working days of the office calendar."""

    info: int = 1  # a request for information
    service: int = 5  # a fault in the service
    conduct: int = 14  # misconduct of staff
    other: int = 5
    # calendar days a complaint's phone number is kept after its answer; then housekeeping removes it
    phone_days: int = 30

    def days(self, category: str) -> int:
        """Return the working days a complaint of ``category`` is to be answered within."""
        return getattr(self, category)


KIOSK_ADDRESSES = ("127.0.0.1", "::1")  # the kiosk browser on the server PC itself (``kiosk demo``)


@dataclass(frozen=True)
class KioskScreen:
    """``[kiosk]``: the resident's touchscreen, and which devices on the network are kiosks."""

    voice_volume: float = 1.0  # voice guidance ("Mode suara") on the kiosk's own audio output, 0.0-1.0
    addresses: tuple[str, ...] = KIOSK_ADDRESSES  # IPs or CIDRs of the kiosk PCs: only they issue tickets
    tickets_per_second: float = 2.0  # a kiosk's lasting issuing rate (token bucket) ...
    ticket_burst: int = 10  # ... and how many tickets it may take at once before that rate applies
    # where that output goes: "headphones" (only the resident hears: typed digits are read back) or
    # "speaker" (the waiting room hears: a typed NIK / nomor KK digit is confirmed by a tone and its position)
    voice_output: str = "headphones"
    # ask "Sudah membawa semuanya?" with a service's requirements before its number (services listing any)
    ask_requirements: bool = True


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    prefix: str
    daily_quota: int | None = None
    name_en: str | None = None  # shown on the kiosk in English; the Indonesian name when not set
    hours: dict[str, Hours] | None = None  # overrides the office hours when set
    # Standar Pelayanan (PermenPANRB 15/2014) of the service; each _en key is its English text ("" / []: none).
    requirements: tuple[str, ...] = ()  # what the resident brings, one item each
    procedure: tuple[str, ...] = ()  # the steps, in order
    time_standard: str = ""  # e.g. "15 menit setelah dipanggil"
    cost: str = ""  # e.g. "Gratis"
    product: str = ""  # e.g. "KTP-el"
    requirements_en: tuple[str, ...] = ()
    procedure_en: tuple[str, ...] = ()
    time_standard_en: str = ""
    cost_en: str = ""
    product_en: str = ""
    booking_quota: int = 0  # of daily_quota, bookable for later days (0 = no bookings)
    one_per_nik: bool = False  # ask the NIK at the kiosk: one number or booking per NIK per day


@dataclass(frozen=True)
class Counter:
    id: int
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    """The whole configuration; a field's TOML key is its name unless its ``toml`` metadata says otherwise."""

    office: Office
    server: Server
    database_path: Path = field(metadata={"toml": "database.path"})
    queue: Queue
    printer: Printer
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    next_service: dict[str, str] = field(default_factory=dict, metadata={"toml": "status.next_service"})
    status: StatusLookups = field(default_factory=StatusLookups)
    backup: Backup = field(default_factory=Backup)
    survey: Survey = field(default_factory=Survey)
    kiosk: KioskScreen = field(default_factory=KioskScreen)
    sms: Sms = field(default_factory=Sms)
    complaints: Complaints = field(default_factory=Complaints)
    booking: Booking = field(default_factory=lambda: Booking())
    disruption: Disruption = field(default_factory=lambda: Disruption())
    regency: Regency = field(default_factory=lambda: Regency())
    source: Path | None = field(default=None, metadata={"toml": None})  # where it was read from, not a key
    # The validated TOML mapping it was built from (file, environment and test overrides): the base the
    # changes saved on the admin settings screen are applied to (see with_screen_changes).
    document: dict = field(default_factory=dict, compare=False, repr=False, metadata={"toml": None})

    def service(self, code: str) -> Service | None:
        """Return the configured service with this code, or None."""
        return next((s for s in self.services if s.code == code), None)

    def counter(self, counter_id: int) -> Counter | None:
        """Return the configured counter with this id, or None."""
        return next((c for c in self.counters if c.id == counter_id), None)

    def counters_for(self, service_code: str) -> int:
        """Return how many counters serve this service."""
        return sum(1 for c in self.counters if service_code in c.services)


def default_config_path() -> Path:
    """Return ``config/kiosk.toml`` in the working directory, else the packaged demo."""
    local = Path("config/kiosk.toml")
    return local if local.is_file() else packaged_config()


def load_settings(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Settings:
    """Load the TOML file (argument, then KIOSK_CONFIG, then the default) into Settings."""
    chosen = Path(path or os.environ.get("KIOSK_CONFIG") or default_config_path())
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {chosen}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{chosen}: not valid TOML: {exc}") from None
    if os.environ.get("KIOSK_DB"):
        _set_dotted(raw, "database.path", os.environ["KIOSK_DB"])
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    return parse_settings(raw, source=chosen)


def _set_dotted(raw: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for index, part in enumerate(parents):
        raw = raw.setdefault(part, {})
        if not isinstance(raw, dict):
            raise ConfigError(f"[{'.'.join(parents[: index + 1])}] must be a table")
    raw[last] = value


def parse_settings(raw: dict, source: Path | None = None) -> Settings:
    """Validate a parsed TOML mapping and build Settings; errors name the key."""
    check_known(raw, schema_of(Settings, keyed_by={Hours: WEEKDAYS}))
    office_raw = _table(raw, "office")
    services = _services(raw.get("services"))
    codes = {s.code for s in services}
    counters = _counters(raw.get("counters"), codes)
    next_service = _next_service(raw.get("status", {}), codes)
    status = _status(raw.get("status", {}))
    backup = _backup(_table(raw, "backup", required=False))
    queue = _queue(_table(raw, "queue", required=False))
    survey = _survey(_table(raw, "survey", required=False))
    kiosk = _kiosk(_table(raw, "kiosk", required=False), status.kiosk_addresses)
    status = replace(status, kiosk_addresses=kiosk.addresses)  # one list for every kiosk-only route
    settings = Settings(
        office=_office(office_raw),
        server=_server(_table(raw, "server", required=False)),
        database_path=Path(_get(_table(raw, "database", required=False), "database.path", str, "var/kiosk.db")),
        queue=queue,
        printer=_printer(_table(raw, "printer", required=False)),
        services=services,
        counters=counters,
        next_service=next_service,
        status=status,
        backup=backup,
        survey=survey,
        kiosk=kiosk,
        sms=_sms(_table(raw, "sms", required=False)),
        complaints=_complaints(_table(raw, "complaints", required=False)),
        booking=_booking(_table(raw, "booking", required=False)),
        disruption=_disruption(_table(raw, "disruption", required=False), codes),
        regency=_regency(_table(raw, "regency", required=False)),
        source=source,
        document=copy.deepcopy(raw),
    )
    _check_ticket(settings)
    return settings


# ---------------------------------------------------------------- changes saved on the admin settings screen

# The tables the admin settings screen may change; the rest (server, database, ...) needs the file and a restart.
SCREEN_TABLES = ("office", "services", "counters", "printer", "kiosk")
# Keys of those tables that stay the file's: a file path chosen over HTTP could overwrite any file the server may write.
FILE_ONLY_KEYS = (("printer", "path"),)


def merge_screen_changes(base: dict, changes: dict, drop_nulls: bool = False) -> dict:
    """Return ``base`` with ``changes`` laid over it: tables merge key by key, arrays and values replace.

    A null value stands for "no value" (TOML has none): with ``drop_nulls`` it removes the key, so the
    loader uses its default; otherwise it is kept as that instruction for a later merge.
    """
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None and drop_nulls:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_screen_changes(merged[key], value, drop_nulls)
        elif drop_nulls:
            merged[key] = _without_nulls(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def with_screen_changes(settings: Settings, changes: dict) -> Settings:
    """Build the Settings of the file's document with the screen's ``changes`` over it, by the file's own loader.

    A value the file would refuse raises the same ConfigError line; a table outside SCREEN_TABLES is refused.
    """
    for key in changes:
        if key not in SCREEN_TABLES:
            raise ConfigError(
                f"{key} cannot be changed on the settings screen (only {', '.join(SCREEN_TABLES)}): "
                "edit the configuration file and restart"
            )
    for table, key in FILE_ONLY_KEYS:
        if isinstance(changes.get(table), dict) and key in changes[table]:
            raise ConfigError(
                f"{table}.{key} cannot be changed on the settings screen: edit the configuration file and restart"
            )
    return parse_settings(merge_screen_changes(settings.document, changes, drop_nulls=True), source=settings.source)


def _check_ticket(settings: Settings) -> None:
    """Refuse what the ticket printer could never print: a link too long for the QR code, names it cannot print."""
    printer = settings.printer
    if printer.type == "none":
        return
    try:
        check_profile(printer.profile)
    except PrinterError as exc:
        raise ConfigError(f"printer.profile: {exc}") from None
    link = f"{settings.office.public_url}/t/{'x' * TOKEN_ALLOWANCE}"
    if not qr_fits(link, printer.profile, printer.paper_width_mm):
        raise ConfigError(
            f"office.public_url is too long: the QR code of its ticket links would not fit "
            f"{printer.paper_width_mm} mm paper ({len(settings.office.public_url)} characters)"
        )
    texts = [("office.name", settings.office.name)]
    texts += [(f"services[{index}].name", service.name) for index, service in enumerate(settings.services)]
    for key, text in texts:
        problem = header_text_problem(text, printer.profile, printer.paper_width_mm)
        if problem:
            raise ConfigError(f"{key} {problem}")


def _table(raw: dict, key: str, required: bool = True) -> dict:
    value = raw.get(key)  # check_known made sure it is a table
    if value is None:
        if required:
            raise ConfigError(f"[{key}] is missing")
        return {}
    return value


_MISSING = object()


def _get(table: dict, dotted: str, kind: type | tuple, default: Any = _MISSING) -> Any:
    key = dotted.rsplit(".", 1)[-1]
    if key not in table:
        if default is _MISSING:
            raise ConfigError(f"{dotted} is missing")
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int in Python; never accept true/false for a number.
    if isinstance(value, bool) and bool not in kinds:
        value = None
    if not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(f"{dotted} must be {names}, got {table[key]!r}")
    return value


def _positive(table: dict, dotted: str, default: Any = _MISSING, allow_zero: bool = False) -> int:
    value = _get(table, dotted, int, default)
    if value is not None and (value < 0 or (value == 0 and not allow_zero)):
        raise ConfigError(f"{dotted} must be a positive whole number, got {value!r}")
    return value


def parse_hours(text: str, key: str) -> Hours:
    """Parse "08:00-15:00" ("" = closed, "00:00-24:00" = always) for the named key."""
    if text.strip() == "":
        return Hours(None, None)
    match = _HOURS_RE.match(text.strip())
    if not match:
        raise ConfigError(f'{key} must look like "08:00-15:00" or "" (closed), got {text!r}')
    oh, om, ch, cm = (int(g) for g in match.groups())
    if oh > 23 or om > 59 or cm > 59 or ch > 24 or (ch == 24 and cm != 0):
        raise ConfigError(f"{key} has an impossible time: {text!r}")
    opens = time(oh, om)
    closes = time.max if ch == 24 else time(ch, cm)
    if closes <= opens:
        raise ConfigError(f"{key} closes before it opens: {text!r}")
    return Hours(opens, closes)


def _hours(table: dict, prefix: str) -> dict[str, Hours]:
    return {day: parse_hours(_get(table, f"{prefix}.{day}", str, ""), f"{prefix}.{day}") for day in WEEKDAYS}


def _office(table: dict) -> Office:
    zone_name = _get(table, "office.timezone", str, "Asia/Jakarta")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"office.timezone is not a known time zone: {zone_name!r}") from None
    written = _get(table, "office.public_url", str, "http://127.0.0.1:8080")
    public_url = written.rstrip("/")
    if not _is_base_url(public_url):
        raise ConfigError(
            f"office.public_url must be an http:// or https:// address such as "
            f'"http://192.168.1.10:8080", got {written!r}'
        )
    name = _get(table, "office.name", str).strip()
    if not name:
        raise ConfigError("office.name must not be empty")
    return Office(
        name=name,
        timezone=zone,
        public_url=public_url,
        observe_national_holidays=_get(table, "office.observe_national_holidays", bool, True),
        hours=_hours(table.get("hours", {}), "office.hours"),
        running_text=_get(table, "office.running_text", str, ""),
        dukcapil_address=_get(table, "office.dukcapil_address", str, ""),
        place=_get(table, "office.place", str, "").strip(),
        head_title=_get(table, "office.head_title", str, "").strip(),
        head_name=_get(table, "office.head_name", str, "").strip(),
        head_nip=_nip(_get(table, "office.head_nip", str, "")),
        maklumat=_text(table, "office.maklumat", MAKLUMAT_MAX),
        maklumat_en=_text(table, "office.maklumat_en", MAKLUMAT_MAX),
    )


def _nip(text: str) -> str:
    """Check a civil servant's NIP (18 digits: birth date, appointment month, sex, serial), spaces kept."""
    text = " ".join(text.split())
    digits = text.replace(" ", "")
    if digits and not (len(digits) == 18 and digits.isascii() and digits.isdigit()):
        raise ConfigError(
            f'office.head_nip must be the 18 digits of a NIP such as "19700512 199003 1 004", got {text!r}'
        )
    return text


def _is_base_url(url: str) -> bool:
    """Tell whether ``<url>/t/<token>`` makes a working link: http(s), a host, a valid port, no query or fragment."""
    if not all(" " < char <= "~" for char in url):
        return False
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not (parts.query or parts.fragment)


def _server(table: dict) -> Server:
    port = _positive(table, "server.port", 8080)
    if port > 65535:
        raise ConfigError(f"server.port must be 1-65535, got {port}")
    threads = _positive(table, "server.threads", 48)
    spare = STREAM_SPARE_THREADS
    max_streams = _positive(table, "server.max_streams", max(1, min(24, threads // 2)))
    if threads <= spare:
        raise ConfigError(
            f"server.threads must be more than {spare} (streams and other requests share them), got {threads}"
        )
    if max_streams > threads - spare:
        raise ConfigError(
            f"server.max_streams must leave {spare} of server.threads ({threads}) for other requests: "
            f"at most {threads - spare}, got {max_streams}"
        )
    per_client = _positive(table, "server.max_streams_per_client", min(4, max_streams))
    if per_client > max_streams:
        raise ConfigError(
            f"server.max_streams_per_client must be at most server.max_streams ({max_streams}), got {per_client}"
        )
    reserved = _positive(
        table, "server.reserved_streams", min(Server.reserved_streams, max_streams // 3), allow_zero=True
    )
    if reserved >= max_streams:
        raise ConfigError(
            f"server.reserved_streams must leave some of server.max_streams ({max_streams}) to "
            f"other clients: at most {max_streams - 1}, got {reserved}"
        )
    connection_limit = _positive(table, "server.connection_limit", 500)
    per_client_connections = _positive(table, "server.max_connections_per_client", Server.max_connections_per_client)
    if per_client_connections < 8:
        raise ConfigError(
            "server.max_connections_per_client must be at least 8 (a browser opens up to 6 "
            f"connections to one server, plus its live stream), got {per_client_connections}"
        )
    if per_client_connections >= connection_limit:
        raise ConfigError(
            f"server.max_connections_per_client must be below server.connection_limit "
            f"({connection_limit}), got {per_client_connections}"
        )
    first_request = _get(table, "server.first_request_seconds", (int, float), Server.first_request_seconds)
    if not 0.5 <= first_request <= 60:
        raise ConfigError(f"server.first_request_seconds must be between 0.5 and 60, got {first_request!r}")
    trusted = _get(table, "server.trusted_hosts", list, [])
    for name in trusted:
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9.-]{1,253}|\[?[0-9A-Fa-f:.]+\]?", name):
            raise ConfigError(
                f'server.trusted_hosts must list host names such as "antrean.local" (no port, no scheme), got {name!r}'
            )
    return Server(
        host=_get(table, "server.host", str, "127.0.0.1"),
        port=port,
        threads=threads,
        connection_limit=connection_limit,
        max_streams=max_streams,
        max_streams_per_client=per_client,
        reserved_streams=reserved,
        max_connections_per_client=per_client_connections,
        first_request_seconds=float(first_request),
        staff_addresses=_networks(table, "server.staff_addresses"),
        trusted_hosts=tuple(name.strip("[]").lower() for name in trusted),
    )


def _networks(table: dict, dotted: str) -> tuple[str, ...]:
    """Read a list of IP addresses or CIDR networks ("192.168.1.0/24"); return them in canonical form."""
    networks = []
    for entry in _get(table, dotted, list, []):
        try:
            networks.append(str(ipaddress.ip_network(entry if isinstance(entry, str) else "", strict=False)))
        except ValueError:
            raise ConfigError(
                f'{dotted} must list IP addresses or networks such as "192.168.1.0/24", got {entry!r}'
            ) from None
    return tuple(networks)


def _queue(table: dict) -> Queue:
    from kiosk.domain.announce import validate_template

    template = _get(table, "queue.announcement", str, Queue.announcement)
    try:
        validate_template(template)
    except ValueError as exc:
        raise ConfigError(f"queue.announcement: {exc}") from None
    return Queue(
        max_consecutive_priority=_positive(table, "queue.max_consecutive_priority", 3),
        default_service_minutes=_positive(table, "queue.default_service_minutes", 10),
        kiosk_idle_seconds=_positive(table, "queue.kiosk_idle_seconds", 60),
        expire_grace_minutes=_grace(table),
        announcement=template,
        late_return_minutes=_bounded(table, "queue.late_return_minutes", Queue.late_return_minutes, 1, 24 * 60),
        late_requeue_after=_bounded(table, "queue.late_requeue_after", Queue.late_requeue_after, 0, 1000),
    )


def _kiosk(table: dict, status_alias: tuple[str, ...]) -> KioskScreen:
    volume = _get(table, "kiosk.voice_volume", (int, float), KioskScreen.voice_volume)
    if not 0.0 <= volume <= 1.0:
        raise ConfigError(f"kiosk.voice_volume must be between 0.0 (silent) and 1.0 (full), got {volume!r}")
    addresses = _addresses(table, "kiosk.addresses", None)
    if addresses is None:  # [status] kiosk_addresses, the older name, when it lists any
        addresses = status_alias or KIOSK_ADDRESSES
    elif status_alias:
        addresses = tuple(dict.fromkeys(addresses + status_alias))
    rate = _get(table, "kiosk.tickets_per_second", (int, float), KioskScreen.tickets_per_second)
    if not 0 < rate <= 1_000_000:
        raise ConfigError(f"kiosk.tickets_per_second must be above zero, got {rate!r}")
    output = _get(table, "kiosk.voice_output", str, KioskScreen.voice_output)
    if output not in VOICE_OUTPUTS:
        raise ConfigError(f"kiosk.voice_output must be one of {', '.join(VOICE_OUTPUTS)}, got {output!r}")
    return KioskScreen(
        voice_volume=float(volume),
        addresses=addresses,
        tickets_per_second=float(rate),
        ticket_burst=_positive(table, "kiosk.ticket_burst", KioskScreen.ticket_burst),
        voice_output=output,
        ask_requirements=_get(table, "kiosk.ask_requirements", bool, KioskScreen.ask_requirements),
    )


VOICE_OUTPUTS = ("headphones", "speaker")


def _addresses(table: dict, dotted: str, default: Any) -> tuple[str, ...] | None:
    """Read a list of IP addresses or CIDR networks (``"192.168.1.21"``, ``"192.168.1.0/24"``)."""
    values = _get(table, dotted, list, default)
    if values is None:
        return None
    for value in values:
        try:
            ipaddress.ip_network(value if isinstance(value, str) else "", strict=False)
        except ValueError:
            raise ConfigError(
                f'{dotted} must list IP addresses or networks such as "192.168.1.21" or "192.168.1.0/24", got {value!r}'
            ) from None
    return tuple(values)


def _grace(table: dict) -> int:
    minutes = _positive(table, "queue.expire_grace_minutes", Queue.expire_grace_minutes, allow_zero=True)
    if minutes > 24 * 60:
        raise ConfigError(f"queue.expire_grace_minutes: at most 1440 (one day), not {minutes}")
    return minutes


def _printer(table: dict) -> Printer:
    kind = _get(table, "printer.type", str, "file")
    if kind not in PRINTER_TYPES:
        raise ConfigError(f"printer.type must be one of {', '.join(PRINTER_TYPES)}, got {kind!r}")
    width = _get(table, "printer.paper_width_mm", int, 80)
    if width not in (58, 80):
        raise ConfigError(f"printer.paper_width_mm must be 58 or 80, got {width!r}")
    if kind == "network" and not _get(table, "printer.host", str, ""):
        raise ConfigError('printer.host is missing (needed for printer.type = "network")')
    if kind == "usb" and not (table.get("vendor_id") and table.get("product_id")):
        raise ConfigError('printer.vendor_id and printer.product_id are needed for printer.type = "usb"')
    timeout = _get(table, "printer.timeout", (int, float), 2.0)
    if timeout <= 0:
        raise ConfigError(f"printer.timeout must be above zero, got {timeout!r}")
    return Printer(
        type=kind,
        path=_get(table, "printer.path", str, "var/printer.bin"),
        host=_get(table, "printer.host", str, ""),
        port=_positive(table, "printer.port", 9100),
        vendor_id=_positive(table, "printer.vendor_id", 0, allow_zero=True),
        product_id=_positive(table, "printer.product_id", 0, allow_zero=True),
        in_ep=_get(table, "printer.in_ep", int, None),
        out_ep=_get(table, "printer.out_ep", int, None),
        device=_get(table, "printer.device", str, "/dev/ttyACM0"),
        baudrate=_positive(table, "printer.baudrate", 9600),
        profile=_get(table, "printer.profile", str, "TM-T20II"),
        paper_width_mm=width,
        timeout=float(timeout),
    )


def _array_of_tables(raw: Any, name: str, what: str) -> Iterator[tuple[str, dict]]:
    """Yield (key for messages, table) of a TOML array of tables such as [[services]]."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"[[{name}]] is missing: configure at least one {what}")
    for index, table in enumerate(raw):
        key = f"{name}[{index}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{key} must be a table")
        yield key, table


def _services(raw: Any) -> tuple[Service, ...]:
    services: list[Service] = []
    for key, table in _array_of_tables(raw, "services", "service"):
        code = _get(table, f"{key}.code", str)
        if not _SERVICE_CODE_RE.match(code):
            raise ConfigError(f'{key}.code must be upper-case letters/digits (e.g. "REKAM"), got {code!r}')
        prefix = _get(table, f"{key}.prefix", str)
        if not re.fullmatch(r"[A-Z]", prefix):
            raise ConfigError(f"{key}.prefix must be one upper-case letter, got {prefix!r}")
        if any(s.code == code for s in services):
            raise ConfigError(f"{key}.code {code!r} is used twice")
        if any(s.prefix == prefix for s in services):
            raise ConfigError(f"{key}.prefix {prefix!r} is used twice")
        hours = table.get("hours")
        name_en = _get(table, f"{key}.name_en", str, None)
        if name_en is not None and not name_en.strip():
            raise ConfigError(f"{key}.name_en must not be empty (leave it out to show the Indonesian name)")
        services.append(
            Service(
                code=code,
                name=_get(table, f"{key}.name", str),
                name_en=name_en.strip() if name_en is not None else None,
                prefix=prefix,
                daily_quota=_positive(table, f"{key}.daily_quota", None),
                hours=_hours(hours, f"{key}.hours") if isinstance(hours, dict) else None,
                **_standard(table, key),
                **_later_days(table, key),
            )
        )
    return tuple(services)


def _counters(raw: Any, codes: set[str]) -> tuple[Counter, ...]:
    counters: list[Counter] = []
    for key, table in _array_of_tables(raw, "counters", "counter"):
        counter_id = _positive(table, f"{key}.id")
        if any(c.id == counter_id for c in counters):
            raise ConfigError(f"{key}.id {counter_id} is used twice")
        served = _get(table, f"{key}.services", list)
        if not served:
            raise ConfigError(f"{key}.services must list at least one service code")
        for code in served:
            if not isinstance(code, str):
                raise ConfigError(f"{key}.services must list service codes, got {code!r}")
            if code not in codes:
                raise ConfigError(f"{key}.services names unknown service {code!r}")
        counters.append(Counter(counter_id, _get(table, f"{key}.name", str), tuple(served)))
    return tuple(counters)


def _status(table: dict) -> StatusLookups:
    addresses = _addresses(table, "status.kiosk_addresses", [])
    return StatusLookups(
        nik_misses_per_hour=_positive(table, "status.nik_misses_per_hour", StatusLookups.nik_misses_per_hour),
        lookups_per_window=_positive(table, "status.lookups_per_window", StatusLookups.lookups_per_window),
        window_minutes=_positive(table, "status.window_minutes", StatusLookups.window_minutes),
        kiosk_addresses=addresses or (),
        kiosk_lookups_per_window=_positive(
            table, "status.kiosk_lookups_per_window", StatusLookups.kiosk_lookups_per_window
        ),
        retention_days=_positive(table, "status.retention_days", StatusLookups.retention_days),
        staff_searches_per_hour=_positive(
            table, "status.staff_searches_per_hour", StatusLookups.staff_searches_per_hour
        ),
    )


def _next_service(status: dict, codes: set[str]) -> dict[str, str]:
    from kiosk.domain.status import STATUSES

    table = status.get("next_service", {})
    for siak_code, service in table.items():
        if siak_code not in STATUSES:
            raise ConfigError(f"status.next_service.{siak_code} is not a SIAK status code")
        _get(table, f"status.next_service.{siak_code}", str)
        if service not in codes:
            raise ConfigError(f"status.next_service.{siak_code} names unknown service {service!r}")
    return dict(table)


_CLOCK_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _backup(table: dict) -> Backup:
    folder = _get(table, "backup.dir", str, Backup.dir).strip()
    keep = _positive(table, "backup.keep", Backup.keep)
    if keep > 3650:
        raise ConfigError(f"backup.keep: at most 3650 copies, not {keep}")
    at = _get(table, "backup.time", str, Backup.time)
    if not _CLOCK_RE.match(at):
        raise ConfigError(f'backup.time must look like "02:00" (office time, 00:00-23:59), got {at!r}')
    return Backup(dir=folder, keep=keep, time=at)


def _survey(table: dict) -> Survey:
    days = _positive(table, "survey.display_days", Survey.display_days)
    if days > 366:
        raise ConfigError(f"survey.display_days: at most 366, not {days}")
    texts = {}
    for key in ("questions", "questions_en"):
        questions = table.get(key, {})
        for code in skm.ELEMENT_CODES:
            text = _get(questions, f"survey.{key}.{code}", str, "").strip()
            if len(text) > skm.QUESTION_MAX:
                raise ConfigError(f"survey.{key}.{code}: at most {skm.QUESTION_MAX} characters, not {len(text)}")
            questions = {**questions, code: text}
        texts[key] = SurveyQuestions(**{code: questions[code] for code in skm.ELEMENT_CODES})
    return Survey(
        enabled=_get(table, "survey.enabled", bool, Survey.enabled),
        show_on_display=_get(table, "survey.show_on_display", bool, Survey.show_on_display),
        display_days=days,
        **texts,
    )


# ---------------------------------------------------------------- [sms]

_QUIET_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def _sms(table: dict) -> Sms:
    enabled = _get(table, "sms.enabled", bool, Sms.enabled)
    folders = {}
    for key in ("inbox", "outbox", "sent", "error"):
        folder = _get(table, f"sms.{key}", str, getattr(Sms, key)).strip()
        if not folder:
            raise ConfigError(f"sms.{key} must name a folder of gammu-smsd's files backend")
        folders[key] = folder
    if len({os.path.normpath(folder) for folder in folders.values()}) < len(folders):
        raise ConfigError("sms.inbox, sms.outbox, sms.sent and sms.error must be four different folders")
    limit = _positive(table, "sms.daily_limit", Sms.daily_limit, allow_zero=True)
    if limit > 100_000:
        raise ConfigError(f"sms.daily_limit: at most 100000 messages a day, not {limit}")
    quiet = _get(table, "sms.quiet_hours", str, Sms.quiet_hours).strip()
    if quiet and not _QUIET_RE.match(quiet):
        raise ConfigError(f'sms.quiet_hours must look like "21:00-06:00" (office time) or "", got {quiet!r}')
    reminder = _get(table, "sms.reminder_time", str, Sms.reminder_time).strip()
    if reminder and not _HHMM_RE.match(reminder):
        raise ConfigError(f'sms.reminder_time must look like "18:00" (office time) or "", got {reminder!r}')
    if reminder and quiet and _in_quiet(reminder, quiet):
        raise ConfigError(f"sms.reminder_time {reminder} falls in sms.quiet_hours {quiet}: reminders never go out then")
    return Sms(enabled=enabled, daily_limit=limit, quiet_hours=quiet, reminder_time=reminder, **folders)


_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _in_quiet(clock: str, quiet: str) -> bool:
    """Whether "HH:MM" lies in the quiet hours "HH:MM-HH:MM" (which may run over midnight)."""
    start, end = quiet.split("-")
    if start == end:
        return False
    return start <= clock < end if start < end else (clock >= start or clock < end)


# ---------------------------------------------------------------- service standards and complaints

STANDARD_TEXT_MAX = 300  # characters of one requirement, step, time standard, cost or product
STANDARD_ITEMS_MAX = 20  # requirements or procedure steps of one service
MAKLUMAT_MAX = 2000
PHONE_DAYS_MAX = 366  # a phone number is kept at most a year after the answer
COMPLAINT_DAYS_MAX = 60  # working days: about three months


def _text(table: dict, dotted: str, limit: int) -> str:
    """Read an optional text ("" when absent), spaces at its ends removed, at most ``limit`` characters."""
    text = _get(table, dotted, str, "").strip()
    if len(text) > limit:
        raise ConfigError(f"{dotted}: at most {limit} characters, not {len(text)}")
    return text


def _text_list(table: dict, dotted: str) -> tuple[str, ...]:
    """Read an optional list of texts (requirements, procedure steps): none empty, none too long."""
    items = _get(table, dotted, list, [])
    if len(items) > STANDARD_ITEMS_MAX:
        raise ConfigError(f"{dotted}: at most {STANDARD_ITEMS_MAX} items, not {len(items)}")
    texts = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{dotted}[{index}] must be a text that is not empty, got {item!r}")
        if len(item.strip()) > STANDARD_TEXT_MAX:
            raise ConfigError(f"{dotted}[{index}]: at most {STANDARD_TEXT_MAX} characters, not {len(item.strip())}")
        texts.append(item.strip())
    return tuple(texts)


def _standard(table: dict, key: str) -> dict[str, Any]:
    """Read a service's Standar Pelayanan keys (each optional) in both languages."""
    values: dict[str, Any] = {}
    for suffix in ("", "_en"):
        for name in ("requirements", "procedure"):
            values[name + suffix] = _text_list(table, f"{key}.{name}{suffix}")
        for name in ("time_standard", "cost", "product"):
            values[name + suffix] = _text(table, f"{key}.{name}{suffix}", STANDARD_TEXT_MAX)
    return values


def _complaints(table: dict) -> Complaints:
    days = {}
    for category in ("info", "service", "conduct", "other"):
        value = _positive(table, f"complaints.{category}", getattr(Complaints, category))
        if value > COMPLAINT_DAYS_MAX:
            raise ConfigError(f"complaints.{category}: at most {COMPLAINT_DAYS_MAX} working days, not {value}")
        days[category] = value
    phone_days = _positive(table, "complaints.phone_days", Complaints.phone_days, allow_zero=True)
    if phone_days > PHONE_DAYS_MAX:
        raise ConfigError(f"complaints.phone_days: at most {PHONE_DAYS_MAX} days, not {phone_days}")
    return Complaints(**days, phone_days=phone_days)


# ---------------------------------------------------------------- later days, fairness, disruptions (docs/contract.md)


def _bounded(table: dict, dotted: str, default: int, lowest: int, highest: int) -> int:
    value = _get(table, dotted, int, default)
    if not lowest <= value <= highest:
        raise ConfigError(f"{dotted} must be a whole number from {lowest} to {highest}, got {value!r}")
    return value


def _later_days(table: dict, key: str) -> dict[str, Any]:
    """Read a service's booking_quota (checked against its daily_quota) and one_per_nik; its requirements are
    read with the Standar Pelayanan (_standard)."""
    quota = _bounded(table, f"{key}.booking_quota", 0, 0, 100_000)
    daily = table.get("daily_quota")
    if isinstance(daily, int) and not isinstance(daily, bool) and quota > daily:
        raise ConfigError(
            f"{key}.booking_quota ({quota}) must not exceed {key}.daily_quota ({daily}): it is the "
            "share of the daily quota that may be booked ahead"
        )
    return {"booking_quota": quota, "one_per_nik": _get(table, f"{key}.one_per_nik", bool, False)}


@dataclass(frozen=True)
class Booking:
    """``[booking]``: numbers for a later day, in arrival windows."""

    slot_minutes: int = 60  # arrival windows
    days_ahead: int = 10  # open days offered (from tomorrow)
    early_minutes: int = 30  # check-in allowed this long before the window
    late_minutes: int = 30  # and this long after; later = a walk-in number if the day has room


@dataclass(frozen=True)
class Disruption:
    """``[disruption.alternatives]``: per reason of a disruption, the services offered instead."""

    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _booking(table: dict) -> Booking:
    return Booking(
        slot_minutes=_bounded(table, "booking.slot_minutes", Booking.slot_minutes, 10, 24 * 60),
        days_ahead=_bounded(table, "booking.days_ahead", Booking.days_ahead, 1, 90),
        early_minutes=_bounded(table, "booking.early_minutes", Booking.early_minutes, 0, 12 * 60),
        late_minutes=_bounded(table, "booking.late_minutes", Booking.late_minutes, 0, 12 * 60),
    )


def _disruption(table: dict, codes: set[str]) -> Disruption:
    from kiosk.domain.disruptions import REASONS

    alternatives = table.get("alternatives", {})
    if not isinstance(alternatives, dict):
        raise ConfigError("[disruption.alternatives] must be a table")
    read: dict[str, tuple[str, ...]] = {}
    for reason, offered in alternatives.items():
        dotted = f"disruption.alternatives.{reason}"
        if reason not in REASONS:
            raise ConfigError(f"{dotted}: unknown reason (known: {', '.join(REASONS)})")
        if not isinstance(offered, list) or not all(isinstance(code, str) for code in offered):
            raise ConfigError(f"{dotted} must list service codes, got {offered!r}")
        unknown = [code for code in offered if code not in codes]
        if unknown:
            raise ConfigError(f"{dotted} names unknown service {unknown[0]!r}")
        read[reason] = tuple(offered)
    return Disruption(alternatives=read)


# ---------------------------------------------------------------- [regency] (docs/contract.md, "Regency")


@dataclass(frozen=True)
class Regency:
    """``[regency]``: where the office sends its events (store-and-forward); off while ``url`` is empty.

    The office key the regency issued lives in ``<database>.regency-key`` (0600), never in this file.
    """

    url: str = ""  # e.g. "http://10.1.0.5:8090" ("" = off)
    office_code: str = ""  # kode wilayah of the kecamatan, e.g. "62.03.01"

    @property
    def enabled(self) -> bool:
        return bool(self.url)


_OFFICE_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,39}$")


def _regency(table: dict) -> Regency:
    url = _get(table, "regency.url", str, Regency.url).strip().rstrip("/")
    code = _get(table, "regency.office_code", str, Regency.office_code).strip()
    if url and not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url):
        raise ConfigError(
            f'regency.url must be an http:// or https:// address like "http://10.1.0.5:8090", got {url!r}'
        )
    if url and not code:
        raise ConfigError("regency.office_code must be set (the kecamatan's kode wilayah) when regency.url is set")
    if code and not _OFFICE_CODE_RE.match(code):
        raise ConfigError(f'regency.office_code must look like "62.03.01", got {code!r}')
    return Regency(url=url, office_code=code)
