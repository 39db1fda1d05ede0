"""Settings from a screen: GET/PATCH /api/admin/settings over a real waitress server, applied live, kept
across a restart, and refused exactly as the configuration file would be."""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from kiosk import create_app
from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import load_settings
from kiosk.paths import packaged_config
from tests.support import LiveServer, add_staff, office_settings, wait_until

SCREEN = ["office", "services", "counters", "printer", "kiosk"]


@pytest.fixture
def admin(live_server):
    """The live server with its session logged in as the admin; returns (server, CSRF headers)."""
    return live_server, live_server.login("kepala", "rahasia-Admin1")


def patch(server, headers, body) -> requests.Response:
    return server.session.patch(server.url + "/api/admin/settings", json=body, headers=headers, timeout=10)


def file_refusal(tmp_path, old: str, new: str) -> str:
    """Return the line the configuration file gets for the same mistake (the demo file with ``old`` -> ``new``)."""
    text = packaged_config().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "wrong.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    return error.value.message


def test_get_answers_the_files_tables_with_its_keys(admin):
    server, _ = admin
    answer = server.get("/api/admin/settings")
    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == SCREEN
    assert body["office"]["name"] == "Kantor Kecamatan Selat"
    assert body["office"]["hours"]["mon"] == "00:00-24:00"
    assert body["office"]["running_text"].startswith("Selamat datang")
    assert [s["prefix"] for s in body["services"]] == ["A", "B", "C", "D", "E", "F"]
    rekam = body["services"][0]
    assert {key: rekam[key] for key in ("code", "name", "prefix", "daily_quota", "name_en", "hours")} == {
        "code": "REKAM",
        "name": "Perekaman KTP-el",
        "prefix": "A",
        "daily_quota": 100,
        "name_en": "KTP-el Enrolment",
        "hours": None,
    }
    assert (rekam["cost"], rekam["requirements"][0]) == ("Gratis", "Kartu Keluarga asli")  # Standar Pelayanan
    assert (rekam["booking_quota"], rekam["one_per_nik"]) == (40, False)  # later days
    assert rekam["requirements"] == ["Kartu Keluarga asli", "Sudah berusia 17 tahun atau sudah/pernah kawin"]
    assert body["office"]["maklumat"].startswith("Dengan ini kami menyatakan")
    assert body["counters"][0] == {"id": 1, "name": "Loket 1", "services": ["REKAM", "UBAH"]}
    assert body["printer"]["type"] == "file" and body["printer"]["paper_width_mm"] == 80
    assert body["kiosk"]["voice_volume"] == 1.0
    assert "server" not in body and "database" not in body


def test_only_an_admin_reads_or_changes_settings_and_writes_need_the_csrf_token(live_server):
    assert live_server.get("/api/admin/settings").status_code == 401
    headers = live_server.login()
    assert live_server.get("/api/admin/settings").status_code == 403
    assert patch(live_server, headers, {"office": {"name": "X"}}).status_code == 403
    live_server.login("kepala", "rahasia-Admin1")
    refused = patch(live_server, {}, {"office": {"name": "Kantor Baru"}})
    assert refused.status_code == 403
    assert live_server.get("/api/admin/settings").json()["office"]["name"] == "Kantor Kecamatan Selat"


def test_a_change_applies_live_to_every_screen_and_names_who_and_when(admin):
    server, headers = admin
    before = server.get("/api/settings/version").json()["version"]
    events = requests.get(server.url + "/api/events", stream=True, timeout=5)
    lines = events.iter_lines(decode_unicode=True)

    def next_settings_version() -> int:
        named = False
        for line in lines:
            if line == "event: settings":
                named = True
            elif named and line.startswith("data:"):
                return json.loads(line[5:])["version"]
        raise AssertionError("the stream ended without a settings event")

    try:
        # The first settings event is the version in force on connect: read before anything changes.
        assert next_settings_version() == before
        services = server.get("/api/admin/settings").json()["services"]
        services[1]["name"] = "Cetak KTP-el Baru"
        answer = patch(
            server,
            headers,
            {"office": {"name": "Kantor Kecamatan Baru", "running_text": "Teks berjalan baru"}, "services": services},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["office"]["name"] == "Kantor Kecamatan Baru"
        assert answer.json()["office"]["hours"]["mon"] == "00:00-24:00"  # the rest of the table stays
        assert answer.json()["services"][1]["name"] == "Cetak KTP-el Baru"
        assert next_settings_version() > before  # and the change is pushed to every screen
    finally:
        events.close()
    assert server.get("/api/settings/version").json()["version"] > before
    assert "Teks berjalan baru" in server.get("/display").text
    assert "Kantor Kecamatan Baru" in server.get("/kiosk").text
    assert [s["name"] for s in server.get("/api/services").json()][1] == "Cetak KTP-el Baru"
    changes = server.get("/api/admin/settings/changes").json()["changes"]
    assert changes[0]["changed_by"] == "kepala" and changes[0]["changed_at"]
    assert changes[0]["patch"]["office"] == {"name": "Kantor Kecamatan Baru", "running_text": "Teks berjalan baru"}


@pytest.mark.parametrize(
    "patch_body, old, new, key",
    [
        (
            {"office": {"hours": {"mon": "25:00-26:00"}}},
            'mon = "00:00-24:00"',
            'mon = "25:00-26:00"',
            "office.hours.mon",
        ),
        ({"services": "duplicate"}, 'prefix = "B"', 'prefix = "A"', "services[1].prefix"),
        ({"printer": {"paper_width_mm": 70}}, "paper_width_mm = 80", "paper_width_mm = 70", "printer.paper_width_mm"),
        ({"office": {"nmae": "Kantor"}}, 'name = "Kantor Kecamatan Selat"', 'nmae = "Kantor"', "office.nmae"),
        ({"kiosk": {"voice_volume": 2}}, "voice_volume = 1.0", "voice_volume = 2", "kiosk.voice_volume"),
    ],
)
def test_a_bad_value_is_refused_with_the_line_the_file_gets(admin, tmp_path, patch_body, old, new, key):
    server, headers = admin
    if patch_body.get("services") == "duplicate":
        services = server.get("/api/admin/settings").json()["services"]
        services[1]["prefix"] = "A"
        patch_body = {"services": services}
    if "nmae" in patch_body["office"] if "office" in patch_body else False:
        new = 'name = "Kantor Kecamatan Selat"\nnmae = "Kantor"'
    line = file_refusal(tmp_path, old, new)
    answer = patch(server, headers, patch_body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_setting"
    assert line in error["message"]
    assert error["key"] == key
    assert server.get("/api/admin/settings").json()["office"]["name"] == "Kantor Kecamatan Selat"
    assert server.get("/api/admin/settings/changes").json()["changes"] == []


def test_tables_that_need_a_restart_are_not_in_the_document(admin):
    server, headers = admin
    answer = patch(server, headers, {"server": {"port": 9000}})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_setting"
    assert answer.json()["error"]["key"] == "server"
    assert "server cannot be changed on the settings screen" in answer.json()["error"]["message"]


def test_a_service_with_tickets_today_cannot_be_removed_but_a_new_one_can_be_added(admin):
    server, headers = admin
    server.post("/api/tickets", json={"service": "INFO", "priority": False}).raise_for_status()
    document = server.get("/api/admin/settings").json()
    without_info = [s for s in document["services"] if s["code"] != "INFO"]
    counters = [{**c, "services": [code for code in c["services"] if code != "INFO"]} for c in document["counters"]]
    refused = patch(server, headers, {"services": without_info, "counters": counters})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "service_has_tickets"
    added = document["services"] + [{"code": "KIA", "name": "Kartu Identitas Anak", "prefix": "G"}]
    counters = document["counters"]
    counters[0]["services"].append("KIA")
    answer = patch(server, headers, {"services": added, "counters": counters})
    assert answer.status_code == 200, answer.text
    ticket = server.post("/api/tickets", json={"service": "KIA", "priority": False})
    assert ticket.status_code == 201, ticket.text
    assert ticket.json()["ticket"]["number"].startswith("G")


def test_changes_survive_a_restart_and_the_history_is_append_only(tmp_path):
    settings = office_settings(tmp_path)
    app = create_app({"settings": settings, "TESTING": True})
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start()
    try:
        headers = server.login("kepala", "rahasia-Admin1")
        assert patch(server, headers, {"office": {"running_text": "Tetap ada"}}).status_code == 200
        assert patch(server, headers, {"office": {"name": "Kantor Tetap"}}).status_code == 200
    finally:
        server.stop()
    again = create_app({"settings": office_settings(tmp_path), "TESTING": True})
    try:
        assert again.extensions["kiosk"].settings.office.name == "Kantor Tetap"
        assert again.extensions["kiosk"].settings.office.running_text == "Tetap ada"
        assert again.extensions["kiosk"].settings_version == 2
    finally:
        again.extensions["kiosk"].stop()
    with sqlite3.connect(settings.database_path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE settings_changes SET changed_by = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM settings_changes")


def test_saved_changes_that_no_longer_fit_the_file_leave_the_files_values(tmp_path, caplog):
    app = create_app({"settings": office_settings(tmp_path), "TESTING": True})
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    client = app.test_client()
    token = client.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"}).get_json()
    answer = client.patch(
        "/api/admin/settings",
        json={"counters": [{"id": 1, "name": "Loket 1", "services": ["REKAM"]}]},
        headers={"X-CSRF-Token": token["csrf_token"]},
    )
    assert answer.status_code == 200, answer.get_json()
    app.extensions["kiosk"].stop()
    # The file later drops REKAM, which the saved lokets still name: start with the file's values, say why.
    renamed = office_settings(tmp_path).document
    renamed["services"][0]["code"] = "REKAM2"
    for counter in renamed["counters"]:
        counter["services"] = [code if code != "REKAM" else "REKAM2" for code in counter["services"]]
    renamed["status"]["next_service"] = {
        key: ("REKAM2" if value == "REKAM" else value) for key, value in renamed["status"]["next_service"].items()
    }
    from kiosk.domain.settings import parse_settings

    again = create_app({"settings": parse_settings(renamed), "TESTING": True})
    try:
        assert [c.id for c in again.extensions["kiosk"].settings.counters] == [1, 2, 3]
        assert "do not fit the configuration file" in caplog.text
    finally:
        again.extensions["kiosk"].stop()


def test_null_means_no_value_and_arrays_replace(admin):
    server, headers = admin
    services = server.get("/api/admin/settings").json()["services"]
    services[0]["daily_quota"] = None
    answer = patch(server, headers, {"services": services, "office": {"running_text": None}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["services"][0]["daily_quota"] is None
    assert answer.json()["office"]["running_text"] == ""


# ---------------------------------------------------------------- the printer, changed live, and its test page


def _test_page(server, headers) -> dict:
    answer = server.post("/api/admin/printer/test", headers=headers)
    assert answer.status_code == 202, answer.text
    test_id = answer.json()["test_print"]["id"]

    def finished():
        result = server.get(f"/api/admin/printer/test/{test_id}").json()
        return result if result["test_print"]["status"] != "pending" else None

    return wait_until(finished, timeout=10)


def test_a_printer_changed_on_the_screen_prints_the_test_page_at_once(admin):
    from tests.fakeprinter import FakePrinter

    server, headers = admin
    with FakePrinter() as fake:
        changed = patch(server, headers, {"printer": {"type": "network", "host": "127.0.0.1", "port": fake.port}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["printer"]["port"] == fake.port
        result = _test_page(server, headers)
        assert result["test_print"]["status"] == "printed", result
        assert result["test_print"]["requested_by"] == "kepala"
        assert result["printer"] == "online"
        job = fake.wait_for_jobs(1)[0]
        assert b"Cetak uji printer" in job and b"bukan nomor antrean" in job
        fake.mode = "refuse"
        result = _test_page(server, headers)
        assert result["test_print"]["status"] == "failed" and result["test_print"]["error"]
        assert result["printer"] == "offline"
    assert server.get("/api/admin/printer/test/999").json()["error"]["code"] == "unknown_test_print"


def test_without_a_printer_there_is_no_test_page(admin):
    server, headers = admin
    assert patch(server, headers, {"printer": {"type": "none"}}).status_code == 200
    answer = server.post("/api/admin/printer/test", headers=headers)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "no_printer"
    assert server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]["print_status"] == "failed"


def test_a_loket_holding_a_ticket_cannot_be_removed(admin):
    server, headers = admin
    staff = server.login()  # the counter member's session now; the admin logs in again below
    server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    assert server.post("/api/counters/1/next", headers=staff).json()["ticket"]["number"] == "A-001"
    headers = server.login("kepala", "rahasia-Admin1")
    counters = [c for c in server.get("/api/admin/settings").json()["counters"] if c["id"] != 1]
    answer = patch(server, headers, {"counters": counters})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "counter_busy" and "A-001" in answer.json()["error"]["message"]


def test_the_spoken_catalogue_follows_a_renamed_service(admin):
    from urllib.parse import unquote

    server, headers = admin
    before = server.get("/api/speech/service.CETAK.wav")
    assert "Pencetakan" in unquote(before.headers["X-Spoken-Text"])
    services = server.get("/api/admin/settings").json()["services"]
    services[1]["name"] = "Cetak Ulang KTP-el"
    assert patch(server, headers, {"services": services}).status_code == 200
    after = server.get("/api/speech/service.CETAK.wav")
    assert "Cetak Ulang" in unquote(after.headers["X-Spoken-Text"])
