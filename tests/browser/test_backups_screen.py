"""The backups screen in real Chromium: schedule, "back up now", the copy listed with its size, its download,
and the restore command; axe-clean at 1366x768."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import problems as _problems
from tests.support import LiveServer, add_staff, log_in, make_app

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path, printer__type="none", backup__dir=str(tmp_path / "auto"), backup__keep=3)
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(app).start(workers=False)
    yield server, tmp_path / "auto"
    server.stop()


def test_admin_backs_up_now_sees_the_copy_downloads_it_and_reads_how_to_restore(office, new_page, tmp_path):
    server, folder = office
    page = new_page(1366, 768, accept_downloads=True)
    log_in(page, server.url, "/admin/backups", "kepala", "rahasia-Admin1")
    expect(page.locator("#schedule-state")).to_have_text("Aktif")
    expect(page.locator("#schedule-time")).to_have_text("Setiap hari setelah 02:00")
    expect(page.locator("#copies-empty")).to_be_visible()
    expect(page.locator("#latest-state")).to_have_text("Belum ada salinan")
    empty = _problems(page)

    page.click("#back-up-now")
    expect(page.locator("#message")).to_contain_text("dibuat")
    row = page.locator("#copies-body tr")
    expect(row).to_have_count(1)
    name = row.first.get_attribute("data-file")
    assert (folder / name).is_file()
    expect(row.first).to_contain_text("KB")
    expect(row.first).to_contain_text("Berhasil")
    expect(page.locator("#latest-state")).to_contain_text("Berhasil")
    expect(page.locator("#restore-command")).to_contain_text(f"restore {folder / name}")

    with page.expect_download() as download:
        page.click(f"#copies-body tr[data-file='{name}'] a")
    saved = tmp_path / "downloaded.db"
    download.value.save_as(saved)
    assert saved.read_bytes() == (folder / name).read_bytes()
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "admin-backups.png"), full_page=True)
    assert {"empty": empty, "with a copy": _problems(page)} == {"empty": [], "with a copy": []}
