"""How long a screening run's files are kept.

The export a site administrator uploads (``<run>-export/`` in the data directory) and the
candidates file a run writes (``<run>.csv``) hold patient-level data. Both are deleted
``CLUNEAL_SCREENING_RETENTION_DAYS`` after the run started (30 by default), by
``cluneal purge-screening`` (for a daily cron job) and whenever a new run is started. The run
stays listed with its settings and summary counts, and the deletion is audited at its site.

Only files that Cluneal wrote are touched: entries of the screening directory named after a run
(or a temporary file of one). An export directory named under ``CLUNEAL_SCREENING_ROOT`` belongs
to the server's owner and is never deleted. Files whose run is unknown (an upload interrupted
before its run was saved) go once they are older than the retention period.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.screening.models import ScreeningRun
from cluneal.web.screening.storage import runs_dir

ACTOR = "screening retention"
#: ``<run>.csv``, ``<run>-export`` and the output's temporary ``.<run>.csv.<random>``.
OWN = re.compile(
    r"\A\.?(?P<run>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"(?:\.csv(?:\..+)?|-export)\Z"
)


@dataclass
class Purged:
    runs: list[ScreeningRun] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    bytes: int = 0


def retention() -> dt.timedelta:
    return dt.timedelta(days=settings.CLUNEAL_SCREENING_RETENTION_DAYS)


def _size(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return path.lstat().st_size


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def purge(now: dt.datetime | None = None, *, dry_run: bool = False) -> Purged:
    """Delete the files of every run started at least the retention period before ``now``."""
    now = now or timezone.now()
    cutoff = now - retention()
    expired = list(
        ScreeningRun.objects.filter(created_at__lte=cutoff, files_deleted_at__isnull=True)
        .select_related("site")
        .order_by("created_at")
    )
    runs = ScreeningRun.objects.values_list("pk", "created_at")
    known = {str(pk) for pk, _ in runs}
    kept = {str(pk) for pk, created in runs if created > cutoff}
    out = Purged(runs=expired)
    for entry in sorted(runs_dir().iterdir()):
        match = OWN.match(entry.name)
        if match is None or match["run"] in kept:
            continue
        if match["run"] not in known and entry.lstat().st_mtime > cutoff.timestamp():
            continue  # an upload whose run is being created right now
        out.paths.append(entry)
        out.bytes += _size(entry)
        if not dry_run:
            _delete(entry)
    if not dry_run:
        days = settings.CLUNEAL_SCREENING_RETENTION_DAYS
        for run in expired:
            run.files_deleted_at = now
            run.save(update_fields=["files_deleted_at"])
            record(
                None,
                Action.DELETE,
                site=run.site,
                obj=run,
                actor=ACTOR,
                changes={"files": "export and candidates deleted", "retention_days": days},
            )
    return out
