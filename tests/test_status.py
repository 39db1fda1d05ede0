"""KTP-el status rules: validation tables, every SIAK code's advice, masking, and the records' store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import load_settings
from kiosk.paths import packaged_config
from kiosk.storage import status as status_store
from kiosk.storage.db import Database
from tests.unit.test_status import FEMALE, KK, MALE, _record

OTHER_MALE = "6203010305850003"  # born 03-05-1985


def test_status_config_rejects_unknown_keys_and_codes(tmp_path):
    with pytest.raises(ConfigError, match="status.nik_misses_per_hour"):
        load_settings(packaged_config(), {"status.nik_misses_per_hour": 0})
    with pytest.raises(ConfigError, match="status.retention"):
        load_settings(packaged_config(), {"status.retention": 30})
    with pytest.raises(ConfigError, match="status.next_service.READY is not a SIAK status code"):
        load_settings(packaged_config(), {"status.next_service.READY": "AMBIL"})
    with pytest.raises(ConfigError, match="status.kiosk_addresses"):
        load_settings(packaged_config(), {"status.kiosk_addresses": ["kiosk-1"]})
    settings = load_settings(
        packaged_config(), {"status.kiosk_addresses": ["192.168.1.21"], "status.retention_days": 30}
    )
    assert (settings.status.kiosk_addresses, settings.status.retention_days, settings.status.nik_misses_per_hour) == (
        ("192.168.1.21",),
        30,
        5,
    )


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
        "kk_hash": status_store.kk_key(db, KK),
        "name": "Budi Santoso",
        "status": "READY_FOR_PICKUP",
        "note": "blanko datang",
        "updated_at": "2026-11-03T09:00:00+07:00",
        "updated_by": "siti",
    }
    assert [(h["at"], h["by"], h["status"]) for h in status_store.application_history(db, MALE)] == [
        ("2026-11-01T09:00:00+07:00", "import", "CARD_SHIPPED"),
        ("2026-11-03T09:00:00+07:00", "siti", "READY_FOR_PICKUP"),
    ]


def test_history_cannot_be_rewritten(db):
    status_store.save_application(db, _record(), "2026-11-01T09:00:00+07:00", "import")
    with pytest.raises(Exception, match="append-only"):
        db.conn.execute("UPDATE application_history SET status = 'CARD_ISSUED'")


def test_purge_keeps_history_of_unfinished_records_and_recent_entries(db):
    status_store.save_application(db, _record(), "2026-01-01T09:00:00+07:00", "import")
    status_store.save_application(db, _record(nik=FEMALE, status="CARD_SHIPPED"), "2026-01-01T09:00:00+07:00", "import")
    status_store.save_application(db, _record(nik=FEMALE, status="CARD_ISSUED"), "2026-11-20T09:00:00+07:00", "siti")
    status_store.record_lookup(db, "2026-01-02T09:00:00+07:00", "10.0.0.5", "not_found", "ab")
    status_store.record_lookup(db, "2026-11-20T09:00:00+07:00", "10.0.0.5", "found", "cd")
    assert status_store.purge(db, "2026-09-01T00:00:00+07:00") == {"lookups": 1, "records": 0, "history": 1}
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


def test_records_whose_card_was_handed_over_are_purged_after_the_retention(tmp_path, clock):
    """UU PDP 27/2022: a record whose card is in the resident's hands goes after [status] retention_days."""
    from tests.support import make_app

    app = make_app(tmp_path, clock=clock, status__retention_days=30)
    runtime = app.extensions["kiosk"]
    status_store.save_application(
        runtime.db, _record(status="CARD_SHIPPED"), (clock() - timedelta(days=40)).isoformat(), "import"
    )
    status_store.save_application(
        runtime.db, _record(status="CARD_ISSUED"), (clock() - timedelta(days=31)).isoformat(), "siti"
    )
    status_store.save_application(
        runtime.db, _record(nik=FEMALE, status="CARD_ISSUED"), (clock() - timedelta(days=29)).isoformat(), "siti"
    )
    status_store.save_application(
        runtime.db,
        _record(nik=OTHER_MALE, birth_date="1985-05-03", status="READY_FOR_PICKUP"),
        (clock() - timedelta(days=200)).isoformat(),
        "import",
    )
    runtime.housekeep()
    assert status_store.get_application(runtime.db, MALE) is None
    assert status_store.application_history(runtime.db, MALE) == []
    assert status_store.get_application(runtime.db, FEMALE)["status"] == "CARD_ISSUED"
    assert status_store.get_application(runtime.db, OTHER_MALE)["status"] == "READY_FOR_PICKUP"
    count = runtime.db.conn.execute("SELECT count(*) FROM application_history").fetchone()[0]
    assert count == 2
    clock.advance(days=2)
    assert runtime.purge_status_traces()["records"] == 1
    assert status_store.get_application(runtime.db, FEMALE) is None


def test_an_older_database_has_its_numbers_hashed_and_its_birth_dates_dropped_by_migration(tmp_path):
    import sqlite3

    from sqlite_utils import Database as UtilsDatabase

    from kiosk.storage.migrations import migrations

    path = tmp_path / "kiosk.db"
    old = UtilsDatabase(sqlite3.connect(path))
    migrations.apply(old, stop_before="0013_a_status_hashes_and_import_generations")
    old.execute(
        "INSERT INTO applications VALUES (?, ?, 'Budi Santoso', '1990-08-17', 'READY_FOR_PICKUP', 'blanko',"
        " '2026-11-20T10:15:00+07:00', 'import')",
        [MALE, KK],
    )
    old.execute(
        "INSERT INTO application_history (nik, at, by, source, kk, name, birth_date, status, note) VALUES"
        " (?, '2026-11-20T10:15:00+07:00', 'import', 'import', ?, 'Budi Santoso', '1990-08-17',"
        " 'READY_FOR_PICKUP', 'blanko')",
        [MALE, KK],
    )
    old.conn.commit()
    old.conn.close()
    (tmp_path / "kiosk.db.lookup-secret").write_text("a" * 64 + "\n")  # an install's audit log key
    database = Database(path)
    database.migrate()
    assert (tmp_path / "kiosk.db.status-key").read_text().strip() == "a" * 64  # the audit log's hashes still match
    assert not (tmp_path / "kiosk.db.lookup-secret").exists()
    record = status_store.get_application(database, MALE)
    assert (record["status"], record["kk_hash"]) == ("READY_FOR_PICKUP", status_store.kk_key(database, KK))
    assert [h["status"] for h in status_store.application_history(database, MALE)] == ["READY_FOR_PICKUP"]
    dump = "\n".join(database.conn.iterdump())
    assert MALE not in dump and KK not in dump and "1990-08-17" not in dump


def test_an_import_killed_after_it_was_switched_on_keeps_its_records(db):
    """Killed while removing the rows it replaced: the next import finishes that tidying, never undoes it."""
    import io

    from kiosk.files.siak import import_status

    at = "2026-11-25T09:00:00+07:00"
    header = "nik;no_kk;nama;tanggal_lahir;status\n"
    import_status(
        db,
        io.StringIO(header + f"{MALE};{KK};Budi Santoso;1990-08-17;CARD_SHIPPED\n"),
        date(2026, 11, 25),
        at,
        pause_seconds=0,
    )
    changed = status_store.stored(db, _record(status="READY_FOR_PICKUP"))
    second = status_store.begin_import(db, at, "import")
    status_store.stage(db, second, [(2, changed)])
    status_store.apply_staged(db, second, "", changed.nik_hash, at, "import")
    status_store.switch_on(db, second)  # ... and the process is killed here
    assert status_store.get_application(db, MALE)["status"] == "READY_FOR_PICKUP"
    report = import_status(
        db,
        io.StringIO(header + f"{FEMALE};{KK};Siti Aminah;1990-08-17;CARD_SHIPPED\n"),
        date(2026, 11, 25),
        at,
        pause_seconds=0,
    )
    assert report.created == 1
    assert status_store.get_application(db, MALE)["status"] == "READY_FOR_PICKUP"
    assert db.conn.execute("SELECT count(*) FROM applications").fetchone()[0] == 2
    assert db.conn.execute("SELECT count(*) FROM status_import_rows").fetchone()[0] == 0
