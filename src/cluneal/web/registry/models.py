"""Shares uploaded to the network page.

A share is the aggregate-only result of another installation's registry (counts, life tables,
summary statistics; docs/registry-network.md): nothing here is a patient's data. Each row
belongs to the user who uploaded it and is seen by that user only; removing it deletes it.
The JSON kept is the file as uploaded, after every check, and is checked again when read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NetworkShare(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_shares"
    )
    digest = models.CharField(max_length=71)
    installation = models.CharField(max_length=200)
    content = models.TextField(help_text="The share's JSON, as uploaded and checked.")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "digest"], name="network_share_once")
        ]

    def __str__(self) -> str:
        return f"share of {self.installation} ({self.digest[:19]})"
