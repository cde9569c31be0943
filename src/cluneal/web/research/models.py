"""A site's research secret, and the log of the research exports made from it.

The secret is the key from which every patient's research id and date offset are derived
(:mod:`cluneal.registry.deid`). It is created on a site's first export, never shown on a
page, never written to an export or to the audit trail. It lives in the database, so a database
backup holds it: whoever has a backup and an export can undo the date shift.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cluneal.web.accounts.models import Site


class SiteSecret(models.Model):
    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, primary_key=True, related_name="research_secret"
    )
    key = models.CharField(max_length=64, help_text="256 random bits, hex; never displayed.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"research secret of {self.site}"


class ResearchExport(models.Model):
    """One de-identified export: who made it, of which site, how many rows, and the zip's
    SHA-256, so that a file in circulation can be matched to the export it came from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="research_exports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=20)
    rows = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"research export of {self.site} at {self.created_at}"
