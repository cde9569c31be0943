"""``cluneal backup`` and ``cluneal restore``."""

from __future__ import annotations

from pathlib import Path

import click

from cluneal.cli.common import fail


def _database() -> dict[str, object]:
    from cluneal.web.setup import prepare

    prepare()
    from django.conf import settings

    return dict(settings.DATABASES["default"])


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent backup of the database to FILE.

    SQLite (the default) is copied with its online backup API, so the backup is consistent
    even while the server is writing; PostgreSQL is dumped with pg_dump (custom format). FILE
    appears only when the backup is complete.
    """
    from cluneal.web.backup import BackupError, backup

    try:
        backup(_database(), file)
    except BackupError as exc:
        fail(str(exc))
    click.echo(f"Backup written to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database with the backup in FILE.

    The backup is checked first (SQLite: integrity check and Cluneal's tables; PostgreSQL:
    a readable pg_dump archive); a bad file changes nothing and exits with status 2.
    Stop the server before restoring.
    """
    from cluneal.web.backup import BackupError, restore

    if not file.is_file():
        fail(f"{file}: no such file")
    if not yes:
        click.confirm("This replaces every record in the database. Continue?", abort=True)
    try:
        restore(_database(), file)
    except BackupError as exc:
        fail(str(exc))
    click.echo(f"Database restored from {file}")
