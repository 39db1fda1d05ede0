"""KTP-el status rules: validation tables, every SIAK code's advice, masking, and the records' store."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from kiosk import status_store
from kiosk.db import Database
from kiosk.errors import ConfigError
from kiosk.settings import load_settings
from kiosk.paths import packaged_config
from kiosk.status import (READY_FROM, STATUSES, Application, InvalidNumber, RecordProblem, can_become_ready,
                          check_application, check_kk, check_nik, describe, mask_name)

TODAY = date(2026, 11, 29)
MALE = "6203011708900001"  # Kapuas, born 17-08-1990
FEMALE = "6203015708900002"  # day 17 + 40
KK = "6203010102150003"  # issued 01-02-2015


@pytest.mark.parametrize("nik", [MALE, FEMALE, "3171011708450001", "6203010101000001"])
def test_valid_niks_pass(nik):
    assert check_nik(nik) == nik


@pytest.mark.parametrize("nik, reason", [
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
])
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


@pytest.mark.parametrize("kk, reason", [
    ("620301010215000", "got 15"),
    ("62030101021500031", "got 17"),
    ("620301010215000X", "only digits"),
    ("6203013201150001", "not a real date"),  # day 32
    ("6203010113150001", "not a real date"),  # month 13
    ("6203014102150001", "not a real date"),  # no +40 on a KK
    ("0003010102150001", "no province has code 00"),
    ("6203010102150000", "serial 0000"),
    ("6203013011260001", "in the future"),  # 30-11-2026, the day after TODAY
])
def test_impossible_kk_numbers_are_refused_with_the_reason(kk, reason):
    with pytest.raises(InvalidNumber) as caught:
        check_kk(kk, TODAY)
    assert caught.value.code == "invalid_kk"
    assert reason in caught.value.reason


def _record(**fields):
    values = {"nik": MALE, "kk": KK, "name": "Budi Santoso", "birth_date": "1990-08-17", "status": "CARD_SHIPPED",
              "note": "", **fields}
    return check_application(values["nik"], values["kk"], values["name"], values["birth_date"], values["status"],
                             values["note"], TODAY)


def test_a_record_is_normalised():
    assert _record(name="  budi   santoso ", birth_date="17-08-1990", status=" ready_for_pickup ",
                   note=" dari SIAK ") == Application(MALE, KK, "budi santoso", "1990-08-17", "READY_FOR_PICKUP",
                                                      "dari SIAK")


def test_a_womans_birth_date_agrees_with_day_plus_40():
    assert _record(nik=FEMALE, birth_date="1990-08-17").nik == FEMALE


@pytest.mark.parametrize("fields, code, reason", [
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
])
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
    "UNREGISTERED": False, "BIO_CAPTURED": False, "PROCESSING": False, "SENT_FOR_ENROLLMENT": False,
    "RECEIVED_AT_CENTRAL": False, "ADJUDICATE_RECORD": False, "ENROLL_FAILURE_AT_CENTRAL": False,
    "ENROLL_FAILURE_AT_REGIONAL": False, "SEARCH_FAILURE_AT_CENTRAL": False, "DUPLICATE_RECORD": False,
    "PRINT_READY_RECORD": True, "SENT_FOR_CARD_PRINTING": True, "CARD_PRINTED": True, "CARD_SHIPPED": True,
    "READY_FOR_PICKUP": True, "CARD_ISSUED": False,
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


@pytest.mark.parametrize("name, masked", [
    ("Budi Santoso", "B*** S******"), ("Bambang Sutrisno", "B****** S*******"), ("Ani", "A**"),
    ("  siti   nur  ", "s*** n**"), ("I Made", "I M***"),
])
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_status_config_rejects_unknown_keys_and_codes(tmp_path):
    with pytest.raises(ConfigError, match="status.nik_misses_per_hour"):
        load_settings(packaged_config(), {"status.nik_misses_per_hour": 0})
    with pytest.raises(ConfigError, match="status.retention"):
        load_settings(packaged_config(), {"status.retention": 30})
    with pytest.raises(ConfigError, match="status.next_service.READY is not a SIAK status code"):
        load_settings(packaged_config(), {"status.next_service.READY": "AMBIL"})
    with pytest.raises(ConfigError, match="status.kiosk_addresses"):
        load_settings(packaged_config(), {"status.kiosk_addresses": ["kiosk-1"]})
    settings = load_settings(packaged_config(), {"status.kiosk_addresses": ["192.168.1.21"],
                                                 "status.retention_days": 30})
    assert (settings.status.kiosk_addresses, settings.status.retention_days,
            settings.status.nik_misses_per_hour) == (("192.168.1.21",), 30, 5)


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "kiosk.db")
    database.migrate()
    return database


def test_history_records_only_real_changes(db):
    record = _record()
    assert status_store.save_application(db, record, "2026-11-01T09:00:00+07:00", "import") == "created"
    assert status_store.save_application(db, record, "2026-11-02T09:00:00+07:00", "import") == "unchanged"
    changed = _record(status="READY_FOR_PICKUP", note="blanko datang")
    assert status_store.save_application(db, changed, "2026-11-03T09:00:00+07:00", "siti") == "updated"
    assert status_store.get_application(db, MALE) == {
        "nik": MALE, "kk": KK, "name": "Budi Santoso", "birth_date": "1990-08-17", "status": "READY_FOR_PICKUP",
        "note": "blanko datang", "updated_at": "2026-11-03T09:00:00+07:00", "updated_by": "siti"}
    assert [(h["at"], h["by"], h["status"]) for h in status_store.application_history(db, MALE)] == [
        ("2026-11-01T09:00:00+07:00", "import", "CARD_SHIPPED"),
        ("2026-11-03T09:00:00+07:00", "siti", "READY_FOR_PICKUP")]


def test_history_cannot_be_rewritten(db):
    status_store.save_application(db, _record(), "2026-11-01T09:00:00+07:00", "import")
    with pytest.raises(Exception, match="append-only"):
        db.conn.execute("UPDATE application_history SET status = 'CARD_ISSUED'")


def test_purge_keeps_history_of_unfinished_records_and_recent_entries(db):
    status_store.save_application(db, _record(), "2026-01-01T09:00:00+07:00", "import")
    status_store.save_application(db, _record(nik=FEMALE, status="CARD_SHIPPED"), "2026-01-01T09:00:00+07:00",
                                  "import")
    status_store.save_application(db, _record(nik=FEMALE, status="CARD_ISSUED"), "2026-11-20T09:00:00+07:00",
                                  "siti")
    status_store.record_lookup(db, "2026-01-02T09:00:00+07:00", "10.0.0.5", "not_found", "ab")
    status_store.record_lookup(db, "2026-11-20T09:00:00+07:00", "10.0.0.5", "found", "cd")
    assert status_store.purge(db, "2026-09-01T00:00:00+07:00") == {"lookups": 1, "history": 1}
    assert [h["status"] for h in status_store.application_history(db, FEMALE)] == ["CARD_ISSUED"]
    assert [h["status"] for h in status_store.application_history(db, MALE)] == ["CARD_SHIPPED"]
    assert [entry["nik_hmac"] for entry in status_store.lookups(db)] == ["cd"]


def test_housekeeping_keeps_the_retention_without_anyone_running_purge(tmp_path, clock):
    from tests.support import make_app

    app = make_app(tmp_path, clock=clock, status__retention_days=30)
    runtime = app.extensions["kiosk"]
    issued = _record(status="CARD_ISSUED")
    status_store.save_application(runtime.db, _record(), (clock() - timedelta(days=31)).isoformat(), "import")
    status_store.save_application(runtime.db, issued, (clock() - timedelta(days=29)).isoformat(), "siti")
    status_store.record_lookup(runtime.db, (clock() - timedelta(days=31)).isoformat(), "10.0.0.5", "found", "ab")
    status_store.record_lookup(runtime.db, (clock() - timedelta(days=29)).isoformat(), "10.0.0.5", "found", "cd")
    runtime.housekeep()
    assert [entry["nik_hmac"] for entry in status_store.lookups(runtime.db)] == ["cd"]
    assert [h["status"] for h in status_store.application_history(runtime.db, MALE)] == ["CARD_ISSUED"]
