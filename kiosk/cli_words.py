"""Words the command line shares: it speaks Indonesian to the office (its --help texts stay English, like the README)."""

from __future__ import annotations

import typing

import click


class CliError(click.ClickException):
    """A refusal the operator reads: "Gagal: <Indonesian message>" on standard error, exit status 1 (or 2)."""

    def show(self, file: typing.IO[typing.Any] | None = None) -> None:
        click.echo(f"Gagal: {self.format_message()}", file=file, err=file is None)


ROLES = {"admin": "admin", "counter": "petugas loket", "viewer": "pemantau"}
BAD_NAME = "NAMA harus 2-40 huruf, angka, '.', '_' atau '-'"


def echo_import_report(report, listed: int | None = None) -> None:
    """Print an import's rejected rows (with their Indonesian reasons), then the accepted and rejected counts."""
    for row, _ in report.rejected:
        click.echo(f"baris {row}: ditolak: {report.messages.get(row, '')}")
    rejected = max(report.rejected_count, len(report.rejected))
    if rejected > len(report.rejected):
        click.echo(
            f"... dan {rejected - len(report.rejected)} baris lain ditolak "
            f"(hanya {listed} baris pertama yang dicantumkan)"
        )
    click.echo(
        f"Diterima: {report.accepted} (baru {report.created}, berubah {report.updated}, tetap {report.unchanged})"
    )
    click.echo(f"Ditolak: {rejected}")
