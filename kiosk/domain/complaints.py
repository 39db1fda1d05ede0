"""Complaints (pengaduan) and the published service standards, free of Flask and SQLite.

A complaint gets a tracking code per year (PGD-2026-0001) and a deadline: the close of the N-th working
day of the office calendar after the day it was received, N set per category in ``[complaints]``. A
working day is a weekday with opening hours that is neither a national holiday (when observed) nor one
of the office's closed dates. Its text is length-limited and loses NIK-like digit runs exactly as the
survey's suggestions do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from kiosk.domain.errors import BadRequest
from kiosk.domain.queue import DAY_NAMES, MONTH_NAMES, holiday_name, waiting_deadline
from kiosk.domain.settings import WEEKDAYS, Hours, Office, Service
from kiosk.domain.sms import PART_OF_TWO, PHONE_MAX, PHONE_SEPARATORS, fit, gsm7_length, to_gsm7
from kiosk.domain.survey import remove_long_numbers

# category -> (Indonesian, English) label, in the order screens offer them
CATEGORIES: dict[str, tuple[str, str]] = {
    "info": ("Permintaan informasi", "Request for information"),
    "service": ("Kesalahan atau gangguan layanan", "Fault in the service"),
    "conduct": ("Perilaku petugas", "Staff conduct"),
    "other": ("Lainnya", "Other"),
}
STATUSES = ("open", "answered")
STATUS_LABELS = {"open": ("Sedang ditangani", "Being handled"), "answered": ("Sudah dijawab", "Answered")}
LIST_FILTERS = ("open", "overdue", "answered")
# What became of a complaint, as the evaluation counts it.
OUTCOMES = ("answered_on_time", "answered_late", "overdue", "open")
TEXT_MAX = 1000  # characters of a complaint
ANSWER_MAX = 2000  # characters of the office's answer
# "Holds more than spaces" as a JSON Schema pattern: one character that ``str.strip()`` keeps. Spelled out rather
# than ``\S``, which engines read differently (ECMA and ``re.ASCII`` take the separators U+001C-U+001F for text,
# ``re.ASCII`` every non-ASCII space too), so the documented rule is the one the server applies.
NOT_BLANK = "[^\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
CODE_PREFIX = "PGD"
_CODE = re.compile(r"^PGD-(\d{4})-(\d{4,9})$")
_LAPOR_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,39}$")
# Indonesian mobile numbers for a call back: 08xx..., +628xx..., 628xx..., with ASCII spaces, dots, dashes or
# brackets anywhere (as for SMS). PHONE_PATTERN states the same rule for the OpenAPI document (ECMA 262 and
# Python alike).
_SEP = PHONE_SEPARATORS
_PHONE = re.compile(r"(?:\+62|62|0)(8[0-9]{7,12})")
PHONE_PATTERN = rf"^({_SEP}*|{_SEP}*(\+{_SEP}*6{_SEP}*2|6{_SEP}*2|0){_SEP}*8({_SEP}*[0-9]){{7,12}}{_SEP}*)$"
SEARCH_DAYS = 3 * 366  # a deadline further than this (an office that never opens) counts calendar days


def check_category(value: Any) -> str:
    """Return a complaint category or raise BadRequest naming the choices."""
    if not isinstance(value, str) or value not in CATEGORIES:
        raise BadRequest(f"Pilih jenis pengaduan: {', '.join(CATEGORIES)} (field 'category').")
    return value


def check_text(value: Any) -> str:
    """Return a complaint's text, spaces tidied and long digit runs removed; raise BadRequest when empty or too long."""
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("Tuliskan isi pengaduan Anda (field 'text').")
    if len(value) > TEXT_MAX:
        raise BadRequest(f"Isi pengaduan paling panjang {TEXT_MAX} karakter.")
    text = " ".join(value.split())
    # A NIK, KK number or phone number typed into the text is not kept (a phone number goes in 'phone').
    return remove_long_numbers(text)


def check_phone(value: Any) -> str | None:
    """Return an Indonesian mobile number as +62... (None when not given: empty or only spaces) or raise BadRequest."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= PHONE_MAX:
        digits = re.sub(PHONE_SEPARATORS, "", value)
        if not digits:
            return None  # empty, or spaces only: no call back
        match = _PHONE.fullmatch(digits)
        if match:
            return "+62" + match.group(1)
    raise BadRequest("Nomor telepon tidak valid. Tulis nomor ponsel seperti 0812 3456 7890 (field 'phone').")


def check_answer(value: Any) -> str:
    """Return the office's answer text or raise BadRequest when empty or too long."""
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("Tuliskan jawaban atas pengaduan (field 'text').")
    if len(value) > ANSWER_MAX:
        raise BadRequest(f"Jawaban paling panjang {ANSWER_MAX} karakter.")
    return value.strip()


def check_lapor_ref(value: Any) -> str | None:
    """Return the SP4N-LAPOR! tracking number a complaint was referred under (None when not given)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _LAPOR_REF.match(value):
        raise BadRequest(
            "Nomor pelacakan SP4N-LAPOR! tidak valid: huruf, angka, titik, garis miring atau tanda "
            "hubung, paling banyak 40 karakter (field 'lapor_ref')."
        )
    return value


def check_filter(value: Any) -> str | None:
    """Return the inbox filter (open, overdue, answered; None = all) or raise BadRequest."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in LIST_FILTERS:
        raise BadRequest(f"Parameter 'status' harus salah satu dari: {', '.join(LIST_FILTERS)}.")
    return value


def format_code(year: int, seq: int) -> str:
    """Return a complaint's tracking code: (2026, 1) -> "PGD-2026-0001"."""
    return f"{CODE_PREFIX}-{year}-{seq:04d}"


def is_code(text: str) -> bool:
    """Tell whether ``text`` has the form of a tracking code."""
    return bool(_CODE.match(text))


# ---------------------------------------------------------------- the office calendar


@dataclass(frozen=True)
class OfficeCalendar:
    """The days the office works: weekly hours, national holidays (when observed) and extra closed dates."""

    hours: dict[str, Hours]
    observe_holidays: bool
    zone: tzinfo
    closed_dates: Mapping[date, str] = field(default_factory=dict)

    @classmethod
    def of(cls, office: Office, closed_dates: Mapping[date, str]) -> OfficeCalendar:
        """Return the calendar of the office's own hours (not a service's) and its closed dates."""
        return cls(office.hours, office.observe_national_holidays, office.timezone, closed_dates)

    def is_working_day(self, day: date) -> bool:
        """Tell whether the office is open on ``day``."""
        if self.hours[WEEKDAYS[day.weekday()]].closed:
            return False
        if self.observe_holidays and holiday_name(day):
            return False
        return day not in self.closed_dates

    def working_days(self, first: date, last: date) -> Iterator[date]:
        """Yield the working days from ``first`` to ``last``, both included."""
        day = first
        while day <= last:
            if self.is_working_day(day):
                yield day
            day += timedelta(days=1)


def due_at(received: datetime, days: int, calendar: OfficeCalendar) -> datetime:
    """Return the deadline of a complaint received at ``received``: the close of the ``days``-th working day after.

    The day of receipt never counts, working or not: a complaint at 14.59 on Friday with one working day
    is due at Monday's closing time (or Tuesday's, when Monday is a holiday).
    """
    day, counted = received.date(), 0
    for _ in range(SEARCH_DAYS):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
            if counted == days:
                return waiting_deadline(calendar.hours, day, calendar.zone, 0)
    return received + timedelta(days=days)


def outcome(complaint: Mapping[str, Any], now: datetime) -> str:
    """Return what became of a complaint by ``now``: answered_on_time, answered_late, overdue or open."""
    due = datetime.fromisoformat(complaint["due_at"])
    if complaint["answered_at"]:
        return "answered_on_time" if datetime.fromisoformat(complaint["answered_at"]) <= due else "answered_late"
    return "overdue" if now > due else "open"


# ---------------------------------------------------------------- the printed receipt

RECEIPT_LANGUAGES = ("id", "en")
DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# What the kiosk's complaint receipt says, per language; nothing on it names, reaches or quotes the resident.
RECEIPT_WORDS = {
    "id": {
        "title": "Tanda Terima Pengaduan",
        "code": "Kode pengaduan",
        "category": "Jenis",
        "received": "Diterima",
        "due": "Dijawab paling lambat",
        "scan": "Pindai untuk melihat jawaban",
        "footer": "Simpan tanda terima ini. Isi pengaduan dan nomor telepon Anda tidak dicetak.",
    },
    "en": {
        "title": "Complaint Receipt",
        "code": "Complaint code",
        "category": "Type",
        "received": "Received",
        "due": "Answer due by",
        "scan": "Scan to read the answer",
        "footer": "Keep this receipt. Your complaint's text and phone number are not printed.",
    },
}


def check_receipt_lang(value: Any) -> str:
    """Return the language of the kiosk's printed receipt ("id" when not given) or raise BadRequest."""
    if value is None:
        return "id"
    if value not in RECEIPT_LANGUAGES:
        raise BadRequest("Field 'lang' harus 'id' atau 'en'.")
    return value


def when_text(moment: datetime, lang: str) -> str:
    """Say a moment as the receipt prints it: "Senin, 21 Desember 2026 pukul 15.00" / "Monday 21 December 2026,
    15:00"."""
    if lang == "en":
        return (
            f"{DAY_NAMES_EN[moment.weekday()]} {moment.day} {MONTH_NAMES_EN[moment.month - 1]} {moment.year},"
            f" {moment:%H:%M}"
        )
    return (
        f"{DAY_NAMES[moment.weekday()]}, {moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year}"
        f" pukul {moment:%H.%M}"
    )


def receipt_lines(complaint: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Return the texts of a complaint's receipt in ``lang``: labels, the category and both moments."""
    words = RECEIPT_WORDS[lang]
    label, label_en = CATEGORIES[complaint["category"]]
    return {
        **words,
        "category_label": label_en if lang == "en" else label,
        "received_at": when_text(datetime.fromisoformat(complaint["received_at"]), lang),
        "due_at": when_text(datetime.fromisoformat(complaint["due_at"]), lang),
    }


# ---------------------------------------------------------------- the answer by SMS

SMS_ANSWERED = "Pengaduan {code} sudah dijawab: {answer}"
SMS_REFERRED = "Pengaduan {code} diteruskan ke SP4N-LAPOR! dengan nomor {ref}. {answer}"
SMS_MORE = " Selengkapnya: {url}"
SMS_LIMIT = 2 * PART_OF_TWO  # two parts of GSM-7, as every message to a resident


def answer_sms(code: str, answer: str, url: str, lapor_ref: str | None = None) -> str:
    """Return the SMS telling a resident a complaint's answer: as much of it as two parts hold, then the link of
    the complaint's page (never cut off: the whole answer is there)."""
    more = SMS_MORE.format(url=url)
    template = SMS_REFERRED if lapor_ref else SMS_ANSWERED
    head = template.format(code=code, ref=lapor_ref, answer="")
    whole = fit(head + " " + answer, 9)
    if gsm7_length(whole) + gsm7_length(more) <= SMS_LIMIT:
        return whole + more
    room = SMS_LIMIT - gsm7_length(to_gsm7(more)) - gsm7_length(head) - 4
    cut = " ".join(to_gsm7(answer).split())
    while cut and gsm7_length(cut) > room:
        cut = cut[:-1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return fit(head + " " + cut.rstrip(" ,.;:") + "..." + more)


# ---------------------------------------------------------------- service standards

STANDARD_KEYS = ("requirements", "procedure", "time_standard", "cost", "product")


def standard_json(service: Service) -> dict[str, Any]:
    """Return a service's Standar Pelayanan in both languages (English falls back to nothing, never to Indonesian)."""
    values: dict[str, Any] = {"code": service.code, "name": service.name, "name_en": service.name_en}
    for key in STANDARD_KEYS:
        value = getattr(service, key)
        values[key] = list(value) if isinstance(value, tuple) else value
    for key in STANDARD_KEYS:
        value = getattr(service, key + "_en")
        values[key + "_en"] = list(value) if isinstance(value, tuple) else value
    return values


def standards_json(office: Office, services: tuple[Service, ...], complaint_days: Mapping[str, int]) -> dict:
    """Return what ``GET /api/standards`` shows: the office's Maklumat, each service's standard, complaint deadlines."""
    return {
        "office": office.name,
        "maklumat": office.maklumat,
        "maklumat_en": office.maklumat_en,
        "services": [standard_json(service) for service in services],
        "complaints": [
            {"category": code, "label": label, "label_en": label_en, "days": complaint_days[code]}
            for code, (label, label_en) in CATEGORIES.items()
        ],
    }


def standard_values(office: Office, services: tuple[Service, ...]) -> dict[tuple[str, str], Any]:
    """Return every published value keyed by (subject, key): ("office", "maklumat"), ("REKAM", "cost") ..."""
    values: dict[tuple[str, str], Any] = {
        ("office", "maklumat"): office.maklumat,
        ("office", "maklumat_en"): office.maklumat_en,
    }
    for service in services:
        for key in STANDARD_KEYS:
            for name in (key, key + "_en"):
                value = getattr(service, name)
                values[(service.code, name)] = list(value) if isinstance(value, tuple) else value
    return values


def standard_changes(before: Mapping[tuple[str, str], Any], after: Mapping[tuple[str, str], Any]) -> list[dict]:
    """Return what differs between two sets of published values: [{"subject", "key", "before", "after"}]."""
    changes = []
    for subject_key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(subject_key), after.get(subject_key)
        if old != new:
            changes.append({"subject": subject_key[0], "key": subject_key[1], "before": old, "after": new})
    return changes
