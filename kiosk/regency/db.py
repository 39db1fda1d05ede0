"""PostgreSQL access for the regency server: the connection pool and the named, append-only migrations."""

from __future__ import annotations

import os
import secrets

import psycopg
from psycopg_pool import ConnectionPool

DSN_VARIABLE = "KIOSK_REGENCY_DSN"


class NoDsn(Exception):
    """KIOSK_REGENCY_DSN is unset or not a postgresql:// address."""


def dsn_from_env() -> str:
    dsn = os.environ.get(DSN_VARIABLE, "").strip()
    if not dsn.startswith(("postgresql://", "postgres://")):
        raise NoDsn(f"{DSN_VARIABLE} must be set to a postgresql://user@host:port/database address")
    return dsn


def open_pool(dsn: str, max_size: int = 8) -> ConnectionPool:
    """Open a pool of up to ``max_size`` connections; wait for the first one so a wrong DSN fails now."""
    pool = ConnectionPool(
        dsn, min_size=1, max_size=max_size, open=False, name="regency", kwargs={"application_name": "kiosk-regency"}
    )
    pool.open(wait=True, timeout=15)
    return pool


# Named migrations, applied in order, each once, each in its own transaction. Append only: never edit or
# renumber one that has shipped; a change of schema is a new entry at the end.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_base",
        """
CREATE TABLE settings (
    key text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE offices (
    code text PRIMARY KEY,                 -- kode wilayah of the kecamatan, e.g. 62.03.01
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE,         -- SHA-256 of the office key (256 random bits): the key itself is never stored
    created_at timestamptz NOT NULL DEFAULT now(),
    last_contact timestamptz
);
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    office text NOT NULL REFERENCES offices (code),
    event_id text NOT NULL,
    kind text NOT NULL,
    at timestamptz NOT NULL,
    data jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_once UNIQUE (office, event_id)
);
CREATE INDEX events_office_at ON events (office, at);
CREATE TABLE staff (
    id bigserial PRIMARY KEY,
    username text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_username ON staff (lower(username));
CREATE TABLE staff_sessions (
    token_hash text PRIMARY KEY,
    staff_id bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    started_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE status_cursor;
CREATE TABLE status_records (
    nik text PRIMARY KEY,
    kk text NOT NULL,
    name text NOT NULL,
    birth_date date NOT NULL,
    status text NOT NULL,
    note text NOT NULL DEFAULT '',
    kecamatan text NOT NULL,
    cursor bigint NOT NULL DEFAULT nextval('status_cursor')
);
CREATE INDEX status_records_pull ON status_records (kecamatan, cursor);
""",
    ),
    (
        "0002_overview_indexes",
        """
-- The overview reads one day of every office, and the latest disruption events: neither may scan history.
CREATE INDEX events_at ON events (at);
CREATE INDEX events_disruption ON events (office, (data->>'code'), at DESC, id DESC) WHERE kind = 'disruption';
""",
    ),
    (
        "0003_office_days_index",
        """
-- One office's trend, the month's IKM and today's closures read those events by day, never the ticket history.
CREATE INDEX events_office_day ON events (office, (data->>'day'), id)
    WHERE kind IN ('day_summary', 'survey_response', 'closure');
""",
    ),
]


def migrate(conn: psycopg.Connection) -> list[str]:
    """Create the migrations table if needed and apply the missing migrations; return the names applied."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
    for name, sql in MIGRATIONS:
        with conn.transaction():
            # One migrator at a time: a second `kiosk regency init` waits here, then finds the work done.
            conn.execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = %s", (name,)).fetchone():
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
            applied.append(name)
    with conn.transaction():  # signs the staff session cookies of every regency server process
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('secret_key', %s) ON CONFLICT (key) DO NOTHING",
            (secrets.token_hex(32),),
        )
    return applied
