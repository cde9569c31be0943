"""Delete screening files older than CLUNEAL_SCREENING_RETENTION_DAYS (see retention.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cluneal.web.screening.retention import purge


class Command(BaseCommand):
    help = (
        "Delete the uploaded exports and candidates files of screening runs started "
        "CLUNEAL_SCREENING_RETENTION_DAYS or more days ago."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        done = purge(dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        for path in done.paths:
            self.stdout.write(f"{verb} {path}")
        self.stdout.write(
            f"{len(done.runs)} run(s) past {settings.CLUNEAL_SCREENING_RETENTION_DAYS} days: "
            f"{verb} {len(done.paths)} file(s) or folder(s), {done.bytes:,} bytes"
        )
