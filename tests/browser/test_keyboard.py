"""Every control on every screen is reachable with Tab alone, and shows where the focus is.

Real Chromium, keyboard only: Tab is pressed until the focus comes round again; every visible, enabled
control of the screen must have been focused on the way, and each focused control must draw a visible
focus indicator (an outline or a box shadow that differs from its unfocused look).
"""

from __future__ import annotations

import pytest

from tests.support import log_in

pytestmark = pytest.mark.browser

CONTROLS = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
  .filter((el) => el.tabIndex >= 0 && !el.disabled && el.checkVisibility({visibilityProperty: true})
                  && el.getBoundingClientRect().width > 0 && !el.closest('[hidden], [inert]'))
  .map((el) => el.id || el.getAttribute('data-code') || el.getAttribute('data-counter')
                  || el.getAttribute('data-action') || el.getAttribute('name') || el.textContent.trim().slice(0, 30))"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  return {name: el.id || el.getAttribute('data-code') || el.getAttribute('data-counter')
                || el.getAttribute('data-action') || el.getAttribute('name') || el.textContent.trim().slice(0, 30),
          ring};
}"""


def _tab_round(page, limit: int = 120) -> tuple[list[str], list[str]]:
    """Press Tab until the focus repeats; return the names focused and those focused without a visible ring."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    seen, unringed = [], []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if seen and focused["name"] == seen[0]:
            break
        seen.append(focused["name"])
        if not focused["ring"]:
            unringed.append(focused["name"])
    return seen, unringed


def _check(page) -> dict:
    controls = page.evaluate(CONTROLS)
    focused, unringed = _tab_round(page)
    return {"unreachable": [name for name in controls if name not in focused], "no focus ring": unringed}


def test_kiosk_start_and_choice_screens_by_keyboard(live_server, new_page):
    page = new_page(1080, 1920)
    page.goto(live_server.url + "/kiosk?idle=600")
    page.wait_for_selector(".k-service-btn[data-code=REKAM]")
    assert _check(page) == {"unreachable": [], "no focus ring": []}


def test_phone_page_by_keyboard(live_server, new_page):
    ticket = live_server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
    page = new_page(390, 844)
    page.goto(f"{live_server.url}/t/{ticket['token']}")
    page.wait_for_selector("#number:not(:empty)")
    assert _check(page) == {"unreachable": [], "no focus ring": []}


def test_counter_and_admin_by_keyboard(live_server, new_page):
    live_server.post("/api/tickets", json={"service": "REKAM"}).raise_for_status()
    page = new_page(1366, 768)
    log_in(page, live_server.url, "/counter", "petugas", "rahasia-Loket1")
    page.wait_for_selector("#counter-picker [data-counter='1']")
    assert _check(page) == {"unreachable": [], "no focus ring": []}  # the loket picker

    page.click("#counter-picker [data-counter='1']")
    page.wait_for_selector("[data-action=next]:not([disabled])")
    assert _check(page) == {"unreachable": [], "no focus ring": []}

    admin = new_page(1366, 768)
    log_in(admin, live_server.url, "/admin", "kepala", "rahasia-Admin1")
    admin.wait_for_selector("#services-body tr[data-service=REKAM]")
    assert _check(admin) == {"unreachable": [], "no focus ring": []}
