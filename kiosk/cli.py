"""Command line: ``kiosk init | serve | demo | user add|list|passwd|disable|enable|role|logout | backup | restore | import-status | purge | bench | regency ...``."""

from __future__ import annotations

import errno
import logging
import os
import secrets
import signal
import socket
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from kiosk.errors import KioskError
from kiosk.passwords import check_password

if TYPE_CHECKING:
    from kiosk.runtime import Runtime



def _settings(ctx: click.Context):
    from kiosk.settings import load_settings

    try:
        return load_settings(ctx.obj.get("config"))
    except KioskError as exc:
        problem = click.ClickException(f"configuration: {exc.message}")
        problem.exit_code = 2  # a wrong configuration is wrong usage: one line naming the key, status 2
        raise problem from None


def _runtime(ctx: click.Context):
    from kiosk.runtime import Runtime

    try:
        return Runtime.open(_settings(ctx))
    except sqlite3.Error as exc:
        raise click.ClickException(f"database: {exc}") from None


@click.group()
@click.option("--config", "config", envvar="KIOSK_CONFIG", type=click.Path(dir_okay=False),
              help="Office configuration (TOML). Default: config/kiosk.toml, else the packaged demo.")
@click.version_option(package_name="kiosk-antrean")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Kiosk Antrean KTP-el: queue kiosk, ticket printer, waiting-room display and counters.

    \b
    Example:
        kiosk init && kiosk user add siti --role admin && kiosk serve --host 0.0.0.0
    """
    ctx.ensure_object(dict)
    ctx.obj["config"] = config
    # Libraries (python-escpos logs every connection at INFO on the root logger) stay at WARNING.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kiosk").setLevel(logging.INFO)


def _regency_group() -> click.Group:
    from kiosk.regency.cli import regency

    return regency


main.add_command(_regency_group(), "regency")


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or migrate the database (safe to run again).

    \b
    Example:
        kiosk init
    """
    runtime = _runtime(ctx)
    runtime.secret_key()
    click.echo(f"Database ready: {runtime.settings.database_path}")


@main.command()
@click.option("--host", help="Address to listen on (default from config, 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default from config, 8080).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve kiosk, display, counters, phones and the API with waitress.

    \b
    Example:
        kiosk serve --host 0.0.0.0 --port 8080
    """
    _serve(ctx, host, port)


def _serve(ctx: click.Context, host: str | None, port: int | None,
           prepare: Callable[[Runtime], None] | None = None) -> None:
    """Listen first (a port in use is one line, status 2, before anything is set up), then ``prepare``, then serve."""
    from kiosk import create_app
    from kiosk.serving import create_office_server

    settings = _settings(ctx)
    app = create_app({"settings": settings})
    runtime = app.extensions["kiosk"]
    host = host or settings.server.host
    port = port or settings.server.port
    try:
        server = create_office_server(app, settings.server, host=host, port=port)
    except OSError as exc:
        raise _usage_error(_listen_problem(exc, host, port)) from None
    if prepare is not None:
        prepare(runtime)
    try:
        runtime.start()
    except KioskError as exc:  # e.g. a `kiosk restore` is replacing the database right now
        raise click.ClickException(exc.message) from None
    click.echo(f"{settings.office.name}: serving on http://{host}:{port}/  (kiosk /kiosk, display /display, "
               f"counter /counter)")
    # systemd and `kill` send SIGTERM: leave like Ctrl+C so the print worker finishes its job and streams close.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    finally:
        runtime.stop()


def _listen_problem(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use (another server?); choose another with --port"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port} (ports below 1024 need root); choose another with --port"
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: not an address of this computer; choose another with --host"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def _usage_error(message: str) -> click.ClickException:
    problem = click.ClickException(message)
    problem.exit_code = 2
    return problem


def _create_staff(runtime, username: str, password: str, role: str) -> None:
    from werkzeug.security import generate_password_hash

    from kiosk import store

    store.add_staff(runtime.db, username, generate_password_hash(password), role, runtime.now())


@main.group()
def user() -> None:
    """Manage staff accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["counter", "admin"]), required=True, help="counter staff or admin.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Create a staff account.

    \b
    Example:
        kiosk user add siti --role counter
        printf '%s\\n' "$PASSWORD" | kiosk user add budi --role admin --password-stdin
    """
    if not all(c.isalnum() or c in "._-" for c in name) or not 2 <= len(name) <= 40:
        raise click.ClickException("NAME must be 2-40 letters, digits, '.', '_' or '-'")
    password = _new_password(name, password_stdin)
    runtime = _runtime(ctx)
    try:
        _create_staff(runtime, name, password, role)
    except KioskError as exc:  # domain messages are Indonesian (for screens); the CLI speaks English
        if exc.code == "username_taken":
            raise click.ClickException(f"username '{name}' is taken (usernames ignore case)") from None
        raise click.ClickException(f"{exc.code}: {exc.message}") from None
    click.echo(f"Created {role} account '{name}'.")


def _new_password(name: str, password_stdin: bool) -> str:
    """Read a new password (one stdin line, or a hidden prompt asked twice) and refuse a weak one."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if (problem := check_password(name, password)) is not None:
        raise click.ClickException(f"password refused: {problem}")
    return password


def _unknown_staff(name: str) -> click.ClickException:
    return click.ClickException(f"no staff account named '{name}' (see: kiosk user list)")


def _account_refused(name: str, exc: KioskError) -> click.ClickException:
    """Say in English why an account change was refused: an unknown name, or the last active admin."""
    if exc.code == "last_admin":
        return click.ClickException(f"'{name}' is the last active admin: add or enable another admin first "
                                    "(kiosk user add NAME --role admin)")
    return _unknown_staff(name)


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List staff accounts: role, whether enabled, open sessions.

    \b
    Example:
        kiosk user list
    """
    from kiosk import store

    accounts = store.list_staff(_runtime(ctx).db)
    if not accounts:
        click.echo("No staff accounts yet (add one: kiosk user add NAME --role admin).")
        return
    width = max(len("username"), *(len(account["username"]) for account in accounts))
    click.echo(f"{'username':<{width}}  role     status    sessions  created")
    for account in accounts:
        status = "active" if account["active"] else "disabled"
        click.echo(f"{account['username']:<{width}}  {account['role']:<7}  {status:<8}  {account['sessions']:>8}  "
                   f"{account['created_at'][:10]}")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input (one line).")
@click.pass_context
def user_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME and end that person's sessions (a lost password is reset here).

    \b
    Example:
        kiosk user passwd siti
        printf '%s\\n' "$PASSWORD" | kiosk user passwd siti --password-stdin
    """
    from werkzeug.security import generate_password_hash

    from kiosk import store

    password = _new_password(name, password_stdin)
    runtime = _runtime(ctx)
    try:
        ended = store.set_staff_password(runtime.db, name, generate_password_hash(password),
                                         int(runtime.now().timestamp()))
    except KioskError:
        raise _unknown_staff(name) from None
    click.echo(f"Password of '{name}' changed; {ended} open session(s) ended.")


@user.command("disable")
@click.argument("name")
@click.pass_context
def user_disable(ctx: click.Context, name: str) -> None:
    """Disable NAME: no more logins, and that person's open sessions end at once.

    \b
    Example:
        kiosk user disable budi
    """
    from kiosk import store

    runtime = _runtime(ctx)
    try:
        ended = store.disable_staff(runtime.db, name, int(runtime.now().timestamp()))
    except KioskError as exc:
        raise _account_refused(name, exc) from None
    click.echo(f"Account '{name}' disabled; {ended} open session(s) ended.")


@user.command("enable")
@click.argument("name")
@click.pass_context
def user_enable(ctx: click.Context, name: str) -> None:
    """Let a disabled account NAME log in again (consider a new password too: kiosk user passwd).

    \b
    Example:
        kiosk user enable budi
    """
    from kiosk import store

    runtime = _runtime(ctx)
    try:
        store.enable_staff(runtime.db, name, int(runtime.now().timestamp()))
    except KioskError:
        raise _unknown_staff(name) from None
    click.echo(f"Account '{name}' enabled.")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["counter", "admin"]))
@click.pass_context
def user_role(ctx: click.Context, name: str, role: str) -> None:
    """Give NAME another role; that person's open sessions end (they log in again with it).

    \b
    Example:
        kiosk user role siti admin
    """
    from kiosk import store

    runtime = _runtime(ctx)
    try:
        ended = store.set_staff_role(runtime.db, name, role, int(runtime.now().timestamp()))
    except KioskError as exc:
        raise _account_refused(name, exc) from None
    click.echo(f"Account '{name}' is now {role}; {ended} open session(s) ended.")


@user.command("logout")
@click.argument("name")
@click.pass_context
def user_logout(ctx: click.Context, name: str) -> None:
    """End every open session of NAME (e.g. a counter PC left logged in); the account stays enabled.

    \b
    Example:
        kiosk user logout budi
    """
    from kiosk import store

    runtime = _runtime(ctx)
    try:
        ended = store.end_staff_sessions(runtime.db, name, int(runtime.now().timestamp()))
    except KioskError:
        raise _unknown_staff(name) from None
    click.echo(f"{ended} open session(s) of '{name}' ended.")


def _passphrase(from_stdin: bool, twice: bool) -> str:
    """Read a passphrase from the first line of standard input, or ask on the terminal (twice when choosing one)."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise click.ClickException("No terminal to ask the passphrase on: give it on standard input with "
                                   "--passphrase-stdin (tidak ada terminal untuk menanyakan frasa sandi).")
    first = getpass.getpass("Passphrase (frasa sandi): ")
    if twice and getpass.getpass("Passphrase again (ulangi frasa sandi): ") != first:
        raise click.ClickException("The two passphrases differ; nothing was written (frasa sandi tidak sama).")
    return first


@main.command()
@click.argument("dest", type=click.Path(dir_okay=False), required=False)
@click.option("--to", "folder", type=click.Path(file_okay=False),
              help="Write an encrypted copy into this folder (a USB stick) instead of a plain DEST.")
@click.option("--passphrase-stdin", is_flag=True, help="With --to: read the passphrase from standard input.")
@click.pass_context
def backup(ctx: click.Context, dest: str | None, folder: str | None, passphrase_stdin: bool) -> None:
    """Write a consistent copy of the live database to DEST (safe while serving).

    With --to DIR the copy is encrypted with a passphrase (scrypt + AES-256-GCM) and written
    into DIR as kiosk-YYYY-MM-DD-HHMMSS.db.enc, for taking off the PC; the passphrase is asked
    twice on the terminal, or read from standard input with --passphrase-stdin. The key files
    beside the database (<database>.secret and others) are never in a copy.

    \b
    Examples:
        kiosk backup /var/lib/kiosk/backups/before-update.db
        kiosk backup --to /media/usb/kiosk-backups
    """
    from kiosk.backup import backup_database, backup_encrypted

    if (dest is None) == (folder is None):
        raise _usage_error("give either DEST (a plain copy on this PC) or --to DIR (an encrypted copy)")
    if passphrase_stdin and folder is None:
        raise _usage_error("--passphrase-stdin goes with --to DIR")
    if folder is not None:
        from kiosk.vault import VaultError, check_passphrase

        passphrase = _passphrase(passphrase_stdin, twice=True)
        try:
            check_passphrase(passphrase)
        except VaultError as exc:
            raise click.ClickException(exc.message) from None
    runtime = _runtime(ctx)
    runtime.secret_key()  # an old install kept the signing secret in the database: move it out first
    try:
        if folder is not None:
            target = backup_encrypted(runtime.db, folder, passphrase, runtime.now())
        else:
            target = Path(dest)
            if target.exists():
                raise click.ClickException(f"{target} exists already; choose a new file name")
            # Owner-only (staff password hashes, residents' data), checked with PRAGMA integrity_check.
            backup_database(runtime.db, target)
    except KioskError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Backup written: {target}" + (" (encrypted)" if folder is not None else ""))


def _confirm_restore(yes: bool):
    """Show what the checked copy holds (its admin accounts above all), then ask: y/N, --yes, or refuse."""

    def confirm(candidate) -> bool:
        click.echo(f"The copy passed the checks: {candidate.tickets} tickets; its schema is ours after migration.")
        click.echo(f"Admin accounts in the copy ({len(candidate.admins)}):")
        for admin in candidate.admins:
            notes = [] if admin.active else ["disabled"]
            if admin.new:
                notes.append("not in the live database")
            suffix = f"  <- {', '.join(notes)}" if notes else ""
            click.echo(f"  {admin.username} (since {admin.created_at}){suffix}")
        if any(admin.new for admin in candidate.admins):
            click.echo("Check that every admin account not in the live database is one you know.")
        if yes:
            return True
        if not sys.stdin.isatty():
            raise click.ClickException(
                "Restore needs a confirmation: run it on a terminal, or add --yes once you have checked the "
                "admin accounts above. The database was not changed (pemulihan perlu konfirmasi; basis data "
                "tidak diubah).")
        return click.confirm("Replace the live database with this copy?", default=False)

    return confirm


@main.command()
@click.argument("src", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace without asking (scripts), once the copy passed the checks.")
@click.option("--passphrase-stdin", is_flag=True, help="For an encrypted copy: read the passphrase from standard input.")
@click.pass_context
def restore(ctx: click.Context, src: str, yes: bool, passphrase_stdin: bool) -> None:
    """Replace the database with the backup SRC (stop the server first).

    SRC is copied beside the database (decrypted first if it is an encrypted copy: the passphrase
    is asked, or read with --passphrase-stdin), checked with PRAGMA integrity_check, migrated, and
    its schema compared with what our migrations make: anything extra or missing (a table, column,
    index, trigger or view) refuses it. Its admin accounts are listed and you are asked before the
    live database is replaced (--yes for scripts; without a terminal and --yes it is refused). The
    replaced database is kept beside it as <database>.replaced-YYYYMMDD-HHMMSS (the newest 3 are
    kept). Refused while a server uses the database.

    \b
    Example:
        kiosk restore /media/usb/kiosk-backups/kiosk-2026-11-28-020000.db.enc
    """
    from kiosk.backup import restore_database

    settings = _settings(ctx)
    now = datetime.now(settings.office.timezone)
    try:
        kept = restore_database(settings.database_path, src, now, confirm=_confirm_restore(yes),
                                passphrase=lambda: _passphrase(passphrase_stdin, twice=False))
    except KioskError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Database restored from {src} into {settings.database_path}.")
    if kept is not None:
        click.echo(f"The replaced database is kept as {kept}.")


@main.command("import-status")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_status(ctx: click.Context, file: str) -> None:
    """Upsert KTP-el status records from a SIAK CSV export; report accepted and rejected rows.

    Columns (any case, comma or semicolon separated, UTF-8): nik, no_kk, nama, tanggal_lahir
    (YYYY-MM-DD or DD-MM-YYYY), status (SIAK code), optional keterangan. Bad rows are listed
    by row number and never stored; the good rows are stored together. Importing the same
    file again changes nothing.

    \b
    Example:
        kiosk import-status siak-2026-11-28.csv
    """
    from kiosk.status_import import MAX_IMPORT_BYTES, MAX_REPORTED, ImportProblem, NotSiakFile
    from kiosk.status_import import import_status as run_import

    path = Path(file)
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:  # the upload's limit: split a larger export
        raise click.ClickException(
            f"{path.name}: {size / (1024 * 1024):.1f} MB is over the {MAX_IMPORT_BYTES // (1024 * 1024)} MB limit; "
            f"split the export into parts; nothing was imported")
    runtime = _runtime(ctx)
    now = runtime.now()
    try:  # checking rows is CPU work: the server on the same PC answers residents first
        os.nice(5)
    except OSError:
        pass
    with path.open(encoding="utf-8", newline="") as stream:
        try:
            if size > PROGRESS_BAR_BYTES:
                with path.open("rb") as counting:
                    lines = sum(1 for _ in counting)
                with click.progressbar(length=lines, label="Importing", file=sys.stderr) as bar:
                    report = run_import(runtime.db, stream, now.date(), now.isoformat(timespec="seconds"),
                                        progress=bar.update)
            else:
                report = run_import(runtime.db, stream, now.date(), now.isoformat(timespec="seconds"))
        except NotSiakFile as exc:
            raise click.ClickException(f"{path.name}: {exc.reason}; nothing was imported\n{exc.message}") from None
        except ImportProblem as exc:
            raise click.ClickException(f"{path.name}: {exc.reason}; nothing was imported") from None
    for row, reason in report.rejected:
        click.echo(f"row {row}: rejected: {reason}")
    if report.rejected_count > len(report.rejected):
        click.echo(f"... and {report.rejected_count - len(report.rejected)} more rejected rows "
                   f"(only the first {MAX_REPORTED} are listed)")
    click.echo(f"Accepted: {report.accepted} (new {report.created}, changed {report.updated}, "
               f"unchanged {report.unchanged})")
    click.echo(f"Rejected: {report.rejected_count}")


PROGRESS_BAR_BYTES = 1_000_000  # about 10,000 rows


@main.command()
@click.pass_context
def purge(ctx: click.Context) -> None:
    """Delete status lookup audit entries, and records whose card was handed over, past [status] retention_days.

    Also removes backup copies abandoned mid-way and replaced databases beyond the newest 3. A running
    server does the same every minute; this is for an office that was switched off.

    \b
    Example:
        kiosk purge
    """
    from kiosk.backup import REPLACED_KEEP

    runtime = _runtime(ctx)
    days = runtime.settings.status.retention_days
    removed = runtime.purge_status_traces()
    tidied = runtime.tidy_copies()
    if tidied:
        click.echo(f"Removed {len(tidied)} file(s): backup copies abandoned mid-way and replaced databases beyond "
                   f"the newest {REPLACED_KEEP}.")
    click.echo(f"Removed {removed['lookups']} lookup audit entries and {removed['records']} records whose card was "
               f"handed over ({removed['history']} history entries) older than {days} days.")


@main.command()
@click.option("--seconds", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              help="Length of each load run.")
@click.option("--clients", type=click.IntRange(min=1, max=100), default=20, show_default=True,
              help="Concurrent clients in the load runs.")
@click.option("--records", type=click.IntRange(min=1), default=5000, show_default=True,
              help="KTP-el status records in the database for the lookup timing (an office holds up to 500,000).")
@click.option("--report-days", type=click.IntRange(min=1, max=365), default=365, show_default=True,
              help="Days of history (480 tickets a day, Monday to Saturday) for the report timings.")
def bench(seconds: float, clients: int, records: int, report_days: int) -> None:
    """Measure this install against the performance targets: one table, a check mark per target.

    A server runs on 127.0.0.1 on a temporary database (synchronous=FULL, file printer); then the
    reports are timed in-process on a year of history written into another temporary database
    (~150,000 tickets, a few seconds to write). The office's own database and configuration are
    not touched. Progress goes to standard error. The exit status is 1 when a target is missed.

    \b
    Example:
        kiosk bench
        kiosk bench --seconds 10 --clients 20 --records 500000
        kiosk bench --seconds 1 --report-days 30
    """
    from kiosk.bench import format_table, run

    try:
        rows, machine = run(seconds, clients, records, report_days,
                            progress=lambda text: click.echo(f"bench {text}", err=True))
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(machine)
    click.echo(format_table(rows))
    missed = [row.figure for row in rows if row.met is False]
    click.echo(f"{len(missed)} of {sum(row.met is not None for row in rows)} targets missed" if missed
               else "every target met")
    if missed:
        sys.exit(1)


@main.command()
@click.option("--host", help="Address to listen on (default from config).")
@click.option("--port", type=int, help="Port to listen on (default from config).")
@click.pass_context
def demo(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Set up the demo office (staff, a few waiting tickets) and serve it.

    \b
    Example:
        kiosk demo
    """
    _serve(ctx, host, port, prepare=_seed_demo)


def _seed_demo(runtime: Runtime) -> None:
    """Create the demo staff (passwords shown once), a few weeks of history and a few waiting tickets on a new day."""
    from kiosk import store

    for username, role in (("admin", "admin"), ("petugas", "counter")):
        if store.get_staff(runtime.db, username) is None:
            password = secrets.token_urlsafe(9)
            _create_staff(runtime, username, password, role)
            click.echo(f"Staff account created: {username} / {password}  ({role}; shown only once)")
        else:
            click.echo(f"Staff account '{username}' exists already (password unchanged).")
    _seed_demo_applications(runtime)
    _seed_demo_history(runtime)
    now = runtime.now()
    if not store.issued_counts(runtime.db, runtime.today()):
        for code, priority in (("REKAM", False), ("REKAM", True), ("AMBIL", False), ("INFO", False)):
            service = runtime.settings.service(code)
            if service is not None:
                try:
                    store.issue_ticket(runtime.db, runtime.settings, service, priority, now)
                except KioskError:
                    pass  # closed today: the demo still serves


DEMO_HISTORY_WEEKS = 4


def _seed_demo_history(runtime: Runtime) -> None:
    """Write a few weeks of finished tickets before today and survey responses of them, once.

    An office with any earlier ticket or any survey response is left alone.
    """
    from kiosk import demo_history, store, survey_store
    from kiosk.demo import demo_responses

    if store.has_history_before(runtime.db, runtime.today()) or survey_store.has_survey_responses(runtime.db):
        return
    staff = {username: (store.get_staff(runtime.db, username) or {}).get("id") for username in ("petugas", "admin")}
    counters = [counter.id for counter in runtime.settings.counters]
    staff_by_counter = {counter: staff["admin" if index % 2 else "petugas"] for index, counter in enumerate(counters)}
    tickets = demo_history.history(runtime.settings, runtime.now().date(), DEMO_HISTORY_WEEKS, staff_by_counter)
    events = store.add_history(runtime.db, tickets)
    responses = demo_responses(tickets)
    survey_store.add_demo_responses(runtime.db, responses)
    click.echo(f"Demo history: {len(tickets)} tickets ({events} events) and {len(responses)} satisfaction survey "
               f"responses over the {DEMO_HISTORY_WEEKS} weeks before today, for the reports.")


# Made-up residents of Kapuas (region 6203xx) in several statuses, to try the status check at the kiosk.
DEMO_KK = "6203010102150003"
DEMO_APPLICATIONS = (  # NIK, name, birth date, SIAK status
    ("6203011708900001", "Budi Santoso", "1990-08-17", "READY_FOR_PICKUP"),
    ("6203015708900002", "Siti Aminah", "1990-08-17", "CARD_SHIPPED"),
    ("6203010305850003", "Agus Salim", "1985-05-03", "PRINT_READY_RECORD"),
    ("6203016112000004", "Dewi Lestari", "2000-12-21", "ENROLL_FAILURE_AT_CENTRAL"),
    ("6203012004080005", "Rizky Pratama", "2008-04-20", "UNREGISTERED"),
    ("6203014410950006", "Nur Hasanah", "1995-10-04", "SENT_FOR_ENROLLMENT"),
    ("6203010707770007", "Yohanes Dami", "1977-07-07", "DUPLICATE_RECORD"),
    ("6203015103600008", "Maria Ulfa", "1960-03-11", "CARD_ISSUED"),
)


def _seed_demo_applications(runtime: Runtime) -> None:
    """Store the demo status records (one family card) that are not there yet; changes made since are kept."""
    from kiosk import status_store
    from kiosk.status import check_application

    today = runtime.now().date()
    records = [check_application(nik, DEMO_KK, name, born, status, "", today)
               for nik, name, born, status in DEMO_APPLICATIONS
               if status_store.get_application(runtime.db, nik) is None]
    counts = status_store.save_applications(runtime.db, records, runtime.now().isoformat(timespec="seconds"),
                                            "demo", "demo")
    if counts["created"]:
        # No NIK on the console: under a service manager it becomes a log line. The README lists them.
        click.echo(f"Demo KTP-el status records: {counts['created']} made-up residents (their NIKs: README).")
