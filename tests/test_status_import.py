"""`kiosk import-status` and `kiosk purge` through click's runner on a real database file."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from tests.test_crash import write_office_config

KK = "6203010102150003"
MIXED = (
    "\ufeffNIK;No_KK;Nama;Tanggal_Lahir;Status;Keterangan\n"
    f"6203011708900001;{KK};Budi Santoso;1990-08-17;READY_FOR_PICKUP;blanko datang\n"  # 2 good, ISO date
    f"6203015708900002;{KK};Siti Aminah;17-08-1990;card_shipped;\n"  # 3 good, DD-MM-YYYY, lower case
    f"620301170890003;{KK};Pendek;1990-08-17;CARD_SHIPPED;\n"  # 4 NIK 15 digits
    f"6203011708900004;{KK};Salah Tanggal;1990-08-18;CARD_SHIPPED;\n"  # 5 date disagrees
    f"6203011708900005;{KK};Tak Dikenal;1990-08-17;LOST_IN_MAIL;\n"  # 6 unknown status
    f"6203011708900001;{KK};Budi Santoso;1990-08-17;READY_FOR_PICKUP;blanko datang\n"  # 7 duplicate of 2
    "\n"  # 8 blank: skipped
    f"6203010101000006;0003010102150001;Nol Provinsi;2000-01-01;UNREGISTERED;\n"  # 9 KK province 00
    f"6203010101000007;{KK};Tanggal Aneh;2000/01/01;UNREGISTERED;\n"  # 10 date format
    f"6203010101000008;{KK};Baris Pendek\n"  # 11 too few fields
    f"6203410101000009;{KK};Ani Lestari;2000-01-01;PROCESSING;\n"  # 12 good, woman
)


@pytest.fixture
def config(tmp_path):
    return str(write_office_config(tmp_path))


def run(config, *args):
    return CliRunner().invoke(main, ["--config", config, *args], catch_exceptions=False)


KNOWN_NIKS = (
    "6203011708900001",
    "6203015708900002",
    "6203410101000009",
    "6203011708900004",
    "6203011708900005",
    "6203010101000006",
    "6203010101000007",
    "6203010101000008",
)


def stored(tmp_path):
    """Every stored record row (all generations) with the hashes turned back into the known numbers."""
    from kiosk.storage import status as status_store
    from kiosk.storage.db import Database

    db = Database(tmp_path / "kiosk.db")
    niks = {status_store.nik_key(db, nik): nik for nik in KNOWN_NIKS}
    kks = {status_store.kk_key(db, KK): KK}
    rows = db.conn.execute("SELECT nik_hash, kk_hash, name, status, note, updated_by FROM applications").fetchall()
    records = sorted((niks.get(row[0], row[0]), kks.get(row[1], row[1]), *tuple(row)[2:]) for row in rows)
    history = db.conn.execute("SELECT count(*) FROM application_history").fetchone()[0]
    db.close()
    return records, history


def test_a_mixed_file_stores_exactly_the_good_rows_and_names_every_bad_one(config, tmp_path):
    csv_file = tmp_path / "siak.csv"
    csv_file.write_text(MIXED, encoding="utf-8")
    result = run(config, "import-status", str(csv_file))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "baris 4: ditolak: NIK tidak valid: harus 16 angka, tertulis 15",
        "baris 5: ditolak: Tanggal lahir tidak sesuai dengan NIK.",
        "baris 6: ditolak: Kode status SIAK tidak dikenal.",
        "baris 7: ditolak: NIK berulang (pertama di baris 2).",
        "baris 9: ditolak: Nomor KK tidak valid: tidak ada provinsi berkode 00",
        "baris 10: ditolak: Tanggal lahir tidak valid (YYYY-MM-DD atau DD-MM-YYYY).",
        "baris 11: ditolak: Hanya 3 kolom, paling sedikit 5 diperlukan.",
        "Diterima: 3 (baru 3, berubah 0, tetap 0)",
        "Ditolak: 7",
    ]
    assert stored(tmp_path) == (
        [
            ("6203011708900001", KK, "Budi Santoso", "READY_FOR_PICKUP", "blanko datang", "import"),
            ("6203015708900002", KK, "Siti Aminah", "CARD_SHIPPED", "", "import"),
            ("6203410101000009", KK, "Ani Lestari", "PROCESSING", "", "import"),
        ],
        3,
    )
    again = run(config, "import-status", str(csv_file))
    assert again.output.splitlines()[-2:] == ["Diterima: 3 (baru 0, berubah 0, tetap 3)", "Ditolak: 7"]
    assert stored(tmp_path)[1] == 3  # re-import: no history rows


def test_comma_separated_without_bom_updates_changed_rows_only(config, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text(
        "nik,no_kk,nama,tanggal_lahir,status\n"
        f"6203011708900001,{KK},Budi Santoso,1990-08-17,CARD_SHIPPED\n"
        f"6203015708900002,{KK},Siti Aminah,1990-08-17,CARD_SHIPPED\n",
        encoding="utf-8",
    )
    assert (
        run(config, "import-status", str(first)).output.splitlines()[-2] == "Diterima: 2 (baru 2, berubah 0, tetap 0)"
    )
    second = tmp_path / "b.csv"
    second.write_text(
        "STATUS,NIK,NO_KK,NAMA,TANGGAL_LAHIR\n"
        f"READY_FOR_PICKUP,6203011708900001,{KK},Budi Santoso,17-08-1990\n"
        f"CARD_SHIPPED,6203015708900002,{KK},Siti Aminah,1990-08-17\n",
        encoding="utf-8",
    )
    assert (
        run(config, "import-status", str(second)).output.splitlines()[-2] == "Diterima: 2 (baru 0, berubah 1, tetap 1)"
    )
    records, history = stored(tmp_path)
    assert [r[3] for r in records] == ["READY_FOR_PICKUP", "CARD_SHIPPED"] and history == 3


@pytest.mark.parametrize(
    "content, problem",
    [
        ("nik;nama;status\n6203011708900001;Budi;CARD_SHIPPED\n", "tidak memuat kolom no_kk, tanggal_lahir"),
        ("", "Berkas kosong"),
    ],
)
def test_a_file_without_the_columns_imports_nothing(config, tmp_path, content, problem):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", config, "import-status", str(csv_file)])
    assert result.exit_code == 1
    assert problem in result.output and "Tidak ada yang diimpor" in result.output


def test_a_file_that_is_not_utf8_imports_nothing(config, tmp_path):
    csv_file = tmp_path / "latin1.csv"
    csv_file.write_bytes(
        (
            "nik;no_kk;nama;tanggal_lahir;status\n"
            f"6203011708900001;{KK};Budi Santoso;1990-08-17;CARD_SHIPPED\n"
            f"6203015708900002;{KK};Siti Aminah Müller;1990-08-17;CARD_SHIPPED\n"
        ).encode("latin-1")
    )
    result = CliRunner().invoke(main, ["--config", config, "import-status", str(csv_file)])
    assert result.exit_code == 1 and "bukan teks UTF-8" in result.output
    assert stored(tmp_path) == ([], 0)


def test_purge_removes_old_audit_entries_and_finished_history(config, tmp_path):
    from kiosk.domain.status import check_application
    from kiosk.storage import status as status_store
    from kiosk.storage.db import Database

    assert run(config, "init").exit_code == 0
    old = (datetime.now().astimezone() - timedelta(days=120)).isoformat(timespec="seconds")
    recent = (datetime.now().astimezone() - timedelta(days=10)).isoformat(timespec="seconds")
    db = Database(tmp_path / "kiosk.db")
    for at in (old, recent):
        status_store.record_lookup(db, at, "10.0.0.5", "found", "x")
    for nik, status, at in (
        ("6203011708900001", "CARD_SHIPPED", old),
        ("6203011708900001", "CARD_ISSUED", recent),
        ("6203015708900002", "CARD_SHIPPED", old),
        ("6203015708900002", "CARD_ISSUED", old),
    ):
        record = check_application(nik, KK, "Budi", "1990-08-17", status, "", date.today())
        status_store.save_application(db, record, at, "siti")
    db.close()
    result = run(config, "purge")
    assert result.output.strip() == (
        "1 catatan audit pencarian dan 1 data yang kartunya sudah diserahkan "
        "(3 catatan riwayat) yang lebih lama dari 90 hari dihapus."
    )
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        assert conn.execute("SELECT at FROM status_lookups").fetchall() == [(recent,)]
        assert conn.execute("SELECT status FROM application_history").fetchall() == [("CARD_ISSUED",)]
        assert conn.execute("SELECT count(*) FROM applications").fetchone() == (1,)


def test_a_large_file_shows_progress_and_imports_every_row(config, tmp_path):
    rows = [
        f"620301{day:02d}0190{serial:04d},{KK},Warga {day} {serial},1990-01-{day:02d},CARD_SHIPPED"
        for day in range(1, 29)
        for serial in range(1, 551)
    ]
    csv_file = tmp_path / "big.csv"
    csv_file.write_text("nik,no_kk,nama,tanggal_lahir,status\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert csv_file.stat().st_size > 1_000_000
    result = run(config, "import-status", str(csv_file))
    assert "Mengimpor" in result.output
    assert result.output.splitlines()[-2:] == ["Diterima: 15400 (baru 15400, berubah 0, tetap 0)", "Ditolak: 0"]


def test_the_demo_office_has_kapuas_records_in_several_statuses(tmp_path):
    from kiosk.cli import DEMO_APPLICATIONS, DEMO_KK, _seed_demo_applications
    from kiosk.storage import status as status_store
    from tests.support import make_app

    app = make_app(tmp_path)
    runtime = app.extensions["kiosk"]
    _seed_demo_applications(runtime)
    _seed_demo_applications(runtime)  # a restart of the demo changes nothing
    niks = [nik for nik, *_ in DEMO_APPLICATIONS]
    records = [status_store.get_application(runtime.db, nik) for nik in niks]
    assert all(record["kk_hash"] == status_store.kk_key(runtime.db, DEMO_KK) for record in records)
    assert len({record["status"] for record in records}) == len(DEMO_APPLICATIONS)
    assert sum(len(status_store.application_history(runtime.db, nik)) for nik in niks) == len(DEMO_APPLICATIONS)
    answer = app.test_client().post("/api/status-lookups", json={"nik": niks[0], "kk": DEMO_KK})
    assert answer.get_json()["status"]["next_service"] == "AMBIL"
    from kiosk.domain.status import check_application

    picked_up = check_application(niks[0], DEMO_KK, "Budi Santoso", "1990-08-17", "CARD_ISSUED", "", date.today())
    status_store.save_application(runtime.db, picked_up, "2026-11-29T10:00:00+07:00", "petugas")
    _seed_demo_applications(runtime)
    assert status_store.get_application(runtime.db, niks[0])["status"] == "CARD_ISSUED"


def test_rows_are_checked_before_the_write_transaction_so_issuing_is_not_held_up(tmp_path):
    """Checking a row is most of an import's time: done under the writer lock it stopped the kiosk for seconds."""
    import io

    from kiosk.files.siak import import_status
    from tests.support import make_app

    app = make_app(tmp_path, printer__type="none")
    db = app.extensions["kiosk"].db
    held_while_checking = []
    report = import_status(
        db,
        io.StringIO(MIXED),
        date(2026, 11, 25),
        "2026-11-25T09:00:00+07:00",
        progress=lambda rows: held_while_checking.append(db._lock.locked()),
    )
    assert len(held_while_checking) == 11 and not any(held_while_checking)
    assert report.accepted == 3 and len(report.rejected) == report.rejected_count == 7
    assert tuple(db.conn.execute("SELECT count(*) FROM applications WHERE updated_by = 'import'").fetchone()) == (3,)


def test_control_characters_in_a_note_are_not_stored(config, tmp_path):
    from kiosk.storage import status as status_store
    from kiosk.storage.db import Database

    csv_file = tmp_path / "siak.csv"
    csv_file.write_text(
        "nik;no_kk;nama;tanggal_lahir;status;keterangan\n"
        f"6203011708900001;{KK};Budi Santoso;1990-08-17;CARD_SHIPPED;"
        "\x1b[2J\x1b[31mblanko\x07 datang\x00\x7f\u200b\n",
        encoding="utf-8",
    )
    assert run(config, "import-status", str(csv_file)).exit_code == 0
    note = status_store.get_application(Database(tmp_path / "kiosk.db"), "6203011708900001")["note"]
    assert note == "[2J[31mblanko datang"


def test_the_database_and_its_backups_hold_no_nik_kk_or_birth_date(config, tmp_path):
    """UU PDP 27/2022: only keyed hashes of the NIK and the nomor KK are kept; no birth date; the key stays home."""
    import os

    csv_file = tmp_path / "siak.csv"
    csv_file.write_text(MIXED, encoding="utf-8")
    assert run(config, "import-status", str(csv_file)).exit_code == 0
    key = tmp_path / "kiosk.db.status-key"
    assert os.stat(key).st_mode & 0o777 == 0o600 and len(key.read_text().strip()) >= 32
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run(config, "backup", str(usb / "copy.db")).exit_code == 0
    assert sorted(path.name for path in usb.iterdir()) == ["copy.db"]
    secret = key.read_text().strip()
    for database in (tmp_path / "kiosk.db", usb / "copy.db"):
        with sqlite3.connect(database) as conn:
            dump = "\n".join(conn.iterdump())
        for clear in (
            "6203011708900001",
            "6203015708900002",
            "6203410101000009",
            KK,
            "1990-08-17",
            "2000-01-01",
            secret,
        ):
            assert clear not in dump, (database.name, clear)
        assert "Budi Santoso" in dump  # names stay (masked on the kiosk's answer)
    assert secret.encode() not in (usb / "copy.db").read_bytes()


# ---------------------------------------------------------------- all or nothing, under faults
# These judge the promise (a file is imported whole or not at all; nobody ever sees half of it), not
# the mechanism: they hold whether the rows go in one transaction or are staged first and then put
# in place together.


def _big_file(path, count: int, status: str, extra: str = "") -> list[str]:
    niks = [f"620301{day:02d}0190{serial:04d}" for day in range(1, 29) for serial in range(1, 1 + count // 28)]
    rows = [f"{nik},{KK},Warga {nik[-6:]},1990-01-{nik[6:8]},{status}" for nik in niks]
    path.write_text("nik,no_kk,nama,tanggal_lahir,status\n" + "\n".join(rows) + "\n" + extra, encoding="utf-8")
    return niks


# What readers see: per NIK hash, the row of the highest generation up to status_state.generation.
_VISIBLE_ROWS = (
    "SELECT nik_hash, name, status, note, updated_at FROM applications AS a WHERE generation = "
    "(SELECT max(b.generation) FROM applications AS b WHERE b.nik_hash = a.nik_hash"
    " AND b.generation <= (SELECT generation FROM status_state)) ORDER BY nik_hash"
)


def _state(tmp_path) -> tuple[list[tuple], int]:
    with sqlite3.connect(tmp_path / "kiosk.db", timeout=10) as conn:
        return (
            conn.execute(_VISIBLE_ROWS).fetchall(),
            conn.execute(
                "SELECT count(*) FROM application_history WHERE generation <= (SELECT generation FROM status_state)"
            ).fetchone()[0],
        )


def _hashed(tmp_path, niks) -> list[str]:
    """The stored (keyed) hashes of ``niks``, sorted as _state sorts its rows."""
    from kiosk.domain.status import hash_nik
    from kiosk.storage.db import Database

    key = Database(tmp_path / "kiosk.db").status_key()
    return sorted(hash_nik(key, nik) for nik in niks)


def test_a_database_failure_on_a_late_row_leaves_every_record_as_it_was(config, tmp_path):
    """The last row of a file fails in the database itself (a trigger stands for a full disk or a bad page)."""
    seed = tmp_path / "seed.csv"
    niks = _big_file(seed, 280, "PROCESSING")
    assert run(config, "import-status", str(seed)).exit_code == 0
    before = _state(tmp_path)
    assert len(before[0]) == 280 and before[1] == 280

    late_nik = "6203012901900001"
    update = tmp_path / "update.csv"
    _big_file(update, 280, "CARD_SHIPPED", extra=f"{late_nik},{KK},Baris Terakhir,1990-01-29,CARD_SHIPPED\n")
    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        late_hash = _hashed(tmp_path, [late_nik])[0]
        conn.execute(
            f"CREATE TRIGGER late_fault BEFORE INSERT ON applications WHEN NEW.nik_hash = '{late_hash}'"
            " BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END"
        )
    result = CliRunner().invoke(main, ["--config", config, "import-status", str(update)])
    assert result.exit_code != 0
    assert _state(tmp_path) == before  # no record changed, no history written

    with sqlite3.connect(tmp_path / "kiosk.db") as conn:
        conn.execute("DROP TRIGGER late_fault")
    assert run(config, "import-status", str(update)).exit_code == 0  # the same file, once the fault is gone
    records, history = _state(tmp_path)
    assert [(nik, status) for nik, _, status, _, _ in records] == [
        (nik, "CARD_SHIPPED") for nik in _hashed(tmp_path, [*niks, late_nik])
    ]
    assert history == 280 + 281


@pytest.mark.slow
def test_an_import_killed_part_way_leaves_the_old_records_or_the_new_never_a_mix(config, tmp_path):
    """kill -9 of `kiosk import-status` as soon as it starts writing: readers and the survivor see 0 or all."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    seed = tmp_path / "seed.csv"
    _big_file(seed, 28 * 20, "PROCESSING")
    assert run(config, "import-status", str(seed)).exit_code == 0
    before = _state(tmp_path)
    update = tmp_path / "update.csv"
    niks = _big_file(update, 28 * 700, "CARD_SHIPPED")  # 19,600 rows: the seed's 560 change, the rest are new

    def new_rows(conn) -> int:
        return sum(status == "CARD_SHIPPED" for _, _, status, _, _ in conn.execute(_VISIBLE_ROWS))

    database = tmp_path / "kiosk.db"
    wal = database.with_name("kiosk.db-wal")
    start_size = wal.stat().st_size if wal.exists() else 0
    reader = sqlite3.connect(database, timeout=10)
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", config, "import-status", str(update)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    seen = set()
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            seen.add(new_rows(reader))
            size = wal.stat().st_size if wal.exists() else 0
            if size > start_size + 256 * 1024 or seen - {0}:  # well into its writing (not start-up): kill it now
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    seen.add(new_rows(reader))
    reader.close()
    assert process.returncode == -signal.SIGKILL, "the import ended before it began to write"
    assert seen <= {0, len(niks)}, f"a reader saw part of an import: {sorted(seen)[:5]}"
    after = _state(tmp_path)
    assert after == before or (
        len(after[0]) == len(niks) and {status for _, _, status, _, _ in after[0]} == {"CARD_SHIPPED"}
    )
    # The office carries on: the same file imports whole afterwards.
    assert run(config, "import-status", str(update)).exit_code == 0
    records, _ = _state(tmp_path)
    assert [(nik, status) for nik, _, status, _, _ in records] == [
        (nik, "CARD_SHIPPED") for nik in _hashed(tmp_path, niks)
    ]


class _Time:
    """A clock the pacer reads and sleeps on: nothing waits, every sleep is recorded."""

    def __init__(self):
        self.now, self.slept = 100.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_the_pause_after_each_import_transaction_counts_the_work_done_meanwhile():
    """After each write transaction the database is left to the server for at least the pause (or as long as the
    transaction took): reading and checking the next rows happen in that time and count towards it."""
    from kiosk.files.siak import _Pacer

    moment = _Time()
    pace = _Pacer(0.03, clock=moment.monotonic, sleep=moment.sleep)
    pace.begin()  # the first transaction waits for nothing
    moment.now += 0.010  # a 10 ms transaction
    pace()
    assert moment.slept == []  # no sleep at the commit itself ...
    committed = moment.now
    moment.now += 0.025  # ... 25 ms of reading and checking rows
    pace.begin()
    assert moment.slept == [0.005] and moment.now - committed >= 0.03  # only what is left of the 30 ms
    moment.now += 0.100  # a slow transaction: the server gets as long again
    pace()
    moment.now += 0.040
    pace.begin()
    assert moment.slept == [0.005, 0.06]
    moment.now += 0.010
    pace()
    moment.now += 0.050  # the rows took longer than the pause: no sleep at all
    pace.begin()
    assert moment.slept == [0.005, 0.06]
