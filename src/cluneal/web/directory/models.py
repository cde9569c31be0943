"""Directory listings: clinicians and clinics who diagnose and treat cluneal nerve entrapment.

A listing belongs to a site; the site's clinicians write it, a superuser reviews it, and only
an approved listing is public. Any change after approval sends it back for review, so the
public page never shows words that nobody reviewed. Listings hold no patient data.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from cluneal.knowledge.gazetteer import country_name
from cluneal.web.accounts.models import Site
from cluneal.web.directory.search import SERVICE_LABELS


class Status(models.TextChoices):
    DRAFT = "draft", "Draft (not submitted)"
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Published"
    REJECTED = "rejected", "Not published"


class LocatedFrom(models.TextChoices):
    GAZETTEER = "gazetteer", "From the city and country"
    ENTERED = "entered", "Entered by the clinician"


class ReviewError(ValueError):
    """A decision that does not apply to the listing in its present state."""


class Listing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="listings")
    display_name = models.CharField(max_length=200)
    specialty = models.CharField(max_length=120)
    services = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=2)
    latitude = models.FloatField()
    longitude = models.FloatField()
    located_from = models.CharField(max_length=10, choices=LocatedFrom.choices)
    contact_url = models.CharField(max_length=300)
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    review_note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90), name="listing_latitude"
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="listing_longitude",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="listing_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.city})"

    @property
    def service_labels(self) -> list[str]:
        return [SERVICE_LABELS[s] for s in self.services if s in SERVICE_LABELS]

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def is_email(self) -> bool:
        return self.contact_url.startswith("mailto:")

    def submit(self, *, for_review: bool) -> None:
        """After the clinician saves: a draft, or waiting for review; never still public."""
        self.status = Status.PENDING if for_review else Status.DRAFT
        self.reviewed_by = None
        self.reviewed_at = None

    def decide(self, *, approve: bool, reviewer: object, note: str = "") -> None:
        """A reviewer's decision. Only a listing waiting for review is approved; a published
        one may be withdrawn (rejected) at any time."""
        allowed = (Status.PENDING,) if approve else (Status.PENDING, Status.APPROVED)
        if self.status not in allowed:
            which = "waiting for review" if approve else "waiting for review or published"
            verb = "approved" if approve else "rejected"
            raise ReviewError(
                f"This listing is “{self.get_status_display()}”; only a listing {which} can be "
                f"{verb}."
            )
        self.status = Status.APPROVED if approve else Status.REJECTED
        self.review_note = note
        self.reviewed_by = reviewer  # type: ignore[assignment]
        self.reviewed_at = timezone.now()
