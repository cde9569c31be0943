"""A screening run started from the web: its export, its status, its summary and result file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cluneal.web.accounts.models import Site


class Status(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ScreeningRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="screening_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    export_dir = models.CharField(max_length=500)
    engine = models.CharField(max_length=10, default="duckdb")
    as_of = models.DateField(null=True, blank=True)
    on_error = models.CharField(max_length=5, default="fail")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the uploaded export and the candidates file were deleted (retention.py).
    files_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"screening {self.id} ({self.status})"
