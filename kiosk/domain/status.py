"""KTP-el status rules: SIAK codes and what they mean to a resident, NIK and KK validation, name masking.

Pure: no Flask, no SQLite. Validation errors carry an Indonesian ``message`` for screens and an
English ``reason`` for the command line.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import numdb

from kiosk.domain.errors import KioskError

LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Advice:
    """What a SIAK status code means to the resident: label, message and next step, per language."""

    label: dict[str, str]
    message: dict[str, str]
    next_step: dict[str, str]
    finished: bool = False  # the card is in the resident's hands: the record's history may be purged


def _advice(
    label_id: str, label_en: str, message_id: str, message_en: str, next_id: str, next_en: str, finished: bool = False
) -> Advice:
    return Advice(
        {"id": label_id, "en": label_en}, {"id": message_id, "en": message_en}, {"id": next_id, "en": next_en}, finished
    )


# The English follows the services' English names (config: "KTP-el Enrolment", "KTP-el Printing", "KTP-el Collection").
_REKAM = ("Silakan ambil nomor antrean Perekaman KTP-el.", "Please take a number for KTP-el Enrolment.")
_WAIT = ("Silakan tunggu dan cek kembali beberapa hari lagi.", "Please wait and check again in a few days.")
_PREPARING = _advice(
    "Sedang disiapkan",
    "Being prepared",
    "Sudah direkam, data sedang disiapkan untuk dikirim.",
    "You have enrolled; your data is being prepared for sending.",
    *_WAIT,
)
_VERIFYING = _advice(
    "Sedang diverifikasi",
    "Being verified",
    "Data sedang diverifikasi di pusat.",
    "Your data is being verified centrally.",
    *_WAIT,
)
_FAILED = _advice(
    "Perlu rekam ulang",
    "Enrolment needed again",
    "Perekaman gagal dibaca, perlu rekam ulang.",
    "Your enrolment could not be read; it needs to be done again.",
    *_REKAM,
)
_PRINTING = _advice(
    "Sedang dicetak", "Being printed", "KTP-el sedang dicetak.", "Your KTP-el is being printed.", *_WAIT
)

# Every SIAK code of the contract's table, in the order a card moves through them.
STATUSES: dict[str, Advice] = {
    "UNREGISTERED": _advice(
        "Belum rekam",
        "Not enrolled",
        "Anda belum melakukan perekaman KTP-el.",
        "You have not enrolled for your KTP-el yet.",
        *_REKAM,
    ),
    "BIO_CAPTURED": _PREPARING,
    "PROCESSING": _PREPARING,
    "SENT_FOR_ENROLLMENT": _VERIFYING,
    "RECEIVED_AT_CENTRAL": _VERIFYING,
    "ADJUDICATE_RECORD": _VERIFYING,
    "ENROLL_FAILURE_AT_CENTRAL": _FAILED,
    "ENROLL_FAILURE_AT_REGIONAL": _FAILED,
    "SEARCH_FAILURE_AT_CENTRAL": _FAILED,
    "DUPLICATE_RECORD": _advice(
        "Data ganda",
        "Duplicate record",
        "Data Anda tercatat ganda.",
        "Your data is recorded twice.",
        "Silakan datang ke Disdukcapil kabupaten.",
        "Please go to the regency's Disdukcapil office.",
    ),
    "PRINT_READY_RECORD": _advice(
        "Siap dicetak",
        "Ready to print",
        "Data siap dicetak.",
        "Your data is ready to be printed.",
        "Silakan ambil nomor antrean Pencetakan KTP-el, atau tunggu blanko tersedia.",
        "Please take a number for KTP-el Printing, or wait until blank cards are available.",
    ),
    "SENT_FOR_CARD_PRINTING": _PRINTING,
    "CARD_PRINTED": _PRINTING,
    "CARD_SHIPPED": _advice(
        "Dalam pengiriman",
        "On its way",
        "KTP-el dalam pengiriman ke kecamatan.",
        "Your KTP-el is on its way to the sub-district office.",
        *_WAIT,
    ),
    "READY_FOR_PICKUP": _advice(
        "Siap diambil",
        "Ready for collection",
        "KTP-el Anda sudah dicetak dan siap diambil di kantor kecamatan ini.",
        "Your KTP-el has been printed and is ready for collection at this office.",
        "Silakan ambil nomor antrean Pengambilan KTP-el.",
        "Please take a number for KTP-el Collection.",
    ),
    "CARD_ISSUED": _advice(
        "Sudah diterima",
        "Received",
        "KTP-el sudah diterima.",
        "Your KTP-el has been handed over to you.",
        "",
        "",
        finished=True,
    ),
}
FINISHED_STATUSES = tuple(code for code, advice in STATUSES.items() if advice.finished)
READY_FOR_PICKUP = "READY_FOR_PICKUP"  # the one local code: the card is at this office
CARD_ISSUED = "CARD_ISSUED"

# "Cards arrived" may set READY_FOR_PICKUP only on a record whose card is printed or on its way: a record that
# was never recorded, failed, is a duplicate or is already in the resident's hands has no card at this office.
# READY_FOR_PICKUP itself is allowed (an idempotent repeat).
READY_FROM: frozenset[str] = frozenset(
    {"PRINT_READY_RECORD", "SENT_FOR_CARD_PRINTING", "CARD_PRINTED", "CARD_SHIPPED", READY_FOR_PICKUP}
)


def can_become_ready(code: str) -> bool:
    """Tell whether a record in this SIAK status may be marked ready for pickup (its card can exist)."""
    return code in READY_FROM


def describe(code: str, next_service: dict[str, str], lang: str = "id") -> dict:
    """Return the resident-facing label, message, next step and service to offer for a SIAK code."""
    advice = STATUSES[code]
    lang = lang if lang in LANGUAGES else "id"
    return {
        "code": code,
        "label": advice.label[lang],
        "message": advice.message[lang],
        "next_step": advice.next_step[lang] or None,
        "next_service": next_service.get(code),
    }


def hash_nik(key: bytes, nik: str) -> str:
    """Return the keyed hash (HMAC-SHA256, hex) that stands for a NIK in the records, the audit log and the limits."""
    return hmac.new(key, nik.encode(), hashlib.sha256).hexdigest()


def hash_kk(key: bytes, kk: str) -> str:
    """Return the keyed hash that stands for a nomor KK (its own purpose prefix: never equal to a NIK's hash)."""
    return hmac.new(key, b"kk:" + kk.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """Keep the first letter of each word and hide the rest: "Budi Santoso" -> "B*** S******"."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


class InvalidNumber(KioskError):
    """A NIK or KK number that cannot be valid; ``code`` is invalid_nik or invalid_kk."""

    status = 400

    def __init__(self, code: str, reason: str, detail: str = ""):
        what = "NIK" if code == "invalid_nik" else "Nomor KK"
        super().__init__(f"{what} tidak valid. Periksa kembali 16 angka pada Kartu Keluarga Anda.", code=code)
        self.reason = f"{'NIK' if code == 'invalid_nik' else 'KK number'}: {reason}"
        # For staff screens: what exactly is wrong, in Indonesian (the message above speaks to the resident).
        self.detail = f"{what} tidak valid: {detail}" if detail else f"{what} tidak valid."


_DIGITS16 = re.compile(r"^[0-9]{16}$")


def _digits(value: object, code: str) -> str:
    if not isinstance(value, str):
        raise InvalidNumber(code, "not a text of digits", "harus berupa 16 angka")
    if value and not (value.isascii() and value.isdigit()):
        raise InvalidNumber(code, "only digits are allowed", "hanya boleh berisi angka")
    if not _DIGITS16.match(value):
        raise InvalidNumber(code, f"16 digits are needed, got {len(value)}", f"harus 16 angka, tertulis {len(value)}")
    if value[12:] == "0000":
        raise InvalidNumber(code, "serial 0000 is never issued", "nomor urut 0000 tidak pernah diterbitkan")
    return value


@lru_cache(maxsize=128)
def _province(code: str) -> bool:
    return bool(numdb.get("id/loc").info(code)[0][1])


def _real_province(number: str) -> bool:
    return _province(number[:2])


@lru_cache(maxsize=16384)
def _registered_place(code: str) -> bool:
    """Tell whether a NIK's first four digits (province and regency) are a real place (python-stdnum's data)."""
    return bool(numdb.get("id/loc").info(code)[0][1])


def _nik_date(nik: str) -> bool:
    """python-stdnum's date check of a NIK: DDMMYY (women: day + 40) is a real date in 19YY or 20YY."""
    day, month, year = int(nik[6:8]) % 40, int(nik[8:10]), int(nik[10:12])
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False


def check_nik(value: object) -> str:
    """Return the NIK if it can be valid (python-stdnum's rules plus: serial not 0000), else raise InvalidNumber.

    python-stdnum's ``id.nik.validate`` checks the digits, the date part and the place of registration;
    the same checks are made here with the place lookups cached, because an import checks 200,000 NIKs.
    """
    nik = _digits(value, "invalid_nik")
    if not _real_province(nik):
        raise InvalidNumber("invalid_nik", f"no province has code {nik[:2]}", f"tidak ada provinsi berkode {nik[:2]}")
    if not _nik_date(nik) or not _registered_place(nik[:4]):
        raise InvalidNumber(
            "invalid_nik",
            "the date part DDMMYY (women: day + 40) is not a real date",
            "bagian tanggal lahir DDMMYY (perempuan: tanggal + 40) bukan tanggal yang ada",
        )
    return nik


def check_kk(value: object, today: date) -> str:
    """Return the KK number if it can be valid (real province, real issue date not after today), else raise."""
    kk = _digits(value, "invalid_kk")
    if not _real_province(kk):
        raise InvalidNumber("invalid_kk", f"no province has code {kk[:2]}", f"tidak ada provinsi berkode {kk[:2]}")
    day, month, year = int(kk[6:8]), int(kk[8:10]), int(kk[10:12])
    century = 2000 if 2000 + year <= today.year else 1900
    try:
        issued = date(century + year, month, day)
    except ValueError:
        raise InvalidNumber(
            "invalid_kk", "the issue date DDMMYY is not a real date", "tanggal terbit DDMMYY bukan tanggal yang ada"
        ) from None
    if issued > today:
        raise InvalidNumber("invalid_kk", "the issue date is in the future", "tanggal terbit ada di masa depan")
    return kk


def nik_matches_birth_date(nik: str, birth_date: date) -> bool:
    """Tell whether the NIK's date part (women: day + 40) is this birth date (the year by its last two digits)."""
    day = int(nik[6:8])
    day = day - 40 if day > 40 else day
    return (day, int(nik[8:10]), int(nik[10:12])) == (birth_date.day, birth_date.month, birth_date.year % 100)


def parse_birth_date(text: str) -> date:
    """Parse ``YYYY-MM-DD`` or ``DD-MM-YYYY``; raise ValueError otherwise."""
    text = text.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return date.fromisoformat(text)
    if re.fullmatch(r"[0-9]{2}-[0-9]{2}-[0-9]{4}", text):
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    raise ValueError("use YYYY-MM-DD or DD-MM-YYYY")


@dataclass(frozen=True, slots=True)  # slots: an import holds every good row in memory before writing
class Application:
    """One resident's KTP-el record as imported or entered by staff."""

    nik: str
    kk: str
    name: str
    birth_date: str  # ISO date
    status: str
    note: str = ""


MAX_NAME_LENGTH = 100
MAX_NOTE_LENGTH = 500


def clean_note(note: str) -> str:
    """Return a note on one line, without control or format characters (ESC, BEL, NUL, zero-width ...).

    A SIAK export or a staff member's paste may carry terminal escapes or invisible characters; they
    would reach the counter screen and the command line. Whitespace of any kind becomes one space.
    """
    kept = "".join(ch if ch.isprintable() else " " if ch.isspace() else "" for ch in note)
    return " ".join(kept.split())


def check_application(
    nik: object, kk: object, name: object, birth_date: object, status: object, note: object, today: date
) -> Application:
    """Validate a record for import or a staff edit; raise InvalidNumber or RecordProblem naming what is wrong."""
    nik = check_nik(nik)
    kk = check_kk(kk, today)
    if not isinstance(name, str) or not name.strip():
        raise RecordProblem("invalid_name", "Nama wajib diisi.", "name is empty")
    name = " ".join(name.split())
    if not name.isprintable():
        raise RecordProblem(
            "invalid_name", "Nama berisi karakter yang tidak dapat ditampilkan.", "name holds control characters"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise RecordProblem(
            "invalid_name",
            f"Nama paling banyak {MAX_NAME_LENGTH} karakter.",
            f"name longer than {MAX_NAME_LENGTH} characters",
        )
    try:
        born = parse_birth_date(birth_date) if isinstance(birth_date, str) else None
    except ValueError:
        born = None
    if born is None or born > today:
        raise RecordProblem(
            "invalid_birth_date",
            "Tanggal lahir tidak valid (YYYY-MM-DD atau DD-MM-YYYY).",
            f"birth date {str(birth_date)[:20]!r} is not a real past date (YYYY-MM-DD or DD-MM-YYYY)",
        )
    if not nik_matches_birth_date(nik, born):
        raise RecordProblem(
            "invalid_birth_date",
            "Tanggal lahir tidak sesuai dengan NIK.",
            "birth date does not agree with the NIK's date part (women: day + 40)",
        )
    if not isinstance(status, str) or status.strip().upper() not in STATUSES:
        raise RecordProblem(
            "unknown_status", "Kode status SIAK tidak dikenal.", f"unknown status code {str(status)[:40]!r}"
        )
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH:
        raise RecordProblem(
            "invalid_note",
            f"Keterangan paling banyak {MAX_NOTE_LENGTH} karakter.",
            f"note longer than {MAX_NOTE_LENGTH} characters",
        )
    return Application(nik, kk, name, born.isoformat(), status.strip().upper(), clean_note(note))


class RecordProblem(KioskError):
    """A status record field other than the numbers is wrong."""

    status = 400

    def __init__(self, code: str, message: str, reason: str):
        super().__init__(message, code=code)
        self.reason = reason


_GROUPING = re.compile(r"[\s.\-]+")  # spaces, dots and dashes people put between digit groups


def split_nik_list(text: str) -> list[str]:
    """Split a pasted list of NIKs: one per line, or separated by commas, semicolons or spaces.

    Digit groups on one line that join to 16 digits ("620301 170890 0001") are one NIK; otherwise
    every space-separated piece of the line is an entry of its own. Blank entries are dropped.
    """
    entries: list[str] = []
    for piece in re.split(r"[\r\n,;]+", text):
        piece = piece.strip()
        if not piece:
            continue
        joined = _GROUPING.sub("", piece)
        if _DIGITS16.match(joined) or len(piece.split()) == 1:
            entries.append(joined)
        else:
            entries.extend(_GROUPING.sub("", word) for word in piece.split())
    return [entry for entry in entries if entry]
