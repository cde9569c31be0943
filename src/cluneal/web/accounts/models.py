"""Sites (clinics), who belongs to them in which role, and login throttling."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SITE_ADMIN = "site_admin", "Site administrator"
    RESEARCHER = "researcher", "Researcher"


class Site(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role at a site. Clinicians and site administrators read and write the site's
    records; researchers see de-identified registry data only.

    A site administrator deactivates a membership, never the account: the person loses their
    role at that site and keeps it at every other (:func:`cluneal.web.accounts.access.sites`
    counts active memberships only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_role_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.site} ({self.role})"


class LoginFailure(models.Model):
    """A failed login; enough recent failures for an account, or from a client address, lock
    it for a while (:mod:`cluneal.web.accounts.lockout`)."""

    username = models.CharField(
        max_length=150, db_index=True, help_text="The account key: the normalised name."
    )
    ip = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="login_failure_ip_at")]

    def __str__(self) -> str:
        return f"failed login for {self.username} at {self.at}"
