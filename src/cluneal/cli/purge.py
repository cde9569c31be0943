"""``cluneal purge-screening``: delete screening files past their retention period."""

from __future__ import annotations

import click


@click.command("purge-screening")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
def purge_screening_command(dry_run: bool) -> None:
    """Delete the uploaded exports and candidates files of screening runs started
    CLUNEAL_SCREENING_RETENTION_DAYS (30 by default) or more days ago.

    The runs stay listed with their summaries; each deletion is audited at the run's site.
    Starting a new run in the web app does the same; run this daily (cron) to keep to the
    period when no run is started.
    """
    from cluneal.web.setup import prepare

    prepare()
    from django.core.management import call_command

    call_command("purge_screening", dry_run=dry_run)
