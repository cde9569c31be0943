"""What the CDS service keeps: the cards it issued, the feedback on them, and the JWT ids it has
seen (to refuse a replayed token). No patient data is stored."""

from __future__ import annotations

from django.db import models


class IssuedCard(models.Model):
    uuid = models.UUIDField(unique=True)
    service = models.CharField(max_length=60, db_index=True)
    indicator = models.CharField(max_length=10)
    issuer = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.service} card {self.uuid}"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"


class CardFeedback(models.Model):
    card = models.UUIDField(db_index=True)
    service = models.CharField(max_length=60, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    outcome_timestamp = models.DateTimeField()
    accepted_suggestions = models.JSONField(default=list, blank=True)
    override_code = models.CharField(max_length=100, blank=True)
    override_system = models.CharField(max_length=300, blank=True)
    override_comment = models.TextField(blank=True, max_length=2000)
    issuer = models.CharField(max_length=300)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.outcome} {self.card}"


class SeenToken(models.Model):
    """A JWT id already used by an issuer; kept until the token expires."""

    issuer = models.CharField(max_length=300)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="jti_once")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.jti}"
