"""The backups screen's JSON over a real waitress server: the copies with sizes and outcome, "back up now",
download, the schedule, and the restore command."""

from __future__ import annotations

import pytest

from tests.support import LiveServer, add_staff, make_app


@pytest.fixture
def office(tmp_path):
    """An office with automatic backups into tmp_path/auto (keep 2), logged in as the admin."""
    app = make_app(tmp_path, printer__type="none", backup__dir=str(tmp_path / "auto"), backup__keep=2)
    add_staff(app)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    yield server, server.login("kepala", "rahasia-Admin1"), tmp_path / "auto"
    server.stop()


def test_back_up_now_lists_the_copy_with_its_size_and_downloads_it(office):
    server, headers, folder = office
    listed = server.get("/api/admin/backups").json()
    assert listed["schedule"] == {"enabled": True, "dir": str(folder), "keep": 2, "time": "02:00"}
    assert listed["backups"] == [] and listed["latest"]["state"] == "none"

    answer = server.post("/api/admin/backups", headers=headers)
    assert answer.status_code == 201, answer.text
    copy = answer.json()["backup"]
    assert copy["file"].startswith("kiosk-") and copy["size"] == (folder / copy["file"]).stat().st_size > 0
    assert copy["outcome"] == "ok"
    assert copy["restore"].startswith("kiosk --config ") and copy["restore"].endswith(
        f"restore {folder / copy['file']}"
    )
    listed = server.get("/api/admin/backups").json()
    assert [item["file"] for item in listed["backups"]] == [copy["file"]]
    assert listed["latest"]["state"] == "ok" and listed["latest"]["file"] == copy["file"]

    download = server.get(f"/api/admin/backups/{copy['file']}")
    assert download.status_code == 200
    assert download.content.startswith(b"SQLite format 3\x00")
    assert download.content == (folder / copy["file"]).read_bytes()
    assert "attachment" in download.headers["Content-Disposition"]


def test_download_names_only_a_listed_copy(office):
    server, headers, folder = office
    folder.mkdir()
    (folder / "notes.txt").write_text("milik kantor")
    for name in ("notes.txt", "kiosk-2026-01-01-000000.db", "..%2Fkiosk.db", "kiosk.db"):
        answer = server.get(f"/api/admin/backups/{name}")
        assert answer.status_code == 404, name


def test_only_admins_see_or_take_backups_and_without_a_folder_it_says_how(live_server):
    headers = live_server.login()
    assert live_server.get("/api/admin/backups").status_code == 403
    assert live_server.post("/api/admin/backups", headers=headers).status_code == 403
    admin = live_server.login("kepala", "rahasia-Admin1")
    assert live_server.post("/api/admin/backups").status_code == 403  # no CSRF token
    listed = live_server.get("/api/admin/backups").json()
    assert listed["schedule"]["enabled"] is False and listed["latest"]["state"] == "off"
    answer = live_server.post("/api/admin/backups", headers=admin)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "backup_off"
    assert "[backup] dir" in answer.json()["error"]["message"]
    assert live_server.get("/admin/backups").status_code == 200


def test_a_failing_backup_now_says_why(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backup folder should be")
    app = make_app(tmp_path, printer__type="none", backup__dir=str(blocked / "sub"))
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    try:
        headers = server.login("kepala", "rahasia-Admin1")
        answer = server.post("/api/admin/backups", headers=headers)
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "backup_failed"
        assert "Not a directory" in answer.json()["error"]["message"]
        assert server.get("/api/admin/backups").json()["latest"]["state"] == "failed"
    finally:
        server.stop()
