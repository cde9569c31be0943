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

    The whole backup is checked first: a readable database of the configured engine (SQLite
    file or pg_dump archive), this version's migrations (or an earlier version's, brought up
    to date after the restore), every table they create, and the audit trail's triggers. A
    bad file changes nothing and exits with status 2, listing what is wrong. Stop the server
    before restoring.
    """
    from cluneal.web.backup import BackupError, behind, check, restore

    db = _database()
    try:
        check(db, file)
    except BackupError as exc:
        fail(str(exc), exc.problems)
    if not yes:
        click.confirm("This replaces every record in the database. Continue?", abort=True)
    try:
        contents = restore(db, file)
    except BackupError as exc:
        fail(str(exc), exc.problems)
    if behind(contents):
        from django.core.management import call_command
        from django.db import connections

        connections.close_all()
        call_command("migrate", interactive=False, verbosity=0)
        click.echo(
            "The backup was made by an earlier version; its database was brought up to date."
        )
    click.echo(f"Database restored from {file}")
