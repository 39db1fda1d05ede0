"""Staff KTP-el status work through the HTTP API: find a record, change its status, a batch of cards, SIAK upload."""

from __future__ import annotations

import io
import logging

import pytest

from kiosk.domain.status import check_application, split_nik_list
from kiosk.files.siak import import_status
from kiosk.storage import status as status_store
from tests.support import make_app
from tests.test_status_import import MIXED

KK = "6203010102150003"
BUDI = "6203011708900001"  # a man born 17-08-1990
SITI = "6203015708900002"  # a woman born 17-08-1990
AGUS = "6203010305850003"  # a man born 03-05-1985
DEWI = "6203016112000004"  # a woman born 21-12-2000
NOBODY = "6203012004080005"  # valid, no record
SEEDED_AT = "2026-11-20T10:15:00+07:00"
NOW = "2026-11-25T09:00:00+07:00"  # the test clock


def seed(app, nik: str, name: str, born: str, status: str, note: str = "") -> None:
    runtime = app.extensions["kiosk"]
    record = check_application(nik, KK, name, born, status, note, runtime.now().date())
    status_store.save_application(runtime.db, record, SEEDED_AT, "import", "import")


@pytest.fixture
def records(app):
    seed(app, BUDI, "Budi Santoso", "1990-08-17", "CARD_SHIPPED", "dikirim dari kabupaten")
    seed(app, SITI, "Siti Aminah", "1990-08-17", "READY_FOR_PICKUP", "blanko datang 20-11")
    seed(app, AGUS, "Agus Salim", "1985-05-03", "PRINT_READY_RECORD")
    seed(app, DEWI, "Dewi Lestari", "2000-12-21", "CARD_PRINTED")
    return app.extensions["kiosk"].db


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    answer = client.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
    assert answer.status_code == 200
    return client, {"X-CSRF-Token": answer.get_json()["csrf_token"]}


def error(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def history(db, nik: str) -> list[tuple]:
    return [(h["at"], h["by"], h["source"], h["status"], h["note"]) for h in status_store.application_history(db, nik)]


# ---------------------------------------------------------------- find a record


def test_staff_find_a_record_by_nik_in_the_body_with_its_history(staff_client, records):
    client, headers = staff_client
    found = client.post("/api/applications/search", json={"nik": "620301 170890 0001"}, headers=headers)
    assert found.status_code == 200
    assert found.get_json() == {
        "application": {
            "nik": BUDI,
            "name": "Budi Santoso",
            "status": "CARD_SHIPPED",
            "note": "dikirim dari kabupaten",
            "updated_at": SEEDED_AT,
            "updated_by": "import",
        },
        "history": [
            {
                "at": SEEDED_AT,
                "by": "import",
                "source": "import",
                "status": "CARD_SHIPPED",
                "note": "dikirim dari kabupaten",
                "details_changed": False,
            }
        ],
    }


def test_every_staff_search_is_audited_by_name_with_the_nik_kept_only_as_a_keyed_hash(app, staff_client, records):
    """Reading a resident's record is audited like a change: who, when, from where, found or not."""
    from kiosk.web.status import nik_hash

    client, headers = staff_client
    assert client.post("/api/applications/search", json={"nik": BUDI}, headers=headers).status_code == 200
    assert client.post("/api/applications/search", json={"nik": NOBODY}, headers=headers).status_code == 404
    with app.app_context():
        expected = [nik_hash(BUDI), nik_hash(NOBODY)]
    entries = status_store.lookups(records)
    assert [(e["outcome"], e["nik_hmac"], e["staff"]) for e in entries] == [
        ("staff_found", expected[0], "petugas"),
        ("staff_not_found", expected[1], "petugas"),
    ]
    stored = records.conn.execute("SELECT * FROM status_lookups").fetchall()
    assert not any(BUDI in str(value) or NOBODY in str(value) for row in stored for value in tuple(row))


@pytest.mark.parametrize(
    "body, status, code, message",
    [
        ({"nik": NOBODY}, 404, "not_found", "Belum ada data status KTP-el untuk NIK ini."),
        ({"nik": "620301170890001"}, 400, "invalid_nik", "NIK tidak valid: harus 16 angka, tertulis 15"),
        ({"nik": "6203011708900000"}, 400, "invalid_nik", "NIK tidak valid: nomor urut 0000 tidak pernah diterbitkan"),
        (
            {"nik": "6203013208900001"},
            400,
            "invalid_nik",
            "NIK tidak valid: bagian tanggal lahir DDMMYY (perempuan: tanggal + 40) bukan tanggal yang ada",
        ),
        ({"nik": 6203011708900001}, 400, "invalid_nik", "NIK tidak valid: harus berupa 16 angka"),
        ({}, 400, "invalid_nik", "NIK tidak valid: harus berupa 16 angka"),
    ],
)
def test_a_search_that_cannot_find_says_why_in_indonesian(staff_client, records, body, status, code, message):
    client, headers = staff_client
    answer = client.post("/api/applications/search", json=body, headers=headers)
    assert (answer.status_code, answer.get_json()) == (status, {"error": {"code": code, "message": message}})


def test_the_staff_routes_need_a_login_and_the_csrf_header(client, records):
    for path, body in (
        ("/api/applications/search", {"nik": BUDI}),
        ("/api/applications/status", {"nik": BUDI, "status": "CARD_ISSUED"}),
        ("/api/applications/ready", {"niks": BUDI}),
    ):
        assert error(client.post(path, json=body)) == (401, "login_required")
    client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    for path, body in (
        ("/api/applications/search", {"nik": BUDI}),
        ("/api/applications/status", {"nik": BUDI, "status": "CARD_ISSUED"}),
        ("/api/applications/ready", {"niks": BUDI}),
    ):
        assert error(client.post(path, json=body)) == (403, "csrf_failed")
    assert status_store.get_application(records, BUDI)["status"] == "CARD_SHIPPED"


# ---------------------------------------------------------------- change one record


def test_staff_change_a_status_with_a_note_and_the_history_says_who_and_when(staff_client, records):
    client, headers = staff_client
    changed = client.post(
        "/api/applications/status",
        headers=headers,
        json={"nik": BUDI, "status": "ready_for_pickup", "note": "  kartu   sampai "},
    )
    assert changed.status_code == 200
    answer = changed.get_json()
    assert answer["change"] == "updated"
    assert answer["application"] == {
        "nik": BUDI,
        "name": "Budi Santoso",
        "status": "READY_FOR_PICKUP",
        "note": "kartu sampai",
        "updated_at": NOW,
        "updated_by": "petugas",
    }
    assert [(h["by"], h["status"], h["note"]) for h in answer["history"]] == [
        ("import", "CARD_SHIPPED", "dikirim dari kabupaten"),
        ("petugas", "READY_FOR_PICKUP", "kartu sampai"),
    ]
    again = client.post(
        "/api/applications/status",
        headers=headers,
        json={"nik": BUDI, "status": "READY_FOR_PICKUP", "note": "kartu sampai"},
    )
    assert again.get_json()["change"] == "unchanged"
    assert history(records, BUDI) == [
        (SEEDED_AT, "import", "import", "CARD_SHIPPED", "dikirim dari kabupaten"),
        (NOW, "petugas", "staff", "READY_FOR_PICKUP", "kartu sampai"),
    ]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"nik": NOBODY, "status": "CARD_ISSUED"}, 404, "not_found"),
        ({"nik": BUDI, "status": "LOST_IN_MAIL"}, 400, "unknown_status"),
        ({"nik": BUDI}, 400, "unknown_status"),
        ({"nik": BUDI, "status": "CARD_ISSUED", "note": "x" * 501}, 400, "invalid_note"),
        ({"nik": BUDI, "status": "CARD_ISSUED", "note": 5}, 400, "invalid_note"),
        ({"nik": "62030117089000011", "status": "CARD_ISSUED"}, 400, "invalid_nik"),
    ],
)
def test_a_refused_change_stores_nothing(staff_client, records, body, status, code):
    client, headers = staff_client
    answer = client.post("/api/applications/status", json=body, headers=headers)
    assert error(answer) == (status, code)
    assert answer.get_json()["error"]["message"]
    assert history(records, BUDI) == [(SEEDED_AT, "import", "import", "CARD_SHIPPED", "dikirim dari kabupaten")]
    assert status_store.get_application(records, NOBODY) is None


def test_the_spec_put_still_creates_and_changes_records(staff_client, records):
    client, headers = staff_client
    body = {"kk": KK, "name": "Rizky Pratama", "birth_date": "2008-04-20", "status": "UNREGISTERED", "note": ""}
    assert client.put(f"/api/applications/{NOBODY}", json=body, headers=headers).status_code == 201
    found = client.post("/api/applications/search", json={"nik": NOBODY}, headers=headers).get_json()
    assert (found["application"]["status"], len(found["history"])) == ("UNREGISTERED", 1)


# ---------------------------------------------------------------- a batch of cards arrives


def test_a_pasted_list_is_split_into_niks():
    text = (
        f"{BUDI}\n  620301 570890 0002 \r\n{AGUS}, {DEWI};{NOBODY}\n\n6203-0117-0890-0001\n{BUDI} {SITI}\nbukan nik\n"
    )
    assert split_nik_list(text) == [BUDI, SITI, AGUS, DEWI, NOBODY, BUDI, BUDI, SITI, "bukan", "nik"]
    assert split_nik_list(" \n ,; \n") == []


def test_a_batch_sets_ready_for_pickup_and_reports_every_line(staff_client, records):
    client, headers = staff_client
    pasted = "\n".join(
        [BUDI, SITI, "620301 030585 0003", NOBODY, "620301570890000", "6203013208900001", BUDI, DEWI, ""]
    )
    answer = client.post(
        "/api/applications/ready", json={"niks": pasted, "note": "kiriman blanko 25-11"}, headers=headers
    )
    assert answer.status_code == 200
    assert answer.get_json() == {
        "status": "READY_FOR_PICKUP",
        "counts": {"updated": 3, "already_ready": 1, "not_ready_state": 0, "unknown": 1, "invalid": 2, "duplicate": 1},
        "lines": [
            {"no": 1, "nik": BUDI, "outcome": "updated", "message": "Diubah menjadi siap diambil."},
            {
                "no": 2,
                "nik": SITI,
                "outcome": "already_ready",
                "message": "Sudah siap diambil sebelumnya; tidak diubah.",
            },
            {"no": 3, "nik": AGUS, "outcome": "updated", "message": "Diubah menjadi siap diambil."},
            {"no": 4, "nik": NOBODY, "outcome": "unknown", "message": "NIK ini belum ada di data status KTP-el."},
            {
                "no": 5,
                "nik": "620301570890000",
                "outcome": "invalid",
                "message": "NIK tidak valid: harus 16 angka, tertulis 15",
            },
            {
                "no": 6,
                "nik": "6203013208900001",
                "outcome": "invalid",
                "message": "NIK tidak valid: bagian tanggal lahir DDMMYY (perempuan: tanggal + 40) bukan tanggal yang "
                "ada",
            },
            {"no": 7, "nik": BUDI, "outcome": "duplicate", "message": "Sudah tercantum di nomor 1; diproses sekali."},
            {"no": 8, "nik": DEWI, "outcome": "updated", "message": "Diubah menjadi siap diambil."},
        ],
    }
    stored = [status_store.get_application(records, nik) for nik in (BUDI, SITI, AGUS, DEWI)]
    assert [(r["status"], r["note"], r["updated_at"], r["updated_by"]) for r in stored] == [
        ("READY_FOR_PICKUP", "kiriman blanko 25-11", NOW, "petugas"),
        ("READY_FOR_PICKUP", "blanko datang 20-11", SEEDED_AT, "import"),  # already ready: left as it was
        ("READY_FOR_PICKUP", "kiriman blanko 25-11", NOW, "petugas"),
        ("READY_FOR_PICKUP", "kiriman blanko 25-11", NOW, "petugas"),
    ]
    assert history(records, BUDI) == [
        (SEEDED_AT, "import", "import", "CARD_SHIPPED", "dikirim dari kabupaten"),
        (NOW, "petugas", "staff", "READY_FOR_PICKUP", "kiriman blanko 25-11"),
    ]
    assert history(records, SITI) == [(SEEDED_AT, "import", "import", "READY_FOR_PICKUP", "blanko datang 20-11")]
    assert status_store.get_application(records, NOBODY) is None
    # The same batch again changes nothing.
    again = client.post(
        "/api/applications/ready", json={"niks": pasted, "note": "kiriman blanko 25-11"}, headers=headers
    ).get_json()["counts"]
    assert again == {"updated": 0, "already_ready": 4, "not_ready_state": 0, "unknown": 1, "invalid": 2, "duplicate": 1}
    assert len(history(records, BUDI)) == 2


WAHYU = "6203010101800005"  # a man born 01-01-1980
RINA = "6203014203950006"  # a woman born 02-03-1995
EKO = "6203011011700007"  # a man born 10-11-1970


def test_a_batch_refuses_records_whose_card_cannot_exist_naming_their_status(staff_client, records):
    client, headers = staff_client
    seed(client.application, WAHYU, "Wahyu Hidayat", "1980-01-01", "UNREGISTERED", "belum rekam")
    seed(client.application, RINA, "Rina Wati", "1995-03-02", "ENROLL_FAILURE_AT_CENTRAL")
    seed(client.application, EKO, "Eko Prasetyo", "1970-11-10", "CARD_ISSUED")
    answer = client.post(
        "/api/applications/ready", json={"niks": [WAHYU, BUDI, RINA, EKO], "note": "kiriman"}, headers=headers
    ).get_json()
    assert answer["counts"] == {
        "updated": 1,
        "already_ready": 0,
        "not_ready_state": 3,
        "unknown": 0,
        "invalid": 0,
        "duplicate": 0,
    }
    assert answer["lines"] == [
        {
            "no": 1,
            "nik": WAHYU,
            "outcome": "not_ready_state",
            "current_status": "UNREGISTERED",
            "message": "Status saat ini Belum rekam (UNREGISTERED): kartu belum dapat ada di kantor; tidak diubah.",
        },
        {"no": 2, "nik": BUDI, "outcome": "updated", "message": "Diubah menjadi siap diambil."},
        {
            "no": 3,
            "nik": RINA,
            "outcome": "not_ready_state",
            "current_status": "ENROLL_FAILURE_AT_CENTRAL",
            "message": "Status saat ini Perlu rekam ulang (ENROLL_FAILURE_AT_CENTRAL): kartu belum dapat ada di "
            "kantor; tidak diubah.",
        },
        {
            "no": 4,
            "nik": EKO,
            "outcome": "not_ready_state",
            "current_status": "CARD_ISSUED",
            "message": "Status saat ini Sudah diterima (CARD_ISSUED): kartu belum dapat ada di kantor; tidak diubah.",
        },
    ]
    assert [status_store.get_application(records, nik)["status"] for nik in (WAHYU, BUDI, RINA, EKO)] == [
        "UNREGISTERED",
        "READY_FOR_PICKUP",
        "ENROLL_FAILURE_AT_CENTRAL",
        "CARD_ISSUED",
    ]
    assert status_store.get_application(records, WAHYU)["note"] == "belum rekam"
    assert [len(history(records, nik)) for nik in (WAHYU, RINA, EKO)] == [1, 1, 1]


def _serve_pickup(app, client, headers, service="AMBIL"):
    """Issue a ticket of ``service`` and have Loket 2 call and serve it; return the ticket."""
    issued = client.post("/api/tickets", json={"service": service}, headers=headers)
    assert issued.status_code == 201
    called = client.post("/api/counters/2/next", headers=headers).get_json()["ticket"]
    assert client.post(f"/api/tickets/{called['id']}/serve", headers=headers).status_code == 200
    return called


def test_a_served_pickup_ticket_hands_the_card_over(staff_client, records):
    client, headers = staff_client
    ticket = _serve_pickup(client.application, client, headers)
    answer = client.post(
        "/api/applications/handover", json={"nik": "620301 570890 0002", "ticket": ticket["id"]}, headers=headers
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["change"], body["ticket"], body["application"]["status"]) == ("updated", "C-001", "CARD_ISSUED")
    assert history(records, SITI)[-1] == (
        NOW,
        "petugas",
        "staff",
        "CARD_ISSUED",
        "Diserahkan kepada pemilik, antrean C-001.",
    )
    # Handed over once: the same card cannot be handed over again.
    again = client.post("/api/applications/handover", json={"nik": SITI, "ticket": ticket["id"]}, headers=headers)
    assert (again.status_code, again.get_json()["error"]) == (
        409,
        {
            "code": "not_ready_state",
            "message": "KTP-el ini belum siap diambil: status saat ini Sudah diterima (CARD_ISSUED). Tidak diubah.",
        },
    )


def test_a_handover_is_refused_for_a_card_not_ready_or_a_ticket_not_for_pickup(staff_client, records):
    client, headers = staff_client
    ticket = _serve_pickup(client.application, client, headers)
    answer = client.post("/api/applications/handover", json={"nik": BUDI, "ticket": ticket["id"]}, headers=headers)
    assert error(answer) == (409, "not_ready_state")
    assert status_store.get_application(records, BUDI)["status"] == "CARD_SHIPPED"
    assert error(
        client.post("/api/applications/handover", json={"nik": NOBODY, "ticket": ticket["id"]}, headers=headers)
    ) == (404, "not_found")
    assert error(client.post("/api/applications/handover", json={"nik": SITI}, headers=headers)) == (400, "bad_request")
    assert client.post(f"/api/tickets/{ticket['id']}/done", headers=headers).status_code == 200
    assert error(
        client.post("/api/applications/handover", json={"nik": SITI, "ticket": ticket["id"]}, headers=headers)
    ) == (409, "bad_transition")
    info = _serve_pickup(client.application, client, headers, service="INFO")
    assert error(
        client.post("/api/applications/handover", json={"nik": SITI, "ticket": info["id"]}, headers=headers)
    ) == (409, "not_pickup_ticket")
    assert status_store.get_application(records, SITI)["status"] == "READY_FOR_PICKUP"


def test_a_batch_as_a_list_of_niks(staff_client, records):
    client, headers = staff_client
    answer = client.post("/api/applications/ready", json={"niks": [AGUS, " 620301 611200 0004 "]}, headers=headers)
    assert answer.get_json()["counts"] == {
        "updated": 2,
        "already_ready": 0,
        "not_ready_state": 0,
        "unknown": 0,
        "invalid": 0,
        "duplicate": 0,
    }
    assert status_store.get_application(records, DEWI)["note"] == ""


def test_a_batch_is_one_transaction_a_fault_midway_changes_nothing(staff_client, records, caplog):
    client, headers = staff_client
    records.conn.execute(  # a real fault on the third record's history row
        f"CREATE TRIGGER fail_third BEFORE INSERT ON application_history WHEN NEW.nik_hash = '{status_store.nik_key(records, DEWI)}'"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with caplog.at_level(logging.INFO):
        answer = client.post("/api/applications/ready", json={"niks": [BUDI, AGUS, DEWI]}, headers=headers)
    assert error(answer) == (500, "internal_error")
    assert [status_store.get_application(records, nik)["status"] for nik in (BUDI, AGUS, DEWI)] == [
        "CARD_SHIPPED",
        "PRINT_READY_RECORD",
        "CARD_PRINTED",
    ]
    assert [len(history(records, nik)) for nik in (BUDI, AGUS, DEWI)] == [1, 1, 1]
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("kiosk")]
    assert lines == ["unexpected IntegrityError on POST /api/applications/ready"]


@pytest.mark.parametrize(
    "body, code, message",
    [
        ({"niks": " \n , "}, "empty_batch", "Tempelkan paling sedikit satu NIK."),
        ({"niks": []}, "empty_batch", "Tempelkan paling sedikit satu NIK."),
        ({}, "bad_request", "Kirim daftar NIK (field 'niks': teks atau daftar)."),
        ({"niks": [BUDI, 5]}, "bad_request", "Kirim daftar NIK (field 'niks': teks atau daftar)."),
        (
            {"niks": "\n".join([BUDI] * 2001)},
            "batch_too_large",
            "Paling banyak 2000 NIK sekali proses; daftar ini berisi 2001.",
        ),
        ({"niks": BUDI, "note": "x" * 501}, "invalid_note", "Keterangan paling banyak 500 karakter."),
    ],
)
def test_a_batch_that_cannot_run_is_refused_whole(staff_client, records, body, code, message):
    client, headers = staff_client
    answer = client.post("/api/applications/ready", json=body, headers=headers)
    assert (answer.status_code, answer.get_json()) == (400, {"error": {"code": code, "message": message}})
    assert status_store.get_application(records, BUDI)["status"] == "CARD_SHIPPED"


# ---------------------------------------------------------------- SIAK upload (admin)


def upload(client, headers, content: bytes, name: str = "siak.csv"):
    return client.post(
        "/api/admin/status-import",
        headers=headers,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_an_admin_upload_reports_the_same_as_the_command_line_importer(admin_client, app, tmp_path, clock):
    client, headers = admin_client
    answer = upload(client, headers, MIXED.encode("utf-8"))
    assert answer.status_code == 200
    report = answer.get_json()
    # The command-line importer on another database, same file, same day.
    other = make_app(tmp_path / "cli", clock=clock)
    try:
        cli = import_status(other.extensions["kiosk"].db, io.StringIO(MIXED, newline=""), clock().date(), NOW)
    finally:
        other.extensions["kiosk"].stop()
    assert (
        (report["accepted"], report["created"], report["updated"], report["unchanged"])
        == (cli.accepted, cli.created, cli.updated, cli.unchanged)
        == (3, 3, 0, 0)
    )
    assert [(r["row"], r["reason"]) for r in report["rejected"]] == cli.rejected
    assert report["rejected_count"] == 7
    assert [(r["row"], r["message"]) for r in report["rejected"]] == [
        (4, "NIK tidak valid: harus 16 angka, tertulis 15"),
        (5, "Tanggal lahir tidak sesuai dengan NIK."),
        (6, "Kode status SIAK tidak dikenal."),
        (7, "NIK berulang (pertama di baris 2)."),
        (9, "Nomor KK tidak valid: tidak ada provinsi berkode 00"),
        (10, "Tanggal lahir tidak valid (YYYY-MM-DD atau DD-MM-YYYY)."),
        (11, "Hanya 3 kolom, paling sedikit 5 diperlukan."),
    ]
    db = app.extensions["kiosk"].db
    niks = {status_store.nik_key(db, nik): nik for nik in (BUDI, SITI, "6203410101000009")}
    stored = db.conn.execute(
        "SELECT nik_hash, kk_hash, name, status, note, updated_at, updated_by FROM applications"
    ).fetchall()
    assert sorted((niks[row[0]], *tuple(row)[1:]) for row in stored) == [
        (BUDI, status_store.kk_key(db, KK), "Budi Santoso", "READY_FOR_PICKUP", "blanko datang", NOW, "kepala"),
        (SITI, status_store.kk_key(db, KK), "Siti Aminah", "CARD_SHIPPED", "", NOW, "kepala"),
        ("6203410101000009", status_store.kk_key(db, KK), "Ani Lestari", "PROCESSING", "", NOW, "kepala"),
    ]
    assert history(db, BUDI) == [(NOW, "kepala", "import", "READY_FOR_PICKUP", "blanko datang")]
    again = upload(client, headers, MIXED.encode("utf-8")).get_json()
    assert (again["accepted"], again["created"], again["unchanged"], again["rejected_count"]) == (3, 0, 3, 7)
    assert db.conn.execute("SELECT count(*) FROM application_history").fetchone()[0] == 3


def test_counter_staff_and_anonymous_cannot_upload(client, staff_client, records):
    counter, headers = staff_client
    assert error(upload(counter, headers, MIXED.encode())) == (403, "forbidden")
    assert error(upload(client.application.test_client(), {}, MIXED.encode())) == (401, "login_required")
    assert status_store.count_applications(records) == 4


@pytest.mark.parametrize(
    "content, code, message",
    [
        (
            b"nik;nama;status\n6203011708900001;Budi;CARD_SHIPPED\n",
            "bad_import",
            "Baris judul tidak memuat kolom no_kk, tanggal_lahir (wajib: nik, no_kk, nama, tanggal_lahir, status; "
            "boleh: keterangan).",
        ),
        (b"", "bad_import", "Berkas kosong: baris judul kolom diperlukan."),
        (
            (
                "nik;no_kk;nama;tanggal_lahir;status\n"
                f"{BUDI};{KK};Budi Santoso;1990-08-17;CARD_SHIPPED\n"
                f"{SITI};{KK};Siti Aminah Müller;1990-08-17;CARD_SHIPPED\n"
            ).encode("latin-1"),
            "bad_import",
            "Berkas bukan teks UTF-8. Ekspor ulang dari SIAK sebagai CSV UTF-8.",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe",
            "bad_import",
            "Berkas bukan teks UTF-8. Ekspor ulang dari SIAK sebagai CSV UTF-8.",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_stores_nothing(admin_client, app, content, code, message):
    client, headers = admin_client
    answer = upload(client, headers, content)
    assert (answer.status_code, answer.get_json()) == (400, {"error": {"code": code, "message": message}})
    assert status_store.count_applications(app.extensions["kiosk"].db) == 0


def test_an_upload_without_a_file_is_refused(admin_client):
    client, headers = admin_client
    answer = client.post("/api/admin/status-import", headers=headers, data={}, content_type="multipart/form-data")
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (400, "no_file")
    assert error(client.post("/api/admin/status-import", headers=headers, json={"file": MIXED})) == (400, "no_file")


def test_an_upload_over_the_size_limit_gets_413_in_the_spec_shape(admin_client, app):
    client, headers = admin_client
    app.config["STATUS_IMPORT_MAX_BYTES"] = 2 * 1024 * 1024
    big = "nik;no_kk;nama;tanggal_lahir;status\n" + f"{BUDI};{KK};Budi Santoso;1990-08-17;CARD_SHIPPED\n" * 40000
    assert len(big) > 2 * 1024 * 1024
    answer = upload(client, headers, big.encode())
    assert (answer.status_code, answer.get_json()) == (
        413,
        {
            "error": {
                "code": "payload_too_large",
                "message": "Berkas terlalu besar (paling besar 2 MB). Bagi berkas menjadi beberapa bagian.",
            }
        },
    )
    assert status_store.count_applications(app.extensions["kiosk"].db) == 0
    # Larger than the app's limit for other requests (256 KB), within the upload's: imported.
    fits = "nik;no_kk;nama;tanggal_lahir;status\n" + "".join(
        f"620301{day:02d}0190{serial:04d};{KK};Warga {day} {serial};1990-01-{day:02d};CARD_SHIPPED\n"
        for day in range(1, 29)
        for serial in range(1, 201)
    )
    assert 256 * 1024 < len(fits) < 2 * 1024 * 1024
    report = upload(client, headers, fits.encode()).get_json()
    assert (report["accepted"], report["rejected_count"]) == (5600, 0)


def test_no_nik_kk_or_name_reaches_the_log(staff_client, admin_client, records, caplog):
    client, headers = staff_client
    admin, admin_headers = admin_client
    with caplog.at_level(logging.DEBUG):
        client.post("/api/applications/search", json={"nik": BUDI}, headers=headers)
        client.post("/api/applications/search", json={"nik": NOBODY}, headers=headers)
        client.post("/api/applications/status", json={"nik": BUDI, "status": "CARD_ISSUED"}, headers=headers)
        client.post("/api/applications/ready", json={"niks": f"{AGUS}\n{NOBODY}\n123"}, headers=headers)
        upload(admin, admin_headers, MIXED.encode())
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (BUDI, AGUS, NOBODY, KK, "Budi", "Agus"):
        assert secret not in text


def test_control_characters_in_a_staff_note_are_not_stored(staff_client, records):
    client, headers = staff_client
    changed = client.post(
        "/api/applications/status",
        headers=headers,
        json={"nik": BUDI, "status": "READY_FOR_PICKUP", "note": "kartu\x1b[5m\x07 sampai\x00"},
    )
    assert changed.status_code == 200
    assert status_store.get_application(records, BUDI)["note"] == "kartu[5m sampai"
    batch = client.post("/api/applications/ready", headers=headers, json={"niks": [AGUS], "note": "\x1bblanko\x08"})
    assert batch.status_code == 200
    assert status_store.get_application(records, AGUS)["note"] == "blanko"


# ---------------------------------------------------------------- every staff read is audited and limited


def test_every_staff_read_of_a_record_is_audited_batch_change_and_put_included(app, staff_client, records):
    from kiosk.web.status import nik_hash

    client, headers = staff_client
    batch = client.post("/api/applications/ready", headers=headers, json={"niks": [BUDI, SITI, NOBODY, "123"]})
    assert batch.status_code == 200
    assert (
        client.post(
            "/api/applications/status", headers=headers, json={"nik": AGUS, "status": "CARD_PRINTED"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/applications/status", headers=headers, json={"nik": NOBODY, "status": "CARD_PRINTED"}
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"/api/applications/{DEWI}",
            headers=headers,
            json={"kk": KK, "name": "Dewi Lestari", "birth_date": "2000-12-21", "status": "CARD_PRINTED"},
        ).status_code
        == 200
    )
    with app.app_context():
        keys = {
            nik_hash(nik): name
            for nik, name in ((BUDI, "BUDI"), (SITI, "SITI"), (AGUS, "AGUS"), (DEWI, "DEWI"), (NOBODY, "NOBODY"))
        }
    entries = [(keys.get(e["nik_hmac"]), e["outcome"], e["staff"]) for e in status_store.lookups(records)]
    assert entries == [
        ("BUDI", "staff_ready_updated", "petugas"),
        ("SITI", "staff_ready_already_ready", "petugas"),
        ("NOBODY", "staff_ready_unknown", "petugas"),
        ("AGUS", "staff_change_found", "petugas"),
        ("NOBODY", "staff_change_not_found", "petugas"),
        ("DEWI", "staff_put", "petugas"),
    ]


def test_staff_searches_are_limited_per_user(tmp_path, clock):
    from tests.support import add_staff, make_app

    app = make_app(tmp_path, clock=clock, status__staff_searches_per_hour=3)
    add_staff(app)
    add_staff(app, "kedua", "rahasia-Loket2")
    seed(app, BUDI, "Budi Santoso", "1990-08-17", "CARD_SHIPPED")
    try:
        first, second = app.test_client(), app.test_client()
        headers = {
            "X-CSRF-Token": first.post(
                "/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}
            ).get_json()["csrf_token"]
        }
        other = {
            "X-CSRF-Token": second.post(
                "/api/login", json={"username": "kedua", "password": "rahasia-Loket2"}
            ).get_json()["csrf_token"]
        }
        statuses = [
            first.post("/api/applications/search", json={"nik": nik}, headers=headers).status_code
            for nik in (BUDI, NOBODY, SITI)
        ]
        assert statuses == [200, 404, 404]
        limited = first.post("/api/applications/search", json={"nik": BUDI}, headers=headers)
        assert error(limited) == (429, "rate_limited")
        assert "Terlalu banyak" in limited.get_json()["error"]["message"]
        assert 1 <= int(limited.headers["Retry-After"]) <= 3600
        batch = first.post("/api/applications/ready", json={"niks": [BUDI]}, headers=headers)
        assert error(batch) == (429, "rate_limited")
        assert second.post("/api/applications/search", json={"nik": BUDI}, headers=other).status_code == 200
        clock.advance(hours=1, seconds=1)
        assert first.post("/api/applications/search", json={"nik": BUDI}, headers=headers).status_code == 200
    finally:
        app.extensions["kiosk"].stop()


# ---------------------------------------------------------------- the name's length limit, both sides

NAME_100 = ("Sekar Ayu " * 10)[:99] + "h"  # ten words, exactly 100 characters
NAME_101 = NAME_100 + "b"
# Runs of spaces fold to one before the limit: 101 typed characters that fold to 100 are accepted.
NAME_FOLDS_TO_100 = NAME_100.replace(" ", "  ", 1)


def test_the_name_boundary_cases_are_what_they_say():
    assert (len(NAME_100), len(NAME_101)) == (100, 101)
    assert len(NAME_FOLDS_TO_100) == 101 and len(" ".join(NAME_FOLDS_TO_100.split())) == 100


@pytest.mark.parametrize(
    ("name", "accepted"),
    [(NAME_100, True), (NAME_FOLDS_TO_100, True), (NAME_101, False), ("x" * 101, False), ("x" * 100, True)],
    ids=["100", "folds-to-100", "101", "101-plain", "100-plain"],
)
def test_a_staff_edit_takes_a_name_of_100_characters_and_refuses_101(staff_client, records, name, accepted):
    client, headers = staff_client
    body = {"kk": KK, "name": name, "birth_date": "2008-04-20", "status": "UNREGISTERED", "note": ""}
    created = client.put(f"/api/applications/{NOBODY}", json=body, headers=headers)
    changed = client.put(f"/api/applications/{BUDI}", json={**body, "birth_date": "1990-08-17"}, headers=headers)
    if accepted:
        assert (created.status_code, changed.status_code) == (201, 200)
        assert status_store.get_application(records, NOBODY)["name"] == " ".join(name.split())
    else:
        assert error(created) == error(changed) == (400, "invalid_name")
        assert "100" in created.get_json()["error"]["message"]
        assert status_store.get_application(records, NOBODY) is None
        assert status_store.get_application(records, BUDI)["name"] == "Budi Santoso"


def test_an_upload_takes_a_name_of_100_characters_and_refuses_101(admin_client, app):
    client, headers = admin_client
    rows = [
        f"{BUDI};{KK};{NAME_100};1990-08-17;CARD_SHIPPED",
        f"{SITI};{KK};{NAME_101};1990-08-17;CARD_SHIPPED",
        f"{AGUS};{KK};{NAME_FOLDS_TO_100};1985-05-03;CARD_SHIPPED",
    ]
    content = "nik;no_kk;nama;tanggal_lahir;status\n" + "\n".join(rows) + "\n"
    report = upload(client, headers, content.encode("utf-8")).get_json()
    assert (report["accepted"], report["rejected_count"]) == (2, 1)
    assert [(r["row"], r["message"]) for r in report["rejected"]] == [(3, "Nama paling banyak 100 karakter.")]
    db = app.extensions["kiosk"].db
    assert [row[0] for row in db.conn.execute("SELECT nik_hash FROM applications ORDER BY nik_hash")] == sorted(
        status_store.nik_key(db, nik) for nik in (BUDI, AGUS)
    )
