"""``kiosk regency init | serve | office add | user add | import-status`` (DSN from KIOSK_REGENCY_DSN)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from kiosk.cli_words import BAD_NAME, ROLES, CliError, echo_import_report
from kiosk.domain.passwords import password_problem
from kiosk.domain.staff import username_ok

NO_DSN = "KIOSK_REGENCY_DSN harus diisi alamat postgresql://user@host:port/database"


@contextmanager
def _connection():
    import psycopg

    from kiosk.regency.db import NoDsn, dsn_from_env

    try:
        dsn = dsn_from_env()
        with psycopg.connect(dsn, connect_timeout=15, application_name="kiosk-regency") as conn:
            yield conn
    except NoDsn:
        raise CliError(NO_DSN) from None
    except psycopg.OperationalError as exc:
        raise CliError(f"PostgreSQL: {str(exc).strip()}") from None


@click.group()
def regency() -> None:
    """The regency server: every office's figures in one PostgreSQL (KIOSK_REGENCY_DSN=postgresql://...).

    \b
    Example:
        export KIOSK_REGENCY_DSN=postgresql://kiosk@localhost/regency
        kiosk regency init && kiosk regency office add 62.03.01 Selat && kiosk regency serve
    """


@regency.command()
def init() -> None:
    """Create or migrate the regency schema (safe to run again)."""
    from kiosk.regency.db import migrate

    with _connection() as conn:
        applied = migrate(conn)
    click.echo(f"Migrasi diterapkan: {', '.join(applied)}." if applied else "Skema sudah mutakhir.")


@regency.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8090, show_default=True, help="Port to listen on.")
@click.option("--threads", type=int, default=8, show_default=True, help="Worker threads (and pooled connections).")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the ingest API, the status pull and the dashboard with waitress."""
    import psycopg
    from waitress import serve as waitress_serve

    from kiosk.domain.errors import KioskError
    from kiosk.regency.app import create_app
    from kiosk.regency.db import NoDsn, dsn_from_env, open_pool

    try:
        pool = open_pool(dsn_from_env(), max_size=threads)
    except NoDsn:
        raise CliError(NO_DSN) from None
    except (psycopg.Error, Exception) as exc:  # the pool reports a DSN it cannot reach as a timeout
        raise CliError(f"PostgreSQL: {exc}") from None
    try:
        app = create_app(pool)
    except KioskError as exc:
        pool.close()
        raise CliError(exc.message) from None
    click.echo(f"Server kabupaten melayani di http://{host}:{port}/regency/")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="kiosk-regency")
    finally:
        pool.close()


@regency.group()
def office() -> None:
    """Register kecamatan offices."""


@office.command("add")
@click.argument("code")
@click.argument("name")
def office_add(code: str, name: str) -> None:
    """Register an office by its kode wilayah and print its key (shown once; only a hash is kept).

    \b
    Example:
        kiosk regency office add 62.03.01 "Kecamatan Selat"
    """
    from kiosk.regency.store import RegencyError, add_office

    with _connection() as conn:
        try:
            key = add_office(conn, code, name)
        except RegencyError as exc:
            raise CliError(exc.message) from None
    click.echo(
        f"Kantor {code} terdaftar. Kuncinya (hanya ditampilkan sekarang; simpan di <db>.regency-key kantor itu):"
    )
    click.echo(key)


@regency.group()
def user() -> None:
    """Manage regency staff accounts."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["admin", "viewer"]), required=True, help="regency admin or read-only viewer."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
def user_add(name: str, role: str, password_stdin: bool) -> None:
    """Create a regency staff account (the office's password policy applies)."""
    from werkzeug.security import generate_password_hash

    from kiosk.regency.store import RegencyError, add_staff

    if not username_ok(name):
        raise CliError(BAD_NAME)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")
    if (problem := password_problem(name, password)) is not None:
        raise CliError(problem.indonesian)
    with _connection() as conn:
        try:
            add_staff(conn, name, role, generate_password_hash(password))
        except RegencyError as exc:
            raise CliError(exc.message) from None
    click.echo(f"Akun {ROLES[role]} '{name}' dibuat.")


@regency.command("import-status")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_status(file: str) -> None:
    """Import the SIAK export (the office's columns plus kecamatan); each office pulls its own records."""
    from kiosk.domain.errors import KioskError
    from kiosk.files.siak import ImportProblem
    from kiosk.regency.app import _zone
    from kiosk.regency.siak import import_status as run_import

    try:
        today = datetime.now(_zone()).date()  # a birth date "in the future" is judged by the regency's calendar
    except KioskError as exc:
        raise CliError(exc.message) from None

    path = Path(file)
    with _connection() as conn, path.open(encoding="utf-8", newline="") as stream:
        try:
            report = run_import(conn, stream, today)
        except ImportProblem as exc:
            raise CliError(f"{path.name}: {exc.message} Tidak ada yang diimpor.") from None
    echo_import_report(report)
