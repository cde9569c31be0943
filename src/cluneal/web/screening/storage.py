"""Where screening exports (uploaded) and results live: the data directory, never the web root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from cluneal.web.env import data_dir


def runs_dir() -> Path:
    path = data_dir() / "screening"
    path.mkdir(parents=True, exist_ok=True)
    return path


def result_path(run: Any) -> Path:
    return runs_dir() / f"{run.pk}.csv"


def upload_dir(run_id: Any, *, create: bool = True) -> Path:
    path = runs_dir() / f"{run_id}-export"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def allowed_export(path: str) -> Path | None:
    """A server directory an administrator may point to: under CLUNEAL_SCREENING_ROOT only."""
    root = settings.CLUNEAL_SCREENING_ROOT
    if not root:
        return None
    candidate = Path(path).resolve()
    base = Path(root).resolve()
    return candidate if candidate.is_dir() and candidate.is_relative_to(base) else None
