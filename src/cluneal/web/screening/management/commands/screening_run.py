"""Run one queued screening (started in the background by the screening page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cluneal.knowledge.loader import active_pack
from cluneal.screening.export import ScreenError
from cluneal.screening.pipeline import screen
from cluneal.web.screening.models import ScreeningRun, Status
from cluneal.web.screening.storage import result_path


class Command(BaseCommand):
    help = "Run a queued screening run by its id and store its summary and result file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("run_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = ScreeningRun.objects.get(pk=options["run_id"])
        except (ScreeningRun.DoesNotExist, ValueError):
            raise CommandError(f"no screening run {options['run_id']}") from None
        run.status = Status.RUNNING
        run.save(update_fields=["status"])
        try:
            summary = screen(
                Path(run.export_dir),
                result_path(run),
                active_pack(),
                engine=run.engine,  # type: ignore[arg-type]
                as_of=run.as_of,
                on_error=run.on_error,  # type: ignore[arg-type]
            )
        except ScreenError as exc:
            run.status, run.error = Status.FAILED, "\n".join([str(exc), *exc.details])
        except Exception as exc:
            run.status, run.error = Status.FAILED, f"unexpected failure: {exc}"
        else:
            run.status, run.summary = Status.DONE, summary.to_json()
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "summary", "error", "finished_at"])
        self.stdout.write(f"screening {run.pk}: {run.status} at {dt.datetime.now():%H:%M:%S}")
