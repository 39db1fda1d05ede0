"""SMS rules: phone numbers, commands, GSM-7 lengths, quiet hours and the texts of every reply.

Pure: no Flask, no SQLite, no files. A reply never holds a NIK, a nomor KK or a name (a masked name
at most); the command of an incoming message is kept only as its keyword (``Command.keyword``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

# ---------------------------------------------------------------- phone numbers

# An Indonesian mobile number: +62 8xx, 9 to 13 digits after the country code's 0 (e.g. 0812-3456-7890).
_MOBILE = re.compile(r"^\+628[1-9][0-9]{6,10}$")
# As written: 08…, 628…, +62 8…, 0062 8…, +62 08…, with ASCII spaces, dashes, dots or brackets anywhere.
# PHONE_PATTERN states the same rule for the OpenAPI document (ECMA 262 and Python read it alike).
PHONE_SEPARATORS = r"[ \t\n\r\f\v().-]"
PHONE_MAX = 32
_S = PHONE_SEPARATORS + "*"
PHONE_PATTERN = rf"^{_S}(\+{_S}6{_S}2|0{_S}0{_S}6{_S}2|6{_S}2|0){_S}(0{_S})?8{_S}[1-9]({_S}[0-9]){{6,10}}{_S}$"


def normalise_phone(text: object) -> str | None:
    """Return a mobile number as ``+628…`` (from 08…, 628…, +62 8…, with spaces or dashes), or None.

    Short codes, alphanumeric senders (operators' promotions) and foreign numbers give None.
    """
    if not isinstance(text, str) or len(text) > PHONE_MAX:
        return None
    digits = re.sub(PHONE_SEPARATORS, "", text)
    if digits.startswith("+62"):
        digits = "+62" + digits[3:]
    elif digits.startswith("0062"):
        digits = "+62" + digits[4:]
    elif digits.startswith("62"):
        digits = "+" + digits
    elif digits.startswith("0"):
        digits = "+62" + digits[1:]
    else:
        return None
    if digits.startswith("+620"):
        digits = "+62" + digits[4:]
    return digits if _MOBILE.match(digits) else None


def masked_phone(phone: str) -> str:
    """Return a number with all but its last three digits hidden, for screens and logs: "+62812*****890"."""
    return phone[:6] + "*" * max(len(phone) - 9, 0) + phone[-3:]


# ---------------------------------------------------------------- GSM-7

_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")
SINGLE_PART = 160  # septets in one SMS
PART_OF_TWO = 153  # septets per part of a concatenated SMS (the rest is the part header)
MAX_PARTS = 2


def is_gsm7(text: str) -> bool:
    """Tell whether every character of ``text`` is in the GSM 03.38 alphabet (basic or extension table)."""
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in text)


def gsm7_length(text: str) -> int:
    """Return the septets ``text`` takes (an extension character takes two)."""
    return sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)


def parts(text: str) -> int:
    """Return how many SMS parts ``text`` takes in GSM-7."""
    length = gsm7_length(text)
    return 1 if length <= SINGLE_PART else -(-length // PART_OF_TWO)


def to_gsm7(text: str) -> str:
    """Return ``text`` in GSM-7: accents stripped where the alphabet lacks them, typographic marks simplified."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2026", "...").replace("\u00a0", " ")
    out = []
    for ch in text:
        if ch in _GSM7_BASIC or ch in _GSM7_EXTENDED:
            out.append(ch)
            continue
        plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        out.append(plain if plain and is_gsm7(plain) else "?")
    return "".join(out)


def fit(text: str, max_parts: int = MAX_PARTS) -> str:
    """Return ``text`` in GSM-7, cut at a word to fit ``max_parts`` SMS parts (ending "..." when cut)."""
    text = " ".join(to_gsm7(text).split())
    limit = SINGLE_PART if max_parts == 1 else PART_OF_TWO * max_parts
    if gsm7_length(text) <= limit:
        return text
    cut = text
    while gsm7_length(cut) > limit - 3:
        cut = cut[:-1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "..."


# ---------------------------------------------------------------- incoming commands

KEYWORDS = ("CEK", "ANTRE", "BATAL", "STATUS", "INFO")
# Variants residents type for a keyword. Any word starting "ANTR" means ANTRE (the spellings people use for
# "antre" vary); replies always use the standard word.
_ALIASES = {"DAFTAR": "ANTRE", "BTL": "BATAL", "CEKSTATUS": "CEK"}
_DATE = re.compile(r"^([0-3]?[0-9])[-/.]([01]?[0-9])(?:[-/.]([0-9]{2}|[0-9]{4}))?$")


@dataclass(frozen=True)
class Command:
    """An incoming message read as a command. ``keyword`` is "HELP" when nothing was understood.

    ``args`` hold what followed the keyword; for CEK they are the NIK and nomor KK, which the caller
    must never store or log (``keyword`` alone is kept).
    """

    keyword: str
    args: tuple[str, ...] = ()
    holds_numbers: bool = False  # the message holds a 16-digit number: its inbox file is deleted once handled


_SIXTEEN = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")


def parse(text: str) -> Command:
    """Read an SMS as a command: case and spacing forgiving ("cek 3201...  3201...", "Antre rekam 12-12").

    Digits of a NIK or nomor KK typed in groups ("3201 0101 ...") are joined. Anything unknown is HELP.
    """
    raw = unicodedata.normalize("NFKC", text or "").strip()
    holds = bool(_SIXTEEN.search(re.sub(r"[\s.\-]", "", raw))) or bool(_SIXTEEN.search(raw))
    words = raw.replace(",", " ").replace(";", " ").replace("#", " ").split()
    if not words:
        return Command("HELP", (), holds)
    head = words[0].upper().rstrip(".:")
    keyword = "ANTRE" if head.startswith("ANTR") else _ALIASES.get(head, head)
    args = words[1:]
    if keyword not in KEYWORDS:
        # "CEK3201..." written without the space
        for candidate in KEYWORDS:
            if head.startswith(candidate) and head[len(candidate) :].isdigit():
                keyword, args = candidate, [head[len(candidate) :], *args]
                break
        else:
            return Command("HELP", (), holds)
    if keyword == "CEK":
        digits = "".join(args)
        digits = re.sub(r"[\s.\-]", "", digits)
        if len(digits) == 32 and digits.isdigit():
            return Command("CEK", (digits[:16], digits[16:]), True)
        return Command("CEK", tuple(args[:2]) if len(args) == 2 else (), holds)
    if keyword == "ANTRE":
        return Command("ANTRE", tuple(word.upper() for word in args[:2]), holds)
    if keyword in ("BATAL", "STATUS"):
        return Command(keyword, ("".join(args).upper(),) if args else (), holds)
    return Command(keyword, (), holds)


def parse_day(text: str, today: date) -> date | None:
    """Read "DD-MM" (or DD/MM, DD-MM-YYYY) as the next such date from today on; None when it is no date."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        if year:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        chosen = date(today.year, month, day)
    except ValueError:
        return None
    if chosen < today:
        try:
            chosen = date(today.year + 1, month, day)
        except ValueError:
            return None
    return chosen


# A queue number is its service prefix, one letter ([[services]] prefix), and digits: never six characters, so
# never a booking code, even one such as "NVJ739".
_TICKET_NUMBER = re.compile(r"^([A-Z])-?([0-9]{1,4})$")


def ticket_number(text: str) -> str | None:
    """Return a queue number as printed ("A-012") from "a12", "A-12", "A012"; None when it is none."""
    match = _TICKET_NUMBER.match(text.strip().upper())
    if not match:
        return None
    return f"{match.group(1)}-{int(match.group(2)):03d}"


# ---------------------------------------------------------------- inbox file names

_INBOX_NAME = re.compile(r"^IN(\d{8})_(\d{6})_(\d{2,})_(.+)_(\d{2,})\.(txt|bin|smsbackup)$")


@dataclass(frozen=True)
class InboxName:
    """The parts of a gammu-smsd inbox file name ``IN<date>_<time>_<serial>_<sender>_<part>.<ext>``."""

    received: str  # YYYYMMDD_HHMMSS
    serial: int
    sender: str
    part: int
    extension: str


def parse_inbox_name(name: str) -> InboxName | None:
    """Read a gammu-smsd inbox file name; None for any other file (temporary files, foreign names)."""
    match = _INBOX_NAME.match(name)
    if not match:
        return None
    return InboxName(
        f"{match.group(1)}_{match.group(2)}", int(match.group(3)), match.group(4), int(match.group(5)), match.group(6)
    )


# ---------------------------------------------------------------- limits and quiet hours

REPLIES_PER_NUMBER_PER_HOUR = 3  # answers to one number; beyond, its messages are kept unanswered
REPLIES_PER_NUMBER_PER_DAY = 8
MAX_ATTEMPTS = 5  # gammu-smsd errors before a message is given up
MAX_BACKOFF_SECONDS = 30 * 60


def backoff_seconds(attempts: int) -> float:
    """Return the wait after ``attempts`` failed sends: 1 min, 2, 4, 8 ... at most 30 min."""
    return min(60.0 * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """Return (start, end) of "21:00-06:00", or None for ""."""
    if not text:
        return None
    start, end = text.split("-")
    return (time(int(start[:2]), int(start[3:])), time(int(end[:2]), int(end[3:])))


def quiet_until(now: datetime, quiet_hours: str) -> datetime | None:
    """Return when the quiet hours around ``now`` end (office time), or None when ``now`` is not in them.

    The range may run over midnight ("21:00-06:00").
    """
    bounds = parse_quiet_hours(quiet_hours)
    if bounds is None:
        return None
    start, end = bounds
    clock = now.timetz().replace(tzinfo=None)
    if start == end:
        return None
    if start < end:
        inside = start <= clock < end
        end_day = now.date()
    else:
        inside = clock >= start or clock < end
        end_day = now.date() + timedelta(days=1) if clock >= start else now.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=now.tzinfo)


# ---------------------------------------------------------------- texts (standard Bahasa Indonesia)

HELP = (
    "Format SMS: CEK <NIK> <No KK> (status KTP-el); ANTRE <LAYANAN> <TGL-BLN> (ambil nomor); "
    "BATAL <kode>; STATUS <kode/nomor antrean>; INFO (jam buka dan layanan)."
)
INVALID_NUMBER = (
    "NIK atau nomor KK tidak valid. Periksa kembali 16 angka pada Kartu Keluarga. Format: CEK <NIK> <No KK>"
)
NOT_FOUND = "Data tidak ditemukan. Periksa kembali NIK dan nomor KK, atau tanyakan kepada petugas kecamatan."
RATE_LIMITED = "Terlalu banyak pencarian. Silakan coba lagi dalam {minutes} menit."
BAD_DAY = "Tanggal tidak dikenal. Tulis tanggal sebagai TGL-BLN, contoh: ANTRE {code} 12-12"
UNKNOWN_SERVICE = "Layanan {code} tidak dikenal. Kode layanan: {codes}. Contoh: ANTRE {example} {day}"
UNKNOWN_TICKET = "Nomor antrean {number} tidak ditemukan untuk hari ini."
TICKET_WAITING = "Antrean {number} ({service}): {ahead} orang di depan Anda, perkiraan {minutes} menit lagi."
TICKET_CALLED = "Antrean {number} sedang dipanggil ke {counter}. Silakan menuju loket."
TICKET_FINISHED = "Antrean {number} sudah selesai hari ini ({state})."
STATUS_HELP = "Format: STATUS <kode pemesanan atau nomor antrean>, contoh STATUS A-012"
BATAL_HELP = "Format: BATAL <kode pemesanan>, contoh BATAL K7M2QX"
NEAR = "Antrean {number}: 3 nomor lagi giliran Anda di {office}. Silakan bersiap di ruang tunggu."
CALLED = "Antrean {number}: silakan menuju {counter} sekarang."
DISRUPTED = (
    "Antrean {number}: layanan {service} sedang terganggu ({label}). Silakan tanyakan kepada petugas "
    "di kantor sebelum datang atau menunggu lebih lama."
)
OPTED_IN = "Anda akan menerima SMS saat giliran antrean {number} sudah dekat. Biaya SMS ditanggung kantor."

# bookings for a later day (ANTRE, BATAL, STATUS <kode>)
BOOKING_BOOKED = (
    "Nomor {service} untuk {day}, {window}. Kode: {code}. Tunjukkan kode di kios saat tiba. "
    "Batal: BATAL {code}. {warning}Bawa: {bring}"
)  # what to bring comes last: cut to fit two parts
BOOKING_DISRUPTED = "Perhatian: layanan {service} sedang terganggu ({label}), tanyakan kantor sebelum berangkat. "
BOOKING_NO_BOOKINGS = (
    "Layanan {service} tidak menerima pemesanan nomor untuk hari lain. Silakan ambil nomor di kios kantor."
)
BOOKING_NIK_NEEDED = (
    "Layanan {service} memerlukan NIK: pesan nomornya di kios kantor atau melalui petugas, tidak lewat SMS."
)
BOOKING_DAY_CLOSED = (
    "Tanggal {day} tidak dapat dipesan untuk {service}: kantor tutup atau di luar {days} hari buka berikutnya."
)
BOOKING_TODAY = (
    "Nomor {service} untuk hari ini diambil langsung di kios kantor. Lewat SMS dapat dipesan "
    "nomor untuk hari buka berikutnya, contoh: ANTRE {service}"
)
BOOKING_DAY_FULL = "Kuota {service} tanggal {day} sudah penuh. Coba tanggal lain, contoh: ANTRE {service} {other}"
BOOKING_ALL_FULL = (
    "Kuota {service} sudah penuh untuk {days} hari buka berikutnya. Silakan datang dan ambil nomor di kios."
)
BOOKING_CANCELLED = "Pemesanan {code} ({service}, {day}, {window}) sudah dibatalkan."
BOOKING_NOT_FOUND = "Kode pemesanan {code} tidak ditemukan untuk nomor ini."
BOOKING_UNKNOWN_CODE = "Kode pemesanan {code} tidak ditemukan."
BOOKING_STATUS_BOOKED = "Pemesanan {code} ({service}): {day}, {window}. {warning}Tunjukkan kode di kios saat tiba."
BOOKING_STATUS_ENDED = "Pemesanan {code} ({service}) untuk {day}: {state}."
BOOKING_STATUS_TICKET = "Pemesanan {code} sudah menjadi antrean {number}: {where}"
BOOKING_STATES = {"cancelled": "dibatalkan", "expired": "kedaluwarsa"}
# told without being asked, to a number kept with a booking
BOOKING_REMINDER = (
    "Pengingat: besok {day} nomor {service} Anda di {office}, {window}. Kode: {code}. "
    "Tunjukkan kode di kios saat tiba. Tidak jadi datang? Balas BATAL {code}"
)
BOOKING_DISRUPTION_NOTICE = (
    "Pemesanan {code} ({service}, {day}, {window}): layanan {service} sedang terganggu "
    "({label}). Tanyakan kantor sebelum berangkat. Batal: BATAL {code}"
)

TICKET_STATES = {
    "done": "sudah dilayani",
    "no_show": "tidak hadir saat dipanggil",
    "expired": "kedaluwarsa",
    "serving": "sedang dilayani",
    "cancelled": "dibatalkan",
}


def status_reply(label: str, message: str, next_step: str | None, name_masked: str) -> str:
    """Return the answer to CEK as the kiosk says it: masked name, label, message and the next step."""
    text = f"Status KTP-el {name_masked}: {label}. {message}"
    if next_step:
        text += f" {next_step}"
    return fit(text)


def info_reply(office: str, hours: str, services: list[tuple[str, str]]) -> str:
    """Return the INFO answer: office hours and each service's code."""
    listed = ", ".join(f"{code} ({name})" for code, name in services)
    return fit(f"{office}. Jam buka: {hours}. Layanan: {listed}. Ketik ANTRE <KODE> <TGL-BLN>.")


def render(template: str, **values: object) -> str:
    """Fill a text template and fit it into two SMS parts."""
    return fit(template.format(**values))
