"""Take the admin screenshots of "Settings from a screen" (docs/screenshots/admin-settings*.png,
admin-backups.png, admin-siak-import.png) with real Chromium (run from the repo root).

Usage: python docs/settings_screenshots.py [OUTPUT_DIR]
"""

import os
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support import LiveServer, add_staff, make_app  # noqa: E402
from tests.test_status_import import MIXED  # noqa: E402

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots").resolve()
out.mkdir(parents=True, exist_ok=True)
work = pathlib.Path(tempfile.mkdtemp())
os.chdir(work)  # relative paths on screen, as an office writes them: "backups", not a temporary folder
app = make_app(work, printer__type="none", backup__dir="backups")
add_staff(app, "kepala", "rahasia-Admin1", "admin")
srv = LiveServer(app).start(workers=False)  # the copy on screen is the one "Cadangkan sekarang" takes
(work / "siak-2026-11-29.csv").write_text(MIXED, encoding="utf-8")

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{srv.url}/login?next=/admin/settings")
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_selector("#services-body tr[data-service=REKAM]")
    page.screenshot(path=str(out / "admin-settings.png"))

    page.fill("#office-form [name=hours-mon]", "25:00-26:00")
    page.click("#office-form button[type=submit]")
    page.wait_for_selector("#office-form [data-error]:not([hidden])")
    page.locator("#office-form").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "admin-settings-refused.png"))

    page.goto(f"{srv.url}/admin/backups")
    page.wait_for_selector("#schedule-state:not(:empty)")
    page.wait_for_function("() => document.getElementById('schedule-state').textContent === 'Aktif'")
    page.click("#back-up-now")
    page.wait_for_function("() => document.getElementById('message').textContent.includes('dibuat')")
    page.screenshot(path=str(out / "admin-backups.png"))

    page.goto(f"{srv.url}/admin")
    page.wait_for_selector("#services-body tr[data-service=REKAM]")
    page.set_input_files("#siak-file", str(work / "siak-2026-11-29.csv"))
    page.click("#siak-form button[type=submit]")
    page.wait_for_selector("#siak-report:not([hidden])")
    page.locator("#impor-siak").screenshot(path=str(out / "admin-siak-import.png"))
    browser.close()
srv.stop()
print(f"screenshots in {out}")
