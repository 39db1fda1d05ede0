"""What the regency stores: offices and their keys, ingested events, staff, SIAK status records."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from kiosk.domain import survey
from kiosk.domain.errors import KioskError
from kiosk.domain.status import Application

OFFICE_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")  # kode wilayah of a kecamatan: province.regency.kecamatan
MAX_OFFICE_NAME = 80


class RegencyError(KioskError):
    """An operator or API mistake at the regency; ``reason`` is English; the command line says ``message``."""

    def __init__(self, code: str, message: str, status: int = 400, reason: str = ""):
        super().__init__(message, code=code, status=status)
        self.reason = reason or message


def key_hash(key: str) -> str:
    """An office key is 256 random bits, so one SHA-256 suffices (no password stretching is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def add_office(conn: psycopg.Connection, code: str, name: str) -> str:
    """Register an office; return its key (shown once: only its hash is stored)."""
    if not OFFICE_CODE.fullmatch(code):
        raise RegencyError(
            "bad_office_code",
            "Kode kecamatan harus berbentuk 62.03.01.",
            reason="CODE must be a kode wilayah like 62.03.01",
        )
    name = " ".join(name.split())
    if not name or len(name) > MAX_OFFICE_NAME or not name.isprintable():
        raise RegencyError(
            "bad_office_name",
            "Nama kantor tidak valid.",
            reason=f"NAME must be 1-{MAX_OFFICE_NAME} printable characters",
        )
    key = "rk_" + secrets.token_urlsafe(32)
    with conn.transaction():
        inserted = conn.execute(
            "INSERT INTO offices (code, name, key_hash) VALUES (%s, %s, %s) ON CONFLICT (code) DO NOTHING",
            (code, name, key_hash(key)),
        ).rowcount
    if not inserted:
        raise RegencyError(
            "office_exists", "Kantor ini sudah terdaftar.", 409, reason=f"office {code} is already registered"
        )
    return key


def office_for_key(conn: psycopg.Connection, key: str) -> str | None:
    row = conn.execute("SELECT code FROM offices WHERE key_hash = %s", (key_hash(key),)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class Event:
    event_id: str
    kind: str
    at: datetime
    data: dict


def ingest(conn: psycopg.Connection, office: str, events: list[Event]) -> tuple[int, int]:
    """Store a batch in one transaction, each (office, event id) once; return (accepted, duplicates)."""
    with conn.transaction():
        accepted = conn.execute(
            "INSERT INTO events (office, event_id, kind, at, data)"
            " SELECT %s, e.event_id, e.kind, e.at, e.data::jsonb"
            " FROM unnest(%s::text[], %s::text[], %s::timestamptz[], %s::text[]) AS e(event_id, kind, at, data)"
            " ON CONFLICT ON CONSTRAINT events_once DO NOTHING",
            (
                office,
                [e.event_id for e in events],
                [e.kind for e in events],
                [e.at for e in events],
                [json.dumps(e.data, ensure_ascii=False) for e in events],
            ),
        ).rowcount
        conn.execute("UPDATE offices SET last_contact = now() WHERE code = %s", (office,))
    return accepted, len(events) - accepted


def touch_office(conn: psycopg.Connection, office: str) -> None:
    with conn.transaction():
        conn.execute("UPDATE offices SET last_contact = now() WHERE code = %s", (office,))


# A survey response's nine answers summed per group in the database; means and IKM as at the office.
_ELEMENT_SUMS = ", ".join(f"sum((data->>'{code}')::int)" for code in survey.ELEMENT_CODES)
_ELEMENTS_PRESENT = " AND ".join(f"jsonb_typeof(data->'{code}') = 'number'" for code in survey.ELEMENT_CODES)


def _ikm(respondents: int, *sums: int) -> dict:
    """The month's or day's IKM from the count and the answer sums: the office's formula (kiosk.domain.survey)."""
    if not respondents:
        return {"respondents": 0, "ikm": None, "grade": None}
    index = survey.ikm([total / respondents for total in sums])
    return {"respondents": respondents, "ikm": index, "grade": survey.ikm_grade(index).letter}


_WAITING = ("ticket_issued", "ticket_requeued", "ticket_transferred")  # a ticket whose latest event is one waits


def overview(conn: psycopg.Connection, now: datetime, zone: ZoneInfo) -> list[dict]:
    """Every office at a glance: last contact, lag and today's figures (today in ``zone``)."""
    today = now.astimezone(zone).date()
    start = datetime.combine(today, datetime.min.time(), zone)
    end = start + timedelta(days=1)
    offices = conn.execute("SELECT code, name, last_contact FROM offices ORDER BY code").fetchall()
    tickets = {
        row[0]: row[1:]
        for row in conn.execute(
            """
        WITH t AS (
            SELECT office, data->>'number' AS number,
                   min(at) FILTER (WHERE kind = 'ticket_issued') AS issued_at,
                   min(at) FILTER (WHERE kind = 'ticket_called') AS called_at,
                   bool_or(kind = 'ticket_done') AS done,
                   (array_agg(kind ORDER BY at DESC, id DESC))[1] AS latest
            FROM events
            WHERE kind LIKE 'ticket\\_%%' AND at >= %(start)s AND at < %(end)s
            GROUP BY office, data->>'number')
        SELECT office,
               count(*) FILTER (WHERE issued_at IS NOT NULL),
               count(*) FILTER (WHERE done),
               count(*) FILTER (WHERE issued_at IS NOT NULL AND latest = ANY(%(waiting)s)),
               percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at))
                   FILTER (WHERE issued_at IS NOT NULL AND called_at IS NOT NULL),
               percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at))
                   FILTER (WHERE issued_at IS NOT NULL AND called_at IS NOT NULL)
        FROM t GROUP BY office""",
            {"waiting": list(_WAITING), "start": start, "end": end},
        )
    }
    disrupted: dict[str, list[str]] = {}
    for office, code in conn.execute("""
        SELECT office, code FROM (
            SELECT DISTINCT ON (office, data->>'code') office, data->>'code' AS code,
                   coalesce((data->>'active')::boolean, true) AS active
            FROM events WHERE kind = 'disruption'
            ORDER BY office, data->>'code', at DESC, id DESC) latest
        WHERE active ORDER BY office, code"""):
        disrupted.setdefault(office, []).append(code)
    closed: dict[str, list[str | None]] = {}  # office -> closed today: None (the whole office) or service codes
    for office, service, is_open in conn.execute(
        """
        SELECT office, service, is_open FROM (
            SELECT DISTINCT ON (office, coalesce(data->>'service', '')) office, data->>'service' AS service,
                   coalesce((data->>'open')::boolean, true) AS is_open
            FROM events WHERE kind = 'closure' AND office = ANY(%s) AND data->>'day' = %s
            ORDER BY office, coalesce(data->>'service', ''), at DESC, id DESC) latest
        ORDER BY office, service NULLS FIRST""",
        ([row[0] for row in offices], today.isoformat()),
    ):
        if not is_open:
            closed.setdefault(office, []).append(service)
    answers = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT office, count(*), {_ELEMENT_SUMS} FROM events WHERE kind = 'survey_response' AND office = ANY(%s)"
            f" AND data->>'day' BETWEEN %s AND %s AND {_ELEMENTS_PRESENT} GROUP BY office",
            ([row[0] for row in offices], today.replace(day=1).isoformat(), today.isoformat()),
        )
    }
    result = []
    for code, name, last_contact in offices:
        issued, served, waiting, median, p90 = tickets.get(code, (0, 0, 0, None, None))
        result.append(
            {
                "office": code,
                "name": name,
                "last_contact": last_contact.astimezone(zone).isoformat(timespec="seconds") if last_contact else None,
                "lag_seconds": max(0, int((now - last_contact).total_seconds())) if last_contact else None,
                "today": {
                    "issued": issued,
                    "served": served,
                    "waiting": waiting,
                    "median_wait_minutes": round(float(median) / 60, 1) if median is not None else None,
                    "p90_wait_minutes": round(float(p90) / 60, 1) if p90 is not None else None,
                },
                "disrupted": disrupted.get(code, []),
                "closed": None in closed.get(code, []),
                "closed_services": [service for service in closed.get(code, []) if service is not None],
                "ikm_month": _ikm(*answers.get(code, (0,))),
            }
        )
    return result


def office_days(conn: psycopg.Connection, office: str, first: date, last: date) -> list[dict]:
    """One office's days from ``first`` to ``last``: its own day summary (as its daily report) and the IKM of
    the survey responses it sent for that day (kiosk.domain.survey, as at the office)."""
    days: dict[str, dict] = {}
    for day, data in conn.execute(
        "SELECT DISTINCT ON (data->>'day') data->>'day', data FROM events"
        " WHERE office = %s AND kind = 'day_summary' AND data->>'day' BETWEEN %s AND %s"
        " ORDER BY data->>'day', id DESC",
        (office, first.isoformat(), last.isoformat()),
    ):
        days[day] = {"date": day, **{key: data.get(key) for key in ("issued", "served", "no_show", "services")}}
    answers = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT data->>'day', count(*), {_ELEMENT_SUMS} FROM events WHERE office = %s"
            f" AND kind = 'survey_response' AND data->>'day' BETWEEN %s AND %s AND {_ELEMENTS_PRESENT}"
            " GROUP BY 1",
            (office, first.isoformat(), last.isoformat()),
        )
    }
    result = []
    for day in sorted(set(days) | set(answers)):
        result.append(
            {
                **days.get(day, {"date": day, "issued": None, "served": None, "no_show": None, "services": []}),
                "survey": _ikm(*answers.get(day, (0,))),
            }
        )
    return result


def month_across(conn: psycopg.Connection, first: date, last: date) -> list[dict]:
    """Every office over ``first``..``last`` (a month): the sums of its own day summaries and its IKM."""
    offices = conn.execute("SELECT code, name FROM offices ORDER BY code").fetchall()
    codes = [code for code, _ in offices]
    sums = {
        row[0]: row[1:]
        for row in conn.execute(
            """
        SELECT office, count(*), sum((data->>'issued')::int), sum((data->>'served')::int),
               sum((data->>'no_show')::int)
        FROM (SELECT DISTINCT ON (office, data->>'day') office, data FROM events
              WHERE kind = 'day_summary' AND office = ANY(%s) AND data->>'day' BETWEEN %s AND %s
              ORDER BY office, data->>'day', id DESC) latest
        GROUP BY office""",
            (codes, first.isoformat(), last.isoformat()),
        )
    }
    answers = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT office, count(*), {_ELEMENT_SUMS} FROM events WHERE kind = 'survey_response' AND office = ANY(%s)"
            f" AND data->>'day' BETWEEN %s AND %s AND {_ELEMENTS_PRESENT} GROUP BY office",
            (codes, first.isoformat(), last.isoformat()),
        )
    }
    return [
        {
            "office": code,
            "name": name,
            **dict(zip(("days_reported", "issued", "served", "no_show"), sums.get(code, (0, 0, 0, 0)), strict=True)),
            "survey": _ikm(*answers.get(code, (0,))),
        }
        for code, name in offices
    ]


# Staff


def add_staff(conn: psycopg.Connection, username: str, role: str, password_hash: str) -> None:
    with conn.transaction():
        inserted = conn.execute(
            "INSERT INTO staff (username, role, password_hash) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (username, role, password_hash),
        ).rowcount
    if not inserted:
        raise RegencyError(
            "username_taken",
            "Nama pengguna sudah dipakai.",
            409,
            reason=f"username '{username}' is taken (usernames ignore case)",
        )


def get_staff(conn: psycopg.Connection, username: str) -> dict | None:
    row = conn.execute(
        "SELECT id, username, role, password_hash FROM staff WHERE lower(username) = lower(%s)", (username,)
    ).fetchone()
    return dict(zip(("id", "username", "role", "password_hash"), row, strict=True)) if row else None


# SIAK status records flowing down to the offices


_UPSERT_STATUS = """
    INSERT INTO status_records AS s (nik, kk, name, birth_date, status, note, kecamatan)
    VALUES (%s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (nik) DO UPDATE SET kk = excluded.kk, name = excluded.name, birth_date = excluded.birth_date,
        status = excluded.status, note = excluded.note, kecamatan = excluded.kecamatan,
        cursor = nextval('status_cursor')
    WHERE (s.kk, s.name, s.birth_date, s.status, s.note, s.kecamatan) IS DISTINCT FROM
          (excluded.kk, excluded.name, excluded.birth_date, excluded.status, excluded.note, excluded.kecamatan)
    RETURNING (xmax = 0)"""


def save_status_records(conn: psycopg.Connection, records: Iterable[tuple[Application, str]]) -> dict[str, int]:
    """Upsert (record, kecamatan) pairs in one transaction; a changed record gets a new pull cursor.

    The table is locked for the import so cursors are handed out in commit order: an office that pulled
    up to cursor N can never miss a record that commits later with a cursor below N.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with conn.transaction():
        conn.execute("LOCK TABLE status_records IN SHARE ROW EXCLUSIVE MODE")
        params = [(r.nik, r.kk, r.name, r.birth_date, r.status, r.note, kecamatan) for r, kecamatan in records]
        if not params:
            return counts
        with conn.cursor() as cur:
            # One pipelined round of statements rather than a round trip per row; a result set per row.
            cur.executemany(_UPSERT_STATUS, params, returning=True)
            while True:
                row = cur.fetchone()
                if row is None:
                    counts["unchanged"] += 1
                else:
                    counts["created" if row[0] else "updated"] += 1
                if not cur.nextset():
                    break
    return counts


def status_records_since(conn: psycopg.Connection, kecamatan: str, since: int, limit: int) -> list[dict]:
    rows = conn.execute(
        "SELECT cursor, nik, kk, name, birth_date, status, note FROM status_records"
        " WHERE kecamatan = %s AND cursor > %s ORDER BY cursor LIMIT %s",
        (kecamatan, since, limit),
    ).fetchall()
    return [
        {
            "cursor": c,
            "nik": nik,
            "no_kk": kk,
            "nama": name,
            "tanggal_lahir": born.isoformat(),
            "status": status,
            "keterangan": note,
        }
        for c, nik, kk, name, born, status, note in rows
    ]


def today_in(zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(zone).date()
