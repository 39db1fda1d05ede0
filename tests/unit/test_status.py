"""KTP-el status rules: validation tables, every SIAK code's advice, masking, and the records' store."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kiosk.domain.settings import load_settings
from kiosk.domain.status import (
    READY_FROM,
    STATUSES,
    Application,
    InvalidNumber,
    RecordProblem,
    can_become_ready,
    check_application,
    check_kk,
    check_nik,
    describe,
    mask_name,
)
from kiosk.paths import packaged_config

TODAY = date(2026, 11, 29)


MALE = "6203011708900001"  # Kapuas, born 17-08-1990


FEMALE = "6203015708900002"  # day 17 + 40


KK = "6203010102150003"  # issued 01-02-2015


@pytest.mark.parametrize("nik", [MALE, FEMALE, "3171011708450001", "6203010101000001"])
def test_valid_niks_pass(nik):
    assert check_nik(nik) == nik


@pytest.mark.parametrize(
    "nik, reason",
    [
        ("620301170890001", "16 digits are needed, got 15"),
        ("62030117089000011", "16 digits are needed, got 17"),
        ("62030117089000A1", "only digits are allowed"),
        ("6203011708900 01", "only digits are allowed"),
        ("６２０３０１１７０８９００００１", "only digits are allowed"),  # full-width digits
        ("6203013208900001", "date part"),  # day 32
        ("6203017208900001", "date part"),  # woman, day 32
        ("6203011713900001", "date part"),  # month 13
        ("6203010002900001", "date part"),  # day 00
        ("0003011708900001", "no province has code 00"),
        ("9903011708900001", "no province has code 99"),
        ("6203011708900000", "serial 0000"),
        ("", "16 digits are needed, got 0"),
    ],
)
def test_impossible_niks_are_refused_with_the_reason(nik, reason):
    with pytest.raises(InvalidNumber) as caught:
        check_nik(nik)
    assert caught.value.code == "invalid_nik"
    assert reason in caught.value.reason
    assert caught.value.message == "NIK tidak valid. Periksa kembali 16 angka pada Kartu Keluarga Anda."


@pytest.mark.parametrize("value", [None, 6203011708900001, ["6203011708900001"]])
def test_a_nik_that_is_not_text_is_refused(value):
    with pytest.raises(InvalidNumber):
        check_nik(value)


@pytest.mark.parametrize("kk", [KK, "6203012911260001", "1101010101000001"])
def test_valid_kk_numbers_pass(kk):
    assert check_kk(kk, TODAY) == kk


@pytest.mark.parametrize(
    "kk, reason",
    [
        ("620301010215000", "got 15"),
        ("62030101021500031", "got 17"),
        ("620301010215000X", "only digits"),
        ("6203013201150001", "not a real date"),  # day 32
        ("6203010113150001", "not a real date"),  # month 13
        ("6203014102150001", "not a real date"),  # no +40 on a KK
        ("0003010102150001", "no province has code 00"),
        ("6203010102150000", "serial 0000"),
        ("6203013011260001", "in the future"),  # 30-11-2026, the day after TODAY
    ],
)
def test_impossible_kk_numbers_are_refused_with_the_reason(kk, reason):
    with pytest.raises(InvalidNumber) as caught:
        check_kk(kk, TODAY)
    assert caught.value.code == "invalid_kk"
    assert reason in caught.value.reason


def _record(**fields):
    values = {
        "nik": MALE,
        "kk": KK,
        "name": "Budi Santoso",
        "birth_date": "1990-08-17",
        "status": "CARD_SHIPPED",
        "note": "",
        **fields,
    }
    return check_application(
        values["nik"], values["kk"], values["name"], values["birth_date"], values["status"], values["note"], TODAY
    )


def test_a_record_is_normalised():
    assert _record(
        name="  budi   santoso ", birth_date="17-08-1990", status=" ready_for_pickup ", note=" dari SIAK "
    ) == Application(MALE, KK, "budi santoso", "1990-08-17", "READY_FOR_PICKUP", "dari SIAK")


def test_a_womans_birth_date_agrees_with_day_plus_40():
    assert _record(nik=FEMALE, birth_date="1990-08-17").nik == FEMALE


@pytest.mark.parametrize(
    "fields, code, reason",
    [
        ({"birth_date": "1990-08-18"}, "invalid_birth_date", "does not agree"),
        ({"birth_date": "1991-08-17"}, "invalid_birth_date", "does not agree"),
        ({"nik": FEMALE, "birth_date": "1990-08-18"}, "invalid_birth_date", "does not agree"),
        ({"birth_date": "17/08/1990"}, "invalid_birth_date", "YYYY-MM-DD or DD-MM-YYYY"),
        ({"birth_date": "1990-02-30"}, "invalid_birth_date", "not a real past date"),
        ({"birth_date": "2090-08-17"}, "invalid_birth_date", "not a real past date"),
        ({"status": "LOST"}, "unknown_status", "unknown status code 'LOST'"),
        ({"name": "  "}, "invalid_name", "name is empty"),
        ({"name": "Budi\x00Santoso"}, "invalid_name", "control characters"),
        ({"name": "Budi\u202eSantoso"}, "invalid_name", "control characters"),
        ({"note": "x" * 501}, "invalid_note", "note longer than 500"),
    ],
)
def test_a_wrong_record_is_refused_naming_the_field(fields, code, reason):
    with pytest.raises(RecordProblem) as caught:
        _record(**fields)
    assert caught.value.code == code
    assert reason in caught.value.reason


SPEC_TABLE = {  # code -> (Indonesian message, service offered by the demo office)
    "UNREGISTERED": ("Anda belum melakukan perekaman KTP-el.", "REKAM"),
    "BIO_CAPTURED": ("Sudah direkam, data sedang disiapkan untuk dikirim.", None),
    "PROCESSING": ("Sudah direkam, data sedang disiapkan untuk dikirim.", None),
    "SENT_FOR_ENROLLMENT": ("Data sedang diverifikasi di pusat.", None),
    "RECEIVED_AT_CENTRAL": ("Data sedang diverifikasi di pusat.", None),
    "ADJUDICATE_RECORD": ("Data sedang diverifikasi di pusat.", None),
    "ENROLL_FAILURE_AT_CENTRAL": ("Perekaman gagal dibaca, perlu rekam ulang.", "REKAM"),
    "ENROLL_FAILURE_AT_REGIONAL": ("Perekaman gagal dibaca, perlu rekam ulang.", "REKAM"),
    "SEARCH_FAILURE_AT_CENTRAL": ("Perekaman gagal dibaca, perlu rekam ulang.", "REKAM"),
    "DUPLICATE_RECORD": ("Data Anda tercatat ganda.", None),
    "PRINT_READY_RECORD": ("Data siap dicetak.", "CETAK"),
    "SENT_FOR_CARD_PRINTING": ("KTP-el sedang dicetak.", None),
    "CARD_PRINTED": ("KTP-el sedang dicetak.", None),
    "CARD_SHIPPED": ("KTP-el dalam pengiriman ke kecamatan.", None),
    "READY_FOR_PICKUP": ("KTP-el Anda sudah dicetak dan siap diambil di kantor kecamatan ini.", "AMBIL"),
    "CARD_ISSUED": ("KTP-el sudah diterima.", None),
}


# Whether "cards arrived: ready for pickup" may move a record in this status: only when its card can exist.
READY_TABLE = {
    "UNREGISTERED": False,
    "BIO_CAPTURED": False,
    "PROCESSING": False,
    "SENT_FOR_ENROLLMENT": False,
    "RECEIVED_AT_CENTRAL": False,
    "ADJUDICATE_RECORD": False,
    "ENROLL_FAILURE_AT_CENTRAL": False,
    "ENROLL_FAILURE_AT_REGIONAL": False,
    "SEARCH_FAILURE_AT_CENTRAL": False,
    "DUPLICATE_RECORD": False,
    "PRINT_READY_RECORD": True,
    "SENT_FOR_CARD_PRINTING": True,
    "CARD_PRINTED": True,
    "CARD_SHIPPED": True,
    "READY_FOR_PICKUP": True,
    "CARD_ISSUED": False,
}


@pytest.mark.parametrize("code, allowed", list(READY_TABLE.items()))
def test_only_a_status_whose_card_can_exist_may_become_ready(code, allowed):
    assert can_become_ready(code) is allowed


def test_the_ready_table_covers_every_code_and_names_only_known_ones():
    assert set(READY_TABLE) == set(STATUSES)
    assert READY_FROM <= set(STATUSES)
    assert can_become_ready("NOT_A_CODE") is False


def test_every_spec_code_is_known_and_nothing_else():
    assert list(STATUSES) == list(SPEC_TABLE)


@pytest.mark.parametrize("code", list(SPEC_TABLE))
def test_every_code_has_its_message_next_step_and_service_in_both_languages(code):
    next_service = load_settings(packaged_config()).next_service
    message, service = SPEC_TABLE[code]
    indonesian, english = describe(code, next_service, "id"), describe(code, next_service, "en")
    assert (indonesian["code"], indonesian["message"], indonesian["next_service"]) == (code, message, service)
    assert english["next_service"] == service
    for answer in (indonesian, english):
        assert answer["label"] and answer["message"]
        assert (answer["next_step"] is None) == (code == "CARD_ISSUED")
    assert english["message"] != indonesian["message"] and english["label"] != indonesian["label"]


@pytest.mark.parametrize("code", list(SPEC_TABLE))
def test_the_english_advice_uses_the_services_english_names(code):
    """The services are "KTP-el Enrolment", "KTP-el Printing" and "KTP-el Collection" in English: the advice
    says the same, never "recording" or "pickup"."""
    settings = load_settings(packaged_config())
    english = describe(code, settings.next_service, "en")
    words = " ".join(filter(None, (english["label"], english["message"], english["next_step"]))).lower()
    assert re.findall(r"\brecording\b|\bpickup\b|been recorded|not recorded|recorded yet", words) == [], words
    if english["next_service"]:
        assert settings.service(english["next_service"]).name_en in english["next_step"]


def test_an_unknown_language_falls_back_to_indonesian():
    assert describe("CARD_SHIPPED", {}, "fr")["label"] == "Dalam pengiriman"


@pytest.mark.parametrize(
    "name, masked",
    [
        ("Budi Santoso", "B*** S******"),
        ("Bambang Sutrisno", "B****** S*******"),
        ("Ani", "A**"),
        ("  siti   nur  ", "s*** n**"),
        ("I Made", "I M***"),
    ],
)
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_the_cached_nik_check_agrees_with_python_stdnum():
    import random

    from stdnum.id import nik as stdnum_nik

    from kiosk.domain.status import InvalidNumber, check_nik

    rng = random.Random(20)
    numbers = [f"{rng.choice(['62', '31', '11', '00', '99'])}{rng.randrange(10**14):014d}" for _ in range(3000)]
    numbers += [
        f"6203{day:02d}{month:02d}{year:02d}0001"
        for day in range(0, 73, 3)
        for month in range(0, 14)
        for year in (0, 4, 90)
    ]
    for number in numbers:
        try:
            ours = check_nik(number) == number
        except InvalidNumber:
            ours = False
        assert ours == (stdnum_nik.is_valid(number) and number[12:] != "0000"), number


def test_an_invalid_number_says_which_number_for_the_log_the_resident_and_the_staff():
    nik = InvalidNumber("invalid_nik", "16 digits are needed, got 3", "harus 16 angka, tertulis 3")
    kk = InvalidNumber("invalid_kk", "serial 0000")
    assert (nik.reason, nik.detail, nik.message) == (
        "NIK: 16 digits are needed, got 3",
        "NIK tidak valid: harus 16 angka, tertulis 3",
        "NIK tidak valid. Periksa kembali 16 angka pada Kartu Keluarga Anda.",
    )
    assert (kk.reason, kk.detail, kk.message) == (
        "KK number: serial 0000",
        "Nomor KK tidak valid.",
        "Nomor KK tidak valid. Periksa kembali 16 angka pada Kartu Keluarga Anda.",
    )


def test_a_record_problem_keeps_its_indonesian_message():
    with pytest.raises(RecordProblem) as refused:
        check_application(
            "6203011708900001", "6203010102150003", "", "1990-08-17", "CARD_SHIPPED", "", date(2026, 11, 25)
        )
    assert (refused.value.code, refused.value.message, refused.value.reason) == (
        "invalid_name",
        "Nama wajib diisi.",
        "name is empty",
    )


AUDIT_DAY = date(2026, 11, 25)


BUDI, SITI_FIRST = "6203011708900001", "6203014101900002"  # a man born 17-08-1990; a woman born 01-01-1990


@pytest.mark.parametrize(
    ("kk", "accepted"),
    [
        ("6203012511260001", True),  # issued today
        ("6203012611260001", False),  # issued tomorrow
        ("6203010102270001", True),  # YY 27 is 1927: the century that is not in the future
        ("6203012902280001", True),  # 29-02-1928 is a real date (1928 was a leap year)
        ("6203013002280001", False),  # 30 February
    ],
)
def test_a_kk_number_is_dated_in_the_right_century_and_not_after_today(kk, accepted):
    if accepted:
        assert check_kk(kk, AUDIT_DAY) == kk
    else:
        with pytest.raises(InvalidNumber):
            check_kk(kk, AUDIT_DAY)


@pytest.mark.parametrize(
    ("number", "check", "reason", "detail"),
    [
        (
            "0003011708900001",
            check_nik,
            "NIK: no province has code 00",
            "NIK tidak valid: tidak ada provinsi berkode 00",
        ),
        (
            "0003010102150001",
            lambda kk: check_kk(kk, AUDIT_DAY),
            "KK number: no province has code 00",
            "Nomor KK tidak valid: tidak ada provinsi berkode 00",
        ),
        (
            "6203013002150001",
            lambda kk: check_kk(kk, AUDIT_DAY),
            "KK number: the issue date DDMMYY is not a real date",
            "Nomor KK tidak valid: tanggal terbit DDMMYY bukan tanggal yang ada",
        ),
        (
            "6203012611260001",
            lambda kk: check_kk(kk, AUDIT_DAY),
            "KK number: the issue date is in the future",
            "Nomor KK tidak valid: tanggal terbit ada di masa depan",
        ),
    ],
)
def test_a_refused_number_says_exactly_why(number, check, reason, detail):
    with pytest.raises(InvalidNumber) as refused:
        check(number)
    assert (refused.value.reason, refused.value.detail) == (reason, detail)


def _refusal(**fields):
    values = {
        "nik": BUDI,
        "kk": "6203010102150003",
        "name": "Budi Santoso",
        "birth_date": "1990-08-17",
        "status": "CARD_SHIPPED",
        "note": "",
        **fields,
    }
    with pytest.raises(RecordProblem) as refused:
        check_application(
            values["nik"],
            values["kk"],
            values["name"],
            values["birth_date"],
            values["status"],
            values["note"],
            AUDIT_DAY,
        )
    return refused.value.code, refused.value.message, refused.value.reason


@pytest.mark.parametrize(
    ("fields", "code", "message", "reason"),
    [
        (
            {"name": "Budi\x07"},
            "invalid_name",
            "Nama berisi karakter yang tidak dapat ditampilkan.",
            "name holds control characters",
        ),
        ({"name": "x" * 101}, "invalid_name", "Nama paling banyak 100 karakter.", "name longer than 100 characters"),
        (
            {"birth_date": "1990/08/17"},
            "invalid_birth_date",
            "Tanggal lahir tidak valid (YYYY-MM-DD atau DD-MM-YYYY).",
            "birth date '1990/08/17' is not a real past date (YYYY-MM-DD or DD-MM-YYYY)",
        ),
        (
            {"birth_date": 19900817},
            "invalid_birth_date",
            "Tanggal lahir tidak valid (YYYY-MM-DD atau DD-MM-YYYY).",
            "birth date '19900817' is not a real past date (YYYY-MM-DD or DD-MM-YYYY)",
        ),
        (
            {"birth_date": "x" * 30},
            "invalid_birth_date",
            "Tanggal lahir tidak valid (YYYY-MM-DD atau DD-MM-YYYY).",
            f"birth date {'x' * 20!r} is not a real past date (YYYY-MM-DD or DD-MM-YYYY)",
        ),
        (
            {"birth_date": "1990-08-18"},
            "invalid_birth_date",
            "Tanggal lahir tidak sesuai dengan NIK.",
            "birth date does not agree with the NIK's date part (women: day + 40)",
        ),
        (
            {"status": "X" * 50},
            "unknown_status",
            "Kode status SIAK tidak dikenal.",
            f"unknown status code {'X' * 40!r}",
        ),
        (
            {"note": "x" * 501},
            "invalid_note",
            "Keterangan paling banyak 500 karakter.",
            "note longer than 500 characters",
        ),
    ],
)
def test_a_refused_record_says_what_is_wrong_in_both_languages(fields, code, message, reason):
    assert _refusal(**fields) == (code, message, reason)


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"name": "x" * 100}, {"name": "x" * 100}),
        ({"note": "x" * 500}, {"note": "x" * 500}),
        ({"note": None}, {"note": ""}),
        ({"birth_date": "17-08-1990"}, {"birth_date": "1990-08-17"}),
        ({"nik": SITI_FIRST, "birth_date": "01-01-1990"}, {"birth_date": "1990-01-01"}),  # a woman: day 41
    ],
)
def test_a_good_record_at_the_edges_is_stored_as_written(fields, stored):
    values = {
        "nik": BUDI,
        "kk": "6203010102150003",
        "name": "Budi Santoso",
        "birth_date": "1990-08-17",
        "status": "CARD_SHIPPED",
        "note": "",
        **fields,
    }
    record = check_application(
        values["nik"], values["kk"], values["name"], values["birth_date"], values["status"], values["note"], AUDIT_DAY
    )
    assert {key: getattr(record, key) for key in stored} == stored


def test_a_birth_date_today_is_taken_and_tomorrow_refused():
    born_today = "6203012511260001"  # a man born 25-11-2026
    assert (
        check_application(
            born_today, "6203010102150003", "Bayi", "2026-11-25", "UNREGISTERED", "", AUDIT_DAY
        ).birth_date
        == "2026-11-25"
    )
    born_tomorrow = "6203012611260001"
    with pytest.raises(RecordProblem):
        check_application(born_tomorrow, "6203010102150003", "Bayi", "2026-11-26", "UNREGISTERED", "", AUDIT_DAY)


def test_a_birth_date_in_another_form_says_which_forms():
    from kiosk.domain.status import parse_birth_date

    with pytest.raises(ValueError) as refused:
        parse_birth_date("17/08/1990")
    assert str(refused.value) == "use YYYY-MM-DD or DD-MM-YYYY"
    assert parse_birth_date(" 07-12-1990 ") == date(1990, 12, 7)


@pytest.mark.parametrize(
    ("value", "code", "reason", "detail"),
    [
        (6203011708900001, "invalid_nik", "NIK: not a text of digits", "NIK tidak valid: harus berupa 16 angka"),
        (
            "62030117089O0001",
            "invalid_nik",
            "NIK: only digits are allowed",
            "NIK tidak valid: hanya boleh berisi angka",
        ),
        (
            "620301170890001",
            "invalid_nik",
            "NIK: 16 digits are needed, got 15",
            "NIK tidak valid: harus 16 angka, tertulis 15",
        ),
        (
            "6203011708900000",
            "invalid_nik",
            "NIK: serial 0000 is never issued",
            "NIK tidak valid: nomor urut 0000 tidak pernah diterbitkan",
        ),
        (
            "6203013208900001",
            "invalid_nik",
            "NIK: the date part DDMMYY (women: day + 40) is not a real date",
            "NIK tidak valid: bagian tanggal lahir DDMMYY (perempuan: tanggal + 40) bukan tanggal yang ada",
        ),
        (None, "invalid_kk", "KK number: not a text of digits", "Nomor KK tidak valid: harus berupa 16 angka"),
        (
            "6203010102150000",
            "invalid_kk",
            "KK number: serial 0000 is never issued",
            "Nomor KK tidak valid: nomor urut 0000 tidak pernah diterbitkan",
        ),
    ],
)
def test_each_impossible_number_has_its_own_reason_and_staff_detail(value, code, reason, detail):
    with pytest.raises(InvalidNumber) as refused:
        check_nik(value) if code == "invalid_nik" else check_kk(value, AUDIT_DAY)
    assert (refused.value.code, refused.value.reason, refused.value.detail) == (code, reason, detail)


def test_a_province_is_read_from_the_first_two_digits():
    assert check_nik("1101011708900001") == "1101011708900001"  # 11 Aceh
    with pytest.raises(InvalidNumber):
        check_nik("1001011708900001")  # no province 10


def test_a_pasted_list_starting_with_a_blank_line_or_holding_dotted_numbers_keeps_every_nik():
    from kiosk.domain.status import split_nik_list

    assert split_nik_list("\n6203011708900001\n6203015708900002") == ["6203011708900001", "6203015708900002"]
    assert split_nik_list("6203.0117.0890.0001 62-03-0157-0890-0002 x") == ["6203011708900001", "6203015708900002", "x"]
