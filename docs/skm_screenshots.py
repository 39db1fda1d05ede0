"""Take the satisfaction survey (SKM) screenshots of docs/screenshots with real Chromium (run from the repo root).

Usage: python docs/skm_screenshots.py [OUTPUT_DIR]

The demo office's four weeks of responses fill the report; the A4 printout is Chromium's PDF of the
page (print layout), turned into PNG pages with pdftoppm (Debian poppler-utils).
"""

import pathlib
import subprocess
import sys
import tempfile
from datetime import timedelta

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from kiosk.cli import _seed_demo  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support import LiveServer, add_staff, make_app  # noqa: E402

ELEMENTS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
out.mkdir(parents=True, exist_ok=True)
app = make_app(
    pathlib.Path(tempfile.mkdtemp()),
    printer__type="none",
    survey__show_on_display=True,
    office__place="Selat",
    office__head_title="Camat Selat",
    office__head_name="Drs. Ahmad Fauzi, M.Si.",
    office__head_nip="19700512 199003 1 004",
)  # the signature block of the printed report
add_staff(app)
add_staff(app, "kepala", "rahasia-Admin1", "admin")
_seed_demo(app.extensions["kiosk"])
srv = LiveServer(app).start()
staff = srv.login()


def served() -> dict:
    """A ticket issued and finished at Loket 1 now."""
    ticket = srv.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    while (called := srv.post("/api/counters/1/next", headers=staff).json()["ticket"])["id"] != ticket["id"]:
        srv.post(f"/api/tickets/{called['id']}/done", headers=staff)
    srv.post(f"/api/tickets/{ticket['id']}/done", headers=staff)
    return ticket


def settle(page, screen: str) -> None:
    page.wait_for_selector(f"#screen-{screen}:not([hidden]):not(.is-settling)")


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

    # Phone (390x844): the offer, the questions with one left unanswered, the thanks.
    mine = served()
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{srv.url}/t/{mine['token']}")
    page.wait_for_selector("#survey-start")
    page.screenshot(path=str(out / "skm-phone-offer.png"))
    page.click("#survey-start")
    for code, score in zip(ELEMENTS, (4, 3, 3, 4, 3, 4, 4, 3), strict=True):
        page.locator(f"[data-element={code}] .p-choice").nth(score - 1).click()
    page.click("#survey-send")
    page.locator("[data-element=sarana]").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "skm-phone-questions.png"))
    page.locator("[data-element=sarana] .p-choice").nth(2).click()
    page.locator(".p-chips .p-choice", has_text="Perempuan").click()
    page.fill("#survey-suggestion", "Tambah kursi di ruang tunggu.")
    page.locator("#survey-send").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "skm-phone-profile.png"))
    page.click("#survey-send")
    page.wait_for_selector("#survey-thanks")
    page.screenshot(path=str(out / "skm-phone-thanks.png"))
    page.close()

    # Kiosk (portrait 1080x1920 and landscape 1920x1080): the entry, the number pad, a question, the profile.
    for width, height, tag in ((1080, 1920, "portrait"), (1920, 1080, "landscape")):
        ticket = served()
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{srv.url}/kiosk?idle=600&result=600")
        page.wait_for_selector(".k-service-btn")
        page.screenshot(path=str(out / f"skm-kiosk-start-{tag}.png"))
        page.click("#survey-open")
        settle(page, "survey-number")
        letter, digits = ticket["number"].split("-")
        page.click(f"[data-letter={letter}]")
        for digit in digits.lstrip("0"):
            page.click(f"#screen-survey-number [data-key='{digit}']")
        page.screenshot(path=str(out / f"skm-kiosk-number-{tag}.png"))
        page.click("#survey-number-next")
        for index in range(9):
            settle(page, "survey-question")
            if index == 2:
                page.screenshot(path=str(out / f"skm-kiosk-question-{tag}.png"))
            page.click(f".ks-answer[data-score='{4 - index % 2}']")
        settle(page, "survey-profile")
        page.click("[data-part=age][data-option='36-45']")
        page.screenshot(path=str(out / f"skm-kiosk-profile-{tag}.png"))
        page.click("#survey-send")
        settle(page, "survey-thanks")
        page.screenshot(path=str(out / f"skm-kiosk-thanks-{tag}.png"))
        page.close()

    # The waiting-room display with the latest IKM ([survey] show_on_display = true).
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{srv.url}/display")
    page.wait_for_selector("#connection[data-state=online]", state="attached")
    page.screenshot(path=str(out / "skm-display-1920x1080.png"))
    page.close()

    # The report (1366x768) for the demo's four weeks, and its A4 printout.
    today = srv.runtime.now().date()
    period = f"from={(today - timedelta(weeks=4)).isoformat()}&to={today.isoformat()}"
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{srv.url}/login?next=/admin/skm")
    page.fill("#username", "kepala")
    page.fill("#password", "rahasia-Admin1")
    page.click("#login-submit")
    page.wait_for_url(f"{srv.url}/admin/skm")
    page.goto(f"{srv.url}/admin/skm?{period}")
    page.screenshot(path=str(out / "skm-report-1366x768.png"))
    pdf = pathlib.Path(tempfile.mkdtemp()) / "skm.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    browser.close()
srv.stop()
for old in out.glob("skm-report-a4-*.png"):
    old.unlink()
subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(out / "skm-report-a4")], check=True)
print("ok", out)
