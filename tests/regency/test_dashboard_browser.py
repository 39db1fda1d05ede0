"""The regency dashboard in real Chromium: log in through the form, read every office's row, CSP holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_axe import _problems
from tests.regency.test_regency import ADMIN_PASSWORD, add_office, add_staff, at, send, ticket_day

SCREENSHOTS = os.environ.get("KIOSK_SCREENSHOTS")  # a directory: save the screenshots there (docs/screenshots)


@pytest.mark.browser
def test_dashboard_lists_every_office_after_logging_in(regency_server, regency_dsn, new_page):
    names = ["Selat", "Kapuas Hilir", "Timpah", "Kapuas Barat", "Mantangai"]
    keys = [add_office(regency_dsn, f"62.03.0{n + 1}", name) for n, name in enumerate(names)]
    for n, key in enumerate(keys[:4]):
        send(
            regency_server,
            key,
            f"62.03.0{n + 1}",
            ticket_day(f"o{n}", 10 + 7 * n, 6 + 4 * n, 5 + 3 * n, wait_minutes=5 + 3 * n),
        )
    send(
        regency_server, keys[1], "62.03.02", [{"id": "d", "kind": "disruption", "at": at(3), "code": "printer_offline"}]
    )
    today = at(0)[:10]
    send(
        regency_server,
        keys[3],
        "62.03.04",
        [
            {
                "id": "c",
                "kind": "closure",
                "at": at(1),
                "day": today,
                "service": None,
                "open": False,
                "reason": "Cuti bersama",
            }
        ],
    )
    send(
        regency_server,
        keys[2],
        "62.03.03",
        [{"id": "s", "kind": "closure", "at": at(1), "day": today, "service": "IKD", "open": False, "reason": None}],
    )
    elements = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
    send(
        regency_server,
        keys[0],
        "62.03.01",
        [
            {
                "id": f"survey-{n}",
                "kind": "survey_response",
                "at": at(600),
                "day": today,
                "service": "rekam",
                "channel": "kiosk",
                **{code: 3 + (n % 2) for code in elements},
            }
            for n in range(4)
        ],
    )
    from datetime import date, timedelta

    summaries = []
    for back in range(1, 8):
        day = (date.fromisoformat(today) - timedelta(days=back)).isoformat()
        summaries.append(
            {
                "id": f"day-{day}",
                "kind": "day_summary",
                "at": f"{day}T23:59:59+07:00",
                "day": day,
                "issued": 40 + back,
                "served": 35 + back,
                "no_show": 2,
                "services": [
                    {
                        "code": "REKAM",
                        "issued": 30 + back,
                        "served": 27 + back,
                        "no_show": 2,
                        "median_wait_minutes": 6.5,
                        "p90_wait_minutes": 14.0,
                    },
                    {
                        "code": "INFO",
                        "issued": 10,
                        "served": 8,
                        "no_show": 0,
                        "median_wait_minutes": 2.0,
                        "p90_wait_minutes": 4.5,
                    },
                ],
            }
        )
    send(regency_server, keys[0], "62.03.01", summaries)
    add_staff(regency_dsn, "kabid", ADMIN_PASSWORD, "admin")

    page = new_page(1366, 768)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(regency_server.url + "/regency/")
    page.fill("#username", "kabid")
    page.fill("#password", "salah-sekali-12345")
    assert _problems(page) == []  # the login form: no serious or critical axe-core violation
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Nama pengguna atau kata sandi salah."
    page.fill("#username", "kabid")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")  # a form post: the click returns once the next page starts to load
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(5)
    assert rows.nth(0).locator("td").all_inner_texts()[3:] == [
        "10",
        "5",
        "4",
        "5,0",
        "5,0",
        "Buka",
        "–",
        "87,50 (B, 4)",
    ]
    assert rows.nth(1).locator("td").all_inner_texts()[3:] == [
        "17",
        "8",
        "7",
        "8,0",
        "8,0",
        "Terganggu",
        "printer_offline",
        "–",
    ]
    assert rows.nth(2).locator("td").all_inner_texts()[8] == "Buka (tutup: IKD)"
    assert rows.nth(4).locator("td").all_inner_texts()[2] == "belum pernah"
    assert rows.nth(3).locator("td").all_inner_texts()[8] == "Tutup"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert _problems(page) == []
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "regency-1366x768.png"))
    page.click("text=Selat")  # one office's trend: its own day summaries and its survey's IKM
    trend = page.locator("tbody tr")
    expect(trend).to_have_count(8)  # 7 summaries and today's survey day (the list before had 5)
    assert trend.nth(0).locator("td").all_inner_texts() == [today, "–", "–", "–", "–", "4", "87,50 (B)"]
    yesterday = trend.nth(1).locator("td").all_inner_texts()
    assert yesterday[1:5] == ["41", "36", "2", "REKAM 6,5 / 14,0; INFO 2,0 / 4,5"] and yesterday[5:] == ["0", "–"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert _problems(page) == []
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "regency-office-1366x768.png"))
    page.click("text=Kembali ke semua kecamatan")
    page.wait_for_url(regency_server.url + "/regency/")
    # A month across offices: the sums of each office's day summaries, as a page printed on A4 and as Excel.
    month = (date.fromisoformat(today) - timedelta(days=1)).isoformat()[:7]
    page.goto(regency_server.url + f"/regency/month?month={month}")
    expected = [s for s in summaries if s["day"].startswith(month)]
    first = page.locator("tbody tr").nth(0).locator("td").all_inner_texts()
    assert first[:6] == [
        "62.03.01",
        "Selat",
        str(len(expected)),
        str(sum(s["issued"] for s in expected)),
        str(sum(s["served"] for s in expected)),
        str(2 * len(expected)),
    ]
    assert page.locator("tbody tr").count() == 5
    assert page.locator("tfoot td").first.inner_text() == str(sum(s["issued"] for s in expected))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert _problems(page) == []
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "regency-month-1366x768.png"))
    workbook = page.context.request.get(regency_server.url + f"/regency/month.xlsx?month={month}")
    assert workbook.ok and workbook.body()[:2] == b"PK"
    assert "spreadsheetml" in workbook.headers["content-type"]
    page.emulate_media(media="print")
    assert not page.locator(".noprint").is_visible() and not page.locator("header form").is_visible()
    if SCREENSHOTS:
        page.pdf(path=str(Path(SCREENSHOTS) / "regency-month-a4.pdf"), format="A4", landscape=True)
    page.emulate_media(media="screen")
    page.goto(regency_server.url + "/regency/")
    page.click("text=Keluar")
    expect(page.locator("#username")).to_be_visible()
    # Nothing refused by the CSP, no script errors (the wrong password's page itself was answered with 401).
    assert [e for e in errors if "status of 401" not in e] == [] and len(errors) == 1
