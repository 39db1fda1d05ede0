"""The regency's Flask app: ingest and status pull for offices (bearer key), overview for regency staff."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import math
import os
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
import xlsxwriter
from flask import Flask, current_app, g, jsonify, redirect, render_template_string, request, session
from psycopg_pool import ConnectionPool
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.domain import disruptions as disruption_rules
from kiosk.domain import survey
from kiosk.domain.errors import KioskError
from kiosk.domain.passwords import password_problem
from kiosk.domain.queue import MONTH_NAMES
from kiosk.domain.staff import USERNAME_RULE, username_ok
from kiosk.files.siak import ImportProblem
from kiosk.regency import siak, store
from kiosk.regency.store import Event, RegencyError
from kiosk.web.common import HTTP_CODES, error_response, json_body
from kiosk.web.limits import LoginGuard

log = logging.getLogger(__name__)

MAX_BATCH_EVENTS = 1000
MAX_BODY_BYTES = 2_000_000
MAX_IMPORT_BYTES = 50_000_000
MAX_PULL = 5000
MAX_EVENT_ID = 64
TICKET_KINDS = (
    "ticket_issued",
    "ticket_called",
    "ticket_recalled",
    "ticket_served",
    "ticket_done",
    "ticket_no_show",
    "ticket_cancelled",
    "ticket_transferred",
    "ticket_requeued",
    "ticket_expired",
)
KINDS = (*TICKET_KINDS, "day_summary", "survey_response", "disruption", "closure")
# Keys that would carry something personal (or a ticket's secret): an event holding one is refused whole.
PERSONAL_KEYS = frozenset(
    {
        "token",
        "nik",
        "kk",
        "no_kk",
        "nomor_kk",
        "name",
        "nama",
        "phone",
        "telepon",
        "hp",
        "no_hp",
        "whatsapp",
        "email",
        "address",
        "alamat",
        "birth_date",
        "tanggal_lahir",
    }
)
IDLE_SECONDS = 8 * 3600

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _throttled(username: str) -> None:
    wait = current_app.extensions["regency"]["throttle"].attempt(username.strip(), request.remote_addr or "-")
    if wait:
        raise RateLimited(wait)


class RateLimited(RegencyError):
    def __init__(self, wait: int):
        super().__init__(
            "rate_limited", f"Terlalu banyak percobaan masuk. Coba lagi dalam {math.ceil(wait / 60)} menit.", 429
        )
        self.wait = wait


def _zone() -> ZoneInfo:
    name = os.environ.get("KIOSK_REGENCY_TIMEZONE", "Asia/Jakarta")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RegencyError("config_error", f"KIOSK_REGENCY_TIMEZONE {name!r} is not a time zone", 500) from None


def disruption_label(code: str) -> str:
    """Say an office's disruption in words: its code is ``<reason>-<id>`` ("blanko-12" -> "Blanko KTP-el habis")."""
    reason = code.rsplit("-", 1)[0]
    return disruption_rules.label(reason) if reason in disruption_rules.LABELS else code


def create_app(pool: ConnectionPool, clock: Callable[[], datetime] | None = None) -> Flask:
    """Return the regency app on an open pool whose database ``kiosk regency init`` has prepared."""
    app = Flask(__name__)
    app.jinja_env.filters["disruption_label"] = disruption_label
    try:
        with pool.connection() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()
    except psycopg.errors.UndefinedTable:
        row = None
    if row is None:
        raise RegencyError("not_initialised", "run `kiosk regency init` first", 500)
    app.config.update(
        SECRET_KEY=row[0],
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="regency_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    app.extensions["regency"] = {
        "pool": pool,
        "clock": clock or (lambda: datetime.now(UTC)),
        "zone": _zone(),
        "throttle": LoginGuard(),
    }
    _routes(app)
    return app


def _pool() -> ConnectionPool:
    return current_app.extensions["regency"]["pool"]


def _now() -> datetime:
    return current_app.extensions["regency"]["clock"]()


# Offices: a bearer key per office


def _office_from_key() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise RegencyError("office_key_required", "Kunci kantor diperlukan (Authorization: Bearer).", 401)
    with _pool().connection() as conn:
        office = store.office_for_key(conn, key.strip())
    if office is None:
        raise RegencyError("bad_office_key", "Kunci kantor tidak dikenal.", 401)
    return office


def _has_personal_key(value: Any, depth: int = 0) -> str | None:
    if depth > 8:
        raise RegencyError("bad_event", "Data peristiwa terlalu bertingkat.")
    if isinstance(value, dict):
        for key, item in value.items():
            if key.lower() in PERSONAL_KEYS:
                return key
            if (found := _has_personal_key(item, depth + 1)) is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            if (found := _has_personal_key(item, depth + 1)) is not None:
                return found
    return None


def _has_nul(value: Any) -> bool:
    """PostgreSQL text and jsonb cannot hold U+0000: such input is refused as bad, never a 500."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _storable(text: str) -> bool:
    """Text PostgreSQL can take as a parameter: no NUL, valid Unicode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _event(index: int, raw: Any) -> Event:
    where = f"Peristiwa ke-{index + 1}"
    if not isinstance(raw, dict):
        raise RegencyError("bad_event", f"{where} harus berupa objek JSON.")
    event_id, kind, at = raw.get("id"), raw.get("kind"), raw.get("at")
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= MAX_EVENT_ID:
        raise RegencyError("bad_event", f"{where}: id wajib berupa teks 1-{MAX_EVENT_ID} karakter.")
    if kind not in KINDS:
        raise RegencyError("bad_event", f"{where}: jenis peristiwa tidak dikenal.")
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not 2000 <= moment.year <= 2100:
        raise RegencyError("bad_event", f"{where}: waktu (at) harus ISO 8601 dengan zona waktu.")
    if (personal := _has_personal_key(raw)) is not None:
        raise RegencyError("personal_data", f"{where} memuat data pribadi ({personal[:20]}); tidak diterima.")
    if _has_nul(raw):
        raise RegencyError("bad_event", f"{where} memuat karakter NUL.")
    try:  # what PostgreSQL's jsonb cannot hold: NaN or Infinity, and text that is not Unicode (lone surrogates)
        json.dumps(raw, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError:
        raise RegencyError("bad_event", f"{where} memuat angka atau teks yang tidak sah.") from None
    if kind in TICKET_KINDS and (not isinstance(raw.get("number"), str) or not 1 <= len(raw["number"]) <= 16):
        raise RegencyError("bad_event", f"{where}: nomor antrean (number) wajib diisi.")
    if kind == "disruption" and (
        not isinstance(raw.get("code"), str)
        or not 1 <= len(raw["code"]) <= 40
        or not isinstance(raw.get("active", True), bool)
    ):
        raise RegencyError("bad_event", f"{where}: gangguan memerlukan kode (code) dan active true/false.")
    if kind == "survey_response" and not all(
        type(raw.get(code)) is int and 1 <= raw[code] <= 4 for code in survey.ELEMENT_CODES
    ):
        raise RegencyError("bad_event", f"{where}: survei memerlukan jawaban 1-4 untuk setiap unsur.")
    if kind == "day_summary" and not all(
        type(raw.get(key)) is int and 0 <= raw[key] <= 1_000_000 for key in ("issued", "served", "no_show")
    ):
        raise RegencyError("bad_event", f"{where}: ringkasan harian memerlukan issued, served, no_show (bilangan).")
    if kind in ("day_summary", "survey_response", "closure") and not _is_day(raw.get("day")):
        raise RegencyError("bad_event", f"{where}: tanggal (day) harus berbentuk YYYY-MM-DD.")
    data = {key: value for key, value in raw.items() if key not in ("id", "kind", "at")}
    return Event(event_id, kind, moment, data)


def month_title(month: str) -> str:
    """2026-12 -> Desember 2026."""
    return f"{MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


def month_workbook(month: str, rows: list[dict]) -> bytes:
    """The month across offices as an Excel workbook (xlsxwriter, as the office's reports)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(month)
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, f"Antrean KTP-el semua kecamatan: {month_title(month)}", bold)
    headings = (
        "Kode",
        "Kantor",
        "Hari dilaporkan",
        "Nomor diambil",
        "Selesai dilayani",
        "Tidak hadir",
        "Responden survei",
        "IKM",
        "Mutu",
    )
    sheet.write_row(2, 0, headings, bold)
    for index, r in enumerate(rows, start=3):
        sheet.write_row(
            index,
            0,
            (
                r["office"],
                r["name"],
                r["days_reported"],
                r["issued"],
                r["served"],
                r["no_show"],
                r["survey"]["respondents"],
                r["survey"]["ikm"] or "",
                r["survey"]["grade"] or "",
            ),
        )
    total = len(rows) + 3
    sheet.write(total, 0, "Jumlah", bold)
    for column, key in ((3, "issued"), (4, "served"), (5, "no_show")):
        sheet.write_number(total, column, sum(r[key] for r in rows), bold)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 8, 14)
    book.close()
    return out.getvalue()


def _is_day(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and date.fromisoformat(value) is not None
    except ValueError:
        return False


# Staff: session cookie + CSRF token, as at the office


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_staff() -> dict | None:
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    with _pool().connection() as conn:
        row = conn.execute(
            "UPDATE staff_sessions s SET last_seen_at = now() FROM staff"
            " WHERE s.token_hash = %s AND staff.id = s.staff_id"
            "   AND s.last_seen_at > now() - make_interval(secs => %s)"
            "   AND s.started_at > now() - interval '12 hours'"
            " RETURNING staff.id, staff.username, staff.role",
            (_token_hash(token), IDLE_SECONDS),
        ).fetchone()
    if row is None:
        session.clear()
        return None
    return dict(zip(("id", "username", "role"), row, strict=True))


def staff_required(role: str | None = None) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                raise RegencyError("login_required", "Silakan masuk terlebih dahulu.", 401)
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                sent = request.headers.get("X-CSRF-Token", "")
                if not hmac.compare_digest(sent.encode(), session.get("csrf", "").encode()):
                    raise RegencyError("csrf_failed", "Sesi tidak valid. Muat ulang halaman lalu coba lagi.", 403)
            if role and staff["role"] != role:
                raise RegencyError("forbidden", "Anda tidak berwenang melakukan ini.", 403)
            g.staff = staff
            return view(*args, **kwargs)

        return guarded

    return decorate


PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Antrean KTP-el kabupaten</title><link rel="stylesheet" href="/regency/static/regency.css"></head>
<body><header><h1>Antrean KTP-el: semua kecamatan</h1>
{% if staff %}<form method="post" action="/regency/logout"><span>{{ staff.username }} ({{ staff.role }})</span>
<button type="submit">Keluar</button></form>{% endif %}</header><main>
{% if staff %}
<p>Hari ini, {{ today }} ({{ zone }}). Waktu tunggu: dari nomor diambil sampai pertama dipanggil.</p>
<table><thead><tr><th scope="col">Kode</th><th scope="col">Kantor</th><th scope="col">Kontak terakhir</th>
<th scope="col" class="n">Nomor diambil</th><th scope="col" class="n">Selesai dilayani</th>
<th scope="col" class="n">Menunggu</th><th scope="col" class="n">Median tunggu (menit)</th>
<th scope="col" class="n">P90 tunggu (menit)</th>
<th scope="col">Keadaan</th><th scope="col">Gangguan</th><th scope="col" class="n">IKM bulan ini</th></tr></thead><tbody>
{% for o in offices %}<tr{% if o.lag_seconds is none or o.lag_seconds > 900 %} class="late"{% endif %}>
<td>{{ o.office }}</td><td><a href="/regency/office/{{ o.office }}">{{ o.name }}</a></td>
<td>{% if o.last_contact %}{{ o.last_contact[11:16] if o.last_contact[:10] == today else o.last_contact[:16].replace("T", " ") }}{% if o.lag_seconds > 900 %} (terlambat){% endif %}{% else %}belum pernah{% endif %}</td>
<td class="n">{{ o.today.issued }}</td><td class="n">{{ o.today.served }}</td><td class="n">{{ o.today.waiting }}</td>
<td class="n">{{ ("%.1f"|format(o.today.median_wait_minutes)).replace(".", ",") if o.today.median_wait_minutes is not none else "–" }}</td>
<td class="n">{{ ("%.1f"|format(o.today.p90_wait_minutes)).replace(".", ",") if o.today.p90_wait_minutes is not none else "–" }}</td>
<td>{% if o.closed %}<span class="closed">Tutup</span>{% elif o.disrupted %}<span class="disrupted">Terganggu</span>{% else %}Buka{% endif %}{% if o.closed_services %} (tutup: {{ o.closed_services | join(", ") }}){% endif %}</td>
<td>{{ o.disrupted | map("disruption_label") | join(", ") or "–" }}</td>
<td class="n">{% if o.ikm_month.ikm is not none %}{{ ("%.2f"|format(o.ikm_month.ikm)).replace(".", ",") }} ({{ o.ikm_month.grade }}, {{ o.ikm_month.respondents }}){% else %}–{% endif %}</td></tr>
{% else %}<tr><td colspan="11">Belum ada kantor terdaftar.</td></tr>{% endfor %}
</tbody></table>
<p>IKM: indeks kepuasan masyarakat bulan ini (mutu, jumlah responden). Pilih nama kantor untuk melihat tren harian.
<a href="/regency/month">Rekap bulan ini semua kecamatan (Excel, A4)</a></p>
{% else %}
<form method="post" action="/regency/login" class="login"><h2>Masuk</h2>
{% if failed == "limited" %}<p role="alert" class="problem">Terlalu banyak percobaan masuk. Coba lagi dalam
beberapa menit.</p>{% elif failed %}<p role="alert" class="problem">Nama pengguna atau kata sandi salah.</p>{% endif %}
<label for="username">Nama pengguna</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Kata sandi</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<button type="submit">Masuk</button></form>
{% endif %}</main></body></html>"""
OFFICE_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ name }}: tren harian</title><link rel="stylesheet" href="/regency/static/regency.css"></head>
<body><header><h1>{{ name }} ({{ code }}): 30 hari terakhir</h1>
<form method="post" action="/regency/logout"><span>{{ staff.username }} ({{ staff.role }})</span>
<button type="submit">Keluar</button></form></header><main>
<p><a href="/regency/">Kembali ke semua kecamatan</a>. Angka dari laporan harian kantor sendiri, dikirim setelah
hari itu berakhir; waktu tunggu dari nomor diambil sampai pertama dipanggil.</p>
<table><thead><tr><th scope="col">Tanggal</th><th scope="col" class="n">Nomor diambil</th>
<th scope="col" class="n">Selesai dilayani</th><th scope="col" class="n">Tidak hadir</th>
<th scope="col">Tunggu per layanan: median / P90 (menit)</th>
<th scope="col" class="n">Responden survei</th><th scope="col" class="n">IKM</th></tr></thead><tbody>
{% for d in days %}<tr><td>{{ d.date }}</td>
<td class="n">{{ d.issued if d.issued is not none else "–" }}</td><td class="n">{{ d.served if d.served is not none else "–" }}</td>
<td class="n">{{ d.no_show if d.no_show is not none else "–" }}</td>
<td>{% for code, median, p90 in d.waits %}{{ code }} {{ ("%.1f"|format(median)).replace(".", ",") if median is not none else "–" }} / {{ ("%.1f"|format(p90)).replace(".", ",") if p90 is not none else "–" }}{% if not loop.last %}; {% endif %}{% else %}–{% endfor %}</td>
<td class="n">{{ d.survey.respondents }}</td>
<td class="n">{% if d.survey.ikm is not none %}{{ ("%.2f"|format(d.survey.ikm)).replace(".", ",") }} ({{ d.survey.grade }}){% else %}–{% endif %}</td></tr>
{% else %}<tr><td colspan="7">Belum ada ringkasan harian dari kantor ini.</td></tr>{% endfor %}
</tbody></table></main></body></html>"""
MONTH_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Antrean KTP-el kabupaten: {{ title }}</title><link rel="stylesheet" href="/regency/static/regency.css"></head>
<body><header><h1>Antrean KTP-el semua kecamatan: {{ title }}</h1>
<form method="post" action="/regency/logout"><span>{{ staff.username }} ({{ staff.role }})</span>
<button type="submit">Keluar</button></form></header><main>
<p class="noprint"><a href="/regency/">Kembali ke semua kecamatan</a> ·
<a href="/regency/month.xlsx?month={{ month }}">Unduh Excel</a> · Cetak halaman ini untuk A4.</p>
<table><thead><tr><th scope="col">Kode</th><th scope="col">Kantor</th><th scope="col" class="n">Hari dilaporkan</th>
<th scope="col" class="n">Nomor diambil</th><th scope="col" class="n">Selesai dilayani</th>
<th scope="col" class="n">Tidak hadir</th><th scope="col" class="n">Responden survei</th>
<th scope="col" class="n">IKM</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.office }}</td><td>{{ r.name }}</td><td class="n">{{ r.days_reported }}</td>
<td class="n">{{ r.issued }}</td><td class="n">{{ r.served }}</td><td class="n">{{ r.no_show }}</td>
<td class="n">{{ r.survey.respondents }}</td>
<td class="n">{% if r.survey.ikm is not none %}{{ ("%.2f"|format(r.survey.ikm)).replace(".", ",") }} ({{ r.survey.grade }}){% else %}–{% endif %}</td></tr>
{% endfor %}</tbody><tfoot><tr><th scope="row" colspan="3">Jumlah</th><td class="n">{{ totals.issued }}</td>
<td class="n">{{ totals.served }}</td><td class="n">{{ totals.no_show }}</td><td colspan="2"></td></tr></tfoot></table>
<p>Angka dari ringkasan harian tiap kantor (laporan hariannya sendiri), dikirim setelah hari itu berakhir;
IKM dari jawaban survei kepuasan bulan ini (Permenpan RB 14/2017).</p></main></body></html>"""
STYLE = (
    "body{font-family:'DejaVu Sans',sans-serif;margin:0;color:#111;background:#fff}"
    "header{display:flex;justify-content:space-between;align-items:center;background:#0b3d6e;color:#fff;"
    "padding:8px 24px}header h1{font-size:22px;margin:0}header button{margin-left:12px}"
    "main{padding:12px 24px}table{border-collapse:collapse;width:100%;font-size:15px}"
    "th,td{border:1px solid #8a8a8a;padding:5px 8px;text-align:left}th{background:#e3ebf4}"
    "td.n,th.n{text-align:right}td.n{white-space:nowrap}tr.late td{background:#fff4d6}"
    "form.login{display:flex;flex-direction:column;max-width:320px;gap:6px}"
    "input,button{font-size:16px;padding:6px}.problem{color:#9b1c1c}"
    "a{color:#0b3d6e}.closed{color:#9b1c1c;font-weight:bold}.disrupted{color:#7a4a00;font-weight:bold}"
    "tfoot td,tfoot th{font-weight:bold;background:#f2f2f2}"
    "@page{size:A4 landscape;margin:12mm}"
    "@media print{header{background:none;color:#000;padding:0}header form,.noprint{display:none}"
    "main{padding:0}table{font-size:11pt}th{background:#eee}}"
)


def _routes(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.update(SECURITY_HEADERS)
        if request.path.startswith("/regency/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(KioskError)
    def kiosk_error(exc: KioskError):
        response = error_response(exc.code, exc.message, exc.status)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code, message = HTTP_CODES.get(exc.code or 400, HTTP_CODES[400])
        return error_response(code, message, exc.code or 400)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("regency: unexpected error on %s %s", request.method, request.path)
        return error_response("internal_error", "Terjadi kesalahan di server kabupaten.", 500)

    @app.post("/regency/api/batches")
    def batches():
        office = _office_from_key()
        body = json_body(check_text=False)
        if not isinstance(body.get("office"), str):
            raise RegencyError("bad_request", "Kode kantor (office) wajib diisi.")
        if body["office"] != office:
            raise RegencyError("wrong_office", "Kunci ini bukan milik kantor tersebut.", 403)
        raw = body.get("events")
        if not isinstance(raw, list):
            raise RegencyError("bad_request", "Daftar peristiwa (events) wajib berupa larik.")
        if len(raw) > MAX_BATCH_EVENTS:
            raise RegencyError("batch_too_large", f"Paling banyak {MAX_BATCH_EVENTS} peristiwa per kiriman.", 413)
        events = [_event(index, item) for index, item in enumerate(raw)]
        with _pool().connection() as conn:
            accepted, duplicates = store.ingest(conn, office, events)
        return jsonify({"accepted": accepted, "duplicates": duplicates})

    @app.get("/regency/api/status-records")
    def status_records():
        office = _office_from_key()
        since_text = request.args.get("since", "0")
        if not since_text.isdigit() or len(since_text) > 18:
            raise RegencyError("bad_request", "Parameter since harus bilangan bulat tidak negatif.")
        with _pool().connection() as conn:
            records = store.status_records_since(conn, office, int(since_text), MAX_PULL)
            store.touch_office(conn, office)
        cursor = records[-1]["cursor"] if records else int(since_text)
        return jsonify({"records": records, "cursor": cursor, "more": len(records) == MAX_PULL})

    @app.post("/regency/api/login")
    def login():
        body = json_body(check_text=False)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            raise RegencyError("bad_request", "Isi nama pengguna dan kata sandi.")
        if len(username) > 64 or len(password) > 1024 or not _storable(username) or not _storable(password):
            raise RegencyError("bad_credentials", "Nama pengguna atau kata sandi salah.", 401)
        _throttled(username)
        with _pool().connection() as conn:
            staff = store.get_staff(conn, username.strip())
            if not check_password_hash(staff["password_hash"] if staff else _DUMMY_HASH, password) or not staff:
                raise RegencyError("bad_credentials", "Nama pengguna atau kata sandi salah.", 401)
            current_app.extensions["regency"]["throttle"].succeeded(username.strip(), request.remote_addr or "-")
            token = secrets.token_urlsafe(32)
            with conn.transaction():
                conn.execute("DELETE FROM staff_sessions WHERE started_at < now() - interval '2 days'")
                conn.execute(
                    "INSERT INTO staff_sessions (token_hash, staff_id) VALUES (%s, %s)",
                    (_token_hash(token), staff["id"]),
                )
        session.clear()
        session.permanent = True
        session.update(sid=token, csrf=secrets.token_urlsafe(24))
        return jsonify(
            {
                "csrf_token": session["csrf"],
                "user": {"id": staff["id"], "username": staff["username"], "role": staff["role"]},
            }
        )

    @app.post("/regency/api/logout")
    def logout():
        token = session.get("sid")
        if isinstance(token, str):
            with _pool().connection() as conn, conn.transaction():
                conn.execute("DELETE FROM staff_sessions WHERE token_hash = %s", (_token_hash(token),))
        session.clear()
        return jsonify({"ok": True})

    @app.get("/regency/api/offices")
    @staff_required()
    def offices():
        extension = current_app.extensions["regency"]
        with _pool().connection() as conn:
            return jsonify(store.overview(conn, _now(), extension["zone"]))

    @app.get("/regency/api/offices/<code>/days")
    @staff_required()
    def office_days(code: str):
        today = _now().astimezone(current_app.extensions["regency"]["zone"]).date()
        try:
            last = date.fromisoformat(request.args.get("to", today.isoformat()))
            first = date.fromisoformat(request.args.get("from", (last - timedelta(days=30)).isoformat()))
        except ValueError:
            raise RegencyError("bad_request", "Tanggal from/to harus berbentuk YYYY-MM-DD.") from None
        if not first <= last or (last - first).days > 366:
            raise RegencyError("bad_request", "Rentang tanggal paling lama 367 hari, from sebelum to.")
        with _pool().connection() as conn:
            if conn.execute("SELECT 1 FROM offices WHERE code = %s", (code,)).fetchone() is None:
                raise RegencyError("not_found", "Kantor tidak ditemukan.", 404)
            return jsonify(
                {
                    "office": code,
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "days": store.office_days(conn, code, first, last),
                }
            )

    def _month() -> tuple[str, date, date]:
        text = request.args.get("month") or _now().astimezone(current_app.extensions["regency"]["zone"]).strftime(
            "%Y-%m"
        )
        try:
            first = date.fromisoformat(text + "-01") if len(text) == 7 else None
        except ValueError:
            first = None
        if first is None:
            raise RegencyError("bad_request", "Bulan harus berbentuk YYYY-MM.")
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return text, first, last

    @app.get("/regency/api/month")
    @staff_required()
    def month_json():
        text, first, last = _month()
        with _pool().connection() as conn:
            return jsonify({"month": text, "offices": store.month_across(conn, first, last)})

    @app.get("/regency/month.xlsx")
    @staff_required()
    def month_xlsx():
        text, first, last = _month()
        with _pool().connection() as conn:
            rows = store.month_across(conn, first, last)
        body = month_workbook(text, rows)
        return current_app.response_class(
            body,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="antrean-kabupaten-{text}.xlsx"'},
        )

    @app.get("/regency/month")
    def month_page():
        staff = current_staff()
        if staff is None:
            return redirect("/regency/", 303)
        text, first, last = _month()
        with _pool().connection() as conn:
            rows = store.month_across(conn, first, last)
        return render_template_string(
            MONTH_PAGE,
            staff=staff,
            month=text,
            title=month_title(text),
            rows=rows,
            totals={key: sum(r[key] for r in rows) for key in ("issued", "served", "no_show")},
        )

    @app.post("/regency/api/users")
    @staff_required("admin")
    def add_user():
        body = json_body(check_text=False)
        username, password, role = body.get("username"), body.get("password"), body.get("role")
        if not username_ok(username):
            raise RegencyError("bad_request", f"Nama pengguna {USERNAME_RULE}.")
        if role not in ("admin", "viewer"):
            raise RegencyError("bad_request", "Peran harus admin atau viewer.")
        if not isinstance(password, str) or not _storable(password):
            raise RegencyError("bad_request", "Kata sandi wajib diisi (teks yang sah).")
        if (problem := password_problem(username, password)) is not None:
            raise RegencyError("weak_password", problem.indonesian)
        with _pool().connection() as conn:
            store.add_staff(conn, username, role, generate_password_hash(password))
        return jsonify({"username": username, "role": role}), 201

    @app.post("/regency/api/status-import")
    @staff_required("admin")
    def status_import():
        request.max_content_length = MAX_IMPORT_BYTES
        data = request.get_data(cache=False)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise RegencyError(
                "bad_import", "Berkas bukan teks UTF-8. Ekspor ulang dari SIAK sebagai CSV UTF-8."
            ) from None
        today = _now().astimezone(current_app.extensions["regency"]["zone"]).date()
        try:
            with _pool().connection() as conn:
                report = siak.import_status(conn, io.StringIO(text, newline=""), today)
        except ImportProblem as exc:
            raise RegencyError("bad_import", exc.message) from None
        return jsonify(
            {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": [
                    {"row": row, "reason": report.messages.get(row, reason)} for row, reason in report.rejected
                ],
            }
        )

    def page(staff: dict | None, failed: bool | str = False, status: int = 200):
        zone = current_app.extensions["regency"]["zone"]
        offices: list[dict] = []
        if staff:
            with _pool().connection() as conn:
                offices = store.overview(conn, _now(), zone)
        return render_template_string(
            PAGE,
            staff=staff,
            offices=offices,
            failed=failed,
            zone=zone.key,
            today=_now().astimezone(zone).date().isoformat(),
        ), status

    @app.get("/regency/")
    def dashboard():
        return page(current_staff())

    @app.get("/regency/office/<code>")
    def office_page(code: str):
        staff = current_staff()
        if staff is None:
            return redirect("/regency/", 303)
        zone = current_app.extensions["regency"]["zone"]
        last = _now().astimezone(zone).date()
        with _pool().connection() as conn:
            row = conn.execute("SELECT name FROM offices WHERE code = %s", (code,)).fetchone()
            if row is None:
                raise RegencyError("not_found", "Kantor tidak ditemukan.", 404)
            days = store.office_days(conn, code, last - timedelta(days=29), last)
        for day in days:  # medians are not additive: each service's, as in the office's own report
            day["waits"] = [
                (r.get("code"), r.get("median_wait_minutes"), r.get("p90_wait_minutes"))
                for r in day["services"] or []
                if r.get("issued") or r.get("served")
            ]
        return render_template_string(OFFICE_PAGE, staff=staff, code=code, name=row[0], days=list(reversed(days)))

    @app.post("/regency/login")
    def form_login():
        """The dashboard's own login form (no script on the page): the same check as the API."""
        username, password = request.form.get("username", ""), request.form.get("password", "")
        staff = None
        if (
            username
            and password
            and len(username) <= 64
            and len(password) <= 1024
            and _storable(username)
            and _storable(password)
        ):
            try:
                _throttled(username)
            except RateLimited as exc:
                response = current_app.make_response(page(None, failed="limited", status=429))
                response.headers["Retry-After"] = str(exc.wait)
                return response
            with _pool().connection() as conn:
                staff = store.get_staff(conn, username.strip())
                if not check_password_hash(staff["password_hash"] if staff else _DUMMY_HASH, password) or not staff:
                    staff = None
                else:
                    current_app.extensions["regency"]["throttle"].succeeded(
                        username.strip(), request.remote_addr or "-"
                    )
                    token = secrets.token_urlsafe(32)
                    with conn.transaction():
                        conn.execute(
                            "INSERT INTO staff_sessions (token_hash, staff_id) VALUES (%s, %s)",
                            (_token_hash(token), staff["id"]),
                        )
        if staff is None:
            return page(None, failed=True, status=401)
        session.clear()
        session.permanent = True
        session.update(sid=token, csrf=secrets.token_urlsafe(24))
        return redirect("/regency/", 303)

    @app.post("/regency/logout")
    def form_logout():
        logout()
        return redirect("/regency/", 303)

    @app.get("/regency/static/regency.css")
    def style():
        return current_app.response_class(STYLE, mimetype="text/css")
