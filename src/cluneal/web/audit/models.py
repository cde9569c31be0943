"""The audit trail: who read or changed which patient's data, when, and what changed.

The log is append-only. No page edits or deletes it, the model refuses ``save`` of an existing
row and ``delete``, and database triggers (created by migrations 0002 and 0003, on SQLite and
PostgreSQL) reject from any client UPDATE, DELETE, UPSERT, SQLite's REPLACE (which deletes
without firing DELETE triggers) and PostgreSQL's TRUNCATE.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    PRINT = "print"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    PATIENT_LINK = "patient_link"


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: accounts are deactivated, never deleted, so the trail keeps naming them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=200, help_text="Username, or the patient link used.")
    site = models.ForeignKey("accounts.Site", null=True, on_delete=models.PROTECT, related_name="+")
    # Not a foreign key: the entry outlives the patient it names.
    patient_id = models.UUIDField(null=True, db_index=True)
    record_number = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["site", "-at"])]

    def __str__(self) -> str:
        return f"{self.at} {self.actor} {self.action} {self.record_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events cannot be deleted")
