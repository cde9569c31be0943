"""The clinical record: patients, visits, blocks, treatments, pain diaries and the audit trail.

Identifiers in URLs are random UUIDs, so a record's address reveals nothing and cannot be
guessed. Clinical content is kept in the shapes of ``cluneal-case/1`` (history, exam,
questionnaires) so that the plain record :mod:`cluneal.web.records.mapping` reads from these
models becomes a core case (:func:`cluneal.core.record.case_of`) without re-implementing any rule.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from cluneal.knowledge import vocabulary as v
from cluneal.web.accounts.models import Site

NRS = [MinValueValidator(0), MaxValueValidator(10)]
#: What a record number may hold: it names files (the PDF letter), headers and audit entries,
#: so it is plain ASCII without spaces, quotes, separators or control characters.
RECORD_NUMBER_MESSAGE = (
    "A record number has 1 to 40 characters: letters A-Z and a-z, digits 0-9, "
    "hyphen (-), underscore (_) and full stop (.), starting with a letter or a digit."
)
record_number_validator = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,39}\Z", RECORD_NUMBER_MESSAGE, code="record_number"
)


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(x, x.replace("_", " ")) for x in values]


class Sex(models.TextChoices):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Patient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    record_number = models.CharField(
        max_length=40,
        validators=[record_number_validator],
        help_text="The site's pseudonymous record number.",
    )
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    # Identifiable fields: optional, and never exported to the registry.
    name = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["record_number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "record_number"], name="record_number_per_site")
        ]
        indexes = [models.Index(fields=["site", "-updated_at"])]

    def __str__(self) -> str:
        return self.record_number


class Visit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="visits")
    date = models.DateField()
    # The case format's history, exam and questionnaires (validated by the core on save).
    history = models.JSONField(default=dict, blank=True)
    body_map = models.JSONField(default=dict, blank=True)
    exam = models.JSONField(default=dict, blank=True)
    questionnaires = models.JSONField(default=dict, blank=True)
    current_nrs = models.PositiveSmallIntegerField(null=True, blank=True, validators=NRS)
    notes = models.TextField(blank=True, max_length=20_000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "created_at"]

    def __str__(self) -> str:
        return f"visit {self.date}"


class Guidance(models.TextChoices):
    LANDMARK = "landmark"
    ULTRASOUND = "ultrasound"
    FLUOROSCOPY = "fluoroscopy"


class Block(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="blocks")
    date = models.DateField()
    nerve = models.CharField(max_length=3, choices=_choices(v.NERVES))
    side = models.CharField(max_length=5, choices=_choices(v.SIDES))
    agent = models.CharField(max_length=120, blank=True)
    volume_ml = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    guidance = models.CharField(max_length=12, choices=Guidance.choices, blank=True)
    nrs_before = models.PositiveSmallIntegerField(validators=NRS)
    nrs_after = models.PositiveSmallIntegerField(validators=NRS)
    minutes_after = models.PositiveIntegerField(null=True, blank=True)
    relief_days = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    relief_days_from_diary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "created_at"]

    def __str__(self) -> str:
        return f"{self.nerve.upper()} {self.side} block {self.date}"


class Treatment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=_choices(v.TREATMENT_KINDS))
    nerve = models.CharField(max_length=3, choices=_choices(v.NERVES))
    side = models.CharField(max_length=5, choices=_choices(v.SIDES))
    outcome = models.CharField(max_length=12, choices=_choices(v.OUTCOMES), blank=True)
    # Follow-up for the registry's time to recurrence (see docs/registry.md): the event date,
    # and the last date the patient was known to be followed up (censoring).
    recurrence_date = models.DateField(null=True, blank=True)
    last_follow_up = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.nerve.upper()} {self.side} {self.date}"


class LinkKind(models.TextChoices):
    DIARY = "diary", "Pain diary"
    STARTBACK = "startback", "STarT Back"
    ODI = "odi", "Oswestry Disability Index"
    RMDQ = "rmdq", "Roland-Morris"


class PatientLink(models.Model):
    """A link a patient opens without an account: a pain diary after a block, or a
    questionnaire. Only a hash of its token is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="links")
    block = models.ForeignKey(Block, null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} link for {self.patient_id}"


class DiaryEntry(models.Model):
    """One day's pain (NRS) reported by the patient through a diary link."""

    link = models.ForeignKey(PatientLink, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField()
    nrs = models.PositiveSmallIntegerField(validators=NRS)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["link", "date"], name="one_entry_a_day")]

    def __str__(self) -> str:
        return f"NRS {self.nrs} on {self.date}"


class QuestionnaireAnswer(models.Model):
    """A questionnaire the patient filled in through a link (item values, case format)."""

    link = models.OneToOneField(PatientLink, on_delete=models.CASCADE, related_name="answer")
    instrument = models.CharField(max_length=10, choices=LinkKind.choices)
    values = models.JSONField()
    date = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.instrument} answered {self.date}"
