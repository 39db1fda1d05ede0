"""Survey API rules: one response per served ticket of today, by token (phone) or number (kiosk); the SKM report."""

from __future__ import annotations

import io
import threading

import pytest
from openpyxl import load_workbook

from kiosk.storage import survey as survey_store
from tests.support import LiveServer, add_staff, make_app

ALL_GOOD = [4, 4, 3, 4, 3, 4, 4, 3, 3]


def issue(client, service="REKAM") -> dict:
    answer = client.post("/api/tickets", json={"service": service})
    assert answer.status_code == 201
    return answer.get_json()["ticket"]


def finish(staff, ticket: dict, counter: int = 1, last: str = "done") -> None:
    """Call the next ticket at a counter (it must be ``ticket``) and take it to ``last``."""
    client, headers = staff
    called = client.post(f"/api/counters/{counter}/next", headers=headers).get_json()["ticket"]
    assert called["id"] == ticket["id"]
    if last != "called":
        assert client.post(f"/api/tickets/{ticket['id']}/{last}", headers=headers).status_code == 200


def admin(app):
    client = app.test_client()
    answer = client.post("/api/login", json={"username": "kepala", "password": "rahasia-Admin1"})
    assert answer.status_code == 200
    return client


def stored(app) -> list[dict]:
    db = app.extensions["kiosk"].db
    return survey_store.survey_responses(db, "2000-01-01", "2999-12-31")


def error(answer) -> tuple[int, str]:
    body = answer.get_json()
    assert set(body["error"]) == {"code", "message"} and body["error"]["message"]
    return answer.status_code, body["error"]["code"]


def test_a_served_ticket_answers_once_from_the_phone(app, client, staff_client):
    ticket = issue(client)
    finish(staff_client, ticket)
    assert client.post("/api/surveys/check", json={"token": ticket["token"]}).get_json() == {
        "ticket": {"number": "A-001", "service": "REKAM"}
    }
    answer = client.post(
        "/api/surveys",
        json={
            "token": ticket["token"],
            "answers": ALL_GOOD,
            "profile": {"gender": "P", "age": "26-35"},
            "suggestion": "Kursi ruang tunggu ditambah.",
        },
    )
    assert answer.status_code == 201
    assert answer.get_json() == {"survey": {"number": "A-001", "answered": True}}
    assert stored(app) == [
        {
            "day": "2026-11-25",
            "service": "REKAM",
            "channel": "phone",
            "persyaratan": 4,
            "prosedur": 4,
            "waktu": 3,
            "biaya": 4,
            "produk": 3,
            "kompetensi": 4,
            "perilaku": 4,
            "pengaduan": 3,
            "sarana": 3,
            "gender": "P",
            "age": "26-35",
            "education": None,
            "job": None,
            "suggestion": "Kursi ruang tunggu ditambah.",
        }
    ]

    again = client.post("/api/surveys", json={"token": ticket["token"], "answers": [1] * 9})
    assert error(again) == (409, "already_answered")
    assert error(client.post("/api/surveys/check", json={"token": ticket["token"]})) == (409, "already_answered")
    assert len(stored(app)) == 1


@pytest.mark.parametrize("last", ["waiting", "called", "serve", "no-show"])
def test_no_survey_before_the_ticket_is_done(app, client, staff_client, last):
    ticket = issue(client)
    if last != "waiting":
        finish(staff_client, ticket, last=last)
    for body in ({"token": ticket["token"]}, {"number": "A-001"}):
        assert error(client.post("/api/surveys", json={**body, "answers": ALL_GOOD})) == (409, "not_served")
        assert error(client.post("/api/surveys/check", json=body)) == (409, "not_served")
    assert stored(app) == []


def test_no_survey_for_another_days_ticket(app, client, staff_client, clock):
    ticket = issue(client)
    finish(staff_client, ticket)
    clock.advance(days=1)
    assert error(client.post("/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD})) == (
        409,
        "not_served",
    )
    # At the kiosk yesterday's number is simply not one of today's.
    assert error(client.post("/api/surveys", json={"number": "A-001", "answers": ALL_GOOD})) == (404, "not_found")
    assert stored(app) == []


def test_later_the_same_day_still_counts(app, client, staff_client, clock):
    ticket = issue(client)
    finish(staff_client, ticket)
    clock.advance(hours=6)
    assert client.post("/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD}).status_code == 201


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"token": "tidak-ada"}, 404, "not_found"),
        ({"token": "x" * 65}, 404, "not_found"),
        ({"token": 12}, 404, "not_found"),
        ({"number": "A-099"}, 404, "not_found"),
        ({"number": "Z-001"}, 404, "not_found"),
        ({"number": "ABC"}, 400, "bad_request"),
        ({"number": "A-000"}, 400, "bad_request"),
        ({"number": 1}, 400, "bad_request"),
        ({}, 400, "bad_request"),
    ],
)
def test_no_survey_without_a_valid_token_or_todays_number(app, client, body, status, code):
    assert error(client.post("/api/surveys", json={**body, "answers": ALL_GOOD})) == (status, code)
    assert error(client.post("/api/surveys/check", json=body)) == (status, code)
    assert stored(app) == []


def test_the_kiosk_answers_for_todays_served_number_and_the_phone_cannot_answer_again(app, client, staff_client):
    ticket = issue(client)
    finish(staff_client, ticket)
    assert client.post("/api/surveys/check", json={"number": " a8 "}).status_code == 404  # not issued
    answer = client.post("/api/surveys", json={"number": "a 1", "answers": [3] * 9})
    assert answer.status_code == 201
    assert answer.get_json()["survey"]["number"] == "A-001"
    assert [row["channel"] for row in stored(app)] == ["kiosk"]
    assert error(client.post("/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD})) == (
        409,
        "already_answered",
    )
    both = client.post("/api/surveys", json={"token": ticket["token"], "number": "A-001", "answers": ALL_GOOD})
    assert error(both) == (400, "bad_request")


@pytest.mark.parametrize(
    "extra",
    [
        {"answers": [4] * 8},
        {"answers": [4] * 8 + [5]},
        {"answers": None},
        {"answers": ALL_GOOD, "profile": {"gender": "X"}},
        {"answers": ALL_GOOD, "profile": {"nik": "6203011708900001"}},
        {"answers": ALL_GOOD, "suggestion": "a" * 501},
        {"answers": ALL_GOOD, "suggestion": 5},
    ],
)
def test_bad_answers_are_refused_with_the_error_shape_and_nothing_is_stored(app, client, staff_client, extra):
    ticket = issue(client)
    finish(staff_client, ticket)
    assert error(client.post("/api/surveys", json={"token": ticket["token"], **extra})) == (400, "bad_request")
    assert stored(app) == []
    assert client.post("/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD}).status_code == 201


def test_not_json_is_a_400(client):
    answer = client.post("/api/surveys", data="answers=4", content_type="application/x-www-form-urlencoded")
    assert error(answer) == (400, "bad_request")


def test_a_disabled_survey_takes_no_answers(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, survey__enabled=False)
    try:
        client = app.test_client()
        assert error(client.post("/api/surveys", json={"number": "A-001", "answers": ALL_GOOD})) == (
            404,
            "survey_disabled",
        )
        ticket = issue(client)
        assert "survey-form" not in client.get(f"/t/{ticket['token']}").get_data(as_text=True)
        assert "survey-open" not in client.get("/kiosk").get_data(as_text=True)
        enabled = make_app(tmp_path / "on", clock=clock)
        assert "survey-open" in enabled.test_client().get("/kiosk").get_data(as_text=True)
        enabled.extensions["kiosk"].stop()
    finally:
        app.extensions["kiosk"].stop()


def test_nothing_links_a_response_to_its_ticket(app, client, staff_client):
    first, second = issue(client), issue(client)
    finish(staff_client, first)
    finish(staff_client, second)
    client.post("/api/surveys", json={"token": first["token"], "answers": [1] * 9, "suggestion": "Zebra"})
    client.post("/api/surveys", json={"number": "A-002", "answers": [4] * 9, "suggestion": "Antrean cepat"})
    db = app.extensions["kiosk"].db
    columns = [row[1] for row in db.conn.execute("PRAGMA table_info(survey_responses)")]
    assert not {"ticket_id", "token", "number", "at", "created_at"} & set(columns)
    hashes = [row[0] for row in db.conn.execute("SELECT ticket_hash FROM survey_tickets")]
    assert len(hashes) == 2 and not {first["token"], second["token"], "1", "2", "A-001", "A-002"} & set(hashes)
    assert all(len(value) == 64 for value in hashes)
    report = admin(app).get("/api/reports/skm?from=2026-11-25&to=2026-11-25").get_json()
    text = str(report)
    assert "A-001" not in text and "A-002" not in text and first["token"] not in text
    # by text, never in the order given
    assert report["suggestions"] == [{"text": "Antrean cepat", "count": 1}, {"text": "Zebra", "count": 1}]


def test_racing_double_submits_store_exactly_one(tmp_path):
    app = make_app(tmp_path)
    add_staff(app)
    server = LiveServer(app).start()
    try:
        ticket = server.post("/api/tickets", json={"service": "REKAM"}).json()["ticket"]
        headers = server.login()
        server.post("/api/counters/1/next", headers=headers).raise_for_status()
        server.post(f"/api/tickets/{ticket['id']}/done", headers=headers).raise_for_status()
        start = threading.Barrier(8)
        statuses: list[int] = []

        def submit(index: int) -> None:
            import requests

            body = {"token": ticket["token"]} if index % 2 else {"number": ticket["number"]}
            start.wait()
            answer = requests.post(server.url + "/api/surveys", json={**body, "answers": ALL_GOOD}, timeout=10)
            statuses.append(answer.status_code)

        threads = [threading.Thread(target=submit, args=(index,)) for index in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201] + [409] * 7
        assert len(stored(app)) == 1
        db = app.extensions["kiosk"].db
        assert db.conn.execute("SELECT COUNT(*) FROM survey_tickets").fetchone()[0] == 1
    finally:
        server.stop()


# ---------------------------------------------------------------- report


def test_the_skm_report_counts_the_period_and_the_service(app, client, staff_client):
    a1, a2, b1 = issue(client), issue(client), issue(client, "CETAK")
    finish(staff_client, a1)
    finish(staff_client, a2)
    finish(staff_client, b1, counter=2)
    client.post("/api/surveys", json={"token": a1["token"], "answers": [4, 3, 3, 4, 3, 4, 3, 4, 3]})
    client.post(
        "/api/surveys",
        json={"number": "B-001", "answers": [2, 3, 3, 4, 3, 4, 3, 4, 3], "profile": {"gender": "L", "job": "swasta"}},
    )
    boss = admin(app)

    whole = boss.get("/api/reports/skm?from=2026-11-25&to=2026-11-25").get_json()
    # Element means 3, 3, 3, 4, 3, 4, 3, 4, 3 -> weighted mean 30/9; IKM = 83.33 (B).
    assert {key: whole[key] for key in ("respondents", "ikm", "grade")} == {
        "respondents": 2,
        "ikm": 83.33,
        "grade": "B",
    }
    assert [(row["element"], row["mean"], row["grade"]) for row in whole["elements"]] == [
        ("persyaratan", 3.0, "C"),
        ("prosedur", 3.0, "C"),
        ("waktu", 3.0, "C"),
        ("biaya", 4.0, "A"),
        ("produk", 3.0, "C"),
        ("kompetensi", 4.0, "A"),
        ("perilaku", 3.0, "C"),
        ("pengaduan", 4.0, "A"),
        ("sarana", 3.0, "C"),
    ]
    assert (whole["population"], whole["sample_size"]) == (3, 3)
    assert whole["channels"] == {"phone": 1, "kiosk": 1}
    gender = next(part for part in whole["profile"] if part["part"] == "gender")
    assert [(o["code"], o["count"]) for o in gender["options"]] == [("L", 1), ("P", 0)]
    assert gender["unanswered"] == 1

    rekam = boss.get("/api/reports/skm?from=2026-11-25&to=2026-11-25&service=REKAM").get_json()
    assert (rekam["respondents"], rekam["ikm"], rekam["population"]) == (1, 86.11, 2)
    empty = boss.get("/api/reports/skm?from=2026-11-01&to=2026-11-24").get_json()
    assert (empty["respondents"], empty["ikm"], empty["grade"], empty["population"]) == (0, None, None, 0)


@pytest.mark.parametrize(
    "query, status, code",
    [
        ("", 400, "bad_request"),
        ("?from=2026-11-25", 400, "bad_request"),
        ("?from=2026-11-26&to=2026-11-25", 400, "bad_request"),
        ("?from=2025-01-01&to=2026-11-25", 400, "bad_request"),
        ("?from=25-11-2026&to=2026-11-25", 400, "bad_request"),
        ("?from=2026-11-25&to=2026-11-25&service=NOPE", 404, "unknown_service"),
    ],
)
def test_the_skm_report_refuses_bad_periods(app, query, status, code):
    assert error(admin(app).get("/api/reports/skm" + query)) == (status, code)


def test_the_skm_excel_has_the_office_header_ikm_and_suggestions(app, client, staff_client):
    ticket = issue(client)
    finish(staff_client, ticket)
    client.post("/api/surveys", json={"token": ticket["token"], "answers": [4] * 9, "suggestion": "=1+1 jangan rumus"})
    answer = admin(app).get("/api/reports/skm.xlsx?from=2026-11-01&to=2026-11-25")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="laporan-skm-2026-11-01-2026-11-25.xlsx"'
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["IKM", "Profil responden", "Saran"]
    values = [[cell for cell in row if cell is not None] for row in book["IKM"].iter_rows(values_only=True)]
    assert values[0] == ["Kantor Kecamatan Selat"]
    assert values[2] == ["Periode: 1 November 2026 s.d. 25 November 2026"]
    assert ["Indeks Kepuasan Masyarakat (IKM)", 100, "A (Sangat Baik)"] in values
    assert [1, "Persyaratan", 4, "A", "Sangat Baik"] in values
    assert book["Saran"]["A7"].value == "=1+1 jangan rumus" and book["Saran"]["A7"].data_type == "s"
    assert book["Saran"]["B7"].value == 1


def test_the_skm_page_shows_the_report_and_refuses_counter_staff(app, client, staff_client):
    ticket = issue(client)
    finish(staff_client, ticket)
    client.post("/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD, "suggestion": "<b>Bagus</b>"})
    page = admin(app).get("/admin/skm?from=2026-11-01&to=2026-11-25")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Indeks Kepuasan Masyarakat" in html and "88,89" in html and "Sangat Baik" in html
    assert "&lt;b&gt;Bagus&lt;/b&gt;" in html and "<b>Bagus</b>" not in html
    assert "A-001" not in html and ticket["token"] not in html
    bad = admin(app).get("/admin/skm?from=2026-11-26&to=2026-11-01")
    assert bad.status_code == 400 and "Tanggal awal tidak boleh sesudah tanggal akhir." in bad.get_data(as_text=True)
    _, headers = staff_client
    assert staff_client[0].get("/admin/skm").status_code == 403


# ---------------------------------------------------------------- demo office


def test_the_demo_office_gets_weeks_of_responses_once(app, clock):
    from kiosk.cli import _seed_demo

    runtime = app.extensions["kiosk"]
    _seed_demo(runtime)
    db = runtime.db
    days = [row[0] for row in db.conn.execute("SELECT DISTINCT day FROM survey_responses ORDER BY day")]
    assert days[0] == "2026-10-28" and days[-1] == "2026-11-24"  # the four weeks before today (a Wednesday)
    assert "2026-11-22" not in days  # a Sunday: closed
    report = admin(app).get("/api/reports/skm?from=2026-10-28&to=2026-11-24").get_json()
    assert report["respondents"] > report["sample_size"] > 250 and report["population"] > 900
    assert report["grade"] in ("A", "B") and 76.61 <= report["ikm"] <= 100
    assert report["needs_improvement"][0]["element"] in ("waktu", "sarana", "pengaduan")
    assert report["suggestions"]
    served = db.conn.execute("SELECT COUNT(*) FROM tickets WHERE day < '2026-11-25' AND status = 'done'").fetchone()[0]
    assert served == report["population"]
    daily = admin(app).get("/api/reports/daily?date=2026-11-24").get_json()  # the queue reports see the past too
    assert sum(row["served"] for row in daily["services"]) > 0

    before = len(stored(app))
    _seed_demo(runtime)  # a second start adds nothing
    assert len(stored(app)) == before


def test_the_display_shows_the_latest_ikm_only_when_configured(tmp_path, clock):
    from kiosk.cli import _seed_demo

    for flag in (False, True):
        app = make_app(tmp_path / str(flag), clock=clock, survey__show_on_display=flag, survey__display_days=30)
        try:
            client = app.test_client()
            assert "ikm-badge" not in client.get("/display").get_data(as_text=True)  # no responses yet
            _seed_demo(app.extensions["kiosk"])
            page = client.get("/display").get_data(as_text=True)
            if flag:
                report = admin_client_for(app).get("/api/reports/skm?from=2026-10-27&to=2026-11-25").get_json()
                shown = f"{report['ikm']:.2f}".replace(".", ",")
                assert f'<span class="ikm-value">{shown}</span>' in page
                assert f"{report['grade']} &middot; " in page
            else:
                assert "ikm-badge" not in page
        finally:
            app.extensions["kiosk"].stop()


def admin_client_for(app):
    add_staff(app, "kepala", "rahasia-Admin1", "admin")
    return admin(app)


def test_answering_by_number_is_limited_per_kiosk_pc(app, client):
    from kiosk.web.surveys import KIOSK_NUMBER_TRIES

    for _ in range(KIOSK_NUMBER_TRIES):
        assert client.post("/api/surveys/check", json={"number": "A-001"}).status_code == 404
    answer = client.post("/api/surveys", json={"number": "A-001", "answers": ALL_GOOD})
    assert error(answer) == (429, "rate_limited")
    assert 1 <= int(answer.headers["Retry-After"]) <= 600
    other = app.test_client()  # another kiosk PC is not held back
    assert (
        other.post("/api/surveys/check", json={"number": "A-001"}, environ_base={"REMOTE_ADDR": "::1"}).status_code
        == 404
    )


def test_listed_kiosk_pcs_alone_answer_by_number(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, status__kiosk_addresses=["192.168.1.21"])
    add_staff(app)
    try:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "192.168.1.21"  # the kiosk PC
        ticket = issue(client)
        login = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"}).get_json()
        finish((client, {"X-CSRF-Token": login["csrf_token"]}), ticket)
        phone = {"REMOTE_ADDR": "192.168.1.77"}
        assert error(
            client.post("/api/surveys", json={"number": "A-001", "answers": ALL_GOOD}, environ_base=phone)
        ) == (403, "not_a_kiosk")
        assert (
            client.post(
                "/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD}, environ_base=phone
            ).status_code
            == 201
        )  # the phone's own link still works
        kiosk = {"REMOTE_ADDR": "192.168.1.21"}
        assert error(client.post("/api/surveys/check", json={"number": "A-001"}, environ_base=kiosk)) == (
            409,
            "already_answered",
        )
    finally:
        app.extensions["kiosk"].stop()


def test_a_nik_written_with_separators_in_a_suggestion_is_not_kept(app, client, staff_client):
    ticket = issue(client)
    finish(staff_client, ticket)
    suggestion = "NIK saya 6203/0117/0890/0001, KK 6203 0101.0215-0003, HP 0812_3456_7890; loket 2 pukul 10.30 ramah"
    answer = client.post("/api/surveys", json={"token": ticket["token"], "answers": ALL_GOOD, "suggestion": suggestion})
    assert answer.status_code == 201
    kept = stored(app)[0]["suggestion"]
    assert "0001" not in kept and "0890" not in kept and "7890" not in kept, kept
    assert kept == ("NIK saya [angka dihapus], KK [angka dihapus], HP [angka dihapus]; loket 2 pukul 10.30 ramah")
