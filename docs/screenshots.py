"""Take the kiosk and phone screenshots of docs/screenshots with real Chromium (run from the repo root).

Usage: python docs/screenshots.py [OUTPUT_DIR]   (display, counter, counter-status-*, admin and
kiosk-voice-survey-*:
KIOSK_SCREENSHOTS=DIR pytest tests/browser)
"""

import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.test_kiosk_status import seed_demo_records  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.fakeprinter import FakePrinter  # noqa: E402
from tests.support import LiveServer, add_staff, make_app  # noqa: E402

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
out.mkdir(parents=True, exist_ok=True)
tmp = pathlib.Path(tempfile.mkdtemp())
fake = FakePrinter().start()
app = make_app(tmp, printer__type="network", printer__host="127.0.0.1", printer__port=fake.port)
add_staff(app)
add_staff(app, "kepala", "rahasia-Admin1", "admin")
srv = LiveServer(app).start()
seed_demo_records(srv)  # the demo office's KTP-el status records
# some waiting people, a closed service
for _ in range(7):
    srv.post("/api/tickets", json={"service": "REKAM"})
for _ in range(3):
    srv.post("/api/tickets", json={"service": "AMBIL"})

# today's overrides, as the office head sets them through the admin API
admin = srv.login("kepala", "rahasia-Admin1")
for code, override in (("IKD", {"open": False}), ("UBAH", {"daily_quota": 0})):
    srv.session.patch(f"{srv.url}/api/services/{code}", json=override, headers=admin).raise_for_status()
h = srv.login()  # the counter staff from here on (one session for the script)


def voice_kiosk(browser, width, height):
    """A kiosk page in voice mode (started by a keypad key), its start screen read."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(srv.url + "/kiosk?idle=600")
    page.wait_for_selector(".k-service-btn")
    page.keyboard.press("Numpad0")
    page.wait_for_function("() => window.__spoken.some(e => e.key === 'help.more')")
    return page


with sync_playwright() as p:
    b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    for w, hgt, tag in ((1080, 1920, "portrait"), (1920, 1080, "landscape")):
        fake.mode = "online"
        pg = b.new_page(viewport={"width": w, "height": hgt})
        pg.goto(srv.url + "/kiosk?idle=600")
        pg.wait_for_selector(".k-service-btn")
        pg.screenshot(path=str(out / f"kiosk-start-{tag}.png"))
        pg.click(".k-service-btn[data-code=REKAM]")
        pg.screenshot(path=str(out / f"kiosk-priority-{tag}.png"))
        pg.click("#choose-priority")
        pg.wait_for_selector("#screen-result:not([hidden])")
        pg.wait_for_function("() => document.getElementById('result-qr').complete")
        pg.screenshot(path=str(out / f"kiosk-result-{tag}.png"))
        pg.click("#screen-result .k-done")
        fake.mode = "paper_out"
        pg.click(".k-service-btn[data-code=AMBIL]")
        pg.click("#choose-regular")
        pg.wait_for_selector("#print-fault:not([hidden])", timeout=8000)
        pg.screenshot(path=str(out / f"kiosk-printer-fault-{tag}.png"))
        pg.close()
        pg = b.new_page(viewport={"width": w, "height": hgt})
        pg.goto(srv.url + "/kiosk?idle=1&warn=20")
        pg.wait_for_selector(".k-service-btn")
        pg.click(".k-service-btn[data-code=CETAK]")
        pg.wait_for_selector("#idle-warning:not([hidden])")
        pg.screenshot(path=str(out / f"kiosk-idle-warning-{tag}.png"))
        pg.close()
        # KTP-el status check: each step, then the answers for a ready card, one still in process, and no record
        pg = b.new_page(viewport={"width": w, "height": hgt})
        pg.goto(srv.url + "/kiosk?idle=600")
        pg.wait_for_selector(".k-service-btn")
        pg.screenshot(path=str(out / f"kiosk-status-start-{tag}.png"))
        for nik, answer in (
            ("6203011708900001", "ready"),
            ("6203014410950006", "in-process"),
            ("6203011708900009", "not-found"),
        ):
            pg.click("#status-start")
            pg.wait_for_selector("#screen-status-notice:not([hidden]):not(.is-settling)")
            if answer == "ready":
                pg.screenshot(path=str(out / f"kiosk-status-notice-{tag}.png"))
            pg.click("#notice-next")
            pg.wait_for_selector("#screen-status-entry:not(.is-settling)")
            pg.keyboard.type(nik[:8])
            if answer == "ready":
                pg.screenshot(path=str(out / f"kiosk-status-nik-{tag}.png"))
            pg.keyboard.type(nik[8:])
            pg.keyboard.press("Enter")
            pg.keyboard.type("6203010102150003")
            if answer == "ready":
                pg.screenshot(path=str(out / f"kiosk-status-kk-{tag}.png"))
            pg.keyboard.press("Enter")
            if answer == "not-found":
                pg.wait_for_selector("#entry-message:not([hidden]):not(.is-busy)")
            else:
                pg.wait_for_selector("#screen-status-answer:not([hidden]):not(.is-settling)")
            pg.screenshot(path=str(out / f"kiosk-status-answer-{answer}-{tag}.png"))
            pg.evaluate("() => document.querySelector('#screen-priority [data-action=home]').click()")
            pg.wait_for_selector("#screen-start:not([hidden])")
        # voice mode (a keypad key, then "2": the item is ringed while it is read) and large text ("Aa")
        fake.mode = "online"
        pg = voice_kiosk(b, w, hgt)
        pg.keyboard.press("2")
        pg.wait_for_selector(".k-service-btn.k-voice-selected")
        pg.screenshot(path=str(out / f"kiosk-voice-{tag}.png"))
        pg.keyboard.press("Backspace")
        pg.wait_for_function("() => !document.documentElement.classList.contains('k-voice')")
        pg.click("#large-text")
        pg.screenshot(path=str(out / f"kiosk-large-start-{tag}.png"))
        pg.click(".k-service-btn[data-code=REKAM]")
        pg.wait_for_timeout(600)
        pg.screenshot(path=str(out / f"kiosk-large-priority-{tag}.png"))
        pg.click("#choose-priority")
        pg.wait_for_selector("#screen-result:not([hidden])")
        pg.wait_for_function("() => document.getElementById('result-qr').complete")
        pg.screenshot(path=str(out / f"kiosk-large-result-{tag}.png"))
        # large text through the status check: the notice, the NIK typed in full, the answer
        pg.click("#screen-result .k-done")
        pg.wait_for_selector("#screen-start:not([hidden]):not(.is-settling)")
        pg.click("#status-start")
        pg.wait_for_selector("#screen-status-notice:not([hidden]):not(.is-settling)")
        pg.screenshot(path=str(out / f"kiosk-large-status-notice-{tag}.png"))
        pg.click("#notice-next")
        pg.wait_for_selector("#screen-status-entry:not(.is-settling)")
        pg.keyboard.type("6203011708900001")
        pg.screenshot(path=str(out / f"kiosk-large-status-nik-{tag}.png"))
        pg.keyboard.press("Enter")
        pg.keyboard.type("6203010102150003")
        pg.keyboard.press("Enter")
        pg.wait_for_selector("#screen-status-answer:not([hidden]):not(.is-settling)")
        pg.screenshot(path=str(out / f"kiosk-large-status-answer-{tag}.png"))
        pg.close()
        # voice mode through the status check, by keypad only: the notice, the NIK step, the answer
        pg = voice_kiosk(b, w, hgt)
        choice = pg.evaluate("""() => [...document.querySelectorAll('#screen-start button')]
            .filter(b => !b.disabled && b.dataset.say && !b.hasAttribute('data-voice-skip'))
            .indexOf(document.getElementById('status-start')) + 1""")
        pg.keyboard.press(str(choice))
        pg.keyboard.press("Enter")
        pg.wait_for_selector("#screen-status-notice:not([hidden]):not(.is-settling)")
        pg.keyboard.press("1")
        pg.wait_for_selector("#notice-next.k-voice-selected")
        pg.screenshot(path=str(out / f"kiosk-voice-status-notice-{tag}.png"))
        pg.keyboard.press("Enter")
        pg.wait_for_selector("#screen-status-entry:not([hidden]):not(.is-settling)")
        for digit in "62030117":
            pg.keyboard.press(f"Numpad{digit}")
        pg.screenshot(path=str(out / f"kiosk-voice-status-nik-{tag}.png"))
        for digit in "08900001":
            pg.keyboard.press(f"Numpad{digit}")
        pg.keyboard.press("NumpadEnter")
        pg.wait_for_selector("#entry-title[data-t=kk_title]")
        for digit in "6203010102150003":
            pg.keyboard.press(f"Numpad{digit}")
        pg.keyboard.press("NumpadEnter")
        pg.wait_for_selector("#screen-status-answer:not([hidden]):not(.is-settling)")
        pg.keyboard.press("1")
        pg.wait_for_selector("#answer-take.k-voice-selected")
        pg.screenshot(path=str(out / f"kiosk-voice-status-answer-{tag}.png"))
        pg.close()
    fake.mode = "online"
    mine = srv.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    tok = mine["token"]
    srv.post("/api/counters/3/next", headers=h)
    pg = b.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    pg.goto(srv.url + "/t/" + tok)
    time.sleep(0.8)
    pg.screenshot(path=str(out / "phone-waiting.png"), full_page=True)
    srv.post("/api/tickets", json={"service": "REKAM", "priority": True})  # a priority number goes first
    time.sleep(3.5)
    pg.screenshot(path=str(out / "phone-ahead-up.png"), full_page=True)
    while (called := srv.post("/api/counters/1/next", headers=h).json()["ticket"])["token"] != tok:
        srv.post(f"/api/tickets/{called['id']}/done", headers=h)  # the counter is free for the next call
    time.sleep(3.5)
    pg.screenshot(path=str(out / "phone-called.png"), full_page=True)
    srv.post(f"/api/tickets/{mine['id']}/done", headers=h)
    time.sleep(3.5)
    pg.screenshot(path=str(out / "phone-done.png"), full_page=True)
    missed = srv.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    while (called := srv.post("/api/counters/1/next", headers=h).json()["ticket"])["id"] != missed["id"]:
        srv.post(f"/api/tickets/{called['id']}/done", headers=h)
    srv.post(f"/api/tickets/{missed['id']}/no-show", headers=h)
    pg.goto(srv.url + "/t/" + missed["token"])
    time.sleep(0.8)
    pg.screenshot(path=str(out / "phone-no-show.png"), full_page=True)
    pg.goto(srv.url + "/t/nope")
    time.sleep(0.3)
    pg.screenshot(path=str(out / "phone-unknown.png"), full_page=True)
    b.close()
srv.stop()
fake.stop()
print("ok", out)
