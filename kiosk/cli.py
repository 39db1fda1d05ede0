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
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli_words import BAD_NAME, ROLES, CliError, echo_import_report
from kiosk.domain.errors import KioskError
from kiosk.domain.passwords import password_problem

if TYPE_CHECKING:
    from kiosk.office.runtime import Runtime


def _settings(ctx: click.Context):
    from kiosk.domain.settings import load_settings

    try:
        return load_settings(ctx.obj.get("config"))
    except KioskError as exc:
        problem = click.ClickException(f"configuration: {exc.message}")
        problem.exit_code = 2  # a wrong configuration is wrong usage: one line naming the key, status 2
        raise problem from None


def _runtime(ctx: click.Context):
    from kiosk.office.runtime import Runtime

    try:
        return Runtime.open(_settings(ctx))
    except sqlite3.Error as exc:
        raise CliError(f"basis data: {exc}") from None


@click.group()
@click.option(
    "--config",
    "config",
    envvar="KIOSK_CONFIG",
    type=click.Path(dir_okay=False),
    help="Office configuration (TOML). Default: config/kiosk.toml, else the packaged demo.",
)
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
    click.echo(f"Basis data siap: {runtime.settings.database_path}")


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


def _serve(
    ctx: click.Context, host: str | None, port: int | None, prepare: Callable[[Runtime], None] | None = None
) -> None:
    """Listen first (a port in use is one line, status 2, before anything is set up), then ``prepare``, then serve."""
    from kiosk import create_app
    from kiosk.web.serving import create_office_server

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
        raise CliError(exc.message) from None
    click.echo(
        f"{settings.office.name}: melayani di http://{host}:{port}/  (kios /kiosk, layar /display, loket /counter)"
    )
    # systemd and `kill` send SIGTERM: leave like Ctrl+C so the print worker finishes its job and streams close.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    finally:
        runtime.stop()


def _listen_problem(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} di {host} sudah dipakai (server lain?); pilih port lain dengan --port"
    if exc.errno == errno.EACCES:
        return f"tidak diizinkan mendengarkan di port {port} (port di bawah 1024 perlu root); pilih port lain dengan --port"
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"tidak dapat mendengarkan di {host}: bukan alamat komputer ini; pilih alamat lain dengan --host"
    return f"tidak dapat mendengarkan di {host}:{port}: {exc.strerror or exc}"


def _usage_error(message: str) -> CliError:
    problem = CliError(message)
    problem.exit_code = 2
    return problem


def _create_staff(runtime, username: str, password: str, role: str) -> None:
    from kiosk.office import staff

    staff.add_account(runtime.db, username, password, role, runtime.now())


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
    from kiosk.office import staff

    if not staff.username_ok(name):
        raise CliError(BAD_NAME)
    password = _new_password(name, password_stdin)
    runtime = _runtime(ctx)
    try:
        _create_staff(runtime, name, password, role)
    except KioskError as exc:
        if exc.code == "username_taken":
            raise CliError(f"nama pengguna '{name}' sudah dipakai (huruf besar dan kecil dianggap sama)") from None
        raise CliError(exc.message) from None
    click.echo(f"Akun {ROLES[role]} '{name}' dibuat.")


def _new_password(name: str, password_stdin: bool) -> str:
    """Read a new password (one stdin line, or a hidden prompt asked twice) and refuse a weak one."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")
    if (problem := password_problem(name, password)) is not None:
        raise CliError(problem.indonesian)
    return password


def _unknown_staff(name: str) -> CliError:
    return CliError(f"tidak ada akun petugas bernama '{name}' (lihat: kiosk user list)")


def _account_refused(name: str, exc: KioskError) -> CliError:
    """Say why an account change was refused: an unknown name, or the last active admin."""
    if exc.code == "last_admin":
        return CliError(
            f"'{name}' adalah admin aktif terakhir: tambahkan atau aktifkan admin lain dulu "
            "(kiosk user add NAMA --role admin)"
        )
    return _unknown_staff(name)


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List staff accounts: role, whether enabled, open sessions.

    \b
    Example:
        kiosk user list
    """
    from kiosk.storage import staff as staff_store

    accounts = staff_store.list_staff(_runtime(ctx).db)
    if not accounts:
        click.echo("Belum ada akun petugas (tambahkan: kiosk user add NAMA --role admin).")
        return
    width = max(len("nama"), *(len(account["username"]) for account in accounts))
    click.echo(f"{'nama':<{width}}  peran    status    sesi  dibuat")
    for account in accounts:
        status = "aktif" if account["active"] else "nonaktif"
        click.echo(
            f"{account['username']:<{width}}  {account['role']:<7}  {status:<8}  {account['sessions']:>4}  "
            f"{account['created_at'][:10]}"
        )


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

    from kiosk.storage import staff as staff_store

    password = _new_password(name, password_stdin)
    runtime = _runtime(ctx)
    try:
        ended = staff_store.set_staff_password(
            runtime.db, name, generate_password_hash(password), int(runtime.now().timestamp())
        )
    except KioskError:
        raise _unknown_staff(name) from None
    click.echo(f"Kata sandi '{name}' diganti; {ended} sesi terbuka diakhiri.")


@user.command("disable")
@click.argument("name")
@click.pass_context
def user_disable(ctx: click.Context, name: str) -> None:
    """Disable NAME: no more logins, and that person's open sessions end at once.

    \b
    Example:
        kiosk user disable budi
    """

    from kiosk.storage import staff as staff_store

    runtime = _runtime(ctx)
    try:
        ended = staff_store.disable_staff(runtime.db, name, int(runtime.now().timestamp()))
    except KioskError as exc:
        raise _account_refused(name, exc) from None
    click.echo(f"Akun '{name}' dinonaktifkan; {ended} sesi terbuka diakhiri.")


@user.command("enable")
@click.argument("name")
@click.pass_context
def user_enable(ctx: click.Context, name: str) -> None:
    """Let a disabled account NAME log in again (consider a new password too: kiosk user passwd).

    \b
    Example:
        kiosk user enable budi
    """

    from kiosk.storage import staff as staff_store

    runtime = _runtime(ctx)
    try:
        staff_store.enable_staff(runtime.db, name, int(runtime.now().timestamp()))
    except KioskError:
        raise _unknown_staff(name) from None
    click.echo(f"Akun '{name}' diaktifkan.")


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

    from kiosk.storage import staff as staff_store

    runtime = _runtime(ctx)
    try:
        ended = staff_store.set_staff_role(runtime.db, name, role, int(runtime.now().timestamp()))
    except KioskError as exc:
        raise _account_refused(name, exc) from None
    click.echo(f"Akun '{name}' sekarang {ROLES[role]}; {ended} sesi terbuka diakhiri.")


@user.command("logout")
@click.argument("name")
@click.pass_context
def user_logout(ctx: click.Context, name: str) -> None:
    """End every open session of NAME (e.g. a counter PC left logged in); the account stays enabled.

    \b
    Example:
        kiosk user logout budi
    """

    from kiosk.storage import staff as staff_store

    runtime = _runtime(ctx)
    try:
        ended = staff_store.end_staff_sessions(runtime.db, name, int(runtime.now().timestamp()))
    except KioskError:
        raise _unknown_staff(name) from None
    click.echo(f"{ended} sesi terbuka '{name}' diakhiri.")


def _passphrase(from_stdin: bool, twice: bool) -> str:
    """Read a passphrase from the first line of standard input, or ask on the terminal (twice when choosing one)."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError(
            "Tidak ada terminal untuk menanyakan frasa sandi: berikan lewat masukan standar dengan --passphrase-stdin."
        )
    first = getpass.getpass("Frasa sandi: ")
    if twice and getpass.getpass("Ulangi frasa sandi: ") != first:
        raise CliError("Kedua frasa sandi tidak sama; tidak ada yang ditulis.")
    return first


@main.command()
@click.argument("dest", type=click.Path(dir_okay=False), required=False)
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    help="Write an encrypted copy into this folder (a USB stick) instead of a plain DEST.",
)
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
    from kiosk.storage.backup import backup_database, backup_encrypted

    if (dest is None) == (folder is None):
        raise _usage_error(
            "berikan DEST (salinan biasa di PC ini) atau --to DIR (salinan terenkripsi), salah satu saja"
        )
    if passphrase_stdin and folder is None:
        raise _usage_error("--passphrase-stdin hanya dipakai bersama --to DIR")
    if folder is not None:
        from kiosk.storage.vault import VaultError, check_passphrase

        passphrase = _passphrase(passphrase_stdin, twice=True)
        try:
            check_passphrase(passphrase)
        except VaultError as exc:
            raise CliError(exc.message) from None
    runtime = _runtime(ctx)
    runtime.secret_key()  # an old install kept the signing secret in the database: move it out first
    try:
        if folder is not None:
            target = backup_encrypted(runtime.db, folder, passphrase, runtime.now())
        else:
            target = Path(dest)
            if target.exists():
                raise CliError(f"{target} sudah ada; pilih nama berkas baru.")
            # Owner-only (staff password hashes, residents' data), checked with PRAGMA integrity_check.
            backup_database(runtime.db, target)
    except KioskError as exc:
        raise CliError(exc.message) from None
    click.echo(f"Cadangan disimpan: {target}" + (" (terenkripsi)" if folder is not None else ""))


def _confirm_restore(yes: bool):
    """Show what the checked copy holds (its admin accounts above all), then ask: y/N, --yes, or refuse."""

    def confirm(candidate) -> bool:
        click.echo(f"Salinan lolos pemeriksaan: {candidate.tickets} tiket; skemanya sesuai setelah migrasi.")
        click.echo(f"Akun admin dalam salinan ({len(candidate.admins)}):")
        for admin in candidate.admins:
            notes = [] if admin.active else ["nonaktif"]
            if admin.new:
                notes.append("tidak ada di basis data aktif")
            suffix = f"  <- {', '.join(notes)}" if notes else ""
            click.echo(f"  {admin.username} (sejak {admin.created_at}){suffix}")
        if any(admin.new for admin in candidate.admins):
            click.echo("Pastikan setiap akun admin yang tidak ada di basis data aktif adalah akun yang Anda kenal.")
        if yes:
            return True
        if not sys.stdin.isatty():
            raise CliError(
                "Pemulihan perlu konfirmasi: jalankan di terminal, atau tambahkan --yes setelah Anda memeriksa "
                "akun admin di atas. Basis data tidak diubah."
            )
        return click.confirm("Ganti basis data aktif dengan salinan ini? (y = ya)", default=False)

    return confirm


@main.command()
@click.argument("src", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace without asking (scripts), once the copy passed the checks.")
@click.option(
    "--passphrase-stdin", is_flag=True, help="For an encrypted copy: read the passphrase from standard input."
)
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
    from kiosk.storage.backup import restore_database

    settings = _settings(ctx)
    now = datetime.now(settings.office.timezone)
    try:
        kept = restore_database(
            settings.database_path,
            src,
            now,
            confirm=_confirm_restore(yes),
            passphrase=lambda: _passphrase(passphrase_stdin, twice=False),
        )
    except KioskError as exc:
        raise CliError(exc.message) from None
    click.echo(f"Basis data dipulihkan dari {src} ke {settings.database_path}.")
    if kept is not None:
        click.echo(f"Basis data yang diganti disimpan sebagai {kept}.")


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
    from kiosk.files.siak import MAX_IMPORT_BYTES, MAX_REPORTED, ImportProblem
    from kiosk.files.siak import import_status as run_import

    path = Path(file)
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:  # the upload's limit: split a larger export
        raise CliError(
            f"{path.name}: {size / (1024 * 1024):.1f} MB melebihi batas {MAX_IMPORT_BYTES // (1024 * 1024)} MB; "
            f"bagi ekspor menjadi beberapa bagian; tidak ada yang diimpor"
        )
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
                with click.progressbar(length=lines, label="Mengimpor", file=sys.stderr) as bar:
                    report = run_import(
                        runtime.db, stream, now.date(), now.isoformat(timespec="seconds"), progress=bar.update
                    )
            else:
                report = run_import(runtime.db, stream, now.date(), now.isoformat(timespec="seconds"))
        except ImportProblem as exc:
            raise CliError(f"{path.name}: {exc.message} Tidak ada yang diimpor.") from None
    echo_import_report(report, MAX_REPORTED)


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
    from kiosk.storage.backup import REPLACED_KEEP

    runtime = _runtime(ctx)
    days = runtime.settings.status.retention_days
    removed = runtime.purge_status_traces()
    tidied = runtime.tidy_copies()
    if tidied:
        click.echo(
            f"{len(tidied)} berkas dihapus: salinan cadangan yang terhenti di tengah jalan dan basis data "
            f"yang diganti di luar {REPLACED_KEEP} terbaru."
        )
    click.echo(
        f"{removed['lookups']} catatan audit pencarian dan {removed['records']} data yang kartunya sudah "
        f"diserahkan ({removed['history']} catatan riwayat) yang lebih lama dari {days} hari dihapus."
    )


@main.command()
@click.option(
    "--seconds", type=click.FloatRange(min=0.5), default=5.0, show_default=True, help="Length of each load run."
)
@click.option(
    "--clients",
    type=click.IntRange(min=1, max=100),
    default=20,
    show_default=True,
    help="Concurrent clients in the load runs.",
)
@click.option(
    "--records",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="KTP-el status records in the database for the lookup timing (an office holds up to 500,000).",
)
@click.option(
    "--report-days",
    type=click.IntRange(min=1, max=365),
    default=365,
    show_default=True,
    help="Days of history (480 tickets a day, Monday to Saturday) for the report timings.",
)
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
    from kiosk.tools.bench import format_table, run

    try:
        rows, machine = run(
            seconds, clients, records, report_days, progress=lambda text: click.echo(f"bench {text}", err=True)
        )
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(machine)
    click.echo(format_table(rows))
    missed = [row.figure for row in rows if row.met is False]
    click.echo(
        f"{len(missed)} of {sum(row.met is not None for row in rows)} targets missed" if missed else "every target met"
    )
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
    from kiosk.storage import staff as staff_store
    from kiosk.storage import tickets as store

    for username, role in (("admin", "admin"), ("petugas", "counter")):
        if staff_store.get_staff(runtime.db, username) is None:
            password = secrets.token_urlsafe(9)
            _create_staff(runtime, username, password, role)
            click.echo(f"Akun petugas dibuat: {username} / {password}  ({ROLES[role]}; hanya ditampilkan sekali)")
        else:
            click.echo(f"Akun petugas '{username}' sudah ada (kata sandi tidak diubah).")
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
    from kiosk.storage import staff as staff_store
    from kiosk.storage import survey as survey_store
    from kiosk.storage import tickets as store
    from kiosk.tools import demo_history
    from kiosk.tools.demo import demo_responses

    if store.has_history_before(runtime.db, runtime.today()) or survey_store.has_survey_responses(runtime.db):
        return
    staff = {
        username: (staff_store.get_staff(runtime.db, username) or {}).get("id") for username in ("petugas", "admin")
    }
    counters = [counter.id for counter in runtime.settings.counters]
    staff_by_counter = {counter: staff["admin" if index % 2 else "petugas"] for index, counter in enumerate(counters)}
    tickets = demo_history.history(runtime.settings, runtime.now().date(), DEMO_HISTORY_WEEKS, staff_by_counter)
    events = store.add_history(runtime.db, tickets)
    responses = demo_responses(tickets)
    survey_store.add_demo_responses(runtime.db, responses)
    click.echo(
        f"Riwayat demo: {len(tickets)} tiket ({events} peristiwa) dan {len(responses)} jawaban survei "
        f"kepuasan selama {DEMO_HISTORY_WEEKS} minggu sebelum hari ini, untuk laporan."
    )


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
    from kiosk.domain.status import check_application
    from kiosk.storage import status as status_store

    today = runtime.now().date()
    records = [
        check_application(nik, DEMO_KK, name, born, status, "", today)
        for nik, name, born, status in DEMO_APPLICATIONS
        if status_store.get_application(runtime.db, nik) is None
    ]
    counts = status_store.save_applications(
        runtime.db, records, runtime.now().isoformat(timespec="seconds"), "demo", "demo"
    )
    if counts["created"]:
        # No NIK on the console: under a service manager it becomes a log line. The README lists them.
        click.echo(f"Data status KTP-el demo: {counts['created']} penduduk rekaan (NIK mereka: README).")
